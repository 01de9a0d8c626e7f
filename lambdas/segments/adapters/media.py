"""S3 for the viewer: presigned playback, thumbnail and upload URLs, and the thumbnail step's reads and writes."""

from __future__ import annotations

import json
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from segments.adapters.aws import RETRY_CONFIG, resource
from segments.adapters.s3_reader import open_s3
from segments.adapters.store import now_iso
from segments.domain import keys

IMAGE_CACHE = "private, max-age=86400"  # thumbnails under a job's keys never change
# SigV4 presigning: required for objects under SSE-KMS, and it carries X-Amz-Expires.
PRESIGN_CONFIG = RETRY_CONFIG.merge(Config(signature_version="s3v4"))


class MediaBucket:
    """The videos bucket as the viewer and the thumbnail step use it (implements ``thumbnails.step.Media``)."""

    def __init__(
        self,
        bucket: str,
        table_name: str = "",
        s3: Any | None = None,
        dynamodb: Any | None = None,
        *,
        export_url_seconds: int = 300,
    ) -> None:
        self.bucket = bucket
        self.export_url_seconds = export_url_seconds
        self.s3 = s3 or boto3.client("s3", config=PRESIGN_CONFIG)
        self.table = (dynamodb or resource("dynamodb")).Table(table_name) if table_name else None

    # -- presigned URLs (computed locally with the caller's credentials: no request to S3) ----------
    def presign_get(self, key: str, expires: int, version_id: str | None = None) -> str:
        """A GET URL for one object (version) valid ``expires`` seconds."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        return str(self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires))

    def presign_upload(self, key: str, max_bytes: int, expires: int) -> dict[str, Any]:
        """A POST form for exactly ``key``, at most ``max_bytes``: S3 refuses any other key or a larger file."""
        post = self.s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"key": key},
            Conditions=[{"key": key}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires,
        )
        return {"url": str(post["url"]), "fields": dict(post["fields"])}

    # -- the read API's large exports (implements ``reads.ExportSink``) -------------------------------
    def publish_export(self, key: str, body: bytes, content_type: str, filename: str) -> str:
        """Write one export (same key on retry: an overwrite) and return a GET URL that downloads it as a file."""
        disposition = f'attachment; filename="{filename}"'
        self.s3.put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, ContentDisposition=disposition
        )
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type,
        }
        return str(self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=self.export_url_seconds))

    # -- the thumbnail step's port ---------------------------------------------------------------------
    def open_video(self, bucket: str, key: str, version_id: str | None) -> BinaryIO:
        """The video read by ranged GETs."""
        return open_s3(bucket, key, version_id, self.s3)

    def put_object(self, key: str, body: bytes, content_type: str) -> None:
        """Write one image (same key on retry: an overwrite, never a duplicate)."""
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, CacheControl=IMAGE_CACHE)

    def get_json(self, key: str) -> dict[str, Any] | None:
        """A JSON object, or None when the key does not exist."""
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return dict(json.loads(body))

    def put_json(self, key: str, document: dict[str, Any]) -> None:
        """Write a JSON object."""
        body = json.dumps(document, separators=(",", ":")).encode()
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")

    def record_thumbnails(self, video_id: str, job_id: str, status: str, message: str) -> None:
        """Note the thumbnail outcome on the video, only while ``job_id`` is still the video's job."""
        if self.table is None:
            return
        try:
            self.table.update_item(
                Key={"pk": keys.video_pk(video_id), "sk": keys.VIDEO_SK},
                UpdateExpression="SET thumbnails = :t",
                ConditionExpression="jobId = :j",
                ExpressionAttributeValues={
                    ":t": {"jobId": job_id, "status": status, "message": message, "updatedAt": now_iso()},
                    ":j": job_id,
                },
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
