"""DynamoDB adapter for the single results table (key design in ``segments.domain.keys``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

from segments.adapters.aws import resource
from segments.domain import keys
from segments.domain.completion_events import PENDING_GSI1PK, pending_sort_key
from segments.domain.events import VideoObject
from segments.domain.model import Segment
from segments.domain.records import DELETED, TERMINAL_STATUSES, DetectionOptions, JobRecord, VideoRecord
from segments.ports import CompletionAnnouncer


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


def conditional(write: Callable[..., dict[str, Any]], **request: Any) -> dict[str, Any] | None:
    """Run one conditional ``put_item``/``update_item``; its response, or None when the condition failed.

    A failed condition is how idempotent writes say "already done" or "superseded", so it is an
    answer, not an error; every other error propagates.
    """
    try:
        return write(**request)
    except ClientError as exc:
        if _condition_failed(exc):
            return None
        raise


def _not_older(video: VideoObject) -> ConditionBase | None:
    """Condition that the stored video was not changed by a later S3 event than ``video``'s (None: order unknown)."""
    if not video.sequencer:
        return None
    return Attr("sequencer").not_exists() | Attr("sequencer").lte(video.sequencer)


def _and(*conditions: ConditionBase | None) -> ConditionBase | None:
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    combined = present[0]
    for condition in present[1:]:
        combined = combined & condition
    return combined


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

    def __init__(
        self, table_name: str, dynamodb: Any | None = None, *, announcer: CompletionAnnouncer | None = None
    ) -> None:
        self.table = (dynamodb or resource("dynamodb")).Table(table_name)
        self.announcer = announcer  # completion events; None publishes none (the outbox still fills)

    # -- reads -------------------------------------------------------------------------
    def get_video(self, video_id: str, *, consistent: bool = False) -> VideoRecord | None:
        """The video, or None (``consistent``: a strongly consistent read)."""
        key = {"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK}
        item = self.table.get_item(Key=key, ConsistentRead=consistent).get("Item")
        return VideoRecord.from_item(from_dynamo(item)) if item else None

    def get_job(self, job_id: str) -> JobRecord | None:
        """The job, or None (strongly consistent: the writers decide on what they read here)."""
        item = self.table.get_item(Key={"pk": keys.job_pk(job_id), "sk": keys.JOB_SK}, ConsistentRead=True).get("Item")
        return JobRecord.from_item(from_dynamo(item)) if item else None

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

    def overdue_videos(self, status: str, updated_before: str, limit: int) -> list[VideoRecord]:
        """Up to ``limit`` videos in ``status`` unchanged since before ``updated_before`` (ISO-8601), oldest first."""
        page = self.table.query(
            IndexName=keys.GSI1,
            KeyConditionExpression=Key("gsi1pk").eq(keys.status_gsi1pk(status)) & Key("gsi1sk").lt(updated_before),
            ScanIndexForward=True,
            Limit=limit,
        )
        return [VideoRecord.from_item(from_dynamo(i)) for i in page.get("Items", [])]

    # -- writes ------------------------------------------------------------------------
    def record_video_status(self, video: VideoObject, *, status: str, message: str, source: str) -> bool:
        """Record a status on the video before (or without) a job, e.g. QUEUED while waiting for a slot.

        Never overwrites a video whose current job belongs to the same object version, nor one a
        later S3 event (greater ``sequencer``) already changed; False then. A FAILED status recorded
        here is announced (a completion event with no JobId) after the write.
        """
        video_id = keys.video_id_for_key(video.key)
        stamp = now_iso()
        condition = _and(Attr("jobId").not_exists() | Attr("versionId").ne(video.version_id or ""), _not_older(video))
        recorded = (
            conditional(
                self.table.update_item,
                Key={"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK},
                UpdateExpression=(
                    "SET videoId=:v, #b=:b, #k=:k, versionId=:ver, #s=:s, statusMessage=:m, #src=:src, "
                    "updatedAt=:t, createdAt=if_not_exists(createdAt, :t), gsi1pk=:g, gsi1sk=:gs"
                    + (", sequencer=:seq" if video.sequencer else "")
                    # Another version's job no longer serves the video: its completion must not settle it.
                    + " REMOVE jobId"
                ),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#b": "bucket", "#k": "key", "#s": "status", "#src": "source"},
                ExpressionAttributeValues={
                    ":v": video_id,
                    ":b": video.bucket,
                    ":k": video.key,
                    ":ver": video.version_id or "",
                    ":src": source,
                    **({":seq": video.sequencer} if video.sequencer else {}),
                    **_status_values(video_id, status, message, stamp),
                },
            )
            is not None
        )
        if recorded and status == "FAILED" and self.announcer is not None:
            self.announcer.announce_video(video_id)  # failed before any job: no job event will tell
        return recorded

    def record_video_deleted(self, video: VideoObject) -> bool:
        """Record that the video's object (or its current version) was deleted; False when that changes nothing.

        The video stops being listed under its old status; its job's results stay readable by JobId.
        """
        video_id = keys.video_id_for_key(video.key)
        stamp = now_iso()
        same_version = Attr("versionId").eq(video.version_id) if video.version_id else None
        return (
            conditional(
                self.table.update_item,
                Key={"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK},
                UpdateExpression="SET #s=:s, statusMessage=:m, updatedAt=:t, deletedAt=:t, gsi1pk=:g, gsi1sk=:gs"
                + (", sequencer=:seq" if video.sequencer else ""),
                ConditionExpression=_and(Attr("pk").exists(), same_version, _not_older(video)),
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    **({":seq": video.sequencer} if video.sequencer else {}),
                    **_status_values(video_id, DELETED, "the object was deleted", stamp),
                },
            )
            is not None
        )

    def record_job_started(
        self,
        video: VideoObject,
        *,
        job_id: str,
        source: str,
        options: DetectionOptions,
        reason: str = "",
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
            "settings": to_dynamo(options.as_settings(reason)),
            "clientRequestToken": client_request_token,
            "jobTag": job_tag,
            "sequencer": video.sequencer,
            "startedAt": stamp,
        }
        created = conditional(self.table.put_item, Item=job_item, ConditionExpression=Attr("pk").not_exists())
        if created is None:
            return False
        # A job of an older version than the video already shows (a late event) keeps its results
        # readable by JobId but does not become the video's job: the newest version wins.
        conditional(
            self.table.update_item,
            Key={"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK},
            UpdateExpression=(
                "SET videoId=:v, #b=:b, #k=:k, versionId=:ver, jobId=:j, #src=:src, #s=:s, statusMessage=:m, "
                "updatedAt=:t, createdAt=if_not_exists(createdAt, :t), gsi1pk=:g, gsi1sk=:gs, etag=:e"
                + (", sequencer=:seq" if video.sequencer else "")
            ),
            **({"ConditionExpression": newer} if (newer := _not_older(video)) is not None else {}),
            ExpressionAttributeNames={"#b": "bucket", "#k": "key", "#s": "status", "#src": "source"},
            ExpressionAttributeValues={
                ":v": video_id,
                ":b": video.bucket,
                ":k": video.key,
                ":ver": video.version_id or "",
                ":j": job_id,
                ":e": video.etag,
                ":src": source,
                **({":seq": video.sequencer} if video.sequencer else {}),
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
                pk, sk = keys.job_pk(job_id), keys.segment_sk(segment, type_order)
                batch.put_item(
                    Item={
                        "pk": pk,
                        "sk": sk,
                        # The library-wide search index (gsi2): segments by kind, longest first.
                        **keys.search_keys(pk, sk, segment),
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

    def save_page_cursor(self, job_id: str, *, next_token: str, segments_stored: int) -> None:
        """Checkpoint the collector on the job item (only while the job is not terminal)."""
        conditional(
            self.table.update_item,
            Key={"pk": keys.job_pk(job_id), "sk": keys.JOB_SK},
            UpdateExpression="SET pageCursor=:c, segmentsStored=:n, cursorAt=:t",
            ConditionExpression=Attr("pk").exists() & ~Attr("status").is_in(list(TERMINAL_STATUSES)),
            ExpressionAttributeValues={":c": next_token, ":n": segments_stored, ":t": now_iso()},
        )

    def complete_job(
        self,
        job_id: str,
        *,
        status: str,
        status_message: str = "",
        video_metadata: Sequence[dict[str, Any]] = (),
        audio_metadata: Sequence[dict[str, Any]] = (),
        selected_segment_types: Sequence[dict[str, Any]] = (),
        segment_count: int = 0,
    ) -> bool:
        """Mark a job SUCCEEDED/FAILED and update its video if the video still points at it.

        Returns False when the job was already terminal (a duplicate completion).
        """
        stamp = now_iso()
        result = conditional(
            self.table.update_item,
            Key={"pk": keys.job_pk(job_id), "sk": keys.JOB_SK},
            UpdateExpression=(
                "SET #s=:s, statusMessage=:m, VideoMetadata=:vm, AudioMetadata=:am, "
                "SelectedSegmentTypes=:st, segmentCount=:c, completedAt=:t, gsi1pk=:ep, gsi1sk=:es REMOVE pageCursor"
            ),
            ConditionExpression=Attr("pk").exists() & ~Attr("status").is_in(list(TERMINAL_STATUSES)),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":s": status,
                ":m": status_message,
                ":vm": to_dynamo(list(video_metadata)),
                ":am": to_dynamo(list(audio_metadata)),
                ":st": to_dynamo(list(selected_segment_types)),
                ":c": segment_count,
                ":t": stamp,
                # Files the job in the completion-event outbox (see segments.adapters.events).
                ":ep": PENDING_GSI1PK,
                ":es": pending_sort_key(stamp, job_id),
            },
            ReturnValues="ALL_NEW",
        )
        if result is not None:
            self._set_video_status(str(result["Attributes"]["videoId"]), job_id, status, status_message, stamp)
        self._announce(job_id)  # also on a duplicate: the first delivery may have failed to publish
        return result is not None

    def settle_video(self, job: JobRecord) -> bool:
        """Give the video the terminal status of ``job`` if it still serves it; False otherwise."""
        settled = self._set_video_status(job.video_id, job.job_id, job.status, job.status_message, now_iso())
        self._announce(job.job_id)
        return settled

    def _announce(self, job_id: str) -> None:
        # After the job and its video are final, so a consumer reading on the event sees them.
        if self.announcer is not None:
            self.announcer.announce(job_id)

    def _set_video_status(self, video_id: str, job_id: str, status: str, message: str, stamp: str) -> bool:
        # A video that moved on to a newer version or engine keeps its own status: this job's
        # results stay readable by JobId but are not the video's results.
        return (
            conditional(
                self.table.update_item,
                Key={"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK},
                UpdateExpression="SET #s=:s, statusMessage=:m, updatedAt=:t, gsi1pk=:g, gsi1sk=:gs",
                # A deleted object's video stays DELETED whatever its last job does.
                ConditionExpression=Attr("jobId").eq(job_id) & Attr("status").ne(DELETED),
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=_status_values(video_id, status, message, stamp),
            )
            is not None
        )
