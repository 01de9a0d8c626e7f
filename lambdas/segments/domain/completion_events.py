"""The event the pipeline puts on the default EventBridge bus when a job reaches a final state.

Pure: the adapter in ``segments.adapters.events`` sends what :func:`completion_entry` builds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from segments.domain.records import JobRecord, VideoRecord

SOURCE = "segments.pipeline"
DETAIL_TYPES = {
    "SUCCEEDED": "Segment Detection Succeeded",
    "FAILED": "Segment Detection Failed",
}
ENGINES = {"rekognition": "rekognition", "fallback": "fallback"}


@dataclass(frozen=True)
class SegmentCounts:
    """How many segments a job stored, by ``Type`` and by technical cue type."""

    by_type: Mapping[str, int] = field(default_factory=dict)
    by_cue_type: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All segments of the job."""
        return sum(self.by_type.values())


def _video_duration_millis(job: JobRecord) -> int:
    # Rekognition reports one VideoMetadata per stream it analysed; the first is the video's.
    for meta in job.video_metadata:
        if "DurationMillis" in meta:
            return int(meta["DurationMillis"])
    return 0


def _detail(
    record: JobRecord | VideoRecord,
    *,
    job_id: str | None,
    counts: SegmentCounts,
    duration_millis: int,
    started_at: str,
    completed_at: str,
) -> dict[str, Any]:
    return {
        "videoId": record.video_id,
        "bucket": record.bucket,
        "key": record.key,
        "versionId": record.version_id,
        "jobId": job_id,
        "engine": ENGINES.get(record.source, record.source),
        "status": record.status,
        "statusMessage": record.status_message,
        "segmentCount": counts.total,
        "segmentCounts": dict(sorted(counts.by_type.items())),
        "technicalCueCounts": dict(sorted(counts.by_cue_type.items())),
        "durationMillis": duration_millis,
        "startedAt": started_at,
        "completedAt": completed_at,
    }


def _entry(detail: dict[str, Any], event_bus_name: str) -> dict[str, Any]:
    return {
        "Source": SOURCE,
        "DetailType": DETAIL_TYPES[detail["status"]],
        "Detail": json.dumps(detail, separators=(",", ":"), sort_keys=True),
        "EventBusName": event_bus_name,
    }


def completion_detail(job: JobRecord, counts: SegmentCounts) -> dict[str, Any]:
    """The ``detail`` of the completion event of a terminal ``job``."""
    if job.status not in DETAIL_TYPES:
        raise ValueError(f"job {job.job_id} is {job.status}, not a final state")
    return _detail(
        job,
        job_id=job.job_id,
        counts=counts,
        duration_millis=_video_duration_millis(job),
        started_at=job.started_at,
        completed_at=job.completed_at,
    )


def completion_entry(job: JobRecord, counts: SegmentCounts, event_bus_name: str = "default") -> dict[str, Any]:
    """One ``PutEvents`` entry announcing that ``job`` reached its final state."""
    return _entry(completion_detail(job, counts), event_bus_name)


def video_failure_detail(video: VideoRecord) -> dict[str, Any]:
    """The ``detail`` of the event of a video that failed before any job started (no JobId, no segments).

    Same fields as :func:`completion_detail`, so one rule and one consumer serve both: ``jobId`` is
    null, ``engine`` the engine the upload was meant for, and the times are the video's.
    """
    if video.status != "FAILED" or video.job_id:
        state = f"{video.status} with job {video.job_id!r}"
        raise ValueError(f"video {video.video_id} is {state}, not failed without a job")
    return _detail(
        video,
        job_id=None,
        counts=SegmentCounts(),
        duration_millis=0,
        started_at=video.created_at,
        completed_at=video.updated_at,
    )


def video_failure_entry(video: VideoRecord, event_bus_name: str = "default") -> dict[str, Any]:
    """One ``PutEvents`` entry announcing that ``video`` failed without a job."""
    return _entry(video_failure_detail(video), event_bus_name)


# Terminal jobs whose event is not published yet sit in gsi1 under this partition (an outbox),
# oldest first, until the publish is marked on the job item.
PENDING_GSI1PK = "EVENT#PENDING"


def pending_sort_key(completed_at: str, job_id: str) -> str:
    """The outbox sort key: completion time, then the JobId to keep keys unique."""
    return f"{completed_at}#{job_id}"


# A video failed without a job is found for its event by its status listing (gsi1 ``STATUS#FAILED``,
# newest first): the sweeper looks this far back for one whose event is not published yet.
VIDEO_EVENT_LOOKBACK_HOURS = 24
