"""``segment-local``: run the whole pipeline on this machine (no AWS account) and optionally process a video."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from local_mode.stack import BUCKET, LocalConfig, LocalPipeline
from segments.domain.events import is_video_key
from segments.domain.keys import video_id_for_key
from segments.settings import Settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="segment-local", description=__doc__)
    p.add_argument("--video", type=Path, help="upload this video, wait for its segments and print them")
    p.add_argument("--port", type=int, default=4566, help="AWS-compatible endpoint port (default 4566)")
    p.add_argument("--api-port", type=int, default=8080, help="read API port (default 8080)")
    p.add_argument("--data-dir", type=Path, default=Path(".local"), help="where state survives restarts")
    p.add_argument(
        "--max-jobs",
        type=int,
        default=20,
        help="emulated concurrent Rekognition job quota (the pipeline bounds its jobs by it too)",
    )
    p.add_argument("--exit-when-done", action="store_true", help="with --video: stop after printing the results")
    p.add_argument("--timeout", type=float, default=3600.0, help="with --video: seconds to wait for results")
    return p


def _banner(stack: LocalPipeline) -> str:
    return "\n".join(
        [
            "segment pipeline running locally (no AWS account; IAM auth is OFF on the local API)",
            f"  AWS endpoint : {stack.endpoint}  (S3, SQS, SNS, DynamoDB, EventBridge via moto; Rekognition emulated)",
            f"  read API     : {stack.api_url}",
            f"  viewer       : {stack.api_url}/   (open it in a browser; no sign-in locally)",
            f"  bucket       : s3://{BUCKET}    data dir: {stack.data.resolve()}",
            "try:",
            f"  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --endpoint-url {stack.endpoint} "
            f"--region us-east-1 s3 cp video.mp4 s3://{BUCKET}/",
            f"  curl {stack.api_url}/videos",
            "Ctrl-C stops everything (state is kept).",
        ]
    )


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own localhost API
        return dict(json.loads(response.read()))


def process(stack: LocalPipeline, video: Path, timeout: float) -> dict[str, Any]:
    """Upload ``video``, report progress on stderr, return the first page of results."""
    key = video.name
    stack.client("s3").upload_file(str(video), BUCKET, key)
    video_id = video_id_for_key(key)
    started = time.monotonic()
    last = ""
    while time.monotonic() - started < timeout:
        try:
            info = _get(f"{stack.api_url}/videos/{video_id}")
        except OSError:
            info = {"JobStatus": "QUEUED"}
        status = str(info.get("JobStatus", info.get("status", "")))
        if status != last:
            sys.stderr.write(f"\n[{time.monotonic() - started:6.1f}s] {key}: {status} {info.get('StatusMessage', '')}")
            last = status
        else:
            sys.stderr.write(".")
        sys.stderr.flush()
        if status in ("SUCCEEDED", "FAILED"):
            sys.stderr.write("\n")
            return _get(f"{stack.api_url}/videos/{video_id}/segments?maxResults=1000")
        time.sleep(1.0)
    raise TimeoutError(f"no result for {key} after {timeout:.0f} s")


def table(response: dict[str, Any]) -> str:
    """Segments as an aligned text table."""
    rows = [f"{'type':<14} {'cue/shot':<15} {'start':>11} {'end':>11} {'frames':>7} {'conf':>6}"]
    for seg in response.get("Segments", []):
        detail = seg.get("ShotSegment") or seg.get("TechnicalCueSegment") or {}
        label = f"shot {detail['Index']}" if "Index" in detail else str(detail.get("Type", ""))
        rows.append(
            f"{seg['Type']:<14} {label:<15} {seg['StartTimecodeSMPTE']:>11} {seg['EndTimecodeSMPTE']:>11} "
            f"{seg['DurationFrames']:>7} {detail.get('Confidence', 0):>6.1f}"
        )
    status = response.get("JobStatus", "")
    message = f" — {response['StatusMessage']}" if response.get("StatusMessage") else ""
    return f"JobStatus: {status}{message}\n" + "\n".join(rows)


def _refusal(video: Path, settings: Settings) -> str | None:
    """Why ``video`` would never be processed (so it is refused before anything starts), or None."""
    if not video.is_file():
        return f"no such file: {video}"
    if not is_video_key(video.name, settings.video_suffixes, settings.video_prefix):
        suffixes = ", ".join(f".{s}" for s in settings.video_suffixes)
        return f"{video.name} is not processed: its name must end with {suffixes} (any case)"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: start the stack, optionally process one video, serve until Ctrl-C."""
    args = _parser().parse_args(argv)
    stack = LocalPipeline(
        LocalConfig(port=args.port, api_port=args.api_port, data_dir=args.data_dir, max_jobs=args.max_jobs)
    )
    refusal = _refusal(args.video, stack.pipeline_settings()) if args.video is not None else None
    if refusal:
        print(f"segment-local: {refusal}", file=sys.stderr)
        return 1
    try:
        stack.start()
    except OSError as exc:
        print(
            f"segment-local: cannot start: {exc} (is another instance running? try --port/--api-port)", file=sys.stderr
        )
        return 1
    print(_banner(stack), flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    code = 0
    try:
        if args.video is not None:
            try:
                print(table(process(stack, args.video, args.timeout)), flush=True)
            except TimeoutError as exc:
                print(f"segment-local: {exc}", file=sys.stderr)
                code = 1
            if args.exit_when_done:
                return code
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("\nstopping…", file=sys.stderr)
    finally:
        stack.stop()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
