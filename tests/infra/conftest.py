"""Synthesize the stack once per session; every infra test reads the same template."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Template
from cdk_nag import AwsSolutionsChecks

from infra.config import CONTEXT_KEYS, load_settings
from infra.stack import SegmentPipelineStack

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


CDK_JSON = Path(__file__).resolve().parents[2] / "cdk.json"


_SYNTHESIZED: dict[str, tuple[cdk.Stack, Template]] = {}


def synth(overrides: dict[str, Any]) -> tuple[cdk.Stack, Template]:
    """The stack built from cdk.json's context plus ``overrides``, with cdk-nag applied, as app.py does.

    Synthesizing takes seconds, so each configuration is built once per session and shared (read-only).
    """
    key = json.dumps(overrides, sort_keys=True)
    if key not in _SYNTHESIZED:
        _SYNTHESIZED[key] = _synth(overrides)
    return _SYNTHESIZED[key]


def _synth(overrides: dict[str, Any]) -> tuple[cdk.Stack, Template]:
    context = {**json.loads(CDK_JSON.read_text())["context"], **overrides}
    app = cdk.App(context=context)
    settings = load_settings({key: app.node.try_get_context(key) for key in CONTEXT_KEYS})
    stack = SegmentPipelineStack(app, "SegmentPipeline", settings=settings)
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    template = Template.from_stack(stack)
    return stack, template


@pytest.fixture(scope="session")
def synthesized() -> tuple[cdk.Stack, Template]:
    return synth({})


@pytest.fixture(scope="session")
def template(synthesized: tuple[cdk.Stack, Template]) -> Template:
    return synthesized[1]


@pytest.fixture(scope="session")
def annotations(synthesized: tuple[cdk.Stack, Template]) -> Annotations:
    return Annotations.from_stack(synthesized[0])
