"""Filters of the read API, applied to stored segment items (reference order is kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from segments.domain.model import CUE_TYPES, JOB_STATUSES, SEGMENT_TYPES
from segments.domain.read_errors import InvalidParameter
from segments.domain.records import VideoRecord

__all__ = [
    "EXPORT_FORMATS",
    "InvalidParameter",
    "ItemPage",
    "SegmentFilter",
    "SegmentQuery",
    "SegmentSearch",
    "VideoFilter",
]

EXPORT_FORMATS = ("json", "csv", "edl", "vtt")
MAX_RESULTS = 1000  # GetSegmentDetection's MaxResults ceiling


@dataclass(frozen=True)
class SegmentFilter:
    """type / cueType / minConfidence / startMillis..endMillis (segments overlapping the window)."""

    segment_type: str | None = None
    cue_type: str | None = None
    min_confidence: float | None = None
    start_ms: int | None = None
    end_ms: int | None = None

    def __post_init__(self) -> None:
        if self.segment_type is not None and self.segment_type not in SEGMENT_TYPES:
            raise InvalidParameter(f"type must be one of {', '.join(SEGMENT_TYPES)}")
        if self.cue_type is not None and self.cue_type not in CUE_TYPES:
            raise InvalidParameter(f"cueType must be one of {', '.join(CUE_TYPES)}")
        if self.cue_type is not None and self.segment_type == "SHOT":
            raise InvalidParameter("cueType applies to TECHNICAL_CUE segments, not to type=SHOT")
        if self.min_confidence is not None and not 0 <= self.min_confidence <= 100:
            raise InvalidParameter("minConfidence must be between 0 and 100")
        if self.start_ms is not None and self.end_ms is not None and self.end_ms <= self.start_ms:
            raise InvalidParameter("endMillis must be greater than startMillis")

    @property
    def effective_type(self) -> str | None:
        """The segment type implied by the filters (a cueType implies TECHNICAL_CUE)."""
        return "TECHNICAL_CUE" if self.cue_type else self.segment_type

    def fingerprint(self) -> str:
        """Stable text identifying these filters (binds pagination tokens to them)."""
        return f"{self.effective_type}|{self.cue_type}|{self.min_confidence}|{self.start_ms}|{self.end_ms}"

    @property
    def needs_item_filter(self) -> bool:
        """True when some filter is not served by the sort key (type alone is: it selects a key prefix)."""
        return any(v is not None for v in (self.cue_type, self.min_confidence, self.start_ms, self.end_ms))

    def matches(self, item: dict[str, Any]) -> bool:
        """True when a stored segment item passes every filter."""
        if self.effective_type and item.get("type") != self.effective_type:
            return False
        if self.cue_type and item.get("cueType") != self.cue_type:
            return False
        if self.min_confidence is not None and float(item.get("confidence", 0)) < self.min_confidence:
            return False
        if self.start_ms is not None and int(item["endMs"]) <= self.start_ms:
            return False
        return not (self.end_ms is not None and int(item["startMs"]) >= self.end_ms)


@dataclass(frozen=True)
class SegmentQuery:
    """One request for the segments of a job, named by its JobId or by the video it serves."""

    job_id: str | None = None
    video_id: str | None = None
    filter: SegmentFilter = SegmentFilter()
    max_results: int = MAX_RESULTS
    next_token: str | None = None
    fmt: str = "json"

    def __post_init__(self) -> None:
        if (self.job_id is None) == (self.video_id is None):
            raise InvalidParameter("name either a job or a video")
        if not 1 <= self.max_results <= MAX_RESULTS:
            raise InvalidParameter(f"maxResults must be between 1 and {MAX_RESULTS}")
        if self.fmt not in EXPORT_FORMATS:
            raise InvalidParameter(f"format must be one of {', '.join(EXPORT_FORMATS)}")


@dataclass(frozen=True)
class ItemPage:
    """Items one Query returned, the sort key it stopped after (None at the end) and what it read."""

    items: list[dict[str, Any]]
    last_sk: str | None
    items_read: int  # items DynamoDB evaluated (ScannedCount): what the read is billed on
    read_units: float = 0.0  # ConsumedCapacity.CapacityUnits as DynamoDB reported it


# The statuses a listing may ask for (QUEUED reads as IN_PROGRESS); unfiltered, it leaves DELETED out.
LISTED_STATUSES = (*JOB_STATUSES, "DELETED")


def iso_instant(text: str | None, name: str) -> str | None:
    """An ISO-8601 time as the table stores it (UTC, milliseconds, ``Z``); naive times are UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidParameter(f"{name} must be an ISO-8601 time such as 2026-11-01T00:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_range(low: float | None, high: float | None, names: str) -> None:
    if low is not None and high is not None and high < low:
        raise InvalidParameter(f"{names}: the maximum is below the minimum")


@dataclass(frozen=True)
class VideoFilter:
    """Which videos a listing returns: status, S3 key prefix and a window on ``updatedAt``."""

    status: str | None = None
    key_prefix: str | None = None
    updated_after: str | None = None  # as iso_instant returns it
    updated_before: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in LISTED_STATUSES:
            raise InvalidParameter(f"status must be one of {', '.join(LISTED_STATUSES)}")
        if self.updated_after and self.updated_before and self.updated_before <= self.updated_after:
            raise InvalidParameter("updatedBefore must be later than updatedAfter")

    def fingerprint(self) -> str:
        """Stable text identifying these filters (binds pagination tokens to them)."""
        return f"{self.status}|{self.key_prefix}|{self.updated_after}|{self.updated_before}"

    def matches(self, video: VideoRecord) -> bool:
        """True when a video record (status, key, updated_at) passes every filter."""
        # A video waiting for a job slot (QUEUED) is IN_PROGRESS to callers.
        shown = "IN_PROGRESS" if video.status == "QUEUED" else video.status
        if self.status and shown != self.status:
            return False
        if self.key_prefix and not str(video.key).startswith(self.key_prefix):
            return False
        if self.updated_after and not video.updated_at > self.updated_after:
            return False
        return not (self.updated_before and not video.updated_at < self.updated_before)


@dataclass(frozen=True)
class SegmentSearch:
    """A search for segments across every video: kind, duration, confidence and the videos' filters."""

    segment_type: str | None = None
    cue_type: str | None = None
    min_duration_ms: int | None = None
    max_duration_ms: int | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    videos: VideoFilter = VideoFilter()
    max_results: int = 100
    next_token: str | None = None

    def __post_init__(self) -> None:
        if self.segment_type is not None and self.segment_type not in SEGMENT_TYPES:
            raise InvalidParameter(f"type must be one of {', '.join(SEGMENT_TYPES)}")
        if self.cue_type is not None and self.cue_type not in CUE_TYPES:
            raise InvalidParameter(f"cueType must be one of {', '.join(CUE_TYPES)}")
        if self.cue_type is not None and self.segment_type == "SHOT":
            raise InvalidParameter("cueType applies to TECHNICAL_CUE segments, not to type=SHOT")
        if not 1 <= self.max_results <= MAX_RESULTS:
            raise InvalidParameter(f"maxResults must be between 1 and {MAX_RESULTS}")
        _check_range(self.min_duration_ms, self.max_duration_ms, "minDurationMillis/maxDurationMillis")
        _check_range(self.min_confidence, self.max_confidence, "minConfidence/maxConfidence")

    @property
    def kinds(self) -> tuple[str, ...]:
        """The index partitions (cue types, SHOT) the search reads."""
        if self.cue_type:
            return (self.cue_type,)
        if self.segment_type == "SHOT":
            return ("SHOT",)
        if self.segment_type == "TECHNICAL_CUE":
            return tuple(sorted(CUE_TYPES))
        return (*sorted(CUE_TYPES), "SHOT")

    @property
    def needs_item_filter(self) -> bool:
        """True when DynamoDB filters the items it reads (confidence is not part of the index key)."""
        return self.min_confidence is not None or self.max_confidence is not None

    def fingerprint(self) -> str:
        """Stable text identifying the search (binds pagination tokens to it)."""
        return (
            f"{','.join(self.kinds)}|{self.min_duration_ms}|{self.max_duration_ms}|{self.min_confidence}|"
            f"{self.max_confidence}|{self.videos.fingerprint()}"
        )
