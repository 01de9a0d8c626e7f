"""Read API handler latency (in-process, moto DynamoDB): a 1,000-segment page of a 10,000-segment job, and exports.

Moto answers a 1,000-item Query in about half a second, far slower than DynamoDB, so the table
reports the handler's own time (routing, validation, botocore serialisation and parsing, paging,
formatting) apart from the time spent inside moto's request processing.

Usage: .venv/bin/python bench/api.py [--runs 30]   (writes bench/out/api.md)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambdas"), str(ROOT)]
os.environ.update(
    {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1",
     "PAGINATION_SECRET": "bench", "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_TRACE_DISABLED": "1",
     "LOG_LEVEL": "WARNING"}
)  # fmt: skip

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.core.botocore_stubber import BotocoreStubber  # noqa: E402

from local_mode.apigw import LocalContext, rest_event  # noqa: E402
from tests.api.conftest import store_job  # noqa: E402
from tests.support import rekognition as rk  # noqa: E402
from tests.support.aws import create_segments_table  # noqa: E402

SERVICE_SECONDS = [0.0]


def _timed_stubber() -> None:
    """Account the time moto spends serving each request, so it can be taken out of the handler's."""
    original = BotocoreStubber.__call__

    def timed(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(self, event_name, request, **kwargs)
        finally:
            SERVICE_SECONDS[0] += time.perf_counter() - started

    BotocoreStubber.__call__ = timed  # type: ignore[method-assign]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    _timed_stubber()
    with mock_aws():
        table = create_segments_table(boto3.client("dynamodb"), "bench")
        os.environ["TABLE_NAME"] = table
        store_job(table, key="big.mp4", job_id="job-big", segments=rk.cues(2000) + rk.shots(8000))
        from segments.handlers import api

        cases = {
            "json page of 1,000 (first)": {"maxResults": ["1000"]},
            "json page of 1,000 (type=SHOT, minConfidence=92)": {
                "maxResults": ["1000"],
                "type": ["SHOT"],
                "minConfidence": ["92"],
            },
            "csv export (10,000)": {"format": ["csv"]},
            "edl export (8,000 shots)": {"format": ["edl"]},
            "vtt export (8,000 shots)": {"format": ["vtt"]},
        }
        rows = []
        for name, query in cases.items():
            own: list[float] = []
            total: list[float] = []
            for _ in range(args.runs):
                SERVICE_SECONDS[0] = 0.0
                started = time.perf_counter()
                result = api.handler(rest_event("GET", "/jobs/job-big/segments", query), LocalContext())
                elapsed = time.perf_counter() - started
                total.append(elapsed * 1000)
                own.append((elapsed - SERVICE_SECONDS[0]) * 1000)
                assert result["statusCode"] == 200
            rows.append(
                f"| {name} | {statistics.median(own):,.0f} | {_pct(own, 0.95):,.0f} "
                f"| {statistics.median(total):,.0f} | {len(result['body']):,} |"
            )
            print(rows[-1], flush=True)
    lines = [
        "# Read API latency",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; handler in-process against moto DynamoDB; "
        f"{args.runs} runs each; command: `.venv/bin/python bench/api.py`. *Handler* excludes the time "
        "inside moto's request processing (a stand-in for DynamoDB's service time, which it far exceeds); "
        "*with moto* is the whole call.",
        "",
        "| request | handler p50 ms | handler p95 ms | with moto p50 ms | body bytes |",
        "|---|---:|---:|---:|---:|",
        *rows,
    ]
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "api.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
