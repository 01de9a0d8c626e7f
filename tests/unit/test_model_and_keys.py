"""Segment records have the reference's fields; keys are deterministic and sort like the reference."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segments.domain import keys
from segments.domain.model import build_segment, sort_segments

RATE = Fraction(30000, 1001)
REFERENCE_FIELDS = {
    "Type",
    "StartTimestampMillis",
    "EndTimestampMillis",
    "DurationMillis",
    "StartTimecodeSMPTE",
    "EndTimecodeSMPTE",
    "DurationSMPTE",
    "StartFrameNumber",
    "EndFrameNumber",
    "DurationFrames",
}


def test_segment_has_every_reference_field_derived_from_frames() -> None:
    seg = build_segment(segment_type="SHOT", start_frame=0, end_frame=149, rate=RATE, confidence=97.25, shot_index=0)
    assert seg.keys() >= REFERENCE_FIELDS
    assert seg["EndTimestampMillis"] == 5005 and seg["DurationFrames"] == 150
    assert seg["EndTimecodeSMPTE"] == "00:00:05;00" and seg["DurationSMPTE"] == "00:00:05;00"
    assert seg["ShotSegment"] == {"Index": 0, "Confidence": 97.25}


def test_bad_segments_are_rejected() -> None:
    with pytest.raises(ValueError):
        build_segment(segment_type="SHOT", start_frame=5, end_frame=4, rate=RATE, confidence=90, shot_index=0)
    with pytest.raises(ValueError):
        build_segment(segment_type="TECHNICAL_CUE", start_frame=0, end_frame=4, rate=RATE, confidence=90, cue_type="X")
    with pytest.raises(ValueError):
        build_segment(segment_type="SHOT", start_frame=0, end_frame=4, rate=RATE, confidence=101, shot_index=0)


def test_sort_keys_order_like_the_reference_type_then_start() -> None:
    segs = [
        build_segment(segment_type="SHOT", start_frame=s, end_frame=s + 9, rate=RATE, confidence=90, shot_index=i)
        for i, s in enumerate(range(0, 1000, 10))
    ] + [
        build_segment(
            segment_type="TECHNICAL_CUE", start_frame=s, end_frame=s + 9, rate=RATE, confidence=90, cue_type="Content"
        )
        for s in range(0, 1000, 100)
    ]
    shuffled = segs[:]
    random.Random(1).shuffle(shuffled)
    by_key = sorted(shuffled, key=keys.segment_sk)
    assert by_key == sort_segments(shuffled)
    assert by_key[0]["Type"] == "TECHNICAL_CUE" and by_key[-1]["Type"] == "SHOT"
    shots_first = sorted(shuffled, key=lambda s: keys.segment_sk(s, ("SHOT", "TECHNICAL_CUE")))
    assert shots_first[0]["Type"] == "SHOT"


@pytest.mark.parametrize("key", ["a.mp4", "dir/sub dir/clip.mov", "vidéos/été 2026/プロモ.mp4", "x+y%20z.mkv"])
def test_video_id_round_trips_any_s3_key(key: str) -> None:
    video_id = keys.video_id_for_key(key)
    assert "/" not in video_id and "=" not in video_id and " " not in video_id
    assert keys.key_for_video_id(video_id) == key


@given(st.text(min_size=1, max_size=200))
def test_video_id_round_trips_random_keys(key: str) -> None:
    assert keys.key_for_video_id(keys.video_id_for_key(key)) == key


@pytest.mark.parametrize("bad", ["", "a", "***", "YQ=", "abc/def"])
def test_invalid_video_ids_raise(bad: str) -> None:
    with pytest.raises(ValueError):
        keys.key_for_video_id(bad)


def test_request_tokens_are_deterministic_per_version_and_valid() -> None:
    a = keys.client_request_token("b", "k.mp4", "v1")
    assert a == keys.client_request_token("b", "k.mp4", "v1")
    assert a != keys.client_request_token("b", "k.mp4", "v2")
    assert len(a) == 64 and a.isalnum()
    assert keys.fallback_job_id("b", "k.mp4", "v1").startswith("fallback-")
    assert len(keys.fallback_job_id("b", "k.mp4", "v1")) <= 64
