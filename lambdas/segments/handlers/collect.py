"""Collector: Rekognition completion (SNS via SQS) → every GetSegmentDetection page into the table."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from segments.adapters.events import CompletionEvents
from segments.adapters.fallback import FallbackLauncher
from segments.adapters.job_slots import DynamoJobSlots, WaitingUploads, WakingSlots, fallback_slots
from segments.adapters.queue import Queue
from segments.adapters.rekognition import Rekognition
from segments.adapters.store import SegmentStore
from segments.domain.events import completion_from_sns_body
from segments.orchestration import FallbackBusy, collect_job
from segments.settings import settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()
# Failed records are reported, never raised: a throttled batch is expected, not a function error.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@lru_cache(maxsize=1)
def adapters() -> tuple[SegmentStore, WakingSlots, Rekognition, FallbackLauncher | None]:
    """The adapters (and their boto3 clients), built once per container."""
    config = settings()
    launcher = FallbackLauncher(config.fallback_state_machine_arn) if config.fallback_state_machine_arn else None
    return (
        SegmentStore(config.table_name, announcer=CompletionEvents(config.table_name)),
        WakingSlots(DynamoJobSlots(config.table_name), WaitingUploads(config.table_name, Queue())),
        Rekognition(),
        launcher,
    )


@lru_cache(maxsize=1)
def fallback_slot_adapter() -> DynamoJobSlots | WakingSlots:
    """The fallback executions' semaphore (a FAILED Rekognition job may go to the fallback)."""
    return fallback_slots(settings().table_name, Queue())


@tracer.capture_method
def handle_record(record: SQSRecord) -> None:
    """Store one completed job; any exception leaves the message for redelivery (then the DLQ)."""
    config = settings()
    store, slots, rekognition, launcher = adapters()
    try:
        completion = completion_from_sns_body(record.body)
        logger.append_keys(job_id=completion.job_id, key=completion.key, job_status=completion.status)
        outcome, count = collect_job(
            completion,
            settings=config,
            store=store,
            slots=slots,
            rekognition=rekognition,
            launcher=launcher,
            fallback_slots=fallback_slot_adapter(),
        )
    except FallbackBusy:
        # Not a failure: redelivering would only spend the queue's receive budget (then the DLQ
        # would fail the video). The job stays IN_PROGRESS and the sweeper retries the fallback.
        metrics.add_metric(name="FallbackSlotWait", unit=MetricUnit.Count, value=1)
        logger.warning("failed job waits for a fallback slot; the sweeper launches it")
        return
    except Exception:
        # A failed record is reported to SQS, not raised: the function's Errors metric never sees it.
        metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=1)
        logger.exception("completion record failed")
        raise
    logger.info("completion handled", extra={"outcome": outcome, "segments": count})
    if outcome == "succeeded":
        metrics.add_metric(name="JobsSucceeded", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="SegmentsStored", unit=MetricUnit.Count, value=count)
    elif outcome in ("failed", "fallback"):
        metrics.add_metric(name="JobsFailed", unit=MetricUnit.Count, value=1)
        if outcome == "fallback":
            metrics.add_metric(name="FallbackRuns", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """SQS batch entry point with partial-batch failure reporting."""
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
