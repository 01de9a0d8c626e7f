"""The GetSegmentDetection response shape: segment records, their order and their types.

Every producer (Rekognition collector, fallback detector, local emulator)
builds segments through :func:`build_segment` so that field names, rounding
and timecodes are identical whichever engine ran.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any, Final, Literal

from segments.domain.timecode import frame_to_millis, frame_to_smpte

SegmentType = Literal["TECHNICAL_CUE", "SHOT"]
SEGMENT_TYPES: Final = ("TECHNICAL_CUE", "SHOT")
# Rekognition's default order of SegmentTypes in the examples of its guide.
DEFAULT_SEGMENT_TYPES: Final[tuple[SegmentType, ...]] = ("TECHNICAL_CUE", "SHOT")
CUE_TYPES: Final = (
    "BlackFrames",
    "ColorBars",
    "Content",
    "EndCredits",
    "OpeningCredits",
    "Slate",
    "StudioLogo",
)
JOB_STATUSES: Final = ("IN_PROGRESS", "SUCCEEDED", "FAILED")

Segment = dict[str, Any]


def build_segment(
    *,
    segment_type: SegmentType,
    start_frame: int,
    end_frame: int,
    rate: Fraction,
    confidence: float,
    shot_index: int | None = None,
    cue_type: str | None = None,
) -> Segment:
    """Build one ``SegmentDetection`` record from inclusive frame numbers.

    ``end_frame`` is the last frame of the segment (inclusive). Timestamps are
    rounded down to whole milliseconds as Rekognition does; the end timestamp
    and ``EndTimecodeSMPTE`` mark the end of the last frame (the start of the
    next one), so ``DurationMillis = End - Start`` and ``DurationFrames =
    end_frame - start_frame + 1``. ``confidence`` is a percentage (0-100).
    """
    if start_frame < 0 or end_frame < start_frame:
        raise ValueError(f"invalid frame range {start_frame}..{end_frame}")
    if not 0.0 <= confidence <= 100.0:
        raise ValueError(f"confidence must be a percentage, got {confidence}")
    start_ms = frame_to_millis(start_frame, rate)
    end_ms = frame_to_millis(end_frame + 1, rate)
    duration_frames = end_frame - start_frame + 1
    segment: Segment = {
        "Type": segment_type,
        "StartTimestampMillis": start_ms,
        "EndTimestampMillis": end_ms,
        "DurationMillis": end_ms - start_ms,
        "StartTimecodeSMPTE": frame_to_smpte(start_frame, rate),
        "EndTimecodeSMPTE": frame_to_smpte(end_frame + 1, rate),
        "DurationSMPTE": frame_to_smpte(duration_frames, rate),
        "StartFrameNumber": start_frame,
        "EndFrameNumber": end_frame,
        "DurationFrames": duration_frames,
    }
    rounded = round(float(confidence), 3)
    if segment_type == "SHOT":
        if shot_index is None or shot_index < 0:
            raise ValueError("a SHOT segment needs a shot_index >= 0")
        segment["ShotSegment"] = {"Index": shot_index, "Confidence": rounded}
    elif segment_type == "TECHNICAL_CUE":
        if cue_type not in CUE_TYPES:
            raise ValueError(f"unknown technical cue type {cue_type!r}")
        segment["TechnicalCueSegment"] = {"Type": cue_type, "Confidence": rounded}
    else:
        raise ValueError(f"unknown segment type {segment_type!r}")
    return segment


def segment_confidence(segment: Segment) -> float:
    """Confidence (percent) of a segment, whichever its type."""
    inner = segment.get("ShotSegment") or segment.get("TechnicalCueSegment") or {}
    return float(inner.get("Confidence", 0.0))


def segment_sort_key(segment: Segment, type_order: Sequence[str] = DEFAULT_SEGMENT_TYPES) -> tuple[int, int, int, str]:
    """Reference order: by segment type (in the job's SegmentTypes order), then start time."""
    kind = str(segment["Type"])
    rank = type_order.index(kind) if kind in type_order else len(type_order)
    cue = segment.get("TechnicalCueSegment", {}).get("Type", "")
    return (rank, int(segment["StartTimestampMillis"]), int(segment.get("StartFrameNumber", 0)), str(cue))


def sort_segments(segments: Iterable[Segment], type_order: Sequence[str] = DEFAULT_SEGMENT_TYPES) -> list[Segment]:
    """Segments in the reference order (type, then start time); stable for ties."""
    return sorted(segments, key=lambda s: segment_sort_key(s, type_order))


def selected_segment_types(types: Sequence[str], model_version: str) -> list[dict[str, str]]:
    """``SelectedSegmentTypes`` for the requested types and the engine's model version."""
    return [{"Type": t, "ModelVersion": model_version} for t in types]
