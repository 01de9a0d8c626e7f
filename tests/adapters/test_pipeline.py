"""The start and collect handlers against moto (S3 events, SQS, DynamoDB) and a stubbed real Rekognition client.

Rekognition is a real boto3 client behind botocore's Stubber, so every request and
response is validated against Rekognition's service model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from segments.adapters.job_slots import DynamoJobSlots
from segments.adapters.rekognition import Rekognition
from segments.adapters.store import SegmentStore
from segments.domain import keys
from segments.settings import settings
from tests.support import rekognition as rk

TOPIC = "arn:aws:sns:us-east-1:123456789012:completion"
ROLE = "arn:aws:iam::123456789012:role/rekognition-publish"


class FakeContext:
    function_name = "test"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id = "req-1"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch, segments_table: str) -> Iterator[Stubber]:
    """Handlers wired to the moto table and a Stubber-backed Rekognition client."""
    monkeypatch.setenv("TABLE_NAME", segments_table)
    monkeypatch.setenv("TOPIC_ARN", TOPIC)
    monkeypatch.setenv("REKOGNITION_ROLE_ARN", ROLE)
    monkeypatch.setenv("DETECTION_MODE", "rekognition")
    monkeypatch.setenv("MAX_RECEIVES", "3")
    settings.cache_clear()
    client = boto3.client("rekognition", region_name="us-east-1")
    stubber = Stubber(client)
    from segments.handlers import collect, start

    monkeypatch.setattr(start, "Rekognition", lambda *_: Rekognition(client))
    monkeypatch.setattr(collect, "Rekognition", lambda *_: Rekognition(client))
    start.adapters.cache_clear()
    collect.adapters.cache_clear()
    start.fallback_slot_adapter.cache_clear()
    collect.fallback_slot_adapter.cache_clear()
    with stubber:
        yield stubber
    settings.cache_clear()
    start.adapters.cache_clear()
    collect.adapters.cache_clear()
    start.fallback_slot_adapter.cache_clear()
    collect.fallback_slot_adapter.cache_clear()


def s3_event_record(
    key: str, version: str = "v1", receive_count: int = 1, *, queue_arn: str = "", receipt: str = "r"
) -> dict[str, Any]:
    body = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": "videos", "arn": "arn:aws:s3:::videos"},
                    "object": {"key": key, "versionId": version, "size": 1234},
                },
            }
        ]
    }
    return sqs_record(json.dumps(body), receive_count=receive_count, queue_arn=queue_arn, receipt=receipt)


def sqs_record(
    body: str, *, receive_count: int = 1, queue_arn: str = "", receipt: str = "r", msg_id: str = "m1"
) -> dict[str, Any]:
    return {
        "messageId": msg_id,
        "receiptHandle": receipt,
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1732480000000",
            "SenderId": "s3",
            "ApproximateFirstReceiveTimestamp": "1732480000000",
        },
        "messageAttributes": {},
        "md5OfBody": "x",
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn or "arn:aws:sqs:us-east-1:123456789012:uploads",
        "awsRegion": "us-east-1",
    }


def expect_start(stubber: Stubber, key: str, job_id: str, version: str = "v1") -> None:
    stubber.add_response(
        "start_segment_detection",
        {"JobId": job_id},
        {
            "Video": {"S3Object": {"Bucket": "videos", "Name": key, "Version": version}},
            "SegmentTypes": ["TECHNICAL_CUE", "SHOT"],
            "ClientRequestToken": keys.client_request_token("videos", key, version),
            "JobTag": keys.job_tag(key),
            "NotificationChannel": {"SNSTopicArn": TOPIC, "RoleArn": ROLE},
        },
    )


def run_start(records: list[dict[str, Any]]) -> dict[str, Any]:
    from segments.handlers import start

    return dict(start.handler({"Records": records}, FakeContext()))  # type: ignore[arg-type]


def run_collect(bodies: list[str]) -> dict[str, Any]:
    from segments.handlers import collect

    records = [sqs_record(b, msg_id=f"m{i}") for i, b in enumerate(bodies)]
    return dict(collect.handler({"Records": records}, FakeContext()))  # type: ignore[arg-type]


def item_count(table: str) -> int:
    """Result items: videos, jobs and segments (not the job-slot item)."""
    return int(
        boto3.client("dynamodb").scan(
            TableName=table,
            Select="COUNT",
            FilterExpression="pk <> :slots",
            ExpressionAttributeValues={":slots": {"S": keys.SLOTS_PK}},
        )["Count"]
    )


def uploads_queue() -> tuple[str, str]:
    """A real (moto) uploads queue holding one message: its ARN and the message's receipt handle."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="uploads", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    return arn, sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]


