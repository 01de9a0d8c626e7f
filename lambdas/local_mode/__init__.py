"""Local mode: the whole pipeline on one machine, driven by unmodified boto3 (no AWS account)."""
