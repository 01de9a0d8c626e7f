"""Start and collect detection jobs, written against the ports in ``segments.ports`` (runs without AWS in tests)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from segments.domain import keys, routing
from segments.domain.errors import PaginationExpired, StartRejected, StartRetryable
from segments.domain.events import Completion, VideoObject, is_video_key
from segments.domain.records import DELETED, DetectionOptions, JobRecord, VideoRecord
from segments.ports import JobSlots, Launcher, MediaProbe, RekognitionJobs, ResultStore
from segments.settings import Settings


class RetryLater(Exception):
    """The upload could not be started yet; redeliver the message after ``delay_seconds``."""

    def __init__(self, message: str, delay_seconds: int, kind: str = "rekognition") -> None:
        super().__init__(message)
        self.delay_seconds = delay_seconds
        self.kind = kind  # which slot it waits for: its release wakes this upload


class FallbackBusy(Exception):
    """Every fallback slot (``maxConcurrentFallbacks``) is held: nothing was launched or recorded."""


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


def deployment_options(settings: Settings) -> DetectionOptions:
    """The options a new job starts with: the deployment's SegmentTypes and Filters."""
    return DetectionOptions(segment_types=tuple(settings.segment_types), filters=dict(settings.filters))


def _same_content_already_handled(video: VideoObject, current: VideoRecord | None) -> bool:
    """True when the video's current job was started for identical bytes (same ETag) and did not fail.

    Re-uploading the same file creates a new S3 version; detecting it again would only
    duplicate results, so the existing job keeps serving the video.
    """
    if not video.etag or current is None:
        return False
    return current.etag == video.etag and current.status not in ("FAILED", DELETED)


def record_deletion(video: VideoObject, *, settings: Settings, store: ResultStore) -> str:
    """Record that a video's object was deleted; returns deleted or ignored."""
    if not is_video_key(video.key, settings.video_suffixes, settings.video_prefix):
        return "ignored"
    return "deleted" if store.record_video_deleted(video) else "ignored"


def fallback_payload(video: VideoObject, job_id: str, options: DetectionOptions, reason: str) -> dict[str, Any]:
    """The fallback state machine's input: the object version, the job and its detection options."""
    return {
        "bucket": video.bucket,
        "key": video.key,
        "versionId": video.version_id or "",
        "jobId": job_id,
        "videoId": keys.video_id_for_key(video.key),
        "reason": reason,
        "segmentTypes": list(options.segment_types),
        "filters": dict(options.filters),
        "sequencer": video.sequencer,
    }


def launch_fallback(
    video: VideoObject,
    reason: str,
    options: DetectionOptions,
    *,
    store: ResultStore,
    launcher: Launcher | None,
    fallback_slots: JobSlots | None = None,
    settings: Settings | None = None,
) -> str:
    """Hand the video to the fallback; returns fallback, or failed when no fallback is deployed.

    Launch first, record after: a launch that fails (throttled, denied) records nothing, so the
    redelivered message tries again instead of finding the video "already handled". The
    execution name is the deterministic JobId, so a repeated launch starts nothing new.

    With ``fallback_slots`` and ``settings.max_concurrent_fallbacks`` > 0, a fallback slot is
    taken first (holder = the fallback JobId, so a repeated launch keeps its one slot); when all
    are held this raises FallbackBusy having launched and recorded nothing. A launch that fails
    gives its slot back. The execution's stitch or failure step (or the sweeper) releases it.
    """
    if launcher is None:
        store.record_video_status(
            video, status="FAILED", message=f"{reason}; the fallback detector is not deployed", source="rekognition"
        )
        return "failed"
    job_id = keys.fallback_job_id(video.bucket, video.key, video.version_id)
    limit = settings.max_concurrent_fallbacks if settings is not None else 0
    bounded = fallback_slots is not None and settings is not None and limit > 0
    if bounded:
        assert fallback_slots is not None and settings is not None
        if not fallback_slots.acquire(job_id, limit, time.time(), settings.job_lease_seconds):
            raise FallbackBusy(f"all {limit} fallback slots of this pipeline are in use")
    try:
        launcher.launch(job_id=job_id, payload=fallback_payload(video, job_id, options, reason))
    except BaseException:
        if fallback_slots is not None:
            fallback_slots.release(job_id)  # no execution runs under this slot
        raise
    store.record_job_started(video, job_id=job_id, source="fallback", options=options, reason=reason)
    return "fallback"


