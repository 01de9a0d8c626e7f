"""The fallback semaphore is its own DynamoDB item: fallback executions never take Rekognition's slots."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from segments.adapters.job_slots import DynamoJobSlots, fallback_slots
from segments.domain import keys
from tests.adapters.test_faults import upload, video
from tests.adapters.test_pipeline import run_start, stubbed, uploads_queue
from tests.adapters.test_routing import executions, machine

__all__ = ["machine", "stubbed"]


def test_fallback_slots_live_in_their_own_item_and_do_not_count_against_rekognition(segments_table: str) -> None:
    fallback = fallback_slots(segments_table)
    rekognition = DynamoJobSlots(segments_table)
    assert fallback.acquire("fb-1", 1, 1000, 60)
    assert not fallback.acquire("fb-2", 1, 1000, 60)  # the one fallback slot is held
    assert rekognition.acquire("token-1", 1, 1000, 60)  # Rekognition's slot is still free
    table = boto3.resource("dynamodb").Table(segments_table)
    item: dict[str, Any] = table.get_item(Key={"pk": "QUOTA#fallback", "sk": "SLOTS"})["Item"]
    assert set(item["holders"]) == {"fb-1"}
    assert fallback.release("fb-1") and fallback.acquire("fb-2", 1, 1000, 60)


def one_running_one_waiting(machine: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """One fallback slot: a.mp4's execution holds it, b.mp4's upload waits for it; a.mp4's job input."""
    monkeypatch.setenv("DETECTION_MODE", "fallback")
    monkeypatch.setenv("MAX_CONCURRENT_FALLBACKS", "1")
    arn, receipt = uploads_queue()
    run_start([upload("a.mp4", "v1", "01")])
    run_start([dict(upload("b.mp4", "v1", "02"), eventSourceARN=arn, receiptHandle=receipt)])
    (first,) = executions(machine)
    return first


def test_an_upload_without_a_fallback_slot_waits_queued_and_the_freed_slot_wakes_it(
    machine: str, stubbed: Stubber, monkeypatch: pytest.MonkeyPatch, segments_table: str
) -> None:
    from segments.handlers import start

    first = one_running_one_waiting(machine, monkeypatch)
    waiting = video(segments_table, "b.mp4")
    assert waiting.status == "QUEUED" and "waiting for a fallback slot" in waiting.status_message
    table = boto3.resource("dynamodb").Table(segments_table)
    item: dict[str, Any] = table.get_item(Key={"pk": "QUOTA#fallback", "sk": "WAITERS"})["Item"]
    waiters = item["waiters"]
    assert set(waiters) == {keys.client_request_token("videos", "b.mp4", "v1")}

    assert start.fallback_slot_adapter().release(first["jobId"])  # as the sweeper does when it ends
    assert table.get_item(Key={"pk": "QUOTA#fallback", "sk": "WAITERS"})["Item"]["waiters"] == {}
    run_start([upload("b.mp4", "v1", "02")])  # the woken delivery
    assert len(executions(machine)) == 2
    assert video(segments_table, "b.mp4").source == "fallback"


def test_a_fallback_execution_giving_its_slot_back_wakes_the_waiting_upload(
    machine: str, stubbed: Stubber, monkeypatch: pytest.MonkeyPatch, segments_table: str
) -> None:
    first = one_running_one_waiting(machine, monkeypatch)
    # The execution ends in its failure step (the stitch step releases the same way).
    monkeypatch.setenv("TABLE_NAME", segments_table)
    monkeypatch.setenv("BUCKET_NAME", "videos")
    monkeypatch.setenv("RESULTS_PREFIX", "fallback-chunks/")
    from fallback_image import entry
    from tests.adapters.test_fallback import Ctx

    entry.handler({"action": "fail", "job": first, "error": {"Error": "States.Timeout", "Cause": ""}}, Ctx())
    assert video(segments_table, "a.mp4").status == "FAILED"
    table = boto3.resource("dynamodb").Table(segments_table)
    assert table.get_item(Key={"pk": "QUOTA#fallback", "sk": "WAITERS"})["Item"]["waiters"] == {}  # woken
    run_start([upload("b.mp4", "v1", "02")])  # the woken delivery
    assert len(executions(machine)) == 2 and video(segments_table, "b.mp4").source == "fallback"
