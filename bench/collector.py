"""Collector throughput and memory: pages of GetSegmentDetection stored through the real collect path.

Usage: .venv/bin/python bench/collector.py [--sizes 1000,10000,100000]
Writes bench/out/collector.md. Rekognition is a page generator (1,000 segments a page);
DynamoDB is moto in-process, so absolute rates are moto's, not DynamoDB's. Memory is
measured twice: with moto (which keeps every item in memory) and with a sink store that
drops items, which isolates the collector's own working set.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambdas"), str(ROOT)]
os.environ.update({"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"})

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from segments.adapters.job_slots import DynamoJobSlots  # noqa: E402
from segments.adapters.store import SegmentStore  # noqa: E402
from segments.domain.events import Completion, VideoObject  # noqa: E402
from segments.domain.records import DetectionOptions  # noqa: E402
from segments.orchestration import collect_job  # noqa: E402
from segments.settings import Settings  # noqa: E402
from tests.support import rekognition as rk  # noqa: E402
from tests.support.aws import create_segments_table  # noqa: E402


class PagedRekognition:
    """Yields ``total`` shot segments in pages of 1,000, built lazily (as the real API streams them)."""

    def __init__(self, total: int) -> None:
        self.total = total

    def start_segment_detection(self, **kwargs: Any) -> str:
        raise NotImplementedError

    def iter_segment_pages(
        self, job_id: str, max_results: int = 1000, next_token: str | None = None
    ) -> Iterator[dict[str, Any]]:
        for first in range(int(next_token or 0), self.total, max_results):
            count = min(max_results, self.total - first)
            segments = _shots_from(first, count)
            yield rk.page(segments, next_token=str(first + count) if first + count < self.total else None)


def _shots_from(first: int, count: int) -> list[dict[str, Any]]:
    from segments.domain.model import build_segment

    return [
        build_segment(
            segment_type="SHOT", start_frame=i * 30, end_frame=i * 30 + 29, rate=rk.RATE, confidence=95.0, shot_index=i
        )
        for i in range(first, first + count)
    ]


class SinkStore(SegmentStore):
    """A store whose segment writes are consumed and dropped (measures the collector alone)."""

    def __init__(self, inner: SegmentStore) -> None:
        self.inner = inner
        self.table = inner.table

    def put_segments(self, job_id: str, segments: Any, type_order: Any) -> int:
        return sum(1 for _ in segments)


def run(total: int, sink: bool) -> tuple[float, float]:
    """Store ``total`` segments; returns (segments per second, tracemalloc peak MiB)."""
    with mock_aws():
        table = create_segments_table(boto3.client("dynamodb"), "bench")
        store: SegmentStore = SegmentStore(table)
        video = VideoObject("videos", "bench.mp4", "v1")
        store.record_job_started(video, job_id="job", source="rekognition", options=DetectionOptions(("SHOT",)))
        if sink:
            store = SinkStore(store)
        completion = Completion("job", "SUCCEEDED", "StartSegmentDetection", "t", "videos", "bench.mp4", 0)
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        outcome, count = collect_job(
            completion,
            settings=Settings(table_name=table, segment_types=("SHOT",)),
            store=store,
            slots=DynamoJobSlots(table),
            rekognition=PagedRekognition(total),
            launcher=None,
        )
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert outcome == "succeeded" and count == total, (outcome, count)
        return total / elapsed, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        rate, peak = run(size, sink=False)
        _, sink_peak = run(size, sink=True)
        rows.append(f"| {size:,} | {rate:,.0f} | {peak:,.1f} | {sink_peak:,.1f} |")
        print(rows[-1], flush=True)
    header = [
        "# Collector benchmark",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        "command: `.venv/bin/python bench/collector.py`",
        "",
        "| segments | stored/s (moto) | peak MiB with moto | peak MiB collector alone |",
        "|---:|---:|---:|---:|",
    ]
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "collector.md").write_text("\n".join(header + rows) + "\n")
    print("\n".join(header + rows))


if __name__ == "__main__":
    main()
