"""Read side of the API: stored jobs and segments in the GetSegmentDetection response shape."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from segments.domain import keys
from segments.domain.exports import render
from segments.domain.paging import Keyring, decode_token, encode_token
from segments.domain.query import ItemPage, SegmentFilter, SegmentQuery, SegmentSearch, VideoFilter
from segments.domain.read_errors import InvalidPaginationToken, NotFound, NotReady, TooManyToExport
from segments.domain.records import JobRecord, VideoRecord
from segments.settings import EXPORT_INLINE_BYTES, EXPORTS_PREFIX

STATUSES = ("QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED")
EXPORT_LIMIT = 100_000  # segments in one export (API Gateway answers at most 10 MB)
# Items a filtered page may read before it answers with what it found and a token to go on:
# a filter the sort key cannot serve must not read a 100,000-segment partition per request.
READ_BUDGET = 2_000
EXPORT_QUERY_LIMIT = 1_000  # items per Query while an export walks a job

__all__ = [
    "Answer",
    "ExportSink",
    "NotFound",
    "ReadStore",
    "job_segments",
    "list_videos",
    "read_segments",
    "read_video",
    "search_segments",
]


class ReadStore(Protocol):
    """What the read side needs from the results table."""

    def get_video(self, video_id: str, *, consistent: bool = False) -> VideoRecord | None: ...
    def get_job(self, job_id: str) -> JobRecord | None: ...
    def segment_items(
        self, job_id: str, *, prefix: str, limit: int, after_sk: str | None = None, flt: SegmentFilter | None = None
    ) -> ItemPage: ...
    def videos_by_status(
        self,
        status: str,
        *,
        limit: int,
        below: str | None = None,
        low: str | None = None,
        key_prefix: str | None = None,
    ) -> ItemPage: ...
    def search_items(
        self,
        kind: str,
        *,
        limit: int,
        below: str | None = None,
        low: str | None = None,
        min_confidence: float | None = None,
        max_confidence: float | None = None,
    ) -> ItemPage: ...
    def jobs(self, job_ids: Iterable[str]) -> dict[str, JobRecord]: ...
    def videos(self, video_ids: Iterable[str]) -> dict[str, VideoRecord]: ...


@dataclass(frozen=True)
class Answer:
    """What a read produced: a JSON document or an export's text, and how many items it read."""

    body: dict[str, Any] | str
    content_type: str = "application/json"
    filename: str | None = None  # exports are attachments
    items_read: int = 0
    location: str | None = None  # an export too large to answer inline: 303 See Other to this URL


class ExportSink(Protocol):
    """Where an export too large for a Lambda response is written, and read back by a short-lived URL."""

    def publish_export(self, key: str, body: bytes, content_type: str, filename: str) -> str:
        """Write ``body`` at ``key`` (same key on retry: an overwrite); return a presigned GET URL."""
        ...


@dataclass(frozen=True)
class Exports:
    """How exports are answered: inline up to ``inline_bytes`` (bytes of the rendered file), else via ``sink``."""

    sink: ExportSink | None = None
    inline_bytes: int = EXPORT_INLINE_BYTES


# Re-reads of a video seen mid-handover (Rekognition's job to the fallback's, or a newer upload's).
_HANDOVERS = 3
_UNSETTLED = ("IN_PROGRESS", "QUEUED")


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


def _serving(store: ReadStore, video: VideoRecord) -> tuple[VideoRecord, JobRecord]:
    """The video and the job serving it, never a handover seen half done.

    The video and its job are two items read one after the other. A finished job under a video
    still in progress may be one the video has just left: a failed Rekognition job handed to the
    fallback points the video at the fallback's job first and is marked FAILED after. A strongly
    consistent read of the video, made after the job was read finished, sees that new pointer.
    """
    for _ in range(_HANDOVERS):
        job = _job_of(store, video)
        if not (job.terminal and video.job_id and video.status in _UNSETTLED):
            return video, job
        again = store.get_video(video.video_id, consistent=True)
        if again is None:
            return video, job
        if again.job_id == video.job_id:
            return again, job  # the job's own result, which its video takes (or has just taken)
        video = again
    return video, _job_of(store, video)


