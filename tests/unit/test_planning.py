"""Chunk planning covers the video exactly once, in order."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fallback_image.planning import plan_chunks


@given(st.integers(0, 11 * 3600 * 1000), st.integers(1, 3600))
def test_chunks_cover_the_whole_video_without_gaps(duration_ms: int, chunk_seconds: int) -> None:
    chunks = plan_chunks(duration_ms, chunk_seconds)
    assert chunks[0]["startMs"] == 0 and chunks[-1]["endMs"] == max(1, duration_ms)
    for a, b in itertools.pairwise(chunks):
        assert a["endMs"] == b["startMs"]
    assert [c["index"] for c in chunks] == list(range(len(chunks)))


def test_three_hours_at_twenty_minutes_is_nine_chunks() -> None:
    assert len(plan_chunks(3 * 3600 * 1000, 1200)) == 9


def test_a_short_tail_joins_the_last_chunk() -> None:
    chunks = plan_chunks(61_000, 20)
    assert len(chunks) == 3 and chunks[-1]["endMs"] == 61_000


def test_invalid_chunk_size() -> None:
    with pytest.raises(ValueError):
        plan_chunks(1000, 0)
