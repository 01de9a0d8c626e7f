"""Runtime settings: one model per function's environment, read back exactly as the constructs write it."""

from __future__ import annotations

import pytest

from segments.settings import ApiSettings, FallbackSettings, Settings, parse_settings, settings


def test_defaults_bound_jobs_by_rekognitions_default_quota() -> None:
    config = parse_settings({"TABLE_NAME": "t"})
    assert config.max_concurrent_jobs == 20 and config.job_lease_seconds == 12 * 3600
    assert config.detection_mode == "rekognition-with-fallback"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "TABLE_NAME"),
        ({"TABLE_NAME": "t", "MAX_CONCURRENT_JOBS": "twenty"}, "MAX_CONCURRENT_JOBS"),
        ({"TABLE_NAME": "t", "MAX_CONCURRENT_JOBS": "-1"}, "MAX_CONCURRENT_JOBS"),
        ({"TABLE_NAME": "t", "JOB_LEASE_SECONDS": "5"}, "JOB_LEASE_SECONDS"),
        ({"TABLE_NAME": "t", "DETECTION_MODE": "both"}, "DETECTION_MODE"),
        ({"TABLE_NAME": "t", "FILTERS": "{"}, "FILTERS"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        parse_settings(env)


@pytest.mark.parametrize(
    "model",
    [
        Settings(
            table_name="t",
            topic_arn="arn:aws:sns:us-east-1:1:topic",
            segment_types=("SHOT",),
            filters={"ShotFilter": {"MinSegmentConfidence": 80.0}},
            video_suffixes=("mp4", "mov"),
            video_prefix="incoming/",
            detection_mode="fallback",
            max_concurrent_jobs=7,
        ),
        ApiSettings(table_name="t", pagination_secret_arn="arn:aws:secretsmanager:us-east-1:1:secret:k"),
        FallbackSettings(table_name="t", bucket_name="b", chunk_seconds=60),
    ],
    ids=["pipeline", "api", "fallback"],
)
def test_a_functions_environment_reads_back_into_the_same_settings(model: Settings) -> None:
    environment = model.environment()
    assert all(isinstance(value, str) for value in environment.values())
    assert set(environment) == set(type(model).variable_names())
    assert type(model).from_environment(environment) == model


def test_suffixes_typed_by_hand_are_bare_lower_case_and_unique() -> None:
    config = parse_settings({"TABLE_NAME": "t", "VIDEO_SUFFIXES": ".MP4, mov,mp4"})
    assert config.video_suffixes == ("mp4", "mov")


def test_the_getter_revalidates_when_the_environment_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "first")
    assert settings().table_name == "first"
    assert settings() is settings()  # validated once while nothing changes
    monkeypatch.setenv("TABLE_NAME", "second")
    assert settings().table_name == "second"


def test_the_sweeper_keeps_its_documented_bounds_unless_a_variable_overrides_one() -> None:
    from segments.settings import SweepSettings
    from segments.sweeping import SweepPolicy

    assert SweepSettings().environment() == {}  # unset overrides are not written as "null"
    local = SweepSettings.from_environment(SweepSettings(sweep_overdue_seconds=20).environment())
    policy = SweepPolicy.with_overrides(
        overdue_seconds=local.sweep_overdue_seconds, queued_deadline_seconds=local.sweep_queued_deadline_seconds
    )
    assert (policy.overdue_seconds, policy.queued_deadline_seconds) == (20, SweepPolicy().queued_deadline_seconds)
    with pytest.raises(ValueError, match="SWEEP_OVERDUE_SECONDS"):
        SweepSettings.from_environment({"SWEEP_OVERDUE_SECONDS": "soon"})
