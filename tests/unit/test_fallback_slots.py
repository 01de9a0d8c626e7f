"""maxConcurrentFallbacks: fallback executions take a slot of their own; the rest wait and nothing is lost."""

from __future__ import annotations

import time
from typing import Any

import pytest

from fallback_image import steps
from segments.domain import keys
from segments.domain.events import VideoObject
from segments.domain.records import ExecutionState
from segments.orchestration import Attempt, FallbackBusy, GiveUp, RetryLater
from segments.sweeping import execution_ended, iso
from tests.support.fakes import MemorySlots
from tests.unit.test_orchestration import VIDEO, Ports, failed_page
from tests.unit.test_sweeping import at

OTHER = VideoObject("videos", "in/other.mp4", "v1", etag="e2")
FIRST_JOB = keys.fallback_job_id(VIDEO.bucket, VIDEO.key, VIDEO.version_id)
OTHER_JOB = keys.fallback_job_id(OTHER.bucket, OTHER.key, OTHER.version_id)


class FallbackPorts(Ports):
    def __init__(self, **overrides: Any) -> None:
        overrides.setdefault("max_concurrent_fallbacks", 1)
        super().__init__(**overrides)
        self.fallback_slots = MemorySlots()

    def sweep(self, hours: float) -> dict[str, int]:
        return self.sweep_at(at(hours))


def test_with_one_fallback_slot_the_second_upload_waits_queued_until_the_first_execution_ends() -> None:
    ports = FallbackPorts(detection_mode="fallback")
    assert ports.start(VIDEO) == "fallback"
    with pytest.raises(RetryLater) as waiting:
        ports.start(OTHER)
    assert waiting.value.kind == "fallback" and waiting.value.delay_seconds == 30
    other = ports.store.video_of(OTHER.key)
    assert other.status == "QUEUED" and "waiting for a fallback slot" in other.status_message
    assert list(ports.launcher.launches) == [FIRST_JOB]

    steps.record_failure(
        ports.launcher.launches[FIRST_JOB],
        {"Error": "VideoError", "Cause": "bad"},
        store=ports.store,
        slots=ports.fallback_slots,
    )
    assert ports.fallback_slots.holders == {}
    assert ports.start(OTHER, Attempt(receive_count=2)) == "fallback"
    assert list(ports.launcher.launches) == [FIRST_JOB, OTHER_JOB]
    assert ports.fallback_slots.holders.keys() == {OTHER_JOB}
    assert ports.store.video_of(OTHER.key).job_id == OTHER_JOB


def test_a_redelivered_upload_keeps_its_one_fallback_slot() -> None:
    ports = FallbackPorts(detection_mode="fallback")
    assert ports.start() == "fallback"
    assert ports.start(VideoObject(VIDEO.bucket, VIDEO.key, VIDEO.version_id)) == "fallback"
    assert ports.fallback_slots.holders.keys() == {FIRST_JOB}


def test_a_failed_fallback_launch_gives_its_slot_back() -> None:
    ports = FallbackPorts(detection_mode="fallback")
    ports.launcher.fail_next = RuntimeError("ThrottlingException: StartExecution")
    with pytest.raises(RuntimeError):
        ports.start(VIDEO)
    assert ports.fallback_slots.holders == {}
    assert ports.start(OTHER) == "fallback"  # the slot was not leaked to the failed launch


def test_an_upload_still_without_a_fallback_slot_after_its_budget_is_failed_with_a_reason() -> None:
    ports = FallbackPorts(detection_mode="fallback", max_receives=3)
    ports.start(VIDEO)
    with pytest.raises(GiveUp):
        ports.start(OTHER, Attempt(receive_count=3))
    other = ports.store.video_of(OTHER.key)
    assert other.status == "FAILED" and "no fallback slot" in other.status_message


def test_zero_means_no_bound_on_fallback_executions() -> None:
    ports = FallbackPorts(detection_mode="fallback", max_concurrent_fallbacks=0)
    assert ports.start(VIDEO) == "fallback" and ports.start(OTHER) == "fallback"
    assert ports.fallback_slots.holders == {}


