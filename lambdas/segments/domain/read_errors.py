"""What the read side refuses, one class per answer (the API maps each to its HTTP status and code)."""

from __future__ import annotations


class ReadError(Exception):
    """A read request that cannot be answered with results; ``str(exc)`` is safe to show the caller."""


class InvalidParameter(ReadError, ValueError):
    """A query parameter outside its documented values."""


class InvalidPaginationToken(ReadError, ValueError):
    """The token was forged, tampered with, reused with other filters or for another resource."""


class NotFound(ReadError, LookupError):
    """No video or job with that id."""


class NotReady(ReadError):
    """An export of a job that has not SUCCEEDED (it has no complete result set to export)."""

    def __init__(self, job_status: str, message: str) -> None:
        super().__init__(message)
        self.job_status = job_status


class TooManyToExport(ReadError):
    """More matching segments than one export may hold."""
