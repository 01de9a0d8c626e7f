"""Start function: S3 upload notifications (via SQS) → one Rekognition job per object version."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from segments.adapters.aws import SHORT_BUDGET, client, resource
from segments.adapters.events import CompletionEvents, OutboxOnRefusal, logged_refusal
from segments.adapters.fallback import FallbackLauncher
from segments.adapters.job_slots import DynamoJobSlots, WaitingUploads, WakingSlots, fallback_slots
from segments.adapters.probe import S3MediaProbe
from segments.adapters.queue import Queue
from segments.adapters.rekognition import Rekognition
from segments.adapters.store import SegmentStore
from segments.domain import keys
from segments.domain.events import VideoObject, removals_in_s3_event, uploads_in_s3_event
from segments.orchestration import Attempt, RetryLater, record_deletion, start_video
from segments.settings import settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()
# Failed records are reported, never raised: a throttled batch is expected, not a function error.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@lru_cache(maxsize=1)
def adapters() -> tuple[SegmentStore, WakingSlots, Rekognition, FallbackLauncher | None, Queue, S3MediaProbe]:
    """The adapters (and their boto3 clients), built once per container."""
    config = settings()
    sfn = client("stepfunctions", SHORT_BUDGET)
    launcher = FallbackLauncher(config.fallback_state_machine_arn, sfn) if config.fallback_state_machine_arn else None
    dynamodb = resource("dynamodb", SHORT_BUDGET)
    queue = Queue(client("sqs", SHORT_BUDGET))
    slots = WakingSlots(
        DynamoJobSlots(config.table_name, dynamodb=dynamodb),
        WaitingUploads(config.table_name, queue, dynamodb=dynamodb),
    )
    # A video failed before any job is announced here; a refused publish is the sweeper's to retry,
    # not a reason to redeliver an upload whose outcome is already recorded.
    events = CompletionEvents(config.table_name, events=client("events", SHORT_BUDGET), dynamodb=dynamodb)
    return (
        SegmentStore(
            config.table_name, dynamodb, announcer=OutboxOnRefusal(lambda: events, logged_refusal(logger.warning))
        ),
        slots,
        Rekognition(client("rekognition", SHORT_BUDGET)),
        launcher,
        queue,
        S3MediaProbe(client("s3", SHORT_BUDGET)),
    )


@lru_cache(maxsize=1)
def fallback_slot_adapter() -> DynamoJobSlots | WakingSlots:
    """The fallback executions' semaphore; its waiting list is woken by the fallback's own release."""
    config = settings()
    return fallback_slots(config.table_name, Queue(client("sqs", SHORT_BUDGET)), resource("dynamodb", SHORT_BUDGET))


def token_of(video: VideoObject) -> str:
    """The upload's slot holder: its ClientRequestToken."""
    return keys.client_request_token(video.bucket, video.key, video.version_id)


def _fallback_waiting(adapter: DynamoJobSlots | WakingSlots) -> WaitingUploads:
    assert isinstance(adapter, WakingSlots), "built with a queue"
    return adapter.waiting


@tracer.capture_method
def handle_record(record: SQSRecord) -> None:
    """Start every video object of one S3 notification; a RetryLater delays and fails the record."""
    config = settings()
    store, slots, rekognition, launcher, queue, probe = adapters()
    attrs = record.attributes
    receive_count = int(attrs.approximate_receive_count or 1)
    first_ms = int(attrs.approximate_first_receive_timestamp or time.time() * 1000)
    attempt = Attempt(receive_count=receive_count, waited_seconds=max(0.0, time.time() - first_ms / 1000))
    try:
        for video in uploads_in_s3_event(record.body):
            logger.append_keys(bucket=video.bucket, key=video.key, version_id=video.version_id)
            outcome = start_video(
                video,
                attempt,
                settings=config,
                store=store,
                slots=slots,
                rekognition=rekognition,
                launcher=launcher,
                probe=probe,
                fallback_slots=fallback_slot_adapter(),
            )
            logger.info("upload handled", extra={"outcome": outcome})
            if outcome != "ignored":
                slots.waiting.done(token_of(video))
                _fallback_waiting(fallback_slot_adapter()).done(token_of(video))
            metric = {"started": "JobsStarted", "fallback": "FallbackRuns", "failed": "JobsFailed"}.get(outcome)
            if metric:
                metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        for video in removals_in_s3_event(record.body):
            outcome = record_deletion(video, settings=config, store=store)
            logger.info("deletion handled", extra={"key": video.key, "outcome": outcome})
    except RetryLater as exc:
        metrics.add_metric(name="StartThrottled", unit=MetricUnit.Count, value=1)
        logger.warning("no job slot; retrying later", extra={"delay_s": exc.delay_seconds, "slot": exc.kind})
        queue.delay(record.event_source_arn, record.receipt_handle, exc.delay_seconds)
        # The next freed slot makes this delivery visible again at once instead of after the delay.
        waiting = _fallback_waiting(fallback_slot_adapter()) if exc.kind == "fallback" else slots.waiting
        waiting.wait(token_of(video), record.event_source_arn, record.receipt_handle, time.time())
        raise
    except Exception:
        # A failed record is reported to SQS, not raised: the function's Errors metric never sees it.
        metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=1)
        logger.exception("upload record failed")
        raise


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """SQS batch entry point with partial-batch failure reporting."""
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
