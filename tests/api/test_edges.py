"""The API's edges answer like the rest of it: every error in the {code, message} shape, with the right status."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from local_mode.apigw import JsonErrorRequestHandler, wsgi_app
from segments.adapters.store import SegmentStore
from segments.domain import keys
from segments.domain.events import VideoObject
from segments.domain.records import DetectionOptions, JobRecord
from segments.orchestration import launch_fallback
from tests.api.conftest import Call, store_job
from tests.support import rekognition as rk
from tests.support.fakes import RecordingLauncher

ROOT = Path(__file__).resolve().parents[2]
LEAKY = "fallback detection failed (UnreadableVideoError): [Errno 1094995529] Invalid data: '/tmp/tmpk2x9/chunk-0.mp4'"


@pytest.mark.parametrize("fmt", ["csv", "edl", "vtt"])
@pytest.mark.parametrize(("status", "shown"), [("IN_PROGRESS", "IN_PROGRESS"), ("FAILED", "FAILED")])
def test_exports_of_a_job_that_has_not_succeeded_are_409_naming_its_status(
    api: Call, segments_table: str, fmt: str, status: str, shown: str
) -> None:
    store_job(segments_table, key="n.mp4", job_id="job-n", segments=[], status=status)
    video_id = keys.video_id_for_key("n.mp4")
    for path in ("/jobs/job-n/segments", f"/videos/{video_id}/segments"):
        code, headers, body = api(path, format=fmt)
        assert (code, body["code"]) == (409, "JobNotSucceededException"), body
        assert headers["content-type"].startswith("application/json")
        assert f"is {shown}" in body["message"] and "SUCCEEDED" in body["message"]
    # The JSON format keeps GetSegmentDetection's answer: the status, no segments.
    code, _, page = api("/jobs/job-n/segments")
    assert (code, page["JobStatus"], page["Segments"]) == (200, shown, [])


def test_an_export_of_a_failed_job_carries_its_reason(api: Call, segments_table: str) -> None:
    store_job(segments_table, key="r.mp4", job_id="job-r", segments=[], status="FAILED")
    _, _, body = api("/jobs/job-r/segments", format="csv")
    assert body["message"] == "job job-r is FAILED (Unsupported codec): only a SUCCEEDED job can be exported"


@pytest.mark.parametrize("method", ["HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", ["/videos", "/videos/YS5tcDQ", "/videos/YS5tcDQ/segments", "/jobs/job-1/segments"])
def test_other_methods_on_a_route_are_405_allowing_get(api: Call, method: str, path: str) -> None:
    code, headers, body = api(path, method=method)
    assert (code, headers.get("allow")) == (405, "GET")
    assert body["code"] == "MethodNotAllowedException" and method in body["message"]


def test_an_unknown_path_stays_404_whatever_the_method(api: Call) -> None:
    for method in ("GET", "POST"):
        code, _, body = api("/nothing/here", method=method)
        assert (code, body["code"]) == (404, "ResourceNotFoundException")


def test_the_openapi_document_lists_only_statuses_the_api_sends(api: Call) -> None:
    _, _, served = api("/openapi.json")
    listed = {
        status for path in served["paths"].values() for operation in path.values() for status in operation["responses"]
    }
    assert "422" not in listed and listed == {"200", "303", "400", "404", "409", "429", "500"}
    assert "HTTPValidationError" not in served["components"]["schemas"]
    assert "409" in served["paths"]["/jobs/{jobId}/segments"]["get"]["responses"]
    assert "409" not in served["paths"]["/videos"]["get"]["responses"]
    assert "303" in served["paths"]["/jobs/{jobId}/segments"]["get"]["responses"]  # large exports
    assert "303" not in served["paths"]["/videos"]["get"]["responses"]


def test_status_messages_show_no_temp_paths_or_errno(api: Call, segments_table: str) -> None:
    store_job(segments_table, key="leak.mp4", job_id="job-leak", segments=[], status="FAILED", message=LEAKY)
    video_id = keys.video_id_for_key("leak.mp4")
    _, _, page = api("/jobs/job-leak/segments")
    _, _, video = api(f"/videos/{video_id}")
    _, _, listing = api("/videos")
    _, _, export = api("/jobs/job-leak/segments", format="edl")
    messages = [page["StatusMessage"], video["StatusMessage"], video["statusMessage"]]
    messages += [listing["Videos"][0]["statusMessage"], export["message"]]
    for message in messages:
        assert "/tmp" not in message and "Errno" not in message and "1094995529" not in message, message
        assert "Invalid data" in message and "UnreadableVideoError" in message


def test_a_very_long_video_id_is_a_json_400(api: Call) -> None:
    code, _, body = api("/videos/" + "A" * 5000 + "/segments")
    assert (code, body["code"]) == (400, "InvalidParameterException")


@pytest.fixture
def local_api(api: Call, segments_table: str) -> Iterator[str]:
    """The API served over HTTP as local mode serves it."""
    from segments.handlers import api as module

    store_job(segments_table, key="h.mp4", job_id="job-h", segments=rk.shots(3))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, wsgi_app(module.handler), request_handler=JsonErrorRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join()


def fetch(url: str) -> tuple[int, str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["Content-Type"], json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], json.loads(exc.read())


def test_local_mode_answers_a_url_over_64_kib_with_the_json_error_shape(local_api: str) -> None:
    code, content_type, body = fetch(f"{local_api}/jobs/job-h/segments?nextToken={'x' * 70_000}")
    assert (code, content_type, body["code"]) == (414, "application/json", "InvalidParameterException")
    assert "too long" in body["message"]
    code, _, page = fetch(f"{local_api}/jobs/job-h/segments")  # the server still serves
    assert code == 200 and len(page["Segments"]) == 3


@pytest.mark.parametrize("route", ["", "/segments"])
def test_a_video_handed_to_the_fallback_never_reads_as_failed_midway(
    api: Call, segments_table: str, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    # The collector hands a failed Rekognition job to the fallback: it points the video at the
    # fallback's job, then marks the old job FAILED. Those writes land between the API's read of
    # the video and its read of the video's job (as under load in local mode).
    store = store_job(segments_table, key="clip.mp4", job_id="job-rek", segments=[], status="IN_PROGRESS")
    real_get_job = SegmentStore.get_job
    handed_over: list[str] = []

    def get_job_after_the_handover(self: SegmentStore, job_id: str) -> JobRecord | None:
        if job_id == "job-rek" and not handed_over:
            handed_over.append(job_id)
            video, options = VideoObject("videos", "clip.mp4", "v1"), DetectionOptions(("TECHNICAL_CUE", "SHOT"))
            launch_fallback(video, "Rekognition failed", options, store=store, launcher=RecordingLauncher())
            store.complete_job("job-rek", status="FAILED", status_message="Unable to process the video")
        return real_get_job(self, job_id)

    monkeypatch.setattr(SegmentStore, "get_job", get_job_after_the_handover)
    status, _, body = api(f"/videos/{keys.video_id_for_key('clip.mp4')}{route}")
    assert status == 200 and handed_over
    assert body["JobStatus"] == "IN_PROGRESS"
    if route:
        assert body["Segments"] == []
    else:
        assert (body["jobId"], body["source"]) == (keys.fallback_job_id("videos", "clip.mp4", "v1"), "fallback")


def test_a_failed_job_its_video_has_not_yet_taken_reads_as_failed(api: Call, segments_table: str) -> None:
    # No handover: the video still points at the job, which failed a moment before the video
    # itself is settled. The job's own result is the answer.
    store = store_job(segments_table, key="gone.mp4", job_id="job-only", segments=[], status="IN_PROGRESS")
    store.table.update_item(
        Key={"pk": keys.job_pk("job-only"), "sk": keys.JOB_SK},
        UpdateExpression="SET #s=:s, statusMessage=:m",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "FAILED", ":m": "Unable to process the video"},
    )
    status, _, video = api(f"/videos/{keys.video_id_for_key('gone.mp4')}")
    assert status == 200 and video["JobStatus"] == "FAILED" and video["status"] == "IN_PROGRESS"
