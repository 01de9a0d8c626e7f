"""boto3 clients with the project's retry policy; the only place clients are built."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

# Adaptive mode rate-limits the client itself when AWS throttles, on top of retries.
RETRY_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=5, read_timeout=60)


def client(service: str, **kwargs: Any) -> Any:
    """A boto3 client for ``service`` with the shared retry configuration (honours AWS_ENDPOINT_URL)."""
    return boto3.client(service, config=RETRY_CONFIG, **kwargs)  # type: ignore[call-overload]


def resource(service: str, **kwargs: Any) -> Any:
    """A boto3 resource for ``service`` with the shared retry configuration."""
    return boto3.resource(service, config=RETRY_CONFIG, **kwargs)  # type: ignore[call-overload]
