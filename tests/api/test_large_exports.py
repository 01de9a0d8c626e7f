"""Exports larger than a Lambda response: written to S3 and answered with a 303 to a presigned GET."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from segments.settings import EXPORTS_PREFIX
from tests.api.conftest import Call, store_job
from tests.support import rekognition as rk

BUCKET = "videos"
SEGMENTS = rk.cues(30) + rk.shots(45)


@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch, segments_table: str) -> str:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    monkeypatch.setenv("BUCKET_NAME", BUCKET)
    return BUCKET


def _inline(api: Call, path: str, fmt: str) -> str:
    status, _, body = api(path, format=fmt)
    assert status == 200
    return str(body)


def _exports() -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=EXPORTS_PREFIX)
    return [item["Key"] for item in listed.get("Contents", [])]


@pytest.mark.parametrize(("fmt", "content_type"), [("csv", "text/csv"), ("edl", "text/plain"), ("vtt", "text/vtt")])
def test_export_over_the_inline_limit_redirects_to_a_url_that_downloads_the_same_file(
    api: Call, bucket: str, monkeypatch: pytest.MonkeyPatch, segments_table: str, fmt: str, content_type: str
) -> None:
    store_job(segments_table, key="big.mp4", job_id="job-big", segments=SEGMENTS)
    expected = _inline(api, "/jobs/job-big/segments", fmt)
    monkeypatch.setenv("EXPORT_INLINE_BYTES", "1000")
    status, headers, body = api("/jobs/job-big/segments", format=fmt)
    assert status == 303 and body == {"Location": headers["location"]}
    query = parse_qs(urlsplit(headers["location"]).query)
    assert query["response-content-disposition"] == [f'attachment; filename="job-big.{fmt}"']
    assert query["X-Amz-Expires"] == ["300"]
    download = requests.get(headers["location"], timeout=10)
    assert download.status_code == 200 and download.content == expected.encode()
    assert download.headers["content-type"].startswith(content_type)
    assert download.headers["content-disposition"] == f'attachment; filename="job-big.{fmt}"'


def test_export_at_or_under_the_inline_limit_still_answers_inline(
    api: Call, bucket: str, monkeypatch: pytest.MonkeyPatch, segments_table: str
) -> None:
    store_job(segments_table, key="small.mp4", job_id="job-small", segments=SEGMENTS)
    expected = _inline(api, "/jobs/job-small/segments", "csv")
    monkeypatch.setenv("EXPORT_INLINE_BYTES", str(len(expected.encode())))
    status, headers, body = api("/jobs/job-small/segments", format="csv")
    assert (status, body) == (200, expected) and "location" not in headers
    assert _exports() == []


def test_repeated_large_export_rewrites_one_object_per_filter_and_format(
    api: Call, bucket: str, monkeypatch: pytest.MonkeyPatch, segments_table: str
) -> None:
    store_job(segments_table, key="r.mp4", job_id="job-r", segments=SEGMENTS)
    monkeypatch.setenv("EXPORT_INLINE_BYTES", "100")
    for _ in range(2):
        assert api("/jobs/job-r/segments", format="csv")[0] == 303
    assert api("/jobs/job-r/segments", format="csv", type="SHOT")[0] == 303
    assert api("/jobs/job-r/segments", format="vtt")[0] == 303
    written = _exports()
    assert len(written) == 3 and all(key.startswith(f"{EXPORTS_PREFIX}job-r/") for key in written)


def test_filtered_large_export_downloads_only_the_matching_segments(
    api: Call, bucket: str, monkeypatch: pytest.MonkeyPatch, segments_table: str
) -> None:
    store_job(segments_table, key="f.mp4", job_id="job-f", segments=SEGMENTS)
    monkeypatch.setenv("EXPORT_INLINE_BYTES", "100")
    status, headers, _ = api("/jobs/job-f/segments", format="csv", type="SHOT")
    assert status == 303
    lines = requests.get(headers["location"], timeout=10).text.strip().splitlines()
    assert len(lines) == 1 + 45 and all(line.startswith("SHOT") for line in lines[1:])


def test_large_export_without_a_bucket_is_refused_with_a_clear_error(
    api: Call, monkeypatch: pytest.MonkeyPatch, segments_table: str
) -> None:
    store_job(segments_table, key="n.mp4", job_id="job-n", segments=SEGMENTS)
    monkeypatch.delenv("BUCKET_NAME", raising=False)
    monkeypatch.setenv("EXPORT_INLINE_BYTES", "100")
    status, _, body = api("/jobs/job-n/segments", format="csv")
    assert status == 400 and body["code"] == "InvalidParameterException" and "bytes" in body["message"]


def test_failed_export_write_answers_500_and_no_url(
    api: Call, monkeypatch: pytest.MonkeyPatch, segments_table: str
) -> None:
    # The bucket is configured but does not exist: the PutObject fails, the caller gets no dangling URL.
    store_job(segments_table, key="e.mp4", job_id="job-e", segments=SEGMENTS)
    monkeypatch.setenv("BUCKET_NAME", "missing-bucket")
    monkeypatch.setenv("EXPORT_INLINE_BYTES", "100")
    status, headers, body = api("/jobs/job-e/segments", format="csv")
    assert (status, body["code"]) == (500, "InternalServerError") and "location" not in headers
