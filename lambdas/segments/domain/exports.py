"""Exports of a GetSegmentDetection response: CSV, CMX 3600 EDL and WebVTT chapters.

The CLI and the read API both call :func:`render`, so a file exported either way is identical.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from segments.domain.timecode import exact_rate, frame_to_smpte, is_drop_frame

FORMATS = ("json", "csv", "edl", "vtt")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "edl": "text/plain; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}
CSV_COLUMNS = (
    "Type",
    "CueType",
    "ShotIndex",
    "Confidence",
    "StartFrameNumber",
    "EndFrameNumber",
    "DurationFrames",
    "StartTimestampMillis",
    "EndTimestampMillis",
    "DurationMillis",
    "StartTimecodeSMPTE",
    "EndTimecodeSMPTE",
    "DurationSMPTE",
)


def render(fmt: str, response: dict[str, Any], title: str = "segments") -> tuple[str, str, str]:
    """Render ``response`` as ``fmt`` (csv, edl, vtt); returns (body, content type, file extension)."""
    segments: Sequence[dict[str, Any]] = response.get("Segments", [])
    if fmt == "csv":
        return to_csv(segments), CONTENT_TYPES["csv"], "csv"
    if fmt == "edl":
        return to_edl(segments, _frame_rate(response), title), CONTENT_TYPES["edl"], "edl"
    if fmt == "vtt":
        return to_vtt(segments), CONTENT_TYPES["vtt"], "vtt"
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def _frame_rate(response: dict[str, Any]) -> float:
    metadata = response.get("VideoMetadata") or [{}]
    rate = metadata[0].get("FrameRate")
    if not rate:
        raise ValueError("an EDL needs the video's frame rate (VideoMetadata.FrameRate)")
    return float(rate)


def to_csv(segments: Sequence[dict[str, Any]]) -> str:
    """One row per segment with a header row; RFC 4180 quoting."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for seg in segments:
        cue = seg.get("TechnicalCueSegment", {})
        shot = seg.get("ShotSegment", {})
        writer.writerow(
            [
                seg.get("Type", ""),
                cue.get("Type", ""),
                shot.get("Index", ""),
                (shot or cue).get("Confidence", ""),
                *(seg.get(column, "") for column in CSV_COLUMNS[4:]),
            ]
        )
    return out.getvalue()


def to_edl(segments: Sequence[dict[str, Any]], frame_rate: float, title: str) -> str:
    """CMX 3600 EDL: one cut event per shot, source and record timecodes at the video's own rate."""
    rate = exact_rate(frame_rate)
    drop = is_drop_frame(rate)
    safe_title = "".join(c if c.isprintable() else "_" for c in title)[:70] or "segments"
    lines = [f"TITLE: {safe_title}", f"FCM: {'DROP FRAME' if drop else 'NON-DROP FRAME'}", ""]
    shots = [s for s in segments if s.get("Type") == "SHOT"]
    for number, seg in enumerate(shots, start=1):
        start = int(seg["StartFrameNumber"])
        end = int(seg["EndFrameNumber"]) + 1  # EDL out points are exclusive
        src_in, src_out = frame_to_smpte(start, rate), frame_to_smpte(end, rate)
        lines.append(f"{number:03d}  AX       V     C        {src_in} {src_out} {src_in} {src_out}")
        lines.append(f"* FROM CLIP NAME: {safe_title}")
        lines.append(f"* SHOT {seg['ShotSegment']['Index']} CONFIDENCE {seg['ShotSegment']['Confidence']}")
        lines.append("")
    return "\r\n".join(lines)


def _vtt_time(millis: int) -> str:
    hours, rest = divmod(int(millis), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"


def to_vtt(segments: Sequence[dict[str, Any]]) -> str:
    """WebVTT chapters: one cue per shot (or per technical cue when no shots were requested)."""
    shots = [s for s in segments if s.get("Type") == "SHOT"]
    chosen = shots or [s for s in segments if s.get("Type") == "TECHNICAL_CUE"]
    blocks = ["WEBVTT", ""]
    for number, seg in enumerate(chosen, start=1):
        label = (
            f"Shot {seg['ShotSegment']['Index']}"
            if seg.get("Type") == "SHOT"
            else str(seg["TechnicalCueSegment"]["Type"])
        )
        blocks.append(str(number))
        blocks.append(f"{_vtt_time(seg['StartTimestampMillis'])} --> {_vtt_time(seg['EndTimestampMillis'])}")
        blocks.append(label)
        blocks.append("")
    return "\n".join(blocks)
