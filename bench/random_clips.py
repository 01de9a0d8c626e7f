"""A held-out clip set: random layouts rendered by the benchmark kit's own generator.

The public bench clips are few (≈ 60 transitions) and the detector was tuned on them. These
clips use the kit's sources, effects and transitions in seeded random orders, frame rates and
sizes, so they measure generality and give enough transitions to check that a higher
confidence means a more often right boundary.

Usage: python bench/random_clips.py [--count 12] [--seed 2026]   (-> ~/.cache/shot-bench/random-<seed>)
then:  .venv/bin/python bench/detector_accuracy.py --clips ~/.cache/shot-bench/random-2026 --engines ours
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

KIT = Path(__file__).resolve().parents[2] / "shared" / "bench"
sys.path.insert(0, str(KIT))

import make_clips as kit  # type: ignore[import-not-found]  # noqa: E402

CONTENT = ["testsrc2", "testsrc", "mandelbrot", "life", "cellauto", "gradients", "sierpinski", "panstill", "zoomstill"]
RATES = ["25", "30", "30000/1001", "24000/1001", "24", "50"]
SIZES = [(640, 360), (960, 540), (1280, 720)]


def _content(rng: random.Random, frames: int) -> dict[str, Any]:
    src = rng.choice(CONTENT)
    extra: dict[str, Any] = {"seed": rng.randrange(1, 500)}
    if src == "cellauto":
        extra["rule"] = rng.choice([30, 45, 90, 110, 150])
    fx: list[dict[str, Any]] = []
    roll = rng.random()
    if roll < 0.15:
        fx.append({"fx": "flash", "at": frames // 2, "len": rng.choice([1, 2, 3])})
    elif roll < 0.25:
        fx.append({"fx": "noise", "amount": rng.choice([6, 12, 20])})
    elif roll < 0.32:
        fx.append({"fx": "lowlight", "gain": rng.choice([0.3, 0.4])})
    elif roll < 0.38 and src not in ("panstill", "zoomstill"):
        fx.append({"fx": "shake", "amp": rng.choice([6, 12])})
    elif roll < 0.44:
        fx.append({"fx": "ticker"})
    if fx:
        extra["fx"] = fx
    return kit.S(src, frames, **extra)


def _transition(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.55:
        return kit.CUT
    if roll < 0.75:
        return kit.DIS(rng.choice([6, 10, 15, 24, 36]))
    if roll < 0.87:
        return kit.WIPE(rng.choice([10, 16, 24]), rng.choice(["wipe", "wipeup", "iris"]))
    return kit.FADE(rng.choice([8, 12, 20]), rng.choice([0, 8, 12]))


def random_clips(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    clips = []
    for n in range(count):
        fps = rng.choice(RATES)
        size = rng.choice(SIZES)
        segments: list[dict[str, Any]] = []
        head = rng.random() < 0.4
        if head:  # broadcast-style head
            segments.append(kit.S(rng.choice(["smptebars", "smptehdbars", "pal75bars"]), 90, cue="ColorBars"))
            segments.append(kit.S("black", rng.choice([15, 30]), kit.CUT, cue="BlackFrames"))
        for k in range(rng.randrange(7, 13)):
            frames = rng.choice([12, 30, 60, 90, 120, 150])
            seg = _content(rng, frames)
            if k > 0 or head:
                seg["tin"] = _transition(rng)
            if k > 0 and rng.random() < 0.08:  # a black hold between shots
                segments.append(kit.S("black", rng.choice([12, 25, 40]), kit.CUT, cue="BlackFrames"))
                seg["tin"] = kit.CUT
            segments.append(seg)
        if rng.random() < 0.35:
            segments.append(kit.S("endcredits", rng.choice([120, 200]), kit.CUT, cue="EndCredits"))
        # A transition's frames must fit inside both neighbouring shots.
        for k in range(1, len(segments)):
            t = segments[k].get("tin")
            if t and kit.overlap_frames(t) * 2 + 4 > min(segments[k]["frames"], segments[k - 1]["frames"]):
                segments[k]["tin"] = kit.CUT
            if (
                t
                and t.get("type") == "fade"
                and t.get("out", 0) + t.get("in", 0) + 4 > min(segments[k]["frames"], segments[k - 1]["frames"])
            ):
                segments[k]["tin"] = kit.CUT
        name = f"r{n:02d}_{fps.replace('/', '_')}_{size[0]}x{size[1]}"
        notes = f"random layout, seed {seed}"
        clips.append({"name": name, "fps": fps, "size": size, "notes": notes, "segments": segments})
    return clips


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2026)
    args, rest = parser.parse_known_args()
    # One folder per seed, so two sets never mix in one --clips folder.
    return int(kit.main(clips_fn=lambda: random_clips(args.count, args.seed), sub=f"random-{args.seed}", argv=rest))


if __name__ == "__main__":
    sys.exit(main())
