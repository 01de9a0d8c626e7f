"""The sweeper settles every overdue video: lost completions, dead executions, stuck engines, lost uploads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from segments.domain.errors import JobNotFound
from segments.domain.records import ExecutionState
from segments.orchestration import RetryLater
from segments.sweeping import execution_ended, iso
from tests.support import rekognition as rk
from tests.unit.test_orchestration import TOKEN, VIDEO, Ports, failed_page

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def run_sweep(ports: Ports, now: datetime) -> dict[str, int]:
    return ports.sweep_at(now)


def started(ports: Ports, job_id: str = "job-1") -> None:
    ports.store.now = iso(T0)
    ports.rekognition.starts = [job_id]
    ports.start()


def test_a_lost_completion_is_collected_by_the_sweeper() -> None:
    ports = Ports()
    started(ports)
    ports.rekognition.job_pages("job-1", [rk.page(rk.shots(4))])
    assert run_sweep(ports, at(0.1)) == {}  # not overdue yet: nobody is asked
    assert run_sweep(ports, at(1)) == {"collected-succeeded": 1}
    assert ports.store.video_of(VIDEO.key).status == "SUCCEEDED"
    assert len(ports.store.segments["job-1"]) == 4 and ports.slots.holders == {}


def test_a_rekognition_job_that_never_finishes_fails_at_its_deadline_and_frees_its_slot() -> None:
    ports = Ports()
    started(ports)
    ports.rekognition.job_pages("job-1", [rk.page([], status="IN_PROGRESS")])
    assert run_sweep(ports, at(1)) == {"still-running": 1}
    assert ports.slots.holders.keys() == {TOKEN}
    assert run_sweep(ports, at(12.1)) == {"failed-deadline": 1}
    video = ports.store.video_of(VIDEO.key)
    assert video.status == "FAILED" and "12 h" in video.status_message
    assert ports.slots.holders == {}


def test_a_job_rekognition_does_not_know_is_failed() -> None:
    ports = Ports()
    started(ports)
    ports.rekognition.pages["job-1"] = {None: JobNotFound("no such job")}
    assert run_sweep(ports, at(1)) == {"failed-unknown-job": 1}
    assert ports.store.video_of(VIDEO.key).status == "FAILED" and ports.slots.holders == {}


def test_a_lost_failed_completion_still_routes_to_the_fallback() -> None:
    ports = Ports(detection_mode="rekognition-with-fallback")
    started(ports)
    ports.rekognition.job_pages("job-1", [failed_page()])
    assert run_sweep(ports, at(1)) == {"collected-fallback": 1}
    assert ports.store.video_of(VIDEO.key).source == "fallback" and len(ports.launcher.launches) == 1


def test_a_timed_out_fallback_execution_fails_the_video_with_the_reason() -> None:
    ports = Ports(detection_mode="fallback")
    ports.store.now = iso(T0)
    ports.start()
    (job_id,) = ports.launcher.launches
    assert run_sweep(ports, at(1)) == {"still-running": 1}
    ports.launcher.states[job_id] = ExecutionState("TIMED_OUT", "States.Timeout", "")
    assert run_sweep(ports, at(2)) == {"failed-execution-timed_out": 1}
    video = ports.store.video_of(VIDEO.key)
    assert video.status == "FAILED" and "TIMED_OUT" in video.status_message


def test_a_recorded_fallback_that_was_never_launched_is_launched() -> None:
    ports = Ports(detection_mode="fallback")
    ports.store.now = iso(T0)
    ports.start()
    ports.launcher.launches.clear()  # the execution is gone (never started, or expired from history)
    assert run_sweep(ports, at(1)) == {"relaunched": 1}
    assert len(ports.launcher.launches) == 1


def test_a_finished_job_whose_video_missed_the_update_is_settled() -> None:
    ports = Ports()
    started(ports)
    # The job write landed, the process died before the video write.
    ports.store.jobs["job-1"] = replace(ports.store.jobs["job-1"], status="SUCCEEDED")
    assert run_sweep(ports, at(1)) == {"video-settled": 1}
    assert ports.store.video_of(VIDEO.key).status == "SUCCEEDED"


def test_an_upload_queued_past_every_retry_is_failed_with_how_to_retry() -> None:
    ports = Ports()
    ports.slots.holders = {"a": 9e12, "b": 9e12}
    ports.store.now = iso(T0)
    with pytest.raises(RetryLater):
        ports.start()
    assert run_sweep(ports, at(2)) == {"still-queued": 1}
    assert run_sweep(ports, at(9.5)) == {"failed-queued": 1}
    video = ports.store.video_of(VIDEO.key)
    assert video.status == "FAILED" and "re-upload" in video.status_message


def test_an_aborted_execution_event_fails_its_job_once() -> None:
    ports = Ports(detection_mode="fallback")
    ports.start()
    (job_id,) = ports.launcher.launches
    assert execution_ended(job_id, "ABORTED", "", "", store=ports.store) == "failed-execution-aborted"
    assert execution_ended(job_id, "ABORTED", "", "", store=ports.store) == "already-final"
    assert ports.store.video_of(VIDEO.key).status == "FAILED"
