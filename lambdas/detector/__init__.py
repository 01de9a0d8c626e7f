"""Fallback shot and technical-cue detector with Rekognition-identical output (pure: no AWS imports).

``detect(path)`` returns a ``GetSegmentDetection`` response. Long videos can be cut into
windows: ``detect_raw`` on each window (global frame numbers), ``merge_raw`` to join them,
``assemble`` to build the response — equal to a single pass.

Modules, in the order a frame meets them: ``decode`` (PyAV thumbnails), ``features`` (per-frame
signals in one streaming pass), ``analysis`` (transitions and cue runs from the signals),
``windowing`` (one window of the video, merging windows), ``assembly`` (the response),
``options`` (Rekognition's types and filters).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from detector.assembly import MODEL_VERSION, assemble
from detector.errors import NoVideoStreamError, UnreadableVideoError, VideoError
from detector.options import DetectOptions
from detector.windowing import RawDetection, detect_raw, merge_raw, raw_from_dict, raw_to_dict

__all__ = [
    "MODEL_VERSION",
    "DetectOptions",
    "NoVideoStreamError",
    "RawDetection",
    "UnreadableVideoError",
    "VideoError",
    "assemble",
    "detect",
    "detect_raw",
    "merge_raw",
    "raw_from_dict",
    "raw_to_dict",
]


def detect(
    source: str | BinaryIO,
    options: DetectOptions | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> dict[str, Any]:
    """Detect shots and technical cues; returns the GetSegmentDetection response shape."""
    opts = options or DetectOptions()
    return assemble(detect_raw(source, opts, progress), opts)
