"""Assembly of raw detections into the response: where cue segments start and end."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from detector import DetectOptions, RawDetection, assemble
from detector.analysis import CueRun, Transition
from detector.decode import Probe

PROBE = Probe(Fraction(25), 320, 180, 400, 16_000, False, {"FrameRate": 25.0}, [])


def cue_spans(response: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [
        (s["TechnicalCueSegment"]["Type"], s["StartFrameNumber"], s["EndFrameNumber"])
        for s in response["Segments"]
        if s["Type"] == "TECHNICAL_CUE"
    ]


def raw(transitions: list[Transition], cues: list[CueRun]) -> RawDetection:
    return RawDetection(PROBE, 0, 399, tuple(transitions), tuple(cues))


def test_a_cue_a_frame_or_two_off_a_cut_starts_and_ends_on_it() -> None:
    cuts = [Transition(100, "cut", 90.0, 100, 99), Transition(150, "cut", 90.0, 150, 149)]
    black = CueRun("BlackFrames", 102, 148, 90.0)  # the frames next to each cut smeared by compression
    spans = cue_spans(assemble(raw(cuts, [black]), DetectOptions(segment_types=("TECHNICAL_CUE",))))
    assert ("BlackFrames", 100, 149) in spans
    assert ("Content", 0, 99) in spans and ("Content", 150, 399) in spans


def test_end_credits_start_with_their_shot() -> None:
    # Credits are recognised once text has moved for a while: 8 frames after the cut into them.
    cuts = [Transition(300, "cut", 90.0, 300, 299)]
    credits = CueRun("EndCredits", 308, 399, 75.0)
    spans = cue_spans(assemble(raw(cuts, [credits]), DetectOptions(segment_types=("TECHNICAL_CUE",))))
    assert spans == [("Content", 0, 299), ("EndCredits", 300, 399)]


def test_a_cue_far_from_any_cut_keeps_its_own_edges() -> None:
    cuts = [Transition(100, "cut", 90.0, 100, 99)]
    black = CueRun("BlackFrames", 120, 160, 90.0)
    spans = cue_spans(assemble(raw(cuts, [black]), DetectOptions(segment_types=("TECHNICAL_CUE",))))
    assert ("BlackFrames", 120, 160) in spans
