"""Thumbnails: the right frame of each shot, the documented keys and sizes, seeking instead of decoding all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.thumbnails.conftest import COLOURS, mean_rgb, size_of
from thumbnails.extract import ThumbnailError, render
from thumbnails.plan import (
    SHEET_COLUMNS,
    SHEET_TILES,
    ShotSpan,
    chunk_ranges,
    representative_window,
    sprite_key,
    thumbnail_key,
)

pytestmark = pytest.mark.slow

# The colours clip: red 0-59, dissolve 50-59 into lime, lime 60-109, dissolve into blue 100-109, blue to 159.
COLOUR_SHOTS = [ShotSpan(0, 0, 54), ShotSpan(1, 55, 104), ShotSpan(2, 105, 159)]
LONG_SHOTS = [ShotSpan(i, i * 250, i * 250 + 249) for i in range(6)]
LONG_COLOURS = ["red", "lime", "blue", "white", "red", "lime"]


def close_to(rgb: np.ndarray, name: str, tolerance: float = 40) -> bool:
    return bool(np.abs(rgb - np.array(COLOURS[name])).max() < tolerance)


def test_the_thumbnail_window_is_the_middle_half_of_the_shot_away_from_its_transitions() -> None:
    assert representative_window(ShotSpan(0, 100, 199)) == (125, 174)
    assert representative_window(ShotSpan(3, 7, 7)) == (7, 7)
    assert representative_window(ShotSpan(4, 10, 12)) == (11, 11)


def test_each_thumbnail_frame_lies_inside_its_window(colour_clips: dict[str, Path]) -> None:
    result = render(str(colour_clips["colours"]), COLOUR_SHOTS, video_id="v", job_id="j")
    for shot, span in zip(result.shots, COLOUR_SHOTS, strict=True):
        first, last = representative_window(span)
        assert first <= shot.frame <= last


def test_each_thumbnail_shows_its_own_shot_away_from_the_dissolves(colour_clips: dict[str, Path]) -> None:
    result = render(str(colour_clips["colours"]), COLOUR_SHOTS, video_id="vid", job_id="job")
    assert [s.index for s in result.shots] == [0, 1, 2]
    for shot, name in zip(result.shots, ["red", "lime", "blue"], strict=True):
        assert close_to(mean_rgb(shot.image), name), (shot.index, mean_rgb(shot.image))


def test_thumbnails_are_320_px_wide_webp_under_documented_keys(colour_clips: dict[str, Path]) -> None:
    result = render(str(colour_clips["colours"]), COLOUR_SHOTS, video_id="dmlk", job_id="job-1")
    shot = result.shots[1]
    assert shot.key == "thumbnails/dmlk/job-1/shot-00001.webp" == thumbnail_key("dmlk", "job-1", 1)
    assert shot.image[:4] == b"RIFF" and shot.image[8:12] == b"WEBP"
    assert size_of(shot.image) == (320, 180)


def test_sprite_sheet_holds_one_tile_per_shot_in_order(colour_clips: dict[str, Path]) -> None:
    result = render(str(colour_clips["colours"]), COLOUR_SHOTS, video_id="v", job_id="j")
    sheet = result.sprites[sprite_key("v", "j", 0)]
    assert size_of(sheet) == (SHEET_COLUMNS * result.tile_width, result.tile_height)
    import io

    import av

    with av.open(io.BytesIO(sheet), format="webp_pipe") as c:
        pixels = next(c.decode(video=0)).to_ndarray(format="rgb24")
    w = result.tile_width
    for slot, name in enumerate(["red", "lime", "blue"]):
        tile = pixels[:, slot * w + 4 : (slot + 1) * w - 4].reshape(-1, 3).mean(axis=0)
        assert close_to(tile, name), (slot, tile)
    assert [(s.sheet, s.slot) for s in result.shots] == [(0, 0), (0, 1), (0, 2)]


def test_distant_shots_are_reached_by_seeking_not_by_decoding_the_whole_video(colour_clips: dict[str, Path]) -> None:
    result = render(str(colour_clips["long"]), LONG_SHOTS, video_id="v", job_id="j")
    for shot, name in zip(result.shots, LONG_COLOURS, strict=True):
        assert close_to(mean_rgb(shot.image), name), (shot.index, name)
    assert result.stats.seeks == len(LONG_SHOTS)
    # A keyframe (every 50 frames) lies in each 125-frame window: a few frames per shot, not the video's 1,500.
    assert result.stats.decoded <= len(LONG_SHOTS) * 10


def test_a_file_like_source_reads_the_same_images_as_a_path(colour_clips: dict[str, Path]) -> None:
    with colour_clips["colours"].open("rb") as handle:
        from_file = render(handle, COLOUR_SHOTS, video_id="v", job_id="j")
    from_path = render(str(colour_clips["colours"]), COLOUR_SHOTS, video_id="v", job_id="j")
    assert [s.frame for s in from_file.shots] == [s.frame for s in from_path.shots]
    assert [s.key for s in from_file.shots] == [s.key for s in from_path.shots]


def test_rendering_twice_yields_the_same_keys_and_frames(colour_clips: dict[str, Path]) -> None:
    first = render(str(colour_clips["long"]), LONG_SHOTS, video_id="v", job_id="j")
    again = render(str(colour_clips["long"]), LONG_SHOTS, video_id="v", job_id="j")
    assert [(s.key, s.frame) for s in first.shots] == [(s.key, s.frame) for s in again.shots]
    assert sorted(first.sprites) == sorted(again.sprites)


def test_a_shot_past_the_end_of_the_video_shows_the_last_frame(colour_clips: dict[str, Path]) -> None:
    shots = [ShotSpan(0, 0, 54), ShotSpan(1, 150, 400)]
    result = render(str(colour_clips["colours"]), shots, video_id="v", job_id="j")
    assert [s.index for s in result.shots] == [0, 1]
    assert close_to(mean_rgb(result.shots[1].image), "blue")


def test_chunks_cover_every_shot_in_whole_sprite_sheets() -> None:
    assert chunk_ranges(0) == []
    assert chunk_ranges(250, chunk_shots=SHEET_TILES) == [(0, 100), (100, 200), (200, 250)]
    with pytest.raises(ValueError, match="multiple"):
        chunk_ranges(10, chunk_shots=150)


def test_a_chunk_fills_the_sprite_sheets_of_its_own_positions(colour_clips: dict[str, Path]) -> None:
    shots = [ShotSpan(i, i * 10, i * 10 + 9) for i in range(15)]
    result = render(str(colour_clips["colours"]), shots[10:], video_id="v", job_id="j", first_position=SHEET_TILES)
    assert {(s.index, s.sheet, s.slot) for s in result.shots} == {(i, 1, i - 10) for i in range(10, 15)}
    assert list(result.sprites) == [sprite_key("v", "j", 1)]


def test_unreadable_input_raises_a_thumbnail_error(colour_clips: dict[str, Path]) -> None:
    with pytest.raises(ThumbnailError, match="not a readable video"):
        render(str(colour_clips["text"]), COLOUR_SHOTS, video_id="v", job_id="j")


def test_one_frame_shots_show_exactly_their_frame_though_b_frames_are_skipped(colour_clips: dict[str, Path]) -> None:
    shots = [ShotSpan(i, frame, frame) for i, frame in enumerate([3, 57, 58, 131, 133])]
    result = render(str(colour_clips["colours"]), shots, video_id="v", job_id="j")
    assert [s.frame for s in result.shots] == [3, 57, 58, 131, 133]
