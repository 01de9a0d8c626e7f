"""Completion events against moto: a rule on the default bus delivers exactly one event per final state."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from segments.adapters.events import CompletionEvents, EventNotPublished
from segments.adapters.store import SegmentStore
from segments.domain import keys
from segments.domain.events import VideoObject
from segments.domain.records import DetectionOptions
from tests.adapters.test_pipeline import stubbed

__all__ = ["stubbed"]

VIDEO = VideoObject("videos", "clips/a.mp4", "v1")
SEGMENTS: list[dict[str, Any]] = [
    {
        "Type": "TECHNICAL_CUE",
        "StartTimestampMillis": 0,
        "EndTimestampMillis": 2000,
        "DurationMillis": 2000,
        "StartFrameNumber": 0,
        "EndFrameNumber": 49,
        "TechnicalCueSegment": {"Type": "BlackFrames", "Confidence": 99.0},
    },
    *(
        {
            "Type": "SHOT",
            "StartTimestampMillis": 2000 * i,
            "EndTimestampMillis": 2000 * (i + 1),
            "DurationMillis": 2000,
            "StartFrameNumber": 50 * i,
            "EndFrameNumber": 50 * (i + 1) - 1,
            "ShotSegment": {"Index": i, "Confidence": 90.0},
        }
        for i in range(3)
    ),
]


class RefusingEvents:
    """EventBridge answering as it does when throttled per entry: HTTP 200 with FailedEntryCount."""

    def __init__(self) -> None:
        self.calls = 0

    def put_events(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        return {
            "FailedEntryCount": 1,
            "Entries": [{"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}],
        }


@pytest.fixture
def subscriber(aws: None) -> str:
    """An SQS queue a rule on the default bus sends the pipeline's events to; returns its URL."""
    sqs, events = boto3.client("sqs"), boto3.client("events")
    url = sqs.create_queue(QueueName="done")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="segments-done", EventPattern=json.dumps({"source": ["segments.pipeline"]}))
    events.put_targets(Rule="segments-done", Targets=[{"Id": "queue", "Arn": arn}])
    return str(url)


def received(url: str) -> list[dict[str, Any]]:
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def started_job(store: SegmentStore, job_id: str = "job-1") -> None:
    store.record_job_started(VIDEO, job_id=job_id, source="rekognition", options=DetectionOptions())
    store.put_segments(job_id, SEGMENTS, ("TECHNICAL_CUE", "SHOT"))


def job_item(table: str, job_id: str = "job-1") -> dict[str, Any]:
    return dict(boto3.resource("dynamodb").Table(table).get_item(Key={"pk": f"JOB#{job_id}", "sk": "JOB"})["Item"])


def test_a_job_collected_twice_reaches_the_subscriber_exactly_once(segments_table: str, subscriber: str) -> None:
    store = SegmentStore(segments_table, announcer=CompletionEvents(segments_table))
    started_job(store)
    meta = [{"DurationMillis": 6000}]
    assert store.complete_job("job-1", status="SUCCEEDED", segment_count=4, video_metadata=meta) is True
    assert store.complete_job("job-1", status="SUCCEEDED", segment_count=4, video_metadata=meta) is False

    (event,) = received(subscriber)
    assert event["source"] == "segments.pipeline" and event["detail-type"] == "Segment Detection Succeeded"
    detail = event["detail"]
    assert (detail["jobId"], detail["status"]) == ("job-1", "SUCCEEDED")
    assert detail["videoId"] == keys.video_id_for_key("clips/a.mp4") and detail["key"] == "clips/a.mp4"
    assert detail["segmentCounts"] == {"SHOT": 3, "TECHNICAL_CUE": 1}
    assert detail["technicalCueCounts"] == {"BlackFrames": 1}
    assert detail["durationMillis"] == 6000
    item = job_item(segments_table)
    assert item["eventStatus"] == "SUCCEEDED" and "gsi1pk" not in item  # out of the outbox


