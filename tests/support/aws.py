"""Helpers that build AWS test fixtures the way the stack builds the real resources."""

from __future__ import annotations

from local_mode.resources import create_segments_table

__all__ = ["create_segments_table"]
