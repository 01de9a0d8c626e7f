"""Rekognition Video segment detection: start a job, page its results; errors mapped to domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError

from segments.adapters.aws import client
from segments.domain.errors import JobNotFound, PaginationExpired, StartRejected, StartRetryable

__all__ = ["RETRYABLE", "PaginationExpired", "Rekognition", "StartRejected", "StartRetryable"]

RETRYABLE = frozenset(
    {
        "LimitExceededException",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "InternalServerError",
        "ServiceUnavailableException",
    }
)


class Rekognition:
    """Thin wrapper over the two Rekognition calls the pipeline makes."""

    def __init__(self, rekognition_client: Any | None = None) -> None:
        self.client = rekognition_client or client("rekognition")

    def start_segment_detection(
        self,
        *,
        bucket: str,
        key: str,
        version_id: str | None,
        segment_types: list[str],
        filters: dict[str, Any],
        client_request_token: str,
        job_tag: str,
        topic_arn: str,
        role_arn: str,
    ) -> str:
        """Start one job and return its JobId; the token makes duplicates return the same JobId."""
        s3_object: dict[str, str] = {"Bucket": bucket, "Name": key}
        if version_id:
            s3_object["Version"] = version_id
        request: dict[str, Any] = {
            "Video": {"S3Object": s3_object},
            "SegmentTypes": segment_types,
            "ClientRequestToken": client_request_token,
            "JobTag": job_tag,
            "NotificationChannel": {"SNSTopicArn": topic_arn, "RoleArn": role_arn},
        }
        if filters:
            request["Filters"] = filters
        try:
            return str(self.client.start_segment_detection(**request)["JobId"])
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = str(error.get("Code", "Unknown")), str(error.get("Message", ""))
            if code in RETRYABLE:
                raise StartRetryable(code, message) from exc
            raise StartRejected(code, message) from exc
        except EndpointConnectionError as exc:
            # No Rekognition endpoint: the service is not offered in this region.
            raise StartRejected("EndpointConnectionError", str(exc)) from exc

    def iter_segment_pages(
        self, job_id: str, max_results: int = 1000, next_token: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """GetSegmentDetection pages of a job from ``next_token`` (None: the first), until NextToken is empty.

        Raises ``PaginationExpired`` when Rekognition no longer accepts ``next_token``.
        """
        token = next_token
        while True:
            request: dict[str, Any] = {"JobId": job_id, "MaxResults": max_results}
            if token:
                request["NextToken"] = token
            try:
                page: dict[str, Any] = self.client.get_segment_detection(**request)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if token and code == "InvalidPaginationTokenException":
                    raise PaginationExpired(str(exc)) from exc
                if code == "ResourceNotFoundException":
                    raise JobNotFound(str(exc)) from exc
                raise
            yield page
            token = page.get("NextToken")
            if not token:
                return
