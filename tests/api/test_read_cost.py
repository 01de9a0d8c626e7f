"""Reads cost what they return: items DynamoDB reads per request (ScannedCount), and one reader per container."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from segments import reads
from tests.api.conftest import Call, store_job
from tests.support import rekognition as rk

ItemsRead = Callable[[], int]


@pytest.fixture
def items_read(api: Call) -> Iterator[ItemsRead]:
    """Items the API's DynamoDB Queries read since the last call (DynamoDB bills reads on these)."""
    from segments.handlers import api as module

    count = [0]

    def add(parsed: dict[str, Any], **_: Any) -> None:
        count[0] += int(parsed.get("ScannedCount", 0))

    events = module._store().table.meta.client.meta.events
    events.register("after-call.dynamodb.Query", add)
    events.register("after-call.dynamodb.Scan", add)

    def take() -> int:
        value, count[0] = count[0], 0
        return value

    yield take


@pytest.mark.parametrize("page_size", [1, 10, 50])
@pytest.mark.parametrize("filters", [{}, {"type": "SHOT"}, {"type": "TECHNICAL_CUE"}])
def test_an_unfiltered_page_of_n_reads_at_most_n_plus_one_items(
    api: Call, segments_table: str, items_read: ItemsRead, page_size: int, filters: dict[str, str]
) -> None:
    store_job(segments_table, key="big.mp4", job_id="job-big", segments=rk.cues(160) + rk.shots(160))
    items_read()
    token, pages = None, 0
    while pages < 3:
        status, _, body = api("/jobs/job-big/segments", maxResults=page_size, nextToken=token, **filters)
        assert status == 200 and len(body["Segments"]) == page_size
        assert items_read() <= page_size + 1
        token, pages = body["NextToken"], pages + 1


def test_the_last_page_reads_only_what_is_left(api: Call, segments_table: str, items_read: ItemsRead) -> None:
    store_job(segments_table, key="s.mp4", job_id="job-s", segments=rk.shots(25))
    _, _, first = api("/jobs/job-s/segments", maxResults=20)
    items_read()
    _, _, last = api("/jobs/job-s/segments", maxResults=20, nextToken=first["NextToken"])
    assert len(last["Segments"]) == 5 and "NextToken" not in last
    assert items_read() == 5


def test_a_filter_the_key_cannot_serve_reads_within_the_budget_and_continues(
    api: Call, segments_table: str, items_read: ItemsRead, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "READ_BUDGET", 40)
    segments = rk.shots(300)
    store_job(segments_table, key="f.mp4", job_id="job-f", segments=segments)
    items_read()
    expected = [s for s in segments if s["ShotSegment"]["Confidence"] >= 94.5]
    assert 0 < len(expected) < 60
    found, token, requests = [], None, 0
    while True:
        status, _, body = api("/jobs/job-f/segments", maxResults=1000, minConfidence=94.5, nextToken=token)
        assert status == 200 and items_read() <= 40
        found += body["Segments"]
        requests += 1
        token = body.get("NextToken")
        if not token:
            break
    assert found == expected and requests >= 300 // 40


def test_requests_share_one_table_reader_per_container(
    api: Call, segments_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_job(segments_table, key="r.mp4", job_id="job-r", segments=rk.shots(30))
    from segments.handlers import api as module

    module.reset()
    built: list[str] = []
    for name in ("client", "resource"):
        original = getattr(boto3, name)

        def counting(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            built.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(boto3, name, counting)
    token = None
    for _ in range(25):
        status, _, body = api("/jobs/job-r/segments", maxResults=1, nextToken=token)
        assert status == 200
        token = body["NextToken"]
    assert built == ["resource"]
