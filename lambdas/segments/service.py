"""Orchestration of the pipeline, written against small ports so it runs without AWS in tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from segments.domain import keys
from segments.domain.errors import StartRejected, StartRetryable
from segments.domain.events import Completion, VideoObject, is_video_key
from segments.domain.model import Segment
from segments.settings import Settings


class Store(Protocol):
    """What the orchestration needs from the results table."""

    def get_job(self, job_id: str) -> dict[str, Any] | None: ...
    def get_video(self, video_id: str) -> dict[str, Any] | None: ...
    def record_video_status(self, video: VideoObject, *, status: str, message: str, source: str) -> None: ...
    def record_job_started(
        self,
        video: VideoObject,
        *,
        job_id: str,
        source: str,
        settings: dict[str, Any],
        client_request_token: str = "",
        job_tag: str = "",
    ) -> bool: ...
    def put_segments(self, job_id: str, segments: Any, type_order: Any) -> int: ...
    def complete_job(
        self,
        job_id: str,
        *,
        status: str,
        status_message: str = "",
        video_metadata: list[dict[str, Any]] | None = None,
        audio_metadata: list[dict[str, Any]] | None = None,
        selected_segment_types: list[dict[str, Any]] | None = None,
        segment_count: int = 0,
    ) -> bool: ...
    def acquire_job_slot(self, holder: str, limit: int, now: float, lease_seconds: int) -> bool: ...
    def release_job_slot(self, holder: str) -> None: ...


class Detector(Protocol):
    """What the orchestration needs from Rekognition."""

    def start_segment_detection(
        self,
        *,
        bucket: str,
        key: str,
        version_id: str | None,
        segment_types: list[str],
        filters: dict[str, Any],
        client_request_token: str,
        job_tag: str,
        topic_arn: str,
        role_arn: str,
    ) -> str: ...
    def iter_segment_pages(self, job_id: str, max_results: int = 1000) -> Iterator[dict[str, Any]]: ...


class Launcher(Protocol):
    """Starts the container fallback for one video version."""

    def launch(self, *, job_id: str, payload: dict[str, Any]) -> bool: ...


class RetryLater(Exception):
    """The upload could not be started yet; redeliver the message after ``delay_seconds``."""

    def __init__(self, message: str, delay_seconds: int) -> None:
        super().__init__(message)
        self.delay_seconds = delay_seconds


class GiveUp(Exception):
    """The retry budget is spent: the message goes to the dead-letter queue (status recorded)."""


@dataclass(frozen=True)
class Attempt:
    """Where this delivery stands in the retry budget."""

    receive_count: int = 1
    waited_seconds: float = 0.0


def backoff_seconds(receive_count: int, base: int = 30, cap: int = 900) -> int:
    """Delay (seconds) before the next delivery: 30 s doubling per attempt, capped at 15 minutes."""
    return int(min(cap, base * 2 ** max(0, receive_count - 1)))


def _same_content_already_handled(video: VideoObject, store: Store) -> bool:
    """True when the video's current job was started for identical bytes (same ETag) and did not fail.

    Re-uploading the same file creates a new S3 version; detecting it again would only
    duplicate results, so the existing job keeps serving the video.
    """
    if not video.etag:
        return False
    current = store.get_video(keys.video_id_for_key(video.key))
    return bool(current and current.get("etag") == video.etag and current.get("status") != "FAILED")


def _launch_fallback(
    video: VideoObject, reason: str, *, store: Store, launcher: Launcher | None, settings: Settings
) -> str:
    job_id = keys.fallback_job_id(video.bucket, video.key, video.version_id)
    if launcher is None:
        store.record_video_status(
            video, status="FAILED", message=f"{reason}; the fallback detector is not deployed", source="rekognition"
        )
        return "failed"
    store.record_job_started(
        video,
        job_id=job_id,
        source="fallback",
        settings={"SegmentTypes": list(settings.segment_types), "Filters": settings.filters, "Reason": reason},
    )
    launcher.launch(
        job_id=job_id,
        payload={
            "bucket": video.bucket,
            "key": video.key,
            "versionId": video.version_id or "",
            "jobId": job_id,
            "videoId": keys.video_id_for_key(video.key),
            "reason": reason,
            "segmentTypes": list(settings.segment_types),
            "filters": settings.filters,
        },
    )
    return "fallback"


def start_video(
    video: VideoObject,
    attempt: Attempt,
    *,
    settings: Settings,
    store: Store,
    rekognition: Detector,
    launcher: Launcher | None,
) -> str:
    """Start detection for one uploaded object; returns started, ignored, fallback or failed.

    Raises RetryLater while Rekognition has no slot (the caller redelivers) and GiveUp
    once the retry budget is spent.
    """
    if not is_video_key(video.key, settings.video_suffixes, settings.video_prefix):
        return "ignored"
    if _same_content_already_handled(video, store):
        return "duplicate"
    if settings.detection_mode == "fallback":
        return _launch_fallback(video, "detectionMode is fallback", store=store, launcher=launcher, settings=settings)
    token = keys.client_request_token(video.bucket, video.key, video.version_id)
    bounded = settings.max_concurrent_jobs > 0
    if bounded and not store.acquire_job_slot(
        token, settings.max_concurrent_jobs, time.time(), settings.job_lease_seconds
    ):
        busy = StartRetryable(
            "JobSlotsInUse", f"all {settings.max_concurrent_jobs} Rekognition job slots of this pipeline are in use"
        )
        return _wait_for_slot(video, attempt, busy, settings=settings, store=store, launcher=launcher)
    try:
        job_id = rekognition.start_segment_detection(
            bucket=video.bucket,
            key=video.key,
            version_id=video.version_id,
            segment_types=list(settings.segment_types),
            filters=settings.filters,
            client_request_token=token,
            job_tag=keys.job_tag(video.key),
            topic_arn=settings.topic_arn,
            role_arn=settings.rekognition_role_arn,
        )
    except StartRejected as exc:
        if bounded:
            store.release_job_slot(token)
        if settings.detection_mode == "rekognition-with-fallback":
            return _launch_fallback(
                video, f"Rekognition rejected the video ({exc})", store=store, launcher=launcher, settings=settings
            )
        store.record_video_status(video, status="FAILED", message=str(exc), source="rekognition")
        return "failed"
    except StartRetryable as exc:
        if bounded:
            store.release_job_slot(token)  # the account's quota is used elsewhere too: wait like everyone
        return _wait_for_slot(video, attempt, exc, settings=settings, store=store, launcher=launcher)
    store.record_job_started(
        video,
        job_id=job_id,
        source="rekognition",
        settings={"SegmentTypes": list(settings.segment_types), "Filters": settings.filters},
        client_request_token=token,
        job_tag=keys.job_tag(video.key),
    )
    return "started"


def _wait_for_slot(
    video: VideoObject,
    attempt: Attempt,
    exc: StartRetryable,
    *,
    settings: Settings,
    store: Store,
    launcher: Launcher | None,
) -> str:
    """No job slot now: fall back if it has lasted too long, give up after the budget, else retry later."""
    fallback_due = attempt.waited_seconds >= settings.throttle_fallback_seconds
    if settings.detection_mode == "rekognition-with-fallback" and fallback_due and launcher is not None:
        reason = f"Rekognition stayed throttled for {int(attempt.waited_seconds)} s ({exc.code})"
        return _launch_fallback(video, reason, store=store, launcher=launcher, settings=settings)
    if attempt.receive_count >= settings.max_receives:
        message = (
            f"still no Rekognition job slot after {attempt.receive_count} attempts ({exc}); "
            "the upload event is in the dead-letter queue: redrive it to retry"
        )
        store.record_video_status(video, status="FAILED", message=message, source="rekognition")
        raise GiveUp(message) from exc
    store.record_video_status(
        video, status="QUEUED", message=f"waiting for a Rekognition job slot: {exc}", source="rekognition"
    )
    delay = backoff_seconds(attempt.receive_count, base=settings.backoff_base_seconds)
    raise RetryLater(str(exc), delay) from exc


def _segments_of(pages: Iterator[dict[str, Any]], first: dict[str, Any]) -> Iterator[Segment]:
    yield from first.get("Segments", [])
    for page in pages:
        yield from page.get("Segments", [])


def collect_job(
    completion: Completion,
    *,
    settings: Settings,
    store: Store,
    rekognition: Detector,
    launcher: Launcher | None,
) -> tuple[str, int]:
    """Store a finished job's results; returns (outcome, segments stored).

    Idempotent: a job already terminal is skipped; a retry after a crash midway rewrites
    the same items (deterministic keys) and only then marks the job SUCCEEDED.
    """
    if completion.api != "StartSegmentDetection":
        return "ignored", 0
    job = store.get_job(completion.job_id)
    video = VideoObject(
        bucket=str((job or {}).get("bucket") or completion.bucket),
        key=str((job or {}).get("key") or completion.key),
        version_id=str((job or {}).get("versionId") or "") or None,
    )
    # Rekognition has finished with the job, whatever happens next: its slot is free again.
    store.release_job_slot(
        str((job or {}).get("clientRequestToken") or "")
        or keys.client_request_token(video.bucket, video.key, video.version_id)
    )
    if job is not None and job.get("status") in ("SUCCEEDED", "FAILED"):
        return "duplicate", 0
    if job is None:
        store.record_job_started(
            video,
            job_id=completion.job_id,
            source="rekognition",
            settings={"SegmentTypes": list(settings.segment_types), "Filters": settings.filters},
        )
    type_order = list(((job or {}).get("settings") or {}).get("SegmentTypes") or settings.segment_types)
    pages = rekognition.iter_segment_pages(completion.job_id, max_results=1000)
    first = next(pages)
    status = str(first.get("JobStatus") or completion.status)
    metadata = {
        "video_metadata": first.get("VideoMetadata", []),
        "audio_metadata": first.get("AudioMetadata", []),
        "selected_segment_types": first.get("SelectedSegmentTypes", []),
    }
    if status == "SUCCEEDED" and completion.status == "SUCCEEDED":
        count = store.put_segments(completion.job_id, _segments_of(pages, first), type_order)
        store.complete_job(completion.job_id, status="SUCCEEDED", segment_count=count, **metadata)
        return "succeeded", count
    message = str(first.get("StatusMessage") or f"Rekognition reported {completion.status}")
    store.complete_job(completion.job_id, status="FAILED", status_message=message, **metadata)
    if settings.detection_mode == "rekognition-with-fallback" and launcher is not None:
        _launch_fallback(
            video,
            f"Rekognition job {completion.job_id} failed: {message}",
            store=store,
            launcher=launcher,
            settings=settings,
        )
        return "fallback", 0
    return "failed", 0
