"""Local mode hands its handlers the environments the settings module produces, as a deployment does."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_mode.stack import LocalConfig, LocalPipeline
from segments.settings import ApiSettings, Settings, api_settings, settings


@pytest.fixture
def restored_environment() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_local_handlers_read_the_settings_local_mode_declares(tmp_path: Path, restored_environment: None) -> None:
    pipeline = LocalPipeline(LocalConfig(data_dir=tmp_path, max_jobs=3))
    tmp_path.mkdir(exist_ok=True)
    pipeline.export_environment()
    assert settings() == pipeline.pipeline_settings()
    assert settings().max_concurrent_jobs == 3 and settings().detection_mode == "rekognition-with-fallback"
    assert api_settings().pagination_secret == (tmp_path / "pagination-secret").read_text().strip()
    assert Settings.from_environment(os.environ).environment().items() <= os.environ.items()
    assert ApiSettings.from_environment(os.environ).environment().items() <= os.environ.items()
