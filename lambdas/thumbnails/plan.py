"""Which frame represents a shot, where its images live, and how a long video splits into chunks (pure)."""

from __future__ import annotations

from dataclasses import dataclass

# Every thumbnail object lives under this prefix of the videos bucket, one folder per video and job:
#   thumbnails/<videoId>/<jobId>/shot-<index:05d>.webp     one ≈320 px wide image per shot
#   thumbnails/<videoId>/<jobId>/sprite-<sheet:04d>.webp   filmstrip sheets, SHEET_TILES tiles each
#   thumbnails/<videoId>/<jobId>/manifest.json             what exists (or why nothing does)
# Keys derive only from the video, the job and the shot index, so a retry rewrites the same objects.
PREFIX = "thumbnails/"
THUMB_WIDTH = 320  # pixels
TILE_WIDTH = 160  # pixels, one filmstrip tile
SHEET_COLUMNS = 10
SHEET_TILES = 100  # tiles per sprite sheet (10 × 10): a 1,600 px wide sheet, far below WebP's 16,383 px limit
CHUNK_SHOTS = 1000  # shots per chunk (a whole number of sheets)


@dataclass(frozen=True)
class ShotSpan:
    """A shot by its index and first/last frame numbers (inclusive)."""

    index: int
    start_frame: int
    end_frame: int


def representative_window(shot: ShotSpan) -> tuple[int, int]:
    """First and last frame (inclusive) a shot's thumbnail may show: its middle half, away from both transitions.

    Any frame in the window will do, so the extractor takes a keyframe there when one exists
    (one decoded frame) and otherwise the window's first frame after the keyframe before it.
    """
    length = max(1, shot.end_frame - shot.start_frame + 1)
    if length < 4:
        middle = shot.start_frame + (length - 1) // 2
        return middle, middle
    return shot.start_frame + length // 4, shot.end_frame - length // 4


def _folder(video_id: str, job_id: str) -> str:
    return f"{PREFIX}{video_id}/{job_id}/"


def thumbnail_key(video_id: str, job_id: str, index: int) -> str:
    """S3 key of one shot's thumbnail."""
    return f"{_folder(video_id, job_id)}shot-{index:05d}.webp"


def sprite_key(video_id: str, job_id: str, sheet: int) -> str:
    """S3 key of one filmstrip sheet (shots ``sheet*SHEET_TILES`` onwards)."""
    return f"{_folder(video_id, job_id)}sprite-{sheet:04d}.webp"


def manifest_key(video_id: str, job_id: str) -> str:
    """S3 key of the manifest listing a job's thumbnails and sheets."""
    return f"{_folder(video_id, job_id)}manifest.json"


def chunk_ranges(shot_count: int, chunk_shots: int = CHUNK_SHOTS) -> list[tuple[int, int]]:
    """Half-open ranges of shot positions, each a whole number of sprite sheets (the last may be short)."""
    if chunk_shots < SHEET_TILES or chunk_shots % SHEET_TILES:
        raise ValueError(f"chunk_shots must be a positive multiple of {SHEET_TILES}, got {chunk_shots}")
    return [(start, min(shot_count, start + chunk_shots)) for start in range(0, shot_count, chunk_shots)]
