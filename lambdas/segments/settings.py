"""Every function's environment, declared once: variable names, defaults, validation and production.

Each model below is one Lambda's environment (the aws-lambda-handler-cookbook's env-vars model). A field's
variable name is its name in capitals (``table_name`` → ``TABLE_NAME``). The CDK constructs and local mode
build a model and pass ``environment()`` to the function; the handler reads it back with a getter that
validates ``os.environ`` once (and again only if one of its variables changes, as tests do).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, Generic, Literal, TypeVar

from pydantic import AliasGenerator, BaseModel, ConfigDict, Field, field_validator

from segments.domain.model import DEFAULT_SEGMENT_TYPES

DetectionMode = Literal["rekognition", "fallback", "rekognition-with-fallback"]
DEFAULT_VIDEO_SUFFIXES = ("mp4", "mov", "m4v", "mkv", "webm")
# Fallback chunk results live under this key prefix of the video bucket (lifecycle rule, grants, function).
CHUNK_RESULTS_PREFIX = "fallback-chunks/"
METRICS_NAMESPACE = "SegmentPipeline"


class FunctionEnvironment(BaseModel):
    """Base of every function's environment: frozen, built by field name, read by variable name."""

    model_config = ConfigDict(
        frozen=True,
        alias_generator=AliasGenerator(validation_alias=str.upper, serialization_alias=str.upper),
        validate_by_name=True,
        validate_by_alias=True,
        extra="ignore",
    )

    @classmethod
    def variable_names(cls) -> tuple[str, ...]:
        """The environment variables this model reads, in declaration order."""
        return tuple(name.upper() for name in cls.model_fields)

    @classmethod
    def from_environment(cls: type[M], env: Mapping[str, str]) -> M:
        """Validate ``env``; a bad or missing value raises ValueError naming the variable."""
        return cls.model_validate({name: env[name] for name in cls.variable_names() if name in env})

    def environment(self) -> dict[str, str]:
        """The Lambda environment that ``from_environment`` reads back into this model (lists as JSON)."""
        dumped = self.model_dump(mode="json", by_alias=True, exclude_none=True)  # unset overrides stay unset
        return {name: value if isinstance(value, str) else json.dumps(value) for name, value in dumped.items()}

    @field_validator("*", mode="before")
    @classmethod
    def _json_text(cls, value: Any) -> Any:
        # Lists and maps travel as JSON text; a comma list is accepted for people typing one by hand.
        if isinstance(value, str) and value.strip().startswith(("[", "{")):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"must be JSON: {exc}") from exc
        return value


M = TypeVar("M", bound=FunctionEnvironment)


def list_from_text(value: Any) -> Any:
    """A JSON list or a comma list given as text → a list of stripped items; any other value unchanged."""
    if not isinstance(value, str):
        return value
    if value.strip().startswith("["):
        return json.loads(value)
    return [part.strip() for part in value.split(",") if part.strip()]


class Settings(FunctionEnvironment):
    """The start and collect functions' environment; every field has the deployment's default."""

    table_name: str = Field(min_length=1)
    topic_arn: str = ""
    rekognition_role_arn: str = ""
    segment_types: tuple[str, ...] = DEFAULT_SEGMENT_TYPES
    filters: dict[str, Any] = Field(default_factory=dict)
    video_suffixes: tuple[str, ...] = DEFAULT_VIDEO_SUFFIXES
    video_prefix: str = ""
    detection_mode: DetectionMode = "rekognition-with-fallback"
    fallback_state_machine_arn: str = ""
    throttle_fallback_seconds: int = Field(default=3600, ge=0)
    max_receives: int = Field(default=40, ge=1)
    backoff_base_seconds: int = Field(default=30, ge=1)
    max_concurrent_jobs: int = Field(default=20, ge=0)  # Rekognition job slots this pipeline may hold; 0 = no bound
    max_concurrent_fallbacks: int = Field(default=10, ge=0)  # fallback executions running at once; 0 = no bound
    job_lease_seconds: int = Field(
        default=12 * 3600, ge=60
    )  # a slot whose completion never came is reclaimed after this

    @field_validator("segment_types", "video_suffixes", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        return list_from_text(value)

    @field_validator("video_suffixes")
    @classmethod
    def _bare_lower_suffixes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.strip().lower().lstrip(".") for s in value if s.strip()))


class SweepSettings(FunctionEnvironment):
    """The sweeper's time scale: each unset value keeps ``SweepPolicy``'s documented bound (local mode sets seconds)."""

    sweep_overdue_seconds: int | None = Field(default=None, ge=0)  # no news this long: ask the engine
    sweep_rekognition_deadline_seconds: int | None = Field(default=None, ge=1)  # then a running job is FAILED
    sweep_fallback_deadline_seconds: int | None = Field(default=None, ge=1)
    sweep_queued_deadline_seconds: int | None = Field(default=None, ge=1)