def slot_holders(table: str) -> set[str]:
    return set(DynamoJobSlots(table).held())


def token(key: str) -> str:
    return keys.client_request_token("videos", key, "v1")


def test_duplicate_s3_events_start_one_job_with_one_token(stubbed: Stubber, segments_table: str) -> None:
    # Rekognition answers the same JobId for the same ClientRequestToken; the stub checks both calls carry it.
    expect_start(stubbed, "dir/a clip.mp4", "job-1")
    expect_start(stubbed, "dir/a clip.mp4", "job-1")
    record = s3_event_record("dir/a+clip.mp4")
    assert run_start([record]) == {"batchItemFailures": []}
    assert run_start([record]) == {"batchItemFailures": []}
    stubbed.assert_no_pending_responses()
    store = SegmentStore(segments_table)
    video = store.get_video(keys.video_id_for_key("dir/a clip.mp4"))
    assert video is not None and video.job_id == "job-1" and video.status == "IN_PROGRESS"
    assert item_count(segments_table) == 2  # one video item, one job item


def test_non_video_suffix_is_ignored_without_calling_rekognition(stubbed: Stubber, segments_table: str) -> None:
    assert run_start([s3_event_record("notes.txt")]) == {"batchItemFailures": []}
    assert item_count(segments_table) == 0


def test_quota_exhausted_start_is_retried_later_and_recorded_queued(stubbed: Stubber, segments_table: str) -> None:
    arn, receipt = uploads_queue()
    stubbed.add_client_error("start_segment_detection", "LimitExceededException", "too many jobs", 400)
    result = run_start([s3_event_record("a.mp4", queue_arn=arn, receipt=receipt)])
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    video = SegmentStore(segments_table).get_video(keys.video_id_for_key("a.mp4"))
    assert video is not None and video.status == "QUEUED"
    assert "LimitExceededException" in video.status_message
    # then the slot frees up: the redelivered event starts the job
    expect_start(stubbed, "a.mp4", "job-2")
    assert run_start([s3_event_record("a.mp4", receive_count=2, queue_arn=arn, receipt=receipt)]) == {
        "batchItemFailures": []
    }
    video = SegmentStore(segments_table).get_video(keys.video_id_for_key("a.mp4"))
    assert video is not None and video.status == "IN_PROGRESS" and video.job_id == "job-2"


def test_throttled_past_the_retry_budget_goes_to_dlq_with_a_clear_status(stubbed: Stubber, segments_table: str) -> None:
    arn, _ = uploads_queue()
    stubbed.add_client_error("start_segment_detection", "ThrottlingException", "slow down", 500)
    result = run_start([s3_event_record("b.mp4", receive_count=3, queue_arn=arn)])
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    video = SegmentStore(segments_table).get_video(keys.video_id_for_key("b.mp4"))
    assert video is not None and video.status == "FAILED"
    assert "dead-letter queue" in video.status_message


def test_rejected_video_is_recorded_failed_with_rekognitions_message(stubbed: Stubber, segments_table: str) -> None:
    stubbed.add_client_error(
        "start_segment_detection", "InvalidS3ObjectException", "Unable to get object metadata from S3", 400
    )
    assert run_start([s3_event_record("c.mp4")]) == {"batchItemFailures": []}
    video = SegmentStore(segments_table).get_video(keys.video_id_for_key("c.mp4"))
    assert video is not None and video.status == "FAILED"
    assert "InvalidS3ObjectException" in video.status_message


def start_job(stubbed: Stubber, key: str, job_id: str) -> None:
    expect_start(stubbed, key, job_id)
    run_start([s3_event_record(key)])


def expect_pages(stubbed: Stubber, job_id: str, pages: list[dict[str, Any]]) -> None:
    token = None
    for page in pages:
        params: dict[str, Any] = {"JobId": job_id, "MaxResults": 1000}
        if token:
            params["NextToken"] = token
        stubbed.add_response("get_segment_detection", page, params)
        token = page.get("NextToken")


