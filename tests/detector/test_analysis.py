"""Decisions on per-frame signals: the signal patterns real clips produce, without decoding."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from detector.analysis import (
    GRADUAL_MAX_CONFIDENCE,
    Transition,
    calibrated,
    drop_camera_moves,
    drop_edge_fades,
    find_bursts,
    find_cuts,
    find_dips,
    find_graduals,
    find_hold_fades,
    find_mixes,
    join_transitions,
    montage_cuts,
    placed_on_jump,
    region_confidence,
    rule_transitions,
)
from detector.features import F32, SignalArrays

f32 = partial(np.asarray, dtype=np.float32)


def series(spread: F32, d_hist: F32, **more: F32) -> SignalArrays:
    """Signals with the given luma spread and histogram jumps (and ``more`` series); every other is zero."""
    zero = np.zeros_like(spread)
    given = {"spread": spread, "d_hist": d_hist, **more}
    return SignalArrays(**{name: given.get(name, zero) for name in SignalArrays._fields})


def slow_fade() -> SignalArrays:
    """A 90-frame fade through black over dark footage (25 fps): each frame changes little, steadily."""
    down = np.linspace(30.0, 0.5, 45, dtype=np.float32)
    spread = np.r_[np.full(40, 30.0), down, down[::-1], np.full(40, 30.0)].astype(np.float32)
    luma = np.r_[np.full(40, 90.0), np.linspace(90, 16, 45), np.linspace(16, 90, 45), np.full(40, 90.0)]
    d_hist = np.full(spread.size, 0.03, dtype=np.float32)
    d_hist[40:130] = 0.07  # below the per-frame change a fast fade shows
    return series(spread, d_hist, luma=luma.astype(np.float32))


def dip(hold: int) -> SignalArrays:
    """Shot A, a 12-frame fade to black, ``hold`` flat black frames, a 12-frame fade in, shot B (25 fps)."""
    down = np.linspace(76, 0, 12)
    spread = np.r_[np.full(40, 76.0), down, np.zeros(hold), down[::-1], np.full(40, 56.0)].astype(np.float32)
    d_hist = np.full(spread.size, 0.02, dtype=np.float32)
    d_hist[40:52] = d_hist[52 + hold : 64 + hold] = 0.6  # every fading frame changes the histogram
    d_hist[52 : 52 + hold] = 0.0
    return series(spread, d_hist)


def test_fade_out_straight_into_fade_in_is_one_transition() -> None:
    signals = dip(hold=0)  # two black frames, each fade's own end: fewer than a shot's three
    # What the cut and gradual passes report for it: one boundary where each fade starts changing.
    found = [Transition(42, "gradual", 100.0, 40, 45), Transition(63, "gradual", 96.0, 60, 65)]
    merged = join_transitions(found, signals, 25.0)
    assert len(merged) == 1
    assert 40 <= merged[0].frame <= 65  # inside the mixed frames, at the bottom of the dip
    assert (merged[0].start, merged[0].end, merged[0].confidence) == (40, 65, 100.0)


def test_a_black_hold_long_enough_to_be_a_segment_keeps_both_boundaries() -> None:
    signals = dip(hold=8)  # 8 frames = 0.32 s: a BlackFrames segment of its own
    found = [Transition(42, "gradual", 100.0, 40, 45), Transition(70, "gradual", 96.0, 67, 72)]
    assert join_transitions(found, signals, 25.0) == found


def white_dip(hold: int, hold_spread: float = 0.0) -> SignalArrays:
    """Shot A, a 12-frame fade to white, ``hold`` held white frames (contrast ``hold_spread``), a
    12-frame fade in, shot B (25 fps)."""
    down = np.linspace(60, 6, 12)
    spread = np.r_[np.full(40, 60.0), down, np.full(hold, hold_spread), down[::-1], np.full(40, 60.0)]
    fade = np.linspace(120, 225, 12)
    luma = np.r_[np.full(40, 120.0), fade, np.full(hold, 235.0), fade[::-1], np.full(40, 120.0)]
    d_hist = np.full(spread.size, 0.02, dtype=np.float32)
    d_hist[40:52] = d_hist[52 + hold : 64 + hold] = 0.6
    d_hist[52 : 52 + hold] = 0.0
    return series(spread.astype(np.float32), d_hist, luma=luma.astype(np.float32))


def test_a_fade_out_to_held_white_and_in_again_is_one_transition() -> None:
    # fresh49's charity film: dips through 8 and 12 white frames, each reported as two fades.
    found = [Transition(46, "gradual", 100.0, 40, 51), Transition(66, "gradual", 96.0, 60, 71)]
    [dip] = join_transitions(found, white_dip(hold=8), 25.0)
    assert (dip.kind, dip.frame, dip.start, dip.end) == ("gradual", 60, 40, 71)  # where B appears


def test_a_white_card_carrying_a_caption_between_two_fades_stays_a_shot() -> None:
    found = [Transition(46, "gradual", 100.0, 40, 51), Transition(66, "gradual", 96.0, 60, 71)]
    assert join_transitions(found, white_dip(hold=8, hold_spread=3.5), 25.0) == found


def test_two_cuts_around_a_steady_shot_stay_two() -> None:
    spread = np.full(120, 60.0, dtype=np.float32)
    d_hist = np.full(120, 0.02, dtype=np.float32)
    found = [Transition(40, "cut", 90.0, 40, 39), Transition(70, "cut", 90.0, 70, 69)]
    assert join_transitions(found, series(spread, d_hist), 25.0) == found


def both_ends_jumping(mixing: float) -> SignalArrays:
    """Two jumps (frames 50, 66) with every frame between changing the histogram by 0.13-0.25; a
    share ``mixing`` of the picture's blocks is the average of the frames around each of them."""
    d_hist = np.full(120, 0.02, dtype=np.float32)
    d_hist[50] = 0.9
    d_hist[51:66] = np.resize(f32([0.22, 0.19, 0.23, 0.17, 0.19, 0.15, 0.25, 0.13]), 15)
    mix_cover = np.zeros(120, dtype=np.float32)
    mix_cover[50:66] = mixing
    return series(np.full(120, 50.0, dtype=np.float32), d_hist, mix_cover=mix_cover)


def test_a_dissolve_reported_at_both_ends_is_one_transition() -> None:
    # A 16-frame dissolve whose first frame jumps (0.9) and whose mixing keeps every frame changing.
    found = [Transition(50, "cut", 60.0, 50, 49), Transition(66, "cut", 70.0, 66, 65)]
    merged = join_transitions(found, both_ends_jumping(mixing=0.8), 30.0)
    assert [(t.kind, t.confidence) for t in merged] == [("gradual", 70.0)]
    assert 50 <= merged[0].frame <= 66 and merged[0].start <= 50 and merged[0].end >= 65


def test_a_short_shot_full_of_motion_between_two_cuts_is_no_dissolve() -> None:
    # fresh43's city montage: shots of 6-14 frames joined by whips, every frame moving, none a mix
    # of the shots around (a block or two of 36 at most). Until 1.30 each became one dissolve.
    found = [Transition(50, "cut", 60.0, 50, 49), Transition(66, "cut", 70.0, 66, 65)]
    assert join_transitions(found, both_ends_jumping(mixing=0.03), 30.0) == found


def test_a_short_moving_shot_between_two_cuts_is_kept() -> None:
    # Fast motion changes the histogram on some frames, not on most.
    d_hist = np.full(120, 0.02, dtype=np.float32)
    d_hist[50], d_hist[62] = 0.9, 0.8
    d_hist[51:62:2] = 0.3
    spread = np.full(120, 50.0, dtype=np.float32)
    found = [Transition(50, "cut", 90.0, 50, 49), Transition(62, "cut", 90.0, 62, 61)]
    assert join_transitions(found, series(spread, d_hist), 30.0) == found


def moving_shot_between_cuts(frames: int, d_pix_inside: float) -> tuple[SignalArrays, list[Transition]]:
    """Cuts at frame 50 and 50 + ``frames``, the histogram changing on every frame between, and the
    frames between mixing the pictures around them (as a dissolve's would; see the mix test above)."""
    d_hist = np.full(150, 0.02, dtype=np.float32)
    d_hist[50 : 51 + frames] = 0.3
    d_pix = np.full(150, 0.01, dtype=np.float32)
    d_pix[51 : 50 + frames] = d_pix_inside
    d_pix[50] = d_pix[50 + frames] = 0.2
    mix_cover = np.zeros(150, dtype=np.float32)
    mix_cover[50 : 50 + frames] = 0.8
    found = [Transition(50, "cut", 90.0, 50, 49), Transition(50 + frames, "cut", 90.0, 50 + frames, 49 + frames)]
    return series(np.full(150, 50.0, dtype=np.float32), d_hist, d_pix=d_pix, mix_cover=mix_cover), found


def test_cuts_standing_out_above_the_motion_between_them_bound_a_shot() -> None:
    signals, found = moving_shot_between_cuts(24, d_pix_inside=0.05)
    assert join_transitions(found, signals, 25.0) == found
    signals, found = moving_shot_between_cuts(24, d_pix_inside=0.15)  # mixing as fast as the ends jump
    assert [t.kind for t in join_transitions(found, signals, 25.0)] == ["gradual"]


