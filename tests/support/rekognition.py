"""Realistic GetSegmentDetection responses, built with the same segment builder as every engine."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from segments.domain.model import build_segment

RATE = Fraction(30000, 1001)
VIDEO_METADATA = [
    {
        "Codec": "h264",
        "DurationMillis": 3_600_000,
        "Format": "QuickTime / MOV",
        "FrameRate": 29.97,
        "FrameHeight": 1080,
        "FrameWidth": 1920,
        "ColorRange": "LIMITED",
    }
]
AUDIO_METADATA = [{"Codec": "aac", "DurationMillis": 3_600_000, "SampleRate": 48000, "NumberOfChannels": 2}]
SELECTED = [{"Type": "TECHNICAL_CUE", "ModelVersion": "2.0"}, {"Type": "SHOT", "ModelVersion": "1.0"}]


def shots(count: int, length: int = 30) -> list[dict[str, Any]]:
    """``count`` consecutive SHOT segments of ``length`` frames at 29.97 fps."""
    return [
        build_segment(
            segment_type="SHOT",
            start_frame=i * length,
            end_frame=i * length + length - 1,
            rate=RATE,
            confidence=90.0 + (i % 10) * 0.5,
            shot_index=i,
        )
        for i in range(count)
    ]


def cues(count: int) -> list[dict[str, Any]]:
    """``count`` alternating BlackFrames/Content technical cues."""
    return [
        build_segment(
            segment_type="TECHNICAL_CUE",
            start_frame=i * 10,
            end_frame=i * 10 + 9,
            rate=RATE,
            confidence=99.5,
            cue_type="BlackFrames" if i % 2 == 0 else "Content",
        )
        for i in range(count)
    ]


def page(segments: list[dict[str, Any]], next_token: str | None = None, status: str = "SUCCEEDED") -> dict[str, Any]:
    """One GetSegmentDetection response page."""
    response: dict[str, Any] = {
        "JobStatus": status,
        "VideoMetadata": VIDEO_METADATA,
        "AudioMetadata": AUDIO_METADATA,
        "SelectedSegmentTypes": SELECTED,
        "Segments": segments,
    }
    if next_token:
        response["NextToken"] = next_token
    return response


def completion_body(
    job_id: str, status: str, key: str, bucket: str = "videos", api: str = "StartSegmentDetection"
) -> str:
    """An SQS body carrying Rekognition's completion message inside an SNS notification."""
    import json

    message = {
        "JobId": job_id,
        "Status": status,
        "API": api,
        "JobTag": "vid-test",
        "Timestamp": 1732480000000,
        "Video": {"S3ObjectName": key, "S3Bucket": bucket},
    }
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "a1b2c3",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:completion",
            "Message": json.dumps(message),
            "Timestamp": "2026-11-24T20:00:00.000Z",
            "SignatureVersion": "1",
        }
    )
