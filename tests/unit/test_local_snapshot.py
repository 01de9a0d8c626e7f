"""Local mode's snapshot loop: a failed snapshot is retried, never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from local_mode.stack import LocalConfig, LocalPipeline


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
