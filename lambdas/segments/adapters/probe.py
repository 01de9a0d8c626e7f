"""Ranged S3 reads for the routing probe: a few small GETs of the object version, never the whole file."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from segments.adapters.aws import SHORT_BUDGET, client
from segments.domain.events import VideoObject
from segments.domain.routing import UNKNOWN, ProbeResult, probe_media


class S3MediaProbe:
    """Probes an uploaded object's container and codec with ranged GETs (implements ``ports.MediaProbe``)."""

    def __init__(self, s3: Any | None = None) -> None:
        self.s3 = s3 or client("s3", SHORT_BUDGET)
        self.requests = 0

    def probe(self, video: VideoObject) -> ProbeResult:
        """What the first bytes and the ``moov`` box say; UNKNOWN when S3 cannot answer (Rekognition decides)."""
        extra = {"VersionId": video.version_id} if video.version_id else {}
        size = video.size

        def read(offset: int, length: int) -> bytes:
            if length <= 0:
                return b""
            response = self.s3.get_object(
                Bucket=video.bucket, Key=video.key, Range=f"bytes={offset}-{offset + length - 1}", **extra
            )
            self.requests += 1
            return bytes(response["Body"].read())

        try:
            if size <= 0:  # events from some sources carry no size
                size = int(self.s3.head_object(Bucket=video.bucket, Key=video.key, **extra)["ContentLength"])
            return probe_media(read, size)
        except (ClientError, BotoCoreError):
            # A probe is an optimisation: when it fails, the start goes on as before and Rekognition judges.
            return UNKNOWN
