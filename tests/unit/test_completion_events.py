"""The completion event a terminal job announces: documented source, detail-type and detail."""

from __future__ import annotations

import json

import pytest

from segments.domain.completion_events import (
    SOURCE,
    SegmentCounts,
    completion_detail,
    completion_entry,
    video_failure_detail,
    video_failure_entry,
)
from segments.domain.records import JobRecord, VideoRecord


def job(status: str, **overrides: object) -> JobRecord:
    fields: dict[str, object] = {
        "job_id": "job-1",
        "video_id": "vid-1",
        "bucket": "videos",
        "key": "clips/a.mp4",
        "version_id": "v1",
        "source": "rekognition",
        "status": status,
        "started_at": "2026-11-26T10:00:00.000Z",
        "completed_at": "2026-11-26T10:01:00.000Z",
        "video_metadata": ({"DurationMillis": 12_345, "FrameRate": 25.0},),
    }
    fields.update(overrides)
    return JobRecord(**fields)  # type: ignore[arg-type]


COUNTS = SegmentCounts({"SHOT": 7, "TECHNICAL_CUE": 3}, {"BlackFrames": 2, "ColorBars": 1})


def test_a_succeeded_job_announces_succeeded_on_the_default_bus_with_every_documented_field() -> None:
    entry = completion_entry(job("SUCCEEDED"), COUNTS)
    assert entry["Source"] == SOURCE == "segments.pipeline"
    assert entry["DetailType"] == "Segment Detection Succeeded"
    assert entry["EventBusName"] == "default"
    assert json.loads(entry["Detail"]) == {
        "videoId": "vid-1",
        "bucket": "videos",
        "key": "clips/a.mp4",
        "versionId": "v1",
        "jobId": "job-1",
        "engine": "rekognition",
        "status": "SUCCEEDED",
        "statusMessage": "",
        "segmentCount": 10,
        "segmentCounts": {"SHOT": 7, "TECHNICAL_CUE": 3},
        "technicalCueCounts": {"BlackFrames": 2, "ColorBars": 1},
        "durationMillis": 12_345,
        "startedAt": "2026-11-26T10:00:00.000Z",
        "completedAt": "2026-11-26T10:01:00.000Z",
    }


def test_a_failed_fallback_job_announces_failed_with_its_reason_and_no_duration() -> None:
    failed = job("FAILED", source="fallback", status_message="not a video", video_metadata=())
    entry = completion_entry(failed, SegmentCounts())
    detail = json.loads(entry["Detail"])
    assert entry["DetailType"] == "Segment Detection Failed"
    assert (detail["engine"], detail["statusMessage"], detail["durationMillis"]) == ("fallback", "not a video", 0)
    assert detail["segmentCount"] == 0 and detail["segmentCounts"] == {}


def test_a_job_still_running_has_no_completion_event() -> None:
    with pytest.raises(ValueError, match="not a final state"):
        completion_detail(job("IN_PROGRESS"), COUNTS)


def test_an_entry_fits_eventbridges_256_kib_limit_even_with_a_long_failure_message() -> None:
    # statusMessage is stored truncated to 1,000 characters; keys are at most 1,024 bytes.
    entry = completion_entry(job("FAILED", status_message="x" * 1000, key="k" * 1024), COUNTS)
    assert len(json.dumps(entry).encode()) < 256 * 1024


def test_a_video_failed_without_a_job_announces_the_same_fields_with_no_job() -> None:
    video = VideoRecord(
        video_id="vid-1",
        bucket="videos",
        key="clips/a.mp4",
        version_id="v1",
        status="FAILED",
        status_message="Rekognition cannot read this video: not a video",
        source="rekognition",
        created_at="2026-11-26T10:00:00.000Z",
        updated_at="2026-11-26T10:00:02.000Z",
    )
    entry = video_failure_entry(video)
    detail = json.loads(entry["Detail"])
    assert entry["DetailType"] == "Segment Detection Failed" and entry["Source"] == SOURCE
    # One consumer serves both: the job event's fields, none missing, none added.
    assert detail.keys() == completion_detail(job("FAILED"), COUNTS).keys()
    assert (detail["jobId"], detail["engine"], detail["segmentCount"]) == (None, "rekognition", 0)
    assert (detail["startedAt"], detail["completedAt"]) == (video.created_at, video.updated_at)
    with pytest.raises(ValueError, match="not failed without a job"):
        video_failure_detail(VideoRecord(video_id="vid-1", bucket="b", key="k", status="FAILED", job_id="job-1"))
