"""Detection over a window of the video, before assembly: analyse, serialise, merge.

A long video is cut into time windows analysed apart (the fallback's chunks). Each window is
read with ``OVERLAP_FRAMES`` of context either side and keeps only what it owns: a transition
belongs to the window holding the first frame of its new shot, a cue run is clipped to the
window. ``merge_raw`` joins consecutive windows into what one pass over the whole would give.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, BinaryIO

from detector.analysis import (
    CueRun,
    Transition,
    calibrated,
    drop_edge_fades,
    find_cues,
    region_confidence,
    rule_transitions,
)
from detector.decode import Probe, VideoReader
from detector.errors import UnreadableVideoError
from detector.features import compute_signals
from detector.hybrid import hybrid_transitions
from detector.learned import learned_transitions
from detector.options import DetectOptions, black_level
from detector.transnet import TransNetStream, load_weights
from segments.domain.timecode import millis_to_frame

# Frames analysed beyond each side of a window so chunk borders see full context: more than the
# widest look-around of any decision (the slow-gradual window spans 2 x (LONG_WINDOW + ENDS) = 74
# frames, joining a fade-out to a fade-in looks up to DIP_MAX_FRAMES = 60 frames back).
OVERLAP_FRAMES = 100
# A video whose frames stop more than this short of what its container declares (duration, frame
# count) is truncated: containers' own counts are off by a frame or two, or by a rounding of the
# duration, never by 1 % of a video.
TRUNCATION_MIN_FRAMES = 5
TRUNCATION_SHARE = 0.01


@dataclass(frozen=True)
class RawDetection:
    """Detections over frames ``first``..``last`` (inclusive, global numbering) before assembly."""

    probe: Probe
    first: int
    last: int
    transitions: tuple[Transition, ...] = field(default_factory=tuple)
    cues: tuple[CueRun, ...] = field(default_factory=tuple)


def detect_raw(
    source: str | BinaryIO,
    options: DetectOptions | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> RawDetection:
    """Decode and analyse a video (or the window ``start_ms``..``end_ms`` of it); global frame numbers."""
    opts = options or DetectOptions()
    hybrid = opts.transitions == "hybrid"
    network = TransNetStream(load_weights()) if hybrid else None  # fails before decoding without weights
    with VideoReader(source, threads=opts.threads, rgb=hybrid) as reader:
        probe = reader.probe
        own_first = millis_to_frame(opts.start_ms, probe.rate) if opts.start_ms else 0
        own_last = millis_to_frame(opts.end_ms, probe.rate) - 1 if opts.end_ms is not None else None
        if own_last is not None and probe.frame_count:
            own_last = min(own_last, probe.frame_count - 1)
        first = max(0, own_first - OVERLAP_FRAMES) if own_first else 0
        last = own_last + OVERLAP_FRAMES if own_last is not None else None
        total = (last if last is not None else (probe.frame_count or 0) - 1) - first + 1
        report: Callable[[int], None] | None = None
        if progress is not None:
            report = lambda done: progress(done, total if total > 0 else None)  # noqa: E731
        thumbs = reader.frames(first, last)
        if network is not None:
            thumbs = network.tap(thumbs)
        signals = compute_signals(thumbs, black_level(opts.black_max_pixel_threshold, probe.full_range), report)
    if len(signals) == 0:
        raise UnreadableVideoError("no frame could be decoded in the requested time range")
    arrays = signals.as_arrays()
    base = signals.first
    analysed_last = base + len(signals) - 1
    own_last_frame = analysed_last if own_last is None else min(own_last, analysed_last)
    _check_complete(probe, own_last, analysed_last)
    fps = float(probe.rate)
    # The rules decide, or propose to the learned model, which sees their proposals and every
    # signal around each frame, or ask TransNetV2 where they are unsure (detector.hybrid).
    if network is not None:
        found = region_confidence(hybrid_transitions(arrays, fps, network.finish()), arrays)
    elif opts.transitions == "learned":
        found = learned_transitions(arrays, rule_transitions(arrays, fps))
    else:
        found = region_confidence([calibrated(t) for t in rule_transitions(arrays, fps)], arrays)
    # Whether this window holds the video's first and last frames (a chunk in the middle holds neither).
    found = drop_edge_fades(found, arrays, opens=base == 0, closes=own_last is None or analysed_last <= own_last)
    transitions = sorted(
        (t.shifted(base) for t in found),
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


def _check_complete(probe: Probe, own_last: int | None, analysed_last: int) -> None:
    """Refuse a partial result: the decoder stopped well before the frames the container declares."""
    declared_last = (probe.frame_count - 1) if probe.frame_count else None
    if own_last is not None:
        declared_last = own_last if declared_last is None else min(own_last, declared_last)
    if declared_last is None:
        return
    slack = max(TRUNCATION_MIN_FRAMES, round(declared_last * TRUNCATION_SHARE))
    if analysed_last < declared_last - slack:
        rate = float(probe.rate)
        raise UnreadableVideoError(
            f"the video is truncated: frames decode up to {(analysed_last + 1) / rate:.1f} s "
            f"of the {(declared_last + 1) / rate:.1f} s the container declares"
        )


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
