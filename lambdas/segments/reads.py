"""Read side of the API: stored jobs and segments in the GetSegmentDetection response shape."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any, Protocol

from segments.domain import keys
from segments.domain.paging import InvalidPaginationToken, decode_token, encode_token
from segments.domain.query import SegmentFilter
from segments.domain.records import JobRecord, VideoRecord

STATUSES = ("QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED")
EXPORT_LIMIT = 100_000  # segments in one export (API Gateway answers at most 10 MB)


class NotFound(LookupError):
    """No video or job with that id."""


class ReadStore(Protocol):
    """What the read side needs from the results table."""

    def get_video(self, video_id: str) -> VideoRecord | None: ...
    def get_job(self, job_id: str) -> JobRecord | None: ...
    def query_segments(
        self, job_id: str, limit: int, exclusive_start_key: dict[str, Any] | None = None, prefix: str = ...
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]: ...
    def list_videos_by_status(
        self, status: str, limit: int, before: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]: ...


def public_status(status: str) -> str:
    """Rekognition's JobStatus values: a video still waiting for a job slot is IN_PROGRESS."""
    return "IN_PROGRESS" if status == "QUEUED" else status


def job_header(job: JobRecord) -> dict[str, Any]:
    """The response fields every GetSegmentDetection page repeats."""
    header: dict[str, Any] = {"JobStatus": public_status(job.status)}
    if job.status_message:
        header["StatusMessage"] = job.status_message
    header["VideoMetadata"] = list(job.video_metadata)
    header["AudioMetadata"] = list(job.audio_metadata)
    header["SelectedSegmentTypes"] = list(job.selected_segment_types)
    return header


def job_for_video(store: ReadStore, video_id: str) -> JobRecord:
    """The job whose results a video serves; a video without one yields a job-shaped stand-in (no job_id)."""
    video = store.get_video(video_id)
    if video is None:
        raise NotFound(f"no video with id {video_id}")
    job = store.get_job(video.job_id) if video.job_id else None
    if job is None:
        return JobRecord(
            job_id="", video_id=video_id, bucket=video.bucket, key=video.key,
            status=video.status, status_message=video.status_message,
        )  # fmt: skip
    return job


def job_by_id(store: ReadStore, job_id: str) -> JobRecord:
    """A job item; NotFound when unknown."""
    job = store.get_job(job_id)
    if job is None:
        raise NotFound(f"no job with id {job_id}")
    return job


def _type_prefix(job: JobRecord, flt: SegmentFilter) -> str:
    kind = flt.effective_type
    if not kind:
        return keys.SEGMENT_PREFIX
    order = list(job.segment_types)
    rank = order.index(kind) if kind in order else len(order)
    return f"{keys.SEGMENT_PREFIX}{rank}#"


def _matching(store: ReadStore, job: JobRecord, flt: SegmentFilter, after_sk: str | None) -> Iterator[dict[str, Any]]:
    job_id = job.job_id
    start = {"pk": keys.job_pk(job_id), "sk": after_sk} if after_sk else None
    prefix = _type_prefix(job, flt)
    while True:
        items, last = store.query_segments(job_id, 1000, start, prefix)
        yield from (item for item in items if flt.matches(item))
        if not last:
            return
        start = last


def segments_page(
    store: ReadStore,
    job: JobRecord,
    flt: SegmentFilter,
    *,
    max_results: int,
    next_token: str | None,
    secret: bytes,
    scope: str,
) -> dict[str, Any]:
    """One page of a job's segments (filtered, reference order) with a NextToken when more remain."""
    after: str | None = None
    if next_token:
        position = decode_token(secret, next_token, scope=scope, fingerprint=flt.fingerprint())
        after = str(position.get("sk", ""))
        if not after.startswith(keys.SEGMENT_PREFIX):
            raise InvalidPaginationToken("the pagination token is not valid")
    response = job_header(job)
    if job.status != "SUCCEEDED" or not job.job_id:
        response["Segments"] = []
        return response
    taken = list(islice(_matching(store, job, flt, after), max_results + 1))
    page = taken[:max_results]
    response["Segments"] = [item["segment"] for item in page]
    if len(taken) > max_results:
        response["NextToken"] = encode_token(
            secret, scope=scope, fingerprint=flt.fingerprint(), position={"sk": page[-1]["sk"]}
        )
    return response


def all_segments(store: ReadStore, job: JobRecord, flt: SegmentFilter) -> dict[str, Any]:
    """Every matching segment of a finished job (for exports), bounded by EXPORT_LIMIT."""
    response = job_header(job)
    if job.status != "SUCCEEDED" or not job.job_id:
        response["Segments"] = []
        return response
    segments = [item["segment"] for item in islice(_matching(store, job, flt, None), EXPORT_LIMIT + 1)]
    if len(segments) > EXPORT_LIMIT:
        raise ValueError(f"more than {EXPORT_LIMIT} segments match: narrow the filters or page the JSON format")
    response["Segments"] = segments
    return response


def video_summary(video: VideoRecord | dict[str, Any]) -> dict[str, Any]:
    """A video as the API lists it (from its record, or from a listed item)."""
    if isinstance(video, dict):
        video = VideoRecord.from_item(video)
    return {
        "videoId": video.video_id,
        "bucket": video.bucket,
        "key": video.key,
        "versionId": video.version_id,
        "status": public_status(video.status),
        "queued": video.status == "QUEUED",
        "statusMessage": video.status_message,
        "jobId": video.job_id,
        "source": video.source,
        "createdAt": video.created_at,
        "updatedAt": video.updated_at,
    }


def list_videos(
    store: ReadStore, *, status: str | None, max_results: int, next_token: str | None, secret: bytes
) -> dict[str, Any]:
    """Videos newest first within each status (all statuses when ``status`` is None), paged."""
    statuses = [status] if status else list(STATUSES)
    if status == "IN_PROGRESS":
        statuses = ["QUEUED", "IN_PROGRESS"]
    index, start = 0, None
    if next_token:
        position = decode_token(secret, next_token, scope="videos", fingerprint=str(status))
        index, start = position.get("i", 0), position.get("k")
        if not isinstance(index, int) or not 0 <= index < len(statuses) or not isinstance(start, str | None):
            raise InvalidPaginationToken("the pagination token is not valid")
    videos: list[dict[str, Any]] = []
    while index < len(statuses) and len(videos) < max_results:
        items, last = store.list_videos_by_status(statuses[index], max_results - len(videos), start)
        videos.extend(video_summary(v) for v in items)
        if last:
            start = last
        else:
            index, start = index + 1, None
    response: dict[str, Any] = {"Videos": videos}
    if index < len(statuses):
        response["NextToken"] = encode_token(
            secret, scope="videos", fingerprint=str(status), position={"i": index, "k": start}
        )
    return response
