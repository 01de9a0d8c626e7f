"""From a raw detection to the ``GetSegmentDetection`` response: shots, cues, filters, order."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from detector.analysis import CueRun, place_cues
from detector.options import DetectOptions
from detector.windowing import RawDetection
from segments.domain.model import build_segment, selected_segment_types, sort_segments

# 1.1: Slate/StudioLogo, fade dips, joined transitions. 1.2: layout cuts, one report per slow
# gradual, nominal rate for VFR, truncation refused, flat colours are not bars or black.
# 1.3: slow (2-4 s) dissolves and fades (long window, contrast sinking into a dip), a fade's still
# tail is not a second transition, cuts into and out of 2-8-frame shots on a still camera.
# 1.4: frames count from the video's first picture when its stream starts late (not from the
# container's start, which numbered copies of the first picture before it); a slow fade's steps
# over flat content (the histogram crossing a bin edge) are not cuts; gradual transitions are
# scored 50-94 (measured: never 99 % sure), so the 95-100 band holds cuts only.
# 1.5: cuts into and out of a short shot full of motion stay two cuts (not one "dissolve reported
# at both ends", nor one fast dissolve when the insert lasts 2-6 frames).
# 1.6: a keyframe pop (an encoder's scheduled keyframe sharpening a moving low-bit-rate picture)
# is not a cut; a cut into one or two white or black frames and out into another shot is one
# transition.
# 1.7: a fade into or out of a black (or white) hold is found however dark or sparse the picture
# (a title card on black fading out), by its contrast sinking steadily to flat.
# 1.8: black too short for a BlackFrames segment is a shot between two transitions when one enters
# it on each side (a cut to black, four frozen black frames, a fade in) and its picture is frozen;
# a line of captions swapped over a still picture is not a jump cut; a fade in from the video's
# first frame or out into its last, with no black hold, is the first or last shot's, not a transition.
# 1.9: fades into and out of a black (white) hold are found before the windowed gradual pass, which
# then looks only away from them: a fade out, a few black frames and a slow fade in are two
# transitions on their own frames, not one window-wide report; a fade starts where the contrast
# falls, not where it creeps; a cut a few still frames after a fade in from black is the short
# shot's end, not the fade's last step; only black or white holds have fades. A new per-frame signal
# (each frame against the average of the frames 5 before and after) finds dissolves between
# pictures of one tone, which no histogram sees, and places a windowed gradual report at its most
# mixing frame rather than the middle of a span the window smears over the motion around it.
# 1.10: weak cuts in a burst (three or more within 8 frames, each under 70) are light flickering
# over one shot (a lens flare, a strobe), not editing; edited rapid cuts each score high. A cut by
# layout alone must clear its neighbourhood by 0.03 of the range, not 0.02. Flat black between a
# fade out and a fade in is a frozen hold (a shot of its own) even while the fade's last traces
# still decay on it.
# 1.11: a level step between two plain black (or two plain white) frames is a fade's step, not a
# cut, even on a video's first or last frames where no fade runs on either side to show it.
# 1.12: a weak cut in a burst that moves the picture's layout and pixels (d_grid >= 0.07, d_pix >=
# 0.075) is a rapid edited cut, not flicker: light playing over one shot leaves the layout alone.
# 1.13: one panel of a split screen switching to other footage while the rest stays is a cut
# (features.region_cut, analysis.find_region_cuts), however close the panel's next switch.
# 1.14: a cut across which blocks covering 40 % of the picture cut on their own is scored at least
# 80 (analysis.region_confidence); the boundaries are 1.13's.
# 1.15: a slow dissolve between pictures of nearly one tone (each frame mixing its neighbours only a
# little, for half a second or more) is a transition, at the lowest confidence (analysis.find_mixes).
# 1.16: such a slow mix out of or into a flat frame is a fade inside a shot (a logo brightening out
# of black), not a dissolve; fresh17 was scored with 1.15. The learned mode's confidence ends at 94
# (detector.learned.MAX_CONFIDENCE): its probability was never 99 % right at the top.
# 1.17: a whip or smear of 2-4 frames between two still pictures is a gradual transition
# (analysis.find_bursts; a photo edit's chain of them lost 9 of 19 in fresh18, scored with 1.16).
# A gradual transition whose frames hold one dominant jump (not a flash) is placed on that jump: a
# cut with motion beside it (analysis.placed_on_jump).
# 1.18: shots of two or three frames cut one after another are cuts each, though half the frames of
# their neighbourhood jump (analysis.montage_cuts; a sitcom's opening montage lost 33 of 44
# cuts in fresh19, scored with 1.17).
# 1.19: a montage cut is not joined with a later boundary either (analysis.join_transitions); two
# jumps around 1-3 held frames that mix the pictures beside them are one fast dissolve.
# 1.20: a caption switched or typed over a picture that goes on as before is no jump cut (the
# picture outside the caption's band changes no more than on the frames beside it, features.line_rest;
# the most frequent false boundary in fresh19 and fresh20, fresh20 scored with 1.19).
# 1.21: two dissolves of a slideshow inside one window are two transitions (analysis._split_on_mixes;
# fresh21, scored with 1.20, lost 2 of 15 so).
# 1.22: a slow fade sinks steadily (a one-frame black blink is no dip, analysis._slow_fade), and a
# windowed gradual is placed on a mixing frame only where the picture changes most (a wipe's
# boundary stayed in it, not on motion after it; fresh22, scored with 1.21).
# 1.23: a fade from a video's first frame or into its last is the edge shot's own when that frame
# is dim, not only when it is flat (analysis.EDGE_FADE_MAX_SPREAD; after fresh23 and fresh24).
# 1.24: stills held longer than three frames between jumps are a montage of cuts, not animation in
# steps (analysis.HELD_MAX_RUN; fresh27, scored with 1.23, missed six cuts in a row so).
# 1.25: a fade into or out of a black hold ends at the latest at a boundary already found: its
# contrast was followed through a cut into the next shot, which made it no steady climb, and the
# fade was dropped (analysis._fading_span; fresh31, scored with 1.24, missed three fades so).
# 1.26: a jump between a flash's first and last jumps, the picture and its layout coming back, is
# inside the flash, not a cut (analysis.FLASH_INSIDE_RETURN_SHARE; two light leaks in fresh32,
# scored with 1.25).
# 1.27: a trailer's black hold left grainy (mean luma at most 24, spread at most 2.5, the labelled
# sets' own black measure) is a hold that fades enter and leave (analysis.BLACK_HOLD_SPREAD; after
# fresh34, scored with 1.26).
# 1.28: three frames black by that measure, their mean luma within 1 code value of the darkest, are
# a hold though the first still settles to the floor, and two fades are not joined across it
# (analysis.BLACK_HOLD_LEVEL_BAND; fresh35, scored with 1.27, missed 15 of 37 fades so).
# 1.29: a jump into a black frame from a picture with contrast is a flash only if the picture's
# layout comes back too: dark shots' histograms look alike, and a dark shot cut to black and
# faded up again passed the colour flash check (analysis._cuts_into_black; fresh35, fresh33).
# 1.30: two cuts are one dissolve (its two ends jumping) only if the frames between mix the
# pictures around them; moving pictures that mix neither side are a short shot of their own
# (analysis._blends_between; fresh43, scored with 1.29: a city montage joined by whips).
# 1.31: a cut into one or two black frames that close the video belongs to the last shot, as a
# fade-out into them does (analysis.drop_edge_fades; fresh47, scored with 1.30, and fresh14); two
# strong jumps around a short shot lit by strobes are two cuts, not one fast dissolve
# (analysis.SHORT_SHOT_STRONG; fresh45, scored with 1.30).
# 1.32: a dip whose fades change the picture on each of the 4 frames next to its bottom is a dip,
# however fast (analysis.DIP_FAST_SIDE; fresh48, scored with 1.31: 6-frame dips at 30 fps), and a
# dip through held white is one transition (analysis._white_hold_between; fresh49, scored with 1.31).
# 1.33: a fade in from white at the video's start (or out into white at its end) belongs to the
# first (last) shot, as one from black does (analysis.drop_edge_fades; fresh49, scored with 1.31).
# 1.34: a cut after which at least half of the picture's textured blocks are unchanged is a title,
# slogan or panel popping up over a picture that stays, not a shot change (features.still_share,
# analysis.drop_graphics; fresh49, scored with 1.31: slogans over a housing advert).
# 1.35: a long gradual whose frames mix neither end while the whole picture moves and whose ends
# look alike is a camera move within one scene, not a dissolve (analysis.drop_camera_moves; fresh51,
# scored with 1.33: false graduals over a walk-through's camera turns; pans and 360° walks before).
# 1.36: a jump under both cut floors that colour and layout make together, each far above the frames
# around it, is a cut (analysis.QUIET_CUT_MIN; fresh58, scored with 1.35: cuts between torch-lit pictures).
# 1.37: a layout jump whose nearest comparable jumps lie beyond 4 frames of calm is a cut in a run of
# short shots, not shaking (analysis.MONTAGE_CALM_REACH; fresh60, scored with 1.36: stills cut on the beat).
# Stored results keep the version they were made with; nothing reads it back to decode them.
MODEL_VERSION = "fallback-1.37"
# DetectOptions(transitions="learned"): the learned boundary model (detector.learned) decides over
# the rules' proposals; cues are the same.
LEARNED_MODEL_VERSION = "fallback-1.37-learned"
# DetectOptions(transitions="hybrid"): the rules with TransNetV2's second opinion (detector.hybrid).
HYBRID_MODEL_VERSION = "fallback-1.37-hybrid"
_VERSIONS = {"rules": MODEL_VERSION, "learned": LEARNED_MODEL_VERSION, "hybrid": HYBRID_MODEL_VERSION}
# Content is whatever no other cue covers: there is no margin to measure, so a fixed value that
# survives the default filter (50) and a strict one (80) but not a stricter one.
CONTENT_CONFIDENCE = 80.0
# The first shot starts with the video: no decision made it, only the decoder could be wrong.
FIRST_SHOT_CONFIDENCE = 99.0
# Slivers shorter than this between two cues are their edges, not content.
CONTENT_MIN_SECONDS = 0.5
CONTENT_MIN_FRAMES = 3
# Frames either side of a gradual's mixed frames where a sliver counts as part of it.
GRADUAL_EDGE_FRAMES = 2
# A cue run starting or ending this close to a shot boundary starts or ends on it: the frames
# next to a cut or inside a fade only nearly pass a cue's test (the dark end of a fade counts as
# black at Rekognition's pixel threshold; compression smears the first frame after a cut).
CUE_SNAP_FRAMES = 3
# Credits are found once text has moved for a while; they start with their shot, up to this before.
CREDITS_SNAP_SECONDS = 0.5
CARD_CUES = ("Slate", "StudioLogo")
CARD_MIN_SHARE = 0.6  # a card covering this much of its shot's clean frames is the shot


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
    edge = GRADUAL_EDGE_FRAMES
    spans = [(t.start - edge, t.end + edge) for t in raw.transitions if t.kind == "gradual"]
    min_frames = max(CONTENT_MIN_FRAMES, round(float(raw.probe.rate) * CONTENT_MIN_SECONDS))
    runs = []
    for a, b in gaps:
        if b - a + 1 < min_frames or any(lo <= a and b <= hi for lo, hi in spans):
            continue
        runs.append(CueRun("Content", a, b, CONTENT_CONFIDENCE))
    return runs


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


def _snap_to_transitions(cues: list[CueRun], raw: RawDetection) -> list[CueRun]:
    """Move each cue run's edges onto a cut a few frames away (end credits: up to half a second)."""
    # Cuts only: a gradual's mixed span is an estimate, a cut's frame is exact.
    starts = [t.frame for t in raw.transitions if t.kind == "cut"]
    ends = [frame - 1 for frame in starts]
    credits_reach = round(float(raw.probe.rate) * CREDITS_SNAP_SECONDS)
    snapped = []
    for run in cues:
        start, end = run.start, run.end
        near = [b for b in starts if abs(b - start) <= CUE_SNAP_FRAMES and b <= end]
        if run.cue == "EndCredits":
            near += [b for b in starts if start - credits_reach <= b < start]
        if near:
            start = min(near, key=lambda b: abs(b - start))
        near = [e for e in ends if abs(e - end) <= CUE_SNAP_FRAMES and e >= start]
        if near:
            end = min(near, key=lambda e: abs(e - end))
        snapped.append(replace(run, start=max(start, raw.first), end=min(end, raw.last)))
    return snapped