def test_boundaries_with_a_cut_farther_apart_than_a_transition_lasts_bound_a_shot() -> None:
    signals, found = moving_shot_between_cuts(45, d_pix_inside=0.15)  # 1.8 s at 25 fps
    assert join_transitions(found, signals, 25.0) == found


def jumps_three_frames_apart(d_pix_between: float) -> SignalArrays:
    """Histogram jumps at frames 50 and 53, the histogram still changing on the two frames between."""
    d_hist = np.full(120, 0.02, dtype=np.float32)
    d_hist[50] = d_hist[53] = 0.9
    d_hist[51:53] = 0.2
    d_pix = np.full(120, 0.01, dtype=np.float32)
    d_pix[50] = d_pix[53] = 0.2
    d_pix[51:53] = d_pix_between
    ones = np.ones(120, dtype=np.float32)  # no frame comes back: no flash
    return series(np.full(120, 50.0, dtype=np.float32), d_hist, d_pix=d_pix, skip=ones, back=ones)


def cut_then_motion() -> SignalArrays:
    """A cut at frame 50 (0.9) into three frames of motion that end in a smaller jump (0.35)."""
    d_hist = np.full(120, 0.02, dtype=np.float32)
    d_hist[50], d_hist[51:53], d_hist[53] = 0.9, 0.2, 0.35
    d_pix = np.full(120, 0.01, dtype=np.float32)
    d_pix[50:54] = [0.2, 0.18, 0.18, 0.2]
    ones = np.ones(120, dtype=np.float32)  # no frame comes back: no flash
    return series(np.full(120, 50.0, dtype=np.float32), d_hist, d_pix=d_pix, skip=ones, back=ones)


def test_jumps_with_mixing_frames_between_are_one_fast_transition() -> None:
    (fast,) = find_cuts(jumps_three_frames_apart(d_pix_between=0.18))
    assert fast.kind == "gradual" and fast.start == 50 and fast.end == 52


def held_dissolve(mixes: bool) -> SignalArrays:
    """Jumps at frames 50 and 52 and a held frame between (51 repeats 50: no change); frames 50-51
    are the average of the pictures around them when ``mixes``, else a 2-frame shot of its own."""
    signals = jumps_three_frames_apart(d_pix_between=0.0)
    d_hist, d_pix = signals.d_hist.copy(), signals.d_pix.copy()
    d_hist[50:54], d_pix[50:54] = [0.9, 0.01, 0.9, 0.02], [0.2, 0.0, 0.2, 0.01]
    n = len(d_hist)
    mix_dist = np.full(n, 0.3, dtype=np.float32)
    mix_res = np.full(n, 0.15, dtype=np.float32)  # half the distance: no mix
    mix_cover = np.zeros(n, dtype=np.float32)
    if mixes:
        mix_res[50:52], mix_cover[50:52] = 0.03, 0.95
    return signals._replace(d_hist=d_hist, d_pix=d_pix, mix_dist=mix_dist, mix_res=mix_res, mix_cover=mix_cover)


def test_jumps_around_held_mixed_frames_are_one_fast_dissolve() -> None:
    # A 2-frame dissolve whose mixed picture a frame-rate conversion repeated (fresh19's puppy advert).
    (fast,) = find_cuts(held_dissolve(mixes=True))
    assert (fast.kind, fast.start, fast.end) == ("gradual", 50, 51)
    assert [(t.kind, t.frame) for t in find_cuts(held_dissolve(mixes=False))] == [("cut", 50), ("cut", 52)]


def test_jumps_around_frames_that_change_far_less_bound_a_short_shot() -> None:
    assert [(t.kind, t.frame) for t in find_cuts(jumps_three_frames_apart(d_pix_between=0.03))] == [
        ("cut", 50),
        ("cut", 53),
    ]


def strobe_lit_short_shot(ends: float) -> SignalArrays:
    """Histogram jumps of ``ends`` at frames 50 and 60; the nine frames between move (0.1) and a strobe
    lights two of them (frames 54-55 change the pixels as much as the jumps do)."""
    d_hist = np.full(120, 0.02, dtype=np.float32)
    d_hist[51:60] = 0.1
    d_hist[50] = d_hist[60] = ends
    d_pix = np.full(120, 0.01, dtype=np.float32)
    d_pix[51:60] = 0.03
    d_pix[54:56] = 0.15
    d_pix[50] = d_pix[60] = 0.3
    ones = np.ones(120, dtype=np.float32)  # no frame comes back: no flash
    return series(np.full(120, 50.0, dtype=np.float32), d_hist, d_pix=d_pix, skip=ones, back=ones)


def test_two_strong_cuts_around_a_strobe_lit_short_shot_stay_two_cuts() -> None:
    # fresh45's festival reel: 10-11-frame shots lit by strobes were reported as one fast dissolve.
    assert [(t.kind, t.frame) for t in find_cuts(strobe_lit_short_shot(ends=0.9))] == [("cut", 50), ("cut", 60)]


def test_weaker_jumps_around_frames_that_change_as_much_stay_one_fast_transition() -> None:
    [fast] = find_cuts(strobe_lit_short_shot(ends=0.5))
    assert (fast.kind, fast.start, fast.end) == ("gradual", 50, 59)


def test_a_fade_through_black_with_no_hold_is_found_at_its_bottom() -> None:
    # Shot A, 8 frames fading to a flat frame, 8 frames fading into shot B; no cut anywhere.
    spread = np.r_[np.full(40, 56.0), np.linspace(56, 0, 9)[:-1], [0.0], np.linspace(0, 56, 9)[1:],
                   np.full(40, 56.0)].astype(np.float32)  # fmt: skip
    d_hist = np.full(spread.size, 0.03, dtype=np.float32)
    d_hist[40:57] = 0.9
    (dip_boundary,) = find_dips(series(spread, d_hist), 24.0)
    assert dip_boundary.kind == "gradual" and 47 <= dip_boundary.frame <= 50  # just after the flat bottom
    assert dip_boundary.start <= 41 and dip_boundary.end >= 55


def fast_dip(fading: int) -> SignalArrays:
    """A 30 fps shot fading to one black frame (frame 46) and up into the next shot, the picture
    changing on ``fading`` frames each side of it (fresh48's football film: 6 down, 5 up)."""
    fade = np.linspace(38.0, 4.0, fading + 1)[:-1]
    spread = np.r_[np.full(40, 38.0), fade, [1.7], fade[::-1], np.full(40, 44.0)].astype(np.float32)
    d_hist = np.full(spread.size, 0.02, dtype=np.float32)
    d_hist[40 : 40 + 2 * fading + 2] = 0.8  # every fading frame, the black one and the first after
    return series(spread, d_hist)


def test_a_fast_dip_through_one_black_frame_at_30_fps_is_found() -> None:
    [dip_boundary] = find_dips(fast_dip(fading=6), 30.0)
    assert (dip_boundary.kind, dip_boundary.frame) == ("gradual", 47)  # just after the black frame


def test_a_black_blink_with_two_changing_frames_each_side_is_no_dip() -> None:
    assert find_dips(fast_dip(fading=2), 30.0) == []


def test_a_flash_to_white_is_not_a_dip() -> None:
    spread = np.full(100, 50.0, dtype=np.float32)
    spread[50:52] = 0.0  # two saturated frames
    d_hist = np.full(100, 0.02, dtype=np.float32)
    d_hist[50], d_hist[52] = 1.2, 1.2
    assert find_dips(series(spread, d_hist), 25.0) == []


def test_two_detections_of_one_boundary_become_one() -> None:
    spread = np.full(100, 50.0, dtype=np.float32)
    d_hist = np.full(100, 0.02, dtype=np.float32)
    found = [Transition(50, "cut", 80.0, 50, 49), Transition(51, "gradual", 90.0, 48, 53)]
    assert join_transitions(found, series(spread, d_hist), 25.0) == [found[1]]


def test_a_slow_fade_through_black_is_found_once_at_its_bottom() -> None:
    signals = slow_fade()
    (boundary,) = find_dips(signals, 25.0)
    assert 40 <= boundary.start < boundary.frame <= boundary.end + 1 <= 130  # inside the fade
    # The windowed pass sees its two halves; with the dip they are one transition.
    halves = [Transition(60, "gradual", 100.0, 48, 72), Transition(108, "gradual", 100.0, 98, 119)]
    (joined,) = join_transitions([*halves, boundary], signals, 25.0)
    assert joined.start <= 48 and joined.end >= 119


