"""In-memory fakes of the orchestration's ports (``segments.ports``): the rules the DynamoDB adapters keep, no AWS."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from segments.domain import keys
from segments.domain.errors import PaginationExpired
from segments.domain.events import VideoObject
from segments.domain.model import Segment
from segments.domain.records import DELETED, DetectionOptions, ExecutionState, JobRecord, VideoRecord


class MemoryStore:
    """Videos, jobs and segments in dicts, with the same idempotency rules as ``SegmentStore``."""

    def __init__(self) -> None:
        self.videos: dict[str, VideoRecord] = {}
        self.jobs: dict[str, JobRecord] = {}
        self.segments: dict[str, dict[str, Segment]] = {}
        self.fail_on: dict[str, Exception] = {}  # method name → error raised once
        self.now = "2026-01-01T00:00:00.000Z"  # the time every write stamps (ISO-8601, as the store writes)

    def _maybe_fail(self, method: str) -> None:
        if method in self.fail_on:
            raise self.fail_on.pop(method)

    def get_video(self, video_id: str) -> VideoRecord | None:
        return self.videos.get(video_id)

    def get_job(self, job_id: str) -> JobRecord | None:
        return self.jobs.get(job_id)

    def video_of(self, key: str) -> VideoRecord:
        video = self.videos[keys.video_id_for_key(key)]
        return video

    def overdue_videos(self, status: str, updated_before: str, limit: int) -> list[VideoRecord]:
        found = [v for v in self.videos.values() if v.status == status and v.updated_at < updated_before]
        return sorted(found, key=lambda v: v.updated_at)[:limit]

    def record_video_status(self, video: VideoObject, *, status: str, message: str, source: str) -> bool:
        self._maybe_fail("record_video_status")
        video_id = keys.video_id_for_key(video.key)
        current = self.videos.get(video_id)
        if current is not None and current.job_id and current.version_id == (video.version_id or ""):
            return False
        if current is not None and video.sequencer and current.sequencer > video.sequencer:
            return False
        base = current or VideoRecord(video_id=video_id, bucket=video.bucket, key=video.key)
        self.videos[video_id] = replace(
            base,
            version_id=video.version_id or "",
            status=status,
            status_message=message,
            source=source,
            updated_at=self.now,
            sequencer=video.sequencer or base.sequencer,
            job_id="",
        )
        return True

    def record_video_deleted(self, video: VideoObject) -> bool:
        current = self.videos.get(keys.video_id_for_key(video.key))
        if current is None or (video.version_id and current.version_id != video.version_id):
            return False
        if video.sequencer and current.sequencer > video.sequencer:
            return False
        self.videos[current.video_id] = replace(
            current,
            status=DELETED,
            status_message="the object was deleted",
            sequencer=video.sequencer or current.sequencer,
        )
        return True

    def record_job_started(
        self,
        video: VideoObject,
        *,
        job_id: str,
        source: str,
        options: DetectionOptions,
        reason: str = "",
        client_request_token: str = "",
        job_tag: str = "",
    ) -> bool:
        self._maybe_fail("record_job_started")
        if job_id in self.jobs:
            return False
        video_id = keys.video_id_for_key(video.key)
        self.jobs[job_id] = JobRecord(
            job_id=job_id,
            video_id=video_id,
            bucket=video.bucket,
            key=video.key,
            version_id=video.version_id or "",
            source=source,
            options=options,
            reason=reason,
            client_request_token=client_request_token,
            job_tag=job_tag,
            sequencer=video.sequencer,
            started_at=self.now,
        )
        base = self.videos.get(video_id) or VideoRecord(video_id=video_id, bucket=video.bucket, key=video.key)
        if video.sequencer and base.sequencer > video.sequencer:
            return True  # an older version's job: recorded, but the video keeps the newer version
        self.videos[video_id] = replace(
            base,
            version_id=video.version_id or "",
            job_id=job_id,
            source=source,
            status="IN_PROGRESS",
            status_message="",
            etag=video.etag,
            updated_at=self.now,
            sequencer=video.sequencer or base.sequencer,
        )
        return True

    def put_segments(self, job_id: str, segments: Iterable[Segment], type_order: Sequence[str]) -> int:
        self._maybe_fail("put_segments")
        stored = self.segments.setdefault(job_id, {})
        count = 0
        for segment in segments:
            stored[keys.segment_sk(segment, type_order)] = segment
            count += 1
        return count

    def save_page_cursor(self, job_id: str, *, next_token: str, segments_stored: int) -> None:
        job = self.jobs.get(job_id)
        if job is not None and not job.terminal:
            self.jobs[job_id] = replace(job, page_cursor=next_token, segments_stored=segments_stored)

    def complete_job(
        self,
        job_id: str,
        *,
        status: str,
        status_message: str = "",
        video_metadata: Sequence[dict[str, Any]] = (),
        audio_metadata: Sequence[dict[str, Any]] = (),
        selected_segment_types: Sequence[dict[str, Any]] = (),
        segment_count: int = 0,
    ) -> bool:
        self._maybe_fail("complete_job")
        job = self.jobs.get(job_id)
        if job is None or job.terminal:
            return False
        self.jobs[job_id] = replace(
            job,
            status=status,
            status_message=status_message,
            video_metadata=tuple(video_metadata),
            audio_metadata=tuple(audio_metadata),
            selected_segment_types=tuple(selected_segment_types),
            segment_count=segment_count,
            page_cursor="",
        )
        self.settle_video(self.jobs[job_id])
        return True

    def settle_video(self, job: JobRecord) -> bool:
        video = self.videos.get(job.video_id)
        if video is None or video.job_id != job.job_id or video.status == DELETED:
            return False
        self.videos[job.video_id] = replace(
            video, status=job.status, status_message=job.status_message, updated_at=self.now
        )
        return True


class MemorySlots:
    """The job-slot semaphore as a dict of holder → lease start."""

    def __init__(self) -> None:
        self.holders: dict[str, float] = {}

    def acquire(self, holder: str, limit: int, now: float, lease_seconds: int) -> bool:
        self.holders = {h: t for h, t in self.holders.items() if t >= now - lease_seconds or h == holder}
        if holder in self.holders or len(self.holders) < limit:
            self.holders[holder] = now
            return True
        return False

    def release(self, holder: str) -> bool:
        return self.holders.pop(holder, None) is not None


class ScriptedRekognition:
    """Rekognition answering from scripts: start outcomes in order, pages per job keyed by NextToken."""

    def __init__(self) -> None:
        self.starts: list[str | Exception] = []
        self.start_calls: list[dict[str, Any]] = []
        self.pages: dict[str, dict[str | None, dict[str, Any] | Exception]] = {}
        self.page_calls: list[tuple[str, str | None]] = []

    def start_segment_detection(self, **request: Any) -> str:
        self.start_calls.append(request)
        outcome = self.starts.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def job_pages(self, job_id: str, pages: list[dict[str, Any]]) -> None:
        """Serve ``pages`` for ``job_id``; page i is asked for with page i-1's NextToken."""
        by_token: dict[str | None, dict[str, Any] | Exception] = {}
        token: str | None = None
        for page in pages:
            by_token[token] = page
            token = page.get("NextToken")
        self.pages[job_id] = by_token

    def iter_segment_pages(
        self, job_id: str, max_results: int = 1000, next_token: str | None = None
    ) -> Iterator[dict[str, Any]]:
        token = next_token
        while True:
            self.page_calls.append((job_id, token))
            answer = self.pages[job_id].get(token)
            if answer is None:
                if token:
                    raise PaginationExpired(f"unknown token {token}")
                raise KeyError(job_id)
            if isinstance(answer, Exception):
                raise answer
            yield answer
            token = answer.get("NextToken")
            if not token:
                return


class RecordingLauncher:
    """Records fallback launches and answers DescribeExecution for them; ``fail_next`` makes one launch raise."""

    def __init__(self) -> None:
        self.launches: dict[str, dict[str, Any]] = {}
        self.states: dict[str, ExecutionState] = {}
        self.fail_next: Exception | None = None

    def describe(self, job_id: str) -> ExecutionState | None:
        if job_id in self.states:
            return self.states[job_id]
        return ExecutionState("RUNNING") if job_id in self.launches else None

    def launch(self, *, job_id: str, payload: dict[str, Any]) -> bool:
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        if job_id in self.launches:
            return False
        self.launches[job_id] = payload
        return True
