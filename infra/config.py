"""Typed deployment settings read once from CDK context and validated at synth time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

DETECTION_MODES = ("rekognition", "fallback", "rekognition-with-fallback")
API_AUTH_MODES = ("iam", "apiKey", "cognito")
SEGMENT_TYPES = ("TECHNICAL_CUE", "SHOT")


CONTEXT_KEYS = (
    "videoSuffixes",
    "videoPrefix",
    "segmentTypes",
    "shotMinConfidence",
    "technicalCueMinConfidence",
    "blackFrameMaxPixelThreshold",
    "blackFrameMinCoveragePercentage",
    "maxConcurrentJobs",
    "startMaxReceives",
    "detectionMode",
    "throttleFallbackSeconds",
    "apiAuth",
    "cognitoUserPoolArn",
    "apiThrottleRate",
    "apiThrottleBurst",
    "fallbackMemoryMb",
    "fallbackTimeoutMinutes",
    "fallbackEphemeralMb",
    "fallbackArm64",
    "fallbackMapConcurrency",
    "chunkSeconds",
    "logRetentionDays",
    "retainData",
    "powertoolsLayerVersion",
    "alarmEmail",
)


class ConfigError(ValueError):
    """A context value is missing, malformed or out of its documented range."""


@dataclass(frozen=True)
class Settings:
    """Every knob of the deployment; defaults follow Rekognition's documented defaults."""

    video_suffixes: tuple[str, ...] = ("mp4", "mov", "m4v", "mkv", "webm")
    video_prefix: str = ""
    segment_types: tuple[str, ...] = ("TECHNICAL_CUE", "SHOT")
    shot_min_confidence: float = 50.0  # percent, Rekognition range 50-100, default 50
    technical_cue_min_confidence: float = 50.0  # percent, same range and default
    black_frame_max_pixel_threshold: float = 0.2  # fraction of the colour range, 0-1
    black_frame_min_coverage_percentage: float = 99.0  # percent of pixels, 0-100
    max_concurrent_jobs: int = 20  # Rekognition's default concurrent stored-video jobs quota
    start_max_receives: int = 40  # ingest deliveries before the DLQ (with backoff: about 8 hours)
    detection_mode: str = "rekognition-with-fallback"
    throttle_fallback_seconds: int = 3600
    api_auth: str = "iam"
    cognito_user_pool_arn: str = ""
    api_throttle_rate: float = 50.0  # requests per second
    api_throttle_burst: int = 100
    fallback_memory_mb: int = 3538  # 2 vCPUs: the thread count the throughput was measured with
    fallback_timeout_minutes: int = 15
    fallback_ephemeral_mb: int = 2048
    fallback_arm64: bool = False
    fallback_map_concurrency: int = 10
    chunk_seconds: int = 1200
    log_retention_days: int = 90
    retain_data: bool = True
    powertools_layer_version: int = 27
    alarm_email: str = ""

    @property
    def filters(self) -> dict[str, Any]:
        """StartSegmentDetection ``Filters`` for the configured thresholds."""
        filters: dict[str, Any] = {}
        if "SHOT" in self.segment_types:
            filters["ShotFilter"] = {"MinSegmentConfidence": self.shot_min_confidence}
        if "TECHNICAL_CUE" in self.segment_types:
            filters["TechnicalCueFilter"] = {
                "MinSegmentConfidence": self.technical_cue_min_confidence,
                "BlackFrame": {
                    "MaxPixelThreshold": self.black_frame_max_pixel_threshold,
                    "MinCoveragePercentage": self.black_frame_min_coverage_percentage,
                },
            }
        return filters

    @property
    def uses_fallback(self) -> bool:
        """True when the container fallback is deployed (any mode but ``rekognition``)."""
        return self.detection_mode != "rekognition"


def _get(ctx: dict[str, Any], name: str, default: Any) -> Any:
    value = ctx.get(name)
    return default if value is None else value