class ApiSettings(FunctionEnvironment):
    """The read API function's environment."""

    table_name: str = Field(min_length=1)
    pagination_secret_arn: str = ""
    # Local mode and tests hand the HMAC key over directly instead of a Secrets Manager ARN.
    pagination_secret: str = ""


class FallbackSettings(FunctionEnvironment):
    """The fallback container function's environment."""

    table_name: str = Field(min_length=1)
    bucket_name: str = Field(min_length=1)
    results_prefix: str = CHUNK_RESULTS_PREFIX
    chunk_seconds: int = Field(default=1200, ge=1)  # seconds of video per chunk


class ThumbnailSettings(FunctionEnvironment):
    """The thumbnail function's environment."""

    table_name: str = Field(min_length=1)
    bucket_name: str = Field(min_length=1)


MAX_UPLOAD_BYTES = 5 * 1024**3  # one presigned POST: S3's single-request limit
# Browser uploads land under <videoPrefix>uploads/, the only keys the API function may write.
UPLOAD_FOLDER = "uploads/"
# Exports too large to answer inline are written under this prefix of the videos bucket (1-day lifecycle rule,
# the API function's only other PutObject grant) and answered with a 303 to a presigned GET.
EXPORTS_PREFIX = "exports/"
# Lambda answers at most 6 MB (6,291,456 B) of JSON: leave room for the body's escapes (\n, \") and headers.
EXPORT_INLINE_BYTES = 5_000_000


class MediaSettings(FunctionEnvironment):
    """The viewer routes' part of the API function's environment."""

    bucket_name: str = ""
    video_suffixes: tuple[str, ...] = DEFAULT_VIDEO_SUFFIXES
    video_prefix: str = ""
    media_url_seconds: int = Field(default=900, ge=60, le=43200)  # lifetime of playback and thumbnail URLs
    upload_url_seconds: int = Field(default=900, ge=60, le=43200)  # lifetime of an upload form
    upload_max_bytes: int = Field(default=MAX_UPLOAD_BYTES, ge=1, le=MAX_UPLOAD_BYTES)
    export_inline_bytes: int = Field(default=EXPORT_INLINE_BYTES, ge=1, le=EXPORT_INLINE_BYTES)  # larger: 303 to S3
    export_url_seconds: int = Field(default=300, ge=60, le=43200)  # lifetime of a large export's download URL

    @field_validator("video_suffixes", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        return [str(s).strip().lower().lstrip(".") for s in list_from_text(value) if str(s).strip()]


def powertools_environment(
    service: str, *, namespace: str = METRICS_NAMESPACE, log_level: str = "INFO"
) -> dict[str, str]:
    """The Powertools variables every function carries (service name, metrics namespace, log level)."""
    return {"POWERTOOLS_SERVICE_NAME": service, "POWERTOOLS_METRICS_NAMESPACE": namespace, "LOG_LEVEL": log_level}


class EnvironmentGetter(Generic[M]):
    """``getter()`` → the model parsed from ``os.environ``, validated once per distinct set of its variables."""

    def __init__(self, model: type[M]) -> None:
        self._model = model
        self._names = model.variable_names()
        self._cached: tuple[tuple[str | None, ...], M] | None = None

    def __call__(self) -> M:
        key = tuple(map(os.environ.get, self._names))
        if self._cached is None or self._cached[0] != key:
            self._cached = (key, self._model.from_environment(os.environ))
        return self._cached[1]

    def cache_clear(self) -> None:
        """Forget the parsed value (the next call validates again)."""
        self._cached = None


def parse_settings(env: Mapping[str, str]) -> Settings:
    """The start/collect settings from an environment mapping; raises ValueError naming the bad variable."""
    return Settings.from_environment(env)


settings: EnvironmentGetter[Settings] = EnvironmentGetter(Settings)
api_settings: EnvironmentGetter[ApiSettings] = EnvironmentGetter(ApiSettings)
fallback_settings: EnvironmentGetter[FallbackSettings] = EnvironmentGetter(FallbackSettings)
media_settings: EnvironmentGetter[MediaSettings] = EnvironmentGetter(MediaSettings)
thumbnail_settings: EnvironmentGetter[ThumbnailSettings] = EnvironmentGetter(ThumbnailSettings)
sweep_settings: EnvironmentGetter[SweepSettings] = EnvironmentGetter(SweepSettings)
