"""What the routing probe costs: ranged reads and bytes per upload, by container layout and codec.

Usage: .venv/bin/python bench/routing_probe.py [--minutes 30]   (writes bench/out/routing_probe.md)
Clips (cached under bench/cache/) are testsrc2 at 160x90, 30 fps, so the ``moov`` box grows with the
sample count as a feature film's does (its size depends on frames, not resolution). Reads go to a
local file through the same ``read(offset, length)`` the S3 adapter turns into ranged GETs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambdas")]

from segments.domain.routing import probe_media, route  # noqa: E402

CACHE = ROOT / "bench" / "cache"
OUT = ROOT / "bench" / "out"
ENCODINGS = {
    "h264, moov at end": ("mp4", ["-c:v", "libx264", "-preset", "ultrafast"]),
    "h264, faststart": ("mp4", ["-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart"]),
    "hevc (hvc1)": (
        "mp4",
        ["-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1", "-x265-params", "log-level=error"],
    ),
    "h264 in mkv": ("mkv", ["-c:v", "libx264", "-preset", "ultrafast"]),
}


def clip(name: str, suffix: str, args: list[str], minutes: int) -> Path:
    path = (
        CACHE
        / f"probe_{name.replace(' ', '_').replace(',', '').replace('(', '').replace(')', '')}_{minutes}min.{suffix}"
    )
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        source = f"testsrc2=s=160x90:r=30:d={minutes * 60}"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, *args, str(path)], check=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=30)
    minutes = parser.parse_args().minutes
    rows = []
    for name, (suffix, args) in ENCODINGS.items():
        path = clip(name, suffix, args, minutes)
        data = path.read_bytes()
        reads: list[int] = []

        def read(offset: int, length: int, data: bytes = data, reads: list[int] = reads) -> bytes:
            chunk = data[offset : offset + length]
            reads.append(len(chunk))
            return chunk

        started = time.perf_counter()
        found = probe_media(read, len(data))
        elapsed_ms = (time.perf_counter() - started) * 1000
        chosen = route(path.name, len(data), found)
        rows.append(
            f"| {name} | {len(data) / 1024**2:.1f} | {found.video_fourcc or '-'} | {len(reads)} | "
            f"{sum(reads) / 1024:.0f} | {elapsed_ms:.1f} | {chosen.engine} |"
        )
    table = "\n".join(
        [
            f"Routing probe on {minutes}-minute clips (30 fps, {minutes * 60 * 30} frames)",
            "",
            "| clip | file MiB | fourcc | reads (GETs) | KiB read | parse ms | engine |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "routing_probe.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
