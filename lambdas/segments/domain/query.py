"""Filters of the read API, applied to stored segment items (reference order is kept)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from segments.domain.model import CUE_TYPES, SEGMENT_TYPES
from segments.domain.read_errors import InvalidParameter

__all__ = ["EXPORT_FORMATS", "InvalidParameter", "ItemPage", "SegmentFilter", "SegmentQuery"]

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
