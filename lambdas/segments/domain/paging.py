"""Opaque, integrity-protected NextToken values (HMAC-SHA256), bound to one result set and one filter."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from segments.domain.read_errors import InvalidPaginationToken

MAX_TOKEN_LENGTH = 255  # GetSegmentDetection's NextToken limit
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")

__all__ = ["InvalidPaginationToken", "Keyring", "decode_token", "encode_token"]


@dataclass(frozen=True)
class Keyring:
    """The key that signs new tokens and the previous one, still accepted while a rotation settles."""

    current: bytes
    previous: bytes | None = None

    @property
    def accepted(self) -> tuple[bytes, ...]:
        """Keys a token may carry a valid MAC of, newest first."""
        if not self.previous or self.previous == self.current:
            return (self.current,)
        return (self.current, self.previous)


def _keyring(secret: bytes | Keyring) -> Keyring:
    return secret if isinstance(secret, Keyring) else Keyring(secret)


def _mac(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest()[:16])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def encode_token(secret: bytes | Keyring, *, scope: str, fingerprint: str, position: dict[str, Any]) -> str:
    """A token resuming after ``position`` for resource ``scope`` and filter ``fingerprint`` (current key)."""
    payload = json.dumps({"s": _digest(scope), "f": _digest(fingerprint), "p": position}, separators=(",", ":"))
    body = _b64(payload.encode("utf-8"))
    return f"{body}.{_mac(_keyring(secret).current, body)}"


def decode_token(secret: bytes | Keyring, token: str, *, scope: str, fingerprint: str) -> dict[str, Any]:
    """The position inside a token signed with an accepted key; raises InvalidPaginationToken otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1 or not set(token) <= _TOKEN_CHARS:
        raise InvalidPaginationToken("the pagination token is not valid")
    body, mac = token.split(".")
    if not any(hmac.compare_digest(mac, _mac(key, body)) for key in _keyring(secret).accepted):
        raise InvalidPaginationToken("the pagination token is not valid")
    try:
        payload = json.loads(_unb64(body))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidPaginationToken("the pagination token is not valid") from exc
    if payload.get("s") != _digest(scope):
        raise InvalidPaginationToken("the pagination token belongs to another video or job")
    if payload.get("f") != _digest(fingerprint):
        raise InvalidPaginationToken("the pagination token was issued for other filters")
    position = payload.get("p")
    if not isinstance(position, dict):
        raise InvalidPaginationToken("the pagination token is not valid")
    return position
