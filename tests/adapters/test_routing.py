"""detectionMode routing through the real start and collect handlers (moto Step Functions + stubbed Rekognition)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from segments.adapters.store import SegmentStore
from segments.domain import keys
from segments.domain.records import VideoRecord
from segments.settings import settings
from tests.adapters.test_pipeline import (
    ROLE,
    TOPIC,
    expect_pages,
    expect_start,
    run_collect,
    run_start,
    s3_event_record,
    stubbed,
)
from tests.support import rekognition as rk

__all__ = ["stubbed"]


@pytest.fixture
def machine(stubbed: Stubber, monkeypatch: pytest.MonkeyPatch) -> str:
    sfn = boto3.client("stepfunctions")
    arn = sfn.create_state_machine(
        name="fallback",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    monkeypatch.setenv("FALLBACK_STATE_MACHINE_ARN", arn)
    monkeypatch.setenv("DETECTION_MODE", "rekognition-with-fallback")
    settings.cache_clear()
    return str(arn)


def executions(arn: str) -> list[dict[str, Any]]:
    sfn = boto3.client("stepfunctions")
    listed = sfn.list_executions(stateMachineArn=arn)["executions"]
    return [json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in listed]


def video(table: str, key: str) -> VideoRecord:
    item = SegmentStore(table).get_video(keys.video_id_for_key(key))
    assert item is not None
    return item


def test_fallback_mode_never_calls_rekognition(
    machine: str,
    stubbed: Stubber,
    monkeypatch: pytest.MonkeyPatch,
    segments_table: str,
) -> None:
    monkeypatch.setenv("DETECTION_MODE", "fallback")
    settings.cache_clear()
    run_start([s3_event_record("a.mp4"), s3_event_record("a.mp4")])  # duplicate event: one execution
    stubbed.assert_no_pending_responses()
    (payload,) = executions(machine)
    assert payload["jobId"] == keys.fallback_job_id("videos", "a.mp4", "v1") and payload["key"] == "a.mp4"
    assert video(segments_table, "a.mp4").source == "fallback"


@pytest.mark.parametrize("code", ["InvalidS3ObjectException", "VideoTooLargeException", "AccessDeniedException"])
def test_rejected_start_routes_to_the_fallback(machine: str, stubbed: Stubber, segments_table: str, code: str) -> None:
    stubbed.add_client_error("start_segment_detection", code, "no", 400)
    run_start([s3_event_record("b.mp4")])
    (payload,) = executions(machine)
    assert code in payload["reason"]
    assert video(segments_table, "b.mp4").job_id == payload["jobId"]


def test_failed_rekognition_job_routes_to_the_fallback_and_the_video_serves_one_result_set(
    machine: str,
    stubbed: Stubber,
    segments_table: str,
) -> None:
    expect_start(stubbed, "c.mp4", "job-c")
    run_start([s3_event_record("c.mp4")])
    failed = rk.page([], status="FAILED")
    failed["StatusMessage"] = "Unsupported format"
    expect_pages(stubbed, "job-c", [failed])
    run_collect([rk.completion_body("job-c", "FAILED", "c.mp4")])
    (payload,) = executions(machine)
    current = video(segments_table, "c.mp4")
    assert current.job_id == payload["jobId"] and current.source == "fallback"
    # A late duplicate of Rekognition's message changes nothing: the video keeps one result set.
    run_collect([rk.completion_body("job-c", "FAILED", "c.mp4")])
    assert video(segments_table, "c.mp4").job_id == payload["jobId"]
    assert len(executions(machine)) == 1


def test_start_throttled_past_the_limit_routes_to_the_fallback(
    machine: str,
    stubbed: Stubber,
    monkeypatch: pytest.MonkeyPatch,
    segments_table: str,
) -> None:
    monkeypatch.setenv("THROTTLE_FALLBACK_SECONDS", "60")
    settings.cache_clear()
    stubbed.add_client_error("start_segment_detection", "LimitExceededException", "quota", 400)
    # The record was first received long ago (the fixture's timestamp is in 2024).
    run_start([s3_event_record("d.mp4", receive_count=2)])
    (payload,) = executions(machine)
    assert "throttled" in payload["reason"]


def test_rekognition_mode_never_falls_back(
    machine: str,
    stubbed: Stubber,
    monkeypatch: pytest.MonkeyPatch,
    segments_table: str,
) -> None:
    monkeypatch.setenv("DETECTION_MODE", "rekognition")
    settings.cache_clear()
    stubbed.add_client_error("start_segment_detection", "InvalidS3ObjectException", "no", 400)
    run_start([s3_event_record("e.mp4")])
    assert executions(machine) == []
    assert video(segments_table, "e.mp4").status == "FAILED"


def test_fallback_after_a_failed_job_honours_the_jobs_segment_types_and_filters(
    machine: str, stubbed: Stubber, monkeypatch: pytest.MonkeyPatch, segments_table: str
) -> None:
    filters = {"ShotFilter": {"MinSegmentConfidence": 80.0}}
    monkeypatch.setenv("SEGMENT_TYPES", json.dumps(["SHOT"]))
    monkeypatch.setenv("FILTERS", json.dumps(filters))
    settings.cache_clear()
    stubbed.add_response(
        "start_segment_detection",
        {"JobId": "job-s"},
        {
            "Video": {"S3Object": {"Bucket": "videos", "Name": "s.mp4", "Version": "v1"}},
            "SegmentTypes": ["SHOT"],
            "Filters": filters,
            "ClientRequestToken": keys.client_request_token("videos", "s.mp4", "v1"),
            "JobTag": keys.job_tag("s.mp4"),
            "NotificationChannel": {"SNSTopicArn": TOPIC, "RoleArn": ROLE},
        },
    )
    run_start([s3_event_record("s.mp4")])
    # The collector's environment does not carry the deployment's detection options.
    monkeypatch.delenv("SEGMENT_TYPES")
    monkeypatch.delenv("FILTERS")
    settings.cache_clear()
    failed = rk.page([], status="FAILED")
    failed["StatusMessage"] = "Unsupported format"
    expect_pages(stubbed, "job-s", [failed])
    run_collect([rk.completion_body("job-s", "FAILED", "s.mp4")])
    (payload,) = executions(machine)
    assert payload["segmentTypes"] == ["SHOT"] and payload["filters"] == filters
