"""Viewer routes on moto: thumbnails listed with presigned URLs, playback URL, presigned uploads and their limits."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest

from local_mode.apigw import LocalContext, rest_event
from segments.adapters.media import MediaBucket
from segments.domain.keys import video_id_for_key
from tests.api.conftest import store_job
from tests.support import rekognition as rk
from tests.thumbnails.conftest import colour_clips  # noqa: F401 - fixture
from thumbnails.plan import manifest_key, thumbnail_key
from thumbnails.step import run, shots_from_segments

BUCKET = "videos"
KEY = "incoming/My clip.mp4"
VIDEO_ID = video_id_for_key(KEY)
Call = Any


@pytest.fixture
def media_api(monkeypatch: pytest.MonkeyPatch, segments_table: str) -> Iterator[Call]:
    """The real API handler over moto: ``call(method, path, body=None)`` → (status, json body)."""
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    monkeypatch.setenv("TABLE_NAME", segments_table)
    monkeypatch.setenv("PAGINATION_SECRET", "test-secret")
    monkeypatch.setenv("BUCKET_NAME", BUCKET)
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "1000000")
    from segments.handlers import api, media_routes
    from segments.settings import settings

    media_routes.media_settings.cache_clear()
    settings.cache_clear()

    def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
        text = body if isinstance(body, str) or body is None else json.dumps(body)
        event = rest_event(method, path, None, {"Content-Type": "application/json"}, text)
        result = api.handler(event, LocalContext())  # type: ignore[arg-type]
        return int(result["statusCode"]), json.loads(result["body"])

    yield call
    media_routes.media_settings.cache_clear()
    settings.cache_clear()


def stored_video(table: str, shots: int = 4) -> None:
    store_job(table, key=KEY, job_id="job-1", segments=rk.cues(1) + rk.shots(shots, length=10))


def media(table: str) -> MediaBucket:
    return MediaBucket(BUCKET, table)


def job() -> dict[str, Any]:
    return {"bucket": BUCKET, "key": KEY, "versionId": "", "videoId": VIDEO_ID, "jobId": "job-1"}


def test_thumbnails_are_pending_until_the_step_ran(media_api: Call, segments_table: str) -> None:
    stored_video(segments_table)
    status, body = media_api("GET", f"/videos/{VIDEO_ID}/thumbnails")
    assert status == 200
    assert body["Status"] == "PENDING" and body["Thumbnails"] == [] and body["JobId"] == "job-1"


@pytest.mark.slow
def test_every_shot_lists_a_short_lived_presigned_thumbnail_url(
    media_api: Call, segments_table: str, colour_clips: dict[str, Path]
) -> None:
    stored_video(segments_table)
    boto3.client("s3").upload_file(str(colour_clips["colours"]), BUCKET, KEY)
    manifest = run(job(), shots_from_segments(rk.shots(4, length=10)), media(segments_table))
    assert manifest["status"] == "SUCCEEDED"
    status, body = media_api("GET", f"/videos/{VIDEO_ID}/thumbnails")
    assert status == 200 and body["Status"] == "SUCCEEDED"
    assert [t["Index"] for t in body["Thumbnails"]] == [0, 1, 2, 3]
    assert body["Width"] == 320 and body["SheetColumns"] == 10 and len(body["Sprites"]) == 1
    first = urlparse(body["Thumbnails"][0]["Url"])
    query = parse_qs(first.query)
    assert first.path.endswith(thumbnail_key(VIDEO_ID, "job-1", 0))
    assert query["X-Amz-Expires"] == ["900"] and "X-Amz-Signature" in query
    image = boto3.client("s3").get_object(Bucket=BUCKET, Key=thumbnail_key(VIDEO_ID, "job-1", 0))
    assert image["ContentType"] == "image/webp"
    video = boto3.resource("dynamodb").Table(segments_table).get_item(Key={"pk": f"VIDEO#{VIDEO_ID}", "sk": "VIDEO"})
    assert video["Item"]["thumbnails"]["status"] == "SUCCEEDED"


@pytest.mark.slow
def test_a_failed_thumbnail_step_is_reported_with_its_reason_and_segments_still_serve(
    media_api: Call, segments_table: str
) -> None:
    stored_video(segments_table)
    boto3.client("s3").put_object(Bucket=BUCKET, Key=KEY, Body=b"not a video")
    run(job(), shots_from_segments(rk.shots(2, length=10)), media(segments_table))
    status, body = media_api("GET", f"/videos/{VIDEO_ID}/thumbnails")
    assert status == 200 and body["Status"] == "FAILED"
    assert "not a readable video" in body["StatusMessage"]
    video = boto3.resource("dynamodb").Table(segments_table).get_item(Key={"pk": f"VIDEO#{VIDEO_ID}", "sk": "VIDEO"})
    assert video["Item"]["thumbnails"]["status"] == "FAILED"
    status, segments = media_api("GET", f"/videos/{VIDEO_ID}/segments")
    assert status == 200 and segments["JobStatus"] == "SUCCEEDED" and len(segments["Segments"]) == 5


def test_an_outdated_job_does_not_overwrite_the_current_jobs_thumbnail_record(segments_table: str) -> None:
    stored_video(segments_table)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    media(segments_table).record_thumbnails(VIDEO_ID, "job-0", "FAILED", "old")
    video = boto3.resource("dynamodb").Table(segments_table).get_item(Key={"pk": f"VIDEO#{VIDEO_ID}", "sk": "VIDEO"})
    assert "thumbnails" not in video["Item"]


def test_playback_url_presigns_the_analysed_version(media_api: Call, segments_table: str) -> None:
    stored_video(segments_table)
    status, body = media_api("GET", f"/videos/{VIDEO_ID}/playback")
    assert status == 200
    url = urlparse(body["Url"])
    assert url.path.endswith("/incoming/My%20clip.mp4")
    assert parse_qs(url.query)["versionId"] == ["v1"]
    assert body["ExpiresInSeconds"] == 900


@pytest.mark.parametrize("route", ["thumbnails", "playback"])
def test_unknown_videos_answer_404_in_the_api_error_shape(media_api: Call, segments_table: str, route: str) -> None:
    status, body = media_api("GET", f"/videos/{video_id_for_key('nope.mp4')}/{route}")
    assert status == 404 and body["code"] == "ResourceNotFoundException"


def policy_of(fields: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(fields["policy"])))


def test_upload_form_binds_the_key_and_the_size_limit_in_its_policy(media_api: Call) -> None:
    status, body = media_api("POST", "/uploads", {"filename": "C:\\clips\\My shot?.MP4", "size": 1234})
    assert status == 200
    assert body["Key"] == "uploads/My shot_.MP4" and body["Fields"]["key"] == "uploads/My shot_.MP4"
    assert body["VideoId"] == video_id_for_key("uploads/My shot_.MP4")
    conditions = policy_of(body["Fields"])["conditions"]
    assert {"key": "uploads/My shot_.MP4"} in conditions
    assert ["content-length-range", 1, 1_000_000] in conditions
    assert body["MaxBytes"] == 1_000_000


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"filename": "notes.txt", "size": 10}, "filename must end in one of .mp4"),
        ({"filename": "clip", "size": 10}, "filename must end in one of"),
        ({"filename": "clip.mp4", "size": 1_000_001}, "size must be at most 1000000"),
        ({"filename": "clip.mp4", "size": 0}, "size"),
        ({"size": 10}, "filename"),
    ],
)
def test_uploads_outside_the_limits_are_refused_with_the_reason(
    media_api: Call, payload: dict[str, Any], fragment: str
) -> None:
    status, body = media_api("POST", "/uploads", payload)
    assert status == 400 and body["code"] == "InvalidParameterException"
    assert fragment in body["message"]


def test_a_malformed_upload_body_is_a_400_not_a_crash(media_api: Call) -> None:
    status, body = media_api("POST", "/uploads", "{not json")
    assert status == 400 and body["code"] == "InvalidParameterException"


def test_a_missing_manifest_is_none_and_written_json_reads_back(segments_table: str) -> None:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    bucket = media(segments_table)
    assert bucket.get_json(manifest_key("v", "j")) is None
    bucket.put_json(manifest_key("v", "j"), {"status": "SUCCEEDED"})
    assert bucket.get_json(manifest_key("v", "j")) == {"status": "SUCCEEDED"}
