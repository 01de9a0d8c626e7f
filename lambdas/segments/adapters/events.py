"""Completion events: ``PutEvents`` on the default bus, claimed once per job on the job item.

The job's terminal transition (``SegmentStore.complete_job``) also files the job under
``gsi1pk = EVENT#PENDING`` (an outbox in the existing sparse index). :meth:`CompletionEvents.announce`
publishes, and only after EventBridge accepted the entry sets ``eventPublishedAt`` (if absent) and
takes the job out of the outbox. A failed publish marks nothing: the caller's redelivery, or the
sweeper reading the outbox, publishes it later.

A video that fails before any job starts (not a video, no slot within the retry budget, rejected
with no fallback, a dead-lettered upload) has no job item: :meth:`CompletionEvents.announce_video`
publishes its event (``jobId`` null) and then marks the object version announced on the video item
(``eventVersionId``), so a duplicate upload event that fails it again publishes nothing. Its outbox
is the video's own listing under ``STATUS#FAILED``: the sweeper publishes what is unmarked there
from the last day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from segments.adapters.aws import client, resource
from segments.adapters.store import conditional, from_dynamo, now_iso
from segments.domain import keys
from segments.domain.completion_events import (
    PENDING_GSI1PK,
    SegmentCounts,
    completion_entry,
    video_failure_entry,
)
from segments.domain.records import JobRecord, VideoRecord

DEFAULT_BUS = "default"


class EventNotPublished(RuntimeError):
    """EventBridge did not accept the completion event (throttled, failed entry); nothing was marked."""


class CompletionEvents:
    """Publishes each terminal job's completion event once (see the module docstring for the guarantee)."""

    def __init__(
        self, table_name: str, *, events: Any | None = None, dynamodb: Any | None = None, bus_name: str = DEFAULT_BUS
    ) -> None:
        self.table = (dynamodb or resource("dynamodb")).Table(table_name)
        self.events = events or client("events")
        self.bus_name = bus_name

    def announce(self, job_id: str) -> bool:
        """Publish the job's event unless it is not terminal or already published; True when this call published.

        Raises EventNotPublished when EventBridge refused the entry.
        """
        item = self.table.get_item(Key={"pk": keys.job_pk(job_id), "sk": keys.JOB_SK}, ConsistentRead=True).get("Item")
        if item is None or item.get("eventPublishedAt"):
            return False
        job = JobRecord.from_item(from_dynamo(item))
        if not job.terminal:
            return False
        self._put(completion_entry(job, self.segment_counts(job_id), self.bus_name), f"job {job_id}")
        return self._mark_published(job_id, job.status)

    def announce_video(self, video_id: str) -> bool:
        """Publish the event of a video that failed without a job, once per object version.

        False when the video is not FAILED, has a job (whose own event tells), or its version's
        failure was announced already (a duplicate upload event fails it again). True when this
        call published. Raises EventNotPublished when EventBridge refused the entry.
        """
        key = {"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK}
        item = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
        if item is None or ("eventVersionId" in item and item["eventVersionId"] == item.get("versionId", "")):
            return False
        video = VideoRecord.from_item(from_dynamo(item))
        if video.status != "FAILED" or video.job_id:
            return False
        self._put(video_failure_entry(video, self.bus_name), f"video {video_id}")
        return (
            conditional(
                self.table.update_item,
                Key=key,
                UpdateExpression="SET eventPublishedAt=:t, eventStatus=:s, eventVersionId=:v",
                # Only the failure announced: a newer upload of the key is its own.
                ConditionExpression=Attr("updatedAt").eq(video.updated_at) & Attr("jobId").not_exists(),
                ExpressionAttributeValues={":t": now_iso(), ":s": video.status, ":v": video.version_id},
            )
            is not None
        )

    def _put(self, entry: dict[str, Any], what: str) -> None:
        try:
            response = self.events.put_events(Entries=[entry])
        except ClientError as exc:
            raise EventNotPublished(f"PutEvents failed for {what}: {exc}") from exc
        if int(response.get("FailedEntryCount", 0)):
            failed = (response.get("Entries") or [{}])[0]
            reason = f"{failed.get('ErrorCode', '')} {failed.get('ErrorMessage', '')}".strip()
            raise EventNotPublished(f"PutEvents refused {what}'s event: {reason}")

    def segment_counts(self, job_id: str) -> SegmentCounts:
        """Count the job's stored segments by Type and cue type (reads only the two small attributes)."""
        by_type: Counter[str] = Counter()
        by_cue: Counter[str] = Counter()
        request: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(keys.job_pk(job_id)) & Key("sk").begins_with(keys.SEGMENT_PREFIX),
            "ProjectionExpression": "#t, cueType",
            "ExpressionAttributeNames": {"#t": "type"},
            "ConsistentRead": True,
        }
        while True:
            page = self.table.query(**request)
            for item in page.get("Items", []):
                by_type[str(item.get("type", ""))] += 1
                if item.get("cueType"):
                    by_cue[str(item["cueType"])] += 1
            if "LastEvaluatedKey" not in page:
                return SegmentCounts(dict(by_type), dict(by_cue))
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def pending(self, completed_before: str, limit: int = 100) -> list[str]:
        """JobIds whose event is not published yet and that became terminal before ``completed_before``."""
        page = self.table.query(
            IndexName=keys.GSI1,
            KeyConditionExpression=Key("gsi1pk").eq(PENDING_GSI1PK) & Key("gsi1sk").lt(completed_before),
            ProjectionExpression="jobId",
            Limit=limit,
        )
        return [str(item["jobId"]) for item in page.get("Items", []) if item.get("jobId")]

    def pending_videos(self, failed_before: str, failed_since: str, limit: int = 100) -> list[str]:
        """VideoIds failed without a job between ``failed_since`` and ``failed_before`` whose event is owed."""
        request: dict[str, Any] = {
            "IndexName": keys.GSI1,
            "KeyConditionExpression": Key("gsi1pk").eq(keys.status_gsi1pk("FAILED"))
            & Key("gsi1sk").between(failed_since, failed_before),
            "FilterExpression": Attr("jobId").not_exists()
            & (Attr("eventVersionId").not_exists() | Attr("eventVersionId").ne(Attr("versionId"))),
            "ProjectionExpression": "videoId",
        }
        found: list[str] = []
        while len(found) < limit:
            page = self.table.query(**request)
            found.extend(str(item["videoId"]) for item in page.get("Items", []) if item.get("videoId"))
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found[:limit]

    def publish_pending(self, completed_before: str, limit: int = 100, failed_since: str | None = None) -> int:
        """Publish the outbox's events older than ``completed_before``; returns how many this call published.

        With ``failed_since``, also the events owed for videos failed without a job since then.
        """
        published = sum(1 for job_id in self.pending(completed_before, limit) if self.announce(job_id))
        if failed_since is not None:
            videos = self.pending_videos(completed_before, failed_since, limit)
            published += sum(1 for video_id in videos if self.announce_video(video_id))
        return published

    def _mark_published(self, job_id: str, status: str) -> bool:
        return (
            conditional(
                self.table.update_item,
                Key={"pk": keys.job_pk(job_id), "sk": keys.JOB_SK},
                UpdateExpression="SET eventPublishedAt=:t, eventStatus=:s REMOVE gsi1pk, gsi1sk",
                ConditionExpression=Attr("pk").exists() & Attr("eventPublishedAt").not_exists(),
                ExpressionAttributeValues={":t": now_iso(), ":s": status},
            )
            is not None
        )


