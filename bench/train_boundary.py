"""Fit the detector's learned boundary model (lambdas/detector/models/boundary.npz) on labelled clips.

Usage: .venv-bench/bin/python bench/train_boundary.py [--cv] [--out lambdas/detector/models/boundary.npz]

Training clips (all looked at while tuning the rules; none of the sets reported as unseen):
the kit's clips, the real set's ``tune`` and ``heldout`` halves (the held-out half was scored for
fallback-1.3 and is tuning material since), the v1 and v2 splices of seed 4242, the v2 splices of
seeds 5151 and 6161, and the kit generator's random layouts of seeds 7, 31337, 101 and 202, and variants of each failure
class the detector's tests check (bench/class_clips.py, never the tests' own clips). Never
trained on: the real set's ``fresh`` half, the v3 splices, random seeds 20261126 and later.

Each clip's signals are computed once by the detector's own code (cached under
~/.cache/shot-bench/signals) and each frame labelled 1 when it is a cut's first frame or one of a
gradual transition's frames (its mixed frames and the new shot's first frame). The model is
scikit-learn's HistGradientBoostingClassifier, exported as flat node arrays that
``detector.learned.TreeEnsemble`` evaluates with numpy; the export is checked against
scikit-learn's own probabilities before it is written. ``--cv`` first scores each family of clips
with a model fitted on the others (bench/out/train_boundary.md).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambdas"), str(ROOT / "bench")]
KIT = ROOT.parent / "shared" / "bench"
sys.path.append(str(KIT))
CACHE = Path.home() / ".cache" / "shot-bench"
SIGNALS = CACHE / "signals"

import evaluate as ev  # type: ignore[import-not-found]  # noqa: E402
from detector_accuracy import truth_for  # noqa: E402

from detector.analysis import rule_transitions  # noqa: E402
from detector.decode import VideoReader  # noqa: E402
from detector.features import SignalArrays, compute_signals  # noqa: E402
from detector.learned import HIGH, LOW, TreeEnsemble, frame_features, transitions_from_probability  # noqa: E402
from detector.options import black_level  # noqa: E402

# (family, folder) of every training clip; a family is held out as a whole in --cv.
RANDOM_SEEDS = (7, 31337, 101, 202)
V2_SPLICE_SEEDS = (4242, 5151, 6161)
CLASS_SEED = 1515  # bench/class_clips.py: variants of the failure classes the detector's tests check
CLASS_WEIGHT = 20.0
PARAMS: dict[str, Any] = {
    "max_iter": 150,
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "random_state": 0,
}


def folders() -> list[tuple[str, Path]]:
    """Every training folder, generated or fetched on first use."""
    bench = ROOT / "bench"
    out: list[tuple[str, Path]] = [
        ("kit", made(CACHE / "public", KIT / "make_clips.py")),
        ("real-edited", made(CACHE / "realset" / "tune", bench / "real_clips.py")),
        ("real-edited", CACHE / "realset" / "heldout"),
    ]
    v1 = CACHE / "realsplice-4242"
    made(v1 / "tune", bench / "real_splice.py", "--seed", "4242")
    out += [("splice-v1", v1 / "tune"), ("splice-v1", v1 / "heldout")]
    for seed in V2_SPLICE_SEEDS:
        v2 = CACHE / f"realsplice-v2-{seed}"
        made(v2 / "tune", bench / "real_splice.py", "--seed", str(seed), "--sources", "v2")
        out += [("splice-v2", v2 / "tune"), ("splice-v2", v2 / "heldout")]
    out.append(("classes", made(CACHE / f"classes-{CLASS_SEED}", bench / "class_clips.py", "--seed", str(CLASS_SEED))))
    for seed in RANDOM_SEEDS:
        out.append(("random", made(CACHE / f"random-{seed}", bench / "random_clips.py", "--seed", str(seed))))
    return out


def made(folder: Path, script: Path, *arguments: str) -> Path:
    """``folder``, once ``script`` (a bench or kit script) has filled it with clips and their truth."""
    if not list(folder.glob("*.json")):
        subprocess.run([sys.executable, str(script), *arguments], check=True)
    return folder


def signals_for(video: Path) -> tuple[SignalArrays, float]:
    """The detector's signals for a clip, cached by the file's content hash."""
    digest = hashlib.sha256(video.read_bytes()).hexdigest()[:24]
    cached = SIGNALS / f"{digest}.npz"
    if cached.exists():
        with np.load(cached) as data:
            if set(SignalArrays._fields) <= set(data.files):  # else cached before a signal was added
                return SignalArrays(*(data[name] for name in SignalArrays._fields)), float(data["fps"])
    with VideoReader(str(video), threads=2) as reader:
        probe = reader.probe
        arrays = compute_signals(reader.frames(0, None), black_level(0.2, probe.full_range)).as_arrays()
    SIGNALS.mkdir(parents=True, exist_ok=True)
    np.savez(cached, fps=float(probe.rate), **arrays._asdict())
    return arrays, float(probe.rate)


def dataset() -> list[dict[str, Any]]:
    """Per clip: family, features, labels, truth transitions, the rules' transitions."""
    clips = []
    for family, folder in folders():
        for video in sorted(p for p in folder.iterdir() if p.suffix in (".mp4", ".avi")):
            truth = truth_for(video)
            if truth is None:
                continue
            arrays, fps = signals_for(video)
            n = len(arrays.luma)
            shots = sorted((s["start_frame"], s["end_frame"]) for s in truth["shots"])
            truth_tr = ev.shots_to_transitions(shots)
            labels = np.zeros(n, dtype=np.int8)
            for end, start in truth_tr:
                labels[end + 1 : start + 1] = 1
            rules = [t for t in rule_transitions(arrays, fps) if 0 < t.frame < n]
            clips.append(
                {
                    "family": family,
                    "clip": f"{folder.name}/{video.stem}",
                    "x": frame_features(arrays, rules),
                    "y": labels,
                    "truth": truth_tr,
                    "rules": rules,
                    "n": n,
                }
            )
            print(f"{family:12s} {folder.name}/{video.name}: {n} frames, {len(truth_tr)} transitions", flush=True)
    return clips


