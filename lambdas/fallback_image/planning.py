"""Split a video into time chunks a single Lambda invocation finishes (pure)."""

from __future__ import annotations


def plan_chunks(duration_ms: int, chunk_seconds: int) -> list[dict[str, int]]:
    """Consecutive [startMs, endMs) windows of ``chunk_seconds`` covering ``duration_ms``; at least one."""
    if chunk_seconds <= 0:
        raise ValueError("chunk_seconds must be positive")
    size = chunk_seconds * 1000
    duration = max(1, duration_ms)
    chunks = []
    for index, start in enumerate(range(0, duration, size)):
        chunks.append({"index": index, "startMs": start, "endMs": min(duration, start + size)})
    # A short tail (under a quarter chunk) joins the previous chunk instead of paying a cold start.
    if len(chunks) > 1 and chunks[-1]["endMs"] - chunks[-1]["startMs"] < size // 4:
        tail = chunks.pop()
        chunks[-1]["endMs"] = tail["endMs"]
    return chunks