def test_a_job_of_three_pages_is_stored_completely_in_reference_order(stubbed: Stubber, segments_table: str) -> None:
    start_job(stubbed, "long.mp4", "job-3p")
    all_segments = rk.cues(500) + rk.shots(2000)
    pages = [
        rk.page(all_segments[:1000], "t1"),
        rk.page(all_segments[1000:2000], "t2"),
        rk.page(all_segments[2000:]),
    ]
    expect_pages(stubbed, "job-3p", pages)
    assert run_collect([rk.completion_body("job-3p", "SUCCEEDED", "long.mp4")]) == {"batchItemFailures": []}
    stubbed.assert_no_pending_responses()
    store = SegmentStore(segments_table)
    job = store.get_job("job-3p")
    assert job is not None and job.status == "SUCCEEDED" and job.segment_count == 2500
    assert list(job.video_metadata) == rk.VIDEO_METADATA and list(job.audio_metadata) == rk.AUDIO_METADATA
    assert list(job.selected_segment_types) == rk.SELECTED
    stored: list[dict[str, Any]] = []
    start_key = None
    while True:
        items, start_key = store.query_segments("job-3p", 1000, start_key)
        stored.extend(i["segment"] for i in items)
        if not start_key:
            break
    assert stored == all_segments  # same fields, same types (floats stay floats), reference order
    video = store.get_video(keys.video_id_for_key("long.mp4"))
    assert video is not None and video.status == "SUCCEEDED"


def test_duplicate_completion_messages_leave_the_same_items(stubbed: Stubber, segments_table: str) -> None:
    start_job(stubbed, "d.mp4", "job-d")
    expect_pages(stubbed, "job-d", [rk.page(rk.shots(40))])
    body = rk.completion_body("job-d", "SUCCEEDED", "d.mp4")
    run_collect([body])
    before = item_count(segments_table)
    assert run_collect([body, body]) == {"batchItemFailures": []}  # no further Rekognition calls needed
    assert item_count(segments_table) == before == 2 + 40


def test_crash_midway_then_retry_resumes_at_the_checkpoint_and_only_then_succeeds(
    stubbed: Stubber, segments_table: str
) -> None:
    start_job(stubbed, "e.mp4", "job-e")
    segs = rk.shots(1500)
    stubbed.add_response("get_segment_detection", rk.page(segs[:1000], "t1"), {"JobId": "job-e", "MaxResults": 1000})
    stubbed.add_client_error("get_segment_detection", "InternalServerError", "boom", 500)
    result = run_collect([rk.completion_body("job-e", "SUCCEEDED", "e.mp4")])
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    store = SegmentStore(segments_table)
    job = store.get_job("job-e")
    assert job is not None and job.status == "IN_PROGRESS"  # never shown complete while half-written
    assert job.page_cursor == "t1" and job.segments_stored == 1000
    # The retry asks only for the pages after the checkpoint.
    stubbed.add_response(
        "get_segment_detection", rk.page(segs[1000:]), {"JobId": "job-e", "MaxResults": 1000, "NextToken": "t1"}
    )
    assert run_collect([rk.completion_body("job-e", "SUCCEEDED", "e.mp4")]) == {"batchItemFailures": []}
    job = store.get_job("job-e")
    assert job is not None and job.status == "SUCCEEDED" and job.segment_count == 1500
    assert item_count(segments_table) == 2 + 1500
    stubbed.assert_no_pending_responses()


def test_an_expired_checkpoint_token_restarts_at_page_one_without_duplicates(
    stubbed: Stubber, segments_table: str
) -> None:
    start_job(stubbed, "x.mp4", "job-x")
    segs = rk.shots(1500)
    stubbed.add_response("get_segment_detection", rk.page(segs[:1000], "t1"), {"JobId": "job-x", "MaxResults": 1000})
    stubbed.add_client_error("get_segment_detection", "InternalServerError", "boom", 500)
    run_collect([rk.completion_body("job-x", "SUCCEEDED", "x.mp4")])
    stubbed.add_client_error(
        "get_segment_detection",
        "InvalidPaginationTokenException",
        "expired",
        400,
        expected_params={"JobId": "job-x", "MaxResults": 1000, "NextToken": "t1"},
    )
    expect_pages(stubbed, "job-x", [rk.page(segs[:1000], "t1"), rk.page(segs[1000:])])
    assert run_collect([rk.completion_body("job-x", "SUCCEEDED", "x.mp4")]) == {"batchItemFailures": []}
    job = SegmentStore(segments_table).get_job("job-x")
    assert job is not None and job.status == "SUCCEEDED" and job.segment_count == 1500
    assert item_count(segments_table) == 2 + 1500
    stubbed.assert_no_pending_responses()


