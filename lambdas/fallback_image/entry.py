"""Container Lambda entry point: one handler, four actions (plan, detect, stitch, fail)."""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from fallback_image import steps
from segments.adapters.aws import client
from segments.adapters.events import CompletionEvents, OutboxOnRefusal, logged_refusal
from segments.adapters.job_slots import fallback_slots
from segments.adapters.queue import Queue
from segments.adapters.s3_reader import open_s3
from segments.adapters.store import SegmentStore
from segments.ports import JobSlots
from segments.settings import fallback_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()


class S3Objects:
    """Video reads by ranged GET; chunk results as JSON under the results prefix."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        self.s3 = client("s3")

    def open_video(self, bucket: str, key: str, version_id: str | None) -> BinaryIO:
        return open_s3(bucket, key, version_id, self.s3)

    def put_json(self, key: str, document: dict[str, Any]) -> None:
        self.s3.put_object(
            Bucket=self.bucket, Key=key, Body=json.dumps(document).encode(), ContentType="application/json"
        )

    def get_json(self, key: str) -> dict[str, Any]:
        return dict(json.loads(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()))

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            objects = [{"Key": k} for k in keys[start : start + 1000]]
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})


def _slots(table_name: str) -> JobSlots:
    """The fallback slot semaphore; giving a slot back wakes the longest-waiting upload at once."""
    return fallback_slots(table_name, Queue())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Dispatch on ``event["action"]``; VideoError subclasses propagate by name so the state machine skips retries."""
    action, job = event["action"], event["job"]
    logger.append_keys(job_id=job.get("jobId"), key=job.get("key"), action=action)
    config = fallback_settings()
    objects = S3Objects(config.bucket_name)
    # A refused publish must not fail an execution whose job is already final: the sweeper's outbox retries it.
    events = OutboxOnRefusal(lambda: CompletionEvents(config.table_name), logged_refusal(logger.warning))
    store = SegmentStore(config.table_name, announcer=events)
    if action == "plan":
        return steps.plan(job, objects=objects, store=store, chunk_seconds=config.chunk_seconds)
    if action == "detect":
        return steps.detect_chunk(job, event["chunk"], objects=objects, prefix=config.results_prefix)
    if action == "stitch":
        count = steps.stitch(job, event["chunkResults"], objects=objects, store=store, slots=_slots(config.table_name))
        metrics.add_metric(name="FallbackRuns", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="SegmentsStored", unit=MetricUnit.Count, value=count)
        return {"segments": count}
    if action == "fail":
        message = steps.record_failure(job, event.get("error") or {}, store=store, slots=_slots(config.table_name))
        metrics.add_metric(name="JobsFailed", unit=MetricUnit.Count, value=1)
        logger.warning("fallback job failed", extra={"status_message": message})
        return {"statusMessage": message}
    raise ValueError(f"unknown action {action!r}")
