"""Local mode's snapshot loop: a failed snapshot is retried, never dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local_mode.stack import LocalConfig, LocalPipeline
from local_mode.state import with_search_keys
from segments.domain import keys


def test_a_failed_snapshot_is_written_at_the_next_tick(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pipeline = LocalPipeline(LocalConfig(data_dir=tmp_path))
    written: list[int] = []

    def snapshot() -> None:
        if not written:
            written.append(0)
            raise FileNotFoundError("an object was deleted while it was being copied")
        written.append(1)

    pipeline.snapshot = snapshot  # type: ignore[method-assign]
    pipeline.dirty.set()
    assert pipeline.snapshot_if_changed() is False
    assert pipeline.dirty.is_set() and "local snapshot failed" in caplog.text
    assert pipeline.snapshot_if_changed() is True
    assert written == [0, 1] and not pipeline.dirty.is_set()
    assert pipeline.snapshot_if_changed() is False and written == [0, 1]  # nothing changed: nothing written


def test_a_segment_saved_before_the_search_index_is_restored_with_its_keys() -> None:
    segment = {"Type": "SHOT", "DurationMillis": 1234, "ShotSegment": {"Index": 0, "Confidence": 99.0}}
    pk, sk = keys.job_pk("job-old"), "SEG#1#000000000000#0000000000#SHOT"
    old = {"pk": {"S": pk}, "sk": {"S": sk}, "segment": {"S": json.dumps(segment)}}
    restored = with_search_keys(old)
    assert {k: v["S"] for k, v in restored.items() if k.startswith("gsi2")} == keys.search_keys(pk, sk, segment)
    # Items already indexed, and items that are not segments, come back as they were saved.
    assert with_search_keys(restored) == restored
    video = {"pk": {"S": keys.video_pk("dmlk")}, "sk": {"S": "VIDEO"}, "status": {"S": "SUCCEEDED"}}
    assert with_search_keys(video) == video
