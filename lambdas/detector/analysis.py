"""From per-frame signals to transitions and technical-cue runs (pure numpy, no decoding)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.features import ENDS, F32, FLASH_RETURN_SHARE, LONG_WINDOW, MIX_STEP, SKIP, WINDOW, SignalArrays

# Hard cut: the histogram jumps far above its neighbourhood. Distances are 0..2 (features.py).
CUT_MIN = 0.30  # smallest jump that can be a cut
CUT_RATIO = 3.0  # ... and at least this many times the median jump of its neighbourhood
CUT_MARGIN = 0.15  # ... plus this, so a quiet neighbourhood does not make noise a cut
NEIGHBOURHOOD = 8  # frames each side whose median jump is the neighbourhood's
# A jump between a flash's first jump (the picture before it comes back within SKIP frames) and its
# last (the picture after it was there just before), the picture and its layout both coming back
# to within this share of those jumps, is inside the flash: a light leak whose frames differ from
# one another jumps between them too, and neither of its ends is the frame before or after that
# jump. Closer than FLASH_RETURN_SHARE asks of a flash's own ends: a flash cut between two shots of
# one palette and framing comes back only roughly (a third of the jump on the labelled sets; the
# light leaks and flashes this drops a fifth at most). 1.26, after fresh32 (two light-leak flashes
# read as cuts).
FLASH_INSIDE_RETURN_SHARE = 0.25
# A held frame repeats the one before within compression noise (mean absolute luma change below
# 0.1 % of the range: held frames re-encoded at 320x180 change 0.02-0.05 %). Where held frames are
# at least HELD_MIN_SHARE of a neighbourhood, alternate with moving ones and at least HELD_MIN_STEPS
# frames move, the held ones are left out of its median (footage animated on twos or threes, or
# rendered at 8 fps: see _local_median); a flash or a pause here and there is not that.
HELD_MAX_CHANGE = 0.001
HELD_MIN_STEPS = 2
HELD_MIN_SHARE = 0.4
HELD_MIN_ALTERNATIONS = 4  # held <-> moving changes in the neighbourhood: two steps at least
# ... and no picture between two steps is held longer than this many frames: animation on twos,
# threes or fours, or rendered at 8 fps into 25, holds each picture 1-3 frames. A run of stills
# held a fifth of a second each (a photo montage cut every 6 frames) jumps just as regularly, but
# each jump is a cut; taking them for animation steps measured every cut against the others and
# missed them all. 1.24, after fresh27's score (a party reel opening on six such cuts in a row):
# nothing else changes on any labelled or synthetic set (3 and 4 alike elsewhere).
HELD_MAX_RUN = 3
# A cut's confidence: its margin over the neighbourhood and the flash checks, mapped 50..100
# between these distances (0.9 is as clear as a cut gets: most of the histogram moves).
CUT_SURE = (0.1, 0.9)
# Cut by layout (block means minus their mean, fraction of 255): the same rule on the spatial distance, for cuts
# between two angles of one scene. On the tuning clips (real, spliced real, kit, random seed 7)
# no frame away from a transition passes 0.04 / x3 / +0.02; motion raises the neighbourhood too.
# Since 1.10 the margin is 0.03: over the 28 labelled sets, layout cuts clearing +0.02 by under
# 0.01 were right 22 times in 57 (real footage 7 in 21), fewer than half: they cost more than they find.
GRID_CUT_MIN = 0.04
GRID_CUT_RATIO = 3.0
GRID_CUT_MARGIN = 0.03
GRID_CUT_SURE = (0.02, 0.2)  # margin at which a layout cut's confidence is 50 .. 100
# A cut seen by the layout alone must stand alone: another frame within NEIGHBOURHOOD jumping
# this share as much (other than a short shot's other end) means shaking, flicker or fast motion.
LAYOUT_ISOLATION = 0.5
# ... except (1.37) a jump more than MONTAGE_CALM_REACH frames away with only calm frames between
# (each changing at most MONTAGE_CALM_SHARE of this jump): that is the next cut of a run of short
# shots (stills cut on the beat, a montage of 5-8-frame shots), and shaking never rests between
# jumps. After fresh60's score (a fan edit's stills cut every 6 frames, 8 cuts missed): on every
# labelled set through fresh61, 16 right cuts more in 9 clips of 8 sets (8 of them outside that
# edit) against 1 false (8,939 / 491 / 441 -> 8,955 / 492 / 425); 95-100 right 2,563 of 2,577
# either way; the kit unchanged. Reach 3: +16 / +9; 5: +14 / +1; calm share 0.2: +12 / +1, 0.4:
# +16 / +2.
MONTAGE_CALM_REACH = 4
MONTAGE_CALM_SHARE = 0.3
# A quiet cut: a jump under both floors (CUT_MIN, GRID_CUT_MIN) that colour and layout make
# together, each at least QUIET_CUT_RATIO times its neighbourhood's median, each standing alone
# (LAYOUT_ISOLATION), neither a flash, and that leaves at most QUIET_CUT_MAX_STILL of the textured
# blocks as they were. Cuts between two dark pictures (torch-lit arenas, concert stages, night
# exteriors) and inside letterboxed ones move the histogram and the layout little in absolute terms,
# because dark tones share a few bins and black bars never change; against a quiet neighbourhood
# both still stand out. 1.36, after fresh58's score (torch-lit cuts missed, as in fresh43's concert
# film): on every labelled set through fresh59, 15 right boundaries more in 10 sets (the kit's
# clips unchanged) against 1 false more (4 new, 3 gone: 8,742 / 481 / 441 -> 8,757 / 482 / 426).
# A ratio of 6: +10 / +0; 4: +20 / +8; without the still test +15 / +6; the floors 0.12 and 0.01
# change at most one either way.
QUIET_CUT_MIN = 0.15  # histogram distance (CUT_MIN is 0.30)
QUIET_GRID_CUT_MIN = 0.015  # layout distance (GRID_CUT_MIN is 0.04)
QUIET_CUT_RATIO = 5.0
QUIET_CUT_MAX_STILL = 0.1
QUIET_CUT_CONFIDENCE = 50.0  # nothing to scale: it passes no floor
QUIET_CUT_APART = 2  # frames from any other cut
# A jump cut on a still camera: a layout jump of at least STILL_JUMP_MIN, STILL_JUMP_RATIO times
# its neighbourhood's median, with no other frame within NEIGHBOURHOOD changing STILL_JUMP_ISOLATION
# as much (animation that holds frames and jumps does so every few frames), and no return to the
# frames before it (STILL_JUMP_RETURN of the jump, stricter than a flash's). On the tuning clips it
# adds 5 same-shot cuts and no false one over ~30,000 frames away from transitions.
STILL_JUMP_MIN = 0.01
STILL_JUMP_RATIO = 5.0
STILL_JUMP_ISOLATION = 0.3
STILL_JUMP_PARTNER = 0.5
# A change confined to one small area (one block of features.GRID_ROWS x GRID_COLS carries this
# share of it) is a graphic changing over a still picture (a clock ticking, a counter gaining a
# digit), not a re-framed picture: jump cuts on the tuning sets spread it (largest block <= 0.24),
# burned-in counters and clocks do not (0.30-0.37).
STILL_JUMP_MAX_PEAK_SHARE = 0.28
# Nor is a change confined to a band of rows a fifth of the picture high (features.pixel_change): a
# line of captions swapped over a still picture. Jump cuts on the labelled sets leave at least a
# tenth of their change outside the densest such band; burnt-in captions under anime leave none.
STILL_JUMP_MAX_LINE_SHARE = 0.95
# Nor is a change mostly in such a band (CAPTION_MIN_LINE_SHARE) while the picture outside it
# changes no more than on the frames beside it (features.line_rest <= CAPTION_MAX_REST): a caption
# switched or typed over a picture that goes on as before. A jump cut moves every moving thing,
# outside the band too. The same holds for a cut seen by the layout alone (find_cuts); a colour
# jump is left alone (there it merged a real cut's neighbours into a false one). 1.20, after
# fresh20's score (captions were the most frequent false boundary on fresh19 and fresh20): on
# every labelled set it ends 12 false boundaries in 7 clips of 5 sets and one right one (an
# anime jump cut whose background moves as much on the frames beside it); the synthetic sets
# are unchanged.
CAPTION_MIN_LINE_SHARE = 0.6
CAPTION_MAX_REST = 1.05
STILL_JUMP_RETURN = 0.6
# Gradual transition: the windowed distance between the two ends rises above GRADUAL_MIN for
# at least GRADUAL_MIN_FRAMES frames (a moving shot crosses it for a frame or two at most).
GRADUAL_MIN = 0.65
GRADUAL_MIN_FRAMES = 3
SLOW_GRADUAL_MIN_FRAMES = 10  # the long window (features.LONG_WINDOW) crosses it for longer
# A pan or fast motion also moves the long window's histograms apart, but changes the pixels a lot
# on every frame; a 2-4 s dissolve or fade changes each pixel by at most 1/50 of the range a frame
# (tuning sets: slow transitions 0.005-0.010 median, pans 0.036-0.056).
SLOW_GRADUAL_MAX_PIXEL_CHANGE = 0.02
GRADUAL_MAX_CONFIDENCE = 94.0  # see calibrated
# A chain of dissolves (a slideshow: held pictures joined by dissolves a few frames apart) puts two
# of them in one window, which reports one gradual between them. Where the window's frames hold
# two or more runs of mixing frames (find_mixes' test) with at least CHAIN_MIN_GAP frames between
# them that hardly change (median histogram change under CHAIN_QUIET: a held picture), each run is
# a transition. 1.21, after fresh21's score (a selfie slideshow lost 2 of 15 dissolves so): on
# every other labelled and synthetic set it changes nothing.
CHAIN_MIN_GAP = 3
CHAIN_QUIET = 0.05
# Mixes (find_mixes): frames at most MIX_MAX_RES of the two frames' distance off their average,
# those at least MIX_MIN_DIST apart (fraction of 255), for MIX_MIN_FRAMES in a row.
MIX_MIN_DIST = 0.1
MIX_MAX_RES = 0.35
MIX_MIN_FRAMES = 3
MIX_MIN_COVER = 0.35  # share of the picture's blocks mixing (a title fading in mixes a part)
MIX_SURE = 0.25  # distance at which a mix's confidence reaches MIX_MAX_CONFIDENCE
# Right 88 % of the time on the labelled sets (57 of 65): at most 84 once calibrated.
MIX_MAX_CONFIDENCE = 88.0
MIX_BLOCK = 5  # frames around a known transition whose mixes are that transition's
MIX_PLACE_DIST = 0.05  # a windowed gradual's boundary goes to its most mixing frame this far apart
# ... and at least this share of the span's largest such distance: the transition changes the
# picture most, and motion in the span's tail that happens to average its neighbours does not
# move the boundary there. A wipe mixes nothing (each pixel is one picture or the other), so the
# motion after it took its boundary. 1.22, after fresh22's score (a band wipe placed 15 frames
# late): the kit's broadcast clip's dissolve is placed on it too, nothing else changes.
MIX_PLACE_SHARE = 0.75
# A slow mix (1.15): a dissolve between two pictures of nearly one tone, drawn out over half a second
# or more, moves each frame only a little from the frames MIX_STEP away, so its distance stays under
# MIX_MIN_DIST. A run that mixes at SLOW_MIX_MIN_DIST or more for SLOW_MIX_MIN_SECONDS is one too,
# at the lowest confidence. Over the labelled real sets it found 5 dissolves missed before (24-48
# frames) and no false one; shorter runs at this distance were as often motion as dissolves. Its
# known false one: a title fading in over a smooth gradient that moves slowly (such frames also
# mix their neighbours), one of the twelve synthetic title clips. Both blended frames must hold a
# picture (fresh17, after its score: a logo brightening out of black was one).
SLOW_MIX_MIN_DIST = 0.05
SLOW_MIX_MIN_SECONDS = 0.5
SLOW_MIX_CONFIDENCE = 50.0
# Bursts: a whip or a smear of 2-4 frames between two still pictures (a photo edit's transitions).
# Each of its frames jumps like a cut but so do its neighbours, so the cut pass takes it for motion,
# and a chain of them (a new picture every 7-8 frames) leaves the windowed pass no quiet window. Here
# the stillness around it says what it is: at least BURST_STILL_BEFORE frames before and
# BURST_STILL_AFTER after change by less than BURST_QUIET (histogram) and BURST_QUIET_PIXELS, the
# picture after differs from the one before as a cut's does (CUT_MIN, read across the burst by the
# skip/back distances), and the pixels move (BURST_MIN_MOVE: a title typed over a still picture moves
# a few). 1.17, after fresh18's score: it found 8 of the 9 whips its photo edit lost there, and on
# the other labelled real sets (4,100 transitions) and the synthetic ones nothing, right or false.
BURST_QUIET = 0.03
BURST_QUIET_PIXELS = 0.02
BURST_MIN_FRAMES = 2  # one jumping frame is the cut pass's
BURST_MAX_FRAMES = 4
BURST_STILL_BEFORE = 2
BURST_STILL_AFTER = 3  # two were not enough: a 3-frame insert that returns is a flash
BURST_MIN_MOVE = 0.05
BURST_CONFIDENCE = 60.0
# Montage (montage_cuts): shots of two or three frames cut one after another (an opening
# titles' montage, a trailer's rhythm section). Half the frames of a neighbourhood are cuts there,
# so none clears its median (CUT_RATIO); but each still stands out from both frames beside it, in
# colour and in layout (MONTAGE_STANDOUT), by at least MONTAGE_MIN_HIST and MONTAGE_MIN_GRID, and
# MONTAGE_MIN_CUTS such frames fall within MONTAGE_REACH of each other. The frames beside move
# (MONTAGE_MIN_MOVING, pixels): animation held on twos steps the same way, with its held frames
# still. A flash returns in colour and layout both; a montage may come back to a palette alone.
# Such a cut is never joined into a fast dissolve with its neighbours (_group_fast_transitions),
# nor with a later boundary across the moving pictures after it (join_transitions, 1.19).
# 1.18, after fresh19's score: its sitcom opening lost 33 of 44 cuts; this finds 12 of them, and
# on the other labelled real sets (4,262 transitions) and the synthetic ones changes nothing.
# Without the pixel check, anime and a game intro held on twos gave 9 false cuts; with three cuts
# in reach, a 7-frame glitch wipe split into 2.
MONTAGE_MIN_HIST = 0.12
MONTAGE_MIN_GRID = 0.06
MONTAGE_STANDOUT = 2.0
MONTAGE_MIN_MOVING = 0.01
MONTAGE_MIN_CUTS = 4  # three let a 7-frame glitch wipe (its bands jumping on 3 frames) split into cuts
MONTAGE_REACH = NEIGHBOURHOOD
MONTAGE_CONFIDENCE = 60.0
# A gradual transition whose changed frames hold one jump that dominates the rest (at least a cut's
# CUT_MIN, JUMP_PLACE_RATIO times the next largest, and not a flash: the picture does not return)
# is a cut with motion or a flash beside it, and its boundary is that jump, not the span's middle
# or its most mixing frame. 1.17: on the labelled real sets 5 cuts reported 2-6 frames off (as a
# gradual over the cut and the motion next to it) became right and their 5 false boundaries went;
# no gradual transition was lost; the synthetic sets are unchanged.
JUMP_PLACE_RATIO = 2.0
# Flicker: a weak cut (confidence under FLICKER_MAX_CONFIDENCE) with FLICKER_MIN_OTHERS more cuts
# within FLICKER_REACH frames is light playing over one shot (a lens flare, a strobe, a lamp
# guttering), not editing: edited rapid cuts each change the picture outright and score high. On
# the labelled real footage such cuts were right 2 times in 15. Light leaves the layout where it
# was; a weak cut that moves the layout (spatial grid) and the pixels as much as FLICKER_LAYOUT
# says is a cut, burst or not (1.12: of the 25 burst cuts the rule dropped on the labelled real
# sets up to fresh15, 16 right and 9 false, these thresholds keep 12 right ones and 1 false).
FLICKER_MAX_CONFIDENCE = 70.0
FLICKER_MIN_OTHERS = 2
FLICKER_REACH = 8
FLICKER_LAYOUT = (0.07, 0.075)  # d_grid, d_pix
# Region cuts (find_region_cuts): one panel of a split screen switching to other footage while
# the rest of the picture stays (features.region_cut finds the blocks that cut on their own). A
# panel is a sizeable, connected part; the rest is still. Smaller parts cutting alone are
# animation (a mouth, a hand drawn anew); larger ones the picture's own cut, which find_cuts judges.
REGION_MIN_SHARE = 0.17
REGION_MAX_SHARE = 0.6
REGION_MAX_REST = 0.05
REGION_MIN_JOINED = 0.8
# Right 10 times in 13 on the labelled real footage, 7 of them in one split-screen film.
REGION_CONFIDENCE = 65.0
# A cut across which blocks covering REGION_SURE_SHARE of the picture cut on their own (the region
# signal, frame t-1..t+1) is scored at least REGION_SURE_CONFIDENCE: on the labelled real sets
# (fresh3-16 and older), cuts scored under 70 were right 216 times in 220 with it, 355 in 434
# without; the cuts scored 70-100 were right 98.8 % of the time.
REGION_SURE_SHARE = 0.4
REGION_SURE_CONFIDENCE = 80.0
# Graphics over a picture (drop_graphics): a cut after which at least STILL_MAX_SHARE of the
# picture's textured blocks are unchanged (features.still_share) is a title, a slogan or a panel
# popping up over a picture that stays. On every labelled set before 1.34, 13 of 6,912 right cuts
# reached half (7 jumps between two moments of one locked-off shot in the v1/v2 splices, 3 panels
# of a split screen, 3 dim trailer shots) and 29 of 279 false ones did; with the region pass
# finding two panels again: 11 right and 21 false boundaries fewer.
STILL_MAX_SHARE = 0.5
# Camera moves (drop_camera_moves): a gradual transition of MOVING_GRADUAL_MIN_FRAMES frames or more
# whose frames mix neither end (mean mix_cover < MOVING_GRADUAL_MAX_COVER) while most of the picture
# moves on every frame (mean pixel change > MOVING_GRADUAL_MIN_CHANGE, mean still share <
# MOVING_GRADUAL_MAX_STILL) and whose ends look alike (windowed histogram distance never reaching
# MOVING_GRADUAL_MAX_WIDE: one scene) is a pan, a push-in or a swing of the camera, not a dissolve.
# On every labelled set before 1.35: 18 false graduals on the edited real sets (pans, 360° walks,
# sports cameras) against 1 right one (a fan edit's whip dissolve), 3 right ones in the synthetic
# class and splice clips; the kit and random seeds keep every gradual (their dissolves join two
# different pictures: windowed distance 1.0-1.9).
MOVING_GRADUAL_MIN_FRAMES = 15
MOVING_GRADUAL_MAX_COVER = 0.1
MOVING_GRADUAL_MIN_CHANGE = 0.015
MOVING_GRADUAL_MAX_STILL = 0.2
MOVING_GRADUAL_MAX_WIDE = 0.95
GRADUAL_SURE = 1.4  # windowed distance at which a gradual's confidence reaches 100
# The mixed frames of a gradual: where the windowed distance stays at least this share of its peak.
GRADUAL_SPAN_SHARE = 0.5
# A dissolve or fade changes the picture on most of its mixed frames; a span where the histogram
# moves (>= GRADUAL_MOVING) on fewer than GRADUAL_MOVING_SHARE of its frames is the still tail of
# a transition already reported (the windowed distance stays high for a window after it ends).
# Over 209 gradual reports on the tuning sets, true ones move on >= 37 % of their frames, such
# tails on <= 20 %.
GRADUAL_MOVING = 0.02
GRADUAL_MOVING_SHARE = 0.3
# Consecutive jumps within this many frames, with at least this much change on every frame
# between them, are one fast gradual transition rather than several cuts.
FAST_SPAN = 12
FAST_MIN_CHANGE = 0.06
# ... unless two or more frames sit between them and both jumps change the picture more than
# JOIN_CUT_STANDOUT times any frame between: those frames are a short shot (a 2-6-frame insert
# whose own motion moves its histogram), not the mixed frames of a fast dissolve, which change
# about as much as its ends (within 1.5x on every labelled one).
SHORT_SHOT_MIN_FRAMES = 2
# 1.31: a short shot lit by flashes or strobes has frames between that jump as much as its ends, so
# the test above groups it; where both ends are strong jumps (histogram >= SHORT_SHOT_STRONG) and
# three or more frames sit between, the ends standing out above the median frame between is enough.
# On the labelled sets this splits one strobe-lit festival reel's two 10-11-frame shots (+4 right,
# -2 false) and changes nothing else at any strength 0.6-0.7 (0.5 adds 3 false cuts elsewhere).
SHORT_SHOT_STRONG = 2 * CUT_MIN
SHORT_SHOT_MEDIAN_FRAMES = 3
# Two jumps with at most HELD_MIX_MAX_FRAMES frames between them, each of which is the average of
# the pictures around it (find_mixes' test), are one fast dissolve whose mixed frames are held (a
# frame repeated by a frame-rate conversion changes nothing, so the change test above fails).
# 1.19: on the labelled real sets this removed 6 false cuts in 5 clips and lost one right cut, a
# spliced 3-frame still whose tone happens to lie between its neighbours'; 3 frames between gave 2
# more of those false cuts than 2 did, nothing else.
HELD_MIX_MAX_FRAMES = 3
# A fade-out straight into a fade-in: two boundaries this close around a flat (near-uniform)
# frame, with change on nearly every frame between them and no hold long enough to be its own
# segment, are one transition. A black hold is a segment (the labelled sets' convention, and a
# BlackFrames cue); a held white (mean luma >= HOLD_WHITE_LUMA, flat by the labelled sets'
# measure, BLACK_HOLD_SPREAD) is not: a dip through white is one transition however long it holds
# within this reach (1.32, after fresh49's score: a charity film's dips through 8 and 12 white
# frames were each reported as a fade out and a separate fade in; every labelled dip through a
# white hold, 4 to 30 frames, is one transition, and a white card carrying a caption is a shot).
DIP_MAX_SECONDS = 2.5
DIP_MAX_FRAMES = 60
DIP_FLAT_SPREAD = 8.0
DIP_RISE = 10.0
DIP_REACH_SECONDS = 0.75  # how far a fade may extend on each side of its flat bottom
DIP_MIN_REACH = 4  # frames, so low frame rates still look far enough
DIP_SURE = 0.6  # mean change per frame of the fades at which a dip's confidence reaches 100
# A slow fade sinks (and climbs) steadily: no one frame's step carries more than this share of
# the contrast lost on its side. A one-frame black blink in a dim shot whose contrast happens to
# drift down before it and up after it drops nearly all of it in one step. 1.22, after fresh22's
# score (a blink in a rendered animation read as a dip): nothing else changes on any labelled set.
SLOW_FADE_MAX_STEP_SHARE = 0.5
# A fast dip fades in a few frames each way, which at 30 fps is too few to fill most of the side
# window above (half of DIP_REACH_SECONDS): it fades too if the picture changes on each of the
# DIP_FAST_SIDE frames next to its bottom on both sides. 1.32, after fresh48's score (a football
# film joined by 6-frame dips through one black frame, missed all but one of 8: the windowed pass
# reported the pictures on either side instead): on every labelled set +5 right, -3 false, nothing
# lost; 3 frames adds 2 false cuts, 5 frames loses 2 of the gains.
DIP_FAST_SIDE = 4
# A fade into or out of a hold, however dark or sparse the picture (find_hold_fades): at least
# this many frames whose contrast climbs steadily away from the hold, within this reach.
HOLD_FADE_MIN_FRAMES = 4
HOLD_FADE_MAX_SECONDS = 2.5
HOLD_FADE_FLAT = 1.0  # luma spread of the hold's frames: flat, not a dark picture still fading
# A hold is also a run of frames black by the labelled sets' own measure (bench/realset/SOURCES.md:
# mean luma at most 24, spread at most 2.5) whose mean luma stays within BLACK_HOLD_LEVEL_BAND of
# the run's darkest: film grain keeps a trailer's black above HOLD_FADE_FLAT (1.27), and its first
# black frame is often still settling to the floor (16.7, 16.0, 16.0), which the frame-to-frame
# step of HOLD_MAX_LUMA_STEP took for a fade still moving (1.28). The bottom of a slow V-shaped
# dip keeps moving by more than the band a frame, so it stays one transition. Three such frames are
# a shot of their own (BLACK_MIN_FRAMES, as in the truth), which two fades' reports are not joined
# across (join_transitions). 1.28, after fresh35's score (a trailer whose shots fade into and out
# of 3-frame black holds: 22 of its 37 gradual found): over every labelled and synthetic set 17
# more right, 12 more false (6 of them dark V-dips of the spliced sets, whose generated truth keeps
# one transition however black the bottom); bands of 0.5-4 trade right for false evenly.
BLACK_HOLD_LUMA = 24.0
BLACK_HOLD_SPREAD = 2.5
BLACK_HOLD_LEVEL_BAND = 1.0  # code values
HOLD_FADE_RISE = 5.0  # code values of contrast the fade must climb away from the hold
HOLD_FADE_SURE = 40.0  # contrast lost (luma spread, code values) at which the confidence reaches 100
# The hold is black or white: its mean luma (code values, either range) at most or at least this.
HOLD_DARK_LUMA = 40.0
HOLD_WHITE_LUMA = 200.0
# A cut this many still frames beyond a fade's far end ends the shot the fade opened (a fade in
# from black onto a short shot); a jump sooner is the fade's own last step.
HOLD_FADE_PAUSE = 4
FADE_SLACK = 0.3  # code values of spread a fade may wobble by (compression noise)
# A fade reaches its shot where the contrast comes within this share of its whole climb (or
# FADE_SLACK) of the top: a dark shot whose contrast creeps up for a second is not fading yet.
FADE_TOP_SHARE = 0.1
FADE_KNEE = 0.5  # ...and goes on while the contrast still climbs at this share of the fade's mean pace
# A slow fade: the luma spread falls (rises) on at least this share of the frames before (after) the
# flat bottom, by DIP_RISE in all.
FADE_MONOTONIC = 0.8
# A fade step (see _fade_step): the mean luma moves at most this much (code values) in one frame,
# each pixel by little more than the mean does, and the frames around move the same way.
FADE_MAX_STEP = 8.0
FADE_PIXEL_SHARE = 1.5
FADE_PIXEL_SLACK = 0.5  # code values
# A hold (a black or white stretch that is a segment of its own) is flat AND still: the bottom of a
# slow fade is flat for many frames too, but its mean luma keeps moving (about 1.7 code values a
# frame in a 90-frame fade of dark footage); a held frame repeats within compression noise.
HOLD_MAX_LUMA_STEP = 0.5  # code values per frame
# A fade from a video's first frame or into its last is the first or last shot's own (drop_edge_fades)
# when that frame is dim: luma spread at most this (code values). Until 1.23 it had to be flat (8); a
# fade that stops short of black, or keeps a caption on it, was reported as a transition: 8 false
# boundaries in 8 clips of 8 labelled sets (edge frames at 10-19), and no right one lost.
EDGE_FADE_MAX_SPREAD = 24.0
# A fade-out into a fade-in joined by join_transitions changes the picture on this share of its frames.
DIP_CHANGING_SHARE = 0.8
# Boundaries closer than this (frames) are one boundary seen by two passes.
SAME_BOUNDARY_FRAMES = 2
# Two gradual reports whose mixed spans are at most this many frames apart are one slow dissolve
# or fade (2-3 s ones peak twice in the windowed distance): a shot between two gradual transitions
# shorter than the window (2 x WINDOW frames) leaves no stable frame to tell it apart anyway.
GRADUAL_JOIN_GAP = 7
# A frozen frame shows the picture before it again: its pixels move by under one code value on
# average, its histogram less than a changing frame's (CHANGING), and its contrast not at all.
# The bottom of a slow fade moves little too, but its contrast keeps sinking or rising.
FROZEN_MAX_CHANGE = 0.003
FROZEN_MAX_SPREAD_STEP = 0.1
# ... except on a flat picture (luma spread at most this): black whose last traces of a fade still
# decay by a tenth of a code value a frame shows nothing, and nothing is fading on it.
FROZEN_FLAT_SPREAD = 0.5
# Two boundaries with the picture changing on most frames between them (a dissolve or fade
# whose first frame jumps, then keeps mixing) are one transition. Within shots no window of
# the bench clips and held-out clips has more than about half its frames changing this much.
CHANGING = 0.12
CHANGING_FRACTION = 0.65
# ... unless the later one is a cut after this many still frames: the first transition has ended and
# a short shot (3+ frames) sits between them.
PAUSE_FRAMES = 3
# ... and unless a cut bounds them from farther apart than this: a transition that starts or ends
# with a jump lasts up to about a second (1.12 s the longest on the labelled sets); two boundaries
# farther apart with a cut at either end bound a shot full of motion (a hand-held or body-worn take).
JOIN_CUT_MAX_SECONDS = 1.5
# ... or unless both are cuts whose pixel jump is this many times the change on the frames between:
# a mix changes the picture about as fast at its ends as inside; a cut into and out of a moving
# shot changes it far more than the motion does.
JOIN_CUT_STANDOUT = 2.0
# A keyframe pop: an encoder that restarts prediction every GOP frames (phones, streaming
# encoders) sharpens the picture at once on each keyframe after a run of blurring predicted
# frames. Over snow or grass at a low bit rate that shifts the histogram like a cut, but the pixels
# change no more than motion moves them. On a keyframe GOP frames after the previous one, when the
# clip repeats that interval, a jump whose pixel and layout changes stay under POP_PIXEL_STANDOUT
# and POP_GRID_STANDOUT times the median on each side of it is a pop, not a cut.
POP_MIN_GOP = 24  # frames (1 s at 24 fps): shorter repeats are cuts close together, not a schedule
POP_MIN_REPEATS = 3
POP_PIXEL_STANDOUT = 3.0
POP_GRID_STANDOUT = 3.0
BARS_MIN = 0.5  # colour-bars likeness (features.bars_score, 0-1) of a bars frame
BARS_SURE = 0.9  # likeness at which the ColorBars confidence reaches 100
BARS_MIN_SECONDS = 0.5  # test patterns are held for seconds; a shorter run is graphics in content
MIN_CUE_FRAMES = 5  # no cue shorter than this, whatever the frame rate
# A run of black frames shorter than this is the bottom of a dip (a transition), not a segment.
BLACK_MIN_SECONDS = 0.2
BLACK_MIN_FRAMES = 3
# A black frame has no picture: beyond Rekognition's coverage test, its luma must be nearly
# flat, so dim footage (texture under the threshold) is not reported as black.
BLACK_MAX_SPREAD = 4.0  # luma standard deviation, code values
# ... and it must be colourless: a plain saturated blue has the luma of near-black (about 41 in
# limited range) but is a picture. Black video's chroma sits within a few code values of grey.
BLACK_MAX_SAT = 0.1  # mean chroma distance from grey, fraction of 128
# End credits: text on a dark, colourless background, moving (scrolling), late in the video.
CREDITS_MIN_DARK = 0.9
CREDITS_MIN_EDGES = 0.005
CREDITS_MAX_SAT = 0.05
CREDITS_MIN_MOTION = 0.003
CREDITS_MIN_SECONDS = 2.0
CREDITS_MAX_PAUSE_SECONDS = 0.5  # scrolling text may stop this long inside one credits run
CREDITS_CONFIDENCE = 75.0  # a heuristic with no margin to scale: below what stillness and bars earn
# Graphic cards (slates, studio logos): a still picture with sharp detail, at least a second.
# Filmed content is never this still (sensor noise, motion); smooth still content has no edges.
CARD_MAX_MOTION = 0.0004
CARD_MIN_EDGES = 0.02
CARD_MIN_SECONDS = 1.0
CARD_STILL_FRAMES = 7  # the frames around each one that must be still too
CARD_MAX_FLICKER = 0.005  # the largest single-frame change allowed (keyframe pumping)
CARD_CONFIDENCE_SPAN = 40.0  # a card's confidence runs 50..90 with its stillness (never sure)
# A slate is a colourless card dense with text; any other card at the head is a studio logo.
SLATE_MAX_SAT = 0.05
SLATE_MIN_EDGES = 0.05
# Where cues may sit, as fractions of the whole video (decided when the video is assembled,
# because a chunk does not know where it sits).
HEAD_CUES = {"Slate": 0.25, "StudioLogo": 0.25}  # must start before this fraction
TAIL_CUES = {"EndCredits": 0.5}  # must start after this fraction
HEAD_MAX_SECONDS = 600.0  # ... and within the first ten minutes


@dataclass(frozen=True)
class Transition:
    """A shot boundary: the new shot starts at ``frame``; gradual ones span ``start``..``end`` (mixed frames)."""

    frame: int
    kind: str  # "cut" | "gradual"
    confidence: float  # percent 50-100
    start: int
    end: int

    @property
    def changed(self) -> tuple[int, int]:
        """First and last frame (inclusive) the transition changes: a cut's first new frame; a
        gradual's mixed frames and the new shot's first."""
        return min(self.start, self.frame), max(self.end + 1, self.frame)

    def shifted(self, by: int) -> Transition:
        """The same transition with every frame number moved by ``by`` (window to video numbering)."""
        return replace(self, frame=self.frame + by, start=self.start + by, end=self.end + by)


@dataclass(frozen=True)
class CueRun:
    """A run of frames (inclusive) carrying one technical cue."""

    cue: str
    start: int
    end: int
    confidence: float


def _local_median(x: F32, i: int, radius: int, moving: np.ndarray | None = None) -> float:
    """Median of ``x`` within ``radius`` of ``i``, leaving out ``i`` and its two neighbours (a cut's own frames).

    With ``moving``, held frames (repeats of the frame before) are left out too when enough
    frames move: footage animated on twos or threes, or rendered at 8 fps into a 25 fps video,
    holds each picture and then jumps, and such a jump is its motion, to be measured against
    the other jumps, not against the repeats.
    """
    lo, hi = max(0, i - radius), min(len(x), i + radius + 1)
    picks = _neighbour_frames(len(x), i, radius)
    if moving is not None:
        steps = picks[moving[picks]]
        # Animation in steps alternates held and moving frames; a hold then motion (black, then a
        # fade in) does not, and there the held frames are the calm the jump is measured against.
        alternations = int(np.count_nonzero(np.diff(moving[lo:hi].astype(np.int8))))
        if (
            steps.size >= HELD_MIN_STEPS
            and picks.size - steps.size >= HELD_MIN_SHARE * picks.size
            and alternations >= HELD_MIN_ALTERNATIONS
            and _held_between_steps(moving[lo:hi]) <= HELD_MAX_RUN
        ):
            picks = steps
    return float(np.median(x[picks])) if picks.size else 0.0


def _held_between_steps(moving: np.ndarray) -> int:
    """The longest run of held frames between two moving ones (the first and last runs, which
    either end of ``moving`` may cut off, are left out when there are others)."""
    held = runs(~moving, 1)
    inner = held[1:-1] if len(held) > 2 else held
    return max((b - a + 1 for a, b in inner), default=0)


def _scale(value: float, low: float, high: float) -> float:
    """Map ``value`` in [low, high] to a confidence in [50, 100]."""
    return float(50.0 + 50.0 * np.clip((value - low) / max(1e-6, high - low), 0.0, 1.0))


def _jump_strength(
    x: F32,
    skip: F32,
    back: F32,
    i: int,
    floor: float,
    ratio: float,
    margin: float,
    moving: np.ndarray | None = None,
    flash_start: bool = True,
) -> float | None:
    """How far frame ``i``'s jump in ``x`` clears its neighbourhood and both flash checks; None: no cut.

    ``flash_start`` False: the caller knows the frame before does not come back (see _cuts_into_black).
    """
    value = float(x[i])
    if value < floor:
        return None
    local = _local_median(x, i, NEIGHBOURHOOD, moving)
    if value < ratio * local + margin:
        return None
    # Flash start: the frame before comes back within SKIP frames. Flash end: this frame
    # matches one shortly before the flash.
    if (flash_start and skip[i] < FLASH_RETURN_SHARE * value) or back[i] < FLASH_RETURN_SHARE * value:
        return None
    return min(value - ratio * local, float(skip[i]), float(back[i]))


def _neighbour_frames(n: int, i: int, radius: int = NEIGHBOURHOOD) -> npt.NDArray[np.intp]:
    """The frames of ``n`` within ``radius`` of ``i``, leaving out ``i`` and its two neighbours (a cut's own frames)."""
    lo, hi = max(0, i - radius), min(n, i + radius + 1)
    return np.asarray(np.r_[lo : max(lo, i - 1), min(hi, i + 2) : hi], dtype=np.intp)


def _around(x: F32, i: int) -> F32:
    """``x`` within NEIGHBOURHOOD of ``i``, leaving out ``i`` and its two neighbours (a cut's own frames)."""
    return np.asarray(x[_neighbour_frames(len(x), i)], dtype=np.float32)


def _unrested(x: F32, i: int) -> F32:
    """``x`` around ``i`` (as _around) without the jumps more than MONTAGE_CALM_REACH frames away
    that calm frames separate from ``i`` (see MONTAGE_CALM_SHARE): other cuts, not shaking."""
    calm = MONTAGE_CALM_SHARE * float(x[i])
    kept = [
        int(j)
        for j in _neighbour_frames(len(x), i)
        if abs(j - i) <= MONTAGE_CALM_REACH or float(np.max(x[min(i, j) + 1 : max(i, j)])) > calm
    ]
    return np.asarray(x[kept], dtype=np.float32)


def _isolated(around: F32, value: float, share: float) -> bool:
    """No frame of ``around`` jumps ``share`` as much as ``value``, except one partner at least
    STILL_JUMP_PARTNER as large: the other end of a short shot (a cut into a 2-8-frame shot and out)."""
    nearby = around[around >= share * value]
    return nearby.size == 0 or (nearby.size == 1 and float(nearby[0]) >= STILL_JUMP_PARTNER * value)


def _caption(s: SignalArrays, i: int) -> bool:
    """Frame ``i``'s change is a caption switched over a picture going on as before (CAPTION_MIN_LINE_SHARE)."""
    return float(s.line_share[i]) >= CAPTION_MIN_LINE_SHARE and float(s.line_rest[i]) <= CAPTION_MAX_REST


def _still_camera_jump(s: SignalArrays, i: int) -> float | None:
    """A small layout jump in an otherwise still shot (a jump cut on a fixed camera); None: no cut.

    Only people or objects move, so the jump is small, but nothing near it changes as much and
    the picture does not come back.
    """
    value = float(s.d_grid[i])
    if value < STILL_JUMP_MIN or float(s.grid_peak[i]) >= STILL_JUMP_MAX_PEAK_SHARE:
        return None
    if float(s.line_share[i]) >= STILL_JUMP_MAX_LINE_SHARE:
        return None  # a caption changing over a still picture
    if _caption(s, i):
        return None  # ... or over a picture going on as before
    around = _around(s.d_grid, i)
    # Anything else changing nearby is motion or animation, a short shot's other end aside.
    if not around.size or not _isolated(around, value, STILL_JUMP_ISOLATION):
        return None
    partnered = bool(np.any(around >= STILL_JUMP_ISOLATION * value))
    if partnered and float(s.d_grid[i - 1 : i + 2 : 2].max()) >= STILL_JUMP_ISOLATION * value:
        return None  # ... and a short shot is still: the frames beside the jump do not move
    local = float(np.median(around))
    if value < STILL_JUMP_RATIO * local + STILL_JUMP_MIN / 2:
        return None
    if min(float(s.skip_grid[i]), float(s.back_grid[i])) < STILL_JUMP_RETURN * value:
        return None
    return value - STILL_JUMP_RATIO * local


def _fade_step(s: SignalArrays, i: int) -> bool:
    """Frame ``i`` is one step of a fade: the whole picture brightens or darkens a little, as the
    frames around it do, in the same direction.

    A slow fade over flat content (a plain background, a dark scene) moves the whole luma histogram
    across a bin edge every few frames: a histogram jump with calm around it, like a cut. But
    its pixels change only by the shift of the mean, and the mean moves the same way on nearly
    every frame before it or after it; a cut changes the picture itself.
    """
    step = float(s.luma[i] - s.luma[i - 1])
    if step == 0.0 or abs(step) > FADE_MAX_STEP:
        return False
    if float(s.d_pix[i]) * 255.0 > FADE_PIXEL_SHARE * abs(step) + FADE_PIXEL_SLACK:
        return False  # the picture changed beyond its brightness
    if _flat_tone(s, i - 1) and _flat_tone(s, i):
        # Two plain dark (or, the step being small, two plain bright) frames: no picture to cut
        # from or to, whatever the frames around do; a video's first or last frames have no fade
        # on either side to show.
        return True
    # The fade runs on at least one side: it may end here (steady frames after it) or turn
    # at the bottom of a dip (the other side moves the other way).
    before = np.diff(s.luma[max(0, i - 1 - NEIGHBOURHOOD) : i])
    after = np.diff(s.luma[i : i + 1 + NEIGHBOURHOOD])
    return any(side.size and np.mean(np.sign(side) == np.sign(step)) >= FADE_MONOTONIC for side in (before, after))


def _flat_tone(s: SignalArrays, i: int) -> bool:
    """Frame ``i`` is one plain tone, black or white (no picture): its luma spread is a hold's."""
    luma = float(s.luma[i])
    return float(s.spread[i]) <= HOLD_FADE_FLAT and (luma <= HOLD_DARK_LUMA or luma >= HOLD_WHITE_LUMA)


def find_cuts(s: SignalArrays) -> list[Transition]:
    """Hard cuts, ignoring flashes (a frame that returns to what came before within 3 frames).

    A cut changes the colour statistics (the histogram jumps) or, between two angles of one scene,
    the layout (the spatial grid jumps); either is enough. Under both floors, both jumping together
    against a calm neighbourhood are a cut too (_quiet_cuts: dark or letterboxed pictures).
    """
    d = s.d_hist
    moving = s.d_pix > HELD_MAX_CHANGE
    pops = _scheduled_keyframes(s.key)
    into_black = _cuts_into_black(s)
    cuts: list[Transition] = []
    for i in range(1, len(d)):
        by_colour = _jump_strength(
            d, s.skip, s.back, i, CUT_MIN, CUT_RATIO, CUT_MARGIN, moving, flash_start=not into_black[i]
        )
        by_layout = _jump_strength(
            s.d_grid, s.skip_grid, s.back_grid, i, GRID_CUT_MIN, GRID_CUT_RATIO, GRID_CUT_MARGIN, moving
        )
        if (
            by_layout is not None
            and by_colour is None
            and not _isolated(_unrested(s.d_grid, i), float(s.d_grid[i]), LAYOUT_ISOLATION)
        ):
            by_layout = None  # layout jumps on several nearby frames: shaking or fast motion, not a cut
        if by_layout is not None and by_colour is None and _caption(s, i):
            by_layout = None
        if by_layout is None:
            by_layout = _still_camera_jump(s, i)
        if by_colour is None and by_layout is None:
            continue
        if _fade_step(s, i) or (i in pops and _keyframe_pop(s, i)):
            continue
        if cuts and i - cuts[-1].frame <= 1:
            if d[i] + s.d_grid[i] > d[cuts[-1].frame] + s.d_grid[cuts[-1].frame]:
                cuts[-1] = Transition(i, "cut", cuts[-1].confidence, i, i - 1)
            continue
        confidence = max(
            _scale(by_colour, *CUT_SURE) if by_colour is not None else 0.0,
            _scale(by_layout, *GRID_CUT_SURE) if by_layout is not None else 0.0,
        )
        cuts.append(Transition(i, "cut", confidence, i, i - 1))
    montage = montage_cuts(s)
    grouped = _group_fast_transitions(cuts, s, set(montage))
    found = [Transition(f, "cut", MONTAGE_CONFIDENCE, f, f - 1) for f in montage]
    cuts = grouped + clear_of(grouped, found, len(d), 1)
    return sorted(cuts + _quiet_cuts(s, [t.frame for t in cuts], moving), key=lambda t: t.frame)


def _quiet_cuts(s: SignalArrays, taken: list[int], moving: np.ndarray) -> list[Transition]:
    """Cuts under both floors that colour and layout make together (see QUIET_CUT_MIN), more than
    QUIET_CUT_APART frames from the frames in ``taken``."""
    found: list[Transition] = []
    jumps = ((s.d_hist, s.skip, s.back, QUIET_CUT_MIN), (s.d_grid, s.skip_grid, s.back_grid, QUIET_GRID_CUT_MIN))
    for i in map(int, np.flatnonzero((s.d_hist >= QUIET_CUT_MIN) & (s.d_grid >= QUIET_GRID_CUT_MIN))):
        if i < 2 or any(abs(i - f) <= QUIET_CUT_APART for f in taken):
            continue
        # Each jumps QUIET_CUT_RATIO times its neighbourhood (no margin), clears both flash checks, and stands alone.
        if all(
            _jump_strength(x, skip, back, i, floor, QUIET_CUT_RATIO, 0.0, moving) is not None
            and _isolated(_around(x, i), float(x[i]), LAYOUT_ISOLATION)
            for x, skip, back, floor in jumps
        ) and (s.still[i] < QUIET_CUT_MAX_STILL and not _fade_step(s, i)):
            found.append(Transition(i, "cut", QUIET_CUT_CONFIDENCE, i, i - 1))
    return found


def _cuts_into_black(s: SignalArrays) -> np.ndarray:
    """Frames black by the labelled sets' measure after a picture with contrast, whose picture's
    layout does not come back within SKIP frames: a cut into black, not a black blink.

    Dark pictures' histograms look alike: a dark shot cut to one black frame and a dark shot fading
    up out of it pass the colour flash check ("the frame before comes back") though nothing does.
    A fade's last step into black is no such jump (its frame before has lost most contrast already).
    """
    contrast_lost = np.r_[np.float32(0.0), -np.diff(s.spread)]  # spread[i - 1] - spread[i]
    return np.asarray(
        _black_by_measure(s) & (contrast_lost >= DIP_RISE) & (s.skip_grid >= FLASH_RETURN_SHARE * s.d_grid),
        dtype=bool,
    )


def _inside_flash(s: SignalArrays, i: int) -> bool:
    """Frame ``i``'s jump lies between a flash's first and last jumps (FLASH_INSIDE_RETURN_SHARE)."""
    d, g, n, share = s.d_hist, s.d_grid, len(s.d_hist), FLASH_INSIDE_RETURN_SHARE

    def starts(j: int) -> bool:  # the frame before j comes back
        return bool(d[j] >= CUT_MIN and s.skip[j] <= share * d[j] and s.skip_grid[j] <= share * g[j])

    def ends(j: int) -> bool:  # frame j was there before the flash
        return bool(d[j] >= CUT_MIN and s.back[j] <= share * d[j] and s.back_grid[j] <= share * g[j])

    return any(
        starts(i - before) and ends(i + after)
        for before in range(1, SKIP)
        for after in range(1, SKIP - before + 1)
        if i - before >= 0 and i + after < n
    )


def montage_cuts(s: SignalArrays) -> list[int]:
    """Frames cutting between shots of a few frames each (see MONTAGE_MIN_HIST)."""
    h, g, n = s.d_hist, s.d_grid, len(s.d_hist)
    if n < 3:
        return []
    i = np.arange(1, n - 1)
    share = FLASH_RETURN_SHARE
    spikes = i[
        (h[i] >= MONTAGE_MIN_HIST)
        & (g[i] >= MONTAGE_MIN_GRID)
        & (h[i] >= MONTAGE_STANDOUT * np.maximum(h[i - 1], h[i + 1]))
        & (g[i] >= MONTAGE_STANDOUT * np.maximum(g[i - 1], g[i + 1]))
        & (np.minimum(s.d_pix[i - 1], s.d_pix[i + 1]) > MONTAGE_MIN_MOVING)
        & ~((s.skip[i] < share * h[i]) & (s.skip_grid[i] < share * g[i]))
        & ~((s.back[i] < share * h[i]) & (s.back_grid[i] < share * g[i]))
    ]
    return [int(f) for f in spikes if np.count_nonzero(np.abs(spikes - f) <= MONTAGE_REACH) >= MONTAGE_MIN_CUTS]


def _scheduled_keyframes(key: F32) -> set[int]:
    """Keyframes that follow the previous one by the interval the encoder repeats (see POP_MIN_GOP)."""
    keys = np.flatnonzero(key)
    gaps = np.diff(keys)
    gaps = gaps[gaps >= POP_MIN_GOP]
    if not gaps.size:
        return set()
    values, counts = np.unique(gaps, return_counts=True)
    if counts.max() < POP_MIN_REPEATS:
        return set()
    gop = int(values[np.argmax(counts)])
    return {int(k) for k, prev in zip(keys[1:], keys[:-1], strict=True) if k - prev == gop}


def _keyframe_pop(s: SignalArrays, i: int) -> bool:
    """Frame ``i``'s pixels and layout change no more than on the frames each side of it do.

    Each side apart: a cut from a still shot into a moving one changes no more than the moving
    side, but far more than the still side; a pop sits in one shot, as calm as both sides.
    """
    lo, hi = max(1, i - NEIGHBOURHOOD), min(len(s.d_pix), i + NEIGHBOURHOOD + 1)
    for x, standout in ((s.d_pix, POP_PIXEL_STANDOUT), (s.d_grid, POP_GRID_STANDOUT)):
        for side in (x[lo : max(lo, i - 1)], x[min(hi, i + 2) : hi]):
            if not side.size or float(x[i]) >= standout * float(np.median(side)):
                return False
    return True


def _short_shot(a: int, b: int, s: SignalArrays) -> bool:
    """The frames between jumps ``a`` and ``b`` are a shot of their own: the jumps stand out above
    them (above every one, or above the median one where both jumps are strong: flashes inside)."""
    between = s.d_pix[a + 1 : b]
    if between.size < SHORT_SHOT_MIN_FRAMES:
        return False  # one frame between: the middle of a 2-frame dissolve as often as a 1-frame shot
    ends = min(float(s.d_pix[a]), float(s.d_pix[b]))
    if ends > JOIN_CUT_STANDOUT * float(between.max()):
        return True
    return bool(
        between.size >= SHORT_SHOT_MEDIAN_FRAMES
        and min(float(s.d_hist[a]), float(s.d_hist[b])) >= SHORT_SHOT_STRONG
        and ends > JOIN_CUT_STANDOUT * float(np.median(between))
    )


def _flat_between(a: int, b: int, spread: F32) -> bool:
    """Only one or two flat frames (white, black) sit between jumps ``a`` and ``b``: a cut into a flash
    of white and out of it into another shot is one transition, as a dip through black is; a
    longer hold is a segment of its own (BLACK_MIN_FRAMES)."""
    between = spread[a + 1 : b]
    return 0 < between.size < BLACK_MIN_FRAMES and float(between.max()) <= DIP_FLAT_SPREAD


def _mixed_between(a: int, b: int, mixing: np.ndarray) -> bool:
    """One to HELD_MIX_MAX_FRAMES frames sit between jumps ``a`` and ``b``, all mixing the pictures
    around them (from ``a``'s picture to the last before ``b``): a fast dissolve with held frames."""
    return 1 < b - a <= HELD_MIX_MAX_FRAMES + 1 and bool(mixing[a:b].all())


def _group_fast_transitions(cuts: list[Transition], s: SignalArrays, montage: set[int]) -> list[Transition]:
    """Jumps a few frames apart with change on every frame between are one fast dissolve or fade;
    a ``montage`` cut is a cut of its own (the frames between are shots, not mixes)."""
    d = s.d_hist
    mixing = _mixing(s, MIX_MIN_DIST)
    grouped: list[Transition] = []
    group: list[Transition] = []
    for cut in cuts:
        if (
            group
            and cut.frame not in montage
            and group[-1].frame not in montage
            and (
                _flat_between(group[-1].frame, cut.frame, s.spread)
                or _mixed_between(group[-1].frame, cut.frame, mixing)
                or (
                    cut.frame - group[-1].frame <= FAST_SPAN
                    and float(d[group[-1].frame + 1 : cut.frame].min(initial=1.0)) >= FAST_MIN_CHANGE
                    and not _short_shot(group[-1].frame, cut.frame, s)
                )
            )
        ):
            group.append(cut)
            continue
        if group:
            grouped.append(_as_one(group))
        group = [cut]
    if group:
        grouped.append(_as_one(group))
    return grouped


def _as_one(group: list[Transition]) -> Transition:
    if len(group) == 1:
        return group[0]
    first, last = group[0].frame, group[-1].frame
    confidence = max(t.confidence for t in group)
    return Transition((first + last + 1) // 2, "gradual", confidence, first, last - 1)


def changed_near(known: list[Transition], n: int, margin: int) -> np.ndarray:
    """Frames within ``margin`` of a frame a ``known`` transition changes (see Transition.changed)."""
    mask = np.zeros(n, dtype=bool)
    for t in known:
        first, last = t.changed
        mask[max(0, first - margin) : last + margin + 1] = True
    return mask


def find_mixes(s: SignalArrays, known: list[Transition], fps: float) -> list[Transition]:
    """Dissolves between pictures of one tone, which no histogram sees: runs of frames that are the
    average of the frames MIX_STEP before and after them, those two far apart, away from ``known``;
    slow ones (see SLOW_MIX_MIN_DIST) at the lowest confidence."""
    blocked = changed_near(known, len(s.mix_dist), MIX_BLOCK)
    mixing = _mixing(s, MIX_MIN_DIST)
    found = [
        Transition((a + b + 1) // 2, "gradual", min(MIX_MAX_CONFIDENCE, _scale(peak, MIX_MIN_DIST, MIX_SURE)), a, b)
        for a, b, peak in _mix_runs(s, mixing, blocked, MIX_MIN_FRAMES)
    ]
    slow_frames = max(MIX_MIN_FRAMES, round(fps * SLOW_MIX_MIN_SECONDS))
    found += [
        Transition((a + b + 1) // 2, "gradual", SLOW_MIX_CONFIDENCE, a, b)
        for a, b, _ in _mix_runs(s, _mixing(s, SLOW_MIX_MIN_DIST), blocked, slow_frames)
        if not mixing[a : b + 1].any()  # a faster mix inside it is reported (or refused) above
        and _pictures_around(s, a, b)
    ]
    return sorted(found, key=lambda t: t.frame)


def _pictures_around(s: SignalArrays, a: int, b: int) -> bool:
    """The frames a mix of frames ``a``-``b`` blends (MIX_STEP before and after it) both hold a
    picture: from or into a flat frame it is a fade, which the dip and hold-fade passes own (a logo
    brightening out of black inside one shot mixes as slowly)."""
    before, after = max(0, a - MIX_STEP), min(len(s.spread) - 1, b + MIX_STEP)
    return min(float(s.spread[before]), float(s.spread[after])) > DIP_FLAT_SPREAD


def _mixing(s: SignalArrays, min_dist: float) -> np.ndarray:
    """Frames that mix the frames MIX_STEP each side of them, those at least ``min_dist`` apart."""
    return (s.mix_dist >= min_dist) & (s.mix_res <= MIX_MAX_RES * s.mix_dist) & (s.mix_cover >= MIX_MIN_COVER)


def _mix_runs(
    s: SignalArrays, mixing: np.ndarray, blocked: np.ndarray, min_frames: int
) -> list[tuple[int, int, float]]:
    """Runs of ``mixing`` frames away from ``blocked`` ones, with their largest distance."""
    n = len(mixing)
    out: list[tuple[int, int, float]] = []
    for a, b in runs(mixing & ~blocked, min_frames):
        if (a > 0 and blocked[a - 1]) or (b + 1 < n and blocked[b + 1]):
            continue  # the tail of a known transition
        out.append((a, b, float(s.mix_dist[a : b + 1].max())))
    return out


def find_graduals(s: SignalArrays, cuts: list[Transition]) -> list[Transition]:
    """Dissolves, fades and wipes: regions where the two ends of a window differ and no cut explains it.

    Two window lengths: WINDOW frames each side for transitions up to about a second, then
    LONG_WINDOW for slower ones, looked for only where neither a cut nor a shorter gradual is.
    """
    short = _windowed_graduals(s, s.wide, cuts, WINDOW, GRADUAL_MIN_FRAMES, whole_spans=False)
    slow = [
        t
        for t in _windowed_graduals(
            s, s.wide_long, [*cuts, *short], LONG_WINDOW, SLOW_GRADUAL_MIN_FRAMES, whole_spans=True
        )
        if float(np.median(s.d_pix[t.start : t.end + 1])) <= SLOW_GRADUAL_MAX_PIXEL_CHANGE
    ]
    mixing = _mixing(s, MIX_MIN_DIST)
    return sorted((part for t in [*short, *slow] for part in _split_on_mixes(t, s, mixing)), key=lambda t: t.frame)


def _split_on_mixes(t: Transition, s: SignalArrays, mixing: np.ndarray) -> list[Transition]:
    """``t``, or one gradual per run of mixing frames where its window saw several dissolves (see
    CHAIN_QUIET)."""
    lo, hi = max(0, t.start - WINDOW), min(len(mixing) - 1, t.end + WINDOW)
    found = [(lo + a, lo + b) for a, b in runs(mixing[lo : hi + 1], MIX_MIN_FRAMES)]
    apart = all(
        b - a - 1 >= CHAIN_MIN_GAP and float(np.median(s.d_hist[a + 1 : b])) < CHAIN_QUIET
        for (_, a), (b, _) in pairwise(found)
    )
    if len(found) < 2 or not apart:
        return [t]
    return [Transition((a + b + 1) // 2, "gradual", t.confidence, a, b) for a, b in found]


def _windowed_graduals(
    s: SignalArrays, wide: F32, known: list[Transition], window: int, min_frames: int, *, whole_spans: bool
) -> list[Transition]:
    """Gradual transitions seen by one windowed distance ``wide`` (``window`` frames each side).

    Near a known transition the window sees that one: its frame (and with ``whole_spans`` its
    mixed frames) plus a window either side is left alone.
    """
    n = len(wide)
    reach = window + ENDS
    blocked = np.zeros(n, dtype=bool)
    for c in known:
        first, last = c.changed if whole_spans else (c.frame, c.frame)
        blocked[max(0, first - reach) : min(n, last + reach)] = True
    above = (wide >= GRADUAL_MIN) & ~blocked
    # A real transition keeps the windowed distance high for several frames; regions closer
    # than half a window belong to the same transition (e.g. a dip to black).
    regions: list[list[int]] = []
    for a, b in runs(above, min_frames):
        if regions and a - regions[-1][1] <= window // 2:
            regions[-1][1] = b
        else:
            regions.append([a, b])
    graduals: list[Transition] = []
    for i, j in regions:
        # A short region that runs into a known transition's neighbourhood is that transition's tail.
        if ((i > 0 and blocked[i - 1]) or (j + 1 < n and blocked[j + 1])) and j - i + 1 < window:
            continue
        peak = float(wide[i : j + 1].max())
        # The span where the distance is at least half its peak approximates the mixed frames.
        lo, hi = i, j
        while lo > 0 and wide[lo - 1] >= GRADUAL_SPAN_SHARE * peak and not blocked[lo - 1]:
            lo -= 1
        while hi + 1 < n and wide[hi + 1] >= GRADUAL_SPAN_SHARE * peak and not blocked[hi + 1]:
            hi += 1
        if float(np.mean(s.d_hist[lo : hi + 1] >= GRADUAL_MOVING)) < GRADUAL_MOVING_SHARE:
            continue
        centre = round((lo + hi) / 2)
        # Where frames in the span mix the pictures around them (the mix signal), the transition is
        # there: the window's span also covers motion before or after it.
        apart = s.mix_dist[lo : hi + 1]
        far = apart >= max(MIX_PLACE_DIST, MIX_PLACE_SHARE * float(apart.max()))
        off = np.where(far, s.mix_res[lo : hi + 1] / np.maximum(apart, 1e-6), np.inf)
        if float(off.min()) <= MIX_MAX_RES:
            centre = lo + int(np.argmin(off))
        graduals.append(Transition(centre, "gradual", _scale(peak, GRADUAL_MIN, GRADUAL_SURE), lo, hi))
    return graduals


def find_dips(s: SignalArrays, fps: float) -> list[Transition]:
    """Fades through a flat frame (black, white) with no hold: a boundary at the bottom of the dip.

    The picture must change on most frames on the way down and on the way up (a flash jumps
    in one frame and is not a dip), and the flat stretch must be shorter than a BlackFrames
    segment (a hold is a segment of its own, bounded by its own transitions).
    """
    spread, d = s.spread, s.d_hist
    n = len(spread)
    hold = black_run_frames(fps)
    reach = max(DIP_MIN_REACH, round(fps * DIP_REACH_SECONDS))
    side = max(2, reach // 2)  # frames each side of the bottom that must be fading
    dips: list[Transition] = []
    held = _held(s, hold)
    for a, b in runs(spread <= DIP_FLAT_SPREAD, 1):
        if held[a : b + 1].any() or a < side or b + side >= n:
            continue
        bottom = float(spread[a : b + 1].min())
        if float(spread[max(0, a - reach) : a].max()) < bottom + DIP_RISE:
            continue
        if float(spread[b + 1 : b + 1 + reach].max()) < bottom + DIP_RISE:
            continue
        down, up = d[a - side + 1 : a + 1], d[b + 1 : b + 1 + side]
        fading = bool(np.mean(down >= CHANGING) >= CHANGING_FRACTION and np.mean(up >= CHANGING) >= CHANGING_FRACTION)
        fast_down, fast_up = d[max(0, a - DIP_FAST_SIDE + 1) : a + 1], d[b + 1 : b + 1 + DIP_FAST_SIDE]
        fading = fading or bool(
            fast_down.size == fast_up.size == DIP_FAST_SIDE
            and (fast_down >= CHANGING).all()
            and (fast_up >= CHANGING).all()
        )
        if not (fading or _slow_fade(spread, a, b, reach)):
            continue
        start, end = a, b
        while start > 1 and a - start < reach and d[start] >= CHANGING:
            start -= 1
        while end + 1 < n - 1 and end - b < reach and d[end + 1] >= CHANGING:
            end += 1
        strength = float(min(np.mean(down), np.mean(up)))
        dips.append(Transition(b + 1, "gradual", _scale(strength, CHANGING, DIP_SURE), start, end))
    return dips


def find_hold_fades(s: SignalArrays, fps: float, known: list[Transition]) -> list[Transition]:
    """Fades into and out of a hold (black, white) that no cut or dip in ``known`` explains.

    A dark shot or a title card on black fading to a black hold changes the histogram little,
    frame by frame and between the ends of a window: most of its pixels are near black before
    and after. But its contrast sinks steadily to flat, which motion never does for a second.

    A hold shorter than a BlackFrames segment counts only when a transition enters it on its
    other side too (a cut to black, four black frames, a fade in; or a slow fade out and in):
    a short flat run with nothing on its other side is the black a title is drawn onto.
    """
    n = len(s.spread)
    reach = max(DIP_MIN_REACH, round(fps * HOLD_FADE_MAX_SECONDS))
    changed = changed_near(known, n, 0)
    seen = changed_near(known, n, SAME_BOUNDARY_FRAMES)
    segment = black_run_frames(fps)
    fades: list[Transition] = []
    for a, b in runs(_held(s, BLACK_MIN_FRAMES, HOLD_FADE_FLAT), 1):
        if HOLD_DARK_LUMA < float(s.luma[a : b + 1].mean()) < HOLD_WHITE_LUMA:
            continue  # a flat grey or coloured picture gaining texture is no fade
        sides = {step: _fading_span(s.spread, edge, step, reach, changed) for edge, step in ((a, -1), (b, 1))}
        for step, fade in sides.items():
            if fade is None:
                continue
            # The other side's transition: a known one ending on the hold's first frame or starting
            # after its last, or a fade of its own (one dip, unless the black between them is frozen).
            other = changed[max(0, a - 1) : a + 1] if step > 0 else changed[b + 1 : b + 2]
            if b - a + 1 < segment and not other.any() and sides[-step] is None:
                continue
            lo, hi, rise = fade
            # Known from the fade's near end (not across the hold: that is the other side's
            # transition) to a window beyond its far end (a fade whose end jumps like a cut was
            # seen as that cut), unless the picture pauses first: it is that transition.
            beyond = _before_pause(s.d_hist, lo - 1 if step < 0 else hi + 1, step, WINDOW + SAME_BOUNDARY_FRAMES)
            first, last = (lo - beyond, hi) if step < 0 else (lo, hi + beyond)
            if seen[max(0, first) : last + 1].any():
                continue
            confidence = _scale(rise, HOLD_FADE_RISE, HOLD_FADE_SURE)
            fades.append(Transition((lo + hi + 1) // 2, "gradual", confidence, lo, hi))
    return fades


def _before_pause(d: F32, start: int, step: int, limit: int) -> int:
    """How many frames from ``start`` (walking by ``step``, at most ``limit``) come before the picture
    pauses (HOLD_FADE_PAUSE frames changing less than CHANGING)."""
    still = 0
    for k in range(limit):
        i = start + k * step
        if not 0 <= i < len(d):
            return k
        still = still + 1 if d[i] < CHANGING else 0
        if still == HOLD_FADE_PAUSE:
            return k + 1 - HOLD_FADE_PAUSE
    return limit


def _fading_span(spread: F32, edge: int, step: int, reach: int, cuts: np.ndarray) -> tuple[int, int, float] | None:
    """The frames beside hold frame ``edge`` (before it: ``step`` -1, after it: 1) whose contrast
    climbs steadily away from the hold, up to where it levels off, and how far it climbs; None
    when that is less than HOLD_FADE_RISE. The fade ends at the latest at a boundary already found
    (``cuts``: frames a known transition changes): the next shot's contrast is not the fade's."""

    def same_shot(k: int) -> bool:  # frame k + step belongs to frame k's shot
        return not cuts[k + 1] if step > 0 else not cuts[k]

    k = edge + step
    while (
        0 < k < len(spread) - 1
        and abs(k - edge) < reach
        and spread[k + step] >= spread[k] - FADE_SLACK
        and same_shot(k)
    ):
        k += step
    near, far = sorted((edge + step, k))
    away = spread[near : far + 1] if step > 0 else spread[near : far + 1][::-1]  # nearest the hold first
    if not away.size:
        return None  # the hold touches the window's edge: no frame beside it to fade
    # The fade reaches the shot at the first frame near the top contrast (FADE_TOP_SHARE): that
    # frame and the still or creeping ones beyond it are the shot's, not the fade's.
    near_top = max(FADE_SLACK, FADE_TOP_SHARE * (float(away.max()) - float(spread[edge])))
    top = int(np.argmax(away >= float(away.max()) - near_top))
    # ...and on past it while the contrast still climbs at half the fade's pace (a linear fade's
    # last tenth is fading too; a creep is not).
    while top + 1 < away.size and away[top + 1] - away[top] >= FADE_KNEE * (away[top] - spread[edge]) / (top + 1):
        top += 1
    rise = float(away[top] - spread[edge])
    climb = np.diff(np.r_[spread[edge], away[:top]])
    if top < HOLD_FADE_MIN_FRAMES or float(np.mean(climb >= 0)) < FADE_MONOTONIC or rise < HOLD_FADE_RISE:
        return None
    return (edge - top, edge - 1, rise) if step < 0 else (edge + 1, edge + top, rise)


def _slow_fade(spread: F32, a: int, b: int, side: int) -> bool:
    """The picture's contrast sinks steadily into the flat run ``a..b`` and rises steadily out of it.

    A slow fade (2-3 s) changes each frame too little for the per-frame change test, but a fade is
    the one thing that flattens and restores the whole picture monotonically; motion makes the
    spread wander up and down, a flash jumps in one frame.
    """
    if a < side:
        return False  # the run starts too early for a fade down to be seen
    down = np.diff(spread[a - side : a + 1])
    up = np.diff(spread[b : b + side + 1])
    return bool(
        up.size
        and np.mean(down < 0) >= FADE_MONOTONIC
        and np.mean(up > 0) >= FADE_MONOTONIC
        and -down.sum() >= DIP_RISE
        and up.sum() >= DIP_RISE
        and -down.min() <= SLOW_FADE_MAX_STEP_SHARE * -down.sum()  # steady, not a blink
        and up.max() <= SLOW_FADE_MAX_STEP_SHARE * up.sum()
    )


def join_transitions(transitions: list[Transition], s: SignalArrays, fps: float) -> list[Transition]:
    """Join boundaries that belong to one transition.

    A fade-out straight into a fade-in (no hold long enough to be a segment) and a dissolve or
    fade reported at both ends (its first frame jumps like a cut, then it keeps mixing) each
    become one gradual transition.
    """
    spread, d = s.spread, s.d_hist
    max_gap = min(DIP_MAX_FRAMES, round(fps * DIP_MAX_SECONDS))
    black = _black_hold(s, BLACK_MIN_FRAMES)  # 1.28: 3 black frames are a shot, as in the truth
    held = _flat_still(s, BLACK_MIN_FRAMES, BLACK_MAX_SPREAD) | black  # _held, the black runs found once
    white = runs(_flat_still(s, BLACK_MIN_FRAMES, BLACK_HOLD_SPREAD) & (s.luma >= HOLD_WHITE_LUMA), BLACK_MIN_FRAMES)
    ordered = sorted(transitions, key=lambda t: t.frame)
    montage = set(montage_cuts(s))
    out: list[Transition] = []
    for t in ordered:
        prev = out[-1] if out else None
        if prev is not None and t.frame - prev.frame >= SAME_BOUNDARY_FRAMES and {prev.frame, t.frame} & montage:
            # A montage cut is a cut of its own (as in _group_fast_transitions): the moving pictures
            # after it are shots, not one transition's mixed frames.
            out.append(t)
            continue
        if prev is not None and t.frame - prev.frame < SAME_BOUNDARY_FRAMES:
            # Two detectors saw the same boundary: keep one, the more confident.
            out[-1] = max(prev, t, key=lambda x: x.confidence)
            continue
        if prev is not None and prev.kind == t.kind == "gradual" and _one_gradual(prev, t, s, black):
            # A slow dissolve or fade seen as two: their mixed spans (nearly) touch, no shot between.
            start, end = prev.start, max(prev.end, t.end)
            out[-1] = Transition((start + end + 1) // 2, "gradual", max(prev.confidence, t.confidence), start, end)
            continue
        if prev is not None and t.frame - prev.frame <= max_gap:
            middle = spread[prev.frame : t.frame]
            if held[prev.frame : t.frame].any():
                white_end = _white_hold_between(prev, t, white)
                if white_end is not None:  # a dip through white: one transition
                    confidence = max(prev.confidence, t.confidence)
                    start, end = min(prev.start, prev.frame), max(t.end, t.frame - 1)
                    out[-1] = Transition(white_end + 1, "gradual", confidence, start, end)
                    continue
                out.append(t)  # a hold of flat frames (black, other flat pictures) is a segment of its own
                continue
            low = int(np.argmin(middle))
            bottom = float(middle[low])
            if (
                bottom <= DIP_FLAT_SPREAD
                and float(middle[0]) >= bottom + DIP_RISE
                and float(middle[-1]) >= bottom + DIP_RISE
                and np.mean(d[prev.frame : t.frame + 1] >= FAST_MIN_CHANGE) >= DIP_CHANGING_SHARE
            ):
                confidence = max(prev.confidence, t.confidence)
                out[-1] = Transition(prev.frame + low, "gradual", confidence, prev.start, t.end)
                continue
            if prev.kind == t.kind == "cut" and not _blends_between(prev, t, s):
                out.append(t)  # moving pictures between two cuts that mix neither side: a short shot
                continue
            between = d[prev.frame + 1 : t.frame]
            # A cut after a pause (the transition before it has finished: a short shot sits between).
            before = d[max(prev.frame + 1, t.frame - PAUSE_FRAMES) : t.frame]
            paused = t.kind == "cut" and before.size == PAUSE_FRAMES and float(before.max()) < CHANGING
            if (
                between.size
                and not paused
                and not _frozen_between(prev, t, s)
                and float(np.mean(between >= CHANGING)) >= CHANGING_FRACTION
                and not _bounds_a_shot(prev, t, s, fps)
            ):
                changing = np.flatnonzero(d[prev.frame : t.frame + 1] >= CHANGING)
                last = prev.frame + int(changing[-1]) if changing.size else t.frame
                frame = max(prev.frame + 1, min(t.frame, (prev.frame + last + 1) // 2))
                confidence = max(prev.confidence, t.confidence)
                out[-1] = Transition(frame, "gradual", confidence, min(prev.start, prev.frame), max(t.end, t.frame - 1))
                continue
        out.append(t)
    return out


def _white_hold_between(prev: Transition, t: Transition, white: list[tuple[int, int]]) -> int | None:
    """The last frame of a ``white`` hold that ``prev`` ends on and ``t`` starts from (each within
    SAME_BOUNDARY_FRAMES), None if there is none: the frames between are that hold alone."""
    last, first = prev.changed[1], t.changed[0]
    for a, b in white:
        if abs(last - a) <= SAME_BOUNDARY_FRAMES and abs(first - (b + 1)) <= SAME_BOUNDARY_FRAMES:
            return b
    return None


def _blends_between(prev: Transition, t: Transition, s: SignalArrays) -> bool:
    """The frames from ``prev`` up to ``t`` mix the pictures around them (median MIX_MIN_COVER of
    the blocks): a dissolve whose two ends both jump like cuts, not a short shot full of motion
    (1.30: a city montage's whip-joined shots of 6-14 frames were reported as one dissolve each).
    Unlike _mixed_between (a few held frames, every one a full mix) this looks at the cover only."""
    return bool(float(np.median(s.mix_cover[prev.frame : t.frame])) >= MIX_MIN_COVER)


def placed_on_jump(t: Transition, s: SignalArrays) -> Transition:
    """A gradual transition moved onto the one jump that dominates its frames, if one does (JUMP_PLACE_RATIO)."""
    if t.kind != "gradual":
        return t
    lo, hi = t.changed
    lo, hi = max(1, lo), min(len(s.d_hist) - 1, hi)
    jumps = s.d_hist[lo : hi + 1]
    if jumps.size < 2:
        return t
    top, second = np.sort(jumps)[::-1][:2]
    j = lo + int(np.argmax(jumps))
    if top >= CUT_MIN and top >= JUMP_PLACE_RATIO * second and s.skip[j] >= CUT_MIN:
        return replace(t, frame=j)
    return t


def rule_transitions(s: SignalArrays, fps: float) -> list[Transition]:
    """Every transition the rules find in one analysed window (frames relative to it)."""
    found = drop_non_transitions(rule_proposals(s, fps), s)
    return sorted(found + find_region_cuts(s, found), key=lambda t: t.frame)


def region_confidence(transitions: list[Transition], s: SignalArrays) -> list[Transition]:
    """The transitions, cuts where most of the picture cuts block by block scored at least
    REGION_SURE_CONFIDENCE (reported confidence only: no boundary is added or dropped)."""

    def sure(t: Transition) -> bool:
        around = s.region_share[max(0, t.frame - 1) : t.frame + 2]
        return t.kind == "cut" and around.size > 0 and float(around.max()) >= REGION_SURE_SHARE

    return [
        replace(t, confidence=REGION_SURE_CONFIDENCE) if sure(t) and t.confidence < REGION_SURE_CONFIDENCE else t
        for t in transitions
    ]


def find_region_cuts(s: SignalArrays, known: list[Transition]) -> list[Transition]:
    """Cuts of one region (a split screen's panel) over a still rest, away from ``known``."""
    frames = np.flatnonzero(
        (s.region_share >= REGION_MIN_SHARE)
        & (s.region_share <= REGION_MAX_SHARE)
        & (s.region_rest <= REGION_MAX_REST)
        & (s.region_joined >= REGION_MIN_JOINED)
    )
    candidates = [Transition(int(i), "cut", REGION_CONFIDENCE, int(i), int(i) - 1) for i in frames]
    return clear_of(known, candidates, len(s.region_share), SAME_BOUNDARY_FRAMES)


def clear_of(known: list[Transition], candidates: list[Transition], n: int, margin: int) -> list[Transition]:
    """The ``candidates``, in order, that fall more than ``margin`` frames from what ``known`` and
    the candidates already taken change (see changed_near): each boundary is reported once."""
    taken = changed_near(known, n, margin)
    kept: list[Transition] = []
    for t in candidates:
        if not taken[t.frame]:
            kept.append(t)
            taken |= changed_near([t], n, margin)
    return kept


def find_bursts(s: SignalArrays, known: list[Transition]) -> list[Transition]:
    """Whips and smears of a few frames between two still pictures, away from ``known`` (see BURST_QUIET)."""
    n = len(s.d_hist)
    quiet = (s.d_hist < BURST_QUIET) & (s.d_pix < BURST_QUIET_PIXELS)
    found = []
    for a, b in runs(~quiet, BURST_MIN_FRAMES):
        if b - a + 1 > BURST_MAX_FRAMES or a < BURST_STILL_BEFORE or b + BURST_STILL_AFTER >= n:
            continue
        if not (quiet[a - BURST_STILL_BEFORE : a].all() and quiet[b + 1 : b + 1 + BURST_STILL_AFTER].all()):
            continue
        if s.skip[a] < CUT_MIN or s.back[b] < CUT_MIN or float(s.d_pix[a : b + 1].max()) < BURST_MIN_MOVE:
            continue
        # The new picture's first frame is the burst's last: it jumps from the last smeared one.
        found.append(Transition(b, "gradual", BURST_CONFIDENCE, a, b - 1))
    return clear_of(known, found, n, SAME_BOUNDARY_FRAMES)


def rule_proposals(s: SignalArrays, fps: float) -> list[Transition]:
    """The rules' transitions before weak cuts in a burst are taken for flicker (drop_flicker): every
    mode's proposals (the rules', the hybrid's, the learned model's), gradual ones placed on a
    dominant jump (placed_on_jump)."""
    # Cuts, fade dips and fades into or out of a hold pin a boundary; the windowed gradual pass
    # looks only away from them (its windows would straddle a short hold and report the fade out,
    # the hold and the fade in as one transition, where the hold is a shot of its own).
    pinned = find_cuts(s) + find_dips(s, fps)
    pinned += find_hold_fades(s, fps, pinned)
    found = pinned + find_graduals(s, pinned)
    joined = join_transitions(found + find_mixes(s, found, fps), s, fps)
    return sorted((placed_on_jump(t, s) for t in joined + find_bursts(s, joined)), key=lambda t: t.frame)


def drop_flicker(transitions: list[Transition], s: SignalArrays) -> list[Transition]:
    """The transitions without weak cuts in a burst of cuts (see FLICKER_MAX_CONFIDENCE) and without
    cuts inside a flash (FLASH_INSIDE_RETURN_SHARE; they count as the burst's cuts all the same)."""
    cuts = np.array([t.frame for t in transitions if t.kind == "cut"])

    def flicker(t: Transition) -> bool:
        if t.kind != "cut" or t.confidence >= FLICKER_MAX_CONFIDENCE:
            return False
        if s.d_grid[t.frame] >= FLICKER_LAYOUT[0] and s.d_pix[t.frame] >= FLICKER_LAYOUT[1]:
            return False
        return int(np.count_nonzero(np.abs(cuts - t.frame) <= FLICKER_REACH)) - 1 >= FLICKER_MIN_OTHERS

    return [t for t in transitions if not flicker(t) and not (t.kind == "cut" and _inside_flash(s, t.frame))]


def drop_non_transitions(transitions: list[Transition], s: SignalArrays) -> list[Transition]:
    """The proposals the rules stand by: without flicker and flashes (drop_flicker), graphics popping
    up (drop_graphics) and camera moves (drop_camera_moves)."""
    return drop_camera_moves(drop_graphics(drop_flicker(transitions, s), s), s)


def drop_graphics(transitions: list[Transition], s: SignalArrays) -> list[Transition]:
    """The transitions without cuts that leave most of the picture as it was (see STILL_MAX_SHARE)."""
    return [t for t in transitions if not (t.kind == "cut" and s.still[t.frame] >= STILL_MAX_SHARE)]


def drop_camera_moves(transitions: list[Transition], s: SignalArrays) -> list[Transition]:
    """The transitions without long graduals that are a camera moving within one scene (see
    MOVING_GRADUAL_MIN_FRAMES)."""

    def camera_move(t: Transition) -> bool:
        a, b = min(t.start, t.end), max(t.start, t.end)
        if t.kind != "gradual" or b - a < MOVING_GRADUAL_MIN_FRAMES:
            return False
        span = slice(max(a, 1), b + 1)
        return (
            float(np.mean(s.mix_cover[span])) < MOVING_GRADUAL_MAX_COVER
            and float(np.mean(s.d_pix[span])) > MOVING_GRADUAL_MIN_CHANGE
            and float(np.mean(s.still[span])) < MOVING_GRADUAL_MAX_STILL
            and float(np.max(s.wide[span])) < MOVING_GRADUAL_MAX_WIDE
        )

    return [t for t in transitions if not camera_move(t)]


def drop_edge_fades(transitions: list[Transition], s: SignalArrays, *, opens: bool, closes: bool) -> list[Transition]:
    """The transitions without the fades that belong to the first or last shot.

    A video that fades in from its first frame, or out into its last, with no black hold before or
    after (fewer than BLACK_MIN_FRAMES flat frames: no black segment of its own), changes no
    shot there: the fade is the first shot's beginning or the last shot's end. The edge frame may
    be dim rather than flat (EDGE_FADE_MAX_SPREAD): a caption left on black, a dark picture. ``opens``: frame 0
    is the video's first; ``closes``: the last frame is the video's last.

    Likewise a cut into one or two black frames that close the video (fewer than BLACK_MIN_FRAMES:
    no black segment of its own) is the last shot's end, as a fade-out into them would be: no
    shot of one black frame. The labelled sets' measure of black (_black_by_measure) decides.

    A fade from or into white (1.33: an edge frame of mean luma >= HOLD_WHITE_LUMA) belongs to the
    shot too, a few white frames before (after) it being no segment (see _white_hold_between); its
    mean luma sinks as the contrast climbs.
    """
    n = len(s.spread)
    if not n:
        return transitions
    white_in, white_out = float(s.luma[0]) >= HOLD_WHITE_LUMA, float(s.luma[-1]) >= HOLD_WHITE_LUMA
    held = _held(s, BLACK_MIN_FRAMES, HOLD_FADE_FLAT) & (s.luma < HOLD_WHITE_LUMA)
    edge = WINDOW + ENDS  # the first (last) frame a windowed report can start (end) on
    fades_in = opens and not held[0] and float(s.spread[0]) <= EDGE_FADE_MAX_SPREAD
    fades_out = closes and not held[-1] and float(s.spread[-1]) <= EDGE_FADE_MAX_SPREAD
    black = _black_by_measure(s)
    out = []
    for t in transitions:
        if closes and t.kind == "cut" and n - BLACK_MIN_FRAMES < t.frame < n and black[t.frame :].all():
            continue
        if t.kind == "gradual":
            if fades_in and t.start <= edge and _steady(s, 0, min(t.end, n - 1), rising=True, white=white_in):
                continue
            if (
                fades_out
                and t.end >= n - 1 - edge
                and _steady(s, max(0, t.start), n - 1, rising=False, white=white_out)
            ):
                continue
        out.append(t)
    return out


def _steady(s: SignalArrays, a: int, b: int, *, rising: bool, white: bool = False) -> bool:
    """Contrast and mean luma climb (``rising``) or sink steadily over frames a..b, as in a fade
    (from or into ``white``: the mean luma moves the other way)."""
    sign = 1.0 if rising else -1.0
    spread, luma = np.diff(s.spread[a : b + 1]) * sign, np.diff(s.luma[a : b + 1]) * (-sign if white else sign)
    return bool(
        spread.size >= HOLD_FADE_MIN_FRAMES
        and float(np.mean(spread >= -FADE_SLACK)) >= FADE_MONOTONIC
        and float(np.mean(luma >= -FADE_SLACK)) >= FADE_MONOTONIC
        and float(spread.sum()) >= HOLD_FADE_RISE
    )


def calibrated(t: Transition) -> Transition:
    """A gradual transition's confidence on a scale that ends below the 95-100 band.

    How far a gradual clears its thresholds says little about whether it is right: on the labelled
    sets, graduals scored 50-69 were right 94 % of the time and those scored 95-100 92 %, while
    cuts scored 95-100 were right 99.7 %. A boundary in the top band should be that sure, so a
    gradual's 50-100 is mapped onto 50-GRADUAL_MAX_CONFIDENCE, order kept.
    """
    if t.kind != "gradual":
        return t
    return replace(t, confidence=50.0 + (t.confidence - 50.0) * (GRADUAL_MAX_CONFIDENCE - 50.0) / 50.0)


def _one_gradual(prev: Transition, t: Transition, s: SignalArrays, black: np.ndarray) -> bool:
    """Two gradual reports of one slow transition: their spans (nearly) touch, or the picture keeps
    changing on every frame between them (no shot, however short, sits there still), and no
    frozen picture sits between them (the black hold of a fade out and in), nor a ``black`` hold
    (_black_hold: since 1.28 the black frames a fade settles into count, frozen or not)."""
    if black[prev.end + 1 : t.start].any() or _frozen_between(prev, t, s):
        return False
    gap = t.start - prev.end
    if gap <= GRADUAL_JOIN_GAP:
        return True
    between = s.d_hist[prev.end + 1 : t.start]
    return gap <= 2 * WINDOW and between.size > 0 and float(between.min()) >= FAST_MIN_CHANGE


def _frozen_between(prev: Transition, t: Transition, s: SignalArrays) -> bool:
    """A picture frozen for BLACK_MIN_FRAMES between two boundaries: a shot of its own sits there
    (four black frames between a cut to black and a fade in), however much the rest changes."""
    a, b = prev.frame, t.frame
    frozen = (
        (s.d_pix[a + 1 : b] <= FROZEN_MAX_CHANGE)
        & (s.d_hist[a + 1 : b] < CHANGING)
        & ((np.abs(np.diff(s.spread[a:b])) <= FROZEN_MAX_SPREAD_STEP) | (s.spread[a + 1 : b] <= FROZEN_FLAT_SPREAD))
    )
    return bool(runs(frozen, BLACK_MIN_FRAMES))


def _bounds_a_shot(prev: Transition, t: Transition, s: SignalArrays, fps: float) -> bool:
    """Two boundaries with the picture changing between them that are not one transition: a cut at
    either end, too far apart, or two cuts standing out above the motion between them."""
    if "cut" not in (prev.kind, t.kind):
        return False
    if t.frame - prev.frame > fps * JOIN_CUT_MAX_SECONDS:
        return True
    if prev.kind != t.kind:
        return False
    inside = float(np.median(s.d_pix[prev.frame + 1 : t.frame]))
    return min(float(s.d_pix[prev.frame]), float(s.d_pix[t.frame])) > JOIN_CUT_STANDOUT * inside


def _held(s: SignalArrays, min_frames: int, max_spread: float = DIP_FLAT_SPREAD) -> np.ndarray:
    """Frames inside a hold: at least ``min_frames`` flat frames in a row whose mean luma stays put,
    or as many black ones at one level (_black_hold)."""
    return np.asarray(_flat_still(s, min_frames, max_spread) | _black_hold(s, min_frames), dtype=bool)


def _flat_still(s: SignalArrays, min_frames: int, max_spread: float) -> np.ndarray:
    """Frames in a run of at least ``min_frames`` flat frames whose mean luma stays put frame to frame."""
    still = np.abs(np.diff(s.luma, prepend=s.luma[:1])) <= HOLD_MAX_LUMA_STEP
    mask = np.zeros(len(s.luma), dtype=bool)
    for a, b in runs((s.spread <= max_spread) & still, min_frames):
        mask[a : b + 1] = True
    return mask


def _black_by_measure(s: SignalArrays) -> np.ndarray:
    """Frames black by the labelled sets' own measure (BLACK_HOLD_LUMA, BLACK_HOLD_SPREAD)."""
    return np.asarray((s.luma <= BLACK_HOLD_LUMA) & (s.spread <= BLACK_HOLD_SPREAD), dtype=bool)


def _black_hold(s: SignalArrays, min_frames: int) -> np.ndarray:
    """Frames in a run of at least ``min_frames`` black by the labelled sets' measure whose mean luma
    stays within BLACK_HOLD_LEVEL_BAND of the run's darkest (see BLACK_HOLD_LEVEL_BAND)."""
    mask = np.zeros(len(s.luma), dtype=bool)
    for a, b in runs(_black_by_measure(s), min_frames):
        luma = s.luma[a : b + 1]
        for c, d in runs(luma <= float(luma.min()) + BLACK_HOLD_LEVEL_BAND, min_frames):
            mask[a + c : a + d + 1] = True
    return mask


def black_run_frames(fps: float) -> int:
    """Shortest run of black frames that is a segment of its own; shorter ones are a transition's bottom."""
    return max(BLACK_MIN_FRAMES, round(fps * BLACK_MIN_SECONDS))


def runs(mask: np.ndarray, min_len: int) -> list[tuple[int, int]]:
    """Inclusive (start, end) of each run of True at least ``min_len`` long."""
    found: list[tuple[int, int]] = []
    padded = np.r_[False, mask, False].astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start >= min_len:
            found.append((int(start), int(stop - 1)))
    return found


def find_cues(s: SignalArrays, min_coverage: float, fps: float) -> list[CueRun]:
    """Cue runs (frames relative to the analysed window): BlackFrames, ColorBars, and candidates
    for EndCredits, Slate and StudioLogo that :func:`place_cues` keeps only where they can sit."""
    cues: list[CueRun] = []
    black = (s.black >= min_coverage / 100.0) & (s.spread <= BLACK_MAX_SPREAD) & (s.sat <= BLACK_MAX_SAT)
    # The bottom of a dip to black lasts a frame or two: that is a transition, not a black segment.
    for a, b in runs(black, black_run_frames(fps)):
        cues.append(CueRun("BlackFrames", a, b, _scale(float(s.black[a : b + 1].mean()), min_coverage / 100, 1.0)))
    bars = s.bars >= BARS_MIN
    for a, b in runs(bars, max(MIN_CUE_FRAMES, int(fps * BARS_MIN_SECONDS))):
        cues.append(CueRun("ColorBars", a, b, _scale(float(s.bars[a : b + 1].mean()), BARS_MIN, BARS_SURE)))
    credits = (
        (s.black >= CREDITS_MIN_DARK)
        & ~black
        & (s.edges >= CREDITS_MIN_EDGES)
        & (s.sat <= CREDITS_MAX_SAT)
        & (s.d_pix >= CREDITS_MIN_MOTION)
    )
    # Scrolling text can pause for a frame: close gaps of up to half a second.
    credits = _close_gaps(credits, int(fps * CREDITS_MAX_PAUSE_SECONDS))
    for a, b in runs(credits, int(fps * CREDITS_MIN_SECONDS)):
        cues.append(CueRun("EndCredits", a, b, CREDITS_CONFIDENCE))
    # Still means still over a few frames (animations can hold a frame, then jump), allowing the
    # small flicker an encoder's keyframe adds to a still picture.
    motion = _rolling(s.d_pix, CARD_STILL_FRAMES, np.median)
    spikes = _rolling(s.d_pix, CARD_STILL_FRAMES, np.max)
    card = (motion <= CARD_MAX_MOTION) & (spikes <= CARD_MAX_FLICKER) & (s.edges >= CARD_MIN_EDGES) & ~black & ~bars
    slate = card & (s.sat <= SLATE_MAX_SAT) & (s.edges >= SLATE_MIN_EDGES)
    for cue, mask in (("Slate", slate), ("StudioLogo", card & ~slate)):
        for a, b in runs(mask, max(MIN_CUE_FRAMES, round(fps * CARD_MIN_SECONDS))):
            stillness = 1.0 - float(motion[a : b + 1].mean()) / CARD_MAX_MOTION
            cues.append(CueRun(cue, a, b, 50.0 + CARD_CONFIDENCE_SPAN * float(np.clip(stillness, 0.0, 1.0))))
    return sorted(cues, key=lambda c: c.start)


def place_cues(cues: list[CueRun], first: int, last: int, fps: float) -> list[CueRun]:
    """Keep head-only and tail-only cues where they can be, given the whole analysed range."""
    total = last - first + 1
    head_cap = first + fps * HEAD_MAX_SECONDS
    kept = []
    for run in cues:
        if run.cue in HEAD_CUES and not (run.start < first + HEAD_CUES[run.cue] * total and run.start < head_cap):
            continue
        if run.cue in TAIL_CUES and run.start < first + TAIL_CUES[run.cue] * total:
            continue
        kept.append(run)
    return kept


def _rolling(x: F32, width: int, reduce: Callable[..., Any]) -> F32:
    """``reduce`` (np.max, np.median) over a centred window of ``width`` frames."""
    half = width // 2
    padded = np.pad(x, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    return np.asarray(reduce(windows, axis=1), dtype=np.float32)


def _close_gaps(mask: np.ndarray, gap: int) -> np.ndarray:
    """Fill runs of False no longer than ``gap`` that sit between two True runs."""
    out = mask.copy()
    for a, b in runs(~mask, 1):
        if b - a + 1 <= gap and a > 0 and b + 1 < len(mask):
            out[a : b + 1] = True
    return out
