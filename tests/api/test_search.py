"""Library-wide search (GET /segments) and the /videos filters: right items, documented order, paged once, no Scan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segments import reads
from segments.adapters.search_backfill import backfill_search_keys
from segments.domain import keys
from segments.domain.events import VideoObject
from segments.domain.records import DetectionOptions
from segments.handlers import backfill
from tests.api.conftest import Call, store_job
from tests.support import rekognition as rk


def walk(api: Call, path: str, field: str, page_size: int, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token = None
    for _ in range(500):
        status, _, body = api(path, maxResults=page_size, nextToken=token, **params)
        assert status == 200, body
        found += body[field]
        token = body.get("NextToken")
        if not token:
            return found
        assert len(token) <= 255
    raise AssertionError("paging did not end")


def library(table: str) -> dict[str, list[dict[str, Any]]]:
    """Three finished videos, one failed, one in progress; returns each finished video's segments by key."""
    stored = {
        "news/a.mp4": rk.cues(6) + rk.shots(9, length=45),
        "news/b.mp4": rk.cues(3) + rk.shots(5, length=20),
        "sport/c.mp4": rk.shots(7, length=90),
    }
    for n, (key, segments) in enumerate(stored.items()):
        store_job(table, key=key, job_id=f"job-{n}", segments=segments)
    store_job(table, key="news/failed.mp4", job_id="job-f", segments=[], status="FAILED")
    store_job(table, key="news/partial.mp4", job_id="job-p", segments=[], status="IN_PROGRESS")
    return stored


def expected(stored: dict[str, list[dict[str, Any]]], keep: Callable[[dict[str, Any]], bool]) -> list[tuple[str, int]]:
    """(key, start frame) of matching segments, longest first."""
    rows = [(s["DurationMillis"], key, s["StartFrameNumber"]) for key, segs in stored.items() for s in segs if keep(s)]
    return [(key, frame) for _, key, frame in sorted(rows, key=lambda r: -r[0])]


def seen(found: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(s["key"], s["StartFrameNumber"]) for s in found]


def test_search_returns_every_matching_segment_once_longest_first(api: Call, segments_table: str) -> None:
    stored = library(segments_table)
    found = walk(api, "/segments", "Segments", 4)
    assert sorted(seen(found)) == sorted(expected(stored, lambda s: True))
    durations = [s["DurationMillis"] for s in found]
    assert durations == sorted(durations, reverse=True)
    first = found[0]
    assert first["jobId"] == "job-2" and first["videoId"] == keys.video_id_for_key("sport/c.mp4")
    assert first["ShotSegment"]["Index"] >= 0 and first["Type"] == "SHOT"


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"type": "SHOT"}, lambda s: s["Type"] == "SHOT"),
        ({"cueType": "BlackFrames"}, lambda s: s.get("TechnicalCueSegment", {}).get("Type") == "BlackFrames"),
        ({"type": "TECHNICAL_CUE"}, lambda s: s["Type"] == "TECHNICAL_CUE"),
        ({"minDurationMillis": 1500}, lambda s: s["DurationMillis"] >= 1500),
        ({"maxDurationMillis": 1000}, lambda s: s["DurationMillis"] <= 1000),
        (
            {"type": "SHOT", "maxConfidence": 91},
            lambda s: s["Type"] == "SHOT" and s["ShotSegment"]["Confidence"] <= 91,
        ),
        ({"minConfidence": 94}, lambda s: (s.get("ShotSegment") or s["TechnicalCueSegment"])["Confidence"] >= 94),
    ],
)
def test_search_filters_select_by_kind_duration_and_confidence(
    api: Call, segments_table: str, params: dict[str, Any], keep: Callable[[dict[str, Any]], bool]
) -> None:
    stored = library(segments_table)
    found = walk(api, "/segments", "Segments", 3, **params)
    assert sorted(seen(found)) == sorted(expected(stored, keep))
    assert found, "the case should match something"


def test_search_filters_by_the_videos_key_prefix_and_status(api: Call, segments_table: str) -> None:
    stored = library(segments_table)
    news = {k: v for k, v in stored.items() if k.startswith("news/")}
    found = walk(api, "/segments", "Segments", 5, keyPrefix="news/", videoStatus="SUCCEEDED")
    assert sorted(seen(found)) == sorted(expected(news, lambda s: True))
    assert walk(api, "/segments", "Segments", 5, videoStatus="FAILED") == []


def test_search_serves_only_each_videos_current_job(api: Call, segments_table: str) -> None:
    store_job(segments_table, key="redo.mp4", job_id="job-old", segments=rk.shots(3, length=300))
    store_job(segments_table, key="redo.mp4", job_id="job-new", segments=rk.shots(2, length=10))
    found = walk(api, "/segments", "Segments", 10)
    assert {s["jobId"] for s in found} == {"job-new"} and len(found) == 2


