"""Read API: videos, jobs and segments in the GetSegmentDetection shape (API Gateway REST proxy)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from segments import reads
from segments.adapters.media import MediaBucket
from segments.adapters.pagination_key import SecretKeyring, static_keyring
from segments.adapters.segment_queries import SegmentQueries
from segments.domain.model import JOB_STATUSES
from segments.domain.paging import Keyring
from segments.domain.query import LISTED_STATUSES, SegmentFilter, SegmentQuery, SegmentSearch, VideoFilter, iso_instant
from segments.domain.read_errors import InvalidPaginationToken, InvalidParameter, NotFound, NotReady, TooManyToExport
from segments.handlers.media_routes import router as media_router
from segments.models import (
    ErrorResponse,
    ExportLocation,
    SearchResponse,
    SegmentsResponse,
    VideoResponse,
    VideosResponse,
)
from segments.settings import api_settings, media_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayRestResolver(enable_validation=True)
app.include_router(media_router)

# Every error the API answers, in one place: exception class → (HTTP status, code). Looked up
# along the exception's MRO, so a subclass answers like its base unless listed itself.
ERRORS: dict[type[Exception], tuple[int, str]] = {
    RequestValidationError: (400, "InvalidParameterException"),
    InvalidParameter: (400, "InvalidParameterException"),
    TooManyToExport: (400, "InvalidParameterException"),
    InvalidPaginationToken: (400, "InvalidPaginationTokenException"),
    NotFound: (404, "ResourceNotFoundException"),
    NotReady: (409, "JobNotSucceededException"),
}
THROTTLED = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})


def _error_responses(*statuses: int) -> dict[int, Any]:
    """OpenAPI entries of the errors a route answers, named by the codes ERRORS and the handlers below use."""
    codes: dict[int, list[str]] = {429: ["ThrottlingException"], 500: ["InternalServerError"]}
    for status, code in ERRORS.values():
        if code not in codes.setdefault(status, []):
            codes[status].append(code)
    return {
        status: {"description": " or ".join(codes[status]), "content": {"application/json": {"model": ErrorResponse}}}
        for status in statuses
    }


ERROR_RESPONSES = _error_responses(400, 404, 429, 500)

JobId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9-_]+$")]
VideoId = Annotated[str, Path(min_length=1, max_length=2048, pattern=r"^[A-Za-z0-9_-]+$")]
MaxResults = Annotated[int, Query(alias="maxResults", ge=1, le=1000, description="page size, 1-1000")]
NextToken = Annotated[str | None, Query(alias="nextToken", max_length=255, description="token from the last page")]
SegmentType = Annotated[str | None, Query(alias="type", pattern="^(SHOT|TECHNICAL_CUE)$")]
CueType = Annotated[
    str | None,
    Query(alias="cueType", pattern="^(BlackFrames|ColorBars|Content|EndCredits|OpeningCredits|Slate|StudioLogo)$"),
]
MinConfidence = Annotated[float | None, Query(alias="minConfidence", ge=0, le=100)]
StartMillis = Annotated[int | None, Query(alias="startMillis", ge=0)]
EndMillis = Annotated[int | None, Query(alias="endMillis", ge=1)]
Format = Annotated[str, Query(alias="format", pattern="^(json|csv|edl|vtt)$")]
STATUS_PATTERN = f"^({'|'.join(JOB_STATUSES)})$"  # a video's public status (Rekognition's JobStatus)
# Deleted videos are listed only when asked for: their objects are gone, their jobs stay readable.
VideoStatus = Annotated[str | None, Query(pattern=f"^({'|'.join(LISTED_STATUSES)})$")]
KeyPrefix = Annotated[str | None, Query(alias="keyPrefix", max_length=1024, description="S3 key prefix")]
UpdatedAfter = Annotated[
    str | None, Query(alias="updatedAfter", max_length=40, description="ISO-8601 time; videos updated after it")
]
UpdatedBefore = Annotated[
    str | None, Query(alias="updatedBefore", max_length=40, description="ISO-8601 time; videos updated before it")
]
SEGMENT_RESPONSES: dict[int, Any] = {
    **_error_responses(400, 404, 409, 429, 500),
    200: {
        "description": "GetSegmentDetection response (json) or an export (csv, edl, vtt)",
        "content": {
            "application/json": {"model": SegmentsResponse},
            "text/csv": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
            "text/vtt": {"schema": {"type": "string"}},
        },
    },
    303: {
        "description": "an export larger than a response holds (about 5 MB): written to S3, downloaded from "
        "Location, a presigned GET valid a few minutes",
        "headers": {"Location": {"description": "presigned GET URL of the export", "schema": {"type": "string"}}},
        "content": {"application/json": {"model": ExportLocation}},
    },
}


def _store() -> SegmentQueries:
    # boto3 reads AWS_ENDPOINT_URL itself: a reader belongs to one endpoint (local mode restarts on new ports).
    return _reader(api_settings().table_name, os.environ.get("AWS_ENDPOINT_URL", ""))


@lru_cache(maxsize=1)
def _reader(table_name: str, endpoint: str) -> SegmentQueries:
    """One reader per container: building a boto3 resource per request cost ~160 ms each on moto."""
    return SegmentQueries(table_name)


def _exports() -> reads.Exports:
    media = media_settings()
    sink = _export_bucket(media.bucket_name, media.export_url_seconds, os.environ.get("AWS_ENDPOINT_URL", ""))
    return reads.Exports(sink=sink, inline_bytes=media.export_inline_bytes)


@lru_cache(maxsize=1)
def _export_bucket(bucket: str, url_seconds: int, endpoint: str) -> MediaBucket | None:
    """Large exports go to the videos bucket; without one (a table-only deployment) they are refused."""
    return MediaBucket(bucket, export_url_seconds=url_seconds) if bucket else None


def _keyring() -> Keyring:
    config = api_settings()
    return _key_source(config.pagination_secret, config.pagination_secret_arn)()


@lru_cache(maxsize=1)
def _key_source(secret: str, secret_arn: str) -> Callable[[], Keyring]:
    # A key given as text (local mode, tests) or the secret's AWSCURRENT/AWSPREVIOUS, refreshed every 5 min.
    return static_keyring(secret) if secret else SecretKeyring(secret_arn)


def reset() -> None:
    """Forget the container's reader and keys."""
    _reader.cache_clear()
    _key_source.cache_clear()
    _export_bucket.cache_clear()