def cut_into_one_black_frame(layout_back: float) -> SignalArrays:
    """A dark shot (frames 0-8) cut to one black frame (9) fading up (10-16) to the next shot, 25 fps:
    fresh35's Argentine trailer, frame for frame. Over mostly black pixels the histogram of the
    dark shot is near that of the frames fading up (the colour flash check: 0.16 against a jump of
    0.77); the layout of the shot before comes back within ``layout_back`` of the jump's."""
    return series(
        f32([17.35, 17.32, 17.25, 17.41, 17.51, 17.65, 17.87, 17.85, 18.04, 0.0, 4.6, 9.96, 15.47, 20.92, 26.4,
             31.78, 37.21, 37.27, 37.41, 37.5, 37.56, 37.64]),
        f32([0.018, 0.014, 0.012, 0.013, 0.017, 0.012, 0.014, 0.014, 0.019, 0.765, 0.497, 0.176, 0.169, 0.091,
             0.138, 0.112, 0.104, 0.008, 0.007, 0.007, 0.01, 0.006]),
        luma=f32([27.14, 27.27, 27.37, 27.46, 27.68, 27.78, 28.0, 28.01, 28.12, 16.0, 18.9, 22.96, 27.28, 31.29,
                  35.75, 39.94, 44.0, 44.09, 44.26, 44.31, 44.42, 44.47]),
        d_pix=f32([0.007] * 4 + [0.005] * 5 + [0.048, 0.011, 0.016, 0.017, 0.016, 0.018, 0.017, 0.016] + [0.001] * 5),
        d_grid=f32([0.002] * 9 + [0.036, 0.009, 0.011, 0.012, 0.011, 0.012, 0.011, 0.011] + [0.001] * 5),
        skip=f32([0.019, 0.022, 0.016, 0.019, 0.017, 0.013, 0.014, 0.021, 0.245, 0.162, 0.663, 0.329, 0.238, 0.202,
                  0.201, 0.2, 0.108, 0.009, 0.009, 0.009, 0.012, 0.007]),
        back=f32([0.018, 0.019, 0.022, 0.016, 0.019, 0.017, 0.013, 0.014, 0.021, 0.759, 0.418, 0.245, 0.162, 0.238,
                  0.202, 0.201, 0.2, 0.109, 0.009, 0.009, 0.009, 0.012]),
        skip_grid=f32([0.004] * 4 + [0.003] * 4 + [0.03, 0.036 * layout_back, 0.02, 0.023, 0.023, 0.023, 0.023,
                                                   0.023, 0.011] + [0.001] * 5),
        back_grid=f32([0.003, 0.004, 0.004, 0.004, 0.004, 0.003, 0.003, 0.003, 0.003, 0.035, 0.033, 0.02, 0.023,
                       0.023, 0.023, 0.023, 0.023, 0.011, 0.001, 0.001, 0.001, 0.001]),
    )  # fmt: skip


def test_a_dark_shot_cut_to_one_black_frame_and_faded_up_is_a_boundary() -> None:
    # Until 1.29 the colour flash check took the cut for a black blink, and nothing was reported.
    assert [(t.frame, t.kind) for t in find_cuts(cut_into_one_black_frame(layout_back=0.82))] == [(9, "cut")]


def test_a_black_blink_whose_picture_comes_back_is_no_cut() -> None:
    # The same frames, but the shot before comes back in layout too: a blink, as before 1.29.
    assert find_cuts(cut_into_one_black_frame(layout_back=0.2)) == []


def test_a_one_frame_black_blink_in_a_dim_shot_is_no_dip() -> None:
    # A rendered shot (30 fps) whose contrast drifts down for two seconds, blinks to black for one
    # frame (nearly all of the drop in two steps) and drifts up again: the same picture either side.
    spread = np.r_[np.linspace(40.0, 34.4, 60), 23.7, 0.1, 24.6, np.linspace(35.3, 42.0, 60)].astype(np.float32)
    d_hist = np.full(spread.size, 0.07, dtype=np.float32)  # mostly black frames: the histogram barely moves
    assert find_dips(series(spread, d_hist), 30.0) == []
    # The steady slow fade is still a dip.
    assert len(find_dips(slow_fade(), 25.0)) == 1


def test_a_cut_after_a_finished_fade_and_a_short_shot_is_its_own_transition() -> None:
    # A fade in (frames 40-64, every frame changing), five still frames of the new shot, a hard cut.
    d_hist = np.full(120, 0.02, dtype=np.float32)
    d_hist[40:65] = 0.3
    d_hist[70] = 1.2
    spread = np.full(120, 40.0, dtype=np.float32)
    found = [Transition(52, "gradual", 80.0, 40, 64), Transition(70, "cut", 100.0, 70, 69)]
    assert join_transitions(found, series(spread, d_hist), 25.0) == found


def test_the_still_frames_after_a_fade_are_not_a_second_transition() -> None:
    # A cut-like first frame at 50, a fade to frame 70, then a still shot: the windowed distance
    # stays high for a window after the fade ends, over frames that do not change at all.
    d_hist = np.full(160, 0.001, dtype=np.float32)
    d_hist[50:71] = 0.5
    wide = np.zeros(160, dtype=np.float32)
    wide[34:92] = 1.5
    signals = series(np.full(160, 40.0, dtype=np.float32), d_hist, wide=wide)
    cut = Transition(50, "cut", 60.0, 50, 49)
    assert find_graduals(signals, [cut]) == []
    # ... while the same window over frames that keep changing is a gradual transition.
    d_hist[71:92] = 0.1
    assert len(find_graduals(series(np.full(160, 40.0, dtype=np.float32), d_hist, wide=wide), [cut])) == 1


def still_camera(jumps: dict[int, float]) -> SignalArrays:
    """A fixed camera (tiny layout change every frame) with layout jumps that do not come back."""
    d_grid = np.tile(np.array([0.002, 0.004, 0.006, 0.003], dtype=np.float32), 30)
    for frame, size in jumps.items():
        d_grid[frame] = size
    no_return = np.full(d_grid.size, 0.05, dtype=np.float32)  # no frame matches one before a jump
    flat = np.full(d_grid.size, 50.0, dtype=np.float32)
    return series(flat, np.full(d_grid.size, 0.01, dtype=np.float32), d_grid=d_grid, skip_grid=no_return,
                  back_grid=no_return)  # fmt: skip


def test_a_jump_cut_on_a_still_camera_is_a_cut() -> None:
    assert [t.frame for t in find_cuts(still_camera({50: 0.03}))] == [50]


def test_a_burned_in_counter_gaining_a_digit_is_not_a_cut() -> None:
    # The counter's box widens (0.03) and the digits keep changing nearby (0.011: 37 % as much).
    assert find_cuts(still_camera({50: 0.03, 55: 0.011})) == []


def in_a_band(share: float, rest: float, signals: SignalArrays | None = None, frame: int = 50) -> SignalArrays:
    """``signals`` (by default a layout jump at frame 50 of a still camera) with ``share`` of the
    pixel change at ``frame`` in one band of rows, and the change outside that band ``rest`` times
    the same rows' on the frames beside it."""
    signals = still_camera({50: 0.03}) if signals is None else signals
    line_share = np.full(len(signals.luma), 0.3, dtype=np.float32)
    line_rest = np.full(len(signals.luma), 1.0, dtype=np.float32)
    line_share[frame], line_rest[frame] = share, rest
    return signals._replace(line_share=line_share, line_rest=line_rest)


def test_a_caption_line_swapped_over_a_still_camera_is_not_a_cut() -> None:
    assert find_cuts(in_a_band(0.99, 3.0)) == []  # all of the change lies in one band of rows
    # A jump cut changes pixels outside the densest band as well, more than the frames beside do.
    assert [t.frame for t in find_cuts(in_a_band(0.8, 3.0))] == [50]


def test_a_caption_swapped_over_a_picture_going_on_as_before_is_not_a_cut() -> None:
    # Most of the change in one band, and outside it no more change than on the frames beside it.
    assert find_cuts(in_a_band(0.8, 0.9)) == []
    assert [t.frame for t in find_cuts(in_a_band(0.5, 0.9))] == [50]  # spread out: a re-framed picture


def test_a_short_shot_on_a_still_camera_has_both_cuts() -> None:
    # Into a 4-frame insert from another moment of the shot and back out: two comparable jumps.
    assert [t.frame for t in find_cuts(still_camera({50: 0.03, 54: 0.025}))] == [50, 54]


def test_two_halves_of_a_slow_fade_are_one_transition_and_a_still_shot_between_keeps_two() -> None:
    # Reports over frames 40-60 and 72-90; the picture changes on every frame between them.
    halves = [Transition(50, "gradual", 80.0, 40, 60), Transition(81, "gradual", 80.0, 72, 90)]
    d_hist = np.full(140, 0.02, dtype=np.float32)
    d_hist[40:91] = 0.1
    d_pix = np.full(140, 0.01, dtype=np.float32)
    spread = np.full(140, 40.0, dtype=np.float32)
    (joined,) = join_transitions(halves, series(spread, d_hist, d_pix=d_pix), 25.0)
    assert (joined.start, joined.end) == (40, 90)
    d_hist[61:72] = 0.015  # an 11-frame shot that holds still between two dissolves
    assert join_transitions(halves, series(spread, d_hist, d_pix=d_pix), 25.0) == halves


def test_a_fade_out_and_in_around_a_frozen_black_hold_stay_two_however_short_the_hold() -> None:
    # Fades over frames 30-49 and 54-73 with four frozen black frames (50-53) between them: the
    # black is a shot of its own. Their mixed spans nearly touch, which alone would join them.
    halves = [Transition(40, "gradual", 80.0, 30, 50), Transition(63, "gradual", 80.0, 54, 73)]
    spread = np.r_[
        np.full(30, 40.0), np.linspace(40, 6, 20), np.full(4, 6.0), np.linspace(6, 40, 20), np.full(30, 40.0)
    ]
    d_pix = np.full(spread.size, 0.01, dtype=np.float32)
    d_pix[51:54] = 0.0005  # each black frame repeats the one before, up to compression noise
    signals = series(spread.astype(np.float32), np.full(spread.size, 0.05, dtype=np.float32), d_pix=d_pix)
    assert join_transitions(halves, signals, 25.0) == halves
    spread[50:54] = [6.0, 5.6, 5.2, 5.6]  # the bottom of one slow dip: its contrast keeps moving
    signals = series(spread.astype(np.float32), np.full(spread.size, 0.05, dtype=np.float32), d_pix=d_pix)
    assert len(join_transitions(halves, signals, 25.0)) == 1


