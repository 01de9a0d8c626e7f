"""A learned boundary model over the hand-made signals: which frames belong to a shot change.

The rules in :mod:`detector.analysis` each weigh one or two signals at one frame with thresholds
set by hand. This model looks at every signal in a window around each frame at once, together
with what the rules found there, and gives the probability that the frame is a cut's first frame
or one of a gradual transition's frames. It is opt-in (``DetectOptions(transitions="learned")``):
on real footage neither had seen it found more dissolves than the rules but scored lower overall
(lambdas/detector/README.md, "Measured"). It is a gradient-boosted tree ensemble fitted by
``bench/train_boundary.py`` (scikit-learn, bench only) and stored as plain arrays
(``models/boundary.npz``); evaluating it is a few numpy comparisons per tree level, so the
detector needs no machine-learning runtime.

Pure numpy: no boto3, no I/O beyond reading the packaged model once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from detector.analysis import Transition, runs
from detector.features import F32, SignalArrays

MODEL_PATH = Path(__file__).with_name("models") / "boundary.npz"
STEP_OFFSETS = range(-4, 5)  # frames around each frame whose per-frame signals the model sees
WIDE_OFFSETS = range(-12, 13, 3)  # ... and whose windowed distances it sees
CONTEXT = 8  # frames each side whose median change describes the neighbourhood
RULE_OFFSETS = range(-2, 3)
RULE_REACH = 30.0  # frames: distance to the nearest rule boundary, capped
# Hysteresis: a run of frames at or above LOW is a transition when one of its frames reaches HIGH.
HIGH = 0.7
LOW = 0.3
MERGE_GAP = 2  # runs this close are one transition
# The model's probability is not calibrated that far: on the unseen real sets fresh10 and fresh13-17 its
# boundaries at p >= 0.9 were right 90-97 % of the time, never the 99 % the 95-100 band means for
# the rules. Its 50-100 scale is mapped onto 50-MAX_CONFIDENCE, order kept (1.16).
MAX_CONFIDENCE = 94.0
BLOCK = 4096  # frames described at once (memory stays flat in the video's length)
MARGIN = 40  # context frames either side of a block (more than the widest look-around, 12 frames)


def _shifted(x: F32, offsets: range) -> list[F32]:
    pad = max(abs(offsets.start), abs(offsets[-1]))
    padded = np.pad(x, (pad, pad), mode="edge")
    n = len(x)
    return [padded[pad + o : pad + o + n] for o in offsets]


def _rolling_median(x: F32, radius: int) -> F32:
    padded = np.pad(x, (radius, radius), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1)
    return np.asarray(np.median(windows, axis=1), dtype=np.float32)


def frame_features(s: SignalArrays, rules: list[Transition]) -> npt.NDArray[np.float32]:
    """One row per frame: the signals around it and the rules' boundaries near it."""
    n = len(s.luma)
    luma_step = np.abs(np.diff(s.luma, prepend=s.luma[:1])) / 32.0
    per_frame = [
        s.d_hist,
        np.sqrt(s.d_grid),
        np.sqrt(s.d_pix),
        s.skip,
        s.back,
        np.sqrt(s.skip_grid),
        np.sqrt(s.back_grid),
        s.grid_peak,
        s.spread / 64.0,
        luma_step,
    ]
    columns: list[F32] = []
    for x in per_frame:
        columns += _shifted(np.asarray(x, dtype=np.float32), STEP_OFFSETS)
    for x in (s.wide, s.wide_long):
        columns += _shifted(x, WIDE_OFFSETS)
    for x in (s.d_hist, s.d_grid, s.d_pix):
        columns.append(_rolling_median(x, CONTEXT))
    cut = np.zeros(n, dtype=np.float32)
    gradual = np.zeros(n, dtype=np.float32)
    distance = np.full(n, RULE_REACH, dtype=np.float32)
    frames = np.arange(n)
    for t in rules:  # frames may lie outside 0..n-1 (a block's neighbours): clip, never wrap
        if t.kind == "cut":
            if 0 <= t.frame < n:
                cut[t.frame] = t.confidence / 100.0
        else:
            first, last = t.changed
            gradual[max(0, first) : max(0, last + 1)] = t.confidence / 100.0
        distance = np.minimum(distance, np.abs(frames - t.frame).astype(np.float32))
    for x in (cut, gradual):
        columns += _shifted(x, RULE_OFFSETS)
    columns.append(distance / RULE_REACH)
    return np.stack(columns, axis=1).astype(np.float32)


