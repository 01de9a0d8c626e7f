"""Read API cost: latency and items read per request (in-process, moto DynamoDB), and local mode's memory.

Moto answers a 1,000-item Query far slower than DynamoDB, so the table reports the handler's own
time (routing, validation, botocore serialisation and parsing, paging, formatting) apart from the
time spent inside moto's request processing. *Items read* is the sum of DynamoDB's ``ScannedCount``
over the request's Queries (what a read is billed on; moto's ``ConsumedCapacity`` is a constant, so
it cannot stand in for it).

Usage: .venv/bin/python bench/api.py [--runs 30] [--local-requests 3000] [--videos 1000 --segments-per-video 1000]
       (writes bench/out/api.md)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambdas"), str(ROOT)]
os.environ.update(
    {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1",
     "PAGINATION_SECRET": "bench", "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_TRACE_DISABLED": "1",
     "POWERTOOLS_METRICS_NAMESPACE": "bench", "LOG_LEVEL": "WARNING"}
)  # fmt: skip

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.core.botocore_stubber import BotocoreStubber  # noqa: E402

from local_mode.apigw import LocalContext, rest_event  # noqa: E402
from local_mode.stack import _untrack_table_items  # noqa: E402
from tests.api.conftest import store_job  # noqa: E402
from tests.support import rekognition as rk  # noqa: E402
from tests.support.aws import create_segments_table  # noqa: E402

SERVICE_SECONDS = [0.0]
ITEMS_READ = [0]


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


def _count_items_read(client: Any) -> None:
    def add(parsed: dict[str, Any], **_: Any) -> None:
        ITEMS_READ[0] += int(parsed.get("ScannedCount", 0))

    client.meta.events.register("after-call.dynamodb.Query", add)
    client.meta.events.register("after-call.dynamodb.Scan", add)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _token_after(api: Any, path: str, query: dict[str, list[str]], pages: int) -> str:
    token = ""
    for _ in range(pages):
        body = json.loads(api.handler(rest_event("GET", path, {**query, **({"nextToken": [token]} if token else {})}),
                                      LocalContext())["body"])  # fmt: skip
        token = body["NextToken"]
    return token


def in_process(runs: int) -> list[str]:
    """Latency and items read of pages and exports of a 10,000-segment job."""
    rows = []
    with mock_aws():
        _untrack_table_items()  # moto keeps a copy of every item read otherwise, which skews later runs
        table = create_segments_table(boto3.client("dynamodb"), "bench")
        os.environ["TABLE_NAME"] = table
        store_job(table, key="big.mp4", job_id="job-big", segments=rk.cues(2000) + rk.shots(8000))
        from segments.handlers import api

        api.reset()
        _count_items_read(api._store().table.meta.client)
        path = "/jobs/job-big/segments"
        tenth = _token_after(api, path, {"maxResults": ["10"]}, 9)
        cases: dict[str, dict[str, list[str]]] = {
            "page of 10 (first)": {"maxResults": ["10"]},
            "page of 10 (10th page)": {"maxResults": ["10"], "nextToken": [tenth]},
            "page of 1,000 (first)": {"maxResults": ["1000"]},
            "page of 100, type=SHOT (key prefix)": {"maxResults": ["100"], "type": ["SHOT"]},
            "page of 100, type=SHOT&minConfidence=92 (filtered)": {
                "maxResults": ["100"],
                "type": ["SHOT"],
                "minConfidence": ["92"],
            },
            "csv export (10,000)": {"format": ["csv"]},
            "edl export (8,000 shots)": {"format": ["edl"]},
        }
        for name, query in cases.items():
            own: list[float] = []
            total: list[float] = []
            for _ in range(runs):
                SERVICE_SECONDS[0], ITEMS_READ[0] = 0.0, 0
                started = time.perf_counter()
                result = api.handler(rest_event("GET", path, query), LocalContext())
                elapsed = time.perf_counter() - started
                total.append(elapsed * 1000)
                own.append((elapsed - SERVICE_SECONDS[0]) * 1000)
                assert result["statusCode"] == 200, result
            returned = len(json.loads(result["body"])["Segments"]) if "json" in str(result) else "-"
            rows.append(
                f"| {name} | {statistics.median(own):,.0f} | {_pct(own, 0.95):,.0f} "
                f"| {statistics.median(total):,.0f} | {returned} | {ITEMS_READ[0]:,} | {len(result['body']):,} |"
            )
            print(rows[-1], flush=True)
    return rows


class _Capture:
    """A stand-in for the boto3 table that keeps the items ``put_segments`` writes (same format, no HTTP)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def Table(self, name: str) -> _Capture:
        return self

    def batch_writer(self, **_: Any) -> Any:
        capture = self

        class Writer:
            def __enter__(self) -> Writer:
                return self

            def __exit__(self, *_: Any) -> None:
                return None

            def put_item(self, Item: dict[str, Any]) -> None:
                capture.items.append(Item)

        return Writer()