def test_failed_job_is_stored_with_its_status_message(stubbed: Stubber, segments_table: str) -> None:
    start_job(stubbed, "f.mp4", "job-f")
    failed = rk.page([], status="FAILED")
    failed["StatusMessage"] = "Unsupported codec: the video could not be decoded."
    expect_pages(stubbed, "job-f", [failed])
    assert run_collect([rk.completion_body("job-f", "FAILED", "f.mp4")]) == {"batchItemFailures": []}
    store = SegmentStore(segments_table)
    job = store.get_job("job-f")
    assert job is not None and job.status == "FAILED"
    assert job.status_message == "Unsupported codec: the video could not be decoded."
    video = store.get_video(keys.video_id_for_key("f.mp4"))
    assert video is not None and video.status == "FAILED" and "Unsupported codec" in video.status_message


def test_messages_for_other_apis_and_garbage(stubbed: Stubber, segments_table: str) -> None:
    result = run_collect([rk.completion_body("job-x", "SUCCEEDED", "x.mp4", api="StartLabelDetection"), "garbage"])
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert item_count(segments_table) == 0


def test_the_pipeline_holds_at_most_its_job_slots_and_frees_one_per_completion(
    stubbed: Stubber, segments_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_CONCURRENT_JOBS", "2")
    settings.cache_clear()
    start_job(stubbed, "s1.mp4", "job-s1")
    start_job(stubbed, "s2.mp4", "job-s2")
    assert slot_holders(segments_table) == {token("s1.mp4"), token("s2.mp4")}
    # A third upload waits without calling Rekognition (the stub has no response queued for it).
    arn, receipt = uploads_queue()
    result = run_start([s3_event_record("s3.mp4", queue_arn=arn, receipt=receipt)])
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    video = SegmentStore(segments_table).get_video(keys.video_id_for_key("s3.mp4"))
    assert video is not None and video.status == "QUEUED" and "job slots" in video.status_message
    # The first job completes: its slot is free and the redelivered upload takes it.
    expect_pages(stubbed, "job-s1", [rk.page(rk.shots(3))])
    assert run_collect([rk.completion_body("job-s1", "SUCCEEDED", "s1.mp4")]) == {"batchItemFailures": []}
    assert slot_holders(segments_table) == {token("s2.mp4")}
    expect_start(stubbed, "s3.mp4", "job-s3")
    assert run_start([s3_event_record("s3.mp4", receive_count=2, queue_arn=arn, receipt=receipt)]) == {
        "batchItemFailures": []
    }
    stubbed.assert_no_pending_responses()
    assert slot_holders(segments_table) == {token("s2.mp4"), token("s3.mp4")}


def test_redelivered_uploads_keep_one_slot_and_failed_starts_give_theirs_back(
    stubbed: Stubber, segments_table: str
) -> None:
    expect_start(stubbed, "r.mp4", "job-r")
    expect_start(stubbed, "r.mp4", "job-r")
    run_start([s3_event_record("r.mp4")])
    run_start([s3_event_record("r.mp4")])
    assert slot_holders(segments_table) == {token("r.mp4")}
    stubbed.add_client_error("start_segment_detection", "InvalidParameterException", "bad", 400)
    run_start([s3_event_record("bad.mp4")])
    arn, receipt = uploads_queue()
    stubbed.add_client_error("start_segment_detection", "LimitExceededException", "quota used elsewhere", 400)
    run_start([s3_event_record("busy.mp4", queue_arn=arn, receipt=receipt)])
    assert slot_holders(segments_table) == {token("r.mp4")}


def test_a_slot_whose_completion_never_came_is_reclaimed_after_its_lease(segments_table: str) -> None:
    slots = DynamoJobSlots(segments_table)
    assert slots.acquire("a", 1, now=1000, lease_seconds=100)
    assert slots.acquire("a", 1, now=1010, lease_seconds=100)  # the holder again: still its slot
    assert not slots.acquire("b", 1, now=1050, lease_seconds=100)
    assert slots.acquire("b", 1, now=1200, lease_seconds=100)
    assert slots.held() == {"b": 1200}
