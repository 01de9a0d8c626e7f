"""The container Lambda running the fallback detector: plan, detect a chunk, stitch, record failures."""
