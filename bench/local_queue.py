"""Local mode under a one-slot quota: how long N short uploads take from upload to all SUCCEEDED.

Usage: .venv/bin/python bench/local_queue.py [--videos 8] [--seconds 5] [--max-jobs 1]
Writes bench/out/local_queue.md. Before freed slots woke waiting uploads, 8 five-second
clips with --max-jobs 1 took about 4.5 minutes on an idle machine (each waiting upload
served out its doubling backoff while the slot sat idle).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambdas"), str(ROOT)]

from local_mode.stack import BUCKET, LocalConfig, LocalPipeline  # noqa: E402
from segments.domain.keys import video_id_for_key  # noqa: E402


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clip(path: Path, seconds: int, hue: int) -> Path:
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "ffmpeg is needed"
    source = f"testsrc2=s=320x180:r=25:d={seconds},hue=h={hue}"
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", source, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )
    return path


def run(videos: int, seconds: int, max_jobs: int) -> float:
    """Seconds from the first upload until every video is SUCCEEDED."""
    import json
    import urllib.error
    import urllib.request

    with tempfile.TemporaryDirectory() as tmp:
        clips = [_clip(Path(tmp) / f"q{i}.mp4", seconds, i * 30) for i in range(videos)]
        stack = LocalPipeline(
            LocalConfig(port=_port(), api_port=_port(), data_dir=Path(tmp) / "data", max_jobs=max_jobs)
        )
        stack.start()
        try:
            s3 = stack.client("s3")
            started = time.monotonic()
            for clip in clips:
                s3.upload_file(str(clip), BUCKET, clip.name)
            pending = {video_id_for_key(c.name) for c in clips}
            while pending:
                for video_id in list(pending):
                    try:
                        with urllib.request.urlopen(f"{stack.api_url}/videos/{video_id}", timeout=10) as r:
                            if json.loads(r.read()).get("JobStatus") == "SUCCEEDED":
                                pending.discard(video_id)
                    except urllib.error.HTTPError as exc:
                        if exc.code != 404:  # 404: its upload event is not handled yet
                            raise
                time.sleep(0.2)
            return time.monotonic() - started
        finally:
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--videos", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--max-jobs", type=int, default=1)
    args = parser.parse_args()
    elapsed = run(args.videos, args.seconds, args.max_jobs)
    lines = [
        "# Local mode, queued uploads",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; command: "
        f"`.venv/bin/python bench/local_queue.py --videos {args.videos} --seconds {args.seconds} "
        f"--max-jobs {args.max_jobs}`",
        "",
        "| videos | seconds each | max jobs | upload → all SUCCEEDED (s) |",
        "|---:|---:|---:|---:|",
        f"| {args.videos} | {args.seconds} | {args.max_jobs} | {elapsed:.1f} |",
    ]
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "local_queue.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
