"""Large exports: the API function may write them under their own prefix only, and they expire after a day."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from segments.settings import EXPORTS_PREFIX, UPLOAD_FOLDER


def _resources(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def _api_role_statements(template: Template) -> list[dict[str, Any]]:
    functions = _resources(template, "AWS::Lambda::Function")
    (api,) = [f for f in functions.values() if f["Properties"].get("Handler") == "segments.handlers.api.handler"]
    role = api["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in _resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_api_function_may_put_objects_under_the_exports_prefix_and_uploads_only(template: Template) -> None:
    puts = [s for s in _api_role_statements(template) if "s3:PutObject" in json.dumps(s["Action"])]
    resources = [json.dumps(s["Resource"]) for s in puts]
    assert any(f'/{EXPORTS_PREFIX}*"' in r for r in resources), "the API function cannot write large exports"
    assert all(f'/{EXPORTS_PREFIX}*"' in r or f'{UPLOAD_FOLDER}*"' in r for r in resources)
    assert all(s["Action"] == "s3:PutObject" for s in puts)  # nothing broader rides along


def test_large_exports_expire_after_a_day_with_their_old_versions(template: Template) -> None:
    bucket = next(
        b for b in _resources(template, "AWS::S3::Bucket").values() if "VersioningConfiguration" in b["Properties"]
    )
    rule = next(r for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"] if r.get("Id") == "exports")
    assert rule["Prefix"] == EXPORTS_PREFIX and rule["Status"] == "Enabled"
    assert rule["ExpirationInDays"] == 1 and rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1
