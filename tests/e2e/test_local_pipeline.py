"""End to end in local mode: upload with boto3 → emulated Rekognition → collector → read API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local_mode.stack import BUCKET
from segments.domain.keys import video_id_for_key
from tests.e2e.conftest import Running

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
FIELDS = {"Type", "StartTimestampMillis", "EndTimestampMillis", "DurationMillis", "StartTimecodeSMPTE",
          "EndTimecodeSMPTE", "DurationSMPTE", "StartFrameNumber", "EndFrameNumber", "DurationFrames"}  # fmt: skip


def upload(local: Running, path: Path, key: str | None = None) -> str:
    key = key or path.name
    local.stack.client("s3").upload_file(str(path), BUCKET, key)
    return video_id_for_key(key)


def finished(local: Running, video_id: str) -> dict[str, Any] | None:
    status, body = local.get(f"/videos/{video_id}")
    return body if status == 200 and body["JobStatus"] in ("SUCCEEDED", "FAILED") else None


def test_upload_is_detected_and_served_in_the_reference_shape(local: Running, e2e_clips: dict[str, Path]) -> None:
    video_id = upload(local, e2e_clips["three_shots"])
    local.wait_for(lambda: finished(local, video_id) is not None)
    status, body = local.get(f"/videos/{video_id}/segments")
    assert status == 200 and body["JobStatus"] == "SUCCEEDED"
    shots = [s for s in body["Segments"] if s["Type"] == "SHOT"]
    assert [s["StartFrameNumber"] for s in shots] == [0, 50, 100]  # ground truth, exact
    assert all(set(s) >= FIELDS for s in body["Segments"])
    kinds = [s["Type"] for s in body["Segments"]]
    assert kinds == sorted(kinds, key=["TECHNICAL_CUE", "SHOT"].index)
    bars = [s for s in body["Segments"] if s.get("TechnicalCueSegment", {}).get("Type") == "ColorBars"]
    assert bars and abs(bars[0]["StartFrameNumber"] - 100) <= 2
    assert body["VideoMetadata"][0]["FrameRate"] == 25.0


def test_same_object_twice_and_duplicate_events_make_one_job(local: Running, e2e_clips: dict[str, Path]) -> None:
    video_id = upload(local, e2e_clips["tiny0"], "dup.mp4")
    local.wait_for(lambda: finished(local, video_id) is not None)
    _, first = local.get(f"/videos/{video_id}")
    upload(local, e2e_clips["tiny0"], "dup.mp4")  # same bytes again: a new S3 version, an identical event
    local.wait_for(lambda: local.stats()["running"] == 0)
    _, again = local.get(f"/videos/{video_id}")
    assert again["jobId"] == first["jobId"]
    _, segments = local.get(f"/videos/{video_id}/segments")
    starts = [(s["Type"], s["StartFrameNumber"]) for s in segments["Segments"]]
    assert len(starts) == len(set(starts))


@pytest.mark.parametrize("name", ["corrupt", "text"])
def test_unreadable_uploads_fail_with_a_clear_message_and_the_stack_keeps_serving(
    local: Running, e2e_clips: dict[str, Path], name: str
) -> None:
    video_id = upload(local, e2e_clips[name], f"bad-{name}.mp4")
    local.wait_for(lambda: finished(local, video_id) is not None)
    _, body = local.get(f"/videos/{video_id}/segments")
    assert body["JobStatus"] == "FAILED" and body["Segments"] == []
    assert "video" in body["StatusMessage"].lower()
    status, _ = local.get("/videos")
    assert status == 200


def test_twenty_uploads_with_a_quota_of_five_all_finish_once(local: Running, e2e_clips: dict[str, Path]) -> None:
    ids = [upload(local, e2e_clips[f"tiny{i}"], f"burst/{i:02d}.mp4") for i in range(20)]
    local.wait_for(lambda: all(finished(local, v) for v in ids), timeout=240)
    assert all(finished(local, v)["JobStatus"] == "SUCCEEDED" for v in ids)  # type: ignore[index]
    jobs = {finished(local, v)["jobId"] for v in ids}  # type: ignore[index]
    assert len(jobs) == 20
    assert local.stats()["maxRunningJobs"] <= 5


def test_results_survive_a_restart(local: Running, e2e_clips: dict[str, Path]) -> None:
    video_id = upload(local, e2e_clips["tiny1"], "keep.mp4")
    local.wait_for(lambda: finished(local, video_id) is not None)
    _, before = local.get(f"/videos/{video_id}/segments")
    local.restart()
    status, after = local.get(f"/videos/{video_id}/segments")
    assert status == 200 and after == before
    head = local.stack.client("s3").head_object(Bucket=BUCKET, Key="keep.mp4")
    assert head["ContentLength"] == e2e_clips["tiny1"].stat().st_size


def test_an_upper_case_suffix_is_processed_like_any_video(local: Running, e2e_clips: dict[str, Path]) -> None:
    video_id = upload(local, e2e_clips["tiny2"], "SHOUTING.MP4")
    local.wait_for(lambda: finished(local, video_id) is not None)
    _, body = local.get(f"/videos/{video_id}")
    assert body["JobStatus"] == "SUCCEEDED"


def test_a_stop_in_the_middle_of_jobs_loses_nothing(local: Running, e2e_clips: dict[str, Path]) -> None:
    ids = [upload(local, e2e_clips[f"tiny{i}"], f"midway/{i}.mp4") for i in range(8)]
    local.restart()  # uploads queued, jobs running or waiting for a slot
    local.wait_for(lambda: all(finished(local, v) is not None for v in ids), timeout=240)
    assert {finished(local, v)["JobStatus"] for v in ids} == {"SUCCEEDED"}  # type: ignore[index]
    from segments.adapters.job_slots import DynamoJobSlots

    local.wait_for(lambda: DynamoJobSlots("segments").held() == {})  # no slot leaked across the restart


def test_a_reupload_of_other_bytes_to_the_same_key_serves_the_new_results(
    local: Running, e2e_clips: dict[str, Path]
) -> None:
    video_id = upload(local, e2e_clips["tiny2"], "same-key.mp4")
    local.wait_for(lambda: finished(local, video_id) is not None)
    first_job = finished(local, video_id)["jobId"]  # type: ignore[index]
    upload(local, e2e_clips["three_shots"], "same-key.mp4")
    local.wait_for(lambda: (finished(local, video_id) or {}).get("jobId") not in (None, first_job))
    _, page = local.get(f"/videos/{video_id}/segments?type=SHOT")
    assert len(page["Segments"]) == 3  # the new file's three shots, not the old file's one


def test_a_deleted_object_is_no_longer_listed_as_succeeded(local: Running, e2e_clips: dict[str, Path]) -> None:
    video_id = upload(local, e2e_clips["tiny3"], "gone.mp4")
    local.wait_for(lambda: finished(local, video_id) is not None)
    local.stack.client("s3").delete_object(Bucket=BUCKET, Key="gone.mp4")
    local.wait_for(lambda: local.get(f"/videos/{video_id}")[1].get("status") == "DELETED")
    _, listed = local.get("/videos?status=SUCCEEDED&maxResults=100")
    assert video_id not in {v["videoId"] for v in listed["Videos"]}