def _queue_or_give_up(
    video: VideoObject,
    attempt: Attempt,
    exc: Exception,
    *,
    slot: str,
    source: str,
    store: ResultStore,
    settings: Settings,
) -> NoReturn:
    """No ``slot`` free: FAILED and GiveUp once the receive budget is spent, else QUEUED and RetryLater."""
    if attempt.receive_count >= settings.max_receives:
        message = (
            f"still no {slot} after {attempt.receive_count} attempts ({exc}); "
            "the upload event is in the dead-letter queue: redrive it to retry"
        )
        store.record_video_status(video, status="FAILED", message=message, source=source)
        raise GiveUp(message) from exc
    store.record_video_status(video, status="QUEUED", message=f"waiting for a {slot}: {exc}", source=source)
    delay = backoff_seconds(attempt.receive_count, base=settings.backoff_base_seconds)
    raise RetryLater(str(exc), delay, kind=source) from exc


def _start_fallback(
    video: VideoObject,
    reason: str,
    options: DetectionOptions,
    attempt: Attempt,
    *,
    settings: Settings,
    store: ResultStore,
    launcher: Launcher | None,
    fallback_slots: JobSlots | None,
) -> str:
    """Launch the fallback for an upload; with no fallback slot free, wait exactly as for a Rekognition slot."""
    try:
        return launch_fallback(
            video, reason, options, store=store, launcher=launcher, fallback_slots=fallback_slots, settings=settings
        )
    except FallbackBusy as exc:
        _queue_or_give_up(video, attempt, exc, slot="fallback slot", source="fallback", store=store, settings=settings)


def start_video(
    video: VideoObject,
    attempt: Attempt,
    *,
    settings: Settings,
    store: ResultStore,
    slots: JobSlots,
    rekognition: RekognitionJobs,
    launcher: Launcher | None,
    probe: MediaProbe | None = None,
    fallback_slots: JobSlots | None = None,
) -> str:
    """Start detection for one uploaded object; returns started, ignored, duplicate, fallback or failed.

    Raises RetryLater while Rekognition has no slot (the caller redelivers) and GiveUp
    once the retry budget is spent.
    """
    if not is_video_key(video.key, settings.video_suffixes, settings.video_prefix):
        return "ignored"
    current = store.get_video(keys.video_id_for_key(video.key))
    if current is not None and video.sequencer and current.sequencer > video.sequencer:
        return "superseded"  # a late event of an older version: the newest version wins
    if _same_content_already_handled(video, current):
        return "duplicate"
    options = deployment_options(settings)

    def to_fallback(reason: str) -> str:
        return _start_fallback(
            video,
            reason,
            options,
            attempt,
            settings=settings,
            store=store,
            launcher=launcher,
            fallback_slots=fallback_slots,
        )

    def wait_for_slot(busy: StartRetryable) -> str:
        return _wait_for_slot(
            video,
            attempt,
            busy,
            options,
            settings=settings,
            store=store,
            launcher=launcher,
            fallback_slots=fallback_slots,
        )

    if settings.detection_mode == "fallback":
        reason = "detectionMode is fallback"
        return to_fallback(reason)
    # What Rekognition cannot read never reaches it, so it takes no job slot for a certain refusal.
    looked = probe.probe(video) if probe is not None and routing.needs_probe(video.key, video.size) else None
    chosen = routing.route(video.key, video.size, looked or routing.UNKNOWN)
    if chosen.engine == "fallback":
        if settings.detection_mode == "rekognition-with-fallback":
            return to_fallback(chosen.reason)
        message = f"Rekognition cannot read this video: {chosen.reason} (detectionMode is rekognition: no fallback)"
        store.record_video_status(video, status="FAILED", message=message, source="rekognition")
        return "failed"
    token = keys.client_request_token(video.bucket, video.key, video.version_id)
    bounded = settings.max_concurrent_jobs > 0
    if bounded and not slots.acquire(token, settings.max_concurrent_jobs, time.time(), settings.job_lease_seconds):
        busy = StartRetryable(
            "JobSlotsInUse", f"all {settings.max_concurrent_jobs} Rekognition job slots of this pipeline are in use"
        )
        return wait_for_slot(busy)
    try:
        job_id = rekognition.start_segment_detection(
            bucket=video.bucket,
            key=video.key,
            version_id=video.version_id,
            segment_types=list(options.segment_types),
            filters=dict(options.filters),
            client_request_token=token,
            job_tag=keys.job_tag(video.key),
            topic_arn=settings.topic_arn,
            role_arn=settings.rekognition_role_arn,
        )
    except StartRejected as exc:
        slots.release(token)
        if settings.detection_mode == "rekognition-with-fallback":
            reason = f"Rekognition rejected the video ({exc})"
            return to_fallback(reason)
        store.record_video_status(video, status="FAILED", message=str(exc), source="rekognition")
        return "failed"
    except StartRetryable as exc:
        slots.release(token)  # the account's quota is used elsewhere too: wait like everyone
        return wait_for_slot(exc)
    except BaseException:
        # Whatever else went wrong (timeout, network, bug), no job runs under this slot.
        slots.release(token)
        raise
    created = store.record_job_started(
        video,
        job_id=job_id,
        source="rekognition",
        options=options,
        client_request_token=token,
        job_tag=keys.job_tag(video.key),
    )
    if not created:
        # A redelivered upload (or a completion that overtook this start) found the job recorded:
        # if it is already over, the slot taken again above belongs to nobody.
        job = store.get_job(job_id)
        if job is not None and job.terminal:
            slots.release(token)
    return "started"


