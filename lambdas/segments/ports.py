"""What the orchestration needs from the outside world: small ports that adapters and test fakes implement.

Pure (no AWS imports): the layering test holds this module to that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from segments.domain.events import VideoObject
from segments.domain.model import Segment
from segments.domain.records import DetectionOptions, ExecutionState, JobRecord, VideoRecord
from segments.domain.routing import ProbeResult


class ResultStore(Protocol):
    """The persistence port: videos, jobs and segments in the results table."""

    def get_video(self, video_id: str) -> VideoRecord | None:
        """The video, or None."""
        ...

    def get_job(self, job_id: str) -> JobRecord | None:
        """The job, or None."""
        ...

    def overdue_videos(self, status: str, updated_before: str, limit: int) -> list[VideoRecord]:
        """Up to ``limit`` videos in ``status`` unchanged since before ``updated_before`` (ISO-8601), oldest first."""
        ...

    def record_video_status(self, video: VideoObject, *, status: str, message: str, source: str) -> bool:
        """Record a status on a video that has no job for this version yet; False when that did not apply."""
        ...

    def record_video_deleted(self, video: VideoObject) -> bool:
        """Record that the video's object (or its current version) was deleted; False when that changes nothing."""
        ...

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
        """Create the job (IN_PROGRESS) and point the video at it; False when the job already existed."""
        ...

    def put_segments(self, job_id: str, segments: Iterable[Segment], type_order: Sequence[str]) -> int:
        """Write segments idempotently; returns how many."""
        ...

    def save_page_cursor(self, job_id: str, *, next_token: str, segments_stored: int) -> None:
        """Checkpoint the collector: the pages before ``next_token`` (``segments_stored`` segments) are stored."""
        ...

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
        """Mark a job SUCCEEDED/FAILED (and its video if it still serves it); False when already terminal."""
        ...

    def settle_video(self, job: JobRecord) -> bool:
        """Give the video the terminal status of ``job`` if it still serves it; False otherwise."""
        ...


class JobSlots(Protocol):
    """A counting semaphore bounding concurrent jobs of one kind (Rekognition, fallback)."""

    def acquire(self, holder: str, limit: int, now: float, lease_seconds: int) -> bool:
        """Take a slot for ``holder`` (again); False when all ``limit`` are taken."""
        ...

    def release(self, holder: str) -> bool:
        """Give ``holder``'s slot back; True when it held one."""
        ...


class RekognitionJobs(Protocol):
    """Rekognition Video's asynchronous segment detection API."""

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
        """Start a job; returns its JobId. Raises StartRetryable / StartRejected."""
        ...

    def iter_segment_pages(
        self, job_id: str, max_results: int = 1000, next_token: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """GetSegmentDetection pages from ``next_token`` (the first page when None) to the last."""
        ...


class Launcher(Protocol):
    """Starts the container fallback for one object version."""

    def launch(self, *, job_id: str, payload: dict[str, Any]) -> bool:
        """Start the execution named after ``job_id``; False when it already existed."""
        ...


class Executions(Protocol):
    """Step Functions executions of the fallback, looked up by JobId (the execution's name)."""

    def describe(self, job_id: str) -> ExecutionState | None:
        """The execution's state, or None when no execution has that name."""
        ...


class CompletionAnnouncer(Protocol):
    """Publishes a terminal job's completion event once (``segments.adapters.events``)."""

    def announce(self, job_id: str) -> bool:
        """Publish unless not terminal or already published; True when this call published. Raises on refusal."""
        ...

    def announce_video(self, video_id: str) -> bool:
        """Publish a video's failure that has no job, once; True when this call published. Raises on refusal."""
        ...


class MediaProbe(Protocol):
    """A cheap look at an uploaded object's container and codec (ranged reads)."""

    def probe(self, video: VideoObject) -> ProbeResult:
        """What a few ranged reads learned; UNKNOWN fields when they could not tell."""
        ...
