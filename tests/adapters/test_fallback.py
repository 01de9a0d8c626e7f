"""The fallback image's entry point, in-process, against moto S3 and DynamoDB with generated clips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from detector import DetectOptions, UnreadableVideoError, detect
from segments.adapters.store import SegmentStore
from segments.domain import keys
from tests.detector.conftest import clips  # noqa: F401 - shared session fixture

pytestmark = pytest.mark.slow
BUCKET = "videos"


@pytest.fixture
def image(monkeypatch: pytest.MonkeyPatch, segments_table: str) -> Any:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    monkeypatch.setenv("TABLE_NAME", segments_table)
    monkeypatch.setenv("BUCKET_NAME", BUCKET)
    monkeypatch.setenv("RESULTS_PREFIX", "fallback-chunks/")
    from fallback_image import entry

    return entry


class Ctx:
    function_name = "fallback"
    memory_limit_in_mb = 10240
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fallback"
    aws_request_id = "r"


def job_for(path: Path, key: str) -> dict[str, Any]:
    s3 = boto3.client("s3")
    s3.upload_file(str(path), BUCKET, key)
    return {
        "bucket": BUCKET,
        "key": key,
        "versionId": "",
        "jobId": keys.fallback_job_id(BUCKET, key, None),
        "videoId": keys.video_id_for_key(key),
        "reason": "test",
        "segmentTypes": ["TECHNICAL_CUE", "SHOT"],
        "filters": {},
    }


def run_state_machine(entry: Any, job: dict[str, Any], monkeypatch: pytest.MonkeyPatch, chunk_seconds: int) -> int:
    """What the Step Functions definition does: plan, detect every chunk, stitch."""
    monkeypatch.setenv("CHUNK_SECONDS", str(chunk_seconds))
    plan = entry.handler({"action": "plan", "job": job}, Ctx())
    results = [entry.handler({"action": "detect", "job": job, "chunk": c}, Ctx()) for c in plan["chunks"]]
    return int(entry.handler({"action": "stitch", "job": job, "chunkResults": results}, Ctx())["segments"])


@pytest.mark.parametrize("clip", ["cuts", "broadcast"])
def test_chunked_results_equal_the_single_pass(
    image: Any,
    clips: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    segments_table: str,
    clip: str,
) -> None:
    job = job_for(clips[clip], f"{clip}.mp4")
    count = run_state_machine(image, job, monkeypatch, chunk_seconds=1)  # 1 s chunks: every border is exercised
    store = SegmentStore(segments_table)
    stored, start = [], None
    while True:
        items, start = store.query_segments(job["jobId"], 1000, start)
        stored += [i["segment"] for i in items]
        if not start:
            break
    single = detect(str(clips[clip]), DetectOptions())
    assert stored == single["Segments"] and count == len(stored)
    saved = store.get_job(job["jobId"])
    assert saved is not None and saved.status == "SUCCEEDED" and saved.source == "fallback"
    assert saved.selected_segment_types[0]["ModelVersion"].startswith("fallback")
    video = store.get_video(job["videoId"])
    assert video is not None and video.job_id == job["jobId"] and video.source == "fallback"
    left = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="fallback-chunks/").get("KeyCount", 0)
    assert left == 0  # chunk results are cleaned up


def test_unreadable_video_fails_fast_and_is_recorded_with_its_message(
    image: Any,
    clips: dict[str, Path],
    segments_table: str,
) -> None:
    job = job_for(clips["text"], "notes.mp4")
    with pytest.raises(UnreadableVideoError) as info:
        image.handler({"action": "plan", "job": job}, Ctx())
    # Step Functions catches the error by its type name and calls the fail action with Error/Cause.
    error = {"Error": type(info.value).__name__, "Cause": f'{{"errorMessage": "{info.value}"}}'}
    out = image.handler({"action": "fail", "job": job, "error": error}, Ctx())
    saved = SegmentStore(segments_table).get_job(job["jobId"])
    assert saved is not None and saved.status == "FAILED"
    assert "UnreadableVideoError" in saved.status_message and "not a readable video" in out["statusMessage"]


def test_s3_reads_are_ranged_not_whole_object(clips: dict[str, Path], aws: None) -> None:
    from segments.adapters.s3_reader import S3RangeReader, open_s3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="ranged")
    s3.upload_file(str(clips["cuts"]), "ranged", "v.mp4")
    with open_s3("ranged", "v.mp4", s3=s3) as handle:
        head = handle.read(16)
        handle.seek(-16, 2)
        tail = handle.read(16)
    data = clips["cuts"].read_bytes()
    assert head == data[:16] and tail == data[-16:]
    raw = S3RangeReader("ranged", "v.mp4", s3=s3)
    raw.seek(100)
    assert raw.read(10) == data[100:110] and raw.requests == 1
