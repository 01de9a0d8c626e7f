"""Parsing of the two events the pipeline reacts to: S3 uploads and Rekognition completions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


class EventError(ValueError):
    """An event that does not have the documented shape."""


@dataclass(frozen=True)
class VideoObject:
    """One uploaded object version."""

    bucket: str
    key: str
    version_id: str | None
    size: int = 0
    etag: str = ""
    sequencer: str = ""  # S3's per-key event order as ``sequence_key``: greater is a later change ("" unknown)


@dataclass(frozen=True)
class Completion:
    """Rekognition's completion message for one video job."""

    job_id: str
    status: str
    api: str
    job_tag: str
    bucket: str
    key: str
    timestamp: int


SEQUENCER_WIDTH = 32  # hex digits: S3 sequencers of one key compare after left-padding to equal length


def sequence_key(sequencer: str) -> str:
    """S3 ``sequencer`` as a fixed-width string: a later change of the same key compares greater ("" stays "")."""
    return sequencer.upper().rjust(SEQUENCER_WIDTH, "0") if sequencer else ""


def uploads_in_s3_event(body: str) -> list[VideoObject]:
    """Objects created in an S3 event notification body (empty for ``s3:TestEvent``).

    S3 URL-encodes keys in notifications (spaces as ``+``); they are decoded here.
    """
    return _objects_in_s3_event(body, "ObjectCreated")


def removals_in_s3_event(body: str) -> list[VideoObject]:
    """Objects removed in an S3 event notification body.

    ``version_id`` is the deleted version for a permanent delete, None when a delete marker
    hid the object (its current version is gone from view, whatever it was).
    """
    return _objects_in_s3_event(body, "ObjectRemoved")


def _objects_in_s3_event(body: str, kind: str) -> list[VideoObject]:
    try:
        event = json.loads(body)
    except json.JSONDecodeError as exc:
        raise EventError(f"S3 notification is not JSON: {exc}") from exc
    if not isinstance(event, dict):
        raise EventError("S3 notification is not a JSON object")
    if event.get("Event") == "s3:TestEvent":
        return []
    objects: list[VideoObject] = []
    for record in event.get("Records", []):
        name = str(record.get("eventName", ""))
        if not name.startswith(kind):
            continue
        marker = name.endswith("DeleteMarkerCreated")
        try:
            s3 = record["s3"]
            objects.append(
                VideoObject(
                    bucket=s3["bucket"]["name"],
                    key=unquote_plus(s3["object"]["key"]),
                    version_id=None if marker else (s3["object"].get("versionId") or None),
                    size=int(s3["object"].get("size", 0)),
                    etag=str(s3["object"].get("eTag", "")),
                    sequencer=sequence_key(str(s3["object"].get("sequencer", ""))),
                )
            )
        except (KeyError, TypeError) as exc:
            raise EventError(f"S3 record without bucket/key: {exc}") from exc
    return objects


def is_video_key(key: str, suffixes: tuple[str, ...], prefix: str = "") -> bool:
    """True when ``key`` starts with ``prefix`` and ends with one of ``suffixes`` (case-insensitive)."""
    if prefix and not key.startswith(prefix):
        return False
    lowered = key.lower()
    return any(lowered.endswith("." + s.lower().lstrip(".")) for s in suffixes)


def completion_from_sns_body(body: str) -> Completion:
    """Rekognition's completion message from an SQS body holding an SNS notification (or the raw message)."""
    try:
        outer: Any = json.loads(body)
        message: Any = json.loads(outer["Message"]) if isinstance(outer, dict) and "Message" in outer else outer
        video = message.get("Video", {})
        return Completion(
            job_id=str(message["JobId"]),
            status=str(message["Status"]),
            api=str(message.get("API", "")),
            job_tag=str(message.get("JobTag", "")),
            bucket=str(video.get("S3Bucket", "")),
            key=str(video.get("S3ObjectName", "")),
            timestamp=int(message.get("Timestamp", 0)),
        )
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise EventError(f"not a Rekognition completion message: {exc}") from exc
