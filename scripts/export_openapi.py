"""Regenerate openapi.json from the read API's routes (``make openapi``); a test fails when they drift."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lambdas"))
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from segments.handlers.api import openapi_document  # noqa: E402

(ROOT / "openapi.json").write_text(json.dumps(json.loads(openapi_document()), indent=2) + "\n")
print("wrote openapi.json")