def logged_refusal(warn: Callable[..., object]) -> Callable[[str, Exception], None]:
    """An ``on_refusal`` that logs the refused subject (a JobId or video id) through ``warn``, a logger's warning."""

    def on_refusal(subject: str, exc: Exception) -> None:
        warn("event not published; the sweeper's outbox retries it", extra={"subject": subject, "error": str(exc)})

    return on_refusal


class OutboxOnRefusal:
    """An announcer for callers without redelivery (sweeper, fallback steps): a refusal is reported, not raised.

    The job stays in the outbox and the next sweep publishes it; raising would abort a sweep, or fail
    a Step Functions execution whose job is already final.
    """

    def __init__(self, events: Callable[[], CompletionEvents], on_refusal: Callable[[str, Exception], None]) -> None:
        self.events, self.on_refusal = events, on_refusal

    def announce(self, job_id: str) -> bool:
        """Publish as :meth:`CompletionEvents.announce`; False (and ``on_refusal``) when EventBridge refused."""
        return self._reported(lambda events: events.announce(job_id), job_id)

    def announce_video(self, video_id: str) -> bool:
        """Publish as :meth:`CompletionEvents.announce_video`; False (and ``on_refusal``) when refused."""
        return self._reported(lambda events: events.announce_video(video_id), video_id)

    def _reported(self, publish: Callable[[CompletionEvents], bool], subject: str) -> bool:
        try:
            return publish(self.events())
        except EventNotPublished as exc:
            self.on_refusal(subject, exc)
            return False
