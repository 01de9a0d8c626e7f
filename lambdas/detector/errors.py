"""Typed errors for inputs the detector cannot analyse; each message is one clear line."""

from __future__ import annotations


class VideoError(Exception):
    """Base class: the input cannot be analysed as a video."""


class UnreadableVideoError(VideoError):
    """The file is not a media file ffmpeg can read, or it is corrupt or truncated."""


class NoVideoStreamError(VideoError):
    """The file has no video stream (audio-only, subtitles, data)."""
