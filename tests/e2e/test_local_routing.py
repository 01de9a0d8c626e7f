"""Local mode routes like an account: what Rekognition cannot read goes to the fallback without an emulator job."""

from __future__ import annotations

from pathlib import Path

import pytest

from local_mode.stack import BUCKET
from segments.domain.keys import video_id_for_key
from tests.detector.conftest import make_clip
from tests.e2e.conftest import Running
from tests.e2e.test_local_pipeline import finished

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_an_mkv_upload_succeeds_through_the_fallback_without_a_rekognition_job(local: Running, tmp_path: Path) -> None:
    # shots start at frames 0 and 25
    clip = make_clip(
        tmp_path / "two shots.mkv",
        "testsrc2=s=160x90:r=25:d=1[a];smptebars=s=160x90:r=25:d=1[b];[a][b]concat=n=2",
    )
    local.stack.client("s3").upload_file(str(clip), BUCKET, "routing/two shots.mkv")
    video_id = video_id_for_key("routing/two shots.mkv")
    local.wait_for(lambda: finished(local, video_id) is not None)
    _, body = local.get(f"/videos/{video_id}")
    assert body["JobStatus"] == "SUCCEEDED" and body["source"] == "fallback"
    _, page = local.get(f"/videos/{video_id}/segments?type=SHOT")
    assert [s["StartFrameNumber"] for s in page["Segments"]] == [0, 25]
    emulated = [j for j in local.stack.emulator.jobs.values() if j["Video"]["Name"].endswith(".mkv")]
    assert emulated == []  # the emulated Rekognition never saw it, so it held no job slot
    # The viewer's thumbnails follow the fallback's results too, as the table stream does in an account.
    local.wait_for(lambda: local.get(f"/videos/{video_id}/thumbnails")[1]["Status"] != "PENDING")
    _, thumbnails = local.get(f"/videos/{video_id}/thumbnails")
    assert thumbnails["Status"] == "SUCCEEDED" and len(thumbnails["Thumbnails"]) == 2
