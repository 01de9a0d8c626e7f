"""Re-score the detector's transition rules fast, on per-frame signals cached once per clip.

Usage: .venv/bin/python bench/rules_sweep.py SET [SET ...] [--lambdas DIR] [--list] [--bands]
       SET: a real-set half (tune, heldout, fresh, fresh2 ... as bench/detector_accuracy.py --real takes),
            ``kit`` (the benchmark kit's clips) or a folder of clips with their truth beside them.

Decoding and the per-frame signals are most of a detector run; the rules that turn signals into
transitions take a second per clip. This decodes each clip once, keeps its signals (and nothing of
the video) under ~/.cache/shot-bench/signals/<hash of the signal code>/, and then runs the rules of
``--lambdas`` (default this checkout's) on them, as ``detector.windowing.detect_raw`` does for the
default mode over a whole video. It scores shot transitions as the kit's scorer does (tolerance 2
frames) and prints, per set, right / false / missed, F1 and gradual recall; ``--list`` adds every
false and missed boundary with the nearest predictions, ``--bands`` the confidence-versus-correctness
table. Used while changing the rules: a full ``detector_accuracy.py`` run decodes every clip again.
Scores here equal ``detector_accuracy.py --engines ours`` on the same clips (same rules, same scorer,
variable-frame-rate clips numbered frame by frame as there); technical cues are not scored.
``SWEEP_PATCH=path/to/experiment.py`` imports that module after the detector, so an experiment can
replace a rule function without touching the checkout.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT.parent / "shared" / "bench"
CACHE = Path.home() / ".cache" / "shot-bench" / "signals"
# The signal code: a change to any of these makes new signals (a new cache folder).
SIGNAL_SOURCES = ("features.py", "decode.py", "options.py")
BANDS = ((95, 101), (85, 95), (70, 85), (50, 70))


LAMBDAS = ROOT / "lambdas"


def _import_detector(lambdas: Path) -> None:
    """Bind ``detector`` to the one under ``lambdas`` before anything puts this checkout's first."""
    global LAMBDAS
    LAMBDAS = lambdas.resolve()
    sys.path[:0] = [str(LAMBDAS)]
    for module in ("detector.analysis", "detector.features", "detector.decode", "detector.options"):
        importlib.import_module(module)
    patch = os.environ.get("SWEEP_PATCH")  # an experiment's module, imported after the detector's
    if patch:
        sys.path.insert(0, str(Path(patch).parent))
        importlib.import_module(Path(patch).stem)


def signal_key() -> str:
    """A digest of the signal code in use (a cache entry is valid for that code only)."""
    digest = hashlib.sha256()
    for name in SIGNAL_SOURCES:
        digest.update((LAMBDAS / "detector" / name).read_bytes())
    return digest.hexdigest()[:16]


def clips_of(name: str) -> list[tuple[Path, dict[str, Any]]]:
    """(video, truth) of every clip of a set that has a truth."""
    sys.path[:0] = [str(ROOT / "bench")]
    from detector_accuracy import clip_paths, real_half

    folder: Path | None
    if name == "kit":
        folder = None
    elif Path(name).is_dir():
        folder = Path(name)
    else:
        folder = real_half(name)
    gt_dir = Path.home() / ".cache" / "shot-bench" / "sweep-gt" / name.replace("/", "_")
    videos, gt_dir = clip_paths(folder, gt_dir)
    out = []
    for video in videos:
        truth = gt_dir / f"{video.stem}.json"
        if truth.exists():
            out.append((video, json.loads(truth.read_text())))
    return out


def cached_signals(video: Path, set_name: str) -> tuple[Any, float]:
    """The clip's SignalArrays and frame rate, computed with this checkout's signal code on first use."""
    from detector.decode import VideoReader
    from detector.features import SignalArrays, compute_signals
    from detector.options import DetectOptions, black_level

    target = CACHE / signal_key() / set_name.replace("/", "_") / f"{video.stem}.npz"
    if target.exists():
        data = np.load(target)
        return SignalArrays(*(data[f] for f in SignalArrays._fields)), float(data["fps"])
    opts = DetectOptions()
    with VideoReader(str(video), threads=2) as reader:
        level = black_level(opts.black_max_pixel_threshold, reader.probe.full_range)
        signals = compute_signals(reader.frames(0, None), level)
        fps = float(reader.probe.rate)
    arrays = signals.as_arrays()
    target.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(target, fps=np.float64(fps), **arrays._asdict())
    return arrays, fps


