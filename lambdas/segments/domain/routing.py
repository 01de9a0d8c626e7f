"""Which engine can read an upload: Rekognition Video takes H.264 in MP4/MOV, at most 10 GB and 6 hours.

Pure: the decision reads the key's suffix, the object's size and, where a cheap ranged read found
it, the container's first video sample entry (``stsd`` fourcc) and the movie duration. Deciding
before the start keeps a video Rekognition would refuse from holding a job slot for a round trip.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, replace

MAX_BYTES = 10 * 1024**3  # Rekognition Video's object size limit (bytes)
MAX_SECONDS = 6 * 3600  # Rekognition Video's duration limit (seconds)
# ISO base media files Rekognition reads ("MPEG-4 and MOV"); .m4v is the same container as .mp4.
REKOGNITION_SUFFIXES = ("mp4", "mov", "m4v")
H264_FOURCCS = frozenset({"avc1", "avc3"})
CODEC_NAMES = {
    "hvc1": "HEVC",
    "hev1": "HEVC",
    "mp4v": "MPEG-4 Part 2",
    "av01": "AV1",
    "vp08": "VP8",
    "vp09": "VP9",
    "mjpa": "Motion JPEG",
    "jpeg": "Motion JPEG",
    **dict.fromkeys(("apcn", "apch", "apcs", "apco", "ap4h", "ap4x"), "ProRes"),
}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"  # Matroska / WebM, whatever the key's suffix says

# Bounds on the probe's work: a handful of small GETs, never the whole file.
HEAD_BYTES = 64 * 1024
MAX_TOP_LEVEL_BOXES = 64
MAX_MOOV_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ProbeResult:
    """What a ranged read learned about a file; None fields are unknown."""

    container: str | None = None  # "isobmff", "matroska" or None
    video_fourcc: str | None = None  # first sample entry of the first video track, e.g. "avc1"
    duration_seconds: float | None = None  # movie header duration (seconds)
    size_bytes: int | None = None  # the object's size as the probe saw it (bytes)


UNKNOWN = ProbeResult()


@dataclass(frozen=True)
class Route:
    """The engine for one upload and, when it is the fallback, why Rekognition cannot take it."""

    engine: str  # "rekognition" or "fallback"
    reason: str = ""
    too_large: bool = False  # over Rekognition's size or duration limit (VideoTooLargeException), not a format


def suffix_of(key: str) -> str:
    """The key's suffix, lower case, without the dot ("" when none)."""
    name = key.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def needs_probe(key: str, size: int) -> bool:
    """True when suffix and size leave Rekognition possible, so the codec is worth a ranged read."""
    return suffix_of(key) in REKOGNITION_SUFFIXES and size <= MAX_BYTES


def route(key: str, size: int, probe: ProbeResult = UNKNOWN) -> Route:
    """Rekognition unless the suffix, size (bytes), container, codec or duration rules it out.

    An unknown probe result leaves the video to Rekognition: it is the authority on what it
    reads, and a FAILED job there still falls back (in rekognition-with-fallback).
    """
    suffix = suffix_of(key)
    size = max(size, probe.size_bytes or 0)
    if suffix not in REKOGNITION_SUFFIXES:
        shown = f".{suffix}" if suffix else "no suffix"
        return Route("fallback", f"Rekognition reads only MP4/MOV files, not {shown}")
    if size > MAX_BYTES:
        return Route("fallback", f"the file is {size / 1024**3:.1f} GiB; Rekognition reads at most 10 GiB", True)
    if probe.container == "matroska":
        return Route("fallback", "the file is Matroska/WebM despite its suffix; Rekognition reads only MP4/MOV")
    fourcc = probe.video_fourcc
    if fourcc is not None and fourcc not in H264_FOURCCS:
        codec = CODEC_NAMES.get(fourcc, f"'{fourcc}'")
        return Route("fallback", f"the video codec is {codec}; Rekognition reads only H.264")
    if probe.duration_seconds is not None and probe.duration_seconds > MAX_SECONDS:
        hours = probe.duration_seconds / 3600
        return Route("fallback", f"the video lasts {hours:.1f} h; Rekognition reads at most 6 h", True)
    return Route("rekognition")


