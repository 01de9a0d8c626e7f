"""Frame rates, milliseconds and SMPTE timecodes, all derived from frame numbers.

This is the one place where frame numbers become time. Frame rates are exact
``Fraction`` values (29.97 is 30000/1001); floats only appear at the edges
(``FrameRate`` in ``VideoMetadata``).
"""

from __future__ import annotations

from fractions import Fraction

# Broadcast rates that are stored as floats by containers and by Rekognition's
# VideoMetadata.FrameRate; snapping restores the exact NTSC fraction.
_NTSC_RATES = (
    Fraction(24000, 1001),
    Fraction(30000, 1001),
    Fraction(60000, 1001),
    Fraction(48000, 1001),
    Fraction(120000, 1001),
)
_DROP_FRAME_RATES = (Fraction(30000, 1001), Fraction(60000, 1001))


def exact_rate(rate: float | str | Fraction) -> Fraction:
    """Return the exact frame rate (frames per second) for a float, "num/den" string or Fraction.

    Floats within 0.002 fps of an NTSC rate snap to it (29.97 -> 30000/1001);
    other floats are rounded to 1/1000 fps.
    """
    if isinstance(rate, Fraction):
        value = rate
    elif isinstance(rate, str) and "/" in rate:
        num, den = rate.split("/", 1)
        value = Fraction(int(num), int(den))
    else:
        value = Fraction(str(rate)) if isinstance(rate, str) else Fraction(rate)
    if value <= 0:
        raise ValueError(f"frame rate must be positive, got {rate!r}")
    for ntsc in _NTSC_RATES:
        if abs(value - ntsc) < Fraction(2, 1000):
            return ntsc
    if value.denominator > 1000:
        value = value.limit_denominator(1000)
    return value


def is_drop_frame(rate: Fraction) -> bool:
    """True for 29.97 and 59.94 fps, which use drop-frame SMPTE notation."""
    return rate in _DROP_FRAME_RATES


def timecode_base(rate: Fraction) -> int:
    """Nominal integer frames per second used to count SMPTE frames (30 for 29.97)."""
    return max(1, round(rate))


def frame_to_millis(frame: int, rate: Fraction) -> int:
    """Milliseconds from the start of the video to the start of ``frame``, rounded down."""
    if frame < 0:
        raise ValueError("frame numbers start at 0")
    return (frame * 1000 * rate.denominator) // rate.numerator


def millis_to_frame(millis: int, rate: Fraction) -> int:
    """Index of the frame shown at ``millis`` milliseconds (the frame whose span holds it)."""
    if millis < 0:
        raise ValueError("milliseconds start at 0")
    return (millis * rate.numerator) // (1000 * rate.denominator)


def frame_to_smpte(frame: int, rate: Fraction) -> str:
    """SMPTE timecode of frame number ``frame``: ``HH:MM:SS:FF``, or ``HH:MM:SS;FF`` drop-frame.

    Drop-frame (29.97, 59.94) skips frame labels 0 and 1 (0-3 at 59.94) at the
    start of every minute except each tenth minute, so frame 1800 at 29.97 is
    ``00:01:00;02``. Hours wrap at 24 as SMPTE does.
    """
    if frame < 0:
        raise ValueError("frame numbers start at 0")
    base = timecode_base(rate)
    if is_drop_frame(rate):
        drop = 2 * base // 30  # 2 labels at 29.97, 4 at 59.94
        per_10min = base * 600 - drop * 9
        per_min = base * 60 - drop
        tens, rem = divmod(frame, per_10min)
        label = frame + drop * 9 * tens
        if rem >= drop:
            label += drop * ((rem - drop) // per_min)
        sep = ";"
    else:
        label = frame
        sep = ":"
    ff = label % base
    total_seconds = label // base
    ss = total_seconds % 60
    mm = (total_seconds // 60) % 60
    hh = (total_seconds // 3600) % 24
    return f"{hh:02d}:{mm:02d}:{ss:02d}{sep}{ff:02d}"


def smpte_to_frame(code: str, rate: Fraction) -> int:
    """Frame number of a SMPTE timecode (inverse of :func:`frame_to_smpte` within 24 h)."""
    parts = code.replace(";", ":").split(":")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a SMPTE timecode: {code!r}")
    hh, mm, ss, ff = (int(p) for p in parts)
    base = timecode_base(rate)
    frame = ((hh * 60 + mm) * 60 + ss) * base + ff
    if is_drop_frame(rate):
        drop = 2 * base // 30
        total_minutes = hh * 60 + mm
        frame -= drop * (total_minutes - total_minutes // 10)
    return frame
