"""Deployment settings: one declaration per knob (context key, default, range, meaning), validated at synth.

The context key is the field name in camelCase (``shot_min_confidence`` → ``shotMinConfidence``); set it in
cdk.json's ``context`` or with ``-c key=value``. The README's Configuration table lists the same knobs (a
test keeps them in step). What each function receives is produced here from these knobs by the runtime
models in ``segments.settings``, the one place that names the Lambda environment variables.
"""

from __future__ import annotations

from typing import Any, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from segments import settings as runtime
from segments.domain.model import DEFAULT_SEGMENT_TYPES

SEGMENT_TYPES = DEFAULT_SEGMENT_TYPES
CHUNK_RESULTS_PREFIX = runtime.CHUNK_RESULTS_PREFIX
# Scopes the viewer's own app client may grant (the page asks for cognitoScopes plus openid).
VIEWER_SCOPES = frozenset({"openid", "email", "profile"})


class ConfigError(ValueError):
    """A context value is missing, malformed or out of its documented range."""


class Settings(BaseModel):
    """Every knob of the deployment; defaults follow Rekognition's documented defaults."""

    model_config = ConfigDict(
        frozen=True, alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="forbid"
    )

    video_suffixes: tuple[str, ...] = Field(
        default=runtime.DEFAULT_VIDEO_SUFFIXES, min_length=1, description="keys that start a job (case-insensitive)"
    )
    video_prefix: str = Field(default="", description="only keys under this prefix (case-sensitive)")
    segment_types: tuple[Literal["TECHNICAL_CUE", "SHOT"], ...] = Field(
        default=SEGMENT_TYPES, min_length=1, description="Rekognition `SegmentTypes` (order = result order)"
    )
    shot_min_confidence: float = Field(
        default=50.0, ge=50, le=100, description="`ShotFilter.MinSegmentConfidence`, percent"
    )
    technical_cue_min_confidence: float = Field(
        default=50.0, ge=50, le=100, description="`TechnicalCueFilter.MinSegmentConfidence`, percent"
    )
    black_frame_max_pixel_threshold: float = Field(
        default=0.2, ge=0, le=1, description="`BlackFrame.MaxPixelThreshold`, fraction of the colour range"
    )
    black_frame_min_coverage_percentage: float = Field(
        default=99.0, ge=0, le=100, description="`BlackFrame.MinCoveragePercentage`, percent of pixels"
    )
    max_concurrent_jobs: int = Field(
        default=20,
        ge=2,
        le=1000,
        description="Rekognition jobs this pipeline runs at once (Rekognition's default quota)",
    )
    max_concurrent_fallbacks: int = Field(
        default=10,
        ge=0,
        le=1000,
        description="fallback executions running at once (each runs up to fallbackMapConcurrency chunks); 0 = no bound",
    )
    start_max_receives: int = Field(
        default=40, ge=2, le=1000, description="upload-event deliveries (30 s doubling to 15 min ≈ 8 h) before the DLQ"
    )
    detection_mode: Literal["rekognition", "fallback", "rekognition-with-fallback"] = Field(
        default="rekognition-with-fallback", description="which engine detects"
    )
    throttle_fallback_seconds: int = Field(
        default=3600, ge=0, le=14 * 24 * 3600, description="fall back when the start stays throttled this long, seconds"
    )
    api_auth: Literal["iam", "apiKey", "cognito"] = Field(default="iam", description="how API callers authenticate")
    cognito_user_pool_arn: str = Field(default="", description="with apiAuth=cognito: the existing user pool's ARN")
    cognito_scopes: tuple[str, ...] = Field(
        default=(), description="with apiAuth=cognito: OAuth scopes an access token must carry (at least one)"
    )
    api_throttle_rate: float = Field(default=50.0, ge=1, le=10000, description="stage throttling, requests per second")
    api_throttle_burst: int = Field(default=100, ge=1, le=5000, description="stage throttling burst, requests")
    api_gateway_cloud_watch_role: bool = Field(
        default=True, description="create API Gateway's account-wide logging role (kept when the stack is deleted)"
    )
    # 3538 MB = 2 vCPUs: the thread count the throughput was measured with.
    fallback_memory_mb: int = Field(default=3538, ge=1769, le=10240, description="fallback function memory, MB")
    fallback_timeout_minutes: int = Field(default=15, ge=1, le=15, description="fallback function timeout, minutes")
    fallback_ephemeral_mb: int = Field(default=2048, ge=512, le=10240, description="fallback function /tmp, MB")
    fallback_arm64: bool = Field(default=False, description="run the fallback container on Graviton")
    fallback_map_concurrency: int = Field(default=10, ge=1, le=1000, description="fallback chunks in parallel")
    chunk_seconds: int = Field(default=1200, ge=10, le=24 * 3600, description="seconds of video per fallback chunk")
    log_retention_days: int = Field(default=90, ge=1, le=3653, description="every log group's retention, days")
    retain_data: bool = Field(default=True, description="keep bucket, table and key when the stack is deleted")
    powertools_layer_version: int = Field(default=27, ge=1, le=10000, description="public Powertools v3 layer version")
    alarm_email: str = Field(default="", description="e-mail subscribed to the alarm topic")
    viewer: bool = Field(
        default=False, description="deploy the viewer (CloudFront, sign-in, thumbnails); needs apiAuth=cognito"
    )
    viewer_domain_prefix: str = Field(
        default="",
        pattern=r"^([a-z0-9](-?[a-z0-9])*)?$",
        max_length=63,
        description="with viewer and no cognitoUserPoolArn: the sign-in domain prefix (default from the account)",
    )

    @field_validator("video_suffixes", "segment_types", "cognito_scopes", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        return runtime.list_from_text(value)

    @field_validator("video_suffixes")
    @classmethod
    def _bare_lower_unique_suffixes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # `.MP4`, `mp4` and `Mp4` are one suffix: matching is case-insensitive, so duplicates are harmless.
        suffixes = tuple(dict.fromkeys(s.strip().lower().lstrip(".") for s in value if s.strip().lstrip(".")))
        if not suffixes:
            raise ValueError("must name at least one suffix")
        return suffixes

    @field_validator("segment_types")
    @classmethod
    def _unique_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError(f"must not repeat a type, got {list(value)}")
        return value

    @model_validator(mode="after")
    def _cognito_needs_pool_and_scopes(self) -> Settings:
        if self.viewer and self.api_auth != "cognito":
            raise ValueError(
                "viewer=true needs apiAuth=cognito: the page calls the API with the signed-in user's token"
            )
        if self.viewer and not self.cognito_user_pool_arn and not set(self.cognito_scopes) <= VIEWER_SCOPES:
            raise ValueError(
                f"with viewer and the stack's own user pool, cognitoScopes must be among {sorted(VIEWER_SCOPES)}"
            )
        if self.api_auth == "cognito" and not self.viewer and not self.cognito_user_pool_arn.startswith("arn:"):
            raise ValueError("apiAuth=cognito needs cognitoUserPoolArn (an existing user pool ARN)")
        if self.api_auth == "cognito" and not self.cognito_scopes:
            raise ValueError("apiAuth=cognito needs cognitoScopes (the OAuth scopes an access token must carry)")
        return self

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

    def pipeline(
        self, *, table_name: str, topic_arn: str, rekognition_role_arn: str, fallback_state_machine_arn: str
    ) -> runtime.Settings:
        """The start and collect functions' settings: detection options travel with every job they start."""
        return runtime.Settings(
            table_name=table_name,
            topic_arn=topic_arn,
            rekognition_role_arn=rekognition_role_arn,
            segment_types=tuple(self.segment_types),
            filters=self.filters,
            video_suffixes=self.video_suffixes,
            video_prefix=self.video_prefix,
            detection_mode=self.detection_mode,
            fallback_state_machine_arn=fallback_state_machine_arn,
            throttle_fallback_seconds=self.throttle_fallback_seconds,
            max_receives=self.start_max_receives,
            max_concurrent_jobs=self.max_concurrent_jobs,
            max_concurrent_fallbacks=self.max_concurrent_fallbacks,
        )

    def fallback(self, *, table_name: str, bucket_name: str) -> runtime.FallbackSettings:
        """The fallback container function's settings."""
        return runtime.FallbackSettings(
            table_name=table_name,
            bucket_name=bucket_name,
            results_prefix=CHUNK_RESULTS_PREFIX,
            chunk_seconds=self.chunk_seconds,
        )


CONTEXT_KEYS = tuple(to_camel(name) for name in Settings.model_fields)


def _explain(error: Any) -> str:
    """One validation error as ``context 'key' must …, got …``."""
    key = str(error["loc"][0]) if error["loc"] else "context"
    got = error.get("input")
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        field = Settings.model_fields[next(n for n in Settings.model_fields if to_camel(n) == key)]
        low = next(m.ge for m in field.metadata if isinstance(m, Ge))
        high = next(m.le for m in field.metadata if isinstance(m, Le))
        return f"context '{key}' must be between {low:g} and {high:g}, got {got}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "value_error" and not error["loc"]:
        return f"context {message}"
    return f"context '{key}': {message} (got {got!r})"


def load_settings(ctx: dict[str, Any]) -> Settings:
    """Validate CDK context values (from cdk.json or ``-c key=value``) into Settings."""
    given = {key: value for key, value in ctx.items() if key in CONTEXT_KEYS and value is not None}
    try:
        return Settings.model_validate(given)
    except ValidationError as exc:
        raise ConfigError("; ".join(_explain(e) for e in exc.errors())) from None
