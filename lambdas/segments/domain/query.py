"""Filters of the read API, applied to stored segment items (reference order is kept)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from segments.domain.model import CUE_TYPES, SEGMENT_TYPES


class InvalidParameter(ValueError):
    """A query parameter outside its documented values."""


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
