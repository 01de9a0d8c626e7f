"""Decode one frame per shot by seeking to the keyframe before it, and encode thumbnails and sprite sheets."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, BinaryIO

import av
import numpy as np
import numpy.typing as npt

from thumbnails.plan import (
    SHEET_COLUMNS,
    SHEET_TILES,
    THUMB_WIDTH,
    TILE_WIDTH,
    ShotSpan,
    representative_window,
    sprite_key,
    thumbnail_key,
)

WEBP_QUALITY = "70"  # libwebp quality 0-100: ≈10 kB per 320 px thumbnail


class ThumbnailError(Exception):
    """The video cannot be opened or decoded for thumbnails."""


@dataclass(frozen=True)
class RenderedShot:
    """One shot's thumbnail and where its tile sits in the filmstrip."""

    index: int
    frame: int
    key: str
    image: bytes
    sheet: int
    slot: int


@dataclass
class ExtractStats:
    """How much work the extraction did: seeks and decoded frames (to compare with the frame count)."""

    seeks: int = 0
    decoded: int = 0


@dataclass
class Rendered:
    """A chunk's thumbnails, its sprite sheets (key → WebP bytes) and their geometry (pixels)."""

    shots: list[RenderedShot]
    sprites: dict[str, bytes]
    width: int
    height: int
    tile_width: int
    tile_height: int
    stats: ExtractStats = field(default_factory=ExtractStats)


def _even(value: Fraction | float) -> int:
    return max(2, round(value / 2) * 2)


def _encode_webp(frame: Any) -> bytes:
    ctx = av.CodecContext.create("libwebp", "w")
    ctx.width, ctx.height, ctx.pix_fmt = frame.width, frame.height, "yuv420p"
    ctx.time_base = Fraction(1, 1)
    ctx.options = {"quality": WEBP_QUALITY}
    packets = [*ctx.encode(frame.reformat(format="yuv420p")), *ctx.encode(None)]
    return b"".join(bytes(p) for p in packets)


class _Grabber:
    """One frame inside each window: seek to the keyframe before the window's end, or keep decoding if closer."""

    def __init__(self, container: Any, stats: ExtractStats) -> None:
        self.container = container
        self.stream = container.streams.video[0]
        self.stream.thread_type = "AUTO"
        raw = self.stream.average_rate or self.stream.guessed_rate or self.stream.base_rate
        if not raw or not self.stream.time_base:
            raise ThumbnailError("the video stream has no frame rate or time base")
        self.rate = Fraction(raw.numerator, raw.denominator)
        self.tb = self.stream.time_base
        self.stats = stats
        # Longest keyframe distance seen (frames); decoding on is cheaper than a seek closer than that.
        self.gop = max(1, round(2 * self.rate))
        self.frames: Iterator[Any] | None = None
        self.last = -1
        self.last_key = -1
        self.keyframes = self._keyframe_index()
        self._skip_nonref(True)

    def _skip_nonref(self, skip: bool) -> None:
        # Frames nothing else is predicted from (most B-frames) need not be decoded to reach a window:
        # that halves the work of typical H.264. Changed only right before a seek, when the decoder is flushed.
        self.skipping = skip
        self.stream.codec_context.skip_frame = "NONREF" if skip else "DEFAULT"

    def _keyframe_index(self) -> list[int]:
        """Keyframe frame numbers from the demuxer's index (MP4/MOV: the stss box; empty when none).

        Decode timestamps start before zero when B-frames delay presentation; counting from the
        first entry puts them on the frame grid closely enough to choose between seeking and decoding on.
        """
        entries = self.stream.index_entries
        if not len(entries):
            return []
        origin = entries[0].timestamp
        return [round(Fraction(e.timestamp - origin) * self.tb * self.rate) for e in entries if e.is_keyframe]

    def _index(self, frame: Any) -> int:
        # The same numbering as the detector: frame = round(pts × time_base × rate).
        return round(Fraction(frame.pts) * self.tb * self.rate) if frame.pts is not None else self.last + 1

    def _keyframe_before(self, frame: int) -> int | None:
        """Position in the keyframe index of the last keyframe at or before ``frame``, if the index is known."""
        position = bisect.bisect_right(self.keyframes, frame) - 1
        return position if position >= 0 else None

    def _seek(self, frame: int) -> None:
        # Seeking compares presentation times: this lands on the last keyframe shown at or before ``frame``.
        offset = max(0, int(Fraction(frame) / self.rate / self.tb))
        self.container.seek(offset, stream=self.stream, backward=True, any_frame=False)
        self.frames = iter(self.container.decode(self.stream))
        self.stats.seeks += 1
        self.last, self.last_key = -1, -1

    def _next(self) -> Any | None:
        assert self.frames is not None
        try:
            frame = next(self.frames, None)
        except av.error.FFmpegError as exc:
            raise ThumbnailError(f"the video is corrupt or truncated near frame {self.last}: {exc}") from exc
        if frame is None:
            self.frames = None
            return None
        self.stats.decoded += 1
        index = self._index(frame)
        if frame.key_frame:
            if self.last_key >= 0:
                self.gop = max(self.gop, index - self.last_key)
            self.last_key = index
        self.last = index
        return frame

    def _should_seek(self, first: int, last: int) -> bool:
        """Seek unless decoding on from the current frame reaches the window with fewer frames than a seek."""
        if self.frames is None or first <= self.last:
            return True
        known = self._keyframe_before(last)
        if known is None:  # no index: guess with the longest keyframe distance seen
            return first - self.last > self.gop
        keyframe = self.keyframes[known]
        if keyframe <= self.last:
            return False  # no keyframe between here and the window: a seek would decode the same frames again
        return keyframe >= first or first - keyframe < first - self.last

    def grab(self, windows: Sequence[tuple[int, int]]) -> Iterator[tuple[tuple[int, int], int, Any]]:
        """``(window, frame number, frame)`` per window in ascending order; past the end, the last frame."""
        for window in sorted(set(windows)):
            first, last = window
            if self._should_seek(first, last):
                if not self.skipping:
                    self._skip_nonref(True)
                self._seek(last)
            previous: tuple[int, Any] | None = None
            while (frame := self._next()) is not None:
                if self.last >= first and (self.last <= last or not self.skipping):
                    yield window, self.last, frame
                    break
                if self.last > last:  # skipped over a narrow window: decode it again, every frame
                    self._skip_nonref(False)
                    self._seek(last)
                    continue
                previous = (self.last, frame)
            else:
                if previous is not None:  # the stream ended before the window: show its last frame
                    yield window, previous[0], previous[1]


