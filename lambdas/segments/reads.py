"""Read side of the API: stored jobs and segments in the GetSegmentDetection response shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from segments.domain import keys
from segments.domain.exports import render
from segments.domain.paging import Keyring, decode_token, encode_token
from segments.domain.query import ItemPage, SegmentFilter, SegmentQuery
from segments.domain.read_errors import InvalidPaginationToken, NotFound, NotReady, TooManyToExport
from segments.domain.records import JobRecord, VideoRecord

STATUSES = ("QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED")
EXPORT_LIMIT = 100_000  # segments in one export (API Gateway answers at most 10 MB)
# Items a filtered page may read before it answers with what it found and a token to go on:
# a filter the sort key cannot serve must not read a 100,000-segment partition per request.
READ_BUDGET = 2_000
EXPORT_QUERY_LIMIT = 1_000  # items per Query while an export walks a job

__all__ = ["Answer", "NotFound", "ReadStore", "job_segments", "list_videos", "read_segments", "read_video"]


class ReadStore(Protocol):
    """What the read side needs from the results table."""

    def get_video(self, video_id: str) -> VideoRecord | None: ...
    def get_job(self, job_id: str) -> JobRecord | None: ...
    def segment_items(
        self, job_id: str, *, prefix: str, limit: int, after_sk: str | None = None, flt: SegmentFilter | None = None
    ) -> ItemPage: ...
    def videos_by_status(self, status: str, *, limit: int, before: str | None = None) -> ItemPage: ...


@dataclass(frozen=True)
class Answer:
    """What a read produced: a JSON document or an export's text, and how many items it read."""

    body: dict[str, Any] | str
    content_type: str = "application/json"
    filename: str | None = None  # exports are attachments
    items_read: int = 0


def public_status(status: str) -> str:
    """Rekognition's JobStatus values: a video still waiting for a job slot is IN_PROGRESS."""
    return "IN_PROGRESS" if status == "QUEUED" else status


# What a failure message may carry from the machine it happened on: errno numbers and absolute
# paths of temporary or system files (PyAV and the OS put both into their exception text).
_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")
_LOCAL_PATH = re.compile(r"(?<![\w:/.])/(?:tmp|var|opt|home|root|usr|proc|dev|mnt|run|private|Users)(?:/[^\s'\",;)]*)?")


def public_message(text: str) -> str:
    """A status message fit to show callers: no errno numbers, no paths of the machine that failed."""
    return _LOCAL_PATH.sub("<local file>", _ERRNO.sub("", text)).strip()


def job_header(job: JobRecord) -> dict[str, Any]:
    """The response fields every GetSegmentDetection page repeats."""
    header: dict[str, Any] = {"JobStatus": public_status(job.status)}
    if job.status_message:
        header["StatusMessage"] = public_message(job.status_message)
    header["VideoMetadata"] = list(job.video_metadata)
    header["AudioMetadata"] = list(job.audio_metadata)
    header["SelectedSegmentTypes"] = list(job.selected_segment_types)
    return header


def video_summary(video: VideoRecord) -> dict[str, Any]:
    """A video as the API lists it."""
    return {
        "videoId": video.video_id,
        "bucket": video.bucket,
        "key": video.key,
        "versionId": video.version_id,
        "status": public_status(video.status),
        "queued": video.status == "QUEUED",
        "statusMessage": public_message(video.status_message),
        "jobId": video.job_id,
        "source": video.source,
        "createdAt": video.created_at,
        "updatedAt": video.updated_at,
    }


def _video(store: ReadStore, video_id: str) -> VideoRecord:
    # Well-formed characters that decode to no S3 key name no video: not found, not malformed.
    try:
        keys.key_for_video_id(video_id)
    except ValueError as exc:
        raise NotFound(f"no video with id {video_id}") from exc
    video = store.get_video(video_id)
    if video is None:
        raise NotFound(f"no video with id {video_id}")
    return video


def _job_of(store: ReadStore, video: VideoRecord) -> JobRecord:
    """The job whose results a video serves; a video without one yields a stand-in with no job_id."""
    job = store.get_job(video.job_id) if video.job_id else None
    if job is None:
        return JobRecord(
            job_id="", video_id=video.video_id, bucket=video.bucket, key=video.key,
            status=video.status, status_message=video.status_message,
        )  # fmt: skip
    return job


def read_video(store: ReadStore, video_id: str) -> Answer:
    """A video: status, message and metadata of the job that serves its results."""
    video = _video(store, video_id)
    return Answer({**video_summary(video), **job_header(_job_of(store, video))})


def read_segments(store: ReadStore, query: SegmentQuery, keyring: Keyring) -> Answer:
    """The segments a query names: one JSON page (GetSegmentDetection) or a whole export."""
    if query.video_id is not None:
        job = _job_of(store, _video(store, query.video_id))
        scope = f"video:{query.video_id}:{job.job_id}"
        name = keys.key_for_video_id(query.video_id).rsplit("/", 1)[-1].rsplit(".", 1)[0]
    else:
        job_id = str(query.job_id)
        found = store.get_job(job_id)
        if found is None:
            raise NotFound(f"no job with id {job_id}")
        job, scope, name = found, f"job:{job_id}", job_id
    if query.fmt == "json":
        return _page(store, job, query, keyring, scope)
    return _export(store, job, query, name)