def fit(clips: list[dict[str, Any]]) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = np.concatenate([c["x"] for c in clips])
    y = np.concatenate([c["y"] for c in clips])
    # The class variants are a few thousand frames among a hundred and fifty thousand: weighted up
    # so that what each class teaches is not drowned by the bulk.
    weight = np.concatenate([np.full(c["n"], CLASS_WEIGHT if c["family"] == "classes" else 1.0) for c in clips])
    return HistGradientBoostingClassifier(**PARAMS).fit(x, y, sample_weight=weight)


def export(model: Any, n_features: int) -> dict[str, np.ndarray]:
    """Flat node arrays of every tree (indices made global), as TreeEnsemble reads them."""
    names = ("feature", "threshold", "left", "right", "leaf", "missing_left", "value")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in names}
    roots = []
    offset = 0
    for trees in model._predictors:  # one tree per boosting round for a binary classifier
        nodes = trees[0].nodes
        roots.append(offset)
        parts["feature"].append(nodes["feature_idx"].astype(np.int32))
        parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
        parts["left"].append(nodes["left"].astype(np.int32) + offset)
        parts["right"].append(nodes["right"].astype(np.int32) + offset)
        parts["leaf"].append(nodes["is_leaf"].astype(bool))
        parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
        parts["value"].append(nodes["value"].astype(np.float64))
        offset += len(nodes)
    arrays = {k: np.concatenate(v) for k, v in parts.items()}
    arrays["roots"] = np.asarray(roots, dtype=np.int32)
    arrays["baseline"] = np.asarray(float(np.ravel(model._baseline_prediction)[0]))
    arrays["n_features"] = np.asarray(n_features)
    return arrays


