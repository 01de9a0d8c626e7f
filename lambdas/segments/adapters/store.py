"""DynamoDB adapter for the single results table (key design in ``segments.domain.keys``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

from segments.adapters.aws import resource
from segments.domain import keys
from segments.domain.events import VideoObject
from segments.domain.model import Segment

TERMINAL = ("SUCCEEDED", "FAILED")
SLOTS_KEY = {"pk": keys.SLOTS_PK, "sk": keys.SLOTS_SK}  # the one item holding the job-slot leases


def now_iso() -> str:
    """Current UTC time, ISO-8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_dynamo(value: Any) -> Any:
    """Python value → DynamoDB value (floats become Decimal, keeping their text form)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_dynamo(v) for v in value]
    return value


def from_dynamo(value: Any) -> Any:
    """DynamoDB value → Python value: Decimal with a fraction (or written as x.0) → float, else int."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent >= 0:
            return int(value)
        return float(value)
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_dynamo(v) for v in value]
    return value


def _json_number(value: Any) -> Any:
    """JSON form of the Decimals a segment read back from DynamoDB may carry."""
    if isinstance(value, Decimal):
        return from_dynamo(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _segment_item(item: dict[str, Any]) -> dict[str, Any]:
    """A segment item with its ``segment`` as the GetSegmentDetection dict (stored as JSON text)."""
    out = from_dynamo(item)
    if isinstance(out.get("segment"), str):
        out["segment"] = json.loads(out["segment"])
    return dict(out)


def _condition_failed(exc: ClientError) -> bool:
    """True for a conditional write that lost: the expected, idempotent outcome of a duplicate."""
    return bool(exc.response["Error"]["Code"] == "ConditionalCheckFailedException")


def _status_values(video_id: str, status: str, message: str, stamp: str) -> dict[str, Any]:
    """Expression values that set a video's status, message, time and its place in the status index."""
    return {
        ":s": status,
        ":m": message,
        ":t": stamp,
        ":g": keys.status_gsi1pk(status),
        ":gs": keys.status_sort_key(stamp, video_id),
    }


class SegmentStore:
    """Reads and idempotent writes of videos, jobs and segments."""

    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self.table = (dynamodb or resource("dynamodb")).Table(table_name)

    # -- reads -------------------------------------------------------------------------
    def get_video(self, video_id: str) -> dict[str, Any] | None:
        """The video item, or None."""
        item = self.table.get_item(Key={"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK}).get("Item")
        return from_dynamo(item) if item else None

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        """The job item, or None."""
        item = self.table.get_item(Key={"pk": keys.job_pk(job_id), "sk": keys.JOB_SK}).get("Item")
        return from_dynamo(item) if item else None

    def list_videos_by_status(
        self, status: str, limit: int, before: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of videos with ``status``, newest first, and the gsi1 sort key to continue before."""
        condition: ConditionBase = Key("gsi1pk").eq(keys.status_gsi1pk(status))
        if before:
            condition = condition & Key("gsi1sk").lt(before)
        page = self.table.query(
            IndexName=keys.GSI1, KeyConditionExpression=condition, ScanIndexForward=False, Limit=limit
        )
        last = page.get("LastEvaluatedKey")
        return [from_dynamo(i) for i in page.get("Items", [])], (str(last["gsi1sk"]) if last else None)

    def query_segments(
        self,
        job_id: str,
        limit: int,
        exclusive_start_key: dict[str, Any] | None = None,
        prefix: str = keys.SEGMENT_PREFIX,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of a job's segment items (sort keys starting with ``prefix``) in the reference order."""
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(keys.job_pk(job_id)) & Key("sk").begins_with(prefix),
            "Limit": limit,
        }
        if exclusive_start_key:
            kwargs["ExclusiveStartKey"] = exclusive_start_key
        page = self.table.query(**kwargs)
        return [_segment_item(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")

    # -- writes ------------------------------------------------------------------------
    def record_video_status(self, video: VideoObject, *, status: str, message: str, source: str) -> None:
        """Record a status on the video before (or without) a job, e.g. QUEUED while waiting for a slot.

        Never overwrites a video whose current job already reached a terminal state for the
        same object version.
        """
        video_id = keys.video_id_for_key(video.key)
        stamp = now_iso()
        try:
            self.table.update_item(
                Key={"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK},
                UpdateExpression=(
                    "SET videoId=:v, #b=:b, #k=:k, versionId=:ver, #s=:s, statusMessage=:m, #src=:src, "
                    "updatedAt=:t, createdAt=if_not_exists(createdAt, :t), gsi1pk=:g, gsi1sk=:gs"
                ),
                ConditionExpression=Attr("jobId").not_exists() | Attr("versionId").ne(video.version_id or ""),
                ExpressionAttributeNames={"#b": "bucket", "#k": "key", "#s": "status", "#src": "source"},
                ExpressionAttributeValues={
                    ":v": video_id,
                    ":b": video.bucket,
                    ":k": video.key,
                    ":ver": video.version_id or "",
                    ":src": source,
                    **_status_values(video_id, status, message, stamp),
                },
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise

    def record_job_started(
        self,
        video: VideoObject,
        *,
        job_id: str,
        source: str,
        settings: dict[str, Any],
        client_request_token: str = "",
        job_tag: str = "",
    ) -> bool:
        """Create the job item (IN_PROGRESS) and point the video at it; False if the job already existed.

        Idempotent: a duplicate start (same JobId) changes nothing, so a job that already
        finished is never pushed back to IN_PROGRESS.
        """
        video_id = keys.video_id_for_key(video.key)
        stamp = now_iso()
        job_item = {
            "pk": keys.job_pk(job_id),
            "sk": keys.JOB_SK,
            "jobId": job_id,
            "videoId": video_id,
            "bucket": video.bucket,
            "key": video.key,
            "versionId": video.version_id or "",
            "source": source,
            "status": "IN_PROGRESS",
            "statusMessage": "",
            "settings": to_dynamo(settings),
            "clientRequestToken": client_request_token,
            "jobTag": job_tag,
            "startedAt": stamp,
        }
        try:
            self.table.put_item(Item=job_item, ConditionExpression=Attr("pk").not_exists())
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            return False
        self.table.update_item(
            Key={"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK},
            UpdateExpression=(
                "SET videoId=:v, #b=:b, #k=:k, versionId=:ver, jobId=:j, #src=:src, #s=:s, statusMessage=:m, "
                "updatedAt=:t, createdAt=if_not_exists(createdAt, :t), gsi1pk=:g, gsi1sk=:gs, etag=:e"
            ),
            ExpressionAttributeNames={"#b": "bucket", "#k": "key", "#s": "status", "#src": "source"},
            ExpressionAttributeValues={
                ":v": video_id,
                ":b": video.bucket,
                ":k": video.key,
                ":ver": video.version_id or "",
                ":j": job_id,
                ":e": video.etag,
                ":src": source,
                **_status_values(video_id, "IN_PROGRESS", "", stamp),
            },
        )
        return True

    def put_segments(self, job_id: str, segments: Iterable[Segment], type_order: Sequence[str]) -> int:
        """Write segment items in batches of 25; returns how many were written. Memory stays flat."""
        count = 0
        with self.table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for segment in segments:
                cue = segment.get("TechnicalCueSegment", {})
                inner = segment.get("ShotSegment") or cue
                batch.put_item(
                    Item={
                        "pk": keys.job_pk(job_id),
                        "sk": keys.segment_sk(segment, type_order),
                        # One JSON string, not a nested map: reading a page of 1,000 then costs
                        # one string per item instead of ~25 typed attribute values to parse.
                        "segment": json.dumps(segment, separators=(",", ":"), default=_json_number),
                        "type": segment["Type"],
                        "cueType": cue.get("Type", ""),
                        "confidence": to_dynamo(float(inner.get("Confidence", 0.0))),
                        "startMs": int(segment["StartTimestampMillis"]),
                        "endMs": int(segment["EndTimestampMillis"]),
                    }
                )
                count += 1
        return count

    def complete_job(
        self,
        job_id: str,
        *,
        status: str,
        status_message: str = "",
        video_metadata: list[dict[str, Any]] | None = None,
        audio_metadata: list[dict[str, Any]] | None = None,
        selected_segment_types: list[dict[str, Any]] | None = None,
        segment_count: int = 0,
    ) -> bool:
        """Mark a job SUCCEEDED/FAILED and update its video if the video still points at it.

        Returns False when the job was already terminal (a duplicate completion).
        """
        stamp = now_iso()
        try:
            result = self.table.update_item(
                Key={"pk": keys.job_pk(job_id), "sk": keys.JOB_SK},
                UpdateExpression=(
                    "SET #s=:s, statusMessage=:m, VideoMetadata=:vm, AudioMetadata=:am, "
                    "SelectedSegmentTypes=:st, segmentCount=:c, completedAt=:t"
                ),
                ConditionExpression=Attr("pk").exists() & ~Attr("status").is_in(list(TERMINAL)),
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":s": status,
                    ":m": status_message,
                    ":vm": to_dynamo(video_metadata or []),
                    ":am": to_dynamo(audio_metadata or []),
                    ":st": to_dynamo(selected_segment_types or []),
                    ":c": segment_count,
                    ":t": stamp,
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            return False
        video_id = str(result["Attributes"]["videoId"])
        try:
            self.table.update_item(
                Key={"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK},
                UpdateExpression="SET #s=:s, statusMessage=:m, updatedAt=:t, gsi1pk=:g, gsi1sk=:gs",
                ConditionExpression=Attr("jobId").eq(job_id),
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=_status_values(video_id, status, status_message, stamp),
            )
        except ClientError as exc:
            # The video moved on to a newer version or engine: this job's results stay
            # readable by JobId but are not the video's results.
            if not _condition_failed(exc):
                raise
        return True

    # -- Rekognition job slots (a counting semaphore in one item) ------------------------
    def acquire_job_slot(self, holder: str, limit: int, now: float, lease_seconds: int) -> bool:
        """Take one of ``limit`` job slots for ``holder``; True if held (again), False when all are taken.

        Idempotent per holder (a redelivered upload keeps its one slot). Leases older than
        ``lease_seconds`` (a completion that never came) are reclaimed.
        """
        for _ in range(3):
            try:
                self.table.update_item(
                    Key=SLOTS_KEY,
                    UpdateExpression="SET holders.#h = :now",
                    ConditionExpression=(
                        "attribute_exists(holders.#h) OR (attribute_exists(holders) AND size(holders) < :limit)"
                    ),
                    ExpressionAttributeNames={"#h": holder},
                    ExpressionAttributeValues={":now": int(now), ":limit": limit},
                )
                return True
            except ClientError as exc:
                if not _condition_failed(exc):
                    raise
            item = self.table.get_item(Key=SLOTS_KEY, ConsistentRead=True).get("Item")
            if item is None or "holders" not in item:
                self.table.update_item(
                    Key=SLOTS_KEY,
                    UpdateExpression="SET holders = if_not_exists(holders, :empty)",
                    ExpressionAttributeValues={":empty": {}},
                )
                continue
            stale = {h: t for h, t in item["holders"].items() if float(t) < now - lease_seconds}
            if not stale:
                return False
            for old, started in stale.items():
                self._remove_holder(old, started)  # unless it renewed its lease meanwhile
        return False

    def release_job_slot(self, holder: str) -> None:
        """Give ``holder``'s slot back (nothing happens when it holds none)."""
        self._remove_holder(holder)

    def _remove_holder(self, holder: str, started: Any = None) -> None:
        """Drop ``holder``'s lease if it has one (and, given ``started``, if it is still that lease)."""
        condition = "holders.#h = :t" if started is not None else "attribute_exists(holders.#h)"
        values = {"ExpressionAttributeValues": {":t": started}} if started is not None else {}
        try:
            self.table.update_item(
                Key=SLOTS_KEY,
                UpdateExpression="REMOVE holders.#h",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#h": holder},
                **values,
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise

    def job_slots_held(self) -> dict[str, int]:
        """Current slot holders and when each lease started (epoch seconds)."""
        item = self.table.get_item(Key=SLOTS_KEY, ConsistentRead=True).get("Item")
        return {h: int(t) for h, t in ((item or {}).get("holders") or {}).items()}