def test_a_failed_rekognition_job_without_a_fallback_slot_stays_in_progress_until_one_frees() -> None:
    ports = FallbackPorts(detection_mode="rekognition-with-fallback")
    ports.fallback_slots.acquire("someone-else", 1, time.time(), 3600)
    ports.rekognition.starts = ["job-1"]
    assert ports.start() == "started"
    ports.rekognition.pages["job-1"] = {None: failed_page()}
    with pytest.raises(FallbackBusy):
        ports.collect("job-1", "FAILED")
    job = ports.store.get_job("job-1")
    assert job is not None and not job.terminal  # the redelivered completion (or the sweeper) comes back
    assert ports.store.video_of(VIDEO.key).status == "IN_PROGRESS" and ports.launcher.launches == {}

    ports.fallback_slots.release("someone-else")
    assert ports.collect("job-1", "FAILED") == ("fallback", 0)
    assert ports.fallback_slots.holders.keys() == {FIRST_JOB}


def failed_while_fallback_slots_are_full(lease_seconds: int) -> FallbackPorts:
    """job-1 started at hour 0 and Rekognition failed it, its completion lost; someone else holds the one
    fallback slot for ``lease_seconds``."""
    ports = FallbackPorts(detection_mode="rekognition-with-fallback")
    ports.store.now = iso(at(0))
    ports.rekognition.starts = ["job-1"]
    ports.start()
    ports.rekognition.pages["job-1"] = {None: failed_page()}
    assert ports.fallback_slots is not None
    ports.fallback_slots.acquire("someone-else", 1, time.time(), lease_seconds)
    return ports


def test_the_sweeper_waits_for_a_fallback_slot_for_a_failed_job_whose_completion_was_lost() -> None:
    ports = failed_while_fallback_slots_are_full(3600)
    assert ports.sweep(1) == {"waiting-fallback-slot": 1}
    ports.fallback_slots.release("someone-else")
    assert ports.sweep(2) == {"collected-fallback": 1}
    assert ports.launcher.launches.keys() == {FIRST_JOB}


def test_an_execution_that_timed_out_frees_its_fallback_slot_through_the_sweeper() -> None:
    ports = FallbackPorts(detection_mode="fallback")
    ports.store.now = iso(at(0))
    ports.start()
    ports.launcher.states[FIRST_JOB] = ExecutionState("TIMED_OUT", "States.Timeout", "")
    assert ports.sweep(1) == {"failed-execution-timed_out": 1}
    assert ports.fallback_slots.holders == {}


def test_an_execution_status_change_event_frees_the_fallback_slot() -> None:
    ports = FallbackPorts(detection_mode="fallback")
    ports.start()
    outcome = execution_ended(FIRST_JOB, "ABORTED", "", "", store=ports.store, fallback_slots=ports.fallback_slots)
    assert outcome == "failed-execution-aborted" and ports.fallback_slots.holders == {}


def test_a_stale_fallback_lease_is_reclaimed_after_the_lease() -> None:
    ports = FallbackPorts(detection_mode="fallback")
    ports.fallback_slots.acquire("lost-execution", 1, 0, ports.settings.job_lease_seconds)
    assert ports.start() == "fallback"  # time.time() is long after the lease started at epoch 0
    assert ports.fallback_slots.holders.keys() == {FIRST_JOB}


def test_a_recorded_but_never_launched_fallback_is_relaunched_only_with_a_slot() -> None:
    ports = FallbackPorts(detection_mode="fallback")
    ports.store.now = iso(at(0))
    ports.start()
    ports.launcher.launches.clear()  # the execution expired from history: the sweeper relaunches it
    ports.fallback_slots.holders.clear()
    ports.fallback_slots.acquire("someone-else", 1, time.time(), 3600)
    assert ports.sweep(1) == {"waiting-fallback-slot": 1}
    assert ports.launcher.launches == {}
    ports.fallback_slots.release("someone-else")
    assert ports.sweep(2) == {"relaunched": 1}
    assert ports.fallback_slots.holders.keys() == {FIRST_JOB}


def test_a_failed_job_still_waiting_for_a_fallback_slot_at_the_deadline_is_failed_with_the_reason() -> None:
    ports = failed_while_fallback_slots_are_full(10**6)  # never released
    assert ports.sweep(11) == {"waiting-fallback-slot": 1}
    assert ports.sweep(12.1) == {"failed-fallback-deadline": 1}
    video = ports.store.video_of(VIDEO.key)
    assert video.status == "FAILED" and "no fallback slot came free within 12 h" in video.status_message
    assert ports.slots.holders == {} and ports.launcher.launches == {}
    assert ports.sweep(13) == {}  # final: nothing left to sweep
