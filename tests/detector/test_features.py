"""The mix signal (features.mix_residual): a dissolve's middle frame is the average of its ends; and the
region signal (features.region_cut): one panel of a split screen switching to other footage."""

from __future__ import annotations

import numpy as np

from detector.analysis import MIX_MAX_RES, MIX_MIN_COVER, find_region_cuts
from detector.decode import Thumb
from detector.features import SignalArrays, compute_signals, line_rest, mix_residual, still_share

RNG = np.random.default_rng(7)


def thumb(y: np.ndarray, index: int = 0) -> Thumb:
    flat = np.full((y.shape[0] // 2, y.shape[1] // 2), 128, dtype=np.uint8)
    return Thumb(index, np.clip(y, 0, 255).astype(np.uint8), flat, flat)


def picture() -> np.ndarray:
    """A 54x96 picture of 6x6-pixel patches of random grey."""
    return np.kron(RNG.uniform(16, 235, (9, 16)), np.ones((6, 6)))


def test_the_middle_of_a_dissolve_between_two_pictures_of_one_tone_is_their_average() -> None:
    a = picture()
    b = a[:, ::-1]  # the same picture mirrored: the same histogram, another layout
    apart, off, cover = mix_residual(thumb(a), thumb((a + b) / 2), thumb(b))
    assert apart > 0.05
    assert off <= 0.1 * apart  # rounding to whole code values only
    assert cover >= 0.9


def test_a_pan_is_not_a_mix() -> None:
    wide = np.tile(picture(), (1, 2))
    apart, off, _ = mix_residual(thumb(wide[:, 0:96]), thumb(wide[:, 6:102]), thumb(wide[:, 12:108]))
    assert off > MIX_MAX_RES * apart


def test_a_title_fading_in_over_a_still_picture_mixes_only_a_part_of_it() -> None:
    a = picture()
    b = a.copy()
    b[5:20, 10:60] = 235  # a white title
    _, _, cover = mix_residual(thumb(a), thumb((a + b) / 2), thumb(b))
    assert cover < MIX_MIN_COVER


def signals_of(pictures: list[np.ndarray]) -> SignalArrays:
    """The signals of a clip of these pictures, each with a little sensor noise."""
    noisy = (p + RNG.normal(0, 1.5, p.shape) for p in pictures)
    return compute_signals((thumb(p, i) for i, p in enumerate(noisy)), 16).as_arrays()


def split_screen(right: list[np.ndarray]) -> list[np.ndarray]:
    """A still left panel beside the given right panels (54x48 each)."""
    left = picture()[:, :48]
    return [np.concatenate([left, r], axis=1) for r in right]


def test_one_panel_of_a_split_screen_switching_to_other_footage_is_a_cut_there() -> None:
    a = picture()[:, 48:]
    b = a[::-1]  # the same tones upside down: only where things are tells the panels apart
    s = signals_of(split_screen([a] * 30 + [b] * 30))
    assert s.region_share[30] == 0.5  # the right half of the grid
    assert s.region_rest[30] <= 0.05 and s.region_joined[30] == 1.0
    assert np.count_nonzero(s.region_share) == 1
    assert [t.frame for t in find_region_cuts(s, [])] == [30]


def test_a_panel_flashing_white_for_a_frame_is_no_cut() -> None:
    a = picture()[:, 48:]
    s = signals_of(split_screen([a] * 30 + [np.full_like(a, 235.0)] + [a] * 29))
    assert not np.any(s.region_share)
    assert find_region_cuts(s, []) == []


def test_a_panel_animated_on_threes_is_no_cut() -> None:
    a = picture()[:, 48:]
    drawings = [a, a[::-1], a[:, ::-1]]  # a new drawing every third frame, each held for three
    s = signals_of(split_screen([drawings[n // 3 % 3] for n in range(60)]))
    assert find_region_cuts(s, []) == []


def test_a_caption_changing_over_a_picture_that_goes_on_has_no_more_change_outside_its_band() -> None:
    rows = np.full(60, 100, dtype=np.int64)  # each row of a moving picture changes a little
    beside = [rows.copy(), rows + 10]
    caption = rows.copy()
    caption[40:50] += 5000  # a line of text swapped in rows 40-49
    assert line_rest(caption, beside, pixels=6000) <= 1.0
    jump = rows * 4  # a jump cut: everything moving jumps, outside the band too
    jump[40:50] += 5000
    assert line_rest(jump, beside, pixels=6000) > 3.0
    # A still picture: the rows beside change by noise alone; the floor keeps the ratio sane.
    still = np.zeros(60, dtype=np.int64)
    assert line_rest(still + 1, [still, still], pixels=6000) < 0.1


def test_slogans_popping_up_over_a_picture_leave_most_of_its_blocks_as_they_were() -> None:
    a = picture()
    b = a.copy()
    b[6:18, 6:42] = 220.0  # two slogans, a plain band each, top left and bottom right
    b[36:48, 54:90] = 30.0
    s = signals_of([a] * 10 + [b] * 10)
    assert s.still[10] >= 0.5
    assert np.all(s.still[11:] >= 0.9)  # held: nothing changes but the sensor noise


def test_a_cut_leaves_no_block_as_it_was() -> None:
    a = picture()
    s = signals_of([a] * 10 + [a[::-1]] * 10)  # the same tones upside down: an angle of one scene
    assert s.still[10] == 0.0


def test_blocks_without_texture_say_nothing() -> None:
    # A title changing on a black ground: every block is flat but the title's (too few to tell).
    change = np.zeros((6, 8), dtype=np.float32)
    texture = np.zeros((6, 8), dtype=np.float32)
    texture[2, 2:6] = 40.0
    assert still_share(change, texture, texture) == 0.0
    texture[:] = 40.0
    assert still_share(change, texture, texture) == 1.0
    assert still_share(np.full((6, 8), 3.0 / 255, dtype=np.float32), texture, texture) == 0.0  # grain: changed
