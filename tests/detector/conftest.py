"""Tiny clips generated with the ffmpeg CLI (lavfi), with known answers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="the ffmpeg CLI is needed to generate test clips")


def make_clip(path: Path, filtergraph: str, *, extra: list[str] | None = None, crf: int = 20) -> Path:
    """Encode a lavfi filtergraph to H.264 (CRF 20 unless given, 2 s GOP, no scene-cut keyframes)."""
    assert FFMPEG is not None
    cmd = [
        FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", filtergraph, *(extra or []),
        "-c:v", "libx264", "-preset", "veryfast", "-crf", str(crf), "-pix_fmt", "yuv420p",
        "-x264-params", "scenecut=0:keyint=50", "-t", "20", str(path),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=60)
    return path


def between_two_shots(size: str, middle: str) -> str:
    """A filtergraph: 2 s of testsrc2 (frames 0-49), the ``middle`` shot, then 2 s of a yellow box
    moving over blue; hard cuts between them."""
    box = "drawbox=x='mod(t*40,140)':y=30:w=20:h=20:color=yellow:t=fill"
    return f"testsrc2={size}:d=2[a];{middle}[b];color=c=0x2040a0:{size}:d=2,{box}[c];[a][b][c]concat=n=3"


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Generated clips shared by the detector tests (25 fps, 160x90)."""
    if FFMPEG is None:
        pytest.skip("the ffmpeg CLI is needed to generate test clips")
    d = tmp_path_factory.mktemp("clips")
    size = "s=160x90:r=25"
    out: dict[str, Path] = {}
    # Three shots with hard cuts at frames 50 and 100: testsrc2, a mandelbrot zoom, a box moving over blue.
    out["cuts"] = make_clip(
        d / "cuts.mp4", between_two_shots(size, f"mandelbrot={size},trim=duration=2,setpts=PTS-STARTPTS")
    )
    # Bars (2 s) -> black (1 s) -> content (2 s); frames 0-49 bars, 50-74 black, 75-124 content.
    out["broadcast"] = make_clip(
        d / "broadcast.mp4",
        f"smptebars={size}:d=2[a];color=c=black:{size}:d=1[b];testsrc2={size}:d=2[c];[a][b][c]concat=n=3",
    )
    # A 1-second dissolve between two shots (frames 50-74 mixed).
    out["dissolve"] = make_clip(
        d / "dissolve.mp4",
        f"testsrc2={size}:d=3[a];mandelbrot={size},trim=duration=3,setpts=PTS-STARTPTS[b];"
        "[a][b]xfade=transition=fade:duration=1:offset=2",
    )
    # A broadcast head: a colourless card dense with detail (a slate, frames 0-49), black (50-62),
    # a still coloured logo (63-112); then moving content, the same slate card again well past the
    # head (frames 313-362), and more content.
    logo = "".join(f",drawbox=x={40 + i * 16}:y=20:w=8:h=50:color=0xd4a017:t=fill" for i in range(5))
    slate = f"color=c=0x202020:{size}:d=2,drawgrid=w=12:h=6:t=1:c=white"
    out["cards"] = make_clip(
        d / "cards.mp4",
        f"{slate}[s];color=c=black:{size}:d=0.5[k];color=c=0x101040:{size}:d=2{logo}[l];"
        f"mandelbrot={size},trim=duration=8,setpts=PTS-STARTPTS[m];{slate}[s2];testsrc2={size}:d=2[t];"
        "[s][k][l][m][s2][t]concat=n=6",
    )
    # One continuous shot with a 2-frame white flash at frames 40-41.
    out["flash"] = make_clip(
        d / "flash.mp4",
        f"testsrc2={size}:d=4,drawbox=x=0:y=0:w=iw:h=ih:color=white@0.9:t=fill:enable='between(n,40,41)'",
    )
    # Two angles of one scene: the same moving picture, mirrored at frame 50 (same colours, so the
    # same histogram; everything is somewhere else).
    out["same_scene"] = make_clip(
        d / "same_scene.mp4",
        f"mandelbrot={size},trim=duration=4,split[m1][m2];[m1]trim=end_frame=50[a];"
        "[m2]trim=start_frame=50,setpts=PTS-STARTPTS,hflip[b];[a][b]concat=n=2",
    )
    # A 2.5 s fade through black between two moving shots: one transition, mixed frames 75-137.
    out["long_fade"] = make_clip(
        d / "long_fade.mp4",
        f"testsrc2={size}:d=5.5[a];mandelbrot={size},trim=duration=4,setpts=PTS-STARTPTS[b];"
        "[a][b]xfade=transition=fadeblack:duration=2.5:offset=3",
    )
    # A 3.6-s dissolve (frames 50-140) into the same moving pattern with its tones inverted: too
    # slow for a 10-frame window to see it.
    out["slow_dissolve"] = make_clip(
        d / "slow_dissolve.mp4",
        f"testsrc2={size}:d=8[a];testsrc2={size}:d=8,negate[b];[a][b]xfade=transition=dissolve:duration=3.6:offset=2",
    )
    # A 3.5 s fade through black between two flat backgrounds with a small moving box (frames
    # 60-164 mixed at 30 fps): the luma histogram of a flat picture crosses a bin edge every
    # few frames of the fade, each crossing a jump with calm around it.
    box = "drawbox=x='mod(t*30,130)':y=35:w=16:h=16:color=0x6070ff:t=fill"
    out["flat_fade"] = make_clip(
        d / "flat_fade.mp4",
        f"color=c=0x5a2a08:s=160x90:r=30:d=7,{box}[a];color=c=0x40a8e8:s=160x90:r=30:d=7,{box}[b];"
        "[a][b]xfade=transition=fadeblack:duration=3.5:offset=2",
    )
    # A still test card whose burned-in clock ticks over every second: one shot (at 320x180 the
    # digits are large enough to move the layout signal).
    out["clock"] = make_clip(d / "clock.mp4", "testsrc=s=320x180:r=25:d=4")
    # A split screen of four 80x45 panels for 4 s: the top right one jumps at frames 40, 46 and 52
    # between framings of one moving picture (mirrored, flipped: the same tones, other places),
    # three cuts in 12 frames; the other panels run on.
    q = "s=80x45:r=25"
    framings = ["end_frame=40", "start_frame=40:end_frame=46", "start_frame=46:end_frame=52", "start_frame=52"]
    flips = ["", ",hflip", ",vflip", ",hflip,vflip"]
    top_right = ";".join(
        f"[p{i}]trim={cut},setpts=PTS-STARTPTS{flip}[q{i}]"
        for i, (cut, flip) in enumerate(zip(framings, flips, strict=True))
    )
    out["split_screen"] = make_clip(
        d / "split_screen.mp4",
        f"mandelbrot={q},trim=duration=4,setpts=PTS-STARTPTS[tl];testsrc2={q}:d=4,split=4[p0][p1][p2][p3];"
        f"{top_right};[q0][q1][q2][q3]concat=n=4[tr];"
        f"color=c=0x304050:{q}:d=4,drawgrid=w=10:h=9:t=1:c=0xc0c0c0[bl];"
        f"color=c=0x703020:{q}:d=4,drawbox=x=20:y=10:w=40:h=25:color=0xe0d090:t=fill[br];"
        "[tl][tr][bl][br]xstack=inputs=4:layout=0_0|w0_0|0_h0|w0_h0",
    )
    # A 2-frame shot (frames 50-51) between two long ones.
    out["two_frame_shot"] = make_clip(
        d / "two_frame_shot.mp4", between_two_shots(size, f"mandelbrot={size},trim=end_frame=2,setpts=PTS-STARTPTS")
    )
    # A montage: fifteen 2-frame shots of five moving pictures in turn (frames 25-54) between two
    # 1 s shots; half the frames around each cut are cuts too (an opening titles' rhythm).
    movers = [
        f"testsrc2={size}", f"mandelbrot={size}",
        f"life={size}:mold=10:ratio=0.5:death_color=#802040:life_color=#20c0ff",
        f"smptehdbars={size},hue=h=60,rotate=a=0.3", f"testsrc2={size},hue=h=120,vflip",
    ]  # fmt: skip
    shots = [
        f"{movers[k % 5]},scroll=horizontal=0.03,trim=start_frame={10 + 7 * k}:end_frame={12 + 7 * k},"
        f"setpts=PTS-STARTPTS[m{k}]"
        for k in range(15)
    ]
    out["montage"] = make_clip(
        d / "montage.mp4",
        f"testsrc2={size}:d=1,hue=h=200[first];{';'.join(shots)};"
        f"color=c=0x2040a0:{size}:d=1,drawbox=x='mod(t*40,140)':y=30:w=20:h=20:color=yellow:t=fill[last];"
        f"[first]{''.join(f'[m{k}]' for k in range(15))}[last]concat=n=17",
    )
    # A 1.2 s shot whose colours change on every frame (frames 50-79: a hue spinning over a zoom,
    # as hand-held or body-worn footage moves) between two calm shots: two cuts, not one dissolve.
    out["moving_short_shot"] = make_clip(
        d / "moving_short_shot.mp4",
        between_two_shots(size, f"mandelbrot={size},trim=duration=1.2,setpts=PTS-STARTPTS,hue=h=t*900:s=2"),
    )
    # A 4-frame insert (frames 50-53) whose colours change on every frame (a spinning hue): a shot
    # of its own between two cuts, not the mixed frames of one fast dissolve.
    out["moving_insert"] = make_clip(
        d / "moving_insert.mp4",
        between_two_shots(size, f"mandelbrot={size},trim=end_frame=4,setpts=PTS-STARTPTS,hue=h=n*40:s=2"),
    )
    # One noisy shot panning slowly, at the lowest quality x264 offers: each scheduled keyframe
    # (frames 50, 100, 150) sharpens the picture the predicted frames before it blurred. One shot.
    out["keyframe_pops"] = make_clip(
        d / "keyframe_pops.mp4",
        "testsrc2=s=320x240:r=25:d=8,scroll=h=0.005,noise=alls=40:allf=t+u",
        crf=51,
    )
    # A cut into two white frames (50-51) and out of them into another shot: one transition.
    out["white_flash_between_shots"] = make_clip(
        d / "white_flash_between_shots.mp4", between_two_shots(size, f"color=c=white:{size}:d=0.08")
    )
    # A title card (a small white bar on black) fading out over frames 25-49 into a 1 s black hold
    # (50-74), then a cut to testsrc2 (75): the fade is a transition, though few pixels change.
    out["title_fade_to_black"] = make_clip(
        d / "title_fade_to_black.mp4",
        f"color=c=black:{size}:d=2,drawbox=x=50:y=40:w=60:h=10:color=white:t=fill,fade=t=out:st=1:d=1[a];"
        f"color=c=black:{size}:d=1[b];testsrc2={size}:d=2[c];[a][b][c]concat=n=3",
    )
    # A cut to four black frames (50-53), too few for a BlackFrames segment, then a mandelbrot zoom
    # fading in over 1 s (54-78): the black is a shot between a cut and a fade.
    out["cut_to_short_black_fade_in"] = make_clip(
        d / "cut_to_short_black_fade_in.mp4",
        f"testsrc2={size}:d=2[a];color=c=black:{size}:d=0.16[b];"
        f"mandelbrot={size},trim=duration=2,setpts=PTS-STARTPTS,fade=t=in:st=0:d=1[c];[a][b][c]concat=n=3",
    )
    # A still picture under a line of captions (six words) swapped for another at frame 60: one shot.
    words = [
        f"drawbox=x={x}:y=150:w={w}:h=12:color={c}:t=fill:enable='{when}'"
        for k, (c, when) in enumerate((("white", "lt(t,2.4)"), ("yellow", "gte(t,2.4)")))
        for x, w in ((20 + i * 50 + 15 * k, 40 - 8 * k * (i % 2)) for i in range(6))
    ]
    out["caption_swap"] = make_clip(
        d / "caption_swap.mp4",
        "mandelbrot=s=320x180:r=25,trim=end_frame=1,loop=loop=100:size=1,setpts=N/25/TB," + ",".join(words),
    )
    # The same picture with film grain on every frame (the picture outside the captions changes
    # a little on every frame) under a line of five blocks swapped for four others at frame 60: one shot.
    blocks = [
        f"drawbox=x={x}:y=146:w={w}:h=26:color={c}:t=fill:enable='{when}'"
        for c, when, spots in (("white", "lt(t,2.4)", range(20, 300, 60)), ("yellow", "gte(t,2.4)", range(30, 300, 70)))
        for x, w in ((x, 40 if c == "white" else 55) for x in spots)
    ]
    out["caption_swap_grain"] = make_clip(
        d / "caption_swap_grain.mp4",
        "mandelbrot=s=320x180:r=25,trim=end_frame=1,loop=loop=100:size=1,setpts=N/25/TB,noise=alls=6:allf=t,"
        + ",".join(blocks),
    )
    # A shot fading in from its first frame (1.5 s), a cut at frame 75, and a shot fading out into
    # the last frame (1.5 s): two shots; the fades are the first shot's start and the last one's end.
    out["fade_in_and_out_at_the_ends"] = make_clip(
        d / "fade_in_and_out_at_the_ends.mp4",
        f"testsrc2={size}:d=3,fade=t=in:st=0:d=1.5[a];"
        f"mandelbrot={size},trim=duration=3,setpts=PTS-STARTPTS,fade=t=out:st=1.5:d=1.5[b];[a][b]concat=n=2",
    )
    # Two shots (cut at frame 50), the second cut into one black frame that ends the video (frame 100).
    out["closing_black_frame"] = make_clip(
        d / "closing_black_frame.mp4",
        f"testsrc2={size}:d=2[a];mandelbrot={size},trim=duration=2,setpts=PTS-STARTPTS[b];"
        f"color=c=black:{size}:d=0.04[c];[a][b][c]concat=n=3",
    )
    # A title fading in (1 s), held, and fading out (1 s) over one unchanged moving shot.
    out["title"] = make_clip(
        d / "title.mp4",
        f"testsrc2={size}:d=6[base];color=c=white:s=120x30:r=25:d=6,format=yuva420p,"
        "fade=t=in:st=1:d=1:alpha=1,fade=t=out:st=4:d=1:alpha=1[t];[base][t]overlay=20:30",
    )
    # Two slogans (a red box with a white line each, top left and bottom right) popping up at frame
    # 50 over a still picture with light grain, and staying: one shot.
    slogan = (
        "drawbox=x={}:y={}:w=130:h=50:color=0xc02020:t=fill:enable='gte(n,50)',"
        "drawbox=x={}:y={}:w=100:h=14:color=white:t=fill:enable='gte(n,50)'"
    )
    out["slogans"] = make_clip(
        d / "slogans.mp4",
        "mandelbrot=s=320x180:r=25,trim=end_frame=1,loop=loop=100:size=1,setpts=N/25/TB,noise=alls=2:allf=t,"
        + slogan.format(10, 10, 20, 25)
        + ","
        + slogan.format(180, 120, 190, 135),
    )
    # One shot: the camera holds (2 s), then pans for 2 s across to a recoloured copy of the picture
    # beside it (a pan within one scene: every frame moves, none mixes two pictures), and holds.
    out["pan"] = make_clip(
        d / "pan.mp4",
        f"testsrc2={size.replace('160x90', '320x180')}:d=6,split[a][b];[b]hue=h=150:s=2,negate[c];[a][c]hstack,"
        "crop=w=320:h=180:x='if(lt(t,2),0,min((t-2)*160,320))':y=0",
    )
    # A plain blue shot, then a plain red one (cut at frame 75): neither colour bars nor black.
    out["flat_colours"] = make_clip(
        d / "flat_colours.mp4", f"color=c=blue:{size}:d=3[a];color=c=red:{size}:d=3[b];[a][b]concat=n=2"
    )
    # A phone-like clip: 30 fps with every 100th frame dropped (average 29.7 fps), a cut at 10 s.
    out["vfr"] = make_clip(
        d / "vfr.mp4",
        "testsrc2=s=160x90:r=30:d=10[a];mandelbrot=s=160x90:r=30,trim=duration=5[b];"
        "[a][b]concat=n=2,select='not(eq(mod(n\\,100)\\,50))'",
        extra=["-fps_mode", "vfr"],
    )
    # Half of a decodable (moov first) MP4: frames stop at about 10 s of the 20 s declared.
    whole = make_clip(d / "whole.mp4", f"testsrc2={size}:d=20", extra=["-movflags", "+faststart"])
    data = whole.read_bytes()
    out["half_file"] = d / "half_file.mp4"
    out["half_file"].write_bytes(data[: len(data) // 2])
    out["audio_only"] = d / "audio.m4a"
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", str(out["audio_only"])],
        check=True,
        timeout=60,
    )
    # A recording whose picture starts 0.6 s after its sound (video start_time 0.6 s, 75 frames,
    # no frames before): a cut at the video's frame 50.
    out["late_video"] = d / "late_video.mp4"
    late = f"testsrc2={size}:d=2[a];mandelbrot={size},trim=duration=1,setpts=PTS-STARTPTS[b];[a][b]concat=n=2"
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "sine=d=4", "-itsoffset", "0.6", "-f", "lavfi", "-i", late,
         "-map", "1:v", "-map", "0:a", "-fps_mode:v", "passthrough", "-c:v", "libx264", "-preset", "veryfast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", str(out["late_video"])],
        check=True, timeout=60,
    )  # fmt: skip
    out["text"] = d / "notes.mp4"
    out["text"].write_text("this is not a video\n")
    truncated = d / "truncated.mp4"
    data = out["cuts"].read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    out["truncated"] = truncated
    return out
