"""SIGKILL the local stack in the middle of a job: the next start finishes it (nothing stays IN_PROGRESS)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from local_mode.stack import BUCKET
from segments.domain.keys import video_id_for_key
from tests.e2e.conftest import FFMPEG, free_port, make_clip

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


class Process:
    """``segment-local`` in its own process (so it can be killed with SIGKILL)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port, self.api_port = free_port(), free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "local_mode.cli", "--port", str(self.port), "--api-port", str(self.api_port)]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "lambdas")}
        self.proc = subprocess.Popen(
            [*command, "--data-dir", str(self.data_dir), "--max-jobs", "1"], env=env, stdout=subprocess.DEVNULL
        )
        self.wait_for(lambda: self.get("/videos") is not None)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # SIGTERM, which the CLI handles itself: a test run started in the background by a shell
            # without job control inherits SIGINT ignored, and Ctrl-C's signal would never arrive.
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)

    def get(self, path: str) -> Any:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}{path}", timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def s3(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    @staticmethod
    def wait_for(condition: Any, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.25)
        raise AssertionError("condition not met before the deadline")


@pytest.fixture
def process(tmp_path: Path) -> Iterator[Process]:
    if FFMPEG is None:
        pytest.skip("the ffmpeg CLI is needed to generate test clips")
    running = Process(tmp_path / "data")
    try:
        yield running
    finally:
        running.stop()


def status(process: Process, key: str) -> str:
    body = process.get(f"/videos/{video_id_for_key(key)}") or {}
    return str(body.get("JobStatus") or body.get("status") or "")


def test_sigkill_mid_job_then_restart_finishes_every_upload(process: Process, tmp_path: Path) -> None:
    clips = [make_clip(tmp_path / f"k{i}.mp4", f"testsrc2=s=160x90:r=25:d=2,hue=h={i * 40}") for i in range(3)]
    process.start()
    for clip in clips:
        process.s3().upload_file(str(clip), BUCKET, clip.name)
    # With one job slot, one job runs and two uploads wait: kill in the middle of that.
    process.wait_for(lambda: status(process, clips[0].name) in ("IN_PROGRESS", "SUCCEEDED"))
    snapshot = process.data_dir / "state.json"
    process.wait_for(lambda: snapshot.exists() and clips[0].name in snapshot.read_text())
    process.kill()
    process.start()
    process.wait_for(lambda: all(status(process, c.name) == "SUCCEEDED" for c in clips), timeout=420)
