"""DynamoDB queries of the read side: a job's segment items and videos by status (keys in ``domain.keys``).

Every query asks DynamoDB for its consumed capacity and reports how many items it read
(``ScannedCount``, what a read is billed on), so callers can bound and measure what a page costs.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key

from segments.adapters.aws import resource
from segments.adapters.store import SegmentStore, from_dynamo
from segments.domain import keys
from segments.domain.query import ItemPage, SegmentFilter
from segments.domain.records import JobRecord, VideoRecord


def _segment_item(item: dict[str, Any]) -> dict[str, Any]:
    """A segment item with its ``segment`` as the GetSegmentDetection dict (stored as JSON text)."""
    out = dict(from_dynamo(item))
    if isinstance(out.get("segment"), str):
        out["segment"] = json.loads(out["segment"])
    return out


def _item_condition(flt: SegmentFilter) -> ConditionBase | None:
    """The filters the sort key cannot serve, as a FilterExpression (None when there are none)."""
    parts: list[ConditionBase] = []
    if flt.cue_type:
        parts.append(Attr("cueType").eq(flt.cue_type))
    if flt.min_confidence is not None:
        parts.append(Attr("confidence").gte(Decimal(repr(float(flt.min_confidence)))))
    if flt.start_ms is not None:
        parts.append(Attr("endMs").gt(flt.start_ms))
    if flt.end_ms is not None:
        parts.append(Attr("startMs").lt(flt.end_ms))
    condition: ConditionBase | None = None
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


class SegmentQueries:
    """Paged reads of the results table; build one per process and share it (it holds the HTTP pool)."""

    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        dynamodb = dynamodb or resource("dynamodb")
        self.table = dynamodb.Table(table_name)
        self._records = SegmentStore(table_name, dynamodb)  # videos and jobs come from the write side's records

    def get_video(self, video_id: str) -> VideoRecord | None:
        """The video, or None."""
        return self._records.get_video(video_id)

    def get_job(self, job_id: str) -> JobRecord | None:
        """The job, or None."""
        return self._records.get_job(job_id)

    def segment_items(
        self,
        job_id: str,
        *,
        prefix: str,
        limit: int,
        after_sk: str | None = None,
        flt: SegmentFilter | None = None,
    ) -> ItemPage:
        """Up to ``limit`` items read (not returned) of a job's segments under sort-key ``prefix``, after ``after_sk``.

        Filters the key cannot serve are applied by DynamoDB after the read, so a page may
        return fewer items than it read; ``last_sk`` then says where to continue.
        """
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(keys.job_pk(job_id)) & Key("sk").begins_with(prefix),
            "Limit": limit,
            "ReturnConsumedCapacity": "TOTAL",
        }
        if after_sk:
            kwargs["ExclusiveStartKey"] = {"pk": keys.job_pk(job_id), "sk": after_sk}
        condition = _item_condition(flt) if flt else None
        if condition is not None:
            kwargs["FilterExpression"] = condition
        page = self.table.query(**kwargs)
        last = page.get("LastEvaluatedKey")
        return ItemPage(
            items=[_segment_item(i) for i in page.get("Items", [])],
            last_sk=str(last["sk"]) if last else None,
            items_read=int(page.get("ScannedCount", 0)),
            read_units=float((page.get("ConsumedCapacity") or {}).get("CapacityUnits", 0.0)),
        )

    def videos_by_status(self, status: str, *, limit: int, before: str | None = None) -> ItemPage:
        """Up to ``limit`` videos with ``status``, newest first, after gsi1 sort key ``before``."""
        condition: ConditionBase = Key("gsi1pk").eq(keys.status_gsi1pk(status))
        if before:
            condition = condition & Key("gsi1sk").lt(before)
        page = self.table.query(
            IndexName=keys.GSI1,
            KeyConditionExpression=condition,
            ScanIndexForward=False,
            Limit=limit,
            ReturnConsumedCapacity="TOTAL",
        )
        last = page.get("LastEvaluatedKey")
        return ItemPage(
            items=[from_dynamo(i) for i in page.get("Items", [])],
            last_sk=str(last["gsi1sk"]) if last else None,
            items_read=int(page.get("ScannedCount", 0)),
            read_units=float((page.get("ConsumedCapacity") or {}).get("CapacityUnits", 0.0)),
        )
