"""Frozen records of what the table holds about a video and a job (pure: built from plain item dicts).

Like Powertools' idempotency ``DataRecord``, a record is what crosses the persistence port:
the store reads an item and hands out one of these, so callers read typed attributes
instead of chaining ``.get`` on optional dicts. Attribute names of the items live here
and in the store adapter only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from segments.domain.events import VideoObject
from segments.domain.model import DEFAULT_SEGMENT_TYPES

TERMINAL_STATUSES = ("SUCCEEDED", "FAILED")
DELETED = "DELETED"  # a video whose object was deleted: its job's results stay readable by JobId
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class DetectionOptions:
    """What to detect: Rekognition ``SegmentTypes`` (order = result order) and ``Filters``.

    They travel with the job (stored on its item and in the fallback's input), so every
    engine that works on a job uses the options it was started with, whatever the
    environment of the function that happens to run it.
    """

    segment_types: tuple[str, ...] = DEFAULT_SEGMENT_TYPES
    filters: Mapping[str, Any] = field(default_factory=dict)

    def as_settings(self, reason: str = "") -> dict[str, Any]:
        """The job item's ``settings`` map (``Reason`` only when there is one)."""
        out: dict[str, Any] = {"SegmentTypes": list(self.segment_types), "Filters": dict(self.filters)}
        if reason:
            out["Reason"] = reason
        return out

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> DetectionOptions | None:
        """Options from a job item's ``settings`` map; None when it names no segment types."""
        types = tuple(str(t) for t in (settings or {}).get("SegmentTypes") or ())
        if not types:
            return None
        return cls(segment_types=types, filters=dict((settings or {}).get("Filters") or {}))


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    return "" if value is None else str(value)


def _maps(item: Mapping[str, Any], name: str) -> tuple[dict[str, Any], ...]:
    return tuple(dict(v) for v in item.get(name) or ())


@dataclass(frozen=True)
class VideoRecord:
    """One video (an S3 key): its status and the one job whose results it serves."""

    video_id: str
    bucket: str
    key: str
    version_id: str = ""
    status: str = "QUEUED"
    status_message: str = ""
    job_id: str = ""
    source: str = ""
    etag: str = ""
    sequencer: str = ""
    created_at: str = ""
    updated_at: str = ""

    @property
    def terminal(self) -> bool:
        """True once SUCCEEDED or FAILED."""
        return self.status in TERMINAL_STATUSES

    @property
    def object(self) -> VideoObject:
        """The object version the video currently stands for."""
        return VideoObject(self.bucket, self.key, self.version_id or None, etag=self.etag, sequencer=self.sequencer)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> VideoRecord:
        """A record from a video item (numbers already converted from Decimal)."""
        return cls(
            video_id=_text(item, "videoId"),
            bucket=_text(item, "bucket"),
            key=_text(item, "key"),
            version_id=_text(item, "versionId"),
            status=_text(item, "status") or "QUEUED",
            status_message=_text(item, "statusMessage"),
            job_id=_text(item, "jobId"),
            source=_text(item, "source"),
            etag=_text(item, "etag"),
            sequencer=_text(item, "sequencer"),
            created_at=_text(item, "createdAt"),
            updated_at=_text(item, "updatedAt"),
        )


@dataclass(frozen=True)
class JobRecord:
    """One detection job (Rekognition or fallback) of one object version."""

    job_id: str
    video_id: str
    bucket: str
    key: str
    version_id: str = ""
    source: str = "rekognition"
    status: str = "IN_PROGRESS"
    status_message: str = ""
    options: DetectionOptions | None = None  # None: the job was recorded without its options (legacy item)
    reason: str = ""
    client_request_token: str = ""
    job_tag: str = ""
    sequencer: str = ""  # the S3 event order of the version this job analyses ("" unknown)
    started_at: str = ""
    completed_at: str = ""
    segment_count: int = 0
    video_metadata: tuple[dict[str, Any], ...] = ()
    audio_metadata: tuple[dict[str, Any], ...] = ()
    selected_segment_types: tuple[dict[str, Any], ...] = ()
    page_cursor: str = ""  # collector checkpoint: the NextToken of the next page to store
    segments_stored: int = 0  # segments of the pages before page_cursor
    cursor_at: str = ""  # when page_cursor was written (ISO-8601 UTC)
    attempts: int = 0  # collector runs that started on this job

    @property
    def terminal(self) -> bool:
        """True once SUCCEEDED or FAILED."""
        return self.status in TERMINAL_STATUSES

    @property
    def object(self) -> VideoObject:
        """The object version this job analyses."""
        return VideoObject(self.bucket, self.key, self.version_id or None, sequencer=self.sequencer)

    @property
    def segment_types(self) -> tuple[str, ...]:
        """The job's SegmentTypes (the result order); Rekognition's default when unknown."""
        return self.options.segment_types if self.options else DEFAULT_SEGMENT_TYPES

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> JobRecord:
        """A record from a job item (numbers already converted from Decimal)."""
        settings = item.get("settings") or _EMPTY
        return cls(
            job_id=_text(item, "jobId"),
            video_id=_text(item, "videoId"),
            bucket=_text(item, "bucket"),
            key=_text(item, "key"),
            version_id=_text(item, "versionId"),
            source=_text(item, "source") or "rekognition",
            status=_text(item, "status") or "IN_PROGRESS",
            status_message=_text(item, "statusMessage"),
            options=DetectionOptions.from_settings(settings),
            reason=_text(settings, "Reason"),
            client_request_token=_text(item, "clientRequestToken"),
            job_tag=_text(item, "jobTag"),
            sequencer=_text(item, "sequencer"),
            started_at=_text(item, "startedAt"),
            completed_at=_text(item, "completedAt"),
            segment_count=int(item.get("segmentCount") or 0),
            video_metadata=_maps(item, "VideoMetadata"),
            audio_metadata=_maps(item, "AudioMetadata"),
            selected_segment_types=_maps(item, "SelectedSegmentTypes"),
            page_cursor=_text(item, "pageCursor"),
            segments_stored=int(item.get("segmentsStored") or 0),
            cursor_at=_text(item, "cursorAt"),
            attempts=int(item.get("attempts") or 0),
        )


@dataclass(frozen=True)
class ExecutionState:
    """A fallback execution as Step Functions reports it (``DescribeExecution``)."""

    status: str  # RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE
    error: str = ""
    cause: str = ""