def test_search_never_scans_and_a_page_reads_within_the_budget(
    api: Call, segments_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    library(segments_table)
    from segments.handlers import api as module

    operations: list[str] = []
    events = module._store().table.meta.client.meta.events
    events.register("before-call.dynamodb.*", lambda model, **_: operations.append(model.name))
    monkeypatch.setattr(reads, "READ_BUDGET", 10)
    walk(api, "/segments", "Segments", 2, minConfidence=94)
    walk(api, "/videos", "Videos", 2, keyPrefix="news/")
    assert "Scan" not in operations and {"Query", "BatchGetItem"} >= set(operations) - {"GetItem"}


@pytest.mark.parametrize(
    "params",
    [
        {"minDurationMillis": 10, "maxDurationMillis": 5},
        {"minConfidence": 90, "maxConfidence": 80},
        {"type": "SHOT", "cueType": "BlackFrames"},
        {"updatedAfter": "yesterday"},
        {"maxResults": 1001},
        {"videoStatus": "QUEUED"},
    ],
)
def test_bad_search_parameters_are_400(api: Call, segments_table: str, params: dict[str, Any]) -> None:
    status, _, body = api("/segments", **params)
    assert (status, body["code"]) == (400, "InvalidParameterException"), body


def test_a_search_token_is_bound_to_its_filters(api: Call, segments_table: str) -> None:
    library(segments_table)
    _, _, page = api("/segments", maxResults=2, type="SHOT")
    status, _, body = api("/segments", maxResults=2, type="TECHNICAL_CUE", nextToken=page["NextToken"])
    assert (status, body["code"]) == (400, "InvalidPaginationTokenException")


@pytest.fixture
def timed_videos(segments_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Six videos updated a day apart (key, updatedAt), statuses alternating SUCCEEDED / FAILED."""
    from segments.adapters import store as store_module

    made: list[tuple[str, str]] = []
    for day in range(1, 7):
        stamp = f"2026-11-0{day}T12:00:00.000Z"
        monkeypatch.setattr(store_module, "now_iso", lambda stamp=stamp: stamp)
        key = f"{'a' if day % 2 else 'b'}/clip{day}.mp4"
        store_job(segments_table, key=key, job_id=f"job-{day}", segments=rk.shots(1),
                  status="SUCCEEDED" if day % 2 else "FAILED")  # fmt: skip
        made.append((key, stamp))
    yield made


def test_videos_are_listed_newest_first_across_statuses(api: Call, timed_videos: list[tuple[str, str]]) -> None:
    listed = walk(api, "/videos", "Videos", 4)
    assert [v["key"] for v in listed] == [key for key, _ in reversed(timed_videos)]


@pytest.mark.parametrize(
    ("params", "days"),
    [
        ({"updatedAfter": "2026-11-02T12:00:00Z"}, [6, 5, 4, 3]),
        ({"updatedBefore": "2026-11-04T12:00:00Z"}, [3, 2, 1]),
        ({"updatedAfter": "2026-11-02", "updatedBefore": "2026-11-05T00:00:00+01:00"}, [4, 3, 2]),
        ({"status": "FAILED"}, [6, 4, 2]),
        ({"keyPrefix": "a/"}, [5, 3, 1]),
        ({"keyPrefix": "b/", "status": "FAILED", "updatedAfter": "2026-11-03T00:00:00Z"}, [6, 4]),
    ],
)
def test_videos_filter_by_update_window_status_and_key_prefix(
    api: Call, timed_videos: list[tuple[str, str]], params: dict[str, Any], days: list[int]
) -> None:
    for page_size in (1, 3):
        listed = walk(api, "/videos", "Videos", page_size, **params)
        assert [v["key"] for v in listed] == [timed_videos[d - 1][0] for d in days]


def test_search_updated_window_applies_to_the_video(api: Call, timed_videos: list[tuple[str, str]]) -> None:
    found = walk(api, "/segments", "Segments", 10, updatedAfter="2026-11-04T00:00:00Z")
    assert {s["key"] for s in found} == {"a/clip5.mp4"}  # the only SUCCEEDED video after the 4th


SEARCHES = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["SHOT", "TECHNICAL_CUE"]),
        "minDurationMillis": st.sampled_from([0, 400, 1000]),
        "maxDurationMillis": st.sampled_from([1500, 4000]),
        "minConfidence": st.sampled_from([91, 93.5]),
    },
)
_examples = iter(range(10**6))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 12), st.integers(0, 12), st.integers(1, 7), SEARCHES)
def test_any_page_size_and_search_walks_the_matching_set_once_in_order(
    api: Call, segments_table: str, n_cues: int, n_shots: int, page_size: int, params: dict[str, Any]
) -> None:
    n = next(_examples)
    key = f"prop/{n}.mp4"
    store = store_job(segments_table, key=key, job_id=f"job-prop-{n}", segments=rk.cues(n_cues) + rk.shots(n_shots))
    del store
    everything = walk(api, "/segments", "Segments", 1000, keyPrefix="prop/")
    found = walk(api, "/segments", "Segments", page_size, keyPrefix="prop/", **params)

    def keep(s: dict[str, Any]) -> bool:
        confidence = (s.get("ShotSegment") or s["TechnicalCueSegment"])["Confidence"]
        return (
            params.get("type", s["Type"]) == s["Type"]
            and params.get("minDurationMillis", 0) <= s["DurationMillis"] <= params.get("maxDurationMillis", 10**9)
            and confidence >= params.get("minConfidence", 0)
        )

    assert found == [s for s in everything if keep(s)]
    assert [s["DurationMillis"] for s in found] == sorted((s["DurationMillis"] for s in found), reverse=True)


def test_a_reprocessed_index_key_is_stable(segments_table: str) -> None:
    # Rewriting a job's results rewrites the same index keys (no duplicate in a search).
    store = store_job(segments_table, key="same.mp4", job_id="job-same", segments=rk.shots(2))
    store.put_segments("job-same", rk.shots(2), ["TECHNICAL_CUE", "SHOT"])
    store.record_job_started(VideoObject("videos", "same.mp4", "v1"), job_id="job-same", source="rekognition",
                             options=DetectionOptions(("TECHNICAL_CUE", "SHOT")))  # fmt: skip
    import boto3

    items = boto3.client("dynamodb").query(
        TableName=segments_table, IndexName="gsi2", KeyConditionExpression="gsi2pk = :k",
        ExpressionAttributeValues={":k": {"S": "KIND#SHOT"}},
    )["Items"]  # fmt: skip
    assert len(items) == 2


@pytest.mark.parametrize("path", ["/segments", "/jobs/job-0/segments"])
def test_a_confidence_bound_below_dynamodbs_smallest_number_still_answers(
    api: Call, segments_table: str, path: str
) -> None:
    # 1e-300 is a valid float in 0-100, but DynamoDB numbers stop at 1e-130: it must not become a 500.
    stored = library(segments_table)
    status, _, body = api(path, minConfidence="1e-300", maxResults=1000)
    assert status == 200, body
    if path == "/segments":
        assert len(body["Segments"]) == sum(len(s) for s in stored.values())
        status, _, body = api(path, maxConfidence="1e-300")
        assert (status, body["Segments"]) == (200, [])


def _segment_items(table: Any, job_id: str) -> list[dict[str, Any]]:
    condition = Key("pk").eq(keys.job_pk(job_id)) & Key("sk").begins_with(keys.SEGMENT_PREFIX)
    return list(table.query(KeyConditionExpression=condition)["Items"])


def test_segments_stored_before_the_search_index_are_found_after_the_backfill(
    api: Call, segments_table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = store_job(segments_table, key="old.mp4", job_id="job-old", segments=rk.cues(2) + rk.shots(3))
    store_job(segments_table, key="new.mp4", job_id="job-new", segments=rk.shots(2))
    written = {item["sk"]: (item["gsi2pk"], item["gsi2sk"]) for item in _segment_items(store.table, "job-old")}
    for sk in written:  # as a version without the search wrote them
        store.table.update_item(Key={"pk": keys.job_pk("job-old"), "sk": sk}, UpdateExpression="REMOVE gsi2pk, gsi2sk")

    def found() -> Counter[str]:
        return Counter(s["jobId"] for s in walk(api, "/segments", "Segments", 100))

    assert found() == {"job-new": 2}
    assert backfill.main(["--table", segments_table, "--dry-run"]) == 0
    assert "5 segments without search keys" in capsys.readouterr().out
    assert found() == {"job-new": 2}  # a dry run changes nothing

    assert backfill.main(["--table", segments_table]) == 0
    assert "indexed 5" in capsys.readouterr().out
    assert found() == {"job-new": 2, "job-old": 5}
    assert {i["sk"]: (i["gsi2pk"], i["gsi2sk"]) for i in _segment_items(store.table, "job-old")} == written
    job = store.table.get_item(Key={"pk": keys.job_pk("job-old"), "sk": keys.JOB_SK})["Item"]
    assert "gsi2pk" not in job  # only segment items are indexed

    assert backfill.main(["--table", segments_table]) == 0  # run again: nothing left to do
    assert "0 segments without search keys" in capsys.readouterr().out


def test_the_backfill_never_brings_back_a_segment_deleted_under_it(segments_table: str) -> None:
    store = store_job(segments_table, key="gone.mp4", job_id="job-gone", segments=rk.shots(3))
    for item in _segment_items(store.table, "job-gone"):
        store.table.update_item(Key={"pk": item["pk"], "sk": item["sk"]}, UpdateExpression="REMOVE gsi2pk, gsi2sk")

    class DeletedBetweenScanAndUpdate:
        def __init__(self, table: Any) -> None:
            self.table, self.update_item = table, table.update_item

        def scan(self, **request: Any) -> dict[str, Any]:
            page = dict(self.table.scan(**request))
            for item in page["Items"]:
                self.table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
            return page

    report = backfill_search_keys(DeletedBetweenScanAndUpdate(store.table), page_size=2)
    assert (report.missing, report.indexed, report.skipped) == (3, 0, 3) and report.pages >= 3  # paged on
    assert _segment_items(store.table, "job-gone") == []


def test_the_backfill_command_needs_a_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        backfill.main([])
    assert exit_info.value.code == 2
