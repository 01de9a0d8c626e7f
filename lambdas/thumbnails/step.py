"""The pipeline's thumbnail step: chunk by chunk, resumable, and never failing the job it decorates."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any, BinaryIO, Protocol

from thumbnails.extract import render
from thumbnails.plan import CHUNK_SHOTS, PREFIX, SHEET_COLUMNS, SHEET_TILES, ShotSpan, chunk_ranges, manifest_key

logger = logging.getLogger(__name__)
SUCCEEDED, FAILED = "SUCCEEDED", "FAILED"


class Media(Protocol):
    """Where the video is read and the images, parts and manifest are written."""

    def open_video(self, bucket: str, key: str, version_id: str | None) -> BinaryIO: ...
    def put_object(self, key: str, body: bytes, content_type: str) -> None: ...
    def get_json(self, key: str) -> dict[str, Any] | None: ...
    def put_json(self, key: str, document: dict[str, Any]) -> None: ...
    def record_thumbnails(self, video_id: str, job_id: str, status: str, message: str) -> None: ...


def shots_from_segments(segments: Iterable[dict[str, Any]]) -> list[ShotSpan]:
    """The SHOT segments of a GetSegmentDetection response as spans, in index order."""
    spans = [
        ShotSpan(int(s["ShotSegment"]["Index"]), int(s["StartFrameNumber"]), int(s["EndFrameNumber"]))
        for s in segments
        if s.get("Type") == "SHOT" and "ShotSegment" in s
    ]
    return sorted(spans, key=lambda s: s.index)


def _part_key(video_id: str, job_id: str, chunk: int) -> str:
    return f"{PREFIX}{video_id}/{job_id}/part-{chunk:04d}.json"


def run_chunk(job: dict[str, Any], shots: Sequence[ShotSpan], chunk: int, media: Media) -> dict[str, Any]:
    """Render and store one chunk of shots; returns its part record (kept in S3, so a retry skips the chunk)."""
    video_id, job_id = job["videoId"], job["jobId"]
    part_key = _part_key(video_id, job_id, chunk)
    done = media.get_json(part_key)
    if done is not None:
        return done
    first, last = chunk_ranges(len(shots), int(job.get("chunkShots") or CHUNK_SHOTS))[chunk]
    with media.open_video(job["bucket"], job["key"], job.get("versionId") or None) as handle:
        result = render(handle, shots[first:last], video_id=video_id, job_id=job_id, first_position=first)
    for shot in result.shots:
        media.put_object(shot.key, shot.image, "image/webp")
    for key, body in result.sprites.items():
        media.put_object(key, body, "image/webp")
    part = {
        "shots": [{k: v for k, v in asdict(s).items() if k != "image"} for s in result.shots],
        "sprites": sorted(result.sprites),
        "width": result.width,
        "height": result.height,
        "tileWidth": result.tile_width,
        "tileHeight": result.tile_height,
        "seeks": result.stats.seeks,
        "decodedFrames": result.stats.decoded,
    }
    media.put_json(part_key, part)
    return part


def finish(job: dict[str, Any], parts: Sequence[dict[str, Any]], media: Media) -> dict[str, Any]:
    """Write the manifest from the chunks' parts and record the video's thumbnails SUCCEEDED."""
    shots = [s for p in parts for s in p["shots"]]
    geometry = {k: parts[0][k] for k in ("width", "height", "tileWidth", "tileHeight")} if parts else {}
    manifest = {
        "videoId": job["videoId"],
        "jobId": job["jobId"],
        "status": SUCCEEDED,
        "message": "",
        **geometry,
        "sheetTiles": SHEET_TILES,
        "sheetColumns": SHEET_COLUMNS,
        "shots": sorted(shots, key=lambda s: int(s["index"])),
        "sprites": sorted(k for p in parts for k in p["sprites"]),
    }
    media.put_json(manifest_key(job["videoId"], job["jobId"]), manifest)
    media.record_thumbnails(job["videoId"], job["jobId"], SUCCEEDED, "")
    return manifest


def record_failure(job: dict[str, Any], message: str, media: Media) -> dict[str, Any]:
    """Record why a job has no thumbnails (the manifest and the video say so; the job stays SUCCEEDED)."""
    text = f"thumbnails failed: {message}"[:1000]
    manifest = {"videoId": job["videoId"], "jobId": job["jobId"], "status": FAILED, "message": text, "shots": []}
    media.put_json(manifest_key(job["videoId"], job["jobId"]), manifest)
    media.record_thumbnails(job["videoId"], job["jobId"], FAILED, text)
    return manifest


def run(job: dict[str, Any], shots: Sequence[ShotSpan], media: Media) -> dict[str, Any]:
    """Every chunk, then the manifest; any error is recorded on the video instead of raised."""
    try:
        count = len(chunk_ranges(len(shots), int(job.get("chunkShots") or CHUNK_SHOTS)))
        parts = [run_chunk(job, shots, chunk, media) for chunk in range(count)]
        return finish(job, parts, media)
    except Exception as exc:  # thumbnails are optional: the job's results stand without them
        logger.warning("thumbnail step failed", exc_info=True)
        return record_failure(job, f"{type(exc).__name__}: {exc}", media)
