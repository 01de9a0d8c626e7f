"""The read API handler against moto DynamoDB holding items written by the pipeline's own store."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local_mode.apigw import LocalContext, rest_event
from segments.adapters.store import SegmentStore
from segments.domain.events import VideoObject
from segments.domain.records import DetectionOptions
from tests.support import rekognition as rk

Call = Callable[..., tuple[int, dict[str, str], Any]]


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, segments_table: str) -> Iterator[Call]:
    """Call the real API handler: ``api("/path", method="GET", param=value)`` -> (status, headers, body)."""
    monkeypatch.setenv("TABLE_NAME", segments_table)
    monkeypatch.setenv("PAGINATION_SECRET", "test-secret")
    from segments.handlers import api as module

    module.reset()

    def call(path: str, method: str = "GET", **params: Any) -> tuple[int, dict[str, str], Any]:
        query = {k: [str(v)] for k, v in params.items() if v is not None}
        result = module.handler(rest_event(method, path, query), LocalContext())  # type: ignore[arg-type]
        headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
        for k, v in (result.get("multiValueHeaders") or {}).items():
            headers[k.lower()] = ", ".join(v)
        body = result["body"]
        if "json" in headers.get("content-type", ""):
            body = json.loads(body)
        return int(result["statusCode"]), headers, body

    yield call
    module.reset()


def store_job(
    table: str,
    *,
    key: str,
    job_id: str,
    segments: list[dict[str, Any]],
    status: str = "SUCCEEDED",
    message: str = "Unsupported codec",
) -> SegmentStore:
    """Write a video, its job and segments exactly as the collector does."""
    store = SegmentStore(table)
    store.record_job_started(
        VideoObject("videos", key, "v1"),
        job_id=job_id,
        source="rekognition",
        options=DetectionOptions(("TECHNICAL_CUE", "SHOT")),
    )
    if status == "IN_PROGRESS":
        return store
    count = store.put_segments(job_id, segments, ["TECHNICAL_CUE", "SHOT"])
    store.complete_job(
        job_id,
        status=status,
        status_message="" if status == "SUCCEEDED" else message,
        video_metadata=rk.VIDEO_METADATA,
        audio_metadata=rk.AUDIO_METADATA,
        selected_segment_types=rk.SELECTED,
        segment_count=count,
    )
    return store