def _wait_for_slot(
    video: VideoObject,
    attempt: Attempt,
    exc: StartRetryable,
    options: DetectionOptions,
    *,
    settings: Settings,
    store: ResultStore,
    launcher: Launcher | None,
    fallback_slots: JobSlots | None = None,
) -> str:
    """No job slot now: fall back if it has lasted too long, give up after the budget, else retry later."""
    fallback_due = attempt.waited_seconds >= settings.throttle_fallback_seconds
    if settings.detection_mode == "rekognition-with-fallback" and fallback_due and launcher is not None:
        reason = f"Rekognition stayed throttled for {int(attempt.waited_seconds)} s ({exc.code})"
        return _start_fallback(
            video,
            reason,
            options,
            attempt,
            settings=settings,
            store=store,
            launcher=launcher,
            fallback_slots=fallback_slots,
        )
    _queue_or_give_up(
        video, attempt, exc, slot="Rekognition job slot", source="rekognition", store=store, settings=settings
    )


def _job_of_completion(
    completion: Completion, first: dict[str, Any], settings: Settings, store: ResultStore
) -> JobRecord:
    """The job a completion is about; recorded from Rekognition's own answer when the start never recorded it."""
    job = store.get_job(completion.job_id)
    if job is not None:
        return job
    # The completion overtook the start's record (or the start died after Rekognition accepted the
    # job). GetSegmentDetection names the object version, so the token (and the slot) are exact.
    s3 = (first.get("Video") or {}).get("S3Object") or {}
    video = VideoObject(
        bucket=str(s3.get("Bucket") or completion.bucket),
        key=str(s3.get("Name") or completion.key),
        version_id=str(s3.get("Version") or "") or None,
    )
    selected = tuple(str(t["Type"]) for t in first.get("SelectedSegmentTypes") or () if "Type" in t)
    options = deployment_options(settings)
    if selected:
        options = DetectionOptions(segment_types=selected, filters=options.filters)
    token = keys.client_request_token(video.bucket, video.key, video.version_id)
    store.record_job_started(
        video,
        job_id=completion.job_id,
        source="rekognition",
        options=options,
        client_request_token=token,
        job_tag=keys.job_tag(video.key),
    )
    recorded = store.get_job(completion.job_id)
    assert recorded is not None, "a job just recorded is readable (strongly consistent read)"
    return recorded


