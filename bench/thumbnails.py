"""Thumbnail step cost vs detection cost on the same 10-minute 1080p video (~200 shots), in one run.

Usage: .venv/bin/python bench/thumbnails.py [--minutes 10]   (writes bench/out/thumbnails.md)
The clip (cached under bench/cache/) is testsrc2 at 1920x1080, 29.97 fps, with its hue jumping every
3 s (a hard cut), encoded by libx264 with ffmpeg's defaults (preset veryfast: keyframes every
≤250 frames and at scene cuts) — the GOP structure decides how far each seek has to decode.
Both steps read the file through a counting file object, as they read S3 through ranged GETs.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambdas")]

from detector import DetectOptions, detect  # noqa: E402
from thumbnails.extract import render  # noqa: E402
from thumbnails.step import shots_from_segments  # noqa: E402

CACHE = ROOT / "bench" / "cache"
OUT = ROOT / "bench" / "out"
SHOT_SECONDS = 3


class CountingFile(io.FileIO):
    """A file that counts the bytes read (what ranged GETs would fetch)."""

    bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data or b"")
        return data or b""


def make_clip(minutes: int) -> Path:
    """The cached benchmark clip, encoded on first use (minutes of CPU time at 1080p)."""
    path = CACHE / f"thumbs_1080p_{minutes}min.mp4"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    graph = (
        f"testsrc2=s=1920x1080:r=30000/1001:d={minutes * 60},"
        f"hue=H='2*PI*mod(floor(t/{SHOT_SECONDS})*0.382\\,1)':s='1+0.6*mod(floor(t/{SHOT_SECONDS}),2)'"
    )
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", graph, "-c:v", "libx264", "-preset", "veryfast"]
    subprocess.run([*cmd, "-pix_fmt", "yuv420p", str(path.with_suffix(".tmp.mp4"))], check=True)
    path.with_suffix(".tmp.mp4").replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=int, default=10)
    args = parser.parse_args()
    clip = make_clip(args.minutes)
    with CountingFile(clip) as handle:
        started = time.perf_counter()
        response = detect(handle, DetectOptions(threads=0))
        detect_s = time.perf_counter() - started
        detect_bytes = handle.bytes_read
    shots = shots_from_segments(response["Segments"])
    frames = int(response["Segments"][-1]["EndFrameNumber"]) + 1 if response["Segments"] else 0
    with CountingFile(clip) as handle:
        started = time.perf_counter()
        result = render(handle, shots, video_id="bench", job_id="bench")
        thumbs_s = time.perf_counter() - started
        thumbs_bytes = handle.bytes_read
    image_bytes = sum(len(s.image) for s in result.shots)
    sprite_bytes = sum(len(b) for b in result.sprites.values())
    per_image_kb = image_bytes / 1e3 / max(1, len(result.shots))
    rows = [
        "| step | wall s | frames decoded | MB read | output |",
        "|---|---:|---:|---:|---|",
        f"| detection (fallback detector, all frames) | {detect_s:.1f} | {frames:,} | {detect_bytes / 1e6:,.0f} "
        f"| {len(shots)} shots |",
        f"| thumbnails (seek per shot) | {thumbs_s:.1f} | {result.stats.decoded:,} | {thumbs_bytes / 1e6:,.0f} "
        f"| {len(result.shots)} × {result.width}x{result.height} WebP ({per_image_kb:.1f} kB "
        f"each), {len(result.sprites)} sprite sheet(s) ({sprite_bytes / 1e3:.0f} kB), {result.stats.seeks} seeks |",
    ]
    lines = [
        "# Thumbnails vs detection",
        "",
        f"Machine: {os.cpu_count()} cores (shared); clip: {clip.name}, {clip.stat().st_size / 1e6:.0f} MB; "
        f"command: `.venv/bin/python bench/thumbnails.py --minutes {args.minutes}`",
        "",
        *rows,
        "",
        f"Thumbnail time is {100 * thumbs_s / detect_s:.1f} % of detection time.",
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "thumbnails.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
