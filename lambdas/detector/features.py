"""Per-frame signals computed in one streaming pass; memory is a small ring buffer plus a few floats per frame."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from detector.decode import Thumb

F32 = npt.NDArray[np.float32]
# Histogram bins: luma carries the brightness story, chroma the colour story. 32 luma bins
# (8 code values each) ignore noise and compression wobble but see a change of exposure.
Y_BINS, C_BINS = 32, 16
Y_SHIFT, C_SHIFT = 3, 4  # 256 code values >> shift = the bin counts above
# Weights of the luma and each chroma histogram in the combined vector (they sum to 1, so the
# L1 distance of two vectors runs 0..2).
Y_WEIGHT, C_WEIGHT = 0.5, 0.25
WINDOW = 10  # frames each side for the gradual-transition distance
# ... and for slow (2-4 s) dissolves and fades, which change a 10-frame window too little: across
# 2 x 10 frames a 90-frame dissolve moves only a quarter of the way from one shot to the next.
LONG_WINDOW = 30
SKIP = 3  # frames a flash may last
ENDS = 7  # frames whose median histogram stands for each end of the window (flash-proof)
# The mix test: frames MIX_STEP before and after a frame, and how far the frame sits from their
# average (a dissolve or fade mixes every pixel linearly from one picture to the next, so its
# middle frame is their average however alike the two pictures' tones are; motion is not).
MIX_STEP = 5
# ...and over a grid of MIX_GRID x MIX_GRID blocks, the share that mix: apart by MIX_BLOCK_APART
# (fraction of 255) and their middle within MIX_BLOCK_OFF of that off the average. A dissolve mixes
# most of the picture; a title fading in over it, a part.
MIX_GRID = 6
MIX_BLOCK_APART = 0.05
MIX_BLOCK_OFF = 0.35
# A luma step between horizontal neighbours above this (code values) is an edge: text and
# graphics have steps of 100+, filmed texture and noise on a 96-pixel thumbnail mostly below 40.
EDGE_STEP = 40
# Colour bars: a top-half column is a saturated band when its mean chroma sits this far
# (code values) from grey; a luma step between columns above this counts as a bar edge.
BARS_BAND_CHROMA = 20.0
BARS_LUMA_STEP = 8.0
BARS_MIN_BANDS = 0.6  # share of columns that are bands for full likeness (SMPTE: ~0.75)
BARS_MIN_STEPS = 0.02  # share of column steps that are bar edges; fewer: a flat colour, not bars
BARS_NOISE_SCALE = 10.0  # mean column standard deviation (code values) at which likeness is 0
# The spatial signal: luma block means on a coarse grid, each frame's mean removed. Two angles of
# one scene (same light, same colours: same histogram) put things in different places; noise and
# compression average out in a block, and a global brightness change (a flash, a fade) cancels.
GRID_ROWS, GRID_COLS = 6, 8
# The region signal: a block of that grid cuts on its own when its pixels change at least
# REGION_MIN_CHANGE (fraction of 255), REGION_RATIO times the median change of its REGION_REACH
# frames each side plus REGION_MARGIN, REGION_ALONE times any other change within REGION_NEAR
# frames, and its frame before does not come back within SKIP frames (a flash). One panel of a
# split screen switching to other footage cuts a region; motion changes blocks on frame after frame.
REGION_MIN_CHANGE = 0.06
REGION_RATIO = 3.0
REGION_MARGIN = 0.02
REGION_REACH = 8
REGION_ALONE = 2.0
REGION_NEAR = 4
# The still signal: of the blocks of that grid with texture in both frames (luma standard deviation
# above STILL_TEXTURE, code values; flat blocks such as letterbox bars or a black ground say nothing),
# the share whose pixels changed by less than STILL_MAX_CHANGE (mean absolute luma difference, code
# values: compression noise), when at least STILL_MIN_BLOCKS blocks have texture. A title or a panel
# popping up over a picture leaves most of the picture's blocks as they were; a cut changes them all,
# even between two angles of one room (measured on every labelled set: see analysis.STILL_MAX_SHARE).
STILL_TEXTURE = 6.0
STILL_MAX_CHANGE = 2.0
STILL_MIN_BLOCKS = 6
# A jump is a flash, not a cut, when the picture comes back: the frame before it is this close
# (a share of the jump) to one of the next SKIP frames, or the frame matches one before a flash
# (analysis' cut rules; here, a region's cut).
FLASH_RETURN_SHARE = 0.4
LINE_BAND_ROWS = 5  # pixel_change: a line of captions fits in a fifth of the picture's height
# line_rest: the change outside a frame's densest band is compared with the same rows' change on
# the frames beside it, at least this much (mean absolute luma, code values: compression noise).
LINE_REST_FLOOR = 0.5
PROGRESS_EVERY = 25  # frames between progress callbacks
GREY = 128.0  # chroma code value of a colourless pixel


def histogram(t: Thumb) -> F32:
    """Normalised luma+chroma histogram (weights 0.5 / 0.25 / 0.25), as one vector."""
    hy = np.bincount(t.y.ravel() >> Y_SHIFT, minlength=Y_BINS).astype(np.float32)
    hu = np.bincount(t.u.ravel() >> C_SHIFT, minlength=C_BINS).astype(np.float32)
    hv = np.bincount(t.v.ravel() >> C_SHIFT, minlength=C_BINS).astype(np.float32)
    return np.concatenate([hy * (Y_WEIGHT / hy.sum()), hu * (C_WEIGHT / hu.sum()), hv * (C_WEIGHT / hv.sum())])


def hist_distance(a: F32, b: F32) -> float:
    """L1 distance of two weighted histograms: 0 (same) .. 2 (disjoint)."""
    return float(np.abs(a - b).sum())


def block_means(t: Thumb) -> F32:
    """Luma block means on a GRID_ROWS x GRID_COLS grid (code values)."""
    return grid_means(t.y)


def _grid_blocks(x: npt.NDArray[np.generic]) -> npt.NDArray[np.generic] | None:
    """``x`` (a picture-shaped array) as GRID_ROWS x rows x GRID_COLS x cols blocks, None if too
    small to have a layout."""
    h, w = x.shape
    rows, cols = h // GRID_ROWS, w // GRID_COLS
    if not rows or not cols:
        return None
    return x[: rows * GRID_ROWS, : cols * GRID_COLS].reshape(GRID_ROWS, rows, GRID_COLS, cols)


def grid_means(x: npt.NDArray[np.generic]) -> F32:
    """Means of ``x`` (a picture-shaped array) over GRID_ROWS x GRID_COLS blocks."""
    blocks = _grid_blocks(x)
    if blocks is None:
        return np.zeros((GRID_ROWS, GRID_COLS), dtype=np.float32)
    return np.asarray(blocks.mean(axis=(1, 3), dtype=np.float32), dtype=np.float32)


def luma_change(a: Thumb, b: Thumb) -> npt.NDArray[np.int16]:
    """Absolute luma difference of two thumbnails, per pixel (code values)."""
    return np.abs(a.y.astype(np.int16) - b.y.astype(np.int16))


def block_change(change: npt.NDArray[np.int16]) -> F32:
    """A luma_change's block means on the GRID_ROWS x GRID_COLS grid, as fractions of 255."""
    return grid_means(change) / np.float32(255.0)


