"""Sweeper: on a schedule, settle overdue videos; on a Step Functions status change, record a dead execution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from segments.adapters.events import CompletionEvents, EventNotPublished, OutboxOnRefusal, logged_refusal
from segments.adapters.fallback import FallbackLauncher
from segments.adapters.job_slots import DynamoJobSlots, WaitingUploads, WakingSlots, fallback_slots
from segments.adapters.queue import Queue
from segments.adapters.rekognition import Rekognition
from segments.adapters.store import SegmentStore
from segments.domain.completion_events import VIDEO_EVENT_LOOKBACK_HOURS
from segments.settings import settings, sweep_settings
from segments.sweeping import SweepPolicy, execution_ended, iso, sweep

logger = Logger()
tracer = Tracer()
metrics = Metrics()

EXECUTION_CHANGE = "Step Functions Execution Status Change"
# Completion events older than this are the outbox's to publish; younger ones are still being
# published by the delivery that completed the job, and publishing them too would duplicate them.
OUTBOX_GRACE = timedelta(seconds=60)


@lru_cache(maxsize=1)
def completion_events() -> CompletionEvents:
    """The completion-event publisher, built once per container."""
    return CompletionEvents(settings().table_name)


@lru_cache(maxsize=1)
def adapters() -> tuple[SegmentStore, WakingSlots, Rekognition, FallbackLauncher | None]:
    """The adapters (and their boto3 clients), built once per container."""
    config = settings()
    launcher = FallbackLauncher(config.fallback_state_machine_arn) if config.fallback_state_machine_arn else None
    return (
        SegmentStore(
            config.table_name, announcer=OutboxOnRefusal(lambda: completion_events(), logged_refusal(logger.warning))
        ),
        WakingSlots(DynamoJobSlots(config.table_name), WaitingUploads(config.table_name, Queue())),
        Rekognition(),
        launcher,
    )


@lru_cache(maxsize=1)
def fallback_slot_adapter() -> DynamoJobSlots | WakingSlots:
    """The fallback executions' semaphore: an execution that ended without its own steps frees its slot here."""
    return fallback_slots(settings().table_name, Queue())


def _policy() -> SweepPolicy:
    scale = sweep_settings()
    return SweepPolicy.with_overrides(
        overdue_seconds=scale.sweep_overdue_seconds,
        rekognition_deadline_seconds=scale.sweep_rekognition_deadline_seconds,
        fallback_deadline_seconds=scale.sweep_fallback_deadline_seconds,
        queued_deadline_seconds=scale.sweep_queued_deadline_seconds,
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """EventBridge entry point: a scheduled sweep, or a fallback execution that timed out, aborted or failed."""
    store, slots, rekognition, launcher = adapters()
    if event.get("detail-type") == EXECUTION_CHANGE:
        detail = event.get("detail") or {}
        outcome = execution_ended(
            str(detail.get("name", "")),
            str(detail.get("status", "")),
            str(detail.get("error") or ""),
            str(detail.get("cause") or ""),
            store=store,
            fallback_slots=fallback_slot_adapter(),
        )
        logger.warning("fallback execution ended", extra={"execution": detail.get("name"), "outcome": outcome})
        if outcome.startswith("failed"):
            metrics.add_metric(name="JobsFailed", unit=MetricUnit.Count, value=1)
        return {"outcome": outcome}
    report = sweep(
        datetime.now(UTC),
        settings=settings(),
        store=store,
        slots=slots,
        rekognition=rekognition,
        executions=launcher,
        launcher=launcher,
        policy=_policy(),
        fallback_slots=fallback_slot_adapter(),
    )
    # Jobs whose publish was refused or never attempted (a crash, a writer without events), and
    # videos of the last day that failed without a job and whose event is owed for the same reasons.
    now = datetime.now(UTC)
    try:
        published = completion_events().publish_pending(
            iso(now - OUTBOX_GRACE), failed_since=iso(now - timedelta(hours=VIDEO_EVENT_LOOKBACK_HOURS))
        )
    except EventNotPublished:
        logger.warning("completion events not published; the next sweep retries them")
        published = 0
    metrics.add_metric(name="CompletionEventsPublished", unit=MetricUnit.Count, value=published)
    settled = sum(n for outcome, n in report.outcomes.items() if not outcome.startswith("still"))
    metrics.add_metric(name="SweptVideos", unit=MetricUnit.Count, value=settled)
    logger.info("sweep done", extra={"outcomes": report.outcomes})
    return {"outcomes": report.outcomes}
