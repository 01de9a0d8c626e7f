"""Errors shared by adapters and orchestration (no AWS imports)."""

from __future__ import annotations


class StartRetryable(Exception):
    """Rekognition could not take the job now (quota, throttling, service error): try again later."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class StartRejected(Exception):
    """Rekognition will never take this job (access, parameters, format, size, region)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class PaginationExpired(Exception):
    """A saved GetSegmentDetection NextToken is no longer accepted: read the job again from its first page."""


class JobNotFound(LookupError):
    """The engine has no record of the job (never started, or expired from its history)."""