def _number(ctx: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    raw = _get(ctx, name, default)
    try:
        value = float(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"context '{name}' must be a number, got {raw!r}") from exc
    if not low <= value <= high:
        raise ConfigError(f"context '{name}' must be between {low:g} and {high:g}, got {value:g}")
    return value


def _integer(ctx: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = _number(ctx, name, default, low, high)
    if value != int(value):
        raise ConfigError(f"context '{name}' must be a whole number, got {value:g}")
    return int(value)


def _list(ctx: dict[str, Any], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = _get(ctx, name, default)
    if isinstance(raw, str):
        raw = json.loads(raw) if raw.strip().startswith("[") else raw.split(",")
    return tuple(str(item).strip() for item in raw if str(item).strip())


def _choice(ctx: dict[str, Any], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = str(_get(ctx, name, default))
    if value not in allowed:
        raise ConfigError(f"context '{name}' must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _flag(ctx: dict[str, Any], name: str, default: bool) -> bool:
    raw = _get(ctx, name, default)
    if isinstance(raw, bool):
        return raw
    if str(raw).lower() in ("true", "1", "yes"):
        return True
    if str(raw).lower() in ("false", "0", "no"):
        return False
    raise ConfigError(f"context '{name}' must be true or false, got {raw!r}")


def load_settings(ctx: dict[str, Any]) -> Settings:
    """Validate CDK context values (from cdk.json or ``-c key=value``) into Settings."""
    suffixes = tuple(s.lower().lstrip(".") for s in _list(ctx, "videoSuffixes", Settings.video_suffixes))
    if not suffixes:
        raise ConfigError("context 'videoSuffixes' must name at least one suffix")
    segment_types = _list(ctx, "segmentTypes", Settings.segment_types)
    if (
        not segment_types
        or any(t not in SEGMENT_TYPES for t in segment_types)
        or len(set(segment_types)) != len(segment_types)
    ):
        raise ConfigError(f"context 'segmentTypes' must be a non-empty subset of {SEGMENT_TYPES}, got {segment_types}")
    api_auth = _choice(ctx, "apiAuth", Settings.api_auth, API_AUTH_MODES)
    pool_arn = str(_get(ctx, "cognitoUserPoolArn", ""))
    if api_auth == "cognito" and not pool_arn.startswith("arn:"):
        raise ConfigError("context 'apiAuth=cognito' needs 'cognitoUserPoolArn' (an existing user pool ARN)")
    fallback_timeout = _integer(ctx, "fallbackTimeoutMinutes", Settings.fallback_timeout_minutes, 1, 15)
    chunk_seconds = _integer(ctx, "chunkSeconds", Settings.chunk_seconds, 10, 24 * 3600)
    return Settings(
        video_suffixes=suffixes,
        video_prefix=str(_get(ctx, "videoPrefix", "")),
        segment_types=segment_types,
        shot_min_confidence=_number(ctx, "shotMinConfidence", 50.0, 50.0, 100.0),
        technical_cue_min_confidence=_number(ctx, "technicalCueMinConfidence", 50.0, 50.0, 100.0),
        black_frame_max_pixel_threshold=_number(ctx, "blackFrameMaxPixelThreshold", 0.2, 0.0, 1.0),
        black_frame_min_coverage_percentage=_number(ctx, "blackFrameMinCoveragePercentage", 99.0, 0.0, 100.0),
        max_concurrent_jobs=_integer(ctx, "maxConcurrentJobs", 20, 2, 1000),
        start_max_receives=_integer(ctx, "startMaxReceives", 40, 2, 1000),
        detection_mode=_choice(ctx, "detectionMode", Settings.detection_mode, DETECTION_MODES),
        throttle_fallback_seconds=_integer(ctx, "throttleFallbackSeconds", 3600, 0, 14 * 24 * 3600),
        api_auth=api_auth,
        cognito_user_pool_arn=pool_arn,
        api_throttle_rate=_number(ctx, "apiThrottleRate", 50.0, 1.0, 10000.0),
        api_throttle_burst=_integer(ctx, "apiThrottleBurst", 100, 1, 5000),
        fallback_memory_mb=_integer(ctx, "fallbackMemoryMb", Settings.fallback_memory_mb, 1769, 10240),
        fallback_timeout_minutes=fallback_timeout,
        fallback_ephemeral_mb=_integer(ctx, "fallbackEphemeralMb", Settings.fallback_ephemeral_mb, 512, 10240),
        fallback_arm64=_flag(ctx, "fallbackArm64", False),
        fallback_map_concurrency=_integer(ctx, "fallbackMapConcurrency", 10, 1, 1000),
        chunk_seconds=chunk_seconds,
        log_retention_days=_integer(ctx, "logRetentionDays", 90, 1, 3653),
        retain_data=_flag(ctx, "retainData", True),
        powertools_layer_version=_integer(ctx, "powertoolsLayerVersion", Settings.powertools_layer_version, 1, 10000),
        alarm_email=str(_get(ctx, "alarmEmail", "")),
    )