def read_video(store: ReadStore, video_id: str) -> Answer:
    """A video: status, message and metadata of the job that serves its results."""
    video, job = _serving(store, _video(store, video_id))
    return Answer({**video_summary(video), **job_header(job)})


def read_segments(store: ReadStore, query: SegmentQuery, keyring: Keyring, exports: Exports | None = None) -> Answer:
    """The segments a query names: one JSON page (GetSegmentDetection) or a whole export."""
    if query.video_id is not None:
        _, job = _serving(store, _video(store, query.video_id))
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
    return _export(store, job, query, name, exports or Exports())


def export_key(job_id: str, name: str, flt: SegmentFilter, ext: str) -> str:
    """The S3 key of one export: the same job, file name, filters and format always name the same object."""
    # The file name is part of the content (an EDL's TITLE), so it is fingerprinted with the filters.
    digest = hashlib.sha256(f"{name}\n{flt.fingerprint()}".encode()).hexdigest()[:32]
    return f"{EXPORTS_PREFIX}{job_id}/{digest}.{ext}"


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


def _export(store: ReadStore, job: JobRecord, query: SegmentQuery, name: str, exports: Exports) -> Answer:
    """Every matching segment of a SUCCEEDED job as csv, edl or vtt: inline, or past the inline limit via S3."""
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
    filename = f"{safe}.{ext}"
    data = body.encode()
    if len(data) <= exports.inline_bytes:
        return Answer(body, content_type=content_type, filename=filename, items_read=read)
    if exports.sink is None:
        raise TooManyToExport(
            f"the export is {len(data)} bytes, more than a response holds ({exports.inline_bytes}), and no bucket "
            "is configured to hold it: narrow the filters or page the JSON format"
        )
    url = exports.sink.publish_export(export_key(job.job_id, name, query.filter, ext), data, content_type, filename)
    return Answer({"Location": url}, location=url, items_read=read)


@dataclass(frozen=True)
class Merged:
    """A page merged from several index partitions read newest (or longest) first."""

    items: list[dict[str, Any]]
    resume: str | None  # the sort key the next page continues below; None at the end
    items_read: int


def merge_partitions(
    fetch: Callable[[str, str | None, int], ItemPage],
    partitions: Sequence[str],
    *,
    sort_key: str,
    below: str | None,
    wanted: int,
    filtered: bool,
    keep: Callable[[list[dict[str, Any]]], tuple[list[dict[str, Any]], int]] = lambda items: (items, 0),
) -> Merged:
    """Merge partitions sorted descending on ``sort_key`` (unique across them) into one page of ``wanted``.

    An item is placed once every partition not yet exhausted has been read down to it, so one
    sort key is a complete position: the next page reads every partition below it. ``keep``
    drops items the index cannot filter (returning how many items it read to decide).
    """
    last: dict[str, str | None] = dict.fromkeys(partitions)  # read down to (exclusive); None: not yet
    open_ = list(partitions)
    pending: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    read, step = 0, wanted + 1
    while True:
        for partition in list(open_):
            limit = min(step, max(1, READ_BUDGET - read)) if filtered else step
            page = fetch(partition, last[partition] or below, limit)
            read += page.items_read
            pending += page.items
            last[partition] = page.last_sk
            if page.last_sk is None:
                open_.remove(partition)
        horizon = max((str(last[p]) for p in open_), default=None)
        safe = sorted((i for i in pending if horizon is None or i[sort_key] >= horizon), key=lambda i: i[sort_key])
        pending = [i for i in pending if horizon is not None and i[sort_key] < horizon]
        chosen, cost = keep(safe[::-1])
        kept += chosen
        read += cost
        if len(kept) > wanted:
            return Merged(kept[:wanted], kept[wanted - 1][sort_key], read)
        if not open_:
            return Merged(kept, None, read)
        if read >= READ_BUDGET:
            return Merged(kept, horizon, read)
        step = step * 2 if filtered else wanted + 1 - len(kept)


