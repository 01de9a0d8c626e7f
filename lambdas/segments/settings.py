"""Environment variables → typed settings, parsed once per Lambda container."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

from segments.domain.model import DEFAULT_SEGMENT_TYPES

DETECTION_MODES = ("rekognition", "fallback", "rekognition-with-fallback")


@dataclass(frozen=True)
class Settings:
    """Runtime settings shared by the handlers; every field has the deployment's default."""

    table_name: str
    topic_arn: str = ""
    rekognition_role_arn: str = ""
    segment_types: tuple[str, ...] = DEFAULT_SEGMENT_TYPES
    filters: dict[str, Any] = field(default_factory=dict)
    video_suffixes: tuple[str, ...] = ("mp4", "mov", "m4v", "mkv", "webm")
    video_prefix: str = ""
    detection_mode: str = "rekognition-with-fallback"
    fallback_state_machine_arn: str = ""
    throttle_fallback_seconds: int = 3600
    max_receives: int = 40
    backoff_base_seconds: int = 30
    max_concurrent_jobs: int = 20  # Rekognition job slots this pipeline may hold; 0 = no bound of our own
    job_lease_seconds: int = 12 * 3600  # a slot whose completion never came is reclaimed after this

    @property
    def fallback_enabled(self) -> bool:
        """True when the fallback may run (any mode but ``rekognition``, with a state machine)."""
        return self.detection_mode != "rekognition"


# Integer environment variables: (variable, Settings field that holds its default, lowest allowed).
INTEGER_VARIABLES = (
    ("THROTTLE_FALLBACK_SECONDS", "throttle_fallback_seconds", 0),
    ("MAX_RECEIVES", "max_receives", 1),
    ("START_BACKOFF_SECONDS", "backoff_base_seconds", 1),
    ("MAX_CONCURRENT_JOBS", "max_concurrent_jobs", 0),
    ("JOB_LEASE_SECONDS", "job_lease_seconds", 60),
)


def parse_settings(env: dict[str, str]) -> Settings:
    """Parse settings from an environment mapping; raises ValueError naming the bad variable."""
    if not env.get("TABLE_NAME"):
        raise ValueError("TABLE_NAME is required")
    mode = env.get("DETECTION_MODE", "rekognition-with-fallback")
    if mode not in DETECTION_MODES:
        raise ValueError(f"DETECTION_MODE must be one of {DETECTION_MODES}, got {mode!r}")
    try:
        segment_types = tuple(json.loads(env.get("SEGMENT_TYPES") or json.dumps(list(DEFAULT_SEGMENT_TYPES))))
        filters = json.loads(env.get("FILTERS") or "{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"SEGMENT_TYPES and FILTERS must be JSON: {exc}") from exc
    suffixes = tuple(
        s.strip().lower().lstrip(".") for s in env.get("VIDEO_SUFFIXES", "mp4,mov,m4v,mkv,webm").split(",") if s.strip()
    )
    defaults = {f.name: f.default for f in fields(Settings)}
    numbers: dict[str, int] = {}
    for name, attribute, lowest in INTEGER_VARIABLES:
        raw = env.get(name, str(defaults[attribute]))
        try:
            numbers[attribute] = int(raw)
        except ValueError:
            raise ValueError(f"{name} must be an integer, got {raw!r}") from None
        if numbers[attribute] < lowest:
            raise ValueError(f"{name} must be at least {lowest}, got {numbers[attribute]}")
    return Settings(
        table_name=env["TABLE_NAME"],
        topic_arn=env.get("TOPIC_ARN", ""),
        rekognition_role_arn=env.get("REKOGNITION_ROLE_ARN", ""),
        segment_types=segment_types,
        filters=filters,
        video_suffixes=suffixes,
        video_prefix=env.get("VIDEO_PREFIX", ""),
        detection_mode=mode,
        fallback_state_machine_arn=env.get("FALLBACK_STATE_MACHINE_ARN", ""),
        **numbers,
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Settings of this process, read from ``os.environ`` once."""
    return parse_settings(dict(os.environ))
