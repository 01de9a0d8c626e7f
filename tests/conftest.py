"""Shared fixtures: fake AWS credentials, an in-memory (moto) results table."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

# Property tests check answers, not speed: on a shared 2-core machine one example can take longer
# than Hypothesis's 200 ms default and fail a correct test.
settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")

# Tests never reach AWS: fake credentials and a fixed region before any client is built.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": "SegmentPipelineTests",
        "POWERTOOLS_SERVICE_NAME": "tests",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture
def aws() -> Iterator[None]:
    """moto's in-process AWS for the duration of one test."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def segments_table(aws: None) -> str:
    """A results table created exactly per the key design; returns its name."""
    import boto3

    from tests.support.aws import create_segments_table

    return create_segments_table(boto3.client("dynamodb"), "segments-test")
