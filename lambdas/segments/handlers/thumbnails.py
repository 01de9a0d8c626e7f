"""Thumbnail step (container image): when a job turns SUCCEEDED, from either engine, draw its shots.

In AWS the table's stream feeds this function (filtered to job items whose status became
SUCCEEDED), so neither engine's code path knows about thumbnails and a thumbnail failure
can never fail a job. Local mode calls ``thumbnail_job`` in a worker thread after each completion.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from segments import reads
from segments.adapters.media import MediaBucket
from segments.adapters.segment_queries import SegmentQueries
from segments.domain.query import SegmentFilter
from segments.settings import thumbnail_settings
from thumbnails.step import Media, run, shots_from_segments

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def thumbnail_job(job_id: str, *, store: SegmentQueries, media: Media) -> dict[str, Any] | None:
    """Run the step for a SUCCEEDED job that still serves its video; None when there is nothing to do."""
    job = store.get_job(job_id)
    if job is None or job.status != "SUCCEEDED":
        return None
    video = store.get_video(job.video_id)
    if video is None or video.job_id != job_id:
        return None  # a newer upload's job serves the video now
    segments = list(reads.job_segments(store, job, SegmentFilter(segment_type="SHOT")))
    target = {"bucket": job.bucket, "key": job.key, "versionId": job.version_id, "videoId": job.video_id}
    return run({**target, "jobId": job_id}, shots_from_segments(segments), media)


@tracer.capture_method
def handle_record(record: DynamoDBRecord) -> None:
    """One stream record of a job item; errors reading the table propagate (the stream retries, then its DLQ)."""
    image = record.dynamodb.new_image if record.dynamodb else {}
    job_id = str(image.get("jobId") or "")
    if not job_id or image.get("status") != "SUCCEEDED":
        return
    config = thumbnail_settings()
    logger.append_keys(job_id=job_id, key=image.get("key"))
    manifest = thumbnail_job(
        job_id, store=SegmentQueries(config.table_name), media=MediaBucket(config.bucket_name, config.table_name)
    )
    if manifest is None:
        return
    outcome = "ThumbnailsSucceeded" if manifest["status"] == "SUCCEEDED" else "ThumbnailsFailed"
    metrics.add_metric(name=outcome, unit=MetricUnit.Count, value=1)
    logger.info("thumbnails done", extra={"status": manifest["status"], "shots": len(manifest.get("shots", []))})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """DynamoDB stream batch entry point with partial-batch failure reporting."""
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