def _answer(answer: reads.Answer) -> Response[Any]:
    if answer.location:
        # 303: the client GETs the Location (S3 answers with the attachment's name and type).
        return Response(
            status_code=303, content_type="application/json", body=answer.body, headers={"Location": answer.location}
        )
    headers = {"Content-Disposition": f'attachment; filename="{answer.filename}"'} if answer.filename else None
    return Response(status_code=200, content_type=answer.content_type, body=answer.body, headers=headers)


@app.get(
    "/videos",
    summary="List videos, newest first",
    responses={
        **ERROR_RESPONSES,
        200: {"description": "videos", "content": {"application/json": {"model": VideosResponse}}},
    },
)
def list_videos(
    status: VideoStatus = None,
    key_prefix: KeyPrefix = None,
    updated_after: UpdatedAfter = None,
    updated_before: UpdatedBefore = None,
    max_results: MaxResults = 100,
    next_token: NextToken = None,
) -> Response[Any]:
    """Videos newest first (by updatedAt), optionally by status, S3 key prefix and update window."""
    videos = _video_filter(status, key_prefix, updated_after, updated_before)
    return _answer(
        reads.list_videos(_store(), videos, max_results=max_results, next_token=next_token, keyring=_keyring())
    )


@app.get(
    "/segments",
    summary="Search segments across every video, longest first",
    responses={
        **ERROR_RESPONSES,
        200: {"description": "matching segments", "content": {"application/json": {"model": SearchResponse}}},
    },
)
def search_segments(
    type: SegmentType = None,
    cue_type: CueType = None,
    min_duration: Annotated[int | None, Query(alias="minDurationMillis", ge=0)] = None,
    max_duration: Annotated[int | None, Query(alias="maxDurationMillis", ge=0)] = None,
    min_confidence: MinConfidence = None,
    max_confidence: Annotated[float | None, Query(alias="maxConfidence", ge=0, le=100)] = None,
    video_status: Annotated[str | None, Query(alias="videoStatus", pattern=STATUS_PATTERN)] = None,
    key_prefix: KeyPrefix = None,
    updated_after: UpdatedAfter = None,
    updated_before: UpdatedBefore = None,
    max_results: MaxResults = 100,
    next_token: NextToken = None,
) -> Response[Any]:
    """Segments of every video's current SUCCEEDED job, longest first (ties in a fixed, opaque order)."""
    search = SegmentSearch(
        segment_type=type, cue_type=cue_type, min_duration_ms=min_duration, max_duration_ms=max_duration,
        min_confidence=min_confidence, max_confidence=max_confidence,
        videos=_video_filter(video_status, key_prefix, updated_after, updated_before),
        max_results=max_results, next_token=next_token,
    )  # fmt: skip
    return _answer(reads.search_segments(_store(), search, _keyring()))


def _video_filter(status: str | None, prefix: str | None, after: str | None, before: str | None) -> VideoFilter:
    return VideoFilter(
        status=status,
        key_prefix=prefix or None,
        updated_after=iso_instant(after, "updatedAfter"),
        updated_before=iso_instant(before, "updatedBefore"),
    )


