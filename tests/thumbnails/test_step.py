"""The thumbnail step: every chunk stored, resumable after a crash, and a failure recorded, never raised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from thumbnails.plan import manifest_key, thumbnail_key
from thumbnails.step import run, shots_from_segments

pytestmark = pytest.mark.slow


class MemoryMedia:
    """Media port over dicts; ``fail_puts_after`` makes the n-th image write raise (a crash mid-step)."""

    def __init__(self, video: Path, fail_puts_after: int | None = None) -> None:
        self.video = video
        self.objects: dict[str, bytes] = {}
        self.records: list[tuple[str, str, str, str]] = []
        self.opened = 0
        self.fail_puts_after = fail_puts_after

    def open_video(self, bucket: str, key: str, version_id: str | None) -> BinaryIO:
        self.opened += 1
        return self.video.open("rb")

    def put_object(self, key: str, body: bytes, content_type: str) -> None:
        if self.fail_puts_after is not None and len(self.objects) >= self.fail_puts_after:
            raise ConnectionError("S3 went away")
        self.objects[key] = body

    def get_json(self, key: str) -> dict[str, Any] | None:
        return json.loads(self.objects[key]) if key in self.objects else None

    def put_json(self, key: str, document: dict[str, Any]) -> None:
        self.objects[key] = json.dumps(document).encode()

    def record_thumbnails(self, video_id: str, job_id: str, status: str, message: str) -> None:
        self.records.append((video_id, job_id, status, message))


JOB = {"bucket": "b", "key": "clip.mp4", "versionId": "", "videoId": "Y2xpcC5tcDQ", "jobId": "job-1"}


def segments(count: int) -> list[dict[str, Any]]:
    cue = {"Type": "TECHNICAL_CUE", "StartFrameNumber": 0, "EndFrameNumber": 10, "TechnicalCueSegment": {}}
    shots = [
        {"Type": "SHOT", "StartFrameNumber": i * 10, "EndFrameNumber": i * 10 + 9, "ShotSegment": {"Index": i}}
        for i in range(count)
    ]
    return [cue, *reversed(shots)]


def test_shots_are_read_from_shot_segments_in_index_order() -> None:
    spans = shots_from_segments(segments(3))
    assert [(s.index, s.start_frame, s.end_frame) for s in spans] == [(0, 0, 9), (1, 10, 19), (2, 20, 29)]


def test_every_shot_gets_a_thumbnail_and_the_manifest_lists_them(colour_clips: dict[str, Path]) -> None:
    media = MemoryMedia(colour_clips["colours"])
    manifest = run({**JOB, "chunkShots": 100}, shots_from_segments(segments(15)), media)
    assert manifest["status"] == "SUCCEEDED"
    assert [s["index"] for s in manifest["shots"]] == list(range(15))
    assert all(thumbnail_key("Y2xpcC5tcDQ", "job-1", i) in media.objects for i in range(15))
    assert json.loads(media.objects[manifest_key("Y2xpcC5tcDQ", "job-1")]) == manifest
    assert media.records == [("Y2xpcC5tcDQ", "job-1", "SUCCEEDED", "")]


def test_a_retry_after_a_crash_skips_finished_chunks(colour_clips: dict[str, Path]) -> None:
    shots = shots_from_segments(segments(150))
    job = {**JOB, "chunkShots": 100}
    media = MemoryMedia(colour_clips["long"], fail_puts_after=120)  # chunk 0 (100 shots + sheet + part) done
    first = run(job, shots, media)
    assert first["status"] == "FAILED" and "S3 went away" in first["message"]
    media.fail_puts_after = None
    opened = media.opened
    second = run(job, shots, media)
    assert second["status"] == "SUCCEEDED" and len(second["shots"]) == 150
    assert media.opened == opened + 1  # only the unfinished chunk read the video again


def test_an_unreadable_video_records_why_and_does_not_raise(colour_clips: dict[str, Path]) -> None:
    media = MemoryMedia(colour_clips["text"])
    manifest = run(JOB, shots_from_segments(segments(2)), media)
    assert manifest["status"] == "FAILED"
    assert "not a readable video" in manifest["message"]
    assert media.records[-1][2] == "FAILED" and "not a readable video" in media.records[-1][3]


def test_a_job_without_shots_succeeds_with_an_empty_manifest(colour_clips: dict[str, Path]) -> None:
    media = MemoryMedia(colour_clips["colours"])
    manifest = run(JOB, [], media)
    assert manifest["status"] == "SUCCEEDED" and manifest["shots"] == [] and media.opened == 0
