"""The detector on generated clips with known answers, and on inputs it must refuse clearly."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from detector import (
    DetectOptions,
    NoVideoStreamError,
    UnreadableVideoError,
    VideoError,
    assemble,
    detect,
    detect_raw,
    merge_raw,
)
from detector.decode import VideoReader

pytestmark = pytest.mark.slow


def shots(response: dict[str, Any]) -> list[tuple[int, int]]:
    return [(s["StartFrameNumber"], s["EndFrameNumber"]) for s in response["Segments"] if s["Type"] == "SHOT"]


def cues(response: dict[str, Any], kind: str) -> list[tuple[int, int]]:
    return [
        (s["StartFrameNumber"], s["EndFrameNumber"])
        for s in response["Segments"]
        if s["Type"] == "TECHNICAL_CUE" and s["TechnicalCueSegment"]["Type"] == kind
    ]


def test_hard_cuts_are_found_on_the_exact_frame(clips: dict[str, Path]) -> None:
    assert shots(detect(str(clips["cuts"]))) == [(0, 49), (50, 99), (100, 149)]


def test_response_has_the_reference_shape_and_order(clips: dict[str, Path]) -> None:
    response = detect(str(clips["cuts"]))
    assert response["JobStatus"] == "SUCCEEDED"
    (video,) = response["VideoMetadata"]
    assert video["FrameRate"] == 25.0 and video["FrameWidth"] == 160 and video["FrameHeight"] == 90
    assert video["Codec"] == "h264" and video["ColorRange"] in ("FULL", "LIMITED")
    assert [t["Type"] for t in response["SelectedSegmentTypes"]] == ["TECHNICAL_CUE", "SHOT"]
    kinds = [s["Type"] for s in response["Segments"]]
    assert kinds == sorted(kinds, key=["TECHNICAL_CUE", "SHOT"].index)
    for seg in response["Segments"]:
        assert 50 <= (seg.get("ShotSegment") or seg["TechnicalCueSegment"])["Confidence"] <= 100
        assert seg["StartTimecodeSMPTE"].count(":") == 3  # 25 fps: non-drop notation
    json.dumps(response)  # plain JSON types only


def test_colour_bars_then_black_hold_then_content(clips: dict[str, Path]) -> None:
    response = detect(str(clips["broadcast"]))
    (bars,) = cues(response, "ColorBars")
    (black,) = cues(response, "BlackFrames")
    assert abs(bars[0] - 0) <= 1 and abs(bars[1] - 49) <= 2
    assert abs(black[0] - 50) <= 1 and abs(black[1] - 74) <= 1
    assert cues(response, "Content") and cues(response, "Content")[0][0] >= 74
    assert [s for s, _ in shots(response)] == [0, 50, 75]


def test_black_threshold_is_honoured(clips: dict[str, Path]) -> None:
    strict = DetectOptions(black_max_pixel_threshold=0.0, black_min_coverage=100.0)
    # Encoded black sits at code 16 (limited range): a 0.0 threshold still admits exactly 16.
    assert cues(detect(str(clips["broadcast"]), strict), "BlackFrames")
    none = DetectOptions(black_min_coverage=100.0, black_max_pixel_threshold=0.0, segment_types=("SHOT",))
    assert not cues(detect(str(clips["broadcast"]), none), "BlackFrames")


def test_dissolve_is_one_transition_inside_the_mixed_frames(clips: dict[str, Path]) -> None:
    boundaries = [s for s, _ in shots(detect(str(clips["dissolve"])))][1:]
    assert len(boundaries) == 1
    assert 48 <= boundaries[0] <= 77


def test_a_clear_fade_is_scored_below_the_band_only_cuts_earn(clips: dict[str, Path]) -> None:
    (_, fade) = [s for s in detect(str(clips["long_fade"]))["Segments"] if s["Type"] == "SHOT"]
    (_, cut, _) = [s for s in detect(str(clips["cuts"]))["Segments"] if s["Type"] == "SHOT"]
    assert 50.0 <= fade["ShotSegment"]["Confidence"] < 95.0 <= cut["ShotSegment"]["Confidence"]


def test_slate_and_studio_logo_at_the_head_only(clips: dict[str, Path]) -> None:
    response = detect(str(clips["cards"]))
    (slate,) = cues(response, "Slate")
    (logo,) = cues(response, "StudioLogo")
    # Each card is its whole shot (the still-frame test alone trims a few frames at each end).
    assert slate == (0, 49)
    assert logo == (63, 112)
    # The same card later in the video is content, not a slate.
    assert any(a <= 313 and b >= 362 for a, b in cues(response, "Content"))


def test_flash_frames_are_not_cuts(clips: dict[str, Path]) -> None:
    assert shots(detect(str(clips["flash"]))) == [(0, 99)]


def test_min_confidence_and_segment_type_filters(clips: dict[str, Path]) -> None:
    only_shots = detect(str(clips["broadcast"]), DetectOptions(segment_types=("SHOT",)))
    assert {s["Type"] for s in only_shots["Segments"]} == {"SHOT"}
    assert [t["Type"] for t in only_shots["SelectedSegmentTypes"]] == ["SHOT"]
    strict = detect(str(clips["cuts"]), DetectOptions(shot_min_confidence=100.0))
    assert all(s["ShotSegment"]["Confidence"] >= 100.0 for s in strict["Segments"] if s["Type"] == "SHOT")


def test_window_keeps_global_frame_numbers(clips: dict[str, Path]) -> None:
    window = detect(str(clips["cuts"]), DetectOptions(start_ms=1600, end_ms=4400))
    starts = [s for s, _ in shots(window)]
    assert starts[0] == 40 and 50 in starts and 100 in starts
    assert shots(window)[-1][1] == 109


@pytest.mark.parametrize(
    ("name", "borders"),
    [
        ("broadcast", (0, 1200, 2600, 5000)),  # borders inside the bars and the black hold
        ("cards", (0, 3000, 9000, 17000)),  # where head-only cues may sit is judged on the whole video
    ],
)
def test_chunked_raw_results_merge_to_the_single_pass_result(
    clips: dict[str, Path], name: str, borders: tuple[int, ...]
) -> None:
    whole = detect(str(clips[name]))
    parts = [detect_raw(str(clips[name]), DetectOptions(start_ms=a, end_ms=b)) for a, b in pairwise(borders)]
    assert assemble(merge_raw(parts)) == whole


def test_file_objects_stream_like_paths(clips: dict[str, Path]) -> None:
    with clips["cuts"].open("rb") as handle:
        assert shots(detect(handle)) == shots(detect(str(clips["cuts"])))


@pytest.mark.parametrize(
    ("name", "error"),
    [("text", UnreadableVideoError), ("audio_only", NoVideoStreamError), ("truncated", VideoError)],
)
def test_bad_inputs_raise_typed_errors(clips: dict[str, Path], name: str, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        detect(str(clips[name]))
    assert str(info.value) and "\n" not in str(info.value)


def test_cli_prints_json_and_exports(clips: dict[str, Path]) -> None:
    cli = [sys.executable, "-m", "detector.cli"]
    ok = subprocess.run([*cli, str(clips["cuts"])], capture_output=True, text=True, timeout=120, check=False)
    assert ok.returncode == 0 and json.loads(ok.stdout)["JobStatus"] == "SUCCEEDED"
    assert ok.stderr == ""  # no progress bar when stderr is not a terminal
    csv_out = subprocess.run([*cli, str(clips["cuts"]), "--format", "csv"], capture_output=True, text=True, check=False)
    assert csv_out.stdout.splitlines()[0].startswith("Type,CueType,ShotIndex,Confidence")


def test_cli_fails_with_one_line_on_bad_input(clips: dict[str, Path]) -> None:
    cli = [sys.executable, "-m", "detector.cli"]
    bad = subprocess.run([*cli, str(clips["text"])], capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 1 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1
    wrong = subprocess.run(
        [*cli, str(clips["cuts"]), "--min-confidence", "10"], capture_output=True, text=True, check=False
    )
    assert wrong.returncode == 2 and "between 50 and 100" in wrong.stderr


def test_a_cut_between_two_angles_of_one_scene_is_found(clips: dict[str, Path]) -> None:
    # Same colours on both sides: only the layout changes.
    assert [s for s, _ in shots(detect(str(clips["same_scene"])))] == [0, 50]


def test_each_jump_of_one_split_screen_panel_is_a_cut_however_close_the_next(clips: dict[str, Path]) -> None:
    assert [s for s, _ in shots(detect(str(clips["split_screen"])))] == [0, 40, 46, 52]


def test_a_long_fade_over_motion_is_one_transition(clips: dict[str, Path]) -> None:
    (first, second) = shots(detect(str(clips["long_fade"])))
    assert first[0] == 0 and 75 <= second[0] <= 138


def test_a_slow_dissolve_is_found_once(clips: dict[str, Path]) -> None:
    (first, second) = shots(detect(str(clips["slow_dissolve"])))
    assert first[0] == 0 and 50 <= second[0] <= 140


def test_a_clock_ticking_over_a_still_card_is_not_a_jump_cut(clips: dict[str, Path]) -> None:
    assert len(shots(detect(str(clips["clock"])))) == 1


def test_frames_count_from_the_first_picture_when_the_video_starts_after_the_sound(clips: dict[str, Path]) -> None:
    response = detect(str(clips["late_video"]))
    assert shots(response) == [(0, 49), (50, 74)]  # not 15 copies of the first picture before it
    cut = next(s for s in response["Segments"] if s["Type"] == "SHOT" and s["StartFrameNumber"] == 50)
    assert cut["StartTimestampMillis"] == 2000 and cut["StartTimecodeSMPTE"] == "00:00:02:00"


def test_a_slow_fade_over_flat_backgrounds_is_one_transition_not_a_cut_per_step(clips: dict[str, Path]) -> None:
    (_, (boundary, _)) = shots(detect(str(clips["flat_fade"])))
    assert 60 <= boundary <= 165


def test_a_two_frame_shot_is_its_own_shot(clips: dict[str, Path]) -> None:
    assert [s for s, _ in shots(detect(str(clips["two_frame_shot"])))] == [0, 50, 52]


def test_each_shot_of_a_montage_of_two_frame_shots_is_its_own_shot(clips: dict[str, Path]) -> None:
    assert [s for s, _ in shots(detect(str(clips["montage"])))] == [0, *range(25, 56, 2)]


def test_a_short_shot_full_of_motion_between_two_cuts_keeps_both_cuts(clips: dict[str, Path]) -> None:
    assert [s for s, _ in shots(detect(str(clips["moving_short_shot"])))] == [0, 50, 80]


def test_a_four_frame_insert_whose_colours_move_is_its_own_shot(clips: dict[str, Path]) -> None:
    assert [s for s, _ in shots(detect(str(clips["moving_insert"])))] == [0, 50, 54]


def test_keyframe_pops_in_a_moving_low_quality_shot_are_not_cuts(clips: dict[str, Path]) -> None:
    assert [s for s, _ in shots(detect(str(clips["keyframe_pops"])))] == [0]


def test_a_cut_through_two_white_frames_into_another_shot_is_one_transition(clips: dict[str, Path]) -> None:
    assert [s for s, _ in shots(detect(str(clips["white_flash_between_shots"])))] == [0, 51]


def test_a_title_card_fading_out_into_a_black_hold_is_a_transition(clips: dict[str, Path]) -> None:
    starts = [s for s, _ in shots(detect(str(clips["title_fade_to_black"])))]
    assert len(starts) == 3 and starts[0] == 0 and starts[2] == 75
    assert 25 <= starts[1] <= 50  # inside the fading frames


def test_four_black_frames_between_a_cut_and_a_fade_in_are_a_shot_of_their_own(clips: dict[str, Path]) -> None:
    starts = [s for s, _ in shots(detect(str(clips["cut_to_short_black_fade_in"])))]
    assert len(starts) == 3 and starts[:2] == [0, 50]
    assert 54 <= starts[2] <= 79  # inside the fading frames


def test_the_decoder_marks_keyframes(clips: dict[str, Path]) -> None:
    with VideoReader(str(clips["keyframe_pops"])) as reader:
        assert [t.index for t in reader.frames() if t.key] == [0, 50, 100, 150]


def test_a_title_fading_over_an_unchanged_picture_is_not_a_shot_change(clips: dict[str, Path]) -> None:
    assert len(shots(detect(str(clips["title"])))) == 1


def test_a_fade_in_from_the_first_frame_and_out_into_the_last_are_no_transitions(clips: dict[str, Path]) -> None:
    assert shots(detect(str(clips["fade_in_and_out_at_the_ends"]))) == [(0, 74), (75, 149)]


def test_a_cut_into_one_black_frame_that_ends_the_video_is_the_last_shots_end(clips: dict[str, Path]) -> None:
    response = detect(str(clips["closing_black_frame"]))
    assert shots(response) == [(0, 49), (50, 100)]
    assert cues(response, "BlackFrames") == []


def test_captions_swapped_over_a_still_picture_are_not_a_shot_change(clips: dict[str, Path]) -> None:
    assert shots(detect(str(clips["caption_swap"]))) == [(0, 100)]


def test_captions_swapped_over_a_grainy_picture_are_not_a_shot_change(clips: dict[str, Path]) -> None:
    # The grain moves the picture outside the captions on every frame as much as at the swap.
    assert shots(detect(str(clips["caption_swap_grain"]))) == [(0, 100)]


def test_slogans_popping_up_over_a_picture_are_not_a_shot_change(clips: dict[str, Path]) -> None:
    assert shots(detect(str(clips["slogans"]))) == [(0, 100)]


def test_a_pan_within_one_scene_is_not_a_transition(clips: dict[str, Path]) -> None:
    assert shots(detect(str(clips["pan"]))) == [(0, 149)]


def test_flat_saturated_colours_are_neither_bars_nor_black(clips: dict[str, Path]) -> None:
    response = detect(str(clips["flat_colours"]))
    assert cues(response, "ColorBars") == [] and cues(response, "BlackFrames") == []
    assert [s for s, _ in shots(response)] == [0, 75]


def test_variable_frame_rate_uses_the_nominal_rate_and_timestamps(clips: dict[str, Path]) -> None:
    response = detect(str(clips["vfr"]))
    assert response["VideoMetadata"][0]["FrameRate"] == 30.0
    second = [s for s in response["Segments"] if s["Type"] == "SHOT"][1]
    assert abs(second["StartFrameNumber"] - 300) <= 1
    assert abs(second["StartTimestampMillis"] - 10_000) <= 34
    assert second["StartTimecodeSMPTE"] in ("00:00:09:29", "00:00:10:00", "00:00:10:01")


def test_a_truncated_file_fails_with_the_reason(clips: dict[str, Path]) -> None:
    with pytest.raises(UnreadableVideoError, match="truncated"):
        detect(str(clips["half_file"]))
    cli = [sys.executable, "-m", "detector.cli", str(clips["half_file"])]
    run = subprocess.run(cli, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1 and run.stdout == "" and "truncated" in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start-ms", "-5"], "start_ms must be 0 or more"),
        (["--end-ms", "0"], "end_ms must be more than 0"),
    ],
)
def test_cli_refuses_a_bad_time_window_in_one_line(clips: dict[str, Path], args: list[str], message: str) -> None:
    cli = [sys.executable, "-m", "detector.cli", str(clips["cuts"]), *args]
    run = subprocess.run(cli, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 2 and run.stderr.strip() == f"segment-detect: {message}"


def test_cli_says_a_directory_is_not_a_video(tmp_path: Path) -> None:
    cli = [sys.executable, "-m", "detector.cli", str(tmp_path)]
    run = subprocess.run(cli, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 2 and "is a directory" in run.stderr and "Traceback" not in run.stderr
