"""Training clips for the failure classes of issue 15, varied: truth by construction.

Usage: python bench/class_clips.py [--count 12] [--seed 1515] [--out DIR]   (default ~/.cache/shot-bench/classes-SEED)

The detector's tests each check one generated instance of a failure class (a cut between two
angles of one scene, a slow fade over motion, a 2-frame shot, a flash, a title fading over an
unchanged picture, a clock ticking on a still card, two flat colours). The learned boundary model
(bench/train_boundary.py) learns the class from these variants instead: other sources, sizes,
frame rates, timings, transforms and overlay shapes, never the tests' own 160x90 clips. Each clip
is lavfi sources encoded with the ffmpeg CLI; its truth JSON (kit format) sits next to it.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
from pathlib import Path
from typing import Any

CACHE = Path.home() / ".cache" / "shot-bench"
SIZES = ["160x90", "192x108", "320x180", "480x270"]
RATES = [24, 25, 30]


def moving(rng: random.Random, size: str, rate: int) -> str:
    """A moving lavfi source (no input), as the kit's sources move."""
    kind = rng.choice(["testsrc2", "mandelbrot", "life", "cellauto", "gradients", "box"])
    if kind == "life":
        colour = rng.randint(0x202020, 0xFFFFFF)
        return f"life=s={size}:r={rate}:mold=10:ratio=0.{rng.randint(1, 4)}:life_color=#{colour:06x}"
    if kind == "cellauto":
        return f"cellauto=s={size}:r={rate}:rule={rng.choice([18, 30, 90, 110, 150])}"
    if kind == "gradients":
        return f"gradients=s={size}:r={rate}:speed=0.0{rng.randint(2, 6)}:seed={rng.randint(1, 999)}"
    if kind == "box":
        colour, box = rng.randint(0, 0xFFFFFF), rng.randint(0, 0xFFFFFF)
        return (
            f"color=c=0x{colour:06x}:s={size}:r={rate},"
            f"drawbox=x='mod(t*{rng.randint(20, 60)},iw-30)':y=ih/3:w=30:h=30:color=0x{box:06x}:t=fill"
        )
    return f"{kind}=s={size}:r={rate}"


def clip(inputs: list[str], join: str, shots: list[tuple[int, int]], frames: int, kind: str) -> dict[str, Any]:
    return {"inputs": inputs, "join": join, "shots": shots, "frames": frames, "kind": kind}


def same_scene(rng: random.Random, size: str, rate: int) -> dict[str, Any]:
    """One moving picture, then the same picture framed otherwise (mirrored, flipped, closer)."""
    a, b = rng.randint(30, 70), rng.randint(30, 70)
    w, h = size.split("x")
    other = rng.choice(["hflip", "vflip", f"crop=iw/2:ih/2,scale={w}:{h}", f"crop=iw*2/3:ih*2/3:0:0,scale={w}:{h}"])
    src = moving(rng, size, rate)
    join = (
        f"[0]trim=end_frame={a + b},split[m1][m2];[m1]trim=end_frame={a},setsar=1[x];"
        f"[m2]trim=start_frame={a},setpts=PTS-STARTPTS,{other},setsar=1[y];[x][y]concat=n=2"
    )
    return clip([src], join, [(0, a - 1), (a, a + b - 1)], a + b, "same_scene")


def slow_gradual(rng: random.Random, size: str, rate: int) -> dict[str, Any]:
    """A 2-4 s dissolve or fade through black/white between two moving shots."""
    offset, duration = rng.randint(2, 3), rng.choice([2.0, 2.5, 3.0, 3.5, 4.0])
    transition = rng.choice(["fade", "dissolve", "fadeblack", "fadewhite"])
    first, second = moving(rng, size, rate), moving(rng, size, rate)
    if rng.random() < 0.3:
        second = first + ",negate"
    total = offset + duration + rng.randint(2, 3)
    start, end = offset * rate, round((offset + duration) * rate)
    join = (
        f"[0]trim=duration={total}[a];[1]trim=duration={total},setpts=PTS-STARTPTS[b];"
        f"[a][b]xfade=transition={transition}:duration={duration}:offset={offset}"
    )
    frames = round(total * rate)
    return clip([first, second], join, [(0, start - 1), (end, frames - 1)], frames, "slow_gradual")


def short_shot(rng: random.Random, size: str, rate: int) -> dict[str, Any]:
    """A 2-6-frame shot between two long ones (hard cuts)."""
    a, k, c = rng.randint(30, 60), rng.randint(2, 6), rng.randint(30, 60)
    srcs = [moving(rng, size, rate) for _ in range(3)]
    join = (
        f"[0]trim=end_frame={a}[a];[1]trim=end_frame={k},setpts=PTS-STARTPTS[b];"
        f"[2]trim=end_frame={c},setpts=PTS-STARTPTS[c];[a][b][c]concat=n=3"
    )
    return clip(srcs, join, [(0, a - 1), (a, a + k - 1), (a + k, a + k + c - 1)], a + k + c, "short_shot")


