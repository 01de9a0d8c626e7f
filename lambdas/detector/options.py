"""What to detect and how strictly: Rekognition's ``SegmentTypes`` and ``Filters``, validated once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SEGMENT_TYPES = ("TECHNICAL_CUE", "SHOT")
# Rekognition's defaults (StartSegmentDetection Filters).
DEFAULT_MIN_CONFIDENCE = 50.0  # percent; the lowest Rekognition accepts
DEFAULT_BLACK_MAX_PIXEL_THRESHOLD = 0.2  # fraction of the colour range
DEFAULT_BLACK_MIN_COVERAGE = 99.0  # percent of a frame's pixels
# How shot boundaries are decided: the hand-set rules (default; every decision traceable to one
# threshold), or the learned boundary model over the rules' proposals (detector.learned: more
# dissolves found, but lower F1 on unseen real footage, and a title fading over a picture still
# reads as a dissolve; see the detector README), or the rules with TransNetV2 (detector.hybrid:
# experimental: a little higher F1 on real footage, lower on synthetic clips, at a fraction of
# decode speed; needs the network's weights).
TRANSITION_ENGINES = ("rules", "learned", "hybrid")


@dataclass(frozen=True)
class DetectOptions:
    """What to detect and how strictly (Rekognition's filter semantics and defaults)."""

    segment_types: tuple[str, ...] = SEGMENT_TYPES
    shot_min_confidence: float = DEFAULT_MIN_CONFIDENCE  # percent, 50-100
    cue_min_confidence: float = DEFAULT_MIN_CONFIDENCE  # percent, 50-100
    black_max_pixel_threshold: float = DEFAULT_BLACK_MAX_PIXEL_THRESHOLD  # fraction of the colour range, 0-1
    black_min_coverage: float = DEFAULT_BLACK_MIN_COVERAGE  # percent of a frame's pixels, 0-100
    start_ms: int | None = None  # analyse from this time (ms) ...
    end_ms: int | None = None  # ... up to this time (ms, exclusive)
    threads: int = 0  # decoder threads; 0 = ffmpeg's choice
    transitions: str = "rules"  # one of TRANSITION_ENGINES

    def __post_init__(self) -> None:
        for name in ("shot_min_confidence", "cue_min_confidence"):
            if not 50.0 <= getattr(self, name) <= 100.0:
                raise ValueError(f"{name} must be between 50 and 100")
        if not 0.0 <= self.black_max_pixel_threshold <= 1.0:
            raise ValueError("black_max_pixel_threshold must be between 0 and 1")
        if not 0.0 <= self.black_min_coverage <= 100.0:
            raise ValueError("black_min_coverage must be between 0 and 100")
        if not self.segment_types or any(t not in SEGMENT_TYPES for t in self.segment_types):
            raise ValueError("segment_types must be a non-empty subset of TECHNICAL_CUE, SHOT")
        if self.transitions not in TRANSITION_ENGINES:
            raise ValueError(f"transitions must be one of {', '.join(TRANSITION_ENGINES)}")
        if self.start_ms is not None and self.start_ms < 0:
            raise ValueError("start_ms must be 0 or more")
        if self.end_ms is not None and self.end_ms <= 0:
            raise ValueError("end_ms must be more than 0")
        if self.start_ms is not None and self.end_ms is not None and self.end_ms <= self.start_ms:
            raise ValueError("end_ms must be after start_ms")

    @classmethod
    def from_rekognition(
        cls,
        segment_types: Sequence[str] | None,
        filters: Mapping[str, Any] | None,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        threads: int = 0,
    ) -> DetectOptions:
        """Options from a ``StartSegmentDetection`` request's ``SegmentTypes`` and ``Filters``.

        Missing types mean both; missing filters take Rekognition's defaults. Raises ValueError
        (with the option's name) for a value outside Rekognition's range.
        """
        filters = filters or {}
        shot = filters.get("ShotFilter") or {}
        cue = filters.get("TechnicalCueFilter") or {}
        black = cue.get("BlackFrame") or {}
        return cls(
            segment_types=tuple(segment_types or SEGMENT_TYPES),
            shot_min_confidence=float(shot.get("MinSegmentConfidence", DEFAULT_MIN_CONFIDENCE)),
            cue_min_confidence=float(cue.get("MinSegmentConfidence", DEFAULT_MIN_CONFIDENCE)),
            black_max_pixel_threshold=float(black.get("MaxPixelThreshold", DEFAULT_BLACK_MAX_PIXEL_THRESHOLD)),
            black_min_coverage=float(black.get("MinCoveragePercentage", DEFAULT_BLACK_MIN_COVERAGE)),
            start_ms=start_ms,
            end_ms=end_ms,
            threads=threads,
        )


def black_level(threshold: float, full_range: bool) -> int:
    """Luma code value at or below which a pixel counts as black (FULL 0-255, LIMITED 16-235)."""
    if full_range:
        return int(threshold * 255)
    return int(16 + threshold * (235 - 16))
