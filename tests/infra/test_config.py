"""Context validation happens at synth time, with messages that name the setting."""

from __future__ import annotations

import pytest

from infra.config import ConfigError, load_settings


def test_defaults_follow_rekognition_defaults() -> None:
    settings = load_settings({})
    assert settings.filters == {
        "ShotFilter": {"MinSegmentConfidence": 50.0},
        "TechnicalCueFilter": {
            "MinSegmentConfidence": 50.0,
            "BlackFrame": {"MaxPixelThreshold": 0.2, "MinCoveragePercentage": 99.0},
        },
    }
    assert settings.video_suffixes == ("mp4", "mov", "m4v", "mkv", "webm")
    assert settings.detection_mode == "rekognition-with-fallback"
    assert settings.max_concurrent_jobs == 20


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"shotMinConfidence": 49}, "shotMinConfidence"),
        ({"technicalCueMinConfidence": 101}, "technicalCueMinConfidence"),
        ({"blackFrameMaxPixelThreshold": 1.5}, "blackFrameMaxPixelThreshold"),
        ({"blackFrameMinCoveragePercentage": -1}, "blackFrameMinCoveragePercentage"),
        ({"segmentTypes": ["SHOT", "FACES"]}, "segmentTypes"),
        ({"detectionMode": "magic"}, "detectionMode"),
        ({"apiAuth": "cognito"}, "cognitoUserPoolArn"),
        ({"maxConcurrentJobs": "many"}, "maxConcurrentJobs"),
        ({"fallbackTimeoutMinutes": 16}, "fallbackTimeoutMinutes"),
    ],
)
def test_out_of_range_context_fails_synth_with_the_setting_named(context: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(context)


def test_shot_only_deployment_sends_only_the_shot_filter() -> None:
    settings = load_settings({"segmentTypes": "SHOT", "shotMinConfidence": "80"})
    assert settings.filters == {"ShotFilter": {"MinSegmentConfidence": 80.0}}


def test_suffixes_accept_a_comma_list_with_dots_and_case() -> None:
    assert load_settings({"videoSuffixes": ".MP4, mov"}).video_suffixes == ("mp4", "mov")