def render(
    source: str | BinaryIO,
    shots: Sequence[ShotSpan],
    *,
    video_id: str,
    job_id: str,
    first_position: int = 0,
) -> Rendered:
    """Thumbnails and sprite sheets for ``shots`` (a chunk starting at list position ``first_position``).

    ``first_position`` must be a multiple of SHEET_TILES so each sheet belongs to one chunk.
    """
    if first_position % SHEET_TILES:
        raise ValueError(f"first_position must be a multiple of {SHEET_TILES}, got {first_position}")
    try:
        container = av.open(source, mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise ThumbnailError(f"not a readable video file: {exc}") from exc
    try:
        if not container.streams.video:
            raise ThumbnailError("the file has no video stream")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        sar = stream.sample_aspect_ratio or Fraction(1)
        aspect = Fraction(ctx.width * sar.numerator, ctx.height * sar.denominator)
        width, tile_width = THUMB_WIDTH, TILE_WIDTH
        height, tile_height = _even(width / aspect), _even(tile_width / aspect)
        stats = ExtractStats()
        by_window: dict[tuple[int, int], list[tuple[int, ShotSpan]]] = {}
        for position, shot in enumerate(shots, start=first_position):
            by_window.setdefault(representative_window(shot), []).append((position, shot))
        out: list[RenderedShot] = []
        sheets: dict[int, npt.NDArray[np.uint8]] = {}
        for window, number, frame in _Grabber(container, stats).grab(list(by_window)):
            image = _encode_webp(frame.reformat(width=width, height=height, format="yuv420p"))
            tile = frame.reformat(width=tile_width, height=tile_height, format="rgb24").to_ndarray()
            for position, shot in by_window[window]:
                sheet, slot = divmod(position, SHEET_TILES)
                key = thumbnail_key(video_id, job_id, shot.index)
                out.append(RenderedShot(shot.index, number, key, image, sheet, slot))
                if sheet not in sheets:
                    tiles = min(SHEET_TILES, first_position + len(shots) - sheet * SHEET_TILES)
                    rows = -(-tiles // SHEET_COLUMNS)
                    sheets[sheet] = np.zeros((rows * tile_height, SHEET_COLUMNS * tile_width, 3), dtype=np.uint8)
                row, column = divmod(slot, SHEET_COLUMNS)
                sheets[sheet][
                    row * tile_height : (row + 1) * tile_height, column * tile_width : (column + 1) * tile_width
                ] = tile
        sprites = {
            sprite_key(video_id, job_id, sheet): _encode_webp(av.VideoFrame.from_ndarray(pixels, format="rgb24"))
            for sheet, pixels in sorted(sheets.items())
        }
        out.sort(key=lambda r: r.index)
        return Rendered(out, sprites, width, height, tile_width, tile_height, stats)
    finally:
        container.close()