def test_a_fade_out_and_in_around_flat_black_whose_fade_still_decays_stay_two() -> None:
    # A trailer fades to black, holds it for five frames and fades in: on the black frames the
    # fade's last traces still decay by a tenth of a code value a frame, but nothing shows.
    halves = [Transition(40, "gradual", 80.0, 30, 50), Transition(63, "gradual", 80.0, 56, 73)]
    spread = np.r_[
        np.full(30, 40.0), np.linspace(40, 0.4, 20), [0.27, 0.145, 0.04, 0.03, 0.04, 0.3],
        np.linspace(1.4, 40, 18), np.full(30, 40.0),
    ]  # fmt: skip
    d_pix = np.full(spread.size, 0.01, dtype=np.float32)
    d_pix[51:56] = 0.0002
    signals = series(spread.astype(np.float32), np.full(spread.size, 0.05, dtype=np.float32), d_pix=d_pix)
    assert join_transitions(halves, signals, 24.0) == halves


def animated_on_threes(jumps: dict[int, float]) -> SignalArrays:
    """Footage rendered at 8 fps in a 25 fps video: each picture is held 3 frames, then moves a step."""
    n = 120
    d_hist = np.zeros(n, dtype=np.float32)
    d_hist[2::3] = 0.45  # every step of the animation moves the histogram this much
    for frame, size in jumps.items():
        d_hist[frame] = size
    d_pix = np.where(d_hist > 0, 0.02, 0.0).astype(np.float32)
    no_return = np.full(n, 1.0, dtype=np.float32)
    flat = np.full(n, 40.0, dtype=np.float32)
    return series(flat, d_hist, d_pix=d_pix, skip=no_return, back=no_return)


def test_the_steps_of_an_animation_on_threes_are_not_cuts() -> None:
    assert find_cuts(animated_on_threes({})) == []


def test_a_cut_in_an_animation_on_threes_still_stands_out() -> None:
    assert [t.frame for t in find_cuts(animated_on_threes({62: 1.9}))] == [62]


def still_montage(hold: int) -> SignalArrays:
    """Stills cut every ``hold`` frames from frame 30 to 78 (the histogram jumps 0.8 at each cut); the
    frame after each cut settles (the encoder's noise: it changes a little), the rest repeat."""
    n = 120
    d_hist = np.full(n, 0.002, dtype=np.float32)
    d_pix = np.zeros(n, dtype=np.float32)
    cuts = list(range(30, 80, hold))
    for f in cuts:
        d_hist[f], d_pix[f], d_pix[f + 1] = 0.8, 0.25, 0.002
    no_return = np.full(n, 1.0, dtype=np.float32)
    return series(np.full(n, 40.0, dtype=np.float32), d_hist, d_pix=d_pix, skip=no_return, back=no_return)


def test_stills_cut_every_sixth_frame_are_a_cut_each_not_animation_in_steps() -> None:
    # Every jump alternates with held frames as an animation's steps do, but a still held four
    # frames is no drawing on twos or threes: each jump is a cut (fresh27's party reel).
    assert [t.frame for t in find_cuts(still_montage(6))] == list(range(30, 80, 6))


def layout_jumps(jumps: dict[int, float], background: float = 0.004) -> SignalArrays:
    """Two angles of one scene: the histogram hardly moves, the layout jumps where ``jumps`` says
    and changes by ``background`` on every other frame."""
    n = 120
    d_grid = np.full(n, background, dtype=np.float32)
    for frame, size in jumps.items():
        d_grid[frame] = size
    no_return = np.full(n, 1.0, dtype=np.float32)
    flat = np.full(n, 40.0, dtype=np.float32)
    return series(flat, np.full(n, 0.02, dtype=np.float32), d_grid=d_grid, d_pix=np.full(n, 0.01, dtype=np.float32),
                  skip_grid=no_return, back_grid=no_return)  # fmt: skip


def test_a_layout_jump_that_stands_alone_is_a_cut_between_angles() -> None:
    assert [t.frame for t in find_cuts(layout_jumps({60: 0.09}))] == [60]


def test_a_layout_jump_barely_above_what_the_shot_moves_anyway_is_no_cut() -> None:
    # The shot's layout changes 0.01 a frame; 0.054 is over 3x that + 0.02 but not + 0.03.
    assert find_cuts(layout_jumps({60: 0.054}, background=0.01)) == []
    assert [t.frame for t in find_cuts(layout_jumps({60: 0.07}, background=0.01))] == [60]


def test_a_layout_jump_made_by_a_caption_over_a_picture_going_on_is_no_cut() -> None:
    jump = layout_jumps({60: 0.09})
    # The change in one band, the rest going on as before:
    assert find_cuts(in_a_band(0.8, 0.9, jump, frame=60)) == []
    # The rest of the picture jumps too: another angle.
    assert [t.frame for t in find_cuts(in_a_band(0.8, 3.0, jump, frame=60))] == [60]


def test_layout_jumps_on_several_nearby_frames_are_shaking_not_cuts() -> None:
    assert find_cuts(layout_jumps({56: 0.08, 60: 0.09, 64: 0.085})) == []


def histogram_jumps(jumps: dict[int, float]) -> SignalArrays:
    """One steady shot whose histogram jumps where ``jumps`` says; no frame comes back (no flash)."""
    n = 120
    d_hist = np.full(n, 0.03, dtype=np.float32)
    for frame, size in jumps.items():
        d_hist[frame] = size
    ones = np.ones(n, dtype=np.float32)
    return series(np.full(n, 40.0, dtype=np.float32), d_hist, skip=ones, back=ones, skip_grid=ones, back_grid=ones,
                  d_pix=np.full(n, 0.02, dtype=np.float32), luma=np.full(n, 100.0, dtype=np.float32))  # fmt: skip


def test_light_flickering_over_one_shot_is_no_cut() -> None:
    # A lens flare or a strobe: three weak histogram jumps within a few frames, each a cut on its own.
    flicker = histogram_jumps({50: 0.45, 54: 0.45, 57: 0.45})
    assert [t.frame for t in find_cuts(flicker)] == [50, 54, 57]
    assert rule_transitions(flicker, 25.0) == []


def test_a_cut_that_leaves_most_of_the_picture_as_it_was_is_a_graphic() -> None:
    # A strong jump where two thirds of the textured blocks did not change: slogans popping up.
    popping = histogram_jumps({60: 0.9})
    popping.still[60] = 0.65
    assert [t.frame for t in rule_transitions(popping, 25.0)] == []
    popping.still[60] = 0.4  # more than half of the picture changed: a cut
    assert [t.frame for t in rule_transitions(popping, 25.0)] == [60]


def quiet_cut(d_hist: float = 0.2, d_grid: float = 0.03, still: float = 0.05) -> SignalArrays:
    """A dark, letterboxed shot cut at frame 60 to another: colour and layout each jump under their
    floors (CUT_MIN 0.30, GRID_CUT_MIN 0.04) but far above the frames around (0.03 and 0.004)."""
    grid = np.full(120, 0.004, dtype=np.float32)
    grid[60] = d_grid
    grid[55] = 0.012  # someone moving: too much for a jump cut on a still camera (_still_camera_jump)
    kept = np.full(120, 0.3, dtype=np.float32)  # some blocks of a dark picture do not change
    kept[60] = still
    return histogram_jumps({60: d_hist})._replace(d_grid=grid, still=kept)


def test_a_cut_between_two_dark_pictures_under_both_floors_is_a_cut() -> None:
    assert [(t.frame, t.confidence) for t in rule_transitions(quiet_cut(), 25.0)] == [(60, 50.0)]
    # Only colour or only layout standing out: a light change, or something moving in the picture.
    assert rule_transitions(quiet_cut(d_grid=0.012), 25.0) == []
    assert rule_transitions(quiet_cut(d_hist=0.1), 25.0) == []
    # Part of the textured picture left as it was: a graphic or a lamp, not a new picture.
    assert rule_transitions(quiet_cut(still=0.2), 25.0) == []
    # A neighbourhood jumping as much: flicker or fast motion.
    restless = quiet_cut()
    restless.d_hist[52] = restless.d_hist[66] = 0.15
    assert rule_transitions(restless, 25.0) == []
    # The picture before it comes back: a flash.
    flash = quiet_cut()
    flash.skip[60] = 0.01
    assert rule_transitions(flash, 25.0) == []


def beat_edit(frames: list[int], between: float = 0.004) -> SignalArrays:
    """Cuts seen by the layout alone (the colours stay: stills of one film, one grade) at ``frames``;
    every other frame's layout changes by ``between`` (calm, or someone moving)."""
    grid = np.full(120, between, dtype=np.float32)
    pixels = np.full(120, 0.02, dtype=np.float32)
    grid[frames] = 0.1
    pixels[frames] = 0.12
    return histogram_jumps({})._replace(d_grid=grid, d_pix=pixels)


def test_stills_cut_every_few_frames_are_each_a_cut() -> None:
    # A beat edit of stills, 6 frames each: every cut has the next one 6 frames away, calm between.
    montage = [40, 46, 52, 58, 64]
    assert [t.frame for t in rule_transitions(beat_edit(montage), 25.0)] == montage
    # Jumps 2 frames apart (shaking), or with the picture moving as much between: no cut.
    assert rule_transitions(beat_edit([40, 42, 44, 46]), 25.0) == []
    assert rule_transitions(beat_edit(montage, between=0.05), 25.0) == []


