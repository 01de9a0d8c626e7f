"""Detector speed against decode-only baselines and PySceneDetect on generated 1080p and 720p clips.

Usage: .venv-bench/bin/python bench/detector_speed.py [--threads 2] [--long] [--repeat 3] [--baseline-lambdas DIR]
Each engine runs in its own process (fresh memory) and reports wall time and peak RSS; with
--repeat, engines take turns and the fastest run of each counts (the machine is shared).
``segment-detect`` is the whole CLI process (start-up, decode, analysis, JSON out);
--baseline-lambdas adds the same CLI from another checkout's lambdas/ (before/after a change).
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
    "segment-detect": "import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'detector.cli', P, "
    "'--threads', str(T)], check=True, stdout=subprocess.DEVNULL, env={'PYTHONPATH': LAMBDAS})",
    "segment-detect-learned": "import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'detector.cli', P, "
    "'--threads', str(T), '--transitions', 'learned'], check=True, stdout=subprocess.DEVNULL, "
    "env={'PYTHONPATH': LAMBDAS})",
    "segment-detect-hybrid": "import subprocess, sys\nsubprocess.run([sys.executable, '-m', 'detector.cli', P, "
    "'--threads', str(T), '--transitions', 'hybrid'], check=True, stdout=subprocess.DEVNULL, "
    "env={'PYTHONPATH': LAMBDAS})",
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


def run_python(engine: str, clip: Path, threads: int, lambdas: Path = ROOT / "lambdas") -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one engine on one clip, in a fresh interpreter."""
    code = (
        f"import resource, time, json\nP={str(clip)!r}\nT={threads}\nLAMBDAS={str(lambdas)!r}\n"
        f"ROOT={str(ROOT)!r}\n"
        f"t0=time.perf_counter()\n{ENGINE_CODE[engine]}\n"
        "rss=max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
        "print(json.dumps([time.perf_counter()-t0, rss/1024]))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    wall, rss = json.loads(out.stdout.strip().splitlines()[-1])
    return float(wall), float(rss)


def run_ffmpeg(clip: Path, threads: int) -> float:
    """Wall seconds of ffmpeg decode-only."""
    started = time.perf_counter()
    cmd = ["ffmpeg", "-v", "error", "-threads", str(threads), "-i", str(clip), "-map", "0:v:0", "-f", "null", "-"]
    subprocess.run(cmd, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--long", action="store_true", help="add 10-minute clips")
    parser.add_argument("--engines", default="pyav-decode,ours,segment-detect,pyscenedetect,transnetv2")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--baseline-lambdas", type=Path, default=None)
    args = parser.parse_args()
    lengths = [60, 600] if args.long else [60]
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())  # fmt: skip
    lines = [
        "# Detector speed",
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores; threads={args.threads}; load average at start "
        f"{os.getloadavg()[0]:.2f}; command: `bench/detector_speed.py --threads {args.threads}"
        f"{' --long' if args.long else ''} --repeat {args.repeat}`; the machine is shared with other "
        "jobs, so ratios measured in the same run count, absolute fps less",
        "",
        "| clip | engine | fps | × ffmpeg decode-only | wall s | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    engines = args.engines.split(",")
    lambdas = dict.fromkeys(engines, ROOT / "lambdas")
    if args.baseline_lambdas:
        engines.append("segment-detect (baseline)")
        lambdas["segment-detect (baseline)"] = args.baseline_lambdas
    for seconds in lengths:
        for size in ("1920x1080", "1280x720"):
            clip = make_clip(CLIPS / f"speed_{size}_{seconds}s.mp4", size, seconds)
            frames = frames_of(clip)
            best: dict[str, tuple[float, float]] = {}
            failed: dict[str, str] = {}
            base = float("inf")
            for _ in range(args.repeat):
                base = min(base, run_ffmpeg(clip, args.threads))
                for engine in engines:
                    if engine in failed:
                        continue
                    code = engine.split(" ")[0]
                    try:
                        wall, rss = run_python(code, clip, args.threads, lambdas[engine])
                    except subprocess.CalledProcessError as exc:
                        failed[engine] = exc.stderr.strip()[-80:]
                        continue
                    if engine not in best or wall < best[engine][0]:
                        best[engine] = (wall, rss)
            lines.append(f"| {size} {seconds}s | ffmpeg decode-only | {frames / base:,.0f} | 1.00 | {base:.1f} | - |")
            for engine in engines:
                if engine in failed:
                    lines.append(f"| {size} {seconds}s | {engine} | unavailable: {failed[engine]} ||||")
                    continue
                wall, rss = best[engine]
                cells = f"{frames / wall:,.0f} | {base / wall:.2f} | {wall:.1f} | {rss:.0f}"
                lines.append(f"| {size} {seconds}s | {engine} | {cells} |")
            print("\n".join(lines[-len(engines) - 1 :]), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "detector_speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
