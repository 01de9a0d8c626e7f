"""Dead-letter consumer: a message no function could process marks its video (or job) FAILED with the reason."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from segments.adapters.events import CompletionEvents, OutboxOnRefusal, logged_refusal
from segments.adapters.job_slots import DynamoJobSlots, WaitingUploads, WakingSlots
from segments.adapters.queue import Queue
from segments.adapters.store import SegmentStore
from segments.dead_letters import settle_dead_letter
from segments.settings import settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@lru_cache(maxsize=1)
def adapters() -> tuple[SegmentStore, WakingSlots]:
    """The adapters (and their boto3 clients), built once per container."""
    config = settings()
    # A refused event is logged, not raised: the failure it announces is written, and raising after
    # a dead-lettered upload's write would skip freeing the slot its start held. The sweeper's
    # outbox (jobs, and videos failed without a job) puts it later.
    events = CompletionEvents(config.table_name)
    store = SegmentStore(config.table_name, announcer=OutboxOnRefusal(lambda: events, logged_refusal(logger.warning)))
    return store, WakingSlots(DynamoJobSlots(config.table_name), WaitingUploads(config.table_name, Queue()))


@tracer.capture_method
def handle_record(record: SQSRecord) -> None:
    """Mark what the dead-lettered message was about FAILED; the alarm on DeadLettered tells a person."""
    store, slots = adapters()
    receives = int(record.attributes.approximate_receive_count or 0)
    outcomes = settle_dead_letter(record.body, store=store, slots=slots, receives=receives)
    metrics.add_metric(name="DeadLettered", unit=MetricUnit.Count, value=1)
    logger.error("dead-lettered message settled", extra={"outcomes": outcomes, "message_id": record.message_id})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """SQS batch entry point (both dead-letter queues) with partial-batch failure reporting."""
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