def _prefix(job: JobRecord, flt: SegmentFilter) -> str:
    """The sort-key prefix holding the segments of the filtered type (all segments without one)."""
    kind = flt.effective_type
    if not kind:
        return keys.SEGMENT_PREFIX
    order = list(job.segment_types)
    rank = order.index(kind) if kind in order else len(order)
    return f"{keys.SEGMENT_PREFIX}{rank}#"


def _has_results(job: JobRecord) -> bool:
    return job.status == "SUCCEEDED" and bool(job.job_id)


def _page(store: ReadStore, job: JobRecord, query: SegmentQuery, keyring: Keyring, scope: str) -> Answer:
    """One page: at most ``max_results + 1`` items read unfiltered, at most READ_BUDGET filtered."""
    flt, wanted = query.filter, query.max_results
    after: str | None = None
    if query.next_token:
        after = str(decode_token(keyring, query.next_token, scope=scope, fingerprint=flt.fingerprint()).get("sk", ""))
        if not after.startswith(keys.SEGMENT_PREFIX):
            raise InvalidPaginationToken("the pagination token is not valid")
    response = job_header(job)
    if not _has_results(job):
        response["Segments"] = []
        return Answer(response)
    found: list[dict[str, Any]] = []
    read, step = 0, wanted + 1
    while True:
        # Every item read unfiltered is returned: ask for one more than the page still needs, to
        # learn whether another page exists. Filtered, DynamoDB reads ``Limit`` items before it
        # filters: read what the page needs, then twice as much each time, within the budget.
        limit = min(READ_BUDGET - read, step) if flt.needs_item_filter else wanted + 1 - len(found)
        page = store.segment_items(job.job_id, prefix=_prefix(job, flt), limit=limit, after_sk=after, flt=flt)
        read, step = read + page.items_read, step * 2
        found += page.items
        after = page.last_sk
        if after is None or len(found) > wanted or read >= READ_BUDGET:
            break
    response["Segments"] = [item["segment"] for item in found[:wanted]]
    # More than a page found: resume after its last item. Budget spent first: resume where reading stopped.
    resume = found[wanted - 1]["sk"] if len(found) > wanted else after
    if resume:
        position = {"sk": resume}
        response["NextToken"] = encode_token(keyring, scope=scope, fingerprint=flt.fingerprint(), position=position)
    return Answer(response, items_read=read)


def _all_items(store: ReadStore, job: JobRecord, flt: SegmentFilter) -> Iterator[ItemPage]:
    after: str | None = None
    while True:
        page = store.segment_items(
            job.job_id, prefix=_prefix(job, flt), limit=EXPORT_QUERY_LIMIT, after_sk=after, flt=flt
        )
        yield page
        if page.last_sk is None:
            return
        after = page.last_sk


def job_segments(store: ReadStore, job: JobRecord, flt: SegmentFilter) -> Iterator[dict[str, Any]]:
    """Every matching segment of a job, in the reference order, read page by page (memory per page)."""
    for page in _all_items(store, job, flt):
        yield from (item["segment"] for item in page.items)


def _export(store: ReadStore, job: JobRecord, query: SegmentQuery, name: str) -> Answer:
    """Every matching segment of a SUCCEEDED job rendered as csv, edl or vtt, bounded by EXPORT_LIMIT."""
    if not _has_results(job):
        # An empty file would read as "no segments": say why there is nothing to export yet.
        status = public_status(job.status)
        why = f" ({public_message(job.status_message)})" if job.status_message else ""
        subject = f"job {job.job_id}" if job.job_id else f"video {job.video_id}"
        raise NotReady(status, f"{subject} is {status}{why}: only a SUCCEEDED job can be exported")
    response = job_header(job)
    segments: list[dict[str, Any]] = []
    read = 0
    for page in _all_items(store, job, query.filter):
        read += page.items_read
        segments += (item["segment"] for item in page.items)
        if len(segments) > EXPORT_LIMIT:
            raise TooManyToExport(
                f"more than {EXPORT_LIMIT} segments match: narrow the filters or page the JSON format"
            )
    response["Segments"] = segments
    body, content_type, ext = render(query.fmt, response, title=name)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "segments"
    return Answer(body, content_type=content_type, filename=f"{safe}.{ext}", items_read=read)


def list_videos(
    store: ReadStore, *, status: str | None, max_results: int, next_token: str | None, keyring: Keyring
) -> Answer:
    """Videos newest first within each status (all statuses when ``status`` is None), paged."""
    statuses = [status] if status else list(STATUSES)
    if status == "IN_PROGRESS":
        statuses = ["QUEUED", "IN_PROGRESS"]
    index, start = 0, None
    if next_token:
        position = decode_token(keyring, next_token, scope="videos", fingerprint=str(status))
        index, start = position.get("i", 0), position.get("k")
        if not isinstance(index, int) or not 0 <= index < len(statuses) or not isinstance(start, str | None):
            raise InvalidPaginationToken("the pagination token is not valid")
    videos: list[dict[str, Any]] = []
    read = 0
    while index < len(statuses) and len(videos) < max_results:
        page = store.videos_by_status(statuses[index], limit=max_results - len(videos), before=start)
        read += page.items_read
        videos.extend(video_summary(VideoRecord.from_item(v)) for v in page.items)
        if page.last_sk:
            start = page.last_sk
        else:
            index, start = index + 1, None
    response: dict[str, Any] = {"Videos": videos}
    if index < len(statuses):
        response["NextToken"] = encode_token(
            keyring, scope="videos", fingerprint=str(status), position={"i": index, "k": start}
        )
    return Answer(response, items_read=read)
