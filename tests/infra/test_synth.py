"""The app synthesizes offline, without Docker, and the template passes cfn-lint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_app_py_synthesizes_offline_with_context_overrides_and_passes_cfn_lint(tmp_path: Path) -> None:
    env = {**os.environ, "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1", "CDK_OUTDIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env={**env, "CDK_CONTEXT_JSON": json.dumps({"videoPrefix": "incoming/", "shotMinConfidence": 75})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    template_path = tmp_path / "SegmentPipeline.template.json"
    template = json.loads(template_path.read_text())
    start = next(
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler") == "segments.handlers.start.handler"
    )
    env_vars = start["Properties"]["Environment"]["Variables"]
    assert env_vars["VIDEO_PREFIX"] == "incoming/"
    assert json.loads(env_vars["FILTERS"])["ShotFilter"]["MinSegmentConfidence"] == 75
    # W3005: CDK writes explicit DependsOn next to GetAtt on purpose (ordering of policies).
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--ignore-checks", "W3005", "--", str(template_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout[-4000:]


def test_invalid_context_fails_synth_with_a_clear_message(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
        "CDK_OUTDIR": str(tmp_path),
        "CDK_CONTEXT_JSON": json.dumps({"shotMinConfidence": 10}),
    }
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode != 0
    assert "shotMinConfidence" in result.stderr and "between 50 and 100" in result.stderr