def predict(arrays: Any, fps: float) -> list[Any]:
    """The default mode's transitions over a whole clip (as detect_raw with no time window)."""
    from detector.analysis import calibrated, drop_edge_fades, region_confidence, rule_transitions

    found = region_confidence([calibrated(t) for t in rule_transitions(arrays, fps)], arrays)
    return sorted(drop_edge_fades(found, arrays, opens=True, closes=True), key=lambda t: t.frame)


def in_decode_order(found: list[Any], fps: float, video: Path) -> list[Any]:
    """On a variable-frame-rate clip, each boundary's frame counted frame by frame (as the truth counts).

    See ``detector_accuracy.in_decode_order``: our frames sit on the nominal rate's grid there.
    """
    from dataclasses import replace

    from detector_accuracy import decode_index, frame_times_ms

    times = frame_times_ms(video)
    if times is None:
        return found
    return [replace(t, frame=decode_index(times, t.frame * 1000.0 / fps)) for t in found]


def score(truth: dict[str, Any], found: list[Any], min_confidence: float) -> dict[str, Any]:
    """The kit's transition matching on one clip: hits, false and missed boundaries."""
    sys.path[:0] = [str(KIT)]
    from evaluate import match_transitions, shots_to_transitions

    gt_tr = shots_to_transitions(sorted((s["start_frame"], s["end_frame"]) for s in truth["shots"]))
    # Two rules may report one frame; the segment assembly makes one shot boundary of them.
    best: dict[int, Any] = {}
    for t in found:
        if (
            t.confidence >= min_confidence
            and t.frame > 0
            and (t.frame not in best or t.confidence > best[t.frame].confidence)
        ):
            best[t.frame] = t
    kept = [best[frame] for frame in sorted(best)]
    pred_tr = [(t.frame - 1, t.frame) for t in kept]
    tp, fp, fn = match_transitions(gt_tr, pred_tr, 2)
    kinds = ["cut" if e + 1 == s else "gradual" for e, s in gt_tr]
    return {
        "tp": [(gt_tr[i], kept[j], kinds[i]) for i, j in tp],
        "fp": [kept[j] for j in fp],
        "fn": [(gt_tr[i], kinds[i]) for i in fn],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="+")
    parser.add_argument("--lambdas", type=Path, default=ROOT / "lambdas", help="whose rules to run")
    parser.add_argument("--min-confidence", type=float, default=50.0, help="shots kept (the default filter)")
    parser.add_argument("--list", action="store_true", help="every false and missed boundary")
    parser.add_argument("--bands", action="store_true", help="confidence against correctness")
    args = parser.parse_args()
    _import_detector(args.lambdas)
    total: Counter[str] = Counter()
    bands: dict[tuple[int, int], Counter[str]] = {band: Counter() for band in BANDS}
    for name in args.sets:
        counts: Counter[str] = Counter()
        for video, truth in clips_of(name):
            arrays, fps = cached_signals(video, name)
            found = in_decode_order(predict(arrays, fps), fps, video)
            result = score(truth, found, args.min_confidence)
            counts.update(tp=len(result["tp"]), fp=len(result["fp"]), fn=len(result["fn"]))
            hit = sum(k == "gradual" for *_, k in result["tp"])
            counts.update(gradual=hit + sum(k == "gradual" for _, k in result["fn"]), gradual_hit=hit)
            for band in BANDS:
                bands[band].update(
                    right=sum(band[0] <= t.confidence < band[1] for _, t, _ in result["tp"]),
                    false=sum(band[0] <= t.confidence < band[1] for t in result["fp"]),
                )
            if args.list:
                for t in result["fp"]:
                    print(f"  FP {name}/{video.stem} {t.frame} {t.kind} {t.confidence:.0f} [{t.start}-{t.end}]")
                for (a, b), kind in result["fn"]:
                    near = [f"{t.frame}:{t.confidence:.0f}" for t in found if a - 15 <= t.frame <= b + 15]
                    print(f"  FN {name}/{video.stem} {a}-{b} {kind} near {' '.join(near) or '-'}")
        _print(name, counts)
        total.update(counts)
    if len(args.sets) > 1:
        _print("all", total)
    if args.bands:
        for (low, high), c in bands.items():
            n = c["right"] + c["false"]
            share = f"{c['right'] / n:.3f}" if n else "-"
            print(f"  {low}-{min(high, 100)}: right {c['right']} of {n} ({share})")


def _print(name: str, c: Counter[str]) -> None:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    graduals = f"{c['gradual_hit']}/{c['gradual']}"
    print(f"{name:>12}: right {tp:4d} false {fp:3d} missed {fn:3d}  F1 {f1:.3f}  gradual {graduals}")


if __name__ == "__main__":
    main()
