"""Completion events: ``PutEvents`` on the default bus, claimed once per job on the job item.

The job's terminal transition (``SegmentStore.complete_job``) also files the job under
``gsi1pk = EVENT#PENDING`` (an outbox in the existing sparse index). :meth:`CompletionEvents.announce`
publishes, and only after EventBridge accepted the entry sets ``eventPublishedAt`` (if absent) and
takes the job out of the outbox. A failed publish marks nothing: the caller's redelivery, or the
sweeper reading the outbox, publishes it later.
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
from segments.domain.completion_events import PENDING_GSI1PK, SegmentCounts, completion_entry
from segments.domain.records import JobRecord

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
        entry = completion_entry(job, self.segment_counts(job_id), self.bus_name)
        try:
            response = self.events.put_events(Entries=[entry])
        except ClientError as exc:
            raise EventNotPublished(f"PutEvents failed for job {job_id}: {exc}") from exc
        if int(response.get("FailedEntryCount", 0)):
            failed = (response.get("Entries") or [{}])[0]
            reason = f"{failed.get('ErrorCode', '')} {failed.get('ErrorMessage', '')}".strip()
            raise EventNotPublished(f"PutEvents refused job {job_id}'s event: {reason}")
        return self._mark_published(job_id, job.status)

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

    def publish_pending(self, completed_before: str, limit: int = 100) -> int:
        """Publish the outbox's events older than ``completed_before``; returns how many this call published."""
        return sum(1 for job_id in self.pending(completed_before, limit) if self.announce(job_id))

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


class OutboxOnRefusal:
    """An announcer for callers without redelivery (sweeper, fallback steps): a refusal is reported, not raised.

    The job stays in the outbox and the next sweep publishes it; raising would abort a sweep, or fail
    a Step Functions execution whose job is already final.
    """

    def __init__(self, events: Callable[[], CompletionEvents], on_refusal: Callable[[str, Exception], None]) -> None:
        self.events, self.on_refusal = events, on_refusal

    def announce(self, job_id: str) -> bool:
        """Publish as :meth:`CompletionEvents.announce`; False (and ``on_refusal``) when EventBridge refused."""
        try:
            return self.events().announce(job_id)
        except EventNotPublished as exc:
            self.on_refusal(job_id, exc)
            return False