def grid_texture(x: npt.NDArray[np.generic]) -> F32:
    """Luma standard deviation inside each GRID_ROWS x GRID_COLS block (code values)."""
    blocks = _grid_blocks(x)
    if blocks is None:
        return np.zeros((GRID_ROWS, GRID_COLS), dtype=np.float32)
    return np.asarray(blocks.std(axis=(1, 3), dtype=np.float32), dtype=np.float32)


def still_share(changes: F32, texture: F32, prev_texture: F32) -> float:
    """The share of blocks textured in both frames whose pixels stayed as they were (see STILL_TEXTURE);
    0 when too few blocks have texture to tell. ``changes`` is a block_change (fraction of 255)."""
    textured = (texture > STILL_TEXTURE) & (prev_texture > STILL_TEXTURE)
    count = int(np.count_nonzero(textured))
    if count < STILL_MIN_BLOCKS:
        return 0.0
    return int(np.count_nonzero(textured & (changes * np.float32(255.0) < STILL_MAX_CHANGE))) / count


def peak_share(means: F32, prev_means: F32) -> float:
    """The largest block's share of the change in block means: near 1 when one small area changed."""
    change = np.abs(means - prev_means)
    total = float(change.sum())
    return float(change.max()) / total if total > 0 else 0.0


def grid_distance(a: F32, b: F32) -> float:
    """Mean absolute difference of two grids, as a fraction of 255."""
    return float(np.abs(a - b).mean()) / 255.0


