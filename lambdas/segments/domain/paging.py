"""Opaque, integrity-protected NextToken values (HMAC-SHA256), bound to one result set and one filter."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

MAX_TOKEN_LENGTH = 255  # GetSegmentDetection's NextToken limit
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


class InvalidPaginationToken(ValueError):
    """The token was forged, tampered with, reused with other filters or for another resource."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def encode_token(secret: bytes, *, scope: str, fingerprint: str, position: dict[str, Any]) -> str:
    """A token resuming after ``position`` for resource ``scope`` and filter ``fingerprint``."""
    payload = json.dumps({"s": _digest(scope), "f": _digest(fingerprint), "p": position}, separators=(",", ":"))
    body = _b64(payload.encode("utf-8"))
    mac = hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest()[:16]
    return f"{body}.{_b64(mac)}"


def decode_token(secret: bytes, token: str, *, scope: str, fingerprint: str) -> dict[str, Any]:
    """The position inside a valid token; raises InvalidPaginationToken otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1 or not set(token) <= _TOKEN_CHARS:
        raise InvalidPaginationToken("the pagination token is not valid")
    body, mac = token.split(".")
    expected = _b64(hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest()[:16])
    if not hmac.compare_digest(mac, expected):
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