def matches(clip: dict[str, Any], starts: list[int]) -> tuple[int, int, int]:
    """Transition matches of shot starts against a clip's truth (point boundaries, as the detector's
    shots report them; the kit's matcher, ±2 frames)."""
    n = clip["n"]
    bounds = [0, *sorted(f for f in starts if 0 < f < n)]
    shots = [(s, (bounds[i + 1] - 1 if i + 1 < len(bounds) else n - 1)) for i, s in enumerate(bounds)]
    tp, fp, fn = ev.match_transitions(clip["truth"], ev.shots_to_transitions(shots), 2)
    return len(tp), len(fp), len(fn)


def score(clips: list[dict[str, Any]], probability: Any) -> tuple[int, int, int]:
    """The model's matches over clips."""
    found = [
        matches(c, [t.frame for t in transitions_from_probability(probability(c["x"]), c["rules"])]) for c in clips
    ]
    return tuple(sum(f[k] for f in found) for k in range(3))  # type: ignore[return-value]


def rules_score(clips: list[dict[str, Any]]) -> tuple[int, int, int]:
    """The rules' matches over clips."""
    found = [matches(c, [t.frame for t in c["rules"]]) for c in clips]
    return tuple(sum(f[k] for f in found) for k in range(3))  # type: ignore[return-value]


def f1(tp: int, fp: int, fn: int) -> float:
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return 2 * p * r / max(1e-9, p + r)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cv", action="store_true", help="score each family with a model fitted on the others")
    parser.add_argument("--out", type=Path, default=ROOT / "lambdas" / "detector" / "models" / "boundary.npz")
    args = parser.parse_args()
    clips = dataset()
    lines = [
        "# Learned boundary model: training and leave-one-family-out scores",
        "",
        f"Clips {len(clips)}, frames {sum(c['n'] for c in clips)}, transitions {sum(len(c['truth']) for c in clips)}; "
        f"parameters {PARAMS}; hysteresis {LOW}/{HIGH}.",
        "",
    ]
    if args.cv:
        lines += [
            "| held-out family | transitions | rules F1 (tuned on it) | model F1 (never saw it) |",
            "|---|---:|---:|---:|",
        ]
        for family in sorted({c["family"] for c in clips}):
            held = [c for c in clips if c["family"] == family]
            model = fit([c for c in clips if c["family"] != family])
            ensemble = TreeEnsemble(**_typed(export(model, held[0]["x"].shape[1])))
            transitions = sum(len(c["truth"]) for c in held)
            rules, learned = f1(*rules_score(held)), f1(*score(held, ensemble.probability))
            row = f"| {family} | {transitions} | {rules:.3f} | {learned:.3f} |"
            print(row, flush=True)
            lines.append(row)
    model = fit(clips)
    arrays = export(model, clips[0]["x"].shape[1])
    ensemble = TreeEnsemble(**_typed(arrays))
    sample = np.concatenate([c["x"] for c in clips[:: max(1, len(clips) // 8)]])
    gap = float(np.abs(ensemble.probability(sample) - model.predict_proba(sample)[:, 1]).max())
    if gap > 1e-6:
        sys.exit(f"exported model disagrees with scikit-learn by {gap}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    trained = f1(*score(clips, ensemble.probability))
    lines += [
        "",
        f"Written {args.out}: {len(arrays['roots'])} trees, {len(arrays['value'])} nodes; "
        f"numpy evaluation matches scikit-learn within {gap:.1e}; training F1 {trained:.3f}.",
    ]
    report = ROOT / "bench" / "out" / "train_boundary.md"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def _typed(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    return {
        "feature": arrays["feature"],
        "threshold": arrays["threshold"],
        "left": arrays["left"],
        "right": arrays["right"],
        "leaf": arrays["leaf"],
        "missing_left": arrays["missing_left"],
        "value": arrays["value"],
        "roots": arrays["roots"],
        "baseline": float(arrays["baseline"]),
        "n_features": int(arrays["n_features"]),
    }


if __name__ == "__main__":
    main()
