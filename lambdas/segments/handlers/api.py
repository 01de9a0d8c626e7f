"""Read API: videos, jobs and segments in the GetSegmentDetection shape (API Gateway REST proxy)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from segments import reads
from segments.adapters.store import SegmentStore
from segments.domain import keys
from segments.domain.exports import render
from segments.domain.paging import InvalidPaginationToken
from segments.domain.query import InvalidParameter, SegmentFilter
from segments.domain.records import JobRecord
from segments.handlers.media_routes import router as media_router
from segments.models import ErrorResponse, SegmentsResponse, VideoResponse, VideosResponse
from segments.settings import api_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayRestResolver(enable_validation=True)
app.include_router(media_router)

JOB_ID = r"^[a-zA-Z0-9-_]+$"
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
VIDEO_ID = r"^[A-Za-z0-9_-]+$"
ERROR_RESPONSES: dict[int, Any] = {
    status: {"description": text, "content": {"application/json": {"model": ErrorResponse}}}
    for status, text in (
        (400, "InvalidParameterException or InvalidPaginationTokenException"),
        (404, "ResourceNotFoundException"),
        (429, "ThrottlingException"),
        (500, "InternalServerError"),
    )
}
SEGMENT_RESPONSES: dict[int, Any] = {
    **ERROR_RESPONSES,
    200: {
        "description": "GetSegmentDetection response (json) or an export (csv, edl, vtt)",
        "content": {
            "application/json": {"model": SegmentsResponse},
            "text/csv": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
            "text/vtt": {"schema": {"type": "string"}},
        },
    },
}


class ApiError(Exception):
    """An error answered as ``{"code", "message"}`` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> Response[Any]:
    return Response(status_code=status, content_type="application/json", body={"code": code, "message": message})


@lru_cache(maxsize=1)
def _secret() -> bytes:
    config = api_settings()
    if config.pagination_secret:
        return config.pagination_secret.encode("utf-8")
    from aws_lambda_powertools.utilities.parameters import get_secret

    return str(get_secret(config.pagination_secret_arn, max_age=300)).encode("utf-8")


def _store() -> SegmentStore:
    return SegmentStore(api_settings().table_name)


def _segments(job: JobRecord, scope: str, name: str, params: dict[str, Any]) -> Response[Any]:
    flt = SegmentFilter(
        params["type"], params["cue_type"], params["min_confidence"], params["start_ms"], params["end_ms"]
    )
    if params["fmt"] != "json":
        body, content_type, ext = render(params["fmt"], reads.all_segments(_store(), job, flt), title=name)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "segments"
        headers = {"Content-Disposition": f'attachment; filename="{safe}.{ext}"'}
        return Response(status_code=200, content_type=content_type, body=body, headers=headers)
    page = reads.segments_page(
        _store(), job, flt, max_results=params["max_results"], next_token=params["next_token"],
        secret=_secret(), scope=scope,
    )  # fmt: skip
    return Response(status_code=200, content_type="application/json", body=page)


@app.get(
    "/videos",
    summary="List videos with their status",
    responses={
        **ERROR_RESPONSES,
        200: {"description": "videos", "content": {"application/json": {"model": VideosResponse}}},
    },
)
def list_videos(
    status: Annotated[str | None, Query(pattern="^(IN_PROGRESS|SUCCEEDED|FAILED)$")] = None,
    max_results: MaxResults = 100,
    next_token: NextToken = None,
) -> Response[Any]:
    """Videos, newest first within each status."""
    body = reads.list_videos(_store(), status=status, max_results=max_results, next_token=next_token, secret=_secret())
    return Response(status_code=200, content_type="application/json", body=body)


@app.get(
    "/videos/<videoId>",
    summary="One video and its job status",
    responses={
        **ERROR_RESPONSES,
        200: {"description": "video", "content": {"application/json": {"model": VideoResponse}}},
    },
)
def get_video(videoId: Annotated[str, Path(min_length=1, max_length=2048, pattern=VIDEO_ID)]) -> Response[Any]:
    """A video: status, message and metadata of the job that serves its results."""
    _check_video_id(videoId)
    store = _store()
    video = store.get_video(videoId)
    if video is None:
        raise reads.NotFound(f"no video with id {videoId}")
    body = {**reads.video_summary(video), **reads.job_header(reads.job_for_video(store, videoId))}
    return Response(status_code=200, content_type="application/json", body=body)