def _library(table: str, videos: int, per_video: int) -> None:
    """``videos`` finished videos of ``per_video`` segments each, written straight into moto's backend.

    Video and job items go through the real store; segment items are the ones ``put_segments``
    builds, put into moto's backend directly because a million HTTP-level writes take hours here.
    """
    from boto3.dynamodb.types import TypeSerializer
    from moto.dynamodb.models import dynamodb_backends

    from segments.adapters.store import SegmentStore

    backend = dynamodb_backends["123456789012"]["us-east-1"]
    serializer = TypeSerializer()
    cues = max(1, per_video // 10)
    segments = rk.cues(cues) + rk.shots(per_video - cues)
    for n in range(videos):
        job_id = f"job-lib-{n:04d}"
        store_job(table, key=f"library/{n % 10}/clip{n:04d}.mp4", job_id=job_id, segments=[])
        capture = _Capture()
        SegmentStore(table, dynamodb=capture).put_segments(job_id, segments, ["TECHNICAL_CUE", "SHOT"])
        for item in capture.items:
            backend.put_item(table, {k: serializer.serialize(v) for k, v in item.items()})


def search(videos: int, per_video: int, runs: int) -> list[str]:
    """Latency and items read of library-wide searches over ``videos`` x ``per_video`` segments."""
    rows = []
    with mock_aws():
        _untrack_table_items()
        table = create_segments_table(boto3.client("dynamodb"), "search")
        os.environ["TABLE_NAME"] = table
        started = time.perf_counter()
        _library(table, videos, per_video)
        print(f"library of {videos:,} x {per_video:,} written in {time.perf_counter() - started:,.0f} s", flush=True)
        from segments.handlers import api

        api.reset()
        _count_items_read(api._store().table.meta.client)
        cases: dict[str, dict[str, list[str]]] = {
            "page of 100, cueType=BlackFrames (longest first)": {"maxResults": ["100"], "cueType": ["BlackFrames"]},
            "page of 100, type=SHOT, maxDurationMillis=1000": {
                "maxResults": ["100"],
                "type": ["SHOT"],
                "maxDurationMillis": ["1000"],
            },
            "page of 100, no filter (8 kinds merged)": {"maxResults": ["100"]},
            "page of 100, type=SHOT, minConfidence=94 (filtered)": {
                "maxResults": ["100"],
                "type": ["SHOT"],
                "minConfidence": ["94"],
            },
            "page of 100, cueType=BlackFrames, keyPrefix=library/3/": {
                "maxResults": ["100"],
                "cueType": ["BlackFrames"],
                "keyPrefix": ["library/3/"],
            },
        }
        for name, query in cases.items():
            own: list[float] = []
            for _ in range(runs):
                SERVICE_SECONDS[0], ITEMS_READ[0] = 0.0, 0
                began = time.perf_counter()
                result = api.handler(rest_event("GET", "/segments", query), LocalContext())
                own.append((time.perf_counter() - began - SERVICE_SECONDS[0]) * 1000)
                assert result["statusCode"] == 200, result
            returned = len(json.loads(result["body"])["Segments"])
            rows.append(
                f"| {name} | {statistics.median(own):,.0f} | {_pct(own, 0.95):,.0f} | {returned} | {ITEMS_READ[0]:,} |"
            )
            print(rows[-1], flush=True)
    return rows


def _rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def local_mode(requests: int) -> list[str]:
    """RSS of the whole local stack (moto + API) while paging a 1,121-segment job over HTTP."""
    from local_mode.stack import LocalConfig, LocalPipeline

    with tempfile.TemporaryDirectory() as data:
        stack = LocalPipeline(LocalConfig(port=_free_port(), api_port=_free_port(), data_dir=Path(data)))
        stack.start()
        try:
            store_job("segments", key="paged.mp4", job_id="job-paged", segments=rk.cues(121) + rk.shots(1000))
            marks: dict[int, tuple[float, float]] = {}
            token = ""
            started = time.perf_counter()
            for n in range(1, requests + 1):
                query = {"maxResults": "10", **({"nextToken": token} if token else {})}
                url = f"{stack.api_url}/jobs/job-paged/segments?{urllib.parse.urlencode(query)}"
                body = json.loads(urllib.request.urlopen(url, timeout=30).read())
                token = body.get("NextToken", "")
                if n in (100, requests // 2, requests):
                    marks[n] = (_rss_mib(), (time.perf_counter() - started) / n * 1000)
        finally:
            stack.stop()
    return [f"| after {n:,} requests | {rss:,.1f} | {ms:,.1f} |" for n, (rss, ms) in marks.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--local-requests", type=int, default=3000)
    parser.add_argument("--videos", type=int, default=1000, help="videos in the search library")
    parser.add_argument("--segments-per-video", type=int, default=1000)
    parser.add_argument("--skip-pages", action="store_true", help="leave out the per-job pages and exports")
    args = parser.parse_args()
    _timed_stubber()
    rows = [] if args.skip_pages else in_process(args.runs)
    search_rows = search(args.videos, args.segments_per_video, args.runs) if args.videos else []
    local_rows = local_mode(args.local_requests) if args.local_requests else []
    lines = [
        "# Read API cost",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; handler in-process against moto DynamoDB; "
        f"{args.runs} runs each; command: `.venv/bin/python bench/api.py`. *Handler* excludes the time "
        "inside moto's request processing (a stand-in for DynamoDB's service time, which it far exceeds); "
        "*with moto* is the whole call. *Items read*: DynamoDB ScannedCount summed over the request.",
        "",
        "| request (10,000-segment job) | handler p50 ms | handler p95 ms | with moto p50 ms | returned "
        "| items read | body bytes |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]
    if search_rows:
        lines += [
            "",
            f"Search (`GET /segments`) over {args.videos:,} videos x {args.segments_per_video:,} segments "
            "(10% technical cues):",
            "",
            "| search | handler p50 ms | handler p95 ms | returned | items read |",
            "|---|---:|---:|---:|---:|",
            *search_rows,
        ]
    if local_rows:
        lines += [
            "",
            f"Local mode (`segment-local` stack in-process, HTTP), paging a 1,121-segment job 10 at a time, "
            f"{args.local_requests:,} requests (walks the job over and over):",
            "",
            "| point | process RSS MiB | mean ms per request so far |",
            "|---|---:|---:|",
            *local_rows,
        ]
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "api.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