def pixel_change(a: Thumb, b: Thumb) -> tuple[float, float]:
    """Mean absolute luma difference of two thumbnails (a fraction of 255), and the share of it in
    the densest band of rows a fifth of the picture high (near 1: one line of text changed)."""
    change = luma_change(a, b)
    return _pixel_change(row_change(change), change.size)


def row_change(change: npt.NDArray[np.int16]) -> npt.NDArray[np.int64]:
    """A luma_change summed along each row."""
    return np.asarray(change.sum(axis=1, dtype=np.int64), dtype=np.int64)


def _pixel_change(rows: npt.NDArray[np.int64], pixels: int) -> tuple[float, float]:
    total = float(rows.sum())
    if total <= 0:
        return 0.0, 0.0
    top = _densest_band(rows)
    return total / (pixels * 255.0), float(rows[top : top + _band_rows(rows)].sum()) / total


def _band_rows(rows: npt.NDArray[np.int64]) -> int:
    return max(1, rows.size // LINE_BAND_ROWS)


def _densest_band(rows: npt.NDArray[np.int64]) -> int:
    """The first row of the band a fifth of the picture high holding the most of ``rows``' change."""
    return int(np.argmax(np.convolve(rows, np.ones(_band_rows(rows), dtype=np.int64), "valid")))


def line_rest(rows: npt.NDArray[np.int64], beside: list[npt.NDArray[np.int64]], pixels: int) -> float:
    """The change outside the densest band of ``rows`` (per-row change sums of one frame from the
    previous) over the largest change outside the same rows on the frames ``beside`` it, floored at
    LINE_REST_FLOOR: near 1 or below, the picture outside the band went on as before (a caption
    changed over it); a jump cut moves every moving thing, outside the band too."""
    top, height = _densest_band(rows), _band_rows(rows)

    def outside(r: npt.NDArray[np.int64]) -> float:
        return float(r.sum() - r[top : top + height].sum()) / pixels

    return outside(rows) / max([LINE_REST_FLOOR, *(outside(r) for r in beside)])


def region_cut(changes: F32, t: int, returns: Callable[[int], F32 | None]) -> tuple[float, float, float]:
    """The blocks that cut on their own at ``t``: their share of the picture, the median change of
    the other blocks over the cutting blocks' mean change (0: the rest of the picture is still), and
    the largest 4-connected group's share of the cutting blocks (1: one panel).

    ``changes`` holds the block changes of the frames around ``t``, each from the frame before it
    (frames x GRID_ROWS x GRID_COLS, fraction of 255; never a video's first frame, which has none
    before it); ``returns(j)`` gives the block changes from frame t-1 to t+j, or None past the end.
    """
    value = changes[t]
    frames = np.arange(len(changes))
    calm = changes[(np.abs(frames - t) > 1) & (np.abs(frames - t) <= REGION_REACH)]
    cutting = value >= REGION_MIN_CHANGE
    if calm.size:
        cutting &= value >= REGION_RATIO * np.median(calm, axis=0) + REGION_MARGIN
    near = changes[(frames != t) & (np.abs(frames - t) <= REGION_NEAR)]
    if near.size:
        cutting &= value >= REGION_ALONE * near.max(axis=0)
    for j in range(1, SKIP + 1):
        if not cutting.any():
            break
        back = returns(j)
        if back is not None:
            cutting &= back >= FLASH_RETURN_SHARE * value
    if not cutting.any():
        return 0.0, 0.0, 0.0
    rest = value[~cutting]
    still = float(np.median(rest)) / float(value[cutting].mean()) if rest.size else 1.0
    return float(cutting.mean()), still, _largest_group(cutting) / float(np.count_nonzero(cutting))


def _largest_group(mask: npt.NDArray[np.bool_]) -> int:
    """Cells in the largest 4-connected group of ``mask`` (a flood fill; the grid is small)."""
    seen = np.zeros_like(mask)
    best = 0
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        seen[start] = True
        stack, size = [start], 0
        while stack:
            r, c = stack.pop()
            size += 1
            for cell in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if 0 <= cell[0] < mask.shape[0] and 0 <= cell[1] < mask.shape[1] and mask[cell] and not seen[cell]:
                    seen[cell] = True
                    stack.append(cell)
        best = max(best, size)
    return best


def mix_residual(before: Thumb, middle: Thumb, after: Thumb) -> tuple[float, float, float]:
    """How far apart ``before`` and ``after`` are (mean absolute luma difference, fraction of 255),
    how far ``middle`` is from their average (the same unit), and the share of MIX_GRID blocks
    that mix on their own."""
    a = before.y.astype(np.int16)
    b = after.y.astype(np.int16)
    apart = np.abs(b - a)
    twice_off = np.abs(2 * middle.y.astype(np.int16) - a - b)
    scale = a.size * 255.0
    rows, cols = a.shape
    h, w = rows // MIX_GRID * MIX_GRID, cols // MIX_GRID * MIX_GRID
    whole = float(apart.sum(dtype=np.int64)) / scale, float(twice_off.sum(dtype=np.int64)) / (2 * scale)
    if not h or not w:
        return (*whole, 0.0)

    def block_sums(x: np.ndarray) -> np.ndarray:
        # Rows in MIX_GRID bands first (a contiguous reshape), then the bands' columns.
        bands = x[:h].reshape(MIX_GRID, h // MIX_GRID, cols).sum(axis=1, dtype=np.int32)
        return np.asarray(bands[:, :w].reshape(MIX_GRID, MIX_GRID, w // MIX_GRID).sum(axis=2))

    block_apart, block_twice_off = block_sums(apart), block_sums(twice_off)
    block_scale = h // MIX_GRID * (w // MIX_GRID) * 255.0
    mixing = (block_apart >= MIX_BLOCK_APART * block_scale) & (block_twice_off <= 2 * MIX_BLOCK_OFF * block_apart)
    return (*whole, float(mixing.mean()))


class SignalArrays(NamedTuple):
    """Per-frame series of an analysed window as float32 arrays (index = frame number - first frame)."""

    luma: F32
    """Mean luma, code values 0-255."""
    black: F32
    """Fraction of pixels at or below the black threshold, 0-1."""
    d_hist: F32
    """Histogram distance to the previous frame, 0-2 (0 on the first frame)."""
    d_pix: F32
    """Mean absolute luma difference to the previous frame, fraction of 255."""
    skip: F32
    """Smallest histogram distance from frame t-1 to t+1..t+SKIP (small: t starts a flash)."""
    back: F32
    """Smallest histogram distance from frame t to t-2..t-1-SKIP (small: t ends a flash)."""
    wide: F32
    """Histogram distance between the median ENDS frames WINDOW before and after, 0-2."""
    wide_long: F32
    """The same over LONG_WINDOW frames each side."""
    bars: F32
    """Colour-bars likeness, 0-1."""
    edges: F32
    """Fraction of strong horizontal luma edges, 0-1."""
    sat: F32
    """Mean chroma distance from grey, 0-1."""
    spread: F32
    """Luma standard deviation, code values."""
    d_grid: F32
    """Spatial distance (block means minus their mean, see block_means) to the previous frame, fraction of 255."""
    skip_grid: F32
    """Smallest spatial distance from frame t-1 to t+1..t+SKIP (the spatial flash check)."""
    back_grid: F32
    """Smallest spatial distance from frame t to t-2..t-1-SKIP."""
    grid_peak: F32
    """The largest block's share of the change in block means from the previous frame, 0-1."""
    line_share: F32
    """The densest fifth of the rows' share of the pixel change from the previous frame, 0-1."""
    line_rest: F32
    """The change outside that band against the same rows' change on the frames beside (see line_rest)."""
    mix_dist: F32
    """Mean absolute luma difference between frames t-MIX_STEP and t+MIX_STEP, fraction of 255."""
    mix_res: F32
    """Mean absolute luma difference of frame t from the average of those two, fraction of 255."""
    mix_cover: F32
    """Share of MIX_GRID x MIX_GRID blocks where frame t is the average of those two, 0-1."""
    key: F32
    """1 where the decoder marked the frame a keyframe, else 0."""
    region_share: F32
    """Share of the GRID_ROWS x GRID_COLS blocks that cut on their own at frame t, 0-1 (see region_cut)."""
    region_rest: F32
    """Median change of the other blocks over the cutting blocks' mean change (0: the rest is still)."""
    region_joined: F32
    """The largest 4-connected group's share of the cutting blocks, 0-1 (1: one panel)."""
    still: F32
    """Share of the textured GRID_ROWS x GRID_COLS blocks unchanged from the previous frame, 0-1 (see still_share)."""


@dataclass
class Signals:
    """Per-frame series (index = frame number - first frame)."""

    first: int = 0
    luma: list[float] = field(default_factory=list)  # mean luma 0-255
    black: list[float] = field(default_factory=list)  # fraction of pixels at or below the black threshold
    d_hist: list[float] = field(default_factory=list)  # histogram distance to the previous frame
    d_pix: list[float] = field(default_factory=list)  # pixel distance to the previous frame
    skip: list[float] = field(default_factory=list)  # min hist distance from frame t-1 to t+1..t+SKIP
    back: list[float] = field(default_factory=list)  # min hist distance from frame t to t-2..t-1-SKIP
    wide: list[float] = field(default_factory=list)  # hist distance between t-WINDOW and t+WINDOW
    wide_long: list[float] = field(default_factory=list)  # the same, t-LONG_WINDOW and t+LONG_WINDOW
    bars: list[float] = field(default_factory=list)  # colour-bars likeness 0-1
    edges: list[float] = field(default_factory=list)  # fraction of strong horizontal luma edges
    sat: list[float] = field(default_factory=list)  # mean chroma distance from grey, 0-1
    spread: list[float] = field(default_factory=list)  # luma standard deviation (code values)
    d_grid: list[float] = field(default_factory=list)  # spatial distance to the previous frame
    skip_grid: list[float] = field(default_factory=list)  # as skip, spatially
    back_grid: list[float] = field(default_factory=list)  # as back, spatially
    grid_peak: list[float] = field(default_factory=list)  # largest block's share of the layout change
    line_share: list[float] = field(default_factory=list)  # densest fifth of the rows' share of the pixel change
    line_rest: list[float] = field(default_factory=list)  # the change outside it against the frames beside
    mix_dist: list[float] = field(default_factory=list)  # pixel distance between t-MIX_STEP and t+MIX_STEP
    mix_res: list[float] = field(default_factory=list)  # frame t's distance from their average
    mix_cover: list[float] = field(default_factory=list)  # share of blocks where it is their average
    key: list[float] = field(default_factory=list)  # 1.0 on a keyframe
    region_share: list[float] = field(default_factory=list)  # share of blocks cutting on their own
    region_rest: list[float] = field(default_factory=list)  # the other blocks' change against theirs
    region_joined: list[float] = field(default_factory=list)  # the largest group's share of them
    still: list[float] = field(default_factory=list)  # share of textured blocks unchanged from the previous frame

    def __len__(self) -> int:
        return len(self.luma)

    def as_arrays(self) -> SignalArrays:
        """Every series as a float32 array."""
        return SignalArrays(*(np.asarray(getattr(self, n), dtype=np.float32) for n in SignalArrays._fields))


def bars_score(t: Thumb) -> float:
    """How much a frame looks like colour bars: saturated vertical bands, uniform down each column."""
    # The top half: SMPTE, HD and EBU bars all keep their vertical bands there.
    top = slice(0, max(1, t.u.shape[0] // 2))
    u = t.u[top].astype(np.float32)
    v = t.v[top].astype(np.float32)
    y = t.y[: max(1, t.y.shape[0] // 2)].astype(np.float32)
    chroma = np.hypot(u.mean(axis=0) - GREY, v.mean(axis=0) - GREY)
    bands = float(np.mean(chroma > BARS_BAND_CHROMA))
    luma_steps = float(np.mean(np.abs(np.diff(y.mean(axis=0))) > BARS_LUMA_STEP))
    # Without steps between columns it is one flat colour (a plain blue or red shot), not bars;
    # without saturated bands, not bars either. Most frames end here, before the costly spreads.
    if luma_steps <= BARS_MIN_STEPS or not bands:
        return 0.0
    column_noise = float(np.mean(np.std(y, axis=0)) + np.mean(np.std(u, axis=0)) + np.mean(np.std(v, axis=0)))
    uniform = max(0.0, 1.0 - column_noise / BARS_NOISE_SCALE)
    return uniform * min(1.0, bands / BARS_MIN_BANDS)


def compute_signals(
    frames: Iterable[Thumb],
    black_level: int,
    progress: Callable[[int], None] | None = None,
) -> Signals:
    """One pass over the frames; ``black_level`` is the luma code value at or below which a pixel is black."""
    sig = Signals()
    span = 2 * WINDOW + 2 * ENDS
    ring: deque[tuple[Thumb, F32, F32]] = deque(maxlen=span)
    long_span = 2 * LONG_WINDOW + 2 * ENDS
    hists: deque[F32] = deque(maxlen=long_span)  # histograms only: the long window keeps no pictures
    prev_means = np.zeros((GRID_ROWS, GRID_COLS), dtype=np.float32)
    prev_texture = np.zeros((GRID_ROWS, GRID_COLS), dtype=np.float32)
    ends: deque[F32] = deque(maxlen=long_span - ENDS + 1)  # median of each ENDS-frame run, newest last
    changes: deque[F32] = deque(maxlen=2 * REGION_REACH + 1)  # block changes of the newest frames
    rows: deque[npt.NDArray[np.int64]] = deque(maxlen=3)  # row changes of the newest frames (not frame 0)
    pixels = 1  # pixels per thumbnail, known from the first change

    def judge_line_rest(t: int, newest: int) -> None:
        # Frame t's line_rest, with the row changes up to frame ``newest`` in ``rows``.
        if t < 1:
            return
        at = len(rows) - 1 - (newest - t)
        beside = [rows[k] for k in (at - 1, at + 1) if 0 <= k < len(rows)]
        sig.line_rest[t] = line_rest(rows[at], beside, pixels)

    def judge_region(t: int, last: int) -> None:
        # Frame t's region cut, with the frames up to ``last`` (the newest in ``ring``) known.
        def returns(j: int) -> F32 | None:
            if t + j > last:
                return None
            change = luma_change(ring[-1 - (last - t - j)][0], ring[-1 - (last - t + 1)][0])
            return block_change(change)

        first = last - len(changes) + 1
        if float(changes[t - first].max()) < REGION_MIN_CHANGE:
            return  # nothing changes enough here (most frames): no need to look around
        window = np.stack(changes)
        if first == 0:
            window = window[1:]  # frame 0 has no change of its own
            first = 1
        share, rest, joined = region_cut(window, t - first, returns)
        sig.region_share[t], sig.region_rest[t], sig.region_joined[t] = share, rest, joined

    n = -1
    for n, thumb in enumerate(frames):
        if n == 0:
            sig.first = thumb.index
        hist = histogram(thumb)
        means = block_means(thumb)
        texture = grid_texture(thumb.y)
        layout = np.asarray(means - means.mean(), dtype=np.float32)  # the frame's mean removed (a fade cancels)
        y = thumb.y
        sig.luma.append(float(y.mean()))
        sig.spread.append(float(y.std()))
        sig.black.append(float(np.count_nonzero(y <= black_level)) / y.size)
        gx = np.abs(np.diff(y.astype(np.int16), axis=1))
        sig.edges.append(float(np.count_nonzero(gx > EDGE_STEP)) / gx.size)
        chroma = np.hypot(thumb.u.astype(np.float32) - GREY, thumb.v.astype(np.float32) - GREY)
        sig.sat.append(float(chroma.mean()) / GREY)
        sig.bars.append(bars_score(thumb))
        sig.key.append(1.0 if thumb.key else 0.0)
        sig.region_share.append(0.0)
        sig.region_rest.append(0.0)
        sig.region_joined.append(0.0)
        sig.line_rest.append(0.0)
        if ring:
            prev, prev_hist, prev_layout = ring[-1]
            sig.d_hist.append(hist_distance(hist, prev_hist))
            change = luma_change(thumb, prev)
            changes.append(block_change(change))
            sig.still.append(still_share(changes[-1], texture, prev_texture))
            pixels = change.size
            rows.append(row_change(change))
            d_pix, line_share = _pixel_change(rows[-1], pixels)
            sig.d_pix.append(d_pix)
            sig.line_share.append(line_share)
            sig.d_grid.append(grid_distance(layout, prev_layout))
            sig.grid_peak.append(peak_share(means, prev_means))
        else:
            changes.append(np.zeros((GRID_ROWS, GRID_COLS), dtype=np.float32))
            sig.still.append(0.0)
            sig.grid_peak.append(0.0)
            sig.d_hist.append(0.0)
            sig.d_pix.append(0.0)
            sig.line_share.append(0.0)
            sig.d_grid.append(0.0)
        sig.skip.append(1.0)
        sig.skip_grid.append(1.0)
        sig.wide.append(0.0)
        sig.wide_long.append(0.0)
        sig.mix_dist.append(0.0)
        sig.mix_res.append(0.0)
        sig.mix_cover.append(0.0)
        if len(ring) >= 2 * MIX_STEP:
            sig.mix_dist[n - MIX_STEP], sig.mix_res[n - MIX_STEP], sig.mix_cover[n - MIX_STEP] = mix_residual(
                ring[-2 * MIX_STEP][0], ring[-MIX_STEP][0], thumb
            )
        back = back_grid = 1.0
        for j in range(2, SKIP + 2):
            if len(ring) >= j:
                back = min(back, hist_distance(ring[-j][1], hist))
                back_grid = min(back_grid, grid_distance(ring[-j][2], layout))
        sig.back.append(back)
        sig.back_grid.append(back_grid)
        # Flash check: how close frame (t-1) is to each of the next frames t+1..t+SKIP.
        for j in range(1, SKIP + 1):
            t = n - j
            if t >= 1 and len(ring) >= j + 1:
                _, before, before_layout = ring[-(j + 1)]
                sig.skip[t] = min(sig.skip[t], hist_distance(before, hist))
                sig.skip_grid[t] = min(sig.skip_grid[t], grid_distance(before_layout, layout))
        ring.append((thumb, hist, layout))
        judge_line_rest(n - 1, n)
        if n - REGION_REACH >= 1:
            judge_region(n - REGION_REACH, n)
        prev_means, prev_texture = means, texture
        hists.append(hist)
        if len(hists) >= ENDS:
            # The median histogram of the last ENDS frames, once per frame: a window's late end now,
            # and later the early end of the windows that start here.
            ends.append(np.median(np.stack([hists[-1 - i] for i in range(ENDS)]), axis=0))
        if len(ring) == span:
            # Window centred on frame n - span/2: median histograms of its first and last ENDS frames.
            sig.wide[n - span // 2 + 1] = hist_distance(ends[-1 - (span - ENDS)], ends[-1])
        if len(hists) == long_span:
            sig.wide_long[n - long_span // 2 + 1] = hist_distance(ends[-1 - (long_span - ENDS)], ends[-1])
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n + 1)
    for t in range(max(1, n - REGION_REACH + 1), n + 1):
        judge_region(t, n)  # the last frames, with fewer frames after them
    judge_line_rest(n, n)  # the last frame, with no frame after it
    return sig
