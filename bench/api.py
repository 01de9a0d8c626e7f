"""Read API handler latency (in-process, moto DynamoDB): a 1,000-segment page of a 10,000-segment job, and exports.

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

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambdas"), str(ROOT)]
os.environ.update(
    {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1",
     "PAGINATION_SECRET": "bench", "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_TRACE_DISABLED": "1",
     "LOG_LEVEL": "WARNING"}
)  # fmt: skip

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from local_mode.apigw import LocalContext, rest_event  # noqa: E402
from tests.api.conftest import store_job  # noqa: E402
from tests.support import rekognition as rk  # noqa: E402
from tests.support.aws import create_segments_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
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
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                result = api.handler(rest_event("GET", "/jobs/job-big/segments", query), LocalContext())  # type: ignore[arg-type]
                timings.append((time.perf_counter() - started) * 1000)
                assert result["statusCode"] == 200
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
            rows.append(f"| {name} | {statistics.median(timings):,.0f} | {p95:,.0f} | {len(result['body']):,} |")
            print(rows[-1], flush=True)
    lines = [
        "# Read API latency",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; handler in-process against moto DynamoDB "
        f"(moto, not DynamoDB, dominates); {args.runs} runs each; command: `.venv/bin/python bench/api.py`",
        "",
        "| request | p50 ms | p95 ms | body bytes |",
        "|---|---:|---:|---:|",
        *rows,
    ]
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "api.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
