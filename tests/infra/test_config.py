"""Context validation happens at synth time, with messages that name the setting; each knob is declared once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from infra.config import CONTEXT_KEYS, ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


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
        ({"segmentTypes": "SHOT,SHOT"}, "segmentTypes"),
        ({"detectionMode": "magic"}, "detectionMode"),
        ({"apiAuth": "cognito"}, "cognitoUserPoolArn"),
        ({"apiAuth": "cognito", "cognitoUserPoolArn": "arn:aws:cognito-idp:us-east-1:1:userpool/p"}, "cognitoScopes"),
        ({"maxConcurrentJobs": "many"}, "maxConcurrentJobs"),
        ({"fallbackTimeoutMinutes": 16}, "fallbackTimeoutMinutes"),
        ({"retainData": "maybe"}, "retainData"),
        ({"videoSuffixes": "."}, "videoSuffixes"),
    ],
)
def test_out_of_range_context_fails_synth_with_the_setting_named(context: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(context)


def test_a_range_error_states_the_range() -> None:
    with pytest.raises(ConfigError, match="'shotMinConfidence' must be between 50 and 100, got 10"):
        load_settings({"shotMinConfidence": 10})


def test_shot_only_deployment_sends_only_the_shot_filter() -> None:
    settings = load_settings({"segmentTypes": "SHOT", "shotMinConfidence": "80"})
    assert settings.filters == {"ShotFilter": {"MinSegmentConfidence": 80.0}}


def test_suffixes_accept_a_comma_list_with_dots_case_and_duplicates() -> None:
    assert load_settings({"videoSuffixes": ".MP4, mov, mp4, Mp4"}).video_suffixes == ("mp4", "mov")


def test_every_knob_has_a_default_and_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description"
        assert not field.is_required(), f"{name} has no default"


def test_cdk_json_repeats_no_default_and_names_no_unknown_knob() -> None:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    settings = {key for key in context if not key.startswith("@")}
    assert settings <= set(CONTEXT_KEYS)
    defaults = load_settings({})
    assert [key for key in settings if load_settings({key: context[key]}) == defaults] == []


def test_readme_configuration_table_lists_every_knob_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {key: line for line in section.splitlines() if line.startswith("|") for key in re.findall(r"`(\w+)`", line)}
    assert sorted(set(CONTEXT_KEYS) - set(rows)) == []
    for key, field in zip(CONTEXT_KEYS, Settings.model_fields.values(), strict=True):
        shown = _as_documented(field.default)
        if shown:
            assert shown in rows[key], f"README row for {key} does not show its default {shown!r}"


def _as_documented(default: object) -> str:
    if isinstance(default, tuple):
        return ",".join(default)
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, float):
        return f"{default:g}"
    return str(default)
