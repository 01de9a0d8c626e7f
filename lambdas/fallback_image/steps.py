"""The four steps of the fallback state machine, written against ports (testable without AWS)."""

from __future__ import annotations

import json
from typing import Any, BinaryIO, Protocol

from detector import DetectOptions, assemble, detect_raw, merge_raw, raw_from_dict, raw_to_dict
from detector.decode import VideoReader
from fallback_image.planning import plan_chunks
from segments.domain.events import VideoObject
from segments.domain.records import DetectionOptions
from segments.ports import JobSlots, ResultStore


class Objects(Protocol):
    """Where the video is read from and chunk results are kept."""

    def open_video(self, bucket: str, key: str, version_id: str | None) -> BinaryIO: ...
    def put_json(self, key: str, document: dict[str, Any]) -> None: ...
    def get_json(self, key: str) -> dict[str, Any]: ...
    def delete(self, keys: list[str]) -> None: ...


def job_options(job: dict[str, Any]) -> DetectionOptions:
    """The detection options the job was launched with (they travel in the execution's input)."""
    return DetectionOptions(
        segment_types=tuple(job.get("segmentTypes") or ("TECHNICAL_CUE", "SHOT")), filters=job.get("filters") or {}
    )


def options_for(job: dict[str, Any], start_ms: int | None = None, end_ms: int | None = None) -> DetectOptions:
    """Detector options from the job's SegmentTypes and Rekognition Filters."""
    return DetectOptions.from_rekognition(job.get("segmentTypes"), job.get("filters"), start_ms=start_ms, end_ms=end_ms)


def _video(job: dict[str, Any]) -> VideoObject:
    return VideoObject(job["bucket"], job["key"], job.get("versionId") or None, sequencer=job.get("sequencer") or "")


def plan(job: dict[str, Any], *, objects: Objects, store: ResultStore, chunk_seconds: int) -> dict[str, Any]:
    """Probe the video (raises a VideoError for unreadable input), record the job, return the chunks."""
    video = _video(job)
    with objects.open_video(video.bucket, video.key, video.version_id) as handle, VideoReader(handle) as reader:
        probe = reader.probe
    store.record_job_started(
        video, job_id=job["jobId"], source="fallback", options=job_options(job), reason=str(job.get("reason") or "")
    )
    duration = probe.duration_ms or 0
    return {"chunks": plan_chunks(duration, chunk_seconds), "durationMs": duration}


def detect_chunk(job: dict[str, Any], chunk: dict[str, Any], *, objects: Objects, prefix: str) -> dict[str, Any]:
    """Analyse one time window; the raw result goes to S3 (Map outputs are size-limited)."""
    video = _video(job)
    options = options_for(job, int(chunk["startMs"]) or None, int(chunk["endMs"]))
    with objects.open_video(video.bucket, video.key, video.version_id) as handle:
        raw = detect_raw(handle, options)
    key = f"{prefix}{job['jobId']}/{int(chunk['index']):05d}.json"
    objects.put_json(key, raw_to_dict(raw))
    return {"key": key}


def stitch(
    job: dict[str, Any],
    results: list[dict[str, Any]],
    *,
    objects: Objects,
    store: ResultStore,
    slots: JobSlots | None = None,
) -> int:
    """Merge chunk results, store the segments exactly as the collector does, mark the job SUCCEEDED.

    The execution's fallback slot (``slots``, holder = JobId) is given back once the job is final.
    """
    keys = [r["key"] for r in results]
    raw = merge_raw([raw_from_dict(objects.get_json(k)) for k in keys])
    options = options_for(job)
    response = assemble(raw, options)
    count = store.put_segments(job["jobId"], response["Segments"], list(options.segment_types))
    store.complete_job(
        job["jobId"],
        status="SUCCEEDED",
        video_metadata=response["VideoMetadata"],
        audio_metadata=response["AudioMetadata"],
        selected_segment_types=response["SelectedSegmentTypes"],
        segment_count=count,
    )
    if slots is not None:
        slots.release(job["jobId"])
    objects.delete(keys)
    return count


def record_failure(
    job: dict[str, Any], error: dict[str, Any], *, store: ResultStore, slots: JobSlots | None = None
) -> str:
    """Record the job FAILED with the step's error message (Step Functions' Error/Cause); free its fallback slot."""
    cause = error.get("Cause") or ""
    try:
        message = str(json.loads(cause).get("errorMessage") or cause)
    except (ValueError, AttributeError):
        message = str(cause)
    kind = str(error.get("Error") or "Error")
    text = f"fallback detection failed ({kind}): {message}".strip()
    store.record_job_started(_video(job), job_id=job["jobId"], source="fallback", options=job_options(job))
    store.complete_job(job["jobId"], status="FAILED", status_message=text[:1000])
    if slots is not None:
        slots.release(job["jobId"])
    return text