def camera_move(wide: float, cover: float) -> SignalArrays:
    """Frames 40-70 change by 0.03 a frame over most of the picture (no block still); ``wide`` is the
    windowed histogram distance across them, ``cover`` the share of blocks mixing their ends."""
    n = 110
    d_pix = np.full(n, 0.005, dtype=np.float32)
    d_pix[40:71] = 0.03
    full = partial(np.full, n, dtype=np.float32)
    return series(full(40.0), full(0.03), d_pix=d_pix, still=full(0.05), wide=full(wide), mix_cover=full(cover))


def test_a_long_gradual_over_a_camera_move_within_one_scene_is_dropped() -> None:
    pan = Transition(55, "gradual", 70.0, 40, 70)
    assert drop_camera_moves([pan], camera_move(wide=0.7, cover=0.02)) == []
    # Two different pictures at its ends, or frames mixing them: a dissolve, kept.
    assert drop_camera_moves([pan], camera_move(wide=1.3, cover=0.02)) == [pan]
    assert drop_camera_moves([pan], camera_move(wide=0.7, cover=0.4)) == [pan]
    short = Transition(45, "gradual", 70.0, 40, 50)  # a fast transition: not judged by this rule
    assert drop_camera_moves([short], camera_move(wide=0.7, cover=0.02)) == [short]


def light_leak_flash(comes_back: bool = True) -> SignalArrays:
    """A steady shot with a two-frame light leak over it (frames 60-61, each unlike the other), the
    picture coming back at 62 (a gym reel's numbers, fresh32), or another shot coming up there."""
    n = 120
    d_hist, skip, back = (np.full(n, 0.02, dtype=np.float32) for _ in range(3))
    d_grid, skip_grid, back_grid = (np.full(n, 0.002, dtype=np.float32) for _ in range(3))
    d_hist[60:63], skip[60:63], back[60:63] = [1.18, 0.67, 1.27], [0.025, 1.0, 1.0], [1.0, 1.0, 0.018]
    d_grid[60:63], skip_grid[60:63], back_grid[60:63] = [0.21, 0.13, 0.20], [0.003, 0.2, 0.2], [0.21, 0.2, 0.003]
    d_pix = np.full(n, 0.007, dtype=np.float32)
    d_pix[60:63] = [0.27, 0.14, 0.36]
    if not comes_back:
        back[62], back_grid[62] = 1.0, 0.2
    grid = {"d_grid": d_grid, "skip_grid": skip_grid, "back_grid": back_grid}
    luma = np.full(n, 80.0, dtype=np.float32)
    return series(np.full(n, 50.0, dtype=np.float32), d_hist, skip=skip, back=back, d_pix=d_pix, luma=luma, **grid)


def test_the_jump_between_two_frames_of_a_light_leak_is_no_cut() -> None:
    # The flash checks see its first jump (the picture before comes back) and its last (the picture
    # after was there before); the jump between its two frames is neither, and clears both.
    flash = light_leak_flash()
    assert [t.frame for t in find_cuts(flash)] == [61]
    assert rule_transitions(flash, 25.0) == []
    # A flash cut into another shot: the picture after is new, so the jump stays a boundary.
    assert rule_transitions(light_leak_flash(comes_back=False), 25.0) != []


def test_rapid_cuts_that_change_the_picture_outright_are_all_kept() -> None:
    montage = histogram_jumps({50: 1.6, 53: 1.6, 56: 1.6})
    assert [(t.frame, t.kind) for t in rule_transitions(montage, 25.0)] == [(50, "cut"), (53, "cut"), (56, "cut")]


def test_weak_rapid_cuts_that_move_the_layout_are_cuts_not_flicker() -> None:
    # A travel reel's 3-frame shots of one place: each cut shifts the colours a little (as light
    # would) but also moves the picture's layout and pixels, which light playing over a shot does not.
    montage = histogram_jumps({50: 0.45, 54: 0.45, 57: 0.45})
    moved = np.zeros(len(montage.luma), dtype=np.float32)
    moved[[50, 54, 57]] = 0.09
    montage = montage._replace(d_grid=moved, d_pix=np.maximum(montage.d_pix, moved))
    assert [t.frame for t in rule_transitions(montage, 25.0)] == [50, 54, 57]


def test_two_weak_cuts_bounding_a_short_shot_are_kept() -> None:
    assert [t.frame for t in rule_transitions(histogram_jumps({50: 0.45, 56: 0.45}), 25.0)] == [50, 56]


def test_a_gradual_transition_never_claims_the_top_confidence_band_and_keeps_its_order() -> None:
    sure, unsure = Transition(10, "gradual", 100.0, 5, 14), Transition(40, "gradual", 60.0, 35, 44)
    assert calibrated(sure).confidence == GRADUAL_MAX_CONFIDENCE < 95.0
    assert 50.0 < calibrated(unsure).confidence < calibrated(sure).confidence
    assert calibrated(Transition(70, "cut", 100.0, 70, 69)).confidence == 100.0  # cuts keep their scale


def moving_shot_with_jumps(jumps: dict[int, tuple[float, float, float]], keys: list[int]) -> SignalArrays:
    """200 frames of a moving shot (every frame changes its pixels a little); at each frame of
    ``jumps`` the histogram, pixels and layout change by the given amounts; ``keys`` are keyframes."""
    n = 200
    d_hist = np.full(n, 0.05, dtype=np.float32)
    d_pix = np.full(n, 0.03, dtype=np.float32)
    d_grid = np.full(n, 0.015, dtype=np.float32)
    for i, (hist, pix, grid) in jumps.items():
        d_hist[i], d_pix[i], d_grid[i] = hist, pix, grid
    key = np.zeros(n, dtype=np.float32)
    key[keys] = 1.0
    ones = np.ones(n, dtype=np.float32)  # no frame comes back: nothing is a flash
    return series(
        np.full(n, 50.0, dtype=np.float32), d_hist, d_pix=d_pix, d_grid=d_grid, key=key,
        skip=ones, back=ones, skip_grid=ones, back_grid=ones,
    )  # fmt: skip


POP = (0.4, 0.05, 0.02)  # the histogram jumps; pixels and layout change about as much as motion does


def test_histogram_jumps_on_an_encoders_scheduled_keyframes_are_not_cuts() -> None:
    signals = moving_shot_with_jumps({50: POP, 100: POP, 150: POP}, keys=[0, 50, 100, 150])
    assert find_cuts(signals) == []


def test_the_same_jumps_on_keyframes_off_any_schedule_are_cuts() -> None:
    # An encoder that puts keyframes at scene changes only: irregular intervals.
    signals = moving_shot_with_jumps({37: POP, 100: POP, 171: POP}, keys=[0, 37, 100, 171])
    assert [t.frame for t in find_cuts(signals)] == [37, 100, 171]


def test_a_cut_on_a_scheduled_keyframe_whose_picture_changes_stays_a_cut() -> None:
    cut = (0.4, 0.3, 0.1)
    signals = moving_shot_with_jumps({50: POP, 100: cut, 150: POP}, keys=[0, 50, 100, 150])
    assert [t.frame for t in find_cuts(signals)] == [100]


def test_a_cut_from_a_still_shot_into_motion_on_a_scheduled_keyframe_stays_a_cut() -> None:
    # The numbers of a cut in the kit: a still picture (held frames and encoder noise) cut into
    # fast motion changes its pixels no more than the motion after it does.
    signals = moving_shot_with_jumps({150: (1.76, 0.127, 0.015)}, keys=[0, 50, 100, 150])
    signals.d_pix[:150] = np.tile(np.array([0.0, 0.002], dtype=np.float32), 75)
    signals.d_grid[:150] = 0.001
    signals.d_pix[151:] = 0.1
    assert [t.frame for t in find_cuts(signals)] == [150]


def dark_fade_into_hold(bottom: float, luma: float = 16.0) -> SignalArrays:
    """A still dark shot (contrast 8, mean luma ``luma``) for 40 frames, its contrast sinking to
    ``bottom`` over 20 frames, then 30 frames held there (25 fps); the histogram barely changes."""
    spread = np.r_[np.full(40, 8.0), np.linspace(8.0, bottom, 21)[1:], np.full(30, bottom)].astype(np.float32)
    luma = np.full(spread.size, luma, dtype=np.float32)
    return series(spread, np.full(spread.size, 0.01, dtype=np.float32), luma=luma)


def test_a_dark_picture_fading_into_a_flat_hold_is_one_gradual_without_the_still_frames_before() -> None:
    [fade] = find_hold_fades(dark_fade_into_hold(bottom=0.0), 25.0, known=[])
    assert fade.kind == "gradual"
    assert fade.start == 40  # the first frame that darkens: the still frames before are the shot's
    assert fade.end < 60  # the flat frames are the hold's


