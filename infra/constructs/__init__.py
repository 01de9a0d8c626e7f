"""One construct per component of the pipeline."""
