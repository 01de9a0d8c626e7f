"""S3 and Rekognition events parse into what the pipeline needs, with clear errors otherwise."""

from __future__ import annotations

import json

import pytest

from segments.domain.events import EventError, completion_from_sns_body, is_video_key, uploads_in_s3_event
from tests.support.rekognition import completion_body


def s3_body(key: str, version: str = "v1") -> str:
    return json.dumps(
        {
            "Records": [
                {
                    "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": "videos"}, "object": {"key": key, "versionId": version, "size": 10}},
                }
            ]
        }
    )


def test_s3_keys_are_url_decoded() -> None:
    (video,) = uploads_in_s3_event(s3_body("my+folder/caf%C3%A9+clip.mp4"))
    assert video.key == "my folder/café clip.mp4" and video.version_id == "v1"


def test_s3_test_event_yields_nothing() -> None:
    assert uploads_in_s3_event(json.dumps({"Event": "s3:TestEvent", "Service": "Amazon S3"})) == []


def test_garbage_is_a_clear_error() -> None:
    with pytest.raises(EventError):
        uploads_in_s3_event("not json")
    with pytest.raises(EventError):
        completion_from_sns_body(json.dumps({"Message": json.dumps({"nope": 1})}))


@pytest.mark.parametrize(
    ("key", "expected"),
    [("a.MP4", True), ("a.mov", True), ("a.txt", False), ("mp4", False), ("in/a.webm", True)],
)
def test_video_suffix_filter_is_case_insensitive(key: str, expected: bool) -> None:
    assert is_video_key(key, ("mp4", "mov", "webm")) is expected


def test_prefix_filter() -> None:
    assert not is_video_key("other/a.mp4", ("mp4",), "incoming/")
    assert is_video_key("incoming/a.mp4", ("mp4",), "incoming/")


def test_completion_message_inside_sns_notification() -> None:
    completion = completion_from_sns_body(completion_body("job-1", "SUCCEEDED", "a b.mp4"))
    assert (completion.job_id, completion.status, completion.key) == ("job-1", "SUCCEEDED", "a b.mp4")
    assert completion.api == "StartSegmentDetection"
