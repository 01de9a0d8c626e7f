"""The read API answers like GetSegmentDetection: same shape, order and paging; clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segments.adapters.store import SegmentStore
from segments.domain import keys
from segments.domain.events import VideoObject
from segments.domain.model import sort_segments
from tests.api.conftest import Call, store_job
from tests.support import rekognition as rk

ROOT = Path(__file__).resolve().parents[2]
SEGMENTS = rk.cues(30) + rk.shots(45)


def walk(api: Call, path: str, page_size: int, **filters: Any) -> list[dict[str, Any]]:
    collected: list[dict[str, Any]] = []
    token = None
    for _ in range(1000):
        status, _, body = api(path, maxResults=page_size, nextToken=token, **filters)
        assert status == 200, body
        collected += body["Segments"]
        token = body.get("NextToken")
        if not token:
            return collected
        assert len(token) <= 255
    raise AssertionError("paging did not end")


def test_pages_return_every_segment_once_in_reference_order(api: Call, segments_table: str) -> None:
    store_job(segments_table, key="a.mp4", job_id="job-a", segments=SEGMENTS)
    status, _, first = api("/jobs/job-a/segments", maxResults=10)
    assert status == 200 and first["JobStatus"] == "SUCCEEDED"
    assert first["VideoMetadata"] == rk.VIDEO_METADATA and first["SelectedSegmentTypes"] == rk.SELECTED
    assert walk(api, "/jobs/job-a/segments", 7) == sort_segments(SEGMENTS)


def test_video_route_serves_the_same_results_by_video_id(api: Call, segments_table: str) -> None:
    store_job(segments_table, key="dir/my clip é.mp4", job_id="job-v", segments=SEGMENTS)
    video_id = keys.video_id_for_key("dir/my clip é.mp4")
    assert walk(api, f"/videos/{video_id}/segments", 1000) == sort_segments(SEGMENTS)
    status, _, video = api(f"/videos/{video_id}")
    assert status == 200 and video["key"] == "dir/my clip é.mp4" and video["JobStatus"] == "SUCCEEDED"
    status, _, listing = api("/videos", status="SUCCEEDED")
    assert status == 200 and [v["videoId"] for v in listing["Videos"]] == [video_id]


@pytest.mark.parametrize("status", ["SUCCEEDED", None])
def test_video_listing_pages_long_unicode_keys_once_with_short_tokens(
    api: Call, segments_table: str, status: str | None
) -> None:
    # S3 keys may be 1,024 bytes: the token must not carry them (it stays within 255 characters).
    names = [f"{'très long dossier/' * 50}clip {n}.mp4" for n in range(7)]
    for n, name in enumerate(names):
        store_job(segments_table, key=name, job_id=f"job-long-{n}", segments=rk.shots(2))
    seen: list[str] = []
    token = None
    for _ in range(20):
        code, _, body = api("/videos", maxResults=2, nextToken=token, status=status)
        assert code == 200, body
        seen += [v["key"] for v in body["Videos"]]
        token = body.get("NextToken")
        if not token:
            break
        assert len(token) <= 255
    assert sorted(seen) == sorted(names)


def test_filters_select_type_cue_confidence_and_time_window(api: Call, segments_table: str) -> None:
    store_job(segments_table, key="f.mp4", job_id="job-f", segments=SEGMENTS)
    shots = walk(api, "/jobs/job-f/segments", 5, type="SHOT")
    assert {s["Type"] for s in shots} == {"SHOT"} and len(shots) == 45
    black = walk(api, "/jobs/job-f/segments", 4, cueType="BlackFrames")
    assert len(black) == 15 and all(s["TechnicalCueSegment"]["Type"] == "BlackFrames" for s in black)
    confident = walk(api, "/jobs/job-f/segments", 9, type="SHOT", minConfidence=93)
    assert confident and all(s["ShotSegment"]["Confidence"] >= 93 for s in confident)
    window = walk(api, "/jobs/job-f/segments", 3, startMillis=1000, endMillis=2000)
    assert window and all(s["EndTimestampMillis"] > 1000 and s["StartTimestampMillis"] < 2000 for s in window)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/jobs/bad%20id/segments", {}),
        ("/jobs/" + "x" * 65 + "/segments", {}),
        ("/jobs/job-e/segments", {"maxResults": 0}),
        ("/jobs/job-e/segments", {"maxResults": 1001}),
        ("/jobs/job-e/segments", {"cueType": "Commercials"}),
        ("/jobs/job-e/segments", {"type": "FACE"}),
        ("/jobs/job-e/segments", {"format": "xml"}),
        ("/videos/not*base64/segments", {}),
        ("/videos/YQ=/segments", {}),
    ],
)
def test_invalid_parameters_are_400_invalid_parameter(
    api: Call, segments_table: str, path: str, params: dict[str, Any]
) -> None:
    store_job(segments_table, key="e.mp4", job_id="job-e", segments=SEGMENTS)
    status, _, body = api(path.replace("%20", " "), **params)
    assert status == 400 and body["code"] == "InvalidParameterException" and body["message"]


def test_tokens_are_bound_to_their_job_and_filters(api: Call, segments_table: str) -> None:
    store_job(segments_table, key="t.mp4", job_id="job-t", segments=SEGMENTS)
    store_job(segments_table, key="u.mp4", job_id="job-u", segments=SEGMENTS)
    _, _, page = api("/jobs/job-t/segments", maxResults=5)
    token = page["NextToken"]
    for path, params in [
        ("/jobs/job-u/segments", {"maxResults": 5}),  # another job
        ("/jobs/job-t/segments", {"maxResults": 5, "type": "SHOT"}),  # other filters
    ]:
        status, _, body = api(path, nextToken=token, **params)
        assert (status, body["code"]) == (400, "InvalidPaginationTokenException")
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    status, _, body = api("/jobs/job-t/segments", maxResults=5, nextToken=tampered)
    assert (status, body["code"]) == (400, "InvalidPaginationTokenException")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=255), st.sampled_from(["/jobs/job-r/segments", "/videos"]))
def test_random_next_tokens_are_400_never_500(api: Call, segments_table: str, token: str, path: str) -> None:
    if SegmentStore(segments_table).get_job("job-r") is None:  # hypothesis reuses the table across examples
        store_job(segments_table, key="r.mp4", job_id="job-r", segments=SEGMENTS[:5])
    status, _, body = api(path, nextToken=token)
    assert (status, body["code"]) == (400, "InvalidPaginationTokenException"), body


FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["SHOT", "TECHNICAL_CUE"]),
        "minConfidence": st.sampled_from([90, 92.5, 95]),
        "startMillis": st.integers(0, 2000),
        "endMillis": st.integers(2001, 4000),
    },
)
_examples = iter(range(10**6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.integers(0, 40),
    st.integers(0, 60),
    st.integers(1, 12),
    FILTERS,
)
def test_any_page_size_and_filter_walks_the_filtered_ordered_set_exactly_once(
    api: Call, segments_table: str, n_cues: int, n_shots: int, page_size: int, filters: dict[str, Any]
) -> None:
    job_id = f"job-prop-{next(_examples)}"
    segments = rk.cues(n_cues) + rk.shots(n_shots)
    store_job(segments_table, key=f"{job_id}.mp4", job_id=job_id, segments=segments)

    def keep(seg: dict[str, Any]) -> bool:
        conf = (seg.get("ShotSegment") or seg["TechnicalCueSegment"])["Confidence"]
        return (
            filters.get("type", seg["Type"]) == seg["Type"]
            and conf >= filters.get("minConfidence", 0)
            and seg["EndTimestampMillis"] > filters.get("startMillis", -1)
            and seg["StartTimestampMillis"] < filters.get("endMillis", 10**12)
        )

    expected = [s for s in sort_segments(segments) if keep(s)]
    assert walk(api, f"/jobs/{job_id}/segments", page_size, **filters) == expected


def test_unknown_job_and_video_are_404(api: Call, segments_table: str) -> None:
    status, _, body = api("/jobs/nope/segments")
    assert (status, body["code"]) == (404, "ResourceNotFoundException")
    status, _, body = api(f"/videos/{keys.video_id_for_key('missing.mp4')}")
    assert (status, body["code"]) == (404, "ResourceNotFoundException")


def test_in_progress_job_returns_status_and_no_partial_segments(api: Call, segments_table: str) -> None:
    store_job(segments_table, key="p.mp4", job_id="job-p", segments=[], status="IN_PROGRESS")
    status, _, body = api("/jobs/job-p/segments")
    assert status == 200 and body["JobStatus"] == "IN_PROGRESS" and body["Segments"] == []
    assert "NextToken" not in body


def test_failed_job_returns_its_message(api: Call, segments_table: str) -> None:
    store_job(segments_table, key="x.mp4", job_id="job-x", segments=[], status="FAILED")
    status, _, body = api("/jobs/job-x/segments")
    assert (status, body["JobStatus"], body["StatusMessage"]) == (200, "FAILED", "Unsupported codec")


@pytest.mark.parametrize(
    ("fmt", "content_type", "first_line"),
    [
        ("csv", "text/csv", "Type,CueType,ShotIndex"),
        ("edl", "text/plain", "TITLE: job-c"),
        ("vtt", "text/vtt", "WEBVTT"),
    ],
)
def test_exports_have_type_disposition_and_body(
    api: Call, segments_table: str, fmt: str, content_type: str, first_line: str
) -> None:
    store_job(segments_table, key="c.mp4", job_id="job-c", segments=SEGMENTS)
    status, headers, body = api("/jobs/job-c/segments", format=fmt)
    assert status == 200 and headers["content-type"].startswith(content_type)
    assert headers["content-disposition"] == f'attachment; filename="job-c.{fmt}"'
    assert body.startswith(first_line)
    if fmt == "edl":
        assert "FCM: DROP FRAME" in body and "00:00:01;00" in body  # 29.97 uses drop-frame notation
    if fmt == "csv":
        assert len(body.strip().splitlines()) == 1 + len(SEGMENTS)


def test_checked_in_openapi_document_matches_the_code(api: Call) -> None:
    status, _, served = api("/openapi.json")
    assert status == 200
    assert json.loads((ROOT / "openapi.json").read_text()) == served, "run: make openapi"
    assert {"/videos", "/videos/{videoId}", "/videos/{videoId}/segments", "/jobs/{jobId}/segments"} <= served[
        "paths"
    ].keys()


def test_deleted_videos_are_listed_when_asked_for_and_only_then(api: Call, segments_table: str) -> None:
    store = store_job(segments_table, key="gone.mp4", job_id="job-gone", segments=rk.shots(2))
    store_job(segments_table, key="kept.mp4", job_id="job-kept", segments=rk.shots(2))
    assert store.record_video_deleted(VideoObject("videos", "gone.mp4", "v1"))
    _, _, deleted = api("/videos", status="DELETED")
    assert [(v["key"], v["status"], v["jobId"]) for v in deleted["Videos"]] == [("gone.mp4", "DELETED", "job-gone")]
    _, _, everything = api("/videos")
    assert [v["key"] for v in everything["Videos"]] == ["kept.mp4"]
    status, _, error = api("/segments", videoStatus="DELETED")
    assert status == 400 and error["code"] == "InvalidParameterException"