def test_a_refused_publish_marks_nothing_and_the_redelivery_publishes_once(
    segments_table: str, subscriber: str
) -> None:
    refusing = RefusingEvents()
    started_job(SegmentStore(segments_table))
    failing = SegmentStore(segments_table, announcer=CompletionEvents(segments_table, events=refusing))
    with pytest.raises(EventNotPublished, match="ThrottlingException"):
        failing.complete_job("job-1", status="FAILED", status_message="bad codec")
    # The job and its video are final; only the event is owed.
    assert job_item(segments_table)["status"] == "FAILED"
    assert "eventPublishedAt" not in job_item(segments_table)
    assert received(subscriber) == []

    working = SegmentStore(segments_table, announcer=CompletionEvents(segments_table))
    assert working.complete_job("job-1", status="FAILED", status_message="bad codec") is False  # redelivery
    working.complete_job("job-1", status="FAILED", status_message="bad codec")  # and once more
    (event,) = received(subscriber)
    assert event["detail-type"] == "Segment Detection Failed" and event["detail"]["statusMessage"] == "bad codec"
    assert refusing.calls == 1


def test_the_outbox_publishes_what_a_writer_without_events_left_behind(segments_table: str, subscriber: str) -> None:
    # e.g. the sweeper failing a job, or a collector that crashed between the transition and PutEvents.
    store = SegmentStore(segments_table)
    for job_id in ("job-1", "job-2"):
        started_job(store, job_id)
        store.complete_job(job_id, status="SUCCEEDED", segment_count=4)
    events = CompletionEvents(segments_table)
    assert events.pending("9999") == ["job-1", "job-2"]
    assert events.pending("2000") == []  # younger than the cutoff: still its writer's to publish
    assert events.publish_pending("9999") == 2
    assert events.publish_pending("9999") == 0
    assert sorted(e["detail"]["jobId"] for e in received(subscriber)) == ["job-1", "job-2"]


def test_a_job_still_in_progress_announces_nothing(segments_table: str, subscriber: str) -> None:
    store = SegmentStore(segments_table)
    started_job(store)
    assert CompletionEvents(segments_table).announce("job-1") is False
    assert CompletionEvents(segments_table).announce("no-such-job") is False
    assert received(subscriber) == []


def run_sweep(monkeypatch: pytest.MonkeyPatch, grace_seconds: int) -> dict[str, Any]:
    from segments.handlers import sweep
    from tests.adapters.test_pipeline import FakeContext

    monkeypatch.setattr(sweep, "OUTBOX_GRACE", timedelta(seconds=grace_seconds))
    sweep.adapters.cache_clear()
    if hasattr(sweep.completion_events, "cache_clear"):
        sweep.completion_events.cache_clear()
    return dict(sweep.handler({"detail-type": "Scheduled Event", "detail": {}}, FakeContext()))  # type: ignore[arg-type]


