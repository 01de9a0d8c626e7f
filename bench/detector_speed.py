"""Detector speed against decode-only baselines and PySceneDetect on generated 1080p and 720p clips.

Usage: .venv-bench/bin/python bench/detector_speed.py [--threads 2] [--long]
Each engine runs in its own process (fresh memory) and reports wall time and peak RSS.
Writes bench/out/detector_speed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CLIPS = OUT / "speed"

# Moving sources joined by hard cuts, so the detector does real work on every frame.
SOURCES = ("testsrc2", "mandelbrot", "life=mold=10:ratio=0.5:death_color=#202020:life_color=#e0c080", "cellauto")

ENGINE_CODE = {
    "pyav-decode": "import av\nc=av.open(P)\ns=c.streams.video[0]\ns.thread_type='AUTO'\n"
    "s.codec_context.thread_count=T\nn=sum(1 for _ in c.decode(s))",
    "ours": "import sys\nsys.path.insert(0, LAMBDAS)\nfrom detector import detect, DetectOptions\n"
    "r=detect(P, DetectOptions(threads=T))\nn=sum(1 for s in r['Segments'] if s['Type']=='SHOT') and "
    "r['Segments'][-1]['EndFrameNumber']+1",
    "transnetv2": "import sys\nsys.path.insert(0, ROOT)\nimport torch\ntorch.set_num_threads(T)\n"
    "from bench.detector_accuracy import transnet_response\nr=transnet_response(__import__('pathlib').Path(P))",
    "pyscenedetect": "from scenedetect import detect, ContentDetector, open_video\nimport cv2\ncv2.setNumThreads(T)\n"
    "detect(P, ContentDetector())\nn=int(open_video(P).duration.get_frames())",
}


def make_clip(path: Path, size: str, seconds: int) -> Path:
    """An H.264 clip of moving lavfi sources with a cut every 5 seconds."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = []
    count = seconds // 5
    for i in range(count):
        src = SOURCES[i % len(SOURCES)]
        sep = ":" if "=" in src else "="
        parts.append(f"{src}{sep}s={size}:r=25,trim=duration=5,setpts=PTS-STARTPTS,format=yuv420p[v{i}]")
    graph = ";".join(parts) + ";" + "".join(f"[v{i}]" for i in range(count)) + f"concat=n={count}"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-filter_complex", graph, "-c:v", "libx264", "-preset", "veryfast",
         "-crf", "23", "-g", "50", str(path)],
        check=True,
    )  # fmt: skip
    return path


def frames_of(path: Path) -> int:
    """Frame count (ffprobe, decoding every packet)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
         "stream=nb_read_packets", "-of", "csv=p=0", str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(out.stdout.strip())


def run_python(engine: str, clip: Path, threads: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one engine on one clip, in a fresh interpreter."""
    code = (
        f"import resource, time, json\nP={str(clip)!r}\nT={threads}\nLAMBDAS={str(ROOT / 'lambdas')!r}\n"
        f"ROOT={str(ROOT)!r}\n"
        f"t0=time.perf_counter()\n{ENGINE_CODE[engine]}\n"
        "print(json.dumps([time.perf_counter()-t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024]))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    wall, rss = json.loads(out.stdout.strip().splitlines()[-1])
    return float(wall), float(rss)


def run_ffmpeg(clip: Path, threads: int) -> float:
    """Wall seconds of ffmpeg decode-only."""
    started = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-threads", str(threads), "-i", str(clip), "-f", "null", "-"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--long", action="store_true", help="add 10-minute clips")
    parser.add_argument("--engines", default="pyav-decode,ours,pyscenedetect,transnetv2")
    args = parser.parse_args()
    lengths = [60, 600] if args.long else [60]
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())  # fmt: skip
    lines = [
        "# Detector speed",
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores; threads={args.threads}; load average at start "
        f"{os.getloadavg()[0]:.2f}; command: `bench/detector_speed.py --threads {args.threads}"
        f"{' --long' if args.long else ''}`",
        "",
        "| clip | engine | fps | × ffmpeg decode-only | wall s | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for seconds in lengths:
        for size in ("1920x1080", "1280x720"):
            clip = make_clip(CLIPS / f"speed_{size}_{seconds}s.mp4", size, seconds)
            frames = frames_of(clip)
            base = run_ffmpeg(clip, args.threads)
            lines.append(f"| {size} {seconds}s | ffmpeg decode-only | {frames / base:,.0f} | 1.00 | {base:.1f} | - |")
            print(lines[-1], flush=True)
            for engine in args.engines.split(","):
                try:
                    wall, rss = run_python(engine, clip, args.threads)
                except subprocess.CalledProcessError as exc:
                    lines.append(f"| {size} {seconds}s | {engine} | unavailable: {exc.stderr.strip()[-80:]} ||||")
                    continue
                cells = f"{frames / wall:,.0f} | {base / wall:.2f} | {wall:.1f} | {rss:.0f}"
                lines.append(f"| {size} {seconds}s | {engine} | {cells} |")
                print(lines[-1], flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "detector_speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
