"""S3 event notifications as S3 sends them: moto's lack ``versionId``, ``sequencer`` and delete markers.

Without them every version of a key got the same request token and the newest version could
not win; this adds both (a per-process monotonic sequencer, later than any earlier process's).
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

_lock = threading.Lock()
_counter = itertools.count()
_installed = False


def _next_sequencer() -> str:
    # Nanoseconds since the epoch keep the order across restarts; the counter breaks ties within one.
    with _lock:
        return f"{time.time_ns():016X}{next(_counter) % 0x10000:04X}"


def install() -> None:
    """Wrap moto's notification builder once per process."""
    global _installed
    from moto.s3 import notifications

    if _installed:
        return
    original = notifications._get_s3_event

    def with_version(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
        event: dict[str, Any] = original(event_name, bucket, key, notification_id)
        for record in event.get("Records", []):
            obj = record["s3"]["object"]
            version = getattr(key, "version_id", None)
            if version and version != "null":
                obj["versionId"] = version
            obj["sequencer"] = _next_sequencer()
        return event

    notifications._get_s3_event = with_version

    # moto announces no delete marker; S3 sends ObjectRemoved:DeleteMarkerCreated for it.
    from moto.s3.models import S3Backend

    set_marker = S3Backend._set_delete_marker

    def set_marker_and_notify(self: Any, bucket_name: str, key_name: str) -> Any:
        hidden = self.get_bucket(bucket_name).keys[key_name]
        marker = set_marker(self, bucket_name, key_name)
        notifications.send_event(
            self.account_id,
            notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT,
            self.get_bucket(bucket_name),
            hidden,
        )
        return marker

    S3Backend._set_delete_marker = set_marker_and_notify  # type: ignore[method-assign]
    _installed = True