@app.get(
    "/videos/<videoId>",
    summary="One video and its job status",
    responses={
        **ERROR_RESPONSES,
        200: {"description": "video", "content": {"application/json": {"model": VideoResponse}}},
    },
)
def get_video(videoId: VideoId) -> Response[Any]:
    """A video: status, message and metadata of the job that serves its results."""
    return _answer(reads.read_video(_store(), videoId))


@app.get(
    "/videos/<videoId>/segments", summary="Segments of a video (GetSegmentDetection shape)", responses=SEGMENT_RESPONSES
)
def video_segments(
    videoId: VideoId,
    max_results: MaxResults = 1000,
    next_token: NextToken = None,
    type: SegmentType = None,
    cue_type: CueType = None,
    min_confidence: MinConfidence = None,
    start_ms: StartMillis = None,
    end_ms: EndMillis = None,
    fmt: Format = "json",
) -> Response[Any]:
    """The segments of the job that serves a video's results."""
    flt = SegmentFilter(type, cue_type, min_confidence, start_ms, end_ms)
    query = SegmentQuery(video_id=videoId, filter=flt, max_results=max_results, next_token=next_token, fmt=fmt)
    return _answer(reads.read_segments(_store(), query, _keyring(), _exports()))


@app.get("/jobs/<jobId>/segments", summary="Segments of a job (GetSegmentDetection shape)", responses=SEGMENT_RESPONSES)
def job_segments(
    jobId: JobId,
    max_results: MaxResults = 1000,
    next_token: NextToken = None,
    type: SegmentType = None,
    cue_type: CueType = None,
    min_confidence: MinConfidence = None,
    start_ms: StartMillis = None,
    end_ms: EndMillis = None,
    fmt: Format = "json",
) -> Response[Any]:
    """The segments of one job, exactly as GetSegmentDetection pages them."""
    flt = SegmentFilter(type, cue_type, min_confidence, start_ms, end_ms)
    query = SegmentQuery(job_id=jobId, filter=flt, max_results=max_results, next_token=next_token, fmt=fmt)
    return _answer(reads.read_segments(_store(), query, _keyring(), _exports()))


@app.get("/openapi.json", summary="This API's OpenAPI document", include_in_schema=False)
def openapi() -> Response[Any]:
    """The OpenAPI document generated from these routes."""
    return Response(status_code=200, content_type="application/json", body=openapi_document())


def openapi_document() -> str:
    """The OpenAPI document as JSON text (checked in as openapi.json)."""
    document = json.loads(
        app.get_openapi_json_schema(title="Segment detection results", version="1.0.0", description=__doc__)
    )
    # Powertools lists a 422 on every validated route; this API answers invalid input with 400 instead.
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return json.dumps(document)


def _error(status: int, code: str, message: str) -> Response[Any]:
    return Response(status_code=status, content_type="application/json", body={"code": code, "message": message})


def _message(exc: Exception) -> str:
    if isinstance(exc, RequestValidationError):
        details = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', 'invalid')}"
            for e in exc.errors()
        )
        return details or "invalid request"
    return str(exc)


@app.exception_handler(list(ERRORS))
def _known_error(exc: Exception) -> Response[Any]:
    status, code = next(ERRORS[cls] for cls in type(exc).__mro__ if cls in ERRORS)
    return _error(status, code, _message(exc))


@app.exception_handler(ClientError)
def _aws_error(exc: ClientError) -> Response[Any]:
    if exc.response.get("Error", {}).get("Code", "") in THROTTLED:
        return _error(429, "ThrottlingException", "too many requests; retry with backoff")
    logger.exception("AWS call failed")
    return _error(500, "InternalServerError", "internal error; retry later")


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response[Any]:
    logger.exception("unhandled error")
    return _error(500, "InternalServerError", "internal error; retry later")


@lru_cache(maxsize=1)
def _route_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Every documented path as a regular expression (``{name}`` matches one segment) with its methods."""
    paths = json.loads(openapi_document()).get("paths", {})
    return tuple(
        (re.compile("^" + re.sub(r"\\{[^}/]+\\}", "[^/]+", re.escape(path)) + "/?$"), ", ".join(m.upper() for m in ops))
        for path, ops in paths.items()
    )


@app.not_found
def _no_route(exc: Exception) -> Response[Any]:
    method, path = app.current_event.http_method, app.current_event.path
    allowed = next((methods for pattern, methods in _route_patterns() if pattern.match(path)), None)
    if allowed:
        response = _error(405, "MethodNotAllowedException", f"{method} is not allowed here; use {allowed}")
        response.headers["Allow"] = allowed
        return response
    return _error(404, "ResourceNotFoundException", "no such route")


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """API Gateway REST proxy entry point."""
    return app.resolve(event, context)
