"""A seekable, read-only file over S3 ranged GETs, so PyAV streams a video without copying it first."""

from __future__ import annotations

import io
from typing import Any

from segments.adapters.aws import client

BLOCK = 8 * 1024 * 1024  # bytes per ranged GET (and the buffer size)


class S3RangeReader(io.RawIOBase):
    """Raw reader: each read is one ``Range: bytes=a-b`` GET of the object version."""

    def __init__(self, bucket: str, key: str, version_id: str | None = None, s3: Any | None = None) -> None:
        self.s3 = s3 or client("s3")
        self.bucket, self.key, self.version_id = bucket, key, version_id
        extra = {"VersionId": version_id} if version_id else {}
        self.size = int(self.s3.head_object(Bucket=bucket, Key=key, **extra)["ContentLength"])
        self.position = 0
        self.requests = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self.position >= self.size or len(view) == 0:
            return 0
        end = min(self.size, self.position + len(view)) - 1
        extra = {"VersionId": self.version_id} if self.version_id else {}
        body = self.s3.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes={self.position}-{end}", **extra)
        data = body["Body"].read()
        self.requests += 1
        view[: len(data)] = data
        self.position += len(data)
        return len(data)


def open_s3(bucket: str, key: str, version_id: str | None = None, s3: Any | None = None) -> io.BufferedReader:
    """A buffered, seekable binary file over an S3 object version."""
    return io.BufferedReader(S3RangeReader(bucket, key, version_id, s3), buffer_size=BLOCK)