def test_a_fade_into_a_hold_starts_where_the_contrast_falls_not_where_it_creeps() -> None:
    # A dim shot whose contrast creeps down by 0.7 over 20 frames, then fades to black in 9.
    spread = np.r_[np.full(20, 7.9), np.linspace(7.9, 7.2, 21)[1:], np.linspace(7.2, 0, 10)[1:], np.zeros(30)]
    luma = np.r_[np.full(40, 32.0), np.linspace(32, 16, 10)[1:], np.full(30, 16.0)].astype(np.float32)
    signals = series(spread.astype(np.float32), np.full(spread.size, 0.01, dtype=np.float32), luma=luma)
    [fade] = find_hold_fades(signals, 25.0, known=[])
    assert (fade.start, fade.end) == (40, 47)  # frame 48 is black: the hold's first


def fade_hold_slow_fade() -> SignalArrays:
    """A fade out of a bright shot (frames 40-50; 51 is black), 6 more black frames (52-57), a 45-frame
    fade in of a dim one (58-102) changing little per frame, with windowed distances that see
    all three as one change (25 fps)."""
    fade_out, fade_in = np.linspace(1, 0, 13)[1:], np.linspace(0, 1, 46)[1:]
    spread = np.r_[np.full(40, 53.0), 53 * fade_out, np.zeros(6), 41 * fade_in, np.full(40, 41.0)]
    luma = np.r_[np.full(40, 67.0), 16 + 51 * fade_out, np.full(6, 16.0), 16 + 58 * fade_in, np.full(40, 74.0)]
    d_hist = np.full(spread.size, 0.02)
    d_hist[40:52] = 0.15
    d_hist[58:103] = 0.06

    def windowed(frames: int) -> F32:
        padded = np.r_[np.full(frames, luma[0]), luma, np.full(frames, luma[-1])]
        return np.asarray(np.clip(np.abs(padded[2 * frames :] - padded[: -2 * frames]) / 25.0, 0.0, 1.5), np.float32)

    return series(f32(spread), f32(d_hist), luma=f32(luma), wide=windowed(10), wide_long=windowed(30))


def test_a_fade_out_a_short_black_hold_and_a_slow_fade_in_are_two_fades_placed_on_their_own_frames() -> None:
    # The windowed pass would report both with the window's smear (33-54, 61-102): the hold's
    # fades are pinned first, as cuts are, and the windows look only away from them.
    found = rule_transitions(fade_hold_slow_fade(), 25.0)
    assert [(t.kind, t.start, t.end) for t in found] == [("gradual", 40, 50), ("gradual", 58, 101)]


def black_hold_fade_in_short_shot(short: F32 | None = None, after: float = 10.0) -> SignalArrays:
    """A cut to black (40-45: frame 45, spread 1.1 and luma 16.9, is still black by the labelled sets'
    measure), a fade in (46-61) onto a shot (full from 62) whose contrast
    is ``short`` (7 still frames unless given), and a cut away after it to a shot of contrast
    ``after``, 25 fps."""
    short = np.full(7, 19.0, dtype=np.float32) if short is None else short
    rise = np.linspace(0, 1, 19)[1:]
    spread = np.r_[np.full(40, 30.0), np.zeros(5), 19 * rise, short, np.full(30, after)]
    luma = np.r_[np.full(40, 60.0), np.full(5, 16.0), 16 + 16 * rise, np.full(short.size, 32.0), np.full(30, 26.0)]
    d_hist = np.full(spread.size, 0.01)
    d_hist[[40, 62 + short.size]] = 1.0
    d_hist[45:63] = 0.07
    return series(f32(spread), f32(d_hist), luma=f32(luma))


def test_a_fade_in_from_black_onto_a_short_still_shot_is_not_the_cut_that_ends_it() -> None:
    cuts = [Transition(40, "cut", 99.0, 40, 39), Transition(70, "cut", 99.0, 70, 69)]
    [fade] = find_hold_fades(black_hold_fade_in_short_shot(), 25.0, known=cuts)
    assert (fade.start, fade.end) == (46, 61)  # frame 62 has the shot's full contrast


def test_a_fade_in_from_black_ends_before_the_next_cut_however_the_next_shot_contrasts() -> None:
    # Walking on while the contrast does not fall, the fade used to run through the cut into the
    # next, higher-contrast shot, and the wobbling frames before it made it no steady climb.
    # The short shot's contrast wobbles by a tenth for 16 frames (62-77); the next shot's is higher.
    wobbling = black_hold_fade_in_short_shot(short=f32(np.tile([19.0, 18.9], 8)), after=34.0)
    cuts = [Transition(40, "cut", 99.0, 40, 39), Transition(78, "cut", 99.0, 78, 77)]
    [fade] = find_hold_fades(wobbling, 24.0, known=cuts)
    assert (fade.start, fade.end) == (46, 61)


def test_a_flat_grey_picture_gaining_texture_is_no_fade() -> None:
    texture = np.linspace(0, 7, 34)[1:]
    spread = np.r_[np.zeros(30), texture, np.full(30, 7.0)].astype(np.float32)
    luma = np.full(spread.size, 160.0, dtype=np.float32)  # far from black and from white
    assert find_hold_fades(series(spread, np.full(spread.size, 0.01, dtype=np.float32), luma=luma), 25.0, []) == []


@pytest.mark.parametrize(
    ("bottom", "luma"),
    [(3.0, 16.0), (2.0, 30.0)],
    ids=["grain-above-black", "dim-not-black"],
)
def test_a_picture_darkening_without_reaching_a_flat_hold_is_no_transition(bottom: float, luma: float) -> None:
    assert find_hold_fades(dark_fade_into_hold(bottom, luma), 25.0, known=[]) == []


def test_a_fade_into_a_grainy_black_hold_is_one_gradual() -> None:
    # Black by the labelled sets' measure (mean luma <= 24, spread <= 2.5): film grain left on a
    # trailer's black hold. Until 1.27 only a spread of 1 or less was a hold and the fade was missed.
    [fade] = find_hold_fades(dark_fade_into_hold(bottom=2.0), 25.0, known=[])
    assert (fade.kind, fade.start) == ("gradual", 40)
    assert fade.end < 60


def test_a_hold_fade_another_pass_already_reported_is_not_reported_twice() -> None:
    seen = Transition(50, "gradual", 80.0, 41, 59)
    assert find_hold_fades(dark_fade_into_hold(bottom=0.0), 25.0, known=[seen]) == []


def cut_to_short_black_then_fade_in(black: int) -> SignalArrays:
    """A shot (contrast 30) cut to ``black`` flat black frames, then a 20-frame fade in (25 fps)."""
    spread = np.r_[np.full(40, 30.0), np.zeros(black), np.linspace(0, 30, 21)[1:], np.full(30, 30.0)]
    luma = np.r_[np.full(40, 60.0), np.full(black, 16.0), np.linspace(16, 60, 21)[1:], np.full(30, 60.0)]
    d_hist = np.full(spread.size, 0.01, dtype=np.float32)
    d_hist[40] = 1.0
    return series(spread.astype(np.float32), d_hist, luma=luma.astype(np.float32))


def test_a_fade_in_from_black_too_short_for_a_segment_counts_when_a_cut_entered_the_black() -> None:
    cut = Transition(40, "cut", 99.0, 40, 39)  # four black frames: shorter than a BlackFrames segment
    [fade] = find_hold_fades(cut_to_short_black_then_fade_in(black=4), 25.0, known=[cut])
    assert (fade.kind, fade.start) == ("gradual", 44)


def test_a_title_fading_in_on_the_few_black_frames_a_clip_opens_with_is_no_transition() -> None:
    # Nothing enters the black: the clip starts on it.
    opening = SignalArrays(*(x[40:] for x in cut_to_short_black_then_fade_in(black=4)))
    assert find_hold_fades(opening, 25.0, known=[]) == []


def opening_fade(black: int, *, flat: float = 16.0, picture: float = 90.0) -> SignalArrays:
    """``black`` flat frames of mean luma ``flat`` (black unless given), then a picture fading in
    over 30 frames to mean luma ``picture``, then 40 still frames."""
    spread = np.r_[np.zeros(black), np.linspace(0, 40, 31)[1:], np.full(40, 40.0)].astype(np.float32)
    luma = np.r_[np.full(black, flat), np.linspace(flat, picture, 31)[1:], np.full(40, picture)].astype(np.float32)
    return series(spread, np.full(spread.size, 0.05, dtype=np.float32), luma=luma)


def test_a_fade_in_from_the_videos_first_frame_belongs_to_the_first_shot() -> None:
    found = [Transition(20, "gradual", 70.0, 17, 28)]
    assert drop_edge_fades(found, opening_fade(black=1), opens=True, closes=False) == []


def test_a_fade_in_from_a_dim_first_frame_with_a_caption_on_it_belongs_to_the_first_shot() -> None:
    # The first frame is dark but not flat (a caption stays on it while the photo fades up under it).
    signals = opening_fade(black=1)
    signals.spread[0] = 10.6
    found = [Transition(20, "gradual", 70.0, 17, 28)]
    assert drop_edge_fades(found, signals, opens=True, closes=False) == []
    signals.spread[0] = 30.0  # a picture with contrast of its own: a transition out of it
    assert drop_edge_fades(found, signals, opens=True, closes=False) == found


def test_a_fade_in_out_of_a_black_hold_or_inside_a_chunk_stays_a_transition() -> None:
    found = [Transition(20, "gradual", 70.0, 17, 28)]
    assert drop_edge_fades(found, opening_fade(black=3), opens=True, closes=False) == found  # a black shot
    assert drop_edge_fades(found, opening_fade(black=1), opens=False, closes=False) == found  # not the video's start


