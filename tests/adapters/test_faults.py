"""Fault injection through the real handlers (moto + Stubber): per fault, the video's final state, its
segments (none lost, none duplicated) and the job slots (none leaked)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from segments.adapters.store import SegmentStore
from segments.domain import keys
from segments.domain.records import VideoRecord
from tests.adapters.test_pipeline import (
    expect_pages,
    expect_start,
    run_collect,
    run_start,
    slot_holders,
    sqs_record,
    stubbed,
    token,
    uploads_queue,
)
from tests.adapters.test_routing import executions, machine
from tests.support import rekognition as rk

__all__ = ["machine", "stubbed"]


def upload_body(key: str, version: str, sequencer: str, *, event: str = "ObjectCreated:Put", etag: str = "") -> str:
    obj: dict[str, Any] = {"key": key, "versionId": version, "size": 10, "sequencer": sequencer}
    if etag:
        obj["eTag"] = etag
    record = {"eventName": event, "s3": {"bucket": {"name": "videos"}, "object": obj}}
    return json.dumps({"Records": [record]})


def upload(key: str, version: str, sequencer: str, **kwargs: Any) -> dict[str, Any]:
    return sqs_record(upload_body(key, version, sequencer, **kwargs))


def video(table: str, key: str) -> VideoRecord:
    found = SegmentStore(table).get_video(keys.video_id_for_key(key))
    assert found is not None
    return found


def segment_items(table: str, job_id: str) -> int:
    return sum(1 for _ in _segments(table, job_id))


def _segments(table: str, job_id: str) -> Any:
    store, start = SegmentStore(table), None
    while True:
        items, start = store.query_segments(job_id, 1000, start)
        yield from items
        if not start:
            return


def test_throttled_start_waits_queued_then_succeeds_with_every_segment_and_no_slot_left(
    stubbed: Stubber, segments_table: str
) -> None:
    arn, receipt = uploads_queue()
    stubbed.add_client_error("start_segment_detection", "ThrottlingException", "slow down", 400)
    run_start([dict(upload("t.mp4", "v1", "01"), eventSourceARN=arn, receiptHandle=receipt)])
    assert video(segments_table, "t.mp4").status == "QUEUED" and slot_holders(segments_table) == set()
    expect_start(stubbed, "t.mp4", "job-t")
    run_start([upload("t.mp4", "v1", "01")])
    expect_pages(stubbed, "job-t", [rk.page(rk.shots(1000), "n"), rk.page(rk.shots(5))])
    run_collect([rk.completion_body("job-t", "SUCCEEDED", "t.mp4")])
    assert video(segments_table, "t.mp4").status == "SUCCEEDED"
    assert segment_items(segments_table, "job-t") == 1000  # shots(5) rewrite 5 of the first page's keys
    assert slot_holders(segments_table) == set()


def test_throttled_start_execution_is_retried_and_the_video_gets_its_fallback(
    machine: str, stubbed: Stubber, monkeypatch: pytest.MonkeyPatch, segments_table: str
) -> None:
    from segments.adapters.fallback import FallbackLauncher
    from segments.handlers import start

    monkeypatch.setenv("DETECTION_MODE", "fallback")
    sfn = boto3.client("stepfunctions")
    throttled = Stubber(sfn)
    throttled.add_client_error("start_execution", "ThrottlingException", "rate exceeded", 400)
    monkeypatch.setattr(start, "FallbackLauncher", lambda arn, _client: FallbackLauncher(arn, sfn))
    start.adapters.cache_clear()
    store = SegmentStore(segments_table)
    with throttled:
        result = run_start([upload("f.mp4", "v1", "01")])
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert store.get_video(keys.video_id_for_key("f.mp4")) is None  # nothing recorded as started
    run_start([upload("f.mp4", "v1", "01")])  # the redelivery (now unthrottled) launches it
    (payload,) = executions(machine)
    assert video(segments_table, "f.mp4").job_id == payload["jobId"]


def test_completion_before_the_start_record_leaves_no_slot_and_a_succeeded_video(
    stubbed: Stubber, segments_table: str
) -> None:
    from segments.adapters.job_slots import DynamoJobSlots

    DynamoJobSlots(segments_table).acquire(token("r.mp4"), 20, 1e9, 3600)  # the start took its slot …
    first = rk.page(rk.shots(3))
    first["Video"] = {"S3Object": {"Bucket": "videos", "Name": "r.mp4", "Version": "v1"}}
    stubbed.add_response("get_segment_detection", first, {"JobId": "job-r", "MaxResults": 1000})
    run_collect([rk.completion_body("job-r", "SUCCEEDED", "r.mp4")])  # … the completion came first
    expect_start(stubbed, "r.mp4", "job-r")
    run_start([upload("r.mp4", "v1", "01")])  # then the start records what it started
    assert video(segments_table, "r.mp4").status == "SUCCEEDED"
    assert segment_items(segments_table, "job-r") == 3
    assert slot_holders(segments_table) == set()


def test_a_late_event_of_an_older_version_never_replaces_the_newer_one(stubbed: Stubber, segments_table: str) -> None:
    expect_start(stubbed, "o.mp4", "job-new", version="v2")
    run_start([upload("o.mp4", "v2", "0A")])
    run_start([upload("o.mp4", "v1", "09")])  # v1's event arrives late: no job, no change
    current = video(segments_table, "o.mp4")
    assert current.version_id == "v2" and current.job_id == "job-new"
    expect_pages(stubbed, "job-new", [rk.page(rk.shots(2))])
    run_collect([rk.completion_body("job-new", "SUCCEEDED", "o.mp4")])
    assert video(segments_table, "o.mp4").status == "SUCCEEDED"
    assert slot_holders(segments_table) == set()
    stubbed.assert_no_pending_responses()


def test_a_new_version_while_the_old_job_runs_is_not_settled_by_the_old_jobs_completion(
    stubbed: Stubber, segments_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_CONCURRENT_JOBS", "1")
    expect_start(stubbed, "n.mp4", "job-v1", version="v1")
    run_start([upload("n.mp4", "v1", "01")])
    arn, receipt = uploads_queue()
    run_start([dict(upload("n.mp4", "v2", "02"), eventSourceARN=arn, receiptHandle=receipt)])  # no slot: QUEUED
    assert video(segments_table, "n.mp4").status == "QUEUED"
    expect_pages(stubbed, "job-v1", [rk.page(rk.shots(2))])
    run_collect([rk.completion_body("job-v1", "SUCCEEDED", "n.mp4")])
    current = video(segments_table, "n.mp4")
    assert current.status == "QUEUED" and current.version_id == "v2"  # v1's results are not v2's


def test_a_deleted_object_is_recorded_and_a_late_completion_does_not_revive_it(
    stubbed: Stubber, segments_table: str
) -> None:
    expect_start(stubbed, "d.mp4", "job-d")
    run_start([upload("d.mp4", "v1", "01")])
    run_start([upload("d.mp4", "dm1", "02", event="ObjectRemoved:DeleteMarkerCreated")])
    assert video(segments_table, "d.mp4").status == "DELETED"
    expect_pages(stubbed, "job-d", [rk.page(rk.shots(2))])
    run_collect([rk.completion_body("job-d", "SUCCEEDED", "d.mp4")])
    assert video(segments_table, "d.mp4").status == "DELETED"
    job = SegmentStore(segments_table).get_job("job-d")
    assert job is not None and job.status == "SUCCEEDED"  # its results stay readable by JobId
    assert slot_holders(segments_table) == set()


def test_collector_killed_midway_then_redelivered_stores_each_segment_once(
    stubbed: Stubber, segments_table: str
) -> None:
    expect_start(stubbed, "k.mp4", "job-k")
    run_start([upload("k.mp4", "v1", "01")])
    segments = rk.shots(2500)
    stubbed.add_response(
        "get_segment_detection", rk.page(segments[:1000], "p2"), {"JobId": "job-k", "MaxResults": 1000}
    )
    stubbed.add_client_error("get_segment_detection", "ServiceUnavailableException", "killed", 503)
    assert run_collect([rk.completion_body("job-k", "SUCCEEDED", "k.mp4")])["batchItemFailures"]
    assert video(segments_table, "k.mp4").status == "IN_PROGRESS"
    pages = {"p2": rk.page(segments[1000:2000], "p3"), "p3": rk.page(segments[2000:])}
    for next_token, page in pages.items():
        stubbed.add_response(
            "get_segment_detection", page, {"JobId": "job-k", "MaxResults": 1000, "NextToken": next_token}
        )
    assert run_collect([rk.completion_body("job-k", "SUCCEEDED", "k.mp4")]) == {"batchItemFailures": []}
    assert video(segments_table, "k.mp4").status == "SUCCEEDED"
    assert segment_items(segments_table, "job-k") == 2500
    job = SegmentStore(segments_table).get_job("job-k")
    assert job is not None and job.segment_count == 2500
    assert slot_holders(segments_table) == set()


def test_a_start_that_times_out_gives_its_slot_back(stubbed: Stubber, segments_table: str) -> None:
    from botocore.exceptions import ReadTimeoutError

    from segments.handlers import start

    def timeout(**_: Any) -> None:
        raise ReadTimeoutError(endpoint_url="https://rekognition")

    _, _, rekognition, *_ = start.adapters()
    rekognition.client.meta.events.register_first("before-call.rekognition.StartSegmentDetection", timeout)
    assert run_start([upload("x.mp4", "v1", "01")])["batchItemFailures"]
    assert slot_holders(segments_table) == set()


def test_a_freed_slot_wakes_the_waiting_upload_at_once(
    stubbed: Stubber, segments_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_CONCURRENT_JOBS", "1")
    expect_start(stubbed, "a.mp4", "job-a")
    run_start([upload("a.mp4", "v1", "01")])
    sqs = boto3.client("sqs")
    arn, receipt = uploads_queue()
    url = sqs.get_queue_url(QueueName="uploads")["QueueUrl"]
    run_start([dict(upload("b.mp4", "v1", "01"), eventSourceARN=arn, receiptHandle=receipt)])
    assert video(segments_table, "b.mp4").status == "QUEUED"
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None  # delayed by its 30 s backoff
    expect_pages(stubbed, "job-a", [rk.page(rk.shots(1))])
    run_collect([rk.completion_body("job-a", "SUCCEEDED", "a.mp4")])  # frees the one slot
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1  # visible now, not in 30 s