def _resumed_pages(
    rekognition: RekognitionJobs, job: JobRecord
) -> tuple[Iterator[dict[str, Any]], dict[str, Any], int]:
    """The page iterator resuming at the job's checkpoint, its first page and the segments stored before it."""
    if job.page_cursor:
        pages = rekognition.iter_segment_pages(job.job_id, max_results=1000, next_token=job.page_cursor)
        try:
            return pages, next(pages), job.segments_stored
        except PaginationExpired:
            pass  # tokens do not live forever: read the job again from page 1 (same items, no duplicates)
    pages = rekognition.iter_segment_pages(job.job_id, max_results=1000)
    return pages, next(pages), 0


def collect_job(
    completion: Completion,
    *,
    settings: Settings,
    store: ResultStore,
    slots: JobSlots,
    rekognition: RekognitionJobs,
    launcher: Launcher | None,
    fallback_slots: JobSlots | None = None,
) -> tuple[str, int]:
    """Store a finished job's results; returns (outcome, segments stored).

    Idempotent: a job already terminal is skipped; a retry after a crash midway resumes at the
    last stored page (deterministic keys make rewritten items the same) and only then marks the
    job SUCCEEDED.

    A FAILED job handed to the fallback when no fallback slot is free raises FallbackBusy
    *before* the job is marked FAILED: the job stays IN_PROGRESS and nothing is recorded as
    handled, so the sweeper (which finds the video overdue, asks Rekognition and comes back
    here) launches it once a slot is free. The collect handler acknowledges the message rather
    than redelivering it: redelivery would only spend the queue's receive budget and let the
    DLQ consumer fail a video that merely waits.
    """
    if completion.api != "StartSegmentDetection":
        return "ignored", 0
    known = store.get_job(completion.job_id)
    if known is not None and known.terminal:
        slots.release(known.client_request_token)
        return "duplicate", 0
    if known is not None and known.page_cursor:
        pages, first, stored = _resumed_pages(rekognition, known)
        job = known
    else:
        pages = rekognition.iter_segment_pages(completion.job_id, max_results=1000)
        first, stored = next(pages), 0
        job = known or _job_of_completion(completion, first, settings, store)
    # Rekognition has finished with the job, whatever happens next: its slot is free again.
    slots.release(job.client_request_token)
    status = str(first.get("JobStatus") or completion.status)
    metadata: dict[str, Any] = {
        "video_metadata": first.get("VideoMetadata", []),
        "audio_metadata": first.get("AudioMetadata", []),
        "selected_segment_types": first.get("SelectedSegmentTypes", []),
    }
    if status == "SUCCEEDED" and completion.status == "SUCCEEDED":
        count = _store_pages(job, first, pages, stored, store)
        store.complete_job(job.job_id, status="SUCCEEDED", segment_count=count, **metadata)
        return "succeeded", count
    message = str(first.get("StatusMessage") or f"Rekognition reported {completion.status}")
    if settings.detection_mode == "rekognition-with-fallback" and launcher is not None:
        # The job's own options, not this function's environment: detection options travel with the job.
        options = job.options or deployment_options(settings)
        reason = f"Rekognition job {job.job_id} failed: {message}"
        launch_fallback(
            job.object,
            reason,
            options,
            store=store,
            launcher=launcher,
            fallback_slots=fallback_slots,
            settings=settings,
        )
        store.complete_job(job.job_id, status="FAILED", status_message=message, **metadata)
        return "fallback", 0
    store.complete_job(job.job_id, status="FAILED", status_message=message, **metadata)
    return "failed", 0


def _store_pages(
    job: JobRecord, first: dict[str, Any], pages: Iterator[dict[str, Any]], stored: int, store: ResultStore
) -> int:
    """Store every page from ``first`` on, checkpointing after each; returns the job's segment count."""
    page: dict[str, Any] | None = first
    while page is not None:
        stored += store.put_segments(job.job_id, page.get("Segments", []), job.segment_types)
        token = page.get("NextToken")
        if not token:
            return stored
        store.save_page_cursor(job.job_id, next_token=str(token), segments_stored=stored)
        page = next(pages, None)
    return stored
