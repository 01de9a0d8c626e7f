"""The mix signal (features.mix_residual): a dissolve's middle frame is the average of its ends."""

from __future__ import annotations

import numpy as np

from detector.analysis import MIX_MAX_RES, MIX_MIN_COVER
from detector.decode import Thumb
from detector.features import mix_residual

RNG = np.random.default_rng(7)


def thumb(y: np.ndarray) -> Thumb:
    flat = np.full((y.shape[0] // 2, y.shape[1] // 2), 128, dtype=np.uint8)
    return Thumb(0, np.clip(y, 0, 255).astype(np.uint8), flat, flat)


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
