"""The viewer in Debian's Chromium (Playwright) against local mode: upload, status, timeline, thumbnails, seek, EDL.

Screenshots of the video page at desktop and phone width are written to ``VIEWER_ARTIFACTS``
(default ``.artifacts/viewer/``) for people to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.detector.conftest import FFMPEG, make_clip
from tests.e2e.conftest import Running

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("VIEWER_ARTIFACTS", Path(__file__).resolve().parents[2] / ".artifacts" / "viewer"))
TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    if FFMPEG is None:
        pytest.skip("the ffmpeg CLI is needed to generate test clips")
    saved = dict(os.environ)
    running = Running(tmp_path_factory.mktemp("viewer-data"), max_jobs=5)
    try:
        yield running
    finally:
        running.stack.stop()
        os.environ.clear()
        os.environ.update(saved)
        from segments.settings import settings

        settings.cache_clear()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six 2-s shots with hard cuts (25 fps): starts at frames 0, 50, 100, 150, 200, 250."""
    size = "s=320x180:r=25"
    sources = [
        f"testsrc2={size}:d=2",
        f"mandelbrot={size},trim=duration=2,setpts=PTS-STARTPTS",
        f"smptebars={size}:d=2",
        f"color=c=0x2040a0:{size}:d=2,drawbox=x='mod(t*60,300)':y=60:w=30:h=30:color=yellow:t=fill",
        f"testsrc={size}:d=2",
        f"color=c=0xa02020:{size}:d=2,drawgrid=w=20:h=20:t=2:c=white",
    ]
    graph = "".join(f"{s}[v{i}];" for i, s in enumerate(sources)) + "".join(f"[v{i}]" for i in range(6))
    return make_clip(tmp_path_factory.mktemp("viewer-clip") / "six shots.mp4", f"{graph}concat=n=6")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is required at {CHROMIUM} (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def api_json(local: Running, path: str) -> Any:
    with urllib.request.urlopen(local.stack.api_url + path, timeout=10) as response:
        return json.loads(response.read())


def test_upload_watch_inspect_seek_and_export_in_a_real_browser(
    local: Running, clip: Path, browser: Any, tmp_path: Path
) -> None:
    import opentimelineio as otio

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(local.stack.api_url + "/")

    # Upload through the page (the file input inside the drop zone) and watch the status go live.
    page.locator("[data-testid=upload]").set_input_files(str(clip))
    row = page.locator("[data-testid=video-row]", has_text="six shots.mp4")
    row.and_(page.locator("[data-status=SUCCEEDED]")).wait_for(timeout=TIMEOUT_MS)
    video_id = row.get_attribute("data-video-id")
    assert video_id

    # The thumbnail step runs after SUCCEEDED; the page keeps asking until it has finished.
    local.wait_for(lambda: api_json(local, f"/videos/{video_id}/thumbnails")["Status"] != "PENDING")
    row.get_by_role("link").click()
    page.locator("[data-testid=player]").wait_for()

    api_shots = list(api_json(local, f"/videos/{video_id}/segments?type=SHOT&maxResults=1000")["Segments"])
    shots = page.locator("[data-testid=shot]")
    shots.first.wait_for()
    assert [s["StartTimestampMillis"] for s in api_shots] == [0, 2000, 4000, 6000, 8000, 10000]
    assert shots.count() == len(api_shots)
    assert [int(shots.nth(i).get_attribute("data-start-ms") or -1) for i in range(shots.count())] == [
        s["StartTimestampMillis"] for s in api_shots
    ]
    assert page.locator("[data-testid=cue]").count() >= 1

    # Every thumbnail in the grid loads (the grid is virtualised: all six shots are on screen here).
    thumbnails = page.locator("[data-testid=thumbnail]")
    page.wait_for_function(
        "n => { const imgs = [...document.querySelectorAll('[data-testid=thumbnail]')];"
        " return imgs.length === n && imgs.every(i => i.complete && i.naturalWidth > 0); }",
        arg=len(api_shots),
        timeout=TIMEOUT_MS,
    )
    assert thumbnails.count() == len(api_shots)

    # Clicking the fifth shot seeks the player to within one frame of its start.
    fps = api_json(local, f"/videos/{video_id}")["VideoMetadata"][0]["FrameRate"]
    page.wait_for_function("() => document.querySelector('[data-testid=player]').readyState >= 1", timeout=TIMEOUT_MS)
    fifth = shots.nth(4)
    start_ms = int(fifth.get_attribute("data-start-ms") or -1)
    fifth.click()
    page.wait_for_function("() => !document.querySelector('[data-testid=player]').seeking", timeout=TIMEOUT_MS)
    current = page.evaluate("() => document.querySelector('[data-testid=player]').currentTime")
    assert abs(current * 1000 - start_ms) <= 1000 / fps, (current, start_ms)

    # The EDL button's download parses as CMX 3600 to the same cuts.
    with page.expect_download() as info:
        page.locator("[data-testid=export-edl]").click()
    edl = Path(info.value.path()).read_text()
    timeline = otio.adapters.read_from_string(edl, adapter_name="cmx_3600", rate=fps)
    clips = list(timeline.find_clips())
    starts = [round(c.range_in_parent().start_time.to_frames()) for c in clips]
    assert starts == [s["StartFrameNumber"] for s in api_shots]
    for name in ("json", "csv", "vtt"):
        with page.expect_download() as info:
            page.locator(f"[data-testid=export-{name}]").click()
        assert Path(info.value.path()).stat().st_size > 0

    # Next/previous shot keys.
    page.keyboard.press("n")
    page.wait_for_function("() => !document.querySelector('[data-testid=player]').seeking")
    after_next = page.evaluate("() => document.querySelector('[data-testid=player]').currentTime")
    assert abs(after_next * 1000 - api_shots[5]["StartTimestampMillis"]) <= 1000 / fps

    page.screenshot(path=str(ARTIFACTS / "video-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # let the grid re-lay out for the new width before the picture
    page.screenshot(path=str(ARTIFACTS / "video-phone.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()
