"""Rekognition's SegmentTypes and Filters become detector options in one place."""

from __future__ import annotations

import pytest

from detector import DetectOptions


def test_a_request_without_filters_takes_rekognitions_defaults() -> None:
    assert DetectOptions.from_rekognition(None, None) == DetectOptions()


def test_every_filter_reaches_its_option() -> None:
    filters = {
        "ShotFilter": {"MinSegmentConfidence": 80},
        "TechnicalCueFilter": {
            "MinSegmentConfidence": 90,
            "BlackFrame": {"MaxPixelThreshold": 0.1, "MinCoveragePercentage": 95},
        },
    }
    options = DetectOptions.from_rekognition(["SHOT"], filters, start_ms=1000, end_ms=2000)
    assert options == DetectOptions(
        segment_types=("SHOT",),
        shot_min_confidence=80.0,
        cue_min_confidence=90.0,
        black_max_pixel_threshold=0.1,
        black_min_coverage=95.0,
        start_ms=1000,
        end_ms=2000,
    )


@pytest.mark.parametrize(
    ("filters", "named"),
    [
        ({"ShotFilter": {"MinSegmentConfidence": 10}}, "shot_min_confidence"),
        ({"TechnicalCueFilter": {"BlackFrame": {"MaxPixelThreshold": 2}}}, "black_max_pixel_threshold"),
    ],
)
def test_a_filter_outside_rekognitions_range_is_refused_by_name(filters: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        DetectOptions.from_rekognition(["SHOT"], filters)
