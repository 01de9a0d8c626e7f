"""Streaming decode with PyAV: tiny luma/chroma thumbnails per frame, global frame numbers, metadata."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, BinaryIO

import av
import numpy as np
import numpy.typing as npt

from detector.errors import NoVideoStreamError, UnreadableVideoError
from segments.domain.timecode import exact_rate, millis_to_frame

# Thumbnails about this many luma pixels wide: enough for cue statistics, cheap to compare.
TARGET_WIDTH = 96
# A nominal rate above this is a container's time base (Matroska's 1000/s), not a frame rate.
MAX_NOMINAL_RATE = 120

U8 = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Probe:
    """What the container says about the video (and audio) before decoding."""

    rate: Fraction
    width: int
    height: int
    frame_count: int | None
    duration_ms: int | None
    full_range: bool
    video_metadata: dict[str, Any]
    audio_metadata: list[dict[str, Any]]


@dataclass
class Thumb:
    """One decoded frame, reduced: luma (h×w) and the two chroma planes, uint8."""

    index: int
    y: U8
    u: U8
    v: U8
    key: bool = False
    """The decoder marked the picture a keyframe (prediction restarts here)."""
    rgb: U8 | None = None
    """The whole picture at 48x27 RGB (bicubic), for detector.transnet; only when the reader was asked."""


def _open(source: str | BinaryIO) -> Any:
    try:
        return av.open(source, mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise UnreadableVideoError(f"not a readable video file: {exc}") from exc


def _nominal_rate(stream: Any) -> Fraction | None:
    """The rate of the frame grid: the stream's nominal rate, not its average.

    A phone records variable frame rate: frames are dropped (a dark scene, a busy encoder), so the
    average rate (29.7, 22.5) sits below the rate the timestamps are laid on (``r_frame_rate``,
    30). Timecodes and frame numbers use the nominal rate and each frame is placed by its timestamp.
    """
    average, nominal = stream.average_rate, stream.base_rate
    chosen = average or stream.guessed_rate or nominal
    if average and nominal and average < nominal <= MAX_NOMINAL_RATE:
        chosen = nominal
    if not chosen:
        return None
    return exact_rate(Fraction(chosen.numerator, chosen.denominator))


def _probe(container: Any) -> Probe:
    if not container.streams.video:
        kinds = sorted({s.type for s in container.streams}) or ["nothing"]
        raise NoVideoStreamError(f"the file has no video stream (found: {', '.join(kinds)})")
    stream = container.streams.video[0]
    ctx = stream.codec_context
    rate = _nominal_rate(stream)
    if rate is None or not ctx.width:
        raise UnreadableVideoError("the video stream has no frame rate or size")
    duration_ms: int | None = None
    if stream.duration is not None and stream.time_base is not None:
        duration_ms = int(stream.duration * stream.time_base * 1000)
    elif container.duration is not None:
        duration_ms = int(container.duration / 1000)
    frame_count = int(stream.frames) if stream.frames else None
    if duration_ms is not None:
        # Variable frame rate: fewer frames than the nominal grid has slots; the grid is what counts.
        frame_count = max(frame_count or 0, millis_to_frame(duration_ms, rate)) or None
    # AVCOL_RANGE_JPEG (2) is full range; unspecified is treated as limited, as broadcast video is.
    full_range = int(getattr(ctx, "color_range", 0) or 0) == 2
    video_metadata = {
        "Codec": ctx.name,
        "DurationMillis": duration_ms or 0,
        "Format": container.format.long_name,
        "FrameRate": round(float(rate), 3),
        "FrameHeight": ctx.height,
        "FrameWidth": ctx.width,
        "ColorRange": "FULL" if full_range else "LIMITED",
    }
    audio = []
    for a in container.streams.audio:
        a_ms = int(a.duration * a.time_base * 1000) if a.duration is not None and a.time_base else duration_ms or 0
        audio.append(
            {
                "Codec": a.codec_context.name,
                "DurationMillis": a_ms,
                "SampleRate": int(a.codec_context.sample_rate or 0),
                "NumberOfChannels": int(a.codec_context.channels or 0),
            }
        )
    return Probe(rate, ctx.width, ctx.height, frame_count, duration_ms, full_range, video_metadata, audio)


def _plane(plane: Any, height: int, width: int, step: int) -> U8:
    """A plane's pixels subsampled by ``step`` without copying the full frame."""
    buf = np.frombuffer(plane, dtype=np.uint8)
    rows = buf.reshape(-1, plane.line_size)[:height, :width]
    off = step // 2
    return np.ascontiguousarray(rows[off::step, off::step])


