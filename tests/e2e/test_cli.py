"""``segment-local`` refuses, before starting anything, a video it would never process."""

from __future__ import annotations

from pathlib import Path

import pytest

from local_mode.cli import main


@pytest.mark.parametrize("name", ["notes.txt", "clip.mp4.part", "mp4"])
def test_a_file_that_would_never_be_processed_is_refused_at_once_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    video = tmp_path / name
    video.write_bytes(b"\x00" * 16)
    code = main(["--video", str(video), "--data-dir", str(tmp_path / "data"), "--port", "1", "--api-port", "1"])
    assert code != 0
    err = capsys.readouterr().err
    assert name in err and ".mp4" in err and "any case" in err
    assert not (tmp_path / "data").exists()  # refused before the stack started: nothing queued to wait on


def test_a_missing_file_is_refused_with_its_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--video", str(tmp_path / "gone.mp4"), "--port", "1", "--api-port", "1"]) != 0
    assert "no such file" in capsys.readouterr().err