def _position(
    keyring: Keyring, token: str | None, scope: str, fingerprint: str, pattern: re.Pattern[str]
) -> str | None:
    if not token:
        return None
    position = decode_token(keyring, token, scope=scope, fingerprint=fingerprint).get("k")
    if not isinstance(position, str) or not pattern.fullmatch(position):
        raise InvalidPaginationToken("the pagination token is not valid")
    return position


_VIDEO_POSITION = re.compile(r"[0-9T:.Z-]{1,40}#[0-9a-f]{16}")
_SEARCH_POSITION = re.compile(r"[0-9]{12}#[0-9a-f]{16}")


def list_videos(
    store: ReadStore, videos: VideoFilter, *, max_results: int, next_token: str | None, keyring: Keyring
) -> Answer:
    """Videos newest first (by ``updatedAt``), filtered, paged with one opaque position."""
    fingerprint = videos.fingerprint()
    below = _position(keyring, next_token, "videos", fingerprint, _VIDEO_POSITION)
    statuses = (
        ["QUEUED", "IN_PROGRESS"]
        if videos.status == "IN_PROGRESS"
        else [videos.status]
        if videos.status
        else list(STATUSES)
    )
    # The status index sorts on "<updatedAt>#<h16>": a time window is a key range.
    low = f"{videos.updated_after}#~" if videos.updated_after else None
    if videos.updated_before and (below is None or videos.updated_before < below):
        below = videos.updated_before

    def fetch(status: str, under: str | None, limit: int) -> ItemPage:
        return store.videos_by_status(status, limit=limit, below=under, low=low, key_prefix=videos.key_prefix)

    merged = merge_partitions(
        fetch, statuses, sort_key="gsi1sk", below=below, wanted=max_results, filtered=bool(videos.key_prefix)
    )
    response: dict[str, Any] = {"Videos": [video_summary(VideoRecord.from_item(v)) for v in merged.items]}
    if merged.resume:
        response["NextToken"] = encode_token(
            keyring, scope="videos", fingerprint=fingerprint, position={"k": merged.resume}
        )
    return Answer(response, items_read=merged.items_read)


def search_segments(store: ReadStore, search: SegmentSearch, keyring: Keyring) -> Answer:
    """Segments of every video's current SUCCEEDED job, longest first, filtered and paged."""
    fingerprint = search.fingerprint()
    below = _position(keyring, search.next_token, "search", fingerprint, _SEARCH_POSITION)
    low = keys.search_bound(search.min_duration_ms, upper=False) if search.min_duration_ms is not None else None
    if search.max_duration_ms is not None:
        top = keys.search_bound(search.max_duration_ms, upper=True)
        below = top if below is None or top < below else below

    def fetch(kind: str, under: str | None, limit: int) -> ItemPage:
        return store.search_items(
            kind, limit=limit, below=under, low=low,
            min_confidence=search.min_confidence, max_confidence=search.max_confidence,
        )  # fmt: skip

    def keep(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
        # The index holds segments of every job ever stored: keep those of each video's current,
        # SUCCEEDED job that pass the video filters (one BatchGetItem of jobs, one of videos).
        if not items:
            return [], 0
        jobs = store.jobs(i["pk"].removeprefix("JOB#") for i in items)
        videos = store.videos(j.video_id for j in jobs.values())
        out = []
        for item in items:
            job = jobs.get(item["pk"].removeprefix("JOB#"))
            video = videos.get(job.video_id) if job else None
            if (
                job
                and video
                and job.status == "SUCCEEDED"
                and video.job_id == job.job_id
                and search.videos.matches(video)
            ):
                out.append(
                    {
                        **item,
                        "segment": {
                            **item["segment"],
                            "videoId": video.video_id,
                            "key": video.key,
                            "jobId": job.job_id,
                        },
                    }
                )
        return out, len(jobs) + len(videos)

    merged = merge_partitions(
        fetch, search.kinds, sort_key="gsi2sk", below=below, wanted=search.max_results,
        filtered=search.needs_item_filter, keep=keep,
    )  # fmt: skip
    response: dict[str, Any] = {"Segments": [item["segment"] for item in merged.items]}
    if merged.resume:
        response["NextToken"] = encode_token(
            keyring, scope="search", fingerprint=fingerprint, position={"k": merged.resume}
        )
    return Answer(response, items_read=merged.items_read)
