"""How the thumbnail step is triggered: the table's stream in AWS, the completion batch locally; the page served."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import boto3
import pytest

from local_mode.apigw import LocalContext
from segments.adapters.media import MediaBucket
from segments.adapters.store import SegmentStore
from segments.domain.keys import video_id_for_key
from tests.api.conftest import store_job
from tests.support import rekognition as rk
from tests.thumbnails.conftest import colour_clips  # noqa: F401 - fixture
from thumbnails.plan import manifest_key
from viewer import page_file, with_viewer

BUCKET = "videos"
KEY = "clip.mp4"
VIDEO_ID = video_id_for_key(KEY)


def stream_event(job_id: str, status: str) -> dict[str, Any]:
    image = {"pk": {"S": f"JOB#{job_id}"}, "sk": {"S": "JOB"}, "jobId": {"S": job_id}, "status": {"S": status}}
    record = {
        "eventID": "1",
        "eventName": "MODIFY",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026",
        "dynamodb": {"Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image, "SequenceNumber": "1"},
    }
    return {"Records": [record]}


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch, segments_table: str, colour_clips: dict[str, Path]) -> str:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=BUCKET, Key=KEY, Body=colour_clips["colours"].read_bytes())["VersionId"]
    store_job(segments_table, key=KEY, job_id="job-1", segments=rk.cues(1) + rk.shots(3, length=40))
    # The job analysed the version just uploaded (store_job records a placeholder version).
    boto3.resource("dynamodb").Table(segments_table).update_item(
        Key={"pk": "JOB#job-1", "sk": "JOB"},
        UpdateExpression="SET versionId = :v",
        ExpressionAttributeValues={":v": version},
    )
    monkeypatch.setenv("TABLE_NAME", segments_table)
    monkeypatch.setenv("BUCKET_NAME", BUCKET)
    return segments_table


@pytest.mark.slow
def test_a_job_turning_succeeded_on_the_stream_gets_its_thumbnails(stored: str) -> None:
    from segments.handlers import thumbnails

    result = thumbnails.handler(stream_event("job-1", "SUCCEEDED"), LocalContext())  # type: ignore[arg-type]
    assert result["batchItemFailures"] == []
    manifest = MediaBucket(BUCKET).get_json(manifest_key(VIDEO_ID, "job-1"))
    assert manifest is not None and manifest["status"] == "SUCCEEDED" and len(manifest["shots"]) == 3


def test_stream_records_of_unfinished_or_superseded_jobs_draw_nothing(stored: str) -> None:
    from segments.handlers import thumbnails

    thumbnails.handler(stream_event("job-1", "IN_PROGRESS"), LocalContext())  # type: ignore[arg-type]
    thumbnails.handler(stream_event("job-0", "SUCCEEDED"), LocalContext())  # type: ignore[arg-type]
    assert MediaBucket(BUCKET).get_json(manifest_key(VIDEO_ID, "job-1")) is None
    assert MediaBucket(BUCKET).get_json(manifest_key(VIDEO_ID, "job-0")) is None


def test_a_table_error_fails_the_record_so_the_stream_retries_it(stored: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from segments.handlers import thumbnails

    def broken(self: SegmentStore, job_id: str) -> None:
        raise ConnectionError("DynamoDB unreachable")

    monkeypatch.setattr(SegmentStore, "get_job", broken)
    result = thumbnails.handler(stream_event("job-1", "SUCCEEDED"), LocalContext())  # type: ignore[arg-type]
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == ["1"]


def call(app: Any, path: str, method: str = "GET") -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": method, "wsgi.input": io.BytesIO()}, start_response))
    return seen["status"], seen["headers"], body


def test_local_mode_serves_the_page_at_root_and_leaves_api_routes_alone() -> None:
    def api(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"api": true}']

    app = with_viewer(api)
    status, headers, body = call(app, "/")
    assert status == "200 OK" and b"data-testid" not in body and b"<title>Segments viewer</title>" in body
    assert headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert call(app, "/viewer/app.js")[1]["Content-Type"] == "text/javascript"
    assert call(app, "/viewer/config.json")[2] == b'{"apiUrl": "", "auth": null}'
    for path in ("/videos", "/viewer/../../etc/passwd", "/viewer/secret.py", "/openapi.json"):
        assert call(app, path)[2] == b'{"api": true}', path
    assert call(app, "/", method="POST")[2] == b'{"api": true}'
    assert page_file("/viewer/index.html") is None