def opening_fade_from_white(white: int) -> SignalArrays:
    """``white`` flat white frames, then a picture fading in from white (its mean luma sinking as
    its contrast climbs)."""
    return opening_fade(white, flat=235.0, picture=120.0)


def test_a_fade_in_from_white_at_the_videos_start_belongs_to_the_first_shot() -> None:
    # fresh49's showroom tour opens on white and fades in onto its first picture.
    found = [Transition(8, "gradual", 83.0, 3, 12)]
    assert drop_edge_fades(found, opening_fade_from_white(white=1), opens=True, closes=False) == []
    assert drop_edge_fades(found, opening_fade_from_white(white=3), opens=True, closes=False) == []  # no segment
    assert drop_edge_fades(found, opening_fade_from_white(white=1), opens=False, closes=False) == found


def closing_cut_to_black(black: int) -> SignalArrays:
    """60 frames of a picture, then a cut into ``black`` flat black frames that end the video."""
    spread = np.r_[np.full(60, 40.0), np.zeros(black)].astype(np.float32)
    luma = np.r_[np.full(60, 90.0), np.full(black, 16.0)].astype(np.float32)
    d_hist = np.full(spread.size, 0.01, dtype=np.float32)
    d_hist[60] = 1.0
    return series(spread, d_hist, luma=luma)


def test_a_cut_into_one_or_two_black_frames_that_end_the_video_belongs_to_the_last_shot() -> None:
    cut = [Transition(60, "cut", 100.0, 60, 59)]
    assert drop_edge_fades(cut, closing_cut_to_black(black=1), opens=True, closes=True) == []
    assert drop_edge_fades(cut, closing_cut_to_black(black=2), opens=True, closes=True) == []


def test_a_cut_into_a_closing_black_hold_a_dark_last_frame_or_a_chunks_end_stays_a_cut() -> None:
    cut = [Transition(60, "cut", 100.0, 60, 59)]
    assert drop_edge_fades(cut, closing_cut_to_black(black=3), opens=True, closes=True) == cut  # a black shot
    assert drop_edge_fades(cut, closing_cut_to_black(black=1), opens=True, closes=False) == cut  # not the video's end
    dark = closing_cut_to_black(black=1)
    dark.spread[-1] = 9.5  # a dark picture with some contrast: a shot of its own
    assert drop_edge_fades(cut, dark, opens=True, closes=True) == cut


def mixing_run(cover: float = 0.8, *, frames: int = 7, apart: float = 0.12) -> SignalArrays:
    """From frame 60, ``frames`` frames are each the average of the frames 5 before and after them,
    which are ``apart`` apart (25 fps, 130 frames); every other frame is a moving picture (as far
    apart, far off that average)."""
    n = 130
    mix_dist = np.full(n, apart, dtype=np.float32)
    mix_res = np.full(n, 0.08, dtype=np.float32)
    mix_res[60 : 60 + frames] = 0.01
    mix_cover = np.full(n, 0.1, dtype=np.float32)
    mix_cover[60 : 60 + frames] = cover
    picture = np.full(n, 40.0, dtype=np.float32)  # luma spread: a picture, not a flat frame
    return series(picture, np.zeros(n, dtype=np.float32), mix_dist=mix_dist, mix_res=mix_res, mix_cover=mix_cover)


find_mixes_25 = partial(find_mixes, fps=25.0)


def test_frames_that_mix_the_pictures_around_them_are_one_dissolve() -> None:
    [mix] = find_mixes_25(mixing_run(), known=[])
    assert (mix.kind, mix.start, mix.end, mix.frame) == ("gradual", 60, 66, 63)
    assert calibrated(mix).confidence < 85  # right 88 % of the time on the labelled sets


def test_mixing_frames_beside_a_known_transition_are_that_transition() -> None:
    assert find_mixes_25(mixing_run(), known=[Transition(70, "cut", 99.0, 70, 69)]) == []


def test_mixing_in_a_part_of_the_picture_only_is_no_dissolve() -> None:
    assert find_mixes_25(mixing_run(cover=0.2), known=[]) == []


def test_a_slow_dissolve_between_pictures_of_one_tone_is_found_at_the_lowest_confidence() -> None:
    # 20 frames (0.8 s), each only 0.07 of the range from the frames 5 away: under MIX_MIN_DIST.
    [mix] = find_mixes_25(mixing_run(frames=20, apart=0.07), known=[])
    assert (mix.kind, mix.start, mix.end, mix.frame, mix.confidence) == ("gradual", 60, 79, 70, 50.0)


def test_a_slow_mix_out_of_a_flat_frame_is_a_fade_not_a_dissolve() -> None:
    # A logo brightening out of black inside one shot: the frame 5 before the run is flat.
    signals = mixing_run(frames=20, apart=0.07)
    signals.spread[:56] = 1.0
    assert find_mixes_25(signals, known=[]) == []


def test_a_short_run_that_mixes_only_a_little_is_no_dissolve() -> None:
    # 8 frames (a third of a second) at that distance: as often motion as a dissolve.
    assert find_mixes_25(mixing_run(frames=8, apart=0.07), known=[]) == []


def test_a_slow_run_around_a_faster_mix_is_reported_once() -> None:
    signals = mixing_run(frames=20, apart=0.07)
    signals.mix_dist[60:80] = np.r_[np.full(6, 0.07), np.full(8, 0.15), np.full(6, 0.07)]
    [mix] = find_mixes_25(signals, known=[])
    assert (mix.start, mix.end) == (66, 73) and mix.confidence > 50


def test_a_windowed_gradual_is_placed_where_its_frames_mix_not_in_the_middle_of_its_span() -> None:
    # The windowed distance stays high over 40-70 (a 5-frame dissolve at 42-46, then motion);
    # only 42-46 are the average of the frames around them.
    n = 120
    wide = np.zeros(n, dtype=np.float32)
    wide[40:71] = 1.0
    mix_dist = np.full(n, 0.1, dtype=np.float32)
    mix_res = np.full(n, 0.08, dtype=np.float32)
    mix_res[42:47] = np.array([0.03, 0.02, 0.01, 0.02, 0.03], dtype=np.float32)
    d_hist = np.full(n, 0.1, dtype=np.float32)
    signals = series(np.full(n, 30.0, dtype=np.float32), d_hist, wide=wide, mix_dist=mix_dist, mix_res=mix_res)
    [gradual] = find_graduals(signals, [])
    assert gradual.frame == 44  # the span's middle would be 55


def test_a_wipe_keeps_its_boundary_when_slower_motion_after_it_averages_its_neighbours() -> None:
    # A wipe over 45-54 (each frame half one picture, half the other: no mix) changes the picture
    # most; the moving frames 60-70 after it change it less, and some happen to average their
    # neighbours. The boundary stays in the wipe, near the span's middle.
    n = 120
    wide = np.zeros(n, dtype=np.float32)
    wide[40:71] = 1.0
    mix_dist = np.full(n, 0.02, dtype=np.float32)
    mix_dist[45:55], mix_dist[60:71] = 0.13, 0.07
    mix_res = (mix_dist * 0.5).astype(np.float32)
    mix_res[64:67] = 0.02  # motion averaging the frames around it
    d_hist = np.full(n, 0.1, dtype=np.float32)
    signals = series(np.full(n, 30.0, dtype=np.float32), d_hist, wide=wide, mix_dist=mix_dist, mix_res=mix_res)
    [gradual] = find_graduals(signals, [])
    assert 45 <= gradual.frame <= 56


def plain_black_steps(first: list[float], then: float = 4.0) -> SignalArrays:
    """Plain black frames whose level steps (``first``), then 20 black frames held at ``then``, then a picture."""
    luma = np.r_[first, np.full(20, then), np.full(30, 90.0)].astype(np.float32)
    spread = np.r_[np.zeros(len(first) + 20), np.full(30, 40.0)].astype(np.float32)
    d_hist = np.zeros(luma.size, dtype=np.float32)
    d_hist[1 : len(first) + 1 : 3] = 1.0  # a flat frame's whole histogram crosses bin edges with its level
    d_hist[len(first) + 20] = 1.2  # the cut to the picture
    d_pix = (np.abs(np.diff(luma, prepend=luma[:1])) / 255.0).astype(np.float32)
    d_pix[len(first) + 20] = 0.3
    ones = np.ones(luma.size, dtype=np.float32)  # no frame comes back: no flash
    return series(spread, d_hist, luma=luma, d_pix=d_pix, skip=ones, back=ones)


def test_black_that_settles_a_few_levels_darker_on_the_first_frames_is_no_cut() -> None:
    # An opening black fading a little deeper (16 → 13 → 11 → 9 → 6 → 4 code values) before it
    # holds: too few frames before or after the first step for a fade, yet nothing is cut there.
    s = plain_black_steps([16.0, 13.0, 11.0, 9.0, 6.0])
    assert [t.frame for t in find_cuts(s)] == [25]


def test_a_step_from_plain_black_to_plain_white_is_still_a_cut() -> None:
    s = plain_black_steps([16.0], then=235.0)
    s = s._replace(d_pix=np.where(np.arange(len(s.luma)) == 1, np.float32(0.86), s.d_pix))
    assert 1 in [t.frame for t in find_cuts(s)]