Read = Callable[[int, int], bytes]
"""Read ``length`` bytes at ``offset`` of the object (fewer at its end)."""


def probe_media(read: Read, size: int) -> ProbeResult:
    """Container, first video fourcc and duration of an ISO base media file from a few ranged reads.

    Walks the top-level boxes by their headers (skipping ``mdat`` without reading it) to the
    ``moov`` box, wherever it is. Anything unexpected answers what was learned so far.
    """
    head = read(0, min(size, HEAD_BYTES))
    if head.startswith(EBML_MAGIC):
        return ProbeResult(container="matroska", size_bytes=size)
    if len(head) < 8 or head[4:8] not in (b"ftyp", b"moov", b"free", b"wide", b"mdat", b"skip"):
        return ProbeResult(size_bytes=size)
    offset = 0
    for _ in range(MAX_TOP_LEVEL_BOXES):
        if offset + 8 > size:
            break
        header = head[offset : offset + 16] if offset + 16 <= len(head) else read(offset, 16)
        box_size, kind, header_size = _box_header(header, size - offset)
        if box_size is None:
            break
        if kind == b"moov":
            if box_size > MAX_MOOV_BYTES:
                break
            body = read(offset + header_size, box_size - header_size)
            return replace(_parse_moov(body), size_bytes=size)
        offset += box_size
    return ProbeResult(container="isobmff", size_bytes=size)


def _box_header(header: bytes, remaining: int) -> tuple[int | None, bytes, int]:
    """(box size, type, header size) of the box starting ``header``; size None when it is not a box."""
    if len(header) < 8:
        return None, b"", 0
    box_size, kind = struct.unpack(">I4s", header[:8])
    header_size = 8
    if box_size == 1:  # 64-bit size follows the type
        if len(header) < 16:
            return None, b"", 0
        (box_size,) = struct.unpack(">Q", header[8:16])
        header_size = 16
    elif box_size == 0:  # the box runs to the end of the file
        box_size = remaining
    if box_size < header_size or box_size > remaining:
        return None, b"", 0
    return box_size, kind, header_size


def _children(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of each box in ``data``; stops at the first malformed one."""
    boxes: list[tuple[bytes, bytes]] = []
    offset = 0
    while offset + 8 <= len(data):
        box_size, kind, header_size = _box_header(data[offset : offset + 16], len(data) - offset)
        if box_size is None:
            break
        boxes.append((kind, data[offset + header_size : offset + box_size]))
        offset += box_size
    return boxes


def _child(data: bytes, kind: bytes) -> bytes | None:
    return next((payload for k, payload in _children(data) if k == kind), None)


def _parse_moov(moov: bytes) -> ProbeResult:
    duration = _movie_seconds(_child(moov, b"mvhd"))
    fourcc = None
    for kind, trak in _children(moov):
        if kind != b"trak":
            continue
        mdia = _child(trak, b"mdia") or b""
        hdlr = _child(mdia, b"hdlr") or b""
        # hdlr: version/flags (4), pre_defined (4), handler_type (4)
        if hdlr[8:12] != b"vide":
            continue
        stbl = _child(_child(mdia, b"minf") or b"", b"stbl") or b""
        stsd = _child(stbl, b"stsd") or b""
        # stsd: version/flags (4), entry_count (4), then sample entries (size 4, fourcc 4, ...)
        if len(stsd) >= 16:
            fourcc = stsd[12:16].decode("latin-1")
            break
    return ProbeResult(container="isobmff", video_fourcc=fourcc, duration_seconds=duration)


def _movie_seconds(mvhd: bytes | None) -> float | None:
    """Duration (seconds) in a movie header, None when absent or unset."""
    if not mvhd or len(mvhd) < 20:
        return None
    if mvhd[0] == 1:  # version 1: 64-bit times
        if len(mvhd) < 32:
            return None
        timescale, duration = struct.unpack(">IQ", mvhd[20:32])
    else:
        timescale, duration = struct.unpack(">II", mvhd[12:20])
    if timescale == 0 or duration in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    return float(duration / timescale)
