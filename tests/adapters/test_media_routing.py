"""Uploads Rekognition cannot read never reach it: the real start handler on moto, Rekognition stubbed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from segments.domain import keys
from segments.settings import settings
from tests.adapters.test_pipeline import ROLE, TOPIC, run_start, slot_holders, sqs_record, stubbed
from tests.adapters.test_routing import executions, machine, video
from tests.detector.conftest import FFMPEG

__all__ = ["machine", "stubbed"]
BUCKET = "videos"


def upload_event(key: str, version: str, size: int) -> dict[str, Any]:
    record = {
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": BUCKET}, "object": {"key": key, "versionId": version, "size": size}},
    }
    return sqs_record(json.dumps({"Records": [record]}), msg_id=f"m-{key}")


def put(key: str, body: bytes) -> dict[str, Any]:
    """Store ``body`` under ``key`` in a versioned moto bucket; returns its upload event."""
    s3 = boto3.client("s3")
    if BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=BUCKET, Key=key, Body=body)["VersionId"]
    return upload_event(key, version, len(body))


def encode(tmp_path: Path, name: str, *args: str) -> bytes:
    if FFMPEG is None:
        pytest.skip("the ffmpeg CLI is needed to generate test clips")
    path = tmp_path / name
    cmd = [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=64x64:r=25:d=0.4", *args, str(path)]
    subprocess.run(cmd, check=True, timeout=120)
    return path.read_bytes()


@pytest.mark.parametrize("key", ["clip.mkv", "clip.WEBM"])
def test_an_mkv_or_webm_goes_straight_to_the_fallback_without_a_rekognition_slot(
    machine: str, stubbed: Stubber, segments_table: str, key: str
) -> None:
    run_start([upload_event(key, "v1", 5_000)])
    stubbed.assert_no_pending_responses()  # Rekognition was never called (the stub would have failed)
    (payload,) = executions(machine)
    assert "Rekognition reads only MP4/MOV" in payload["reason"]
    assert video(segments_table, key).source == "fallback"
    assert slot_holders(segments_table) == set()


def test_a_file_over_ten_gigabytes_goes_straight_to_the_fallback(
    machine: str, stubbed: Stubber, segments_table: str
) -> None:
    run_start([upload_event("huge.mp4", "v1", 11 * 1024**3)])
    (payload,) = executions(machine)
    assert "10 GiB" in payload["reason"]
    assert slot_holders(segments_table) == set()


def test_an_hevc_mp4_is_probed_and_goes_straight_to_the_fallback(
    machine: str, stubbed: Stubber, segments_table: str, tmp_path: Path
) -> None:
    body = encode(tmp_path, "hevc.mp4", "-c:v", "libx265", "-x265-params", "log-level=error", "-tag:v", "hvc1")
    run_start([put("hevc.mp4", body)])
    (payload,) = executions(machine)
    assert "HEVC" in payload["reason"]
    assert slot_holders(segments_table) == set()


def test_an_h264_mp4_is_probed_and_started_on_rekognition(
    machine: str, stubbed: Stubber, segments_table: str, tmp_path: Path
) -> None:
    event = put("h264.mp4", encode(tmp_path, "h264.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p"))
    version = json.loads(event["body"])["Records"][0]["s3"]["object"]["versionId"]
    stubbed.add_response(
        "start_segment_detection",
        {"JobId": "job-h264"},
        {
            "Video": {"S3Object": {"Bucket": BUCKET, "Name": "h264.mp4", "Version": version}},
            "SegmentTypes": ["TECHNICAL_CUE", "SHOT"],
            "ClientRequestToken": keys.client_request_token(BUCKET, "h264.mp4", version),
            "JobTag": keys.job_tag("h264.mp4"),
            "NotificationChannel": {"SNSTopicArn": TOPIC, "RoleArn": ROLE},
        },
    )
    run_start([event])
    stubbed.assert_no_pending_responses()
    assert executions(machine) == []
    assert video(segments_table, "h264.mp4").source == "rekognition"


@pytest.mark.parametrize(("key", "size", "why"), [("clip.mkv", 5_000, ".mkv"), ("big.mov", 11 * 1024**3, "10 GiB")])
def test_rekognition_mode_records_an_unreadable_video_failed_at_once_with_the_reason(
    machine: str, stubbed: Stubber, monkeypatch: pytest.MonkeyPatch, segments_table: str, key: str, size: int, why: str
) -> None:
    monkeypatch.setenv("DETECTION_MODE", "rekognition")
    settings.cache_clear()
    outcome = run_start([upload_event(key, "v1", size)])
    assert outcome["batchItemFailures"] == []  # settled now, not redelivered
    current = video(segments_table, key)
    assert current.status == "FAILED"
    assert why in current.status_message and "Rekognition cannot read this video" in current.status_message
    assert executions(machine) == []
    assert slot_holders(segments_table) == set()


def test_fallback_mode_routes_every_suffix_to_the_fallback_without_probing(
    machine: str, stubbed: Stubber, monkeypatch: pytest.MonkeyPatch, segments_table: str
) -> None:
    monkeypatch.setenv("DETECTION_MODE", "fallback")
    settings.cache_clear()
    run_start([upload_event("a.mp4", "v1", 5_000), upload_event("b.mkv", "v1", 5_000)])
    reasons = sorted(p["reason"] for p in executions(machine))
    assert reasons == ["detectionMode is fallback", "detectionMode is fallback"]