def test_the_sweeper_publishes_an_event_its_writer_crashed_before_and_only_once(
    stubbed: Any, segments_table: str, subscriber: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SegmentStore(segments_table)  # a collector that died between the transition and PutEvents
    started_job(store)
    store.complete_job("job-1", status="SUCCEEDED", segment_count=4)
    run_sweep(monkeypatch, grace_seconds=60)
    assert received(subscriber) == []  # younger than the grace: its own delivery may still be publishing
    run_sweep(monkeypatch, grace_seconds=-60)
    run_sweep(monkeypatch, grace_seconds=-60)
    (event,) = received(subscriber)
    assert event["detail"]["jobId"] == "job-1"


def test_a_refused_publish_does_not_fail_the_sweep_and_a_later_sweep_publishes(
    stubbed: Any, segments_table: str, subscriber: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from segments.handlers import sweep

    started_job(SegmentStore(segments_table))
    SegmentStore(segments_table).complete_job("job-1", status="FAILED", status_message="bad codec")
    refusing, working = CompletionEvents(segments_table, events=RefusingEvents()), sweep.completion_events
    monkeypatch.setattr(sweep, "completion_events", lambda: refusing)
    out = run_sweep(monkeypatch, grace_seconds=-60)
    assert "outcomes" in out and received(subscriber) == []
    assert "eventPublishedAt" not in job_item(segments_table)
    monkeypatch.setattr(sweep, "completion_events", working)
    run_sweep(monkeypatch, grace_seconds=-60)
    (event,) = received(subscriber)
    assert event["detail-type"] == "Segment Detection Failed"


def fallback_fail(monkeypatch: pytest.MonkeyPatch, table: str, job_id: str) -> dict[str, Any]:
    from fallback_image import entry
    from tests.adapters.test_fallback import Ctx

    monkeypatch.setenv("TABLE_NAME", table)
    monkeypatch.setenv("BUCKET_NAME", "videos")
    job = {"jobId": job_id, "bucket": VIDEO.bucket, "key": VIDEO.key, "versionId": "v1"}
    error = {"Error": "UnreadableVideoError", "Cause": '{"errorMessage": "not a readable video"}'}
    return dict(entry.handler({"action": "fail", "job": job, "error": error}, Ctx()))


def test_the_fallbacks_failure_step_announces_a_failed_fallback_job(
    segments_table: str, subscriber: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SegmentStore(segments_table)
    store.record_job_started(VIDEO, job_id="fb-1", source="fallback", options=DetectionOptions())
    fallback_fail(monkeypatch, segments_table, "fb-1")
    (event,) = received(subscriber)
    assert event["detail-type"] == "Segment Detection Failed"
    assert event["detail"]["engine"] == "fallback" and "not a readable video" in event["detail"]["statusMessage"]


def test_a_refused_publish_does_not_fail_the_fallbacks_execution_and_stays_in_the_outbox(
    segments_table: str, subscriber: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fallback_image import entry

    store = SegmentStore(segments_table)
    store.record_job_started(VIDEO, job_id="fb-1", source="fallback", options=DetectionOptions())
    monkeypatch.setattr(entry, "CompletionEvents", lambda table: CompletionEvents(table, events=RefusingEvents()))
    assert "not a readable video" in fallback_fail(monkeypatch, segments_table, "fb-1")["statusMessage"]
    job = store.get_job("fb-1")
    assert job is not None and job.status == "FAILED" and received(subscriber) == []
    assert CompletionEvents(segments_table).pending("9999") == ["fb-1"]


# -- videos that fail before any job ------------------------------------------------------------


def test_a_video_failed_without_a_job_is_announced_once_per_object_version(
    segments_table: str, subscriber: str
) -> None:
    store = SegmentStore(segments_table, announcer=CompletionEvents(segments_table))
    assert store.record_video_status(VIDEO, status="QUEUED", message="waiting for a slot", source="rekognition")
    assert received(subscriber) == []  # not final: nothing to tell
    store.record_video_status(VIDEO, status="FAILED", message="no slot after 3 attempts", source="rekognition")
    store.record_video_status(VIDEO, status="FAILED", message="no slot after 3 attempts", source="rekognition")  # dup

    (event,) = received(subscriber)
    assert event["detail-type"] == "Segment Detection Failed"
    detail = event["detail"]
    assert detail["jobId"] is None and detail["engine"] == "rekognition" and detail["versionId"] == "v1"
    assert (detail["videoId"], detail["status"]) == (keys.video_id_for_key(VIDEO.key), "FAILED")
    assert detail["statusMessage"] == "no slot after 3 attempts" and detail["segmentCount"] == 0

    # A new version of the key failing is a new failure.
    store.record_video_status(
        VideoObject("videos", VIDEO.key, "v2"), status="FAILED", message="not a video", source="rekognition"
    )
    (again,) = received(subscriber)
    assert (again["detail"]["versionId"], again["detail"]["statusMessage"]) == ("v2", "not a video")


def test_a_video_whose_job_failed_is_announced_by_its_job_only(segments_table: str, subscriber: str) -> None:
    store = SegmentStore(segments_table, announcer=CompletionEvents(segments_table))
    started_job(store)
    store.complete_job("job-1", status="FAILED", status_message="bad codec")
    events = CompletionEvents(segments_table)
    assert events.announce_video(keys.video_id_for_key(VIDEO.key)) is False
    assert events.pending_videos("9999", "0000") == []
    (event,) = received(subscriber)
    assert event["detail"]["jobId"] == "job-1"


def test_a_refused_video_event_is_published_by_a_later_sweep_once(
    stubbed: Any, segments_table: str, subscriber: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from segments.adapters.events import OutboxOnRefusal, logged_refusal

    warnings: list[tuple[str, dict[str, str]]] = []
    refusing = CompletionEvents(segments_table, events=RefusingEvents())
    announcer = OutboxOnRefusal(
        lambda: refusing, logged_refusal(lambda message, extra: warnings.append((message, extra)))
    )
    store = SegmentStore(segments_table, announcer=announcer)
    assert store.record_video_status(VIDEO, status="FAILED", message="not a video", source="rekognition") is True
    video_id = keys.video_id_for_key(VIDEO.key)
    ((message, extra),) = warnings
    assert "retries" in message and extra["subject"] == video_id and extra["error"]
    assert received(subscriber) == []
    assert CompletionEvents(segments_table).pending_videos("9999", "0000") == [video_id]

    run_sweep(monkeypatch, grace_seconds=-60)
    run_sweep(monkeypatch, grace_seconds=-60)
    (event,) = received(subscriber)
    assert event["detail"]["jobId"] is None and event["detail"]["statusMessage"] == "not a video"
    assert CompletionEvents(segments_table).pending_videos("9999", "0000") == []


def test_the_start_function_announces_a_video_rekognition_rejected(stubbed: Any, subscriber: str) -> None:
    from tests.adapters.test_pipeline import run_start, s3_event_record

    stubbed.add_client_error("start_segment_detection", "InvalidS3ObjectException", "Unable to get object", 400)
    assert run_start([s3_event_record("c.mp4")]) == {"batchItemFailures": []}
    (event,) = received(subscriber)
    assert event["detail-type"] == "Segment Detection Failed" and event["detail"]["key"] == "c.mp4"
    assert "InvalidS3ObjectException" in event["detail"]["statusMessage"] and event["detail"]["jobId"] is None


def test_a_refused_event_still_frees_a_dead_lettered_uploads_slot_and_a_sweep_puts_it(
    stubbed: Any, segments_table: str, subscriber: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from segments.adapters.job_slots import DynamoJobSlots
    from segments.handlers import dead_letters
    from tests.adapters.test_pipeline import s3_event_record, slot_holders, token
    from tests.adapters.test_reliability import run_dead_letters

    DynamoJobSlots(segments_table).acquire(token("lost.mp4"), 20, 1e9, 3600)  # its start died holding a slot
    refusing = RefusingEvents()
    monkeypatch.setattr(dead_letters, "CompletionEvents", lambda table: CompletionEvents(table, events=refusing))
    assert run_dead_letters([s3_event_record("lost.mp4")["body"]]) == {"batchItemFailures": []}
    video = SegmentStore(segments_table).get_video(keys.video_id_for_key("lost.mp4"))
    assert video is not None and video.status == "FAILED" and refusing.calls == 1
    assert slot_holders(segments_table) == set() and received(subscriber) == []
    run_sweep(monkeypatch, grace_seconds=-60)
    (event,) = received(subscriber)
    assert event["detail"]["key"] == "lost.mp4" and event["detail"]["jobId"] is None
