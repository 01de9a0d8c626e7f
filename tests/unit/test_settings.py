"""Runtime settings: defaults, and a clear error naming the bad variable."""

from __future__ import annotations

import pytest

from segments.settings import parse_settings


def test_defaults_bound_jobs_by_rekognitions_default_quota() -> None:
    settings = parse_settings({"TABLE_NAME": "t"})
    assert settings.max_concurrent_jobs == 20 and settings.job_lease_seconds == 12 * 3600
    assert settings.detection_mode == "rekognition-with-fallback"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "TABLE_NAME"),
        ({"TABLE_NAME": "t", "MAX_CONCURRENT_JOBS": "twenty"}, "MAX_CONCURRENT_JOBS must be an integer"),
        ({"TABLE_NAME": "t", "MAX_CONCURRENT_JOBS": "-1"}, "MAX_CONCURRENT_JOBS must be at least 0"),
        ({"TABLE_NAME": "t", "JOB_LEASE_SECONDS": "5"}, "JOB_LEASE_SECONDS must be at least 60"),
        ({"TABLE_NAME": "t", "DETECTION_MODE": "both"}, "DETECTION_MODE"),
        ({"TABLE_NAME": "t", "FILTERS": "{"}, "FILTERS must be JSON"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        parse_settings(env)