class _Clock:
    """ffmpeg's best-effort timestamp: a frame's pts unless pts has gone backwards more often than dts.

    Some containers (AVI with packed B-frames) label decoded frames with out-of-order pts while
    their dts count up; ffmpeg itself then numbers frames by dts.
    """

    def __init__(self) -> None:
        self.last_pts: int | None = None
        self.last_dts: int | None = None
        self.faulty_pts = 0
        self.faulty_dts = 0

    def best_effort(self, pts: int | None, dts: int | None) -> int | None:
        if dts is not None:
            self.faulty_dts += self.last_dts is not None and dts <= self.last_dts
            self.last_dts = dts
        if pts is not None:
            self.faulty_pts += self.last_pts is not None and pts <= self.last_pts
            self.last_pts = pts
        if pts is not None and (self.faulty_pts <= self.faulty_dts or dts is None):
            return pts
        return dts


class VideoReader:
    """Open a path or seekable binary file and stream reduced frames with global frame numbers."""

    def __init__(self, source: str | BinaryIO, threads: int = 0, rgb: bool = False) -> None:
        self.rgb = rgb
        self.container = _open(source)
        try:
            self.probe = _probe(self.container)
        except Exception:
            self.container.close()
            raise
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        if threads:
            self.stream.codec_context.thread_count = threads
        self.step = max(1, self.probe.width // TARGET_WIDTH)

    def close(self) -> None:
        """Release the demuxer and decoder."""
        self.container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def frames(self, start_frame: int = 0, end_frame: int | None = None) -> Iterator[Thumb]:
        """Thumbnails of frames ``start_frame``..``end_frame`` (inclusive), numbered from the video's start."""
        rate = self.probe.rate
        tb = self.stream.time_base
        # Frame 0 is the video's first frame, wherever its stream starts: a recording whose picture
        # starts after its sound (start_time 0.85 s) has no frames before it to number, and decoders,
        # editors and the container's own frame count all count from it.
        origin = self.stream.start_time or 0
        if start_frame > 0 and tb:
            # Seek to the keyframe at or before the window, then decode forward.
            target = origin + int(Fraction(start_frame) / rate / tb)
            self.container.seek(max(0, target), stream=self.stream, backward=True, any_frame=False)
        last = -1
        step = self.step
        clock = _Clock()
        try:
            for frame in self.container.decode(self.stream):
                stamp = clock.best_effort(frame.pts, frame.dts)
                index = round(Fraction(stamp - origin) * tb * rate) if stamp is not None and tb else last + 1
                if index <= last:
                    continue  # VFR duplicates map onto an already-seen frame number
                if index < start_frame:
                    continue
                if end_frame is not None and index > end_frame:
                    return
                if frame.format.name not in ("yuv420p", "yuvj420p"):
                    frame = frame.reformat(format="yuv420p")
                h, w = frame.height, frame.width
                y = _plane(frame.planes[0], h, w, step)
                u = _plane(frame.planes[1], (h + 1) // 2, (w + 1) // 2, max(1, step // 2))
                v = _plane(frame.planes[2], (h + 1) // 2, (w + 1) // 2, max(1, step // 2))
                # TransNetV2 was trained on ffmpeg's bicubic 48x27 scaling; bilinear differs by ~2 levels.
                rgb = (
                    frame.to_ndarray(width=48, height=27, format="rgb24", interpolation="BICUBIC") if self.rgb else None
                )
                # Fill VFR gaps by repeating the frame, so numbering stays on the exact rate grid;
                # the picture first shows (and may jump) on the first slot, which carries its key flag.
                first = max(last + 1, start_frame)
                for i in range(first, index + 1):
                    yield Thumb(i, y, u, v, key=i == first and bool(frame.key_frame), rgb=rgb)
                last = index
        except av.error.FFmpegError as exc:
            raise UnreadableVideoError(f"the video is corrupt or truncated after frame {last}: {exc}") from exc
        if last < 0 and start_frame == 0:
            raise UnreadableVideoError("the video stream holds no decodable frame")