def flash(rng: random.Random, size: str, rate: int) -> dict[str, Any]:
    """One shot with a 1-2-frame flash (white or a colour): no transition."""
    n, at, length = rng.randint(80, 120), rng.randint(25, 55), rng.randint(1, 2)
    colour = rng.choice(["white", "0xffffc0", "0xc0e0ff"])
    alpha = rng.choice([0.6, 0.8, 0.95])
    join = (
        f"[0]trim=end_frame={n},drawbox=x=0:y=0:w=iw:h=ih:color={colour}@{alpha}:t=fill:"
        f"enable='between(n,{at},{at + length - 1})'"
    )
    return clip([moving(rng, size, rate)], join, [(0, n - 1)], n, "flash")


def title(rng: random.Random, size: str, rate: int) -> dict[str, Any]:
    """A box or band fading in, held and fading out over one moving shot: no transition."""
    w, h = (int(v) for v in size.split("x"))
    bw, bh = rng.randint(w // 4, w * 3 // 4), rng.randint(h // 8, h // 3)
    x, y = rng.randint(0, w - bw), rng.randint(0, h - bh)
    colour = rng.choice(["white", "black", "0xffd020", "0x2040ff"])
    fade_in, hold, fade_out = rng.choice([0.5, 1.0, 1.5]), rng.randint(1, 2), rng.choice([0.5, 1.0])
    total = 1 + fade_in + hold + fade_out + 1
    n = round(total * rate)
    out_start = 1 + fade_in + hold
    join = (
        f"[0]trim=end_frame={n}[base];color=c={colour}:s={bw}x{bh}:r={rate}:d={total},format=yuva420p,"
        f"fade=t=in:st=1:d={fade_in}:alpha=1,fade=t=out:st={out_start}:d={fade_out}:alpha=1[t];"
        f"[base][t]overlay={x}:{y}:shortest=1"
    )
    return clip([moving(rng, size, rate)], join, [(0, n - 1)], n, "title")


def still_card(rng: random.Random, size: str, rate: int) -> dict[str, Any]:
    """A still test card whose clock ticks (testsrc) or a still pattern: no transition."""
    n = rng.randint(75, 125)
    src = rng.choice([f"testsrc=s={size}:r={rate}", f"smptehdbars=s={size}:r={rate}", f"rgbtestsrc=s={size}:r={rate}"])
    return clip([src], f"[0]trim=end_frame={n}", [(0, n - 1)], n, "still_card")


def flat_colours(rng: random.Random, size: str, rate: int) -> dict[str, Any]:
    """Plain colour shots joined by cuts."""
    a, b = rng.randint(30, 80), rng.randint(30, 80)
    c1, c2 = rng.sample(["blue", "red", "green", "yellow", "0x808080", "0x402060", "white"], 2)
    join = f"[0]trim=end_frame={a}[a];[1]trim=end_frame={b},setpts=PTS-STARTPTS[b];[a][b]concat=n=2"
    sources = [f"color=c={c1}:s={size}:r={rate}", f"color=c={c2}:s={size}:r={rate}"]
    return clip(sources, join, [(0, a - 1), (a, a + b - 1)], a + b, "flat_colours")


CLASSES = [same_scene, slow_gradual, short_shot, flash, title, still_card, flat_colours]


def encode(spec: dict[str, Any], path: Path) -> None:
    cmd = ["ffmpeg", "-v", "error", "-y"]
    for source in spec["inputs"]:
        cmd += ["-f", "lavfi", "-i", source]
    cmd += ["-filter_complex", spec["join"], "-frames:v", str(spec["frames"]), "-an"]
    cmd += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", str(path)]
    subprocess.run(cmd, check=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=12, help="clips per class")
    parser.add_argument("--seed", type=int, default=1515)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out: Path = args.out or CACHE / f"classes-{args.seed}"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    for make in CLASSES:
        for k in range(args.count):
            size, rate = rng.choice(SIZES), rng.choice(RATES)
            spec = make(rng, size, rate)
            stem = f"{spec['kind']}{k:02d}_{rate}_{size}"
            encode(spec, out / f"{stem}.mp4")
            w, h = size.split("x")
            truth = {
                "video": f"{stem}.mp4",
                "fps": str(rate),
                "frames": spec["frames"],
                "width": int(w),
                "height": int(h),
                "shots": [{"start_frame": a, "end_frame": b} for a, b in spec["shots"]],
                "notes": f"bench/class_clips.py --seed {args.seed}: {spec['kind']}",
            }
            (out / f"{stem}.json").write_text(json.dumps(truth, indent=1))
            print(f"{stem}: {spec['frames']} frames, {len(spec['shots'])} shots", flush=True)
    print(f"-> {out}")


if __name__ == "__main__":
    main()
