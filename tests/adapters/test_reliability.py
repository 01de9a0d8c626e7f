"""Dead-letter consumer and sweeper handlers against moto DynamoDB and the stubbed Rekognition client."""

from __future__ import annotations

import json
from typing import Any

from botocore.stub import Stubber

from segments.adapters.job_slots import DynamoJobSlots
from segments.adapters.store import SegmentStore
from segments.domain import keys
from segments.domain.events import VideoObject
from segments.domain.records import DetectionOptions
from tests.adapters.test_pipeline import (
    FakeContext,
    expect_start,
    run_start,
    s3_event_record,
    slot_holders,
    sqs_record,
    stubbed,
    token,
)
from tests.support import rekognition as rk

__all__ = ["stubbed"]


def run_dead_letters(bodies: list[str]) -> dict[str, Any]:
    from segments.handlers import dead_letters

    dead_letters.adapters.cache_clear()
    records = [sqs_record(b, msg_id=f"d{i}", receive_count=5) for i, b in enumerate(bodies)]
    return dict(dead_letters.handler({"Records": records}, FakeContext()))  # type: ignore[arg-type]


def test_a_dead_lettered_upload_marks_its_video_failed_with_how_to_retry(stubbed: Stubber, segments_table: str) -> None:
    DynamoJobSlots(segments_table).acquire(token("lost.mp4"), 20, 1e9, 3600)  # its start died holding a slot
    body = s3_event_record("lost.mp4")["body"]
    assert run_dead_letters([body]) == {"batchItemFailures": []}
    video = SegmentStore(segments_table).get_video(keys.video_id_for_key("lost.mp4"))
    assert video is not None and video.status == "FAILED"
    assert "dead-lettered" in video.status_message and "re-upload" in video.status_message
    assert slot_holders(segments_table) == set()


def test_a_dead_lettered_completion_fails_its_job_and_frees_its_slot(stubbed: Stubber, segments_table: str) -> None:
    expect_start(stubbed, "c.mp4", "job-c")
    run_start([s3_event_record("c.mp4")])
    assert slot_holders(segments_table) == {token("c.mp4")}
    assert run_dead_letters([rk.completion_body("job-c", "SUCCEEDED", "c.mp4")]) == {"batchItemFailures": []}
    store = SegmentStore(segments_table)
    job = store.get_job("job-c")
    assert job is not None and job.status == "FAILED" and "dead-lettered" in job.status_message
    video = store.get_video(keys.video_id_for_key("c.mp4"))
    assert video is not None and video.status == "FAILED"
    assert DynamoJobSlots(segments_table).held() == {}


def test_the_scheduled_sweep_collects_a_job_whose_completion_was_lost(
    stubbed: Stubber, segments_table: str, monkeypatch: Any
) -> None:
    from segments.handlers import sweep

    expect_start(stubbed, "s.mp4", "job-s")
    run_start([s3_event_record("s.mp4")])
    # Everything written before now counts as overdue.
    monkeypatch.setenv("SWEEP_OVERDUE_SECONDS", "0")
    from segments.handlers import collect

    monkeypatch.setattr(sweep, "Rekognition", collect.Rekognition)  # the fixture's stubbed client
    stubbed.add_response("get_segment_detection", rk.page(rk.shots(2)), {"JobId": "job-s", "MaxResults": 1})
    stubbed.add_response("get_segment_detection", rk.page(rk.shots(2)), {"JobId": "job-s", "MaxResults": 1000})
    sweep.adapters.cache_clear()
    out = sweep.handler({"detail-type": "Scheduled Event", "detail": {}}, FakeContext())  # type: ignore[arg-type]
    assert out == {"outcomes": {"collected-succeeded": 1}}
    video = SegmentStore(segments_table).get_video(keys.video_id_for_key("s.mp4"))
    assert video is not None and video.status == "SUCCEEDED"
    assert slot_holders(segments_table) == set()


def test_a_timed_out_execution_event_fails_its_job(stubbed: Stubber, segments_table: str) -> None:
    from segments.handlers import sweep

    store = SegmentStore(segments_table)
    job_id = keys.fallback_job_id("videos", "t.mp4", "v1")
    store.record_job_started(
        VideoObject("videos", "t.mp4", "v1"), job_id=job_id, source="fallback", options=DetectionOptions()
    )
    event = {
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "detail": {"name": job_id, "status": "TIMED_OUT", "error": "States.Timeout", "cause": json.dumps({})},
    }
    sweep.adapters.cache_clear()
    assert sweep.handler(event, FakeContext()) == {"outcome": "failed-execution-timed_out"}  # type: ignore[arg-type]
    video = store.get_video(keys.video_id_for_key("t.mp4"))
    assert video is not None and video.status == "FAILED" and "TIMED_OUT" in video.status_message