@app.get(
    "/videos/<videoId>/segments", summary="Segments of a video (GetSegmentDetection shape)", responses=SEGMENT_RESPONSES
)
def video_segments(
    videoId: Annotated[str, Path(min_length=1, max_length=2048, pattern=VIDEO_ID)],
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
    _check_video_id(videoId)
    job = reads.job_for_video(_store(), videoId)
    name = keys.key_for_video_id(videoId).rsplit("/", 1)[-1].rsplit(".", 1)[0]
    params = {"type": type, "cue_type": cue_type, "min_confidence": min_confidence, "start_ms": start_ms}
    params |= {"end_ms": end_ms, "fmt": fmt, "max_results": max_results, "next_token": next_token}
    return _segments(job, f"video:{videoId}:{job.job_id}", name, params)


@app.get("/jobs/<jobId>/segments", summary="Segments of a job (GetSegmentDetection shape)", responses=SEGMENT_RESPONSES)
def job_segments(
    jobId: Annotated[str, Path(min_length=1, max_length=64, pattern=JOB_ID)],
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
    job = reads.job_by_id(_store(), jobId)
    params = {"type": type, "cue_type": cue_type, "min_confidence": min_confidence, "start_ms": start_ms}
    params |= {"end_ms": end_ms, "fmt": fmt, "max_results": max_results, "next_token": next_token}
    return _segments(job, f"job:{jobId}", jobId, params)


@app.get("/openapi.json", summary="This API's OpenAPI document", include_in_schema=False)
def openapi() -> Response[Any]:
    """The OpenAPI document generated from these routes."""
    return Response(status_code=200, content_type="application/json", body=openapi_document())


def openapi_document() -> str:
    """The OpenAPI document as JSON text (checked in as openapi.json)."""
    return app.get_openapi_json_schema(title="Segment detection results", version="1.0.0", description=__doc__)


def _check_video_id(video_id: str) -> None:
    # Well-formed characters that decode to no S3 key name no video: not found, not malformed.
    try:
        keys.key_for_video_id(video_id)
    except ValueError as exc:
        raise reads.NotFound(f"no video with id {video_id}") from exc


@app.exception_handler(RequestValidationError)
def _invalid_request(exc: RequestValidationError) -> Response[Any]:
    details = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', 'invalid')}"
        for e in exc.errors()
    )
    return _error(400, "InvalidParameterException", details or "invalid request")


@app.exception_handler(InvalidPaginationToken)
def _invalid_token(exc: InvalidPaginationToken) -> Response[Any]:
    return _error(400, "InvalidPaginationTokenException", str(exc))


@app.exception_handler(InvalidParameter)
def _invalid_parameter(exc: InvalidParameter) -> Response[Any]:
    return _error(400, "InvalidParameterException", str(exc))


@app.exception_handler(ApiError)
def _api_error(exc: ApiError) -> Response[Any]:
    return _error(exc.status, exc.code, exc.message)


@app.exception_handler(reads.NotFound)
def _not_found(exc: reads.NotFound) -> Response[Any]:
    return _error(404, "ResourceNotFoundException", str(exc))


@app.not_found
def _no_route(exc: Exception) -> Response[Any]:
    return _error(404, "ResourceNotFoundException", "no such route")


@app.exception_handler(ClientError)
def _aws_error(exc: ClientError) -> Response[Any]:
    code = exc.response.get("Error", {}).get("Code", "")
    if code in ("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"):
        return _error(429, "ThrottlingException", "too many requests; retry with backoff")
    logger.exception("AWS call failed")
    return _error(500, "InternalServerError", "internal error; retry later")


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response[Any]:
    if isinstance(exc, ValueError) and "narrow the filters" in str(exc):
        return _error(400, "InvalidParameterException", str(exc))
    logger.exception("unhandled error")
    return _error(500, "InternalServerError", "internal error; retry later")


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """API Gateway REST proxy entry point."""
    return app.resolve(event, context)
