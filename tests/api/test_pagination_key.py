"""The pagination key rotates: new tokens use the new key, tokens issued before a rotation keep working."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from segments.adapters.pagination_key import SecretKeyring
from segments.domain.paging import InvalidPaginationToken, Keyring, decode_token, encode_token
from tests.api.conftest import Call, store_job
from tests.support import rekognition as rk


@pytest.fixture
def secret_arn(aws: None) -> str:
    client = boto3.client("secretsmanager")
    return str(client.create_secret(Name="pagination-key", SecretString="first-key")["ARN"])


def rotate(secret_arn: str, value: str) -> None:
    """What an operator does: put-secret-value moves AWSCURRENT to the new key, AWSPREVIOUS to the old one."""
    boto3.client("secretsmanager").put_secret_value(SecretId=secret_arn, SecretString=value)


def test_after_rotation_new_tokens_use_the_new_key_and_old_tokens_still_work(secret_arn: str) -> None:
    keyring = SecretKeyring(secret_arn, max_age=0)  # every call sees the secret as it is now
    old = encode_token(keyring(), scope="job:a", fingerprint="f", position={"sk": "SEG#1"})
    rotate(secret_arn, "second-key")
    ring = keyring()
    assert ring.current == b"second-key" and ring.previous == b"first-key"
    assert decode_token(ring, old, scope="job:a", fingerprint="f") == {"sk": "SEG#1"}
    new = encode_token(ring, scope="job:a", fingerprint="f", position={"sk": "SEG#2"})
    with pytest.raises(InvalidPaginationToken):
        decode_token(Keyring(b"first-key"), new, scope="job:a", fingerprint="f")


def test_a_key_two_rotations_old_is_refused(secret_arn: str) -> None:
    keyring = SecretKeyring(secret_arn, max_age=0)
    old = encode_token(keyring(), scope="job:a", fingerprint="f", position={"sk": "SEG#1"})
    rotate(secret_arn, "second-key")
    rotate(secret_arn, "third-key")
    with pytest.raises(InvalidPaginationToken):
        decode_token(keyring(), old, scope="job:a", fingerprint="f")


def test_the_key_is_cached_for_max_age_then_refreshed(secret_arn: str) -> None:
    keyring = SecretKeyring(secret_arn, max_age=300)
    assert keyring().current == b"first-key"
    rotate(secret_arn, "second-key")
    assert keyring().current == b"first-key"  # within max_age: no Secrets Manager call per request
    keyring._current.clear_cache()  # what max_age elapsing does to Powertools' cache
    assert keyring() == Keyring(b"second-key", b"first-key")


def test_a_never_rotated_secret_has_no_previous_key(secret_arn: str) -> None:
    assert SecretKeyring(secret_arn)() == Keyring(b"first-key")


@pytest.fixture
def api_with_secret(api: Call, secret_arn: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Call]:
    monkeypatch.delenv("PAGINATION_SECRET")
    monkeypatch.setenv("PAGINATION_SECRET_ARN", secret_arn)
    from segments.handlers import api as module

    module.reset()
    yield api
    module.reset()


def test_paging_continues_across_a_key_rotation(api_with_secret: Call, segments_table: str, secret_arn: str) -> None:
    store_job(segments_table, key="k.mp4", job_id="job-k", segments=rk.shots(6))
    status, _, first = api_with_secret("/jobs/job-k/segments", maxResults=3)
    assert status == 200
    rotate(secret_arn, "second-key")
    from segments.handlers import api as module

    keyring = module._key_source("", secret_arn)
    assert isinstance(keyring, SecretKeyring)
    keyring._current.clear_cache()  # the container's cached key expires (max_age)
    assert module._keyring().current == b"second-key"
    status, _, second = api_with_secret("/jobs/job-k/segments", maxResults=3, nextToken=first["NextToken"])
    assert status == 200 and len(second["Segments"]) == 3 and "NextToken" not in second
