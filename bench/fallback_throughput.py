"""Fallback sizing: detector throughput per thread count, and the chunk size / wall time / cost it implies.

Usage: .venv/bin/python bench/fallback_throughput.py   (writes bench/out/fallback.md)
Throughput is measured here; Lambda figures are derived from it with the stated prices.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.detector_speed import CLIPS, frames_of, make_clip, run_python  # noqa: E402

LAMBDA_TIMEOUT_S = 900
SAFETY = 0.5  # use half the timeout: cold start, S3 reads, slower CPUs, hard content
GB_SECOND_USD = 0.0000166667  # Lambda x86_64, us-east-1 list price per GB-second
MEMORY_GB = 3.538  # 3,538 MB = 2 vCPUs, the thread count measured here (default fallbackMemoryMb)
REKOGNITION_PER_MIN_USD = 0.05  # per segment type per minute, us-east-1 list price (verify on the pricing page)
VIDEO_FPS = 29.97
THREE_HOURS_S = 3 * 3600


def main() -> None:
    rows = ["| clip | threads | fps | s per video hour |", "|---|---:|---:|---:|"]
    fps_1080 = 0.0
    for size in ("1920x1080", "1280x720"):
        clip = make_clip(CLIPS / f"speed_{size}_60s.mp4", size, 60)
        frames = frames_of(clip)
        for threads in (1, 2):
            wall, _ = run_python("ours", clip, threads)
            fps = frames / wall
            rows.append(f"| {size} | {threads} | {fps:,.0f} | {3600 * VIDEO_FPS / fps:,.0f} |")
            print(rows[-1], flush=True)
            if size == "1920x1080" and threads == 2:
                fps_1080 = fps
    chunk_s = int(LAMBDA_TIMEOUT_S * SAFETY * fps_1080 / VIDEO_FPS)
    chunks = -(-THREE_HOURS_S // chunk_s)
    per_chunk_s = chunk_s * VIDEO_FPS / fps_1080
    cost_hour = 3600 * VIDEO_FPS / fps_1080 * MEMORY_GB * GB_SECOND_USD
    lines = [
        "# Fallback sizing",
        "",
        f"Machine: {os.cpu_count()} cores (Lambda figures use the 2-thread rate and 3,538 MB = 2 vCPUs; "
        "more memory buys more vCPUs, not measured here); command: `.venv/bin/python bench/fallback_throughput.py`",
        "",
        *rows,
        "",
        f"- 1080p at 2 threads: {fps_1080:,.0f} fps → with {SAFETY:.0%} of the 900 s timeout, one chunk can hold "
        f"{chunk_s:,} s of {VIDEO_FPS} fps video (configured default chunkSeconds=1200 stays below it).",
        f"- 3-hour 1080p video: {chunks} chunks of {chunk_s} s (at the measured limit) or 9 chunks of 1,200 s; "
        f"each 1,200 s chunk takes ≈ {1200 * VIDEO_FPS / fps_1080:,.0f} s, so with Map concurrency ≥ 9 the whole "
        f"video finishes in ≈ {1200 * VIDEO_FPS / fps_1080 / 60 + 1:,.0f} min (one chunk plus plan and stitch).",
        f"- Fallback cost per video hour (1080p, 3.5 GB x86): ≈ ${cost_hour:.3f} "
        f"(${GB_SECOND_USD}/GB-s); per chunk at the limit ≈ {per_chunk_s:,.0f} s.",
        f"- Rekognition per video hour: ${REKOGNITION_PER_MIN_USD * 60:.2f} per segment type, "
        f"${REKOGNITION_PER_MIN_USD * 120:.2f} for both (list price used: ${REKOGNITION_PER_MIN_USD}/min/type).",
    ]
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "fallback.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
