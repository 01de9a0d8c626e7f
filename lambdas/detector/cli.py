"""``segment-detect``: run the fallback detector on a file and print a GetSegmentDetection response or an export."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from detector import DetectOptions, VideoError, detect
from detector.options import TRANSITION_ENGINES
from detector.transnet import TransNetWeightsMissingError
from segments.domain.exports import FORMATS, render


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="segment-detect", description=__doc__)
    p.add_argument("video", help="path of a video file ffmpeg can read")
    p.add_argument("--format", choices=FORMATS, default="json", help="output format (default: json)")
    p.add_argument("--types", default="TECHNICAL_CUE,SHOT", help="segment types, comma separated")
    p.add_argument("--min-confidence", type=float, default=50.0, help="MinSegmentConfidence for shots and cues, 50-100")
    p.add_argument("--black-max-pixel-threshold", type=float, default=0.2, help="BlackFrame MaxPixelThreshold, 0-1")
    p.add_argument("--black-min-coverage", type=float, default=99.0, help="BlackFrame MinCoveragePercentage, 0-100")
    p.add_argument("--start-ms", type=int, default=None, help="analyse from this time (milliseconds)")
    p.add_argument("--end-ms", type=int, default=None, help="analyse up to this time (milliseconds)")
    p.add_argument("--threads", type=int, default=0, help="decoder threads (0: ffmpeg decides)")
    p.add_argument(
        "--transitions",
        choices=TRANSITION_ENGINES,
        default="rules",
        help="how shot boundaries are decided: the hand-set rules (default), the learned model over them, "
        "or hybrid: the rules with TransNetV2 where they are unsure (slower; needs `make models`)",
    )
    return p


class Progress:
    """A one-line progress bar with fps and ETA on stderr (only when stderr is a terminal)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and (total is None or done < total):
            return
        self.last = now
        fps = done / max(1e-6, now - self.started)
        if total:
            pct = min(1.0, done / total)
            bar = "#" * int(pct * 30)
            eta = (total - done) / fps if fps > 0 else 0.0
            sys.stderr.write(f"\r[{bar:<30}] {pct:6.1%} {done}/{total} frames {fps:7.1f} fps ETA {eta:5.0f}s")
        else:
            sys.stderr.write(f"\r{done} frames {fps:7.1f} fps")
        sys.stderr.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; exit 0 on success, 2 on bad arguments, 1 on a video that cannot be analysed."""
    args = _parser().parse_args(argv)
    try:
        options = DetectOptions(
            segment_types=tuple(t.strip().upper() for t in args.types.split(",") if t.strip()),
            shot_min_confidence=args.min_confidence,
            cue_min_confidence=args.min_confidence,
            black_max_pixel_threshold=args.black_max_pixel_threshold,
            black_min_coverage=args.black_min_coverage,
            start_ms=args.start_ms,
            end_ms=args.end_ms,
            threads=args.threads,
            transitions=args.transitions,
        )
    except ValueError as exc:
        print(f"segment-detect: {exc}", file=sys.stderr)
        return 2
    video = Path(args.video)
    if video.is_dir():
        print(f"segment-detect: {args.video} is a directory, not a video file", file=sys.stderr)
        return 2
    if not video.is_file():
        print(f"segment-detect: no such file: {args.video}", file=sys.stderr)
        return 1
    progress = Progress() if sys.stderr.isatty() else None
    try:
        response = detect(args.video, options, progress)
    except VideoError as exc:
        if progress:
            sys.stderr.write("\n")
        print(f"segment-detect: {args.video}: {exc}", file=sys.stderr)
        return 1
    except TransNetWeightsMissingError as exc:
        print(f"segment-detect: {exc}", file=sys.stderr)
        return 2
    if progress:
        sys.stderr.write("\n")
    if args.format == "json":
        sys.stdout.write(json.dumps(response, indent=2) + "\n")
    else:
        body, _, _ = render(args.format, response, title=Path(args.video).stem)
        sys.stdout.write(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
