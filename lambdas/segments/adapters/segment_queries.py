"""DynamoDB queries of the read side: a job's segment items and videos by status (keys in ``domain.keys``).

Every query asks DynamoDB for its consumed capacity and reports how many items it read
(``ScannedCount``, what a read is billed on), so callers can bound and measure what a page costs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
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


# Stored confidences carry a few decimals; DynamoDB numbers cannot be smaller than 1e-130, so a bound
# like 1e-300 would make boto3 raise decimal.Underflow. Rounded outward to 1e-6, a bound keeps the
# same items and always serialises.
CONFIDENCE_STEP = Decimal("0.000001")


def _lower_bound(value: float) -> Decimal:
    """A minimum confidence (percent) as a DynamoDB number that admits exactly the same stored values."""
    return Decimal(repr(float(value))).quantize(CONFIDENCE_STEP, rounding=ROUND_CEILING)


def _upper_bound(value: float) -> Decimal:
    """A maximum confidence (percent) as a DynamoDB number that admits exactly the same stored values."""
    return Decimal(repr(float(value))).quantize(CONFIDENCE_STEP, rounding=ROUND_FLOOR)


def _item_condition(flt: SegmentFilter) -> ConditionBase | None:
    """The filters the sort key cannot serve, as a FilterExpression (None when there are none)."""
    parts: list[ConditionBase] = []
    if flt.cue_type:
        parts.append(Attr("cueType").eq(flt.cue_type))
    if flt.min_confidence is not None:
        parts.append(Attr("confidence").gte(_lower_bound(flt.min_confidence)))
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
        self._dynamodb = dynamodb or resource("dynamodb")
        self.table = self._dynamodb.Table(table_name)
        self._records = SegmentStore(table_name, self._dynamodb)  # videos and jobs come from the write side's records

    def get_video(self, video_id: str, *, consistent: bool = False) -> VideoRecord | None:
        """The video, or None."""
        return self._records.get_video(video_id, consistent=consistent)

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

    def videos_by_status(
        self,
        status: str,
        *,
        limit: int,
        below: str | None = None,
        low: str | None = None,
        key_prefix: str | None = None,
    ) -> ItemPage:
        """Up to ``limit`` videos read with ``status``, newest first, gsi1 sort key in [``low``, ``below``)."""
        condition = _range(Key("gsi1pk").eq(keys.status_gsi1pk(status)), "gsi1sk", low, below)
        extra = {"FilterExpression": Attr("key").begins_with(key_prefix)} if key_prefix else {}
        return self._index_page(keys.GSI1, "gsi1sk", condition, limit, below=below, low=low, **extra)

    def search_items(
        self,
        kind: str,
        *,
        limit: int,
        below: str | None = None,
        low: str | None = None,
        min_confidence: float | None = None,
        max_confidence: float | None = None,
    ) -> ItemPage:
        """Up to ``limit`` segments read of one kind (cue type or SHOT), longest first, gsi2 key in [low, below)."""
        condition = _range(Key("gsi2pk").eq(keys.search_pk(kind)), "gsi2sk", low, below)
        parts: list[ConditionBase] = []
        if min_confidence is not None:
            parts.append(Attr("confidence").gte(_lower_bound(min_confidence)))
        if max_confidence is not None:
            parts.append(Attr("confidence").lte(_upper_bound(max_confidence)))
        extra = {"FilterExpression": parts[0] if len(parts) == 1 else parts[0] & parts[1]} if parts else {}
        page = self._index_page(keys.GSI2, "gsi2sk", condition, limit, below=below, low=low, **extra)
        return ItemPage([_segment_item(i) for i in page.items], page.last_sk, page.items_read, page.read_units)

    def _index_page(
        self,
        index: str,
        sort_key: str,
        condition: ConditionBase,
        limit: int,
        *,
        below: str | None,
        low: str | None,
        **extra: Any,
    ) -> ItemPage:
        # With both ends set the range is BETWEEN, which includes ``below``: read one more so the
        # page still moves past it (else a Limit of 1 would read ``below`` again and again).
        inclusive = below is not None and low is not None
        page = self.table.query(
            IndexName=index,
            KeyConditionExpression=condition,
            ScanIndexForward=False,
            Limit=limit + 1 if inclusive else limit,
            ReturnConsumedCapacity="TOTAL",
            **extra,
        )
        last = page.get("LastEvaluatedKey")
        # BETWEEN includes its upper bound: the item at ``below`` was returned by the last page.
        items = [from_dynamo(i) for i in page.get("Items", []) if below is None or i[sort_key] != below]
        return ItemPage(
            items=items,
            last_sk=str(last[sort_key]) if last else None,
            items_read=int(page.get("ScannedCount", 0)),
            read_units=float((page.get("ConsumedCapacity") or {}).get("CapacityUnits", 0.0)),
        )

    def jobs(self, job_ids: Iterable[str]) -> dict[str, JobRecord]:
        """The jobs that exist among ``job_ids``, by JobId (BatchGetItem, 100 keys a call)."""
        items = self._batch_get([{"pk": keys.job_pk(j), "sk": keys.JOB_SK} for j in sorted(set(job_ids))])
        return {record.job_id: record for record in (JobRecord.from_item(i) for i in items)}

    def videos(self, video_ids: Iterable[str]) -> dict[str, VideoRecord]:
        """The videos that exist among ``video_ids``, by videoId."""
        items = self._batch_get([{"pk": keys.video_pk(v), "sk": keys.VIDEO_SK} for v in sorted(set(video_ids))])
        return {record.video_id: record for record in (VideoRecord.from_item(i) for i in items)}

    def _batch_get(self, wanted: list[dict[str, str]]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), 100):  # BatchGetItem takes at most 100 keys
            request: dict[str, Any] = {self.table.name: {"Keys": wanted[start : start + 100]}}
            while request:
                answer = self._dynamodb.batch_get_item(RequestItems=request)
                found += answer.get("Responses", {}).get(self.table.name, [])
                request = answer.get("UnprocessedKeys") or {}
        return [from_dynamo(i) for i in found]


def _range(condition: ConditionBase, sort_key: str, low: str | None, below: str | None) -> ConditionBase:
    """Add a sort-key range: ``[low, below]`` (the caller drops ``below`` itself), either end open."""
    if low is not None and below is not None:
        return condition & Key(sort_key).between(low, below)
    if below is not None:
        return condition & Key(sort_key).lt(below)
    if low is not None:
        return condition & Key(sort_key).gte(low)
    return condition