def _shot_segments(raw: RawDetection, opts: DetectOptions) -> list[dict[str, Any]]:
    """One SHOT per transition's new shot (and the first), indexed over the shots kept by the filter."""
    rate: Fraction = raw.probe.rate
    starts = [(raw.first, FIRST_SHOT_CONFIDENCE)] + [(t.frame, t.confidence) for t in raw.transitions]
    segments = []
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
    return segments


def _cue_segments(raw: RawDetection, opts: DetectOptions) -> list[dict[str, Any]]:
    """TECHNICAL_CUE segments: cues where they may sit, cards fitted to their shots, Content between."""
    rate: Fraction = raw.probe.rate
    placed = place_cues(list(raw.cues), raw.first, raw.last, float(rate))
    cues = _snap_to_transitions(_fit_cards_to_shots(placed, raw), raw)
    return [
        build_segment(
            segment_type="TECHNICAL_CUE",
            start_frame=run.start,
            end_frame=run.end,
            rate=rate,
            confidence=run.confidence,
            cue_type=run.cue,
        )
        for run in [*cues, *_content_runs(raw, cues)]
        if run.confidence >= opts.cue_min_confidence
    ]


def assemble(raw: RawDetection, options: DetectOptions | None = None) -> dict[str, Any]:
    """The GetSegmentDetection response for a raw detection."""
    opts = options or DetectOptions()
    segments = []
    if "SHOT" in opts.segment_types:
        segments += _shot_segments(raw, opts)
    if "TECHNICAL_CUE" in opts.segment_types:
        segments += _cue_segments(raw, opts)
    return {
        "JobStatus": "SUCCEEDED",
        "VideoMetadata": [raw.probe.video_metadata],
        "AudioMetadata": raw.probe.audio_metadata,
        "SelectedSegmentTypes": selected_segment_types(opts.segment_types, _VERSIONS[opts.transitions]),
        "Segments": sort_segments(segments, opts.segment_types),
    }
