"""Fallback shot and technical-cue detector with Rekognition-identical output (pure: no AWS imports).

``detect(path)`` returns a ``GetSegmentDetection`` response. Long videos can be cut into
windows: ``detect_raw`` on each window (global frame numbers), ``merge_raw`` to join them,
``assemble`` to build the response — equal to a single pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, BinaryIO

from detector.analysis import (
    CueRun,
    Transition,
    find_cues,
    find_cuts,
    find_dips,
    find_graduals,
    join_transitions,
    place_cues,
)
from detector.decode import Probe, VideoReader
from detector.errors import NoVideoStreamError, UnreadableVideoError, VideoError
from detector.features import compute_signals
from segments.domain.model import build_segment, selected_segment_types, sort_segments
from segments.domain.timecode import millis_to_frame

__all__ = [
    "MODEL_VERSION",
    "DetectOptions",
    "NoVideoStreamError",
    "RawDetection",
    "UnreadableVideoError",
    "VideoError",
    "assemble",
    "detect",
    "detect_raw",
    "merge_raw",
    "raw_from_dict",
    "raw_to_dict",
]

MODEL_VERSION = "fallback-1.1"  # 1.1: Slate/StudioLogo, fade dips, joined transitions
CONTENT_CONFIDENCE = 80.0
FIRST_SHOT_CONFIDENCE = 99.0
# Frames analysed beyond each side of a window so chunk borders see full context.
OVERLAP_FRAMES = 100


@dataclass(frozen=True)
class DetectOptions:
    """What to detect and how strictly (Rekognition's filter semantics and defaults)."""

    segment_types: tuple[str, ...] = ("TECHNICAL_CUE", "SHOT")
    shot_min_confidence: float = 50.0  # percent, 50-100
    cue_min_confidence: float = 50.0  # percent, 50-100
    black_max_pixel_threshold: float = 0.2  # fraction of the colour range, 0-1
    black_min_coverage: float = 99.0  # percent of a frame's pixels, 0-100
    start_ms: int | None = None  # analyse from this time (ms) ...
    end_ms: int | None = None  # ... up to this time (ms, exclusive)
    threads: int = 0  # decoder threads; 0 = ffmpeg's choice

    def __post_init__(self) -> None:
        for name in ("shot_min_confidence", "cue_min_confidence"):
            if not 50.0 <= getattr(self, name) <= 100.0:
                raise ValueError(f"{name} must be between 50 and 100")
        if not 0.0 <= self.black_max_pixel_threshold <= 1.0:
            raise ValueError("black_max_pixel_threshold must be between 0 and 1")
        if not 0.0 <= self.black_min_coverage <= 100.0:
            raise ValueError("black_min_coverage must be between 0 and 100")
        if not self.segment_types or any(t not in ("TECHNICAL_CUE", "SHOT") for t in self.segment_types):
            raise ValueError("segment_types must be a non-empty subset of TECHNICAL_CUE, SHOT")
        if self.start_ms is not None and self.end_ms is not None and self.end_ms <= self.start_ms:
            raise ValueError("end_ms must be after start_ms")


@dataclass(frozen=True)
class RawDetection:
    """Detections over frames ``first``..``last`` (inclusive, global numbering) before assembly."""

    probe: Probe
    first: int
    last: int
    transitions: tuple[Transition, ...] = field(default_factory=tuple)
    cues: tuple[CueRun, ...] = field(default_factory=tuple)


def black_level(threshold: float, full_range: bool) -> int:
    """Luma code value at or below which a pixel counts as black (FULL 0-255, LIMITED 16-235)."""
    if full_range:
        return int(threshold * 255)
    return int(16 + threshold * (235 - 16))


def detect_raw(
    source: str | BinaryIO,
    options: DetectOptions | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> RawDetection:
    """Decode and analyse a video (or the window ``start_ms``..``end_ms`` of it); global frame numbers."""
    opts = options or DetectOptions()
    with VideoReader(source, threads=opts.threads) as reader:
        probe = reader.probe
        own_first = millis_to_frame(opts.start_ms, probe.rate) if opts.start_ms else 0
        own_last = millis_to_frame(opts.end_ms, probe.rate) - 1 if opts.end_ms else None
        if own_last is not None and probe.frame_count:
            own_last = min(own_last, probe.frame_count - 1)
        first = max(0, own_first - OVERLAP_FRAMES) if own_first else 0
        last = own_last + OVERLAP_FRAMES if own_last is not None else None
        total = (last if last is not None else (probe.frame_count or 0) - 1) - first + 1
        report: Callable[[int], None] | None = None
        if progress is not None:
            report = lambda done: progress(done, total if total > 0 else None)  # noqa: E731
        signals = compute_signals(
            reader.frames(first, last), black_level(opts.black_max_pixel_threshold, probe.full_range), report
        )
    if len(signals) == 0:
        raise UnreadableVideoError("no frame could be decoded in the requested time range")
    arrays = signals.as_arrays()
    base = signals.first
    analysed_last = base + len(signals) - 1
    own_last_frame = analysed_last if own_last is None else min(own_last, analysed_last)
    fps = float(probe.rate)
    # Cuts and fade dips pin a boundary to a frame; the gradual pass looks only away from them.
    pinned = find_cuts(arrays) + find_dips(arrays, fps)
    graduals = find_graduals(arrays, pinned)
    transitions = sorted(
        (
            replace(t, frame=t.frame + base, start=t.start + base, end=t.end + base)
            for t in join_transitions(pinned + graduals, arrays, fps)
        ),
        key=lambda t: t.frame,
    )
    # A transition belongs to the window holding the first frame of its new shot (frame 0 starts no shot).
    kept = tuple(t for t in transitions if max(1, own_first) <= t.frame <= own_last_frame)
    runs = []
    for c in find_cues(arrays, opts.black_min_coverage, fps):
        a, b = max(c.start + base, own_first), min(c.end + base, own_last_frame)
        if a <= b:
            runs.append(replace(c, start=a, end=b))
    if progress:
        progress(total, total)
    return RawDetection(probe, own_first, own_last_frame, kept, tuple(runs))


def raw_to_dict(raw: RawDetection) -> dict[str, Any]:
    """A JSON-ready form of a raw detection (chunk results travel through S3)."""
    probe = raw.probe
    return {
        "probe": {
            "rate": f"{probe.rate.numerator}/{probe.rate.denominator}",
            "width": probe.width,
            "height": probe.height,
            "frame_count": probe.frame_count,
            "duration_ms": probe.duration_ms,
            "full_range": probe.full_range,
            "video_metadata": probe.video_metadata,
            "audio_metadata": probe.audio_metadata,
        },
        "first": raw.first,
        "last": raw.last,
        "transitions": [vars(t) for t in raw.transitions],
        "cues": [vars(c) for c in raw.cues],
    }


def raw_from_dict(data: dict[str, Any]) -> RawDetection:
    """Inverse of :func:`raw_to_dict`."""
    p = dict(data["probe"])
    num, den = str(p.pop("rate")).split("/")
    probe = Probe(rate=Fraction(int(num), int(den)), **p)
    return RawDetection(
        probe,
        int(data["first"]),
        int(data["last"]),
        tuple(Transition(**t) for t in data["transitions"]),
        tuple(CueRun(**c) for c in data["cues"]),
    )


def merge_raw(chunks: Sequence[RawDetection]) -> RawDetection:
    """Join consecutive windows: transitions concatenate, cue runs touching across a border merge."""
    if not chunks:
        raise ValueError("nothing to merge")
    ordered = sorted(chunks, key=lambda c: c.first)
    transitions = tuple(t for c in ordered for t in c.transitions)
    merged: list[CueRun] = []
    for run in sorted((r for c in ordered for r in c.cues), key=lambda r: (r.cue, r.start)):
        if merged and merged[-1].cue == run.cue and run.start <= merged[-1].end + 1:
            prev = merged[-1]
            merged[-1] = replace(prev, end=max(prev.end, run.end), confidence=max(prev.confidence, run.confidence))
        else:
            merged.append(run)
    return RawDetection(ordered[0].probe, ordered[0].first, ordered[-1].last, transitions, tuple(merged))


def _content_runs(raw: RawDetection, cues: list[CueRun]) -> list[CueRun]:
    """Stretches no other cue covers, except slivers inside a gradual transition."""
    covered = sorted((r.start, r.end) for r in cues)
    gaps: list[tuple[int, int]] = []
    cursor = raw.first
    for a, b in covered:
        if a > cursor:
            gaps.append((cursor, a - 1))
        cursor = max(cursor, b + 1)
    if cursor <= raw.last:
        gaps.append((cursor, raw.last))
    spans = [(t.start - 2, t.end + 2) for t in raw.transitions if t.kind == "gradual"]
    # Slivers shorter than half a second between two cues are their edges, not content.
    min_frames = max(3, round(float(raw.probe.rate) / 2))
    runs = []
    for a, b in gaps:
        if b - a + 1 < min_frames or any(lo <= a and b <= hi for lo, hi in spans):
            continue
        runs.append(CueRun("Content", a, b, CONTENT_CONFIDENCE))
    return runs


CARD_CUES = ("Slate", "StudioLogo")
CARD_MIN_SHARE = 0.6  # a card covering this much of its shot's clean frames is the shot


def _fit_cards_to_shots(cues: list[CueRun], raw: RawDetection) -> list[CueRun]:
    """Stretch a slate or logo to the clean frames of the shot it fills.

    The stillness test needs a few still frames around each frame, so a card run starts and
    ends a few frames inside its shot; the card is the whole shot between its transitions.
    """
    fitted = []
    for run in cues:
        if run.cue in CARD_CUES:
            middle = (run.start + run.end) // 2
            before = [t for t in raw.transitions if t.frame <= middle]
            after = [t for t in raw.transitions if t.frame > middle]
            lo = max(before[-1].end + 1, before[-1].frame) if before else raw.first
            hi = min(after[0].start - 1, after[0].frame - 1) if after else raw.last
            if lo <= run.start and run.end <= hi and run.end - run.start + 1 >= CARD_MIN_SHARE * (hi - lo + 1):
                run = replace(run, start=lo, end=hi)
        fitted.append(run)
    return fitted


def assemble(raw: RawDetection, options: DetectOptions | None = None) -> dict[str, Any]:
    """The GetSegmentDetection response for a raw detection."""
    opts = options or DetectOptions()
    rate: Fraction = raw.probe.rate
    segments = []
    if "SHOT" in opts.segment_types:
        starts = [(raw.first, FIRST_SHOT_CONFIDENCE)] + [(t.frame, t.confidence) for t in raw.transitions]
        index = 0
        for k, (start, confidence) in enumerate(starts):
            end = starts[k + 1][0] - 1 if k + 1 < len(starts) else raw.last
            if end < start or confidence < opts.shot_min_confidence:
                continue
            segments.append(
                build_segment(
                    segment_type="SHOT",
                    start_frame=start,
                    end_frame=end,
                    rate=rate,
                    confidence=confidence,
                    shot_index=index,
                )
            )
            index += 1
    if "TECHNICAL_CUE" in opts.segment_types:
        cues = _fit_cards_to_shots(place_cues(list(raw.cues), raw.first, raw.last, float(rate)), raw)
        for run in [*cues, *_content_runs(raw, cues)]:
            if run.confidence < opts.cue_min_confidence:
                continue
            segments.append(
                build_segment(
                    segment_type="TECHNICAL_CUE",
                    start_frame=run.start,
                    end_frame=run.end,
                    rate=rate,
                    confidence=run.confidence,
                    cue_type=run.cue,
                )
            )
    return {
        "JobStatus": "SUCCEEDED",
        "VideoMetadata": [raw.probe.video_metadata],
        "AudioMetadata": raw.probe.audio_metadata,
        "SelectedSegmentTypes": selected_segment_types(opts.segment_types, MODEL_VERSION),
        "Segments": sort_segments(segments, opts.segment_types),
    }


def detect(
    source: str | BinaryIO,
    options: DetectOptions | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> dict[str, Any]:
    """Detect shots and technical cues; returns the GetSegmentDetection response shape."""
    opts = options or DetectOptions()
    return assemble(detect_raw(source, opts, progress), opts)
