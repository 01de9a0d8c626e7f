"""The whole local stack in-process on free ports, driven by real boto3 clients and HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from local_mode.stack import LocalConfig, LocalPipeline
from tests.detector.conftest import FFMPEG, make_clip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Running:
    """A started local pipeline plus helpers the tests share."""

    def __init__(self, data_dir: Path, max_jobs: int) -> None:
        self.data_dir, self.max_jobs = data_dir, max_jobs
        self.ports = (free_port(), free_port())
        self.stack = self._start()

    def _start(self) -> LocalPipeline:
        stack = LocalPipeline(
            LocalConfig(port=self.ports[0], api_port=self.ports[1], data_dir=self.data_dir, max_jobs=self.max_jobs)
        )
        stack.start()
        return stack

    def restart(self) -> None:
        self.stack.stop()
        self.stack = self._start()

    def get(self, path: str) -> tuple[int, Any]:
        try:
            with urllib.request.urlopen(self.stack.api_url + path, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(self.stack.endpoint + "/_local/stats", timeout=10) as response:
            return dict(json.loads(response.read()))

    def wait_for(self, condition: Callable[[], bool], timeout: float = 120.0) -> None:
        """Poll ``condition`` until it holds (a deadline, not a sleep, decides failure)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.25)
        raise AssertionError("condition not met before the deadline")


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    if FFMPEG is None:
        pytest.skip("the ffmpeg CLI is needed to generate test clips")
    saved = dict(os.environ)
    running = Running(tmp_path_factory.mktemp("local-data"), max_jobs=5)
    try:
        yield running
    finally:
        running.stack.stop()
        os.environ.clear()
        os.environ.update(saved)
        from segments.settings import settings

        settings.cache_clear()


@pytest.fixture(scope="module")
def e2e_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("e2e-clips")
    size = "s=320x180:r=25"
    clips = {
        # shots start at frames 0, 50 and 100
        "three_shots": make_clip(
            d / "three shots.mp4",
            f"testsrc2={size}:d=2[a];mandelbrot={size},trim=duration=2,setpts=PTS-STARTPTS[b];"
            f"smptebars={size}:d=2[c];[a][b][c]concat=n=3",
        ),
    }
    for i in range(20):
        clips[f"tiny{i}"] = make_clip(d / f"tiny{i}.mp4", f"testsrc2=s=160x90:r=25:d=1,hue=h={i * 17}")
    clips["text"] = d / "notes.mp4"
    clips["text"].write_text("definitely not a video\n")
    corrupt = d / "corrupt.mp4"
    data = clips["three_shots"].read_bytes()
    corrupt.write_bytes(data[:4096] + bytes(len(data) - 4096))
    clips["corrupt"] = corrupt
    assert subprocess.run([str(FFMPEG), "-version"], capture_output=True, check=False).returncode == 0
    return clips
