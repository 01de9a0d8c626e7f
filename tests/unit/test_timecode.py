"""Timecodes derive from frame numbers with exact rates; drop-frame follows SMPTE 12M."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segments.domain.timecode import (
    exact_rate,
    frame_to_millis,
    frame_to_smpte,
    is_drop_frame,
    millis_to_frame,
    smpte_to_frame,
)

NTSC30 = Fraction(30000, 1001)
NTSC60 = Fraction(60000, 1001)
FILM = Fraction(24000, 1001)


def test_drop_frame_skips_two_labels_at_each_minute() -> None:
    assert frame_to_smpte(1799, NTSC30) == "00:00:59;29"
    assert frame_to_smpte(1800, NTSC30) == "00:01:00;02"


def test_drop_frame_keeps_labels_at_every_tenth_minute() -> None:
    assert frame_to_smpte(17982, NTSC30) == "00:10:00;00"
    assert frame_to_smpte(17981, NTSC30) == "00:09:59;29"
    assert frame_to_smpte(107892, NTSC30) == "01:00:00;00"


def test_5994_drops_four_labels() -> None:
    assert frame_to_smpte(3599, NTSC60) == "00:00:59;59"
    assert frame_to_smpte(3600, NTSC60) == "00:01:00;04"


def test_non_drop_rates_use_colons() -> None:
    assert frame_to_smpte(25 * 61 + 3, Fraction(25)) == "00:01:01:03"
    assert frame_to_smpte(24 * 60, FILM) == "00:01:00:00"
    assert not is_drop_frame(FILM)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (29.97, NTSC30),
        ("30000/1001", NTSC30),
        (59.94, NTSC60),
        (23.976, FILM),
        (25.0, Fraction(25)),
        ("50", Fraction(50)),
    ],
)
def test_float_rates_snap_to_exact_fractions(raw: float | str, expected: Fraction) -> None:
    assert exact_rate(raw) == expected


def test_milliseconds_round_down() -> None:
    assert frame_to_millis(1, NTSC30) == 33
    assert frame_to_millis(150, NTSC30) == 5005
    assert millis_to_frame(5005, NTSC30) == 150


@given(st.integers(min_value=0, max_value=24 * 3600 * 30 - 1), st.sampled_from([NTSC30, NTSC60, FILM, Fraction(25)]))
def test_smpte_round_trips_every_frame(frame: int, rate: Fraction) -> None:
    if frame >= 24 * 3600 * rate:
        return
    assert smpte_to_frame(frame_to_smpte(frame, rate), rate) == frame


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError):
        frame_to_smpte(-1, NTSC30)
    with pytest.raises(ValueError):
        exact_rate(0)
    with pytest.raises(ValueError):
        smpte_to_frame("1:2", NTSC30)
