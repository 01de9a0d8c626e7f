"""What a dead-lettered message means for the videos it was about (pure: written against the ports)."""

from __future__ import annotations

import json

from segments.domain import keys
from segments.domain.events import EventError, completion_from_sns_body, uploads_in_s3_event
from segments.ports import JobSlots, ResultStore

REDRIVE = "re-upload the video (or copy the object onto itself) to retry"


def _is_s3_notification(body: str) -> bool:
    try:
        document = json.loads(body)
    except ValueError:
        return False
    return isinstance(document, dict) and ("Records" in document or document.get("Event") == "s3:TestEvent")


def settle_dead_letter(body: str, *, store: ResultStore, slots: JobSlots, receives: int = 0) -> list[str]:
    """Mark the video of a dead-lettered upload event, or the job of a completion, FAILED; returns outcomes.

    Only what has not reached a final state changes: a video whose job for the same version
    exists keeps it (the sweeper settles that job), a job already final stays as it is.
    """
    tries = f" after {receives} attempts" if receives else ""
    if _is_s3_notification(body):
        outcomes = []
        for video in uploads_in_s3_event(body):
            message = f"the upload event could not be processed{tries} and was dead-lettered; {REDRIVE}"
            done = store.record_video_status(video, status="FAILED", message=message, source="rekognition")
            if done:
                # No job runs for this version (else the write above would not apply), so a slot its
                # start took before dying belongs to nobody: no redelivery will come to release it.
                slots.release(keys.client_request_token(video.bucket, video.key, video.version_id))
            outcomes.append("video-failed" if done else "video-has-job")
        return outcomes
    try:
        completion = completion_from_sns_body(body)
    except EventError:
        return ["unreadable"]
    job = store.get_job(completion.job_id)
    if job is None:
        return ["unknown-job"]
    slots.release(job.client_request_token)
    message = f"the Rekognition completion could not be stored{tries} and was dead-lettered; {REDRIVE}"
    return ["job-failed" if store.complete_job(job.job_id, status="FAILED", status_message=message) else "job-final"]
