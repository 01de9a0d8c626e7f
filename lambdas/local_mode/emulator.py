"""A Rekognition-compatible endpoint for StartSegmentDetection / GetSegmentDetection, backed by our detector.

It speaks Rekognition's JSON 1.1 protocol (``X-Amz-Target: RekognitionService.<Op>``), so unmodified
boto3 talks to it: errors come back as ``{"__type", "Message"}`` and botocore raises the modeled
exceptions. Jobs run in a bounded worker pool; beyond ``max_jobs`` running jobs it answers
LimitExceededException like the real service's concurrent-job quota.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from detector import DetectOptions, VideoError, detect
from segments.adapters.probe import S3MediaProbe
from segments.domain import routing
from segments.domain.events import VideoObject
from segments.domain.paging import InvalidPaginationToken, decode_token, encode_token

JOB_ID = re.compile(r"^[a-zA-Z0-9-_]+$")
TOKEN = re.compile(r"^[a-zA-Z0-9-_]+$")


class RekognitionError(Exception):
    """A modeled Rekognition error: HTTP status, ``__type`` and message."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


def _invalid(message: str) -> RekognitionError:
    return RekognitionError(400, "InvalidParameterException", message)


class RekognitionEmulator:
    """Job table, worker pool and the two operations."""

    def __init__(
        self,
        data_dir: Path,
        *,
        s3_client: Callable[[], Any],
        sns_client: Callable[[], Any],
        max_jobs: int = 20,
        workers: int = 2,
    ) -> None:
        self.path = data_dir / "rekognition-jobs.json"
        self.s3_client, self.sns_client = s3_client, sns_client
        self.max_jobs = max_jobs
        self.lock = threading.RLock()
        self.jobs: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}
        self.max_running_seen = 0
        self.secret = uuid.uuid4().bytes
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rekognition-job")
        self._load()

    # -- persistence ---------------------------------------------------------------------
    def _load(self) -> None:
        if not self.path.exists():
            return
        state = json.loads(self.path.read_text())
        self.jobs, self.tokens = state["jobs"], state["tokens"]
        self.secret = bytes.fromhex(state["secret"])

    def resume(self) -> int:
        """Run again the jobs the last process left IN_PROGRESS; returns how many.

        Called only once the stack has restored the objects they read and created the topic
        their completions go to (before that, a resumed job would fail on a missing object).
        """
        unfinished = [job["JobId"] for job in self.jobs.values() if job["JobStatus"] == "IN_PROGRESS"]
        for job_id in unfinished:
            self.pool.submit(self._run, job_id)
        return len(unfinished)

    def _save(self) -> None:
        # One writer at a time: workers finish concurrently and share the temporary file.
        with self.lock:
            state = {"jobs": self.jobs, "tokens": self.tokens, "secret": self.secret.hex()}
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(state))
            tmp.replace(self.path)

    def running(self) -> int:
        """Jobs currently IN_PROGRESS."""
        return sum(1 for j in self.jobs.values() if j["JobStatus"] == "IN_PROGRESS")

    def shutdown(self) -> None:
        """Stop taking work; running jobs finish or resume at the next start."""
        self.pool.shutdown(wait=False, cancel_futures=True)

    # -- protocol --------------------------------------------------------------------------
    def handle(self, target: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """Dispatch one JSON 1.1 request; returns (HTTP status, response document)."""
        operation = target.split(".", 1)[-1]
        try:
            request = json.loads(body or b"{}")
            if operation == "StartSegmentDetection":
                return 200, self.start(request)
            if operation == "GetSegmentDetection":
                return 200, self.get(request)
            raise RekognitionError(400, "InvalidParameterException", f"{operation} is not emulated locally")
        except RekognitionError as exc:
            return exc.status, {"__type": exc.kind, "Message": exc.message}
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {"__type": "InvalidParameterException", "Message": f"malformed request: {exc}"}

    def start(self, request: dict[str, Any]) -> dict[str, Any]:
        """StartSegmentDetection: validate, deduplicate by ClientRequestToken, queue the job."""
        s3 = (request.get("Video") or {}).get("S3Object") or {}
        if not s3.get("Bucket") or not s3.get("Name"):
            raise _invalid("Video.S3Object.Bucket and Video.S3Object.Name are required")
        types = request.get("SegmentTypes") or []
        if not types or any(t not in ("TECHNICAL_CUE", "SHOT") for t in types):
            raise _invalid("SegmentTypes must list TECHNICAL_CUE and/or SHOT")
        token = request.get("ClientRequestToken")
        if token is not None and (not 1 <= len(token) <= 64 or not TOKEN.match(token)):
            raise _invalid("ClientRequestToken must match ^[a-zA-Z0-9-_]+$ with 1-64 characters")
        filters = request.get("Filters") or {}
        try:
            DetectOptions.from_rekognition(types, filters)
        except ValueError as exc:
            raise _invalid(str(exc)) from exc
        if not (token and token in self.tokens):
            self._refuse_what_rekognition_cannot_read(s3)
        with self.lock:
            if token and token in self.tokens:
                return {"JobId": self.tokens[token]}
            if self.running() >= self.max_jobs:
                raise RekognitionError(400, "LimitExceededException", "too many concurrent segment detection jobs")
            job_id = uuid.uuid4().hex + uuid.uuid4().hex
            self.jobs[job_id] = {
                "JobId": job_id,
                "JobStatus": "IN_PROGRESS",
                "Video": s3,
                "SegmentTypes": types,
                "Filters": filters,
                "JobTag": request.get("JobTag", ""),
                "NotificationChannel": request.get("NotificationChannel") or {},
                "Response": None,
                "StartedAt": time.time(),
            }
            if token:
                self.tokens[token] = job_id
            self.max_running_seen = max(self.max_running_seen, self.running())
        self._save()
        self.pool.submit(self._run, job_id)
        return {"JobId": job_id}

    def _refuse_what_rekognition_cannot_read(self, s3: dict[str, Any]) -> None:
        """Answer a start the service would refuse as it does: suffix, codec, size and duration limits."""
        video = VideoObject(bucket=str(s3["Bucket"]), key=str(s3["Name"]), version_id=s3.get("Version") or None)
        looked = S3MediaProbe(self.s3_client()).probe(video) if routing.needs_probe(video.key, 0) else routing.UNKNOWN
        chosen = routing.route(video.key, 0, looked)
        if chosen.engine == "rekognition":
            return
        if chosen.too_large:
            raise RekognitionError(400, "VideoTooLargeException", f"Video is too large: {chosen.reason}")
        raise _invalid(f"Unsupported video format or codec: {chosen.reason}")

    def get(self, request: dict[str, Any]) -> dict[str, Any]:
        """GetSegmentDetection: status, metadata and a page of segments."""
        job_id = str(request.get("JobId", ""))
        if not 1 <= len(job_id) <= 64 or not JOB_ID.match(job_id):
            raise _invalid("JobId must match ^[a-zA-Z0-9-_]+$ with 1-64 characters")
        max_results = int(request.get("MaxResults", 1000))
        if not 1 <= max_results <= 1000:
            raise _invalid("MaxResults must be between 1 and 1000")
        job = self.jobs.get(job_id)
        if job is None:
            raise RekognitionError(400, "ResourceNotFoundException", f"no job {job_id}")
        offset = 0
        if request.get("NextToken"):
            try:
                offset = int(decode_token(self.secret, str(request["NextToken"]), scope=job_id, fingerprint="")["o"])
            except (InvalidPaginationToken, KeyError, ValueError) as exc:
                raise RekognitionError(400, "InvalidPaginationTokenException", "invalid pagination token") from exc
        # Like the service, every answer names the job and the object version it analyses.
        identity = {"JobId": job_id, "JobTag": job.get("JobTag", ""), "Video": {"S3Object": job["Video"]}}
        if job["JobStatus"] != "SUCCEEDED":
            out: dict[str, Any] = {"JobStatus": job["JobStatus"], **identity}
            if job.get("StatusMessage"):
                out["StatusMessage"] = job["StatusMessage"]
            return out
        response = {**dict(job["Response"]), **identity}
        segments = response.pop("Segments")
        response["Segments"] = segments[offset : offset + max_results]
        if offset + max_results < len(segments):
            response["NextToken"] = encode_token(
                self.secret, scope=job_id, fingerprint="", position={"o": offset + max_results}
            )
        return response

    # -- work ------------------------------------------------------------------------------------
    def _run(self, job_id: str) -> None:
        job = self.jobs[job_id]
        video = job["Video"]
        try:
            with tempfile.TemporaryDirectory() as tmp:
                local = Path(tmp) / "video"
                extra = {"VersionId": video["Version"]} if video.get("Version") else None
                self.s3_client().download_file(video["Bucket"], video["Name"], str(local), ExtraArgs=extra)
                response = detect(str(local), DetectOptions.from_rekognition(job["SegmentTypes"], job["Filters"]))
            outcome: dict[str, Any] = {"JobStatus": "SUCCEEDED", "Response": response}
        except VideoError as exc:
            outcome = {"JobStatus": "FAILED", "StatusMessage": f"Unable to process the video: {exc}"}
        except Exception as exc:  # any other failure is the job's, reported as Rekognition does
            outcome = {"JobStatus": "FAILED", "StatusMessage": f"Internal error while processing the video: {exc}"}
        with self.lock:
            job.update(outcome)
        try:
            self._save()
        finally:
            self._notify(job)

    def _notify(self, job: dict[str, Any]) -> None:
        topic = job["NotificationChannel"].get("SNSTopicArn")
        if not topic:
            return
        message = {
            "JobId": job["JobId"],
            "Status": job["JobStatus"],
            "API": "StartSegmentDetection",
            "JobTag": job["JobTag"],
            "Timestamp": int(time.time() * 1000),
            "Video": {"S3ObjectName": job["Video"]["Name"], "S3Bucket": job["Video"]["Bucket"]},
        }
        self.sns_client().publish(TopicArn=topic, Message=json.dumps(message))
