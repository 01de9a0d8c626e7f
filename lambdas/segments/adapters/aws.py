"""boto3 clients with the project's retry policy; the only place clients are built.

Each function gets a retry budget that fits inside its own timeout: a client that keeps
retrying after the function is killed never writes the outcome (QUEUED, FAILED) it was
retrying for, and the message then reaches its DLQ on the wrong schedule.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

# Functions with minutes to spend (collector 10 min, fallback 15 min, sweeper 5 min): adaptive
# mode rate-limits the client itself when AWS throttles, on top of retries.
RETRY_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=5, read_timeout=60)

# The 30 s start function makes up to 5 calls in sequence (slots, Rekognition, store); each
# call's worst case is 3 attempts x (2 s connect + 4 s read) + standard backoff (<= 1 s + 2 s)
# = 21 s, and throttling is not retried here at all beyond that: the orchestration answers it
# with a slot-aware redelivery (30 s doubling), which is the retry that matters.
SHORT_BUDGET = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=4)


def client(service: str, config: Config = RETRY_CONFIG, **kwargs: Any) -> Any:
    """A boto3 client for ``service`` with a retry budget (honours AWS_ENDPOINT_URL)."""
    return boto3.client(service, config=config, **kwargs)  # type: ignore[call-overload]


def resource(service: str, config: Config = RETRY_CONFIG, **kwargs: Any) -> Any:
    """A boto3 resource for ``service`` with a retry budget."""
    return boto3.resource(service, config=config, **kwargs)  # type: ignore[call-overload]
