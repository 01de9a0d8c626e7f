"""The sweeper: every accepted upload reaches SUCCEEDED or FAILED within a bounded time, whatever was lost.

Completions, executions and upload events can all go missing (a dead function, a DLQ'd
message, a killed local stack). The sweeper runs on a schedule, lists videos whose status has
not changed for ``overdue_seconds``, asks the engine that holds the job for its real state
(Rekognition ``GetSegmentDetection``, Step Functions ``DescribeExecution``) and finishes or
fails the job through the same code paths as the event-driven functions.

Bound (with the defaults): a job whose engine finished is settled at most ``overdue_seconds``
+ one schedule interval after its last change; a job whose engine never finishes is FAILED
after its deadline (Rekognition 12 h, fallback 7 h) + one interval; a video waiting for a job
slot is FAILED by the start function after its retry budget (≈ 8 h) or here after
``queued_deadline_seconds``; a failed Rekognition job waiting for a fallback slot is FAILED at
the Rekognition deadline. So every video is final within 12 h 15 min of its upload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from segments.domain.errors import JobNotFound
from segments.domain.events import Completion
from segments.domain.records import DetectionOptions, JobRecord, VideoRecord
from segments.orchestration import FallbackBusy, collect_job, deployment_options, fallback_payload
from segments.ports import Executions, JobSlots, Launcher, RekognitionJobs, ResultStore
from segments.settings import Settings


@dataclass(frozen=True)
class SweepPolicy:
    """When a video counts as overdue and when its job is given up (seconds)."""

    overdue_seconds: int = 15 * 60  # no news for this long: ask the engine
    rekognition_deadline_seconds: int = 12 * 3600  # Rekognition still IN_PROGRESS after this: FAILED
    fallback_deadline_seconds: int = 7 * 3600  # above the state machine's own timeout (6 h)
    queued_deadline_seconds: int = 9 * 3600  # above the start function's retry budget (≈ 8 h)
    batch: int = 100  # videos examined per status and run

    @classmethod
    def with_overrides(cls, **seconds: int | None) -> SweepPolicy:
        """The documented defaults, with each ``<name>_seconds`` given (not None) in its place."""
        return cls(**{name: value for name, value in seconds.items() if value is not None})


@dataclass
class SweepReport:
    """What one run did, per outcome (for logs and metrics)."""

    outcomes: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def _age_seconds(stamp: str, now: datetime) -> float:
    if not stamp:
        return float("inf")
    try:
        then = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    return (now - then).total_seconds()


def iso(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds, as the store writes ``updatedAt``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sweep(
    now: datetime,
    *,
    settings: Settings,
    store: ResultStore,
    slots: JobSlots,
    rekognition: RekognitionJobs,
    executions: Executions | None,
    launcher: Launcher | None,
    policy: SweepPolicy = SweepPolicy(),
    fallback_slots: JobSlots | None = None,
) -> SweepReport:
    """Settle every video whose status has not changed for ``policy.overdue_seconds``; returns what was done.

    Every fallback job it finds ended gives back its fallback slot (``fallback_slots``), so a
    slot whose execution died without its failure step is freed here, not only by the lease.
    """
    report = SweepReport()
    cutoff = iso(now - timedelta(seconds=policy.overdue_seconds))
    overdue = [v for status in ("IN_PROGRESS", "QUEUED") for v in store.overdue_videos(status, cutoff, policy.batch)]
    for video in overdue:
        if video.status == "QUEUED" or not video.job_id:
            report.add(_sweep_queued(video, now, store, policy))
            continue
        job = store.get_job(video.job_id)
        if job is None:
            # Record the job the video names, then fail it: the one path that settles a video with a job.
            store.record_job_started(
                video.object, job_id=video.job_id, source=video.source or "rekognition", options=DetectionOptions()
            )
            store.complete_job(
                video.job_id, status="FAILED", status_message="the job was never recorded; re-upload to retry"
            )
            report.add("failed-unrecorded")
        elif job.terminal:
            # The job finished but its video missed the update (a crash between the two writes).
            store.settle_video(job)
            if job.source == "fallback" and fallback_slots is not None:
                fallback_slots.release(job.job_id)
            report.add("video-settled")
        elif job.source == "fallback":
            report.add(_sweep_fallback(job, now, settings, store, executions, launcher, policy, fallback_slots))
        else:
            ports = (slots, rekognition, launcher, fallback_slots)
            report.add(_sweep_rekognition(job, now, settings, store, ports, policy))
    return report


def _sweep_queued(video: VideoRecord, now: datetime, store: ResultStore, policy: SweepPolicy) -> str:
    if _age_seconds(video.updated_at, now) < policy.queued_deadline_seconds:
        return "still-queued"
    message = (
        f"no job slot within {policy.queued_deadline_seconds // 3600} h and the upload event was lost; "
        "re-upload (or copy the object onto itself) to retry"
    )
    store.record_video_status(video.object, status="FAILED", message=message, source=video.source)
    return "failed-queued"


def _sweep_rekognition(
    job: JobRecord,
    now: datetime,
    settings: Settings,
    store: ResultStore,
    ports: tuple[JobSlots, RekognitionJobs, Launcher | None, JobSlots | None],
    policy: SweepPolicy,
) -> str:
    slots, rekognition, launcher, fallback_slots = ports
    try:
        first = next(rekognition.iter_segment_pages(job.job_id, max_results=1))
    except JobNotFound:
        slots.release(job.client_request_token)
        store.complete_job(job.job_id, status="FAILED", status_message="Rekognition has no record of this job")
        return "failed-unknown-job"
    status = str(first.get("JobStatus") or "IN_PROGRESS")
    if status in ("SUCCEEDED", "FAILED"):
        # The completion was lost: do what the collector would have done with it.
        completion = Completion(job.job_id, status, "StartSegmentDetection", job.job_tag, job.bucket, job.key, 0)
        try:
            outcome, _ = collect_job(
                completion,
                settings=settings,
                store=store,
                slots=slots,
                rekognition=rekognition,
                launcher=launcher,
                fallback_slots=fallback_slots,
            )
        except FallbackBusy as exc:
            if _age_seconds(job.started_at, now) < policy.rekognition_deadline_seconds:
                return "waiting-fallback-slot"  # the job stays IN_PROGRESS: the next run tries again
            # The bound holds for this path too: no fallback slot in time is a final answer.
            slots.release(job.client_request_token)
            hours = policy.rekognition_deadline_seconds // 3600
            reason = str(first.get("StatusMessage") or "Rekognition could not analyse the video")
            message = f"{reason}; no fallback slot came free within {hours} h ({exc}): upload the video again to retry"
            store.complete_job(job.job_id, status="FAILED", status_message=message)
            return "failed-fallback-deadline"
        return f"collected-{outcome}"
    if _age_seconds(job.started_at, now) < policy.rekognition_deadline_seconds:
        return "still-running"
    slots.release(job.client_request_token)
    hours = policy.rekognition_deadline_seconds // 3600
    store.complete_job(job.job_id, status="FAILED", status_message=f"Rekognition did not finish within {hours} h")
    return "failed-deadline"


def _sweep_fallback(
    job: JobRecord,
    now: datetime,
    settings: Settings,
    store: ResultStore,
    executions: Executions | None,
    launcher: Launcher | None,
    policy: SweepPolicy,
    fallback_slots: JobSlots | None,
) -> str:
    if executions is None:
        store.complete_job(job.job_id, status="FAILED", status_message="the fallback detector is not deployed")
        if fallback_slots is not None:
            fallback_slots.release(job.job_id)
        return "failed-no-fallback"
    state = executions.describe(job.job_id)
    late = _age_seconds(job.started_at, now) >= policy.fallback_deadline_seconds
    if state is None:
        if launcher is not None and not late:
            # Recorded but never launched (or the execution expired from history): launch it now.
            limit = settings.max_concurrent_fallbacks
            held = fallback_slots is None or limit == 0
            if not held and not fallback_slots.acquire(job.job_id, limit, now.timestamp(), settings.job_lease_seconds):  # type: ignore[union-attr]
                return "waiting-fallback-slot"  # recorded, not running: the next run tries again
            options = job.options or deployment_options(settings)
            launcher.launch(job_id=job.job_id, payload=fallback_payload(job.object, job.job_id, options, job.reason))
            return "relaunched"
        store.complete_job(job.job_id, status="FAILED", status_message="the fallback execution was never started")
        if fallback_slots is not None:
            fallback_slots.release(job.job_id)
        return "failed-not-started"
    if state.status == "RUNNING" and not late:
        return "still-running"
    return execution_ended(
        job.job_id, state.status, state.error, state.cause, store=store, fallback_slots=fallback_slots
    )


def execution_ended(
    job_id: str, status: str, error: str, cause: str, *, store: ResultStore, fallback_slots: JobSlots | None = None
) -> str:
    """Record the end of a fallback execution that did not record its own result (timeout, abort, failure).

    Its fallback slot is given back whatever the job's state: the execution runs no more.
    """
    if status == "RUNNING":
        message = "the fallback execution is still running past its deadline"
    elif status == "SUCCEEDED":
        message = "the fallback execution ended without recording its results"
    else:
        detail = ": ".join(part for part in (error, cause[:500]) if part)
        message = f"fallback execution {status}" + (f" ({detail})" if detail else "")
    done = store.complete_job(job_id, status="FAILED", status_message=message)
    if fallback_slots is not None:
        fallback_slots.release(job_id)
    return f"failed-execution-{status.lower()}" if done else "already-final"
