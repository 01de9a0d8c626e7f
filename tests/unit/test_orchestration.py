"""Start and collect orchestration against in-memory fakes of its ports (milliseconds, no AWS)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

import pytest

from segments.domain import keys
from segments.domain.errors import StartRejected, StartRetryable
from segments.domain.events import Completion, VideoObject
from segments.domain.records import DetectionOptions
from segments.orchestration import Attempt, RetryLater, collect_job, start_video
from segments.settings import Settings
from segments.sweeping import SweepPolicy, iso, sweep
from tests.support import rekognition as rk
from tests.support.fakes import MemorySlots, MemoryStore, RecordingLauncher, ScriptedRekognition

VIDEO = VideoObject("videos", "in/clip.mp4", "v1", etag="e1")
TOKEN = keys.client_request_token("videos", "in/clip.mp4", "v1")
SHOT_ONLY = {"ShotFilter": {"MinSegmentConfidence": 80.0}}


class Ports:
    def __init__(self, **overrides: Any) -> None:
        self.settings = Settings(table_name="t", max_concurrent_jobs=2, **overrides)
        self.store = MemoryStore()
        self.slots = MemorySlots()
        self.rekognition = ScriptedRekognition()
        self.launcher = RecordingLauncher()
        self.fallback_slots: MemorySlots | None = None  # no bound on fallback executions unless set

    def wiring(self) -> dict[str, Any]:
        """The ports start, collect and sweep all take, as keyword arguments."""
        return {
            "settings": self.settings,
            "store": self.store,
            "slots": self.slots,
            "rekognition": self.rekognition,
            "launcher": self.launcher,
            "fallback_slots": self.fallback_slots,
        }

    def start(self, video: VideoObject = VIDEO, attempt: Attempt | None = None) -> str:
        return start_video(
            video,
            attempt or Attempt(),
            **self.wiring(),
        )

    def collect(self, job_id: str, status: str = "SUCCEEDED", key: str = VIDEO.key) -> tuple[str, int]:
        completion = Completion(job_id, status, "StartSegmentDetection", keys.job_tag(key), "videos", key, 0)
        return collect_job(
            completion,
            **self.wiring(),
        )

    def sweep_at(self, now: datetime) -> dict[str, int]:
        """One sweeper run at ``now`` (the store's clock set to it); its outcomes."""
        self.store.now = iso(now)
        return sweep(
            now,
            executions=self.launcher,
            policy=SweepPolicy(),
            **self.wiring(),
        ).outcomes


def failed_page(message: str = "Unsupported codec") -> dict[str, Any]:
    page = rk.page([], status="FAILED")
    page["StatusMessage"] = message
    return page


def test_a_started_job_holds_one_slot_and_carries_the_deployments_options() -> None:
    ports = Ports(segment_types=("SHOT",), filters=SHOT_ONLY)
    ports.rekognition.starts = ["job-1"]
    assert ports.start() == "started"
    assert ports.slots.holders.keys() == {TOKEN}
    job = ports.store.get_job("job-1")
    assert job is not None and job.options == DetectionOptions(("SHOT",), SHOT_ONLY)
    assert ports.rekognition.start_calls[0]["segment_types"] == ["SHOT"]
    assert ports.store.video_of(VIDEO.key).job_id == "job-1"


def test_a_reupload_of_identical_bytes_starts_nothing() -> None:
    ports = Ports()
    ports.rekognition.starts = ["job-1"]
    ports.start()
    again = VideoObject(VIDEO.bucket, VIDEO.key, "v2", etag=VIDEO.etag)
    assert ports.start(again) == "duplicate"
    assert len(ports.rekognition.start_calls) == 1


def test_when_every_slot_is_taken_the_upload_waits_queued_without_calling_rekognition() -> None:
    ports = Ports()
    ports.slots.holders = {"a": 9e12, "b": 9e12}
    with pytest.raises(RetryLater):
        ports.start()
    assert ports.rekognition.start_calls == []
    assert ports.store.video_of(VIDEO.key).status == "QUEUED"


@pytest.mark.parametrize(
    "error",
    [StartRetryable("LimitExceededException", "quota"), StartRejected("InvalidS3ObjectException", "no")],
    ids=["throttled", "rejected"],
)
def test_a_start_that_fails_gives_its_slot_back(error: Exception) -> None:
    ports = Ports()
    ports.rekognition.starts = [error]
    with contextlib.suppress(RetryLater):
        ports.start()
    assert ports.slots.holders == {}


def test_an_unexpected_start_error_gives_the_slot_back_and_propagates() -> None:
    ports = Ports()
    ports.rekognition.starts = [TimeoutError("read timeout")]
    with pytest.raises(TimeoutError):
        ports.start()
    assert ports.slots.holders == {}


def test_a_failed_fallback_launch_records_nothing_so_the_redelivery_launches_it() -> None:
    ports = Ports(detection_mode="fallback")
    ports.launcher.fail_next = RuntimeError("ThrottlingException: StartExecution")
    with pytest.raises(RuntimeError):
        ports.start()
    assert ports.store.jobs == {} and ports.store.videos == {}
    assert ports.start() == "fallback"
    (payload,) = ports.launcher.launches.values()
    assert ports.store.video_of(VIDEO.key).job_id == payload["jobId"]


def test_fallback_after_a_failed_job_uses_the_jobs_own_options_not_the_collectors_environment() -> None:
    # The start function ran with SHOT-only options; the collector's environment has the defaults.
    ports = Ports(segment_types=("SHOT",), filters=SHOT_ONLY, detection_mode="rekognition-with-fallback")
    ports.rekognition.starts = ["job-1"]
    ports.start()
    collector = Ports(detection_mode="rekognition-with-fallback")
    collector.store, collector.slots, collector.rekognition = ports.store, ports.slots, ports.rekognition
    collector.rekognition.job_pages("job-1", [failed_page()])
    assert collector.collect("job-1", "FAILED") == ("fallback", 0)
    (payload,) = collector.launcher.launches.values()
    assert payload["segmentTypes"] == ["SHOT"] and payload["filters"] == SHOT_ONLY
    fallback = ports.store.get_job(payload["jobId"])
    assert fallback is not None and fallback.options == DetectionOptions(("SHOT",), SHOT_ONLY)
    assert ports.store.video_of(VIDEO.key).job_id == payload["jobId"]
    failed = ports.store.get_job("job-1")
    assert failed is not None and failed.status == "FAILED" and failed.status_message == "Unsupported codec"


def test_a_fallback_launch_failing_after_a_failed_job_is_retried_by_the_redelivered_completion() -> None:
    ports = Ports(detection_mode="rekognition-with-fallback")
    ports.rekognition.starts = ["job-1"]
    ports.start()
    ports.rekognition.job_pages("job-1", [failed_page()])
    ports.launcher.fail_next = RuntimeError("AccessDenied: StartExecution")
    with pytest.raises(RuntimeError):
        ports.collect("job-1", "FAILED")
    job = ports.store.get_job("job-1")
    assert job is not None and not job.terminal  # not "already handled": the redelivery tries again
    assert ports.collect("job-1", "FAILED") == ("fallback", 0)
    assert len(ports.launcher.launches) == 1
    assert ports.store.video_of(VIDEO.key).source == "fallback"


def test_a_completion_that_overtakes_the_start_record_frees_the_slot_of_the_right_version() -> None:
    ports = Ports()
    ports.slots.acquire(TOKEN, 2, 1.0, 3600)  # the start took the slot and Rekognition accepted the job …
    first = rk.page(rk.shots(3))
    first["Video"] = {"S3Object": {"Bucket": "videos", "Name": VIDEO.key, "Version": "v1"}}
    ports.rekognition.job_pages("job-1", [first])
    assert ports.collect("job-1") == ("succeeded", 3)  # … and the completion came before its record
    assert ports.slots.holders == {}
    job = ports.store.get_job("job-1")
    assert job is not None and job.version_id == "v1" and job.client_request_token == TOKEN
    # The start then records the job it started: it finds it over and holds no slot for it.
    ports.rekognition.starts = ["job-1"]
    assert ports.start() == "started"
    assert ports.slots.holders == {}
    assert ports.store.video_of(VIDEO.key).status == "SUCCEEDED"


def test_a_collector_that_dies_midway_resumes_at_its_checkpoint() -> None:
    ports = Ports()
    ports.rekognition.starts = ["job-1"]
    ports.start()
    segments = rk.shots(2500)
    pages = [rk.page(segments[:1000], "t1"), rk.page(segments[1000:2000], "t2"), rk.page(segments[2000:])]
    ports.rekognition.job_pages("job-1", pages)
    ports.rekognition.pages["job-1"]["t2"] = RuntimeError("killed")
    with pytest.raises(RuntimeError):
        ports.collect("job-1")
    ports.rekognition.job_pages("job-1", pages)
    ports.rekognition.page_calls.clear()
    assert ports.collect("job-1") == ("succeeded", 2500)
    assert ports.rekognition.page_calls == [("job-1", "t2")]
    assert len(ports.store.segments["job-1"]) == 2500


def test_a_duplicate_completion_changes_nothing_and_frees_the_slot() -> None:
    ports = Ports()
    ports.rekognition.starts = ["job-1"]
    ports.start()
    ports.rekognition.job_pages("job-1", [rk.page(rk.shots(2))])
    ports.collect("job-1")
    ports.slots.holders[TOKEN] = 5.0  # a redelivered upload took it again meanwhile
    assert ports.collect("job-1") == ("duplicate", 0)
    assert ports.slots.holders == {}
