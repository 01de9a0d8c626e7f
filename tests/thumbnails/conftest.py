"""Clips with known shots: solid colours (so a thumbnail's colour names its shot) and long GOPs (to see seeking)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

FFMPEG = shutil.which("ffmpeg")
COLOURS = {"red": (255, 0, 0), "lime": (0, 255, 0), "blue": (0, 0, 255), "white": (255, 255, 255)}


def encode(path: Path, filtergraph: str, *, keyint: int, seconds: float) -> Path:
    """H.264 from a lavfi graph with a fixed GOP of ``keyint`` frames and no scene-cut keyframes."""
    assert FFMPEG is not None
    cmd = [
        FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", filtergraph, "-c:v", "libx264", "-preset", "veryfast",
        "-pix_fmt", "yuv420p", "-x264-params", f"scenecut=0:keyint={keyint}:min-keyint={keyint}", "-t", str(seconds),
        str(path),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=120)
    return path


def mean_rgb(webp: bytes) -> np.ndarray:
    """Average colour of a WebP image (decoded with PyAV)."""
    with av.open(io.BytesIO(webp), format="webp_pipe") as container:
        frame = next(container.decode(video=0))
        return frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)


def size_of(webp: bytes) -> tuple[int, int]:
    """(width, height) of a WebP image."""
    with av.open(io.BytesIO(webp), format="webp_pipe") as container:
        frame = next(container.decode(video=0))
        return frame.width, frame.height


@pytest.fixture(scope="session")
def colour_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``colours``: red 2 s, lime 2 s, blue 2 s with 0.4 s dissolves (25 fps, 320x180);
    ``long``: 60 s, six 10-s shots of alternating colours, 2-s GOPs (25 fps, 160x90)."""
    if FFMPEG is None:
        pytest.skip("the ffmpeg CLI is needed to generate test clips")
    d = tmp_path_factory.mktemp("thumb-clips")
    size = "s=320x180:r=25"
    colours = encode(
        d / "colours.mp4",
        f"color=c=red:{size}:d=2.4[a];color=c=lime:{size}:d=2.4[b];color=c=blue:{size}:d=2.4[c];"
        "[a][b]xfade=transition=fade:duration=0.4:offset=2[ab];[ab][c]xfade=transition=fade:duration=0.4:offset=4",
        keyint=50,
        seconds=6.4,
    )
    small = "s=160x90:r=25"
    names = ["red", "lime", "blue", "white", "red", "lime"]
    inputs = "".join(f"color=c={n}:{small}:d=10[v{i}];" for i, n in enumerate(names))
    joined = "".join(f"[v{i}]" for i in range(len(names)))
    long = encode(d / "long.mp4", f"{inputs}{joined}concat=n={len(names)}", keyint=50, seconds=60)
    text = d / "notes.mp4"
    text.write_text("not a video\n")
    return {"colours": colours, "long": long, "text": text}
