"""The routing probe over moto S3 with real encoder output, and the emulator refusing what Rekognition refuses."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from local_mode.emulator import RekognitionEmulator
from segments.adapters.probe import S3MediaProbe
from segments.domain.events import VideoObject
from segments.domain.routing import route
from tests.detector.conftest import FFMPEG

pytestmark = pytest.mark.skipif(FFMPEG is None, reason="the ffmpeg CLI is needed to generate test clips")
BUCKET = "videos"
SOURCE = "testsrc2=s=64x64:r=25:d=0.4"
# name → ffmpeg output arguments (encoder and container)
ENCODINGS: dict[str, list[str]] = {
    "h264.mp4": ["-c:v", "libx264", "-pix_fmt", "yuv420p"],
    "h264-faststart.mp4": ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart"],
    "h264.mov": ["-c:v", "libx264", "-pix_fmt", "yuv420p"],
    "mpeg4.mp4": ["-c:v", "mpeg4"],
    "hevc.mp4": ["-c:v", "libx265", "-x265-params", "log-level=error", "-tag:v", "hvc1"],
    "prores.mov": ["-c:v", "prores_ks", "-profile:v", "3"],
    "h264.mkv": ["-c:v", "libx264", "-pix_fmt", "yuv420p"],
    "vp9.webm": ["-c:v", "libvpx-vp9", "-deadline", "realtime"],
}


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("routing-clips")
    out: dict[str, Path] = {}
    for name, args in ENCODINGS.items():
        path = d / name
        cmd = [str(FFMPEG), "-v", "error", "-y", "-f", "lavfi", "-i", SOURCE, *args, str(path)]
        subprocess.run(cmd, check=True, timeout=120)
        out[name] = path
    return out


@pytest.fixture
def bucket(aws: None, encoded: dict[str, Path]) -> Any:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    for name, path in encoded.items():
        s3.upload_file(str(path), BUCKET, name)
    # A Matroska file under an .mp4 name: the suffix says MP4, the bytes do not.
    s3.upload_file(str(encoded["h264.mkv"]), BUCKET, "disguised.mp4")
    s3.put_object(Bucket=BUCKET, Key="notes.mp4", Body=b"definitely not a video\n")
    return s3


@pytest.mark.parametrize(
    ("key", "fourcc", "engine"),
    [
        ("h264.mp4", "avc1", "rekognition"),
        ("h264-faststart.mp4", "avc1", "rekognition"),
        ("h264.mov", "avc1", "rekognition"),
        ("mpeg4.mp4", "mp4v", "fallback"),
        ("hevc.mp4", "hvc1", "fallback"),
        ("prores.mov", "apch", "fallback"),
        ("disguised.mp4", None, "fallback"),
        ("notes.mp4", None, "rekognition"),
    ],
)
def test_probe_finds_the_codec_of_real_encoder_output_with_a_few_small_reads(
    bucket: Any, key: str, fourcc: str | None, engine: str
) -> None:
    probe = S3MediaProbe(bucket)
    found = probe.probe(VideoObject(BUCKET, key, None))
    assert found.video_fourcc == fourcc
    assert route(key, 0, found).engine == engine
    assert probe.requests <= 3
    if fourcc is not None:
        assert found.duration_seconds == pytest.approx(0.4, abs=0.1)


def test_a_probe_that_cannot_read_the_object_leaves_the_decision_to_rekognition(bucket: Any) -> None:
    found = S3MediaProbe(bucket).probe(VideoObject(BUCKET, "missing.mp4", None, size=1000))
    assert route("missing.mp4", 1000, found).engine == "rekognition"


class _HugeObjects:
    """moto S3, except that every object claims to be 11 GiB."""

    def __init__(self, s3: Any) -> None:
        self.s3 = s3

    def head_object(self, **kwargs: Any) -> dict[str, Any]:
        return {**self.s3.head_object(**kwargs), "ContentLength": 11 * 1024**3}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.s3, name)


@pytest.fixture
def emulator(bucket: Any, tmp_path: Path) -> Iterator[RekognitionEmulator]:
    emu = RekognitionEmulator(tmp_path, s3_client=lambda: bucket, sns_client=lambda: boto3.client("sns"), workers=1)
    yield emu
    emu.pool.shutdown(wait=True)  # no job may outlive moto


def start(emu: RekognitionEmulator, key: str) -> tuple[int, dict[str, Any]]:
    request = {"Video": {"S3Object": {"Bucket": BUCKET, "Name": key}}, "SegmentTypes": ["SHOT"]}
    return emu.handle("RekognitionService.StartSegmentDetection", json.dumps(request).encode())


@pytest.mark.parametrize("key", ["h264.mkv", "vp9.webm", "prores.mov", "hevc.mp4", "mpeg4.mp4", "disguised.mp4"])
def test_the_emulator_refuses_formats_rekognition_cannot_read(emulator: RekognitionEmulator, key: str) -> None:
    status, answer = start(emulator, key)
    assert status == 400 and answer["__type"] == "InvalidParameterException"
    assert emulator.jobs == {}  # no job, so no slot of the emulated quota


def test_the_emulator_refuses_a_file_over_ten_gigabytes_as_too_large(bucket: Any, tmp_path: Path) -> None:
    emu = RekognitionEmulator(tmp_path, s3_client=lambda: _HugeObjects(bucket), sns_client=lambda: None, workers=1)
    status, answer = start(emu, "h264.mp4")
    assert status == 400 and answer["__type"] == "VideoTooLargeException"
    assert emu.jobs == {}


def test_the_emulator_accepts_h264_in_mp4_and_mov(emulator: RekognitionEmulator) -> None:
    for key in ("h264.mp4", "h264.mov"):
        status, answer = start(emulator, key)
        assert status == 200 and answer["JobId"] in emulator.jobs
