"""Hybrid boundaries: the rules decide, TransNetV2 (detector.transnet) settles what they are unsure of.

Opt-in (``DetectOptions(transitions="hybrid")``). Three uses of the network's per-frame boundary
probability ``p``, each where the rules' own measure is weakest; every threshold was set on real
footage the rules had already been scored on (fresh3-5, fresh11-12) and frozen before the next set
(the counts below are from then, with the 1.10 rules):

- a rule boundary scored under VETO_BELOW is dropped when the network sees no boundary near it
  (p under VETO_PROBABILITY on every frame it changes, and a few around): on those sets it removed
  13 false boundaries for 5 right ones;
- a weak cut in a burst, which the rules take for flicker (analysis.drop_flicker), is kept when the
  network sees a boundary there (p ≥ RESCUE_PROBABILITY): rapid edited cuts, 4 right for 1 false;
  so, since 1.34 and 1.35, is any other proposal the rules drop (analysis.drop_non_transitions: a
  graphic popping up, a camera move), a use not measured separately;
- a cut the rules missed is added where the network is sure (a single frame with p ≥ ADD_PROBABILITY)
  and no kept transition is within ADD_CLEARANCE frames: 11 right for 3 false.

Experimental. On the next five unseen sets F1 went 0.910 → 0.917 (fresh13: the veto helped,
the additions did not), 0.947 → 0.932 (fresh14), 0.885 → 0.889 (fresh15), 0.952 → 0.952
(fresh16) and 0.954 → 0.961 (fresh17); on the kit's
synthetic clips 0.991 → 0.923 (the network misses synthetic
gradual transitions the rules find). See the detector README. A windowed run (``start_ms``/
``end_ms``, the fallback's chunks) places the network's 100-frame windows from its own first
frame, so its scores, and a decision near a threshold, can differ a little from one pass over the
whole video; the fallback Lambda runs the rules, whose chunks merge exactly.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from detector.analysis import (
    Transition,
    calibrated,
    clear_of,
    drop_non_transitions,
    find_region_cuts,
    rule_proposals,
    runs,
)
from detector.features import SignalArrays

VETO_BELOW = 70.0  # percent: the rules' least certain band (most of their false boundaries)
VETO_PROBABILITY = 0.02
VETO_BEFORE, VETO_AFTER = 3, 2  # frames around a boundary's changed span the network may mark it on
RESCUE_PROBABILITY = 0.1
ADD_PROBABILITY = 0.5  # the reference's own threshold
ADD_CLEARANCE = 3  # frames


def _peak(p: npt.NDArray[np.float32], t: Transition) -> float:
    # The network marks a cut on the old shot's last frame, one before the rules' new-shot frame.
    first, last = t.changed
    lo, hi = max(0, first - VETO_BEFORE), min(len(p), last + VETO_AFTER)
    return float(p[lo:hi].max()) if hi > lo else 0.0


def network_cuts(p: npt.NDArray[np.float32], threshold: float) -> list[Transition]:
    """Single frames at or over ``threshold`` (the old shot's last frame) as cuts into the next."""
    return [
        Transition(i + 1, "cut", 50.0 + 50.0 * float(p[i]), i + 1, i)
        for i, last in runs(p >= threshold, 1)
        if i == last and 0 < i < len(p) - 1  # one frame alone; a longer run is a gradual's frames
    ]


def hybrid_transitions(s: SignalArrays, fps: float, p: npt.NDArray[np.float32]) -> list[Transition]:
    """The rules' transitions, vetoed, rescued and completed by the network's probabilities ``p``."""
    proposals = rule_proposals(s, fps)
    steady = {id(t) for t in drop_non_transitions(proposals, s)}
    kept: list[Transition] = []
    for t in proposals:
        if id(t) not in steady:
            if _peak(p, t) >= RESCUE_PROBABILITY:
                kept.append(calibrated(t))
            continue
        t = calibrated(t)
        if t.confidence < VETO_BELOW and _peak(p, t) < VETO_PROBABILITY:
            continue
        kept.append(t)
    kept += find_region_cuts(s, kept)  # one panel of a split screen: the network sees whole pictures
    kept += clear_of(kept, network_cuts(p, ADD_PROBABILITY), len(p), ADD_CLEARANCE)
    return sorted(kept, key=lambda t: t.frame)
