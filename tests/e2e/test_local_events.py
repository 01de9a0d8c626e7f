"""Local mode emits the completion events: an unmodified boto3 client subscribes a queue and receives one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from local_mode.stack import BUCKET, REGION
from segments.domain.keys import video_id_for_key
from tests.detector.conftest import make_clip
from tests.e2e.conftest import Running

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def plain_client(local: Running, service: str) -> Any:
    """What a user would build: boto3 pointed at the endpoint `make run` prints, nothing else."""
    return boto3.client(
        service,
        endpoint_url=local.stack.endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # the local endpoint accepts any credentials
    )


def test_an_sqs_rule_on_the_local_default_bus_receives_the_succeeded_event(local: Running, tmp_path: Path) -> None:
    sqs, events = plain_client(local, "sqs"), plain_client(local, "events")
    url = sqs.create_queue(QueueName="editor-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="segments-done",
        EventPattern=json.dumps({"source": ["segments.pipeline"], "detail-type": ["Segment Detection Succeeded"]}),
    )
    events.put_targets(Rule="segments-done", Targets=[{"Id": "inbox", "Arn": arn}])

    clip = make_clip(tmp_path / "events clip.mp4", "testsrc2=s=160x90:r=25:d=1")
    plain_client(local, "s3").upload_file(str(clip), BUCKET, "events/clip.mp4")

    got: list[dict[str, Any]] = []

    def event_arrived() -> bool:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        got.extend(json.loads(m["Body"]) for m in messages)
        return bool(got)

    local.wait_for(event_arrived)
    (event,) = got
    detail = event["detail"]
    assert event["source"] == "segments.pipeline" and event["detail-type"] == "Segment Detection Succeeded"
    assert (detail["videoId"], detail["key"], detail["status"]) == (
        video_id_for_key("events/clip.mp4"),
        "events/clip.mp4",
        "SUCCEEDED",
    )
    assert detail["segmentCount"] == sum(detail["segmentCounts"].values()) >= 1
    # The event comes after the results are stored and the video is final: a consumer can read at once.
    status, body = local.get(f"/videos/{detail['videoId']}/segments")
    assert status == 200 and body["JobStatus"] == "SUCCEEDED" and len(body["Segments"]) == detail["segmentCount"]
