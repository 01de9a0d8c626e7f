#!/usr/bin/env python3
"""Builds the CDK app from infra/ — nothing else."""

import json
import os
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.config import CONTEXT_KEYS, load_settings
from infra.stack import SegmentPipelineStack

# `python app.py` without the CDK CLI must see the same settings and feature flags as
# `cdk synth`, so cdk.json's context is the base and the CLI's context (-c) overrides it.
context = json.loads((Path(__file__).parent / "cdk.json").read_text())["context"]
context.update(json.loads(os.environ.get("CDK_CONTEXT_JSON") or "{}"))
app = cdk.App(context=context)
settings = load_settings({key: app.node.try_get_context(key) for key in CONTEXT_KEYS})
SegmentPipelineStack(app, "SegmentPipeline", settings=settings)
cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
app.synth()
