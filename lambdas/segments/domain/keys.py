"""Deterministic identifiers and DynamoDB keys (the single-table design).

Table layout (``pk``/``sk`` strings, GSI ``gsi1`` on ``gsi1pk``/``gsi1sk``, GSI ``gsi2`` on ``gsi2pk``/``gsi2sk``):

=========  ======================  ==========================================================
item       pk                      sk
=========  ======================  ==========================================================
video      ``VIDEO#<videoId>``     ``VIDEO``   (gsi1pk ``STATUS#<status>``, gsi1sk ``<updatedAt>#<h16>``)
job        ``JOB#<jobId>``         ``JOB``
segment    ``JOB#<jobId>``         ``SEG#<rank>#<startMs:012d>#<startFrame:010d>#<cueType|SHOT>``
                                   (gsi2pk ``KIND#<cueType|SHOT>``, gsi2sk ``<durationMs:012d>#<h16>``)
slots      ``QUOTA#<kind>``        ``SLOTS``   (map ``holders``: ClientRequestToken → lease start, epoch s)
waiters    ``QUOTA#<kind>``        ``WAITERS`` (map ``waiters``: ClientRequestToken → latest receipt of its upload)
=========  ======================  ==========================================================

* one Query on ``JOB#<jobId>`` with ``begins_with(sk, "SEG#")`` reads a job's
  segments in the reference order (type rank, then start time);
* a video is read by its key, a job by its JobId, videos by status via ``gsi1``;
* segments of every video are searched by kind (cue type or SHOT), longest first, via
  ``gsi2``: a duration range is a key condition, and 16 hex of the item's key digest make
  each index key unique, so a search resumes below the last key it returned;
* every key derives from content, so rewriting a job's results rewrites the
  same items and never duplicates them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence

from segments.domain.model import DEFAULT_SEGMENT_TYPES, Segment

VIDEO_SK = "VIDEO"
JOB_SK = "JOB"
SEGMENT_PREFIX = "SEG#"
GSI1 = "gsi1"
GSI2 = "gsi2"
SEARCH_PREFIX = "KIND#"
# What the search index (gsi2) carries beside the keys: the segment and what a search filters on.
SEARCH_ATTRIBUTES = ("segment", "confidence")
SLOTS_PK = "QUOTA#rekognition"  # the Rekognition job slots (see slots_pk)
SLOTS_SK = "SLOTS"


def video_id_for_key(key: str) -> str:
    """videoId of an S3 object key: URL-safe base64 (RFC 4648 section 5) of its UTF-8 bytes, unpadded."""
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")


def key_for_video_id(video_id: str) -> str:
    """S3 object key of a videoId; raises ValueError when the id is not valid base64url UTF-8."""
    if not video_id or any(c not in _B64URL for c in video_id) or len(video_id) % 4 == 1:
        raise ValueError(f"not a videoId: {video_id!r}")
    padded = video_id + "=" * (-len(video_id) % 4)
    try:
        key = base64.urlsafe_b64decode(padded).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"not a videoId: {video_id!r}") from exc
    if video_id_for_key(key) != video_id:
        raise ValueError(f"not a canonical videoId: {video_id!r}")
    return key


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def client_request_token(bucket: str, key: str, version_id: str | None) -> str:
    """StartSegmentDetection ClientRequestToken: one per object version, so duplicate events start one job."""
    return _digest(bucket, key, version_id or "")[:64]


def status_sort_key(stamp: str, video_id: str) -> str:
    """gsi1 sort key of a video: newest first by ``stamp``; 16 hex of its id's digest break ties.

    Short whatever the S3 key's length, so a /videos NextToken that carries it stays
    within 255 characters.
    """
    return f"{stamp}#{_digest(video_id)[:16]}"


def job_tag(key: str) -> str:
    """JobTag identifying the video in Rekognition's completion message (pattern ``[a-zA-Z0-9_.\\-:]+``)."""
    return "vid-" + _digest(key)[:40]


def fallback_job_id(bucket: str, key: str, version_id: str | None) -> str:
    """JobId of a fallback-detector run; deterministic per object version like the request token."""
    return "fallback-" + _digest(bucket, key, version_id or "")[:48]


def slots_pk(kind: str) -> str:
    """Partition key of the job-slot semaphore of one kind of work (``rekognition``)."""
    return f"QUOTA#{kind}"


def video_pk(video_id: str) -> str:
    """Partition key of a video item."""
    return f"VIDEO#{video_id}"


def job_pk(job_id: str) -> str:
    """Partition key of a job item and of its segments."""
    return f"JOB#{job_id}"


def status_gsi1pk(status: str) -> str:
    """gsi1 partition key listing videos by status."""
    return f"STATUS#{status}"


def segment_sk(segment: Segment, type_order: Sequence[str] = DEFAULT_SEGMENT_TYPES) -> str:
    """Sort key of a segment item: sorts as the reference orders segments (type rank, start time)."""
    kind = str(segment["Type"])
    rank = type_order.index(kind) if kind in type_order else len(type_order)
    label = segment.get("TechnicalCueSegment", {}).get("Type") or "SHOT"
    start_ms = int(segment["StartTimestampMillis"])
    start_frame = int(segment["StartFrameNumber"])
    return f"{SEGMENT_PREFIX}{rank}#{start_ms:012d}#{start_frame:010d}#{label}"


def segment_kind(segment: Segment) -> str:
    """What a search partitions segments by: the technical cue's type, or SHOT."""
    return str(segment.get("TechnicalCueSegment", {}).get("Type") or "SHOT")


def search_pk(kind: str) -> str:
    """gsi2 partition key of the segments of one kind (a cue type or SHOT)."""
    return f"{SEARCH_PREFIX}{kind}"


def search_sk(duration_ms: int, pk: str, sk: str) -> str:
    """gsi2 sort key: duration (ms) sorts the kind, the item's key digest makes the index key unique."""
    return f"{max(0, int(duration_ms)):012d}#{_digest(pk, sk)[:16]}"


def search_keys(pk: str, sk: str, segment: Segment) -> dict[str, str]:
    """The search index keys (gsi2pk, gsi2sk) of the segment item ``pk``/``sk`` holding ``segment``."""
    return {
        "gsi2pk": search_pk(segment_kind(segment)),
        "gsi2sk": search_sk(int(segment.get("DurationMillis", 0)), pk, sk),
    }


def search_bound(duration_ms: int, *, upper: bool) -> str:
    """A gsi2 sort-key bound that includes every segment of exactly ``duration_ms``."""
    return f"{max(0, int(duration_ms)):012d}#{'~' if upper else ''}"
