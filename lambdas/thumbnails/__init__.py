"""Shot thumbnails and filmstrip sprites: one representative frame per shot, found by seeking (PyAV + numpy).

Pure library: it reads a path or a seekable binary file and returns encoded images; storing
them (S3) and recording the outcome are the caller's job (see ``thumbnails.step``).
"""

from thumbnails.extract import ExtractStats, RenderedShot, render
from thumbnails.plan import (
    PREFIX,
    SHEET_COLUMNS,
    SHEET_TILES,
    ShotSpan,
    chunk_ranges,
    manifest_key,
    representative_window,
    sprite_key,
    thumbnail_key,
)

__all__ = [
    "PREFIX",
    "SHEET_COLUMNS",
    "SHEET_TILES",
    "ExtractStats",
    "RenderedShot",
    "ShotSpan",
    "chunk_ranges",
    "manifest_key",
    "render",
    "representative_window",
    "sprite_key",
    "thumbnail_key",
]
