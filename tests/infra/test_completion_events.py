"""Completion events: the functions that finish jobs may put events on the default bus, and nowhere else."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _put_events_statements(template: Template) -> list[tuple[str, dict[str, Any]]]:
    return [
        (json.dumps(policy["Properties"]["Roles"]), statement)
        for policy in template.find_resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(str(a).startswith("events:") for a in _as_list(statement["Action"]))
    ]


def test_put_events_is_granted_on_the_default_bus_only(template: Template) -> None:
    statements = _put_events_statements(template)
    assert statements
    for _, statement in statements:
        assert _as_list(statement["Action"]) == ["events:PutEvents"]
        (resource,) = _as_list(statement["Resource"])
        text = json.dumps(resource)
        assert text.endswith(':event-bus/default"]]}') and '"*"' not in text, text
        assert '"AWS::Region"' in text and '"AWS::AccountId"' in text


def test_every_function_that_finishes_jobs_or_fails_videos_can_announce_them(template: Template) -> None:
    roles = " ".join(roles for roles, _ in _put_events_statements(template))
    # Start fails videos before any job (not a video, no slot within its retry budget).
    for function in ("Collect", "Sweep", "DeadLetter", "Fallback", "Start"):
        assert function in roles, (function, roles)