@dataclass(frozen=True)
class TreeEnsemble:
    """Binary-classification gradient-boosted trees as flat node arrays (all trees concatenated).

    ``feature``/``threshold``: the split (go left when value <= threshold, or when the value is
    missing and ``missing_left``); ``left``/``right``: node indices (global); ``leaf``: leaf flag;
    ``value``: a leaf's contribution to the log-odds; ``roots``: each tree's first node.
    """

    feature: npt.NDArray[np.int32]
    threshold: npt.NDArray[np.float64]
    left: npt.NDArray[np.int32]
    right: npt.NDArray[np.int32]
    leaf: npt.NDArray[np.bool_]
    missing_left: npt.NDArray[np.bool_]
    value: npt.NDArray[np.float64]
    roots: npt.NDArray[np.int32]
    baseline: float
    n_features: int

    def log_odds(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """Sum of every tree's leaf for each row of ``x``, plus the baseline."""
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"expected rows of {self.n_features} features, got shape {x.shape}")
        rows = np.arange(len(x))
        total = np.full(len(x), self.baseline, dtype=np.float64)
        for root in self.roots:
            node = np.full(len(x), root, dtype=np.int32)
            while True:
                inner = ~self.leaf[node]
                if not inner.any():
                    break
                values = x[rows, self.feature[node]]
                go_left = np.where(np.isnan(values), self.missing_left[node], values <= self.threshold[node])
                node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
            total += self.value[node]
        return total

    def probability(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        return np.asarray(1.0 / (1.0 + np.exp(-self.log_odds(x))), dtype=np.float64)

    @classmethod
    def load(cls, path: Path) -> TreeEnsemble:
        with np.load(path) as data:
            return cls(
                feature=data["feature"].astype(np.int32),
                threshold=data["threshold"].astype(np.float64),
                left=data["left"].astype(np.int32),
                right=data["right"].astype(np.int32),
                leaf=data["leaf"].astype(bool),
                missing_left=data["missing_left"].astype(bool),
                value=data["value"].astype(np.float64),
                roots=data["roots"].astype(np.int32),
                baseline=float(data["baseline"]),
                n_features=int(data["n_features"]),
            )


@lru_cache(maxsize=1)
def packaged_model() -> TreeEnsemble:
    """The model shipped with the detector, read once per process."""
    return TreeEnsemble.load(MODEL_PATH)


def transitions_from_probability(p: npt.NDArray[np.float64], rules: Sequence[Transition] = ()) -> list[Transition]:
    """Runs of likely frames as transitions: one frame is a cut, more are a gradual's frames.

    Runs a frame or two apart are one transition (a gradual whose middle changes little), and so
    are runs inside one gradual transition the rules found whole (a slow dissolve changes most at
    its ends); two one-frame runs stay two cuts (into and out of a short shot). The confidence is
    the peak probability on a 50-MAX_CONFIDENCE scale.
    """
    gradual_of = np.full(len(p), -1, dtype=np.int64)
    for k, t in enumerate(rules):
        if t.kind == "gradual":
            first, last = t.changed
            gradual_of[max(0, first) : max(0, last + 1)] = k
    spans: list[tuple[int, int, float]] = []
    for a, b in runs(p >= LOW, 1):
        peak = float(p[a : b + 1].max())
        if a == 0 or peak < HIGH:
            continue  # frame 0 starts the first shot, not a transition
        if spans:
            first, last, best = spans[-1]
            near = a - last <= MERGE_GAP and not (a == b and first == last)
            same = gradual_of[last] >= 0 and gradual_of[last] == gradual_of[a]
            if near or same:
                spans[-1] = (first, b, max(best, peak))
                continue
        spans.append((a, b, peak))
    out: list[Transition] = []
    for a, b, peak in spans:
        confidence = 50.0 + (MAX_CONFIDENCE - 50.0) * peak
        if a == b:
            out.append(Transition(a, "cut", confidence, a, a - 1))
        else:
            # Frames a..b are mixed frames plus the new shot's first: the new shot starts mid-way,
            # as the rules place a gradual boundary.
            out.append(Transition((a + b + 1) // 2, "gradual", confidence, a, b - 1))
    return out


def probabilities(s: SignalArrays, rules: list[Transition], model: TreeEnsemble) -> npt.NDArray[np.float64]:
    """Each frame's probability of belonging to a transition, BLOCK frames at a time.

    Each block is described with MARGIN frames of context either side (more than any feature
    looks: 12 frames of offsets, a rolling median of 8) and with every rule boundary within
    RULE_REACH of it, so the result equals describing the whole window at once while memory
    stays a block's worth.
    """
    n = len(s.luma)
    out = np.empty(n, dtype=np.float64)
    for a in range(0, n, BLOCK):
        b = min(n, a + BLOCK)
        lo, hi = max(0, a - MARGIN), min(n, b + MARGIN)
        part = SignalArrays(*(x[lo:hi] for x in s))
        near = [t.shifted(-lo) for t in rules if t.changed[1] + RULE_REACH >= lo and t.changed[0] - RULE_REACH < hi]
        out[a:b] = model.probability(frame_features(part, near))[a - lo : b - lo]
    return out


def learned_transitions(
    s: SignalArrays, rules: list[Transition], model: TreeEnsemble | None = None
) -> list[Transition]:
    """The model's transitions for one analysed window, given the rules' transitions in it."""
    if len(s.luma) == 0:
        return []
    return transitions_from_probability(probabilities(s, rules, model or packaged_model()), rules)