def test_a_weak_cut_where_most_of_the_picture_cuts_block_by_block_is_scored_surer() -> None:
    spread = np.full(60, 40.0, dtype=np.float32)
    share = np.zeros(60, dtype=np.float32)
    share[30] = 0.6  # the blocks that cut on their own at frame 30 cover 60 % of the picture
    s = series(spread, np.zeros(60, dtype=np.float32), region_share=share)
    found = [
        Transition(10, "cut", 55.0, 10, 9),  # no block cuts on its own there: as it was
        Transition(31, "cut", 55.0, 31, 30),  # one frame off the region's frame: still the same cut
        Transition(30, "gradual", 60.0, 28, 32),
        Transition(50, "cut", 97.0, 50, 49),
    ]
    assert [t.confidence for t in region_confidence(found, s)] == [55.0, 80.0, 60.0, 97.0]


def photo_edit(whips: list[int], n: int = 100, moving: float = 0.15, still_after: int = 5) -> SignalArrays:
    """Still pictures joined by 3-frame whips starting at ``whips`` (a photo edit, 30 fps).

    Each whip's frames jump like cuts (histogram and pixels); the picture after it is another one
    (skip/back distances across it as large as a cut's); ``still_after`` quiet frames follow it.
    """
    d_hist = np.full(n, 0.005, dtype=np.float32)
    d_pix = np.full(n, 0.002, dtype=np.float32)
    skip, back = np.zeros(n, dtype=np.float32), np.zeros(n, dtype=np.float32)
    for a in whips:
        d_hist[a : a + 3] = [0.46, 0.48, 0.37]
        d_pix[a : a + 3] = [moving * 0.5, moving, moving * 0.6]
        skip[a], back[a + 2] = 0.69, 0.54
        if a + 3 + still_after < n:
            d_hist[a + 3 + still_after] = 0.5  # the next change
            d_pix[a + 3 + still_after] = 0.1
    return series(np.full(n, 50.0, dtype=np.float32), d_hist, d_pix=d_pix, skip=skip, back=back)


def test_each_whip_between_still_pictures_is_one_transition() -> None:
    whips = [20, 28, 36, 44, 52, 60]  # a new picture every 8 frames, as fresh18's photo edit cuts
    found = rule_transitions(photo_edit(whips, still_after=5), 30.0)
    assert [t.frame for t in found] == [a + 2 for a in whips]  # the first frame of each new picture
    assert all(t.kind == "gradual" for t in found)


def test_a_title_popping_onto_a_still_picture_is_no_burst() -> None:
    # The histogram jumps for three frames, the pixels barely move: text over an unchanged picture.
    assert find_bursts(photo_edit([40], moving=0.01), []) == []
    assert find_bursts(photo_edit([40], moving=0.15), []) != []


def test_a_burst_whose_picture_changes_again_within_two_frames_is_not_a_new_still_picture() -> None:
    assert find_bursts(photo_edit([40], still_after=2), []) == []
    assert [t.frame for t in find_bursts(photo_edit([40], still_after=3), [])] == [42]


def cut_beside_motion(cut: float, skip_at_cut: float) -> SignalArrays:
    """A jump of ``cut`` at frame 50 with fast motion (0.2 a frame) on the six frames after it."""
    d_hist = np.full(100, 0.01, dtype=np.float32)
    d_hist[50], d_hist[51:57] = cut, 0.2
    skip = np.zeros(100, dtype=np.float32)
    skip[50] = skip_at_cut  # small: the picture before comes back within 3 frames (a flash)
    return series(np.full(100, 50.0, dtype=np.float32), d_hist, skip=skip)


def test_a_gradual_over_a_cut_and_the_motion_after_it_is_placed_on_the_cut() -> None:
    reported = Transition(54, "gradual", 80.0, 49, 56)  # the middle of the changing frames
    assert placed_on_jump(reported, cut_beside_motion(1.0, 0.9)).frame == 50
    # Several jumps of a size (a dissolve, a whip), or a flash at the top: the placement stays.
    assert placed_on_jump(reported, cut_beside_motion(0.35, 0.9)) == reported
    assert placed_on_jump(reported, cut_beside_motion(1.0, 0.05)) == reported
    assert placed_on_jump(Transition(50, "cut", 90.0, 50, 49), cut_beside_motion(1.0, 0.9)).frame == 50


def montage(jumps: list[int], between: float = 0.1, n: int = 80) -> SignalArrays:
    """New pictures at ``jumps`` (colour and layout), every frame moving ``between`` (pixels) in its shot."""
    d_hist, d_grid = np.full(n, 0.05, dtype=np.float32), np.full(n, 0.01, dtype=np.float32)
    d_pix = np.full(n, between, dtype=np.float32)
    d_hist[jumps], d_grid[jumps], d_pix[jumps] = 0.6, 0.15, 0.3
    far = np.ones(n, dtype=np.float32)  # no picture comes back: no flash
    return series(
        np.full(n, 50.0, dtype=np.float32), d_hist, d_grid=d_grid, d_pix=d_pix,
        skip=far, back=far, skip_grid=far, back_grid=far,
    )  # fmt: skip


def test_shots_of_two_frames_cut_one_after_another_are_a_cut_each() -> None:
    jumps = list(range(30, 52, 2))  # half the neighbourhood jumps: no jump clears its median
    assert [(t.frame, t.kind) for t in find_cuts(montage(jumps))] == [(f, "cut") for f in jumps]


def test_a_montage_cut_is_never_joined_to_a_later_cut_across_moving_pictures() -> None:
    # The montage ends at 46; fast motion follows until a cut at 60. Motion between two cuts joins
    # them into one transition (a dissolve seen at both ends), but a montage cut is a cut of its own.
    jumps = list(range(30, 48, 2))
    s = montage(jumps, between=0.3)
    d_hist = s.d_hist.copy()
    d_hist[47:60], d_hist[60] = 0.15, 0.6
    s = s._replace(d_hist=d_hist)
    cuts = [Transition(f, "cut", 60.0, f, f - 1) for f in [*jumps, 60]]
    assert [(t.frame, t.kind) for t in join_transitions(cuts, s, 25.0)] == [(f, "cut") for f in [*jumps, 60]]


def test_the_steps_of_an_animation_held_on_twos_are_no_montage() -> None:
    assert montage_cuts(montage(list(range(30, 52, 2)), between=0.0)) == []  # held drawings between steps


def test_three_jumps_of_a_glitch_wipe_are_no_montage() -> None:
    assert montage_cuts(montage([30, 32, 34])) == []
    assert montage_cuts(montage([30, 32, 34, 36])) == [30, 32, 34, 36]


def dissolve_chain(between: float) -> SignalArrays:
    """Two dissolves (mixing frames 46-51 and 63-68) one window apart, the picture between them
    changing its histogram by ``between`` a frame; the windowed distance is high over both."""
    n = 160
    wide = np.zeros(n, dtype=np.float32)
    wide[40:76] = 0.9
    d_hist = np.full(n, 0.01, dtype=np.float32)
    d_hist[45:70] = between
    d_hist[45:53] = d_hist[62:70] = 0.1
    mix_dist = np.full(n, 0.2, dtype=np.float32)
    mix_res = np.full(n, 0.1, dtype=np.float32)  # half the distance: no mix
    mix_cover = np.zeros(n, dtype=np.float32)
    for a, b in ((46, 52), (63, 69)):
        mix_res[a:b], mix_cover[a:b] = 0.02, 0.9
    return series(np.full(n, 40.0, dtype=np.float32), d_hist, wide=wide, mix_dist=mix_dist, mix_res=mix_res,
                  mix_cover=mix_cover)  # fmt: skip


def test_two_dissolves_of_a_slideshow_in_one_window_are_two_transitions() -> None:
    found = find_graduals(dissolve_chain(between=0.01), [])  # a held picture between them
    assert [(t.start, t.end) for t in found] == [(46, 51), (63, 68)]
    assert len(find_graduals(dissolve_chain(between=0.1), [])) == 1  # moving between: one transition


def fade_through_settling_black() -> SignalArrays:
    """A dark trailer shot fading out (frames 40-48), three black frames whose first is still
    settling to the floor (49: luma 16.7, spread 1.6; 50-51: 16.0, flat) and a fade in (52-57) to a
    brighter shot, 25 fps: fresh35's Argentine trailer, frame for frame."""
    spread = np.r_[
        np.full(40, 23.0), np.linspace(20.9, 3.8, 9), [1.6, 0.0, 0.0], np.linspace(6.6, 45.4, 6), np.full(40, 46.0)
    ]
    luma = np.r_[
        np.full(40, 29.0), np.linspace(27.7, 17.8, 9), [16.7, 16.0, 16.0], np.linspace(19.1, 42.5, 6), np.full(40, 43.5)
    ]
    d_hist = np.full(spread.size, 0.015)
    d_hist[40:49] = 0.08
    d_hist[49:51] = [0.28, 0.25]
    d_hist[52:58] = [0.48, 0.24, 0.13, 0.11, 0.14, 0.12]
    return series(f32(spread), f32(d_hist), luma=f32(luma))


def test_a_fade_out_and_in_around_three_settling_black_frames_are_two_fades() -> None:
    # By the labelled sets' measure three black frames are a shot of their own; until 1.28 the
    # first, still settling by 0.7 a frame, was no hold frame, and the two fades were joined.
    found = rule_transitions(fade_through_settling_black(), 25.0)
    assert [(t.kind, t.start <= 41, t.end) for t in found] == [("gradual", True, 48), ("gradual", False, 56)]
    assert found[1].start == 52
