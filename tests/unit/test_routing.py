"""Which engine an upload goes to: the pure routing decision and the ISO base media probe."""

from __future__ import annotations

import struct

import pytest

from segments.domain.routing import MAX_BYTES, UNKNOWN, ProbeResult, probe_media, route

GIB = 1024**3


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def movie(fourcc: bytes, *, timescale: int = 1000, duration: int = 2000, handler: bytes = b"vide") -> bytes:
    mvhd = box(b"mvhd", bytes(12) + struct.pack(">II", timescale, duration) + bytes(80))
    hdlr = box(b"hdlr", bytes(8) + handler + bytes(12))
    stsd = box(b"stsd", bytes(4) + struct.pack(">I", 1) + box(fourcc, bytes(78)))
    trak = box(b"trak", box(b"mdia", hdlr + box(b"minf", box(b"stbl", stsd))))
    return box(b"moov", mvhd + trak)


def reader(data: bytes, log: list[tuple[int, int]] | None = None):  # type: ignore[no-untyped-def]
    def read(offset: int, length: int) -> bytes:
        if log is not None:
            log.append((offset, length))
        return data[offset : offset + length]

    return read


# The README's routing table, row by row: (key, size, probe) → engine.
@pytest.mark.parametrize(
    ("key", "size", "probe", "engine", "why"),
    [
        ("clip.mp4", 10 * 1024**2, ProbeResult("isobmff", "avc1", 60.0), "rekognition", ""),
        ("clip.MOV", 10 * 1024**2, ProbeResult("isobmff", "avc3", 60.0), "rekognition", ""),
        ("clip.m4v", 10 * 1024**2, UNKNOWN, "rekognition", ""),
        ("clip.mkv", 10 * 1024**2, UNKNOWN, "fallback", ".mkv"),
        ("clip.webm", 10 * 1024**2, UNKNOWN, "fallback", ".webm"),
        ("clip.mp4", MAX_BYTES + 1, UNKNOWN, "fallback", "10 GiB"),
        ("clip.mp4", 10 * 1024**2, ProbeResult("isobmff", "hvc1", 60.0), "fallback", "HEVC"),
        ("clip.mov", 10 * 1024**2, ProbeResult("isobmff", "apch", 60.0), "fallback", "ProRes"),
        ("clip.mp4", 10 * 1024**2, ProbeResult("isobmff", "mp4v", 60.0), "fallback", "MPEG-4 Part 2"),
        ("clip.mp4", 10 * 1024**2, ProbeResult("isobmff", "avc1", 6 * 3600 + 1.0), "fallback", "6 h"),
        ("clip.mp4", 10 * 1024**2, ProbeResult("matroska"), "fallback", "Matroska"),
    ],
)
def test_routing_table_row(key: str, size: int, probe: ProbeResult, engine: str, why: str) -> None:
    chosen = route(key, size, probe)
    assert chosen.engine == engine
    assert why in chosen.reason


def test_limits_are_reported_as_too_large_and_formats_are_not() -> None:
    assert route("a.mp4", 11 * GIB).too_large
    assert route("a.mp4", 1, ProbeResult(duration_seconds=7 * 3600.0)).too_large
    assert not route("a.mkv", 1).too_large
    assert not route("a.mp4", 1, ProbeResult(video_fourcc="hev1")).too_large


def test_a_size_seen_by_the_probe_counts_when_the_event_carried_none() -> None:
    assert route("a.mp4", 0, ProbeResult(size_bytes=11 * GIB)).engine == "fallback"


def test_exactly_at_the_limits_still_goes_to_rekognition() -> None:
    assert route("a.mp4", MAX_BYTES, ProbeResult("isobmff", "avc1", 6 * 3600.0)).engine == "rekognition"


def test_probe_reads_the_codec_and_duration_of_a_moov_after_the_media_data() -> None:
    data = box(b"ftyp", b"isom" + bytes(4)) + box(b"mdat", bytes(200_000)) + movie(b"hvc1", duration=90_000)
    log: list[tuple[int, int]] = []
    found = probe_media(reader(data, log), len(data))
    assert found == ProbeResult("isobmff", "hvc1", 90.0, len(data))
    assert sum(length for _, length in log) < 100_000  # the media data is skipped, not read


def test_probe_takes_the_video_track_not_the_first_track() -> None:
    sound = movie(b"mp4a", handler=b"soun")
    both = box(b"moov", sound[8:] + movie(b"avc1")[8:])
    data = box(b"ftyp", b"qt  " + bytes(4)) + both
    assert probe_media(reader(data), len(data)).video_fourcc == "avc1"


def test_probe_knows_matroska_by_its_magic_whatever_the_suffix() -> None:
    data = b"\x1a\x45\xdf\xa3" + bytes(100)
    assert probe_media(reader(data), len(data)).container == "matroska"


@pytest.mark.parametrize(
    "data",
    [b"definitely not a video\n", b"", struct.pack(">I4s", 4, b"ftyp") + bytes(8), box(b"ftyp", b"isom") + b"\xff" * 9],
)
def test_probe_of_garbage_or_truncated_files_knows_no_codec(data: bytes) -> None:
    found = probe_media(reader(data), len(data))
    assert found.video_fourcc is None and found.container != "matroska"
    assert route("x.mp4", len(data), found).engine == "rekognition"  # Rekognition decides what it cannot tell
