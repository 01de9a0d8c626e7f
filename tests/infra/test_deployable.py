"""Every documented configuration deploys, least privilege holds in each, and every video key is routed.

Each configuration is synthesized with cdk-nag, as `cdk deploy` would be: an unsuppressed finding stops it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Annotations, Match, Template

from segments.domain.events import is_video_key
from segments.settings import Settings as FunctionSettings
from tests.infra.conftest import synth

POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example"
CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "iam": {},
    "apiKey": {"apiAuth": "apiKey"},
    "cognito": {"apiAuth": "cognito", "cognitoUserPoolArn": POOL, "cognitoScopes": "segments/read"},
    "rekognition": {"detectionMode": "rekognition"},
    "fallback": {"detectionMode": "fallback"},
    "retainData=false": {"retainData": False},
    "apiGatewayCloudWatchRole=false": {"apiGatewayCloudWatchRole": False},
    "viewer": {"viewer": True, "apiAuth": "cognito", "cognitoScopes": "openid"},
}


def _resources(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(template: Template) -> list[dict[str, Any]]:
    return [
        s
        for p in _resources(template, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _suppressions(template: Template) -> list[dict[str, Any]]:
    return [
        rule
        for resource in template.to_json()["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]


@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_every_documented_configuration_has_zero_unsuppressed_nag_findings(name: str) -> None:
    stack, _ = synth(CONFIGURATIONS[name])
    annotations = Annotations.from_stack(stack)
    findings = annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*")) + annotations.find_warning(
        "*", Match.string_like_regexp("AwsSolutions-.*")
    )
    assert [f"{m.id}: {m.entry.data}" for m in findings] == []


@pytest.mark.parametrize(
    ("name", "says", "never_says"),
    [
        ("iam", "apiAuth=iam", ("API key", "apiAuth=apiKey,")),
        ("apiKey", "apiAuth=apiKey", ("IAM-authorised", "apiAuth=iam")),
        ("cognito", None, ("IAM-authorised", "usage-plan", "apiAuth=apiKey")),
    ],
)
def test_auth_suppression_reasons_are_true_for_the_configured_mode(
    name: str, says: str | None, never_says: tuple[str, ...]
) -> None:
    _, template = synth(CONFIGURATIONS[name])
    auth_rules = [r for r in _suppressions(template) if r["id"] in ("AwsSolutions-COG4", "AwsSolutions-APIG4")]
    reasons = " ".join(r["reason"] for r in auth_rules)
    if says is None:
        assert auth_rules == []  # a user pool authorizer on every method: nothing to explain
    else:
        assert says in reasons
    assert not [phrase for phrase in never_says if phrase in reasons]


def test_cognito_mode_accepts_only_access_tokens_with_a_configured_scope() -> None:
    _, template = synth(CONFIGURATIONS["cognito"])
    methods = _resources(template, "AWS::ApiGateway::Method")
    assert methods
    for method in methods.values():
        assert method["Properties"]["AuthorizationType"] == "COGNITO_USER_POOLS"
        assert method["Properties"]["AuthorizationScopes"] == ["segments/read"]


def test_start_may_pass_the_rekognition_role_only_to_rekognition(template: Template) -> None:
    passes = [s for s in _statements(template) if "iam:PassRole" in _as_list(s["Action"])]
    assert len(passes) == 1
    assert passes[0]["Condition"] == {"StringEquals": {"iam:PassedToService": "rekognition.amazonaws.com"}}
    assert passes[0]["Resource"] != "*"


def test_every_key_statement_for_a_service_is_bound_to_this_stacks_resources(template: Template) -> None:
    for key in _resources(template, "AWS::KMS::Key").values():
        for statement in key["Properties"]["KeyPolicy"]["Statement"]:
            service = statement["Principal"].get("Service") if isinstance(statement["Principal"], dict) else None
            if service:
                assert "aws:SourceArn" in json.dumps(statement.get("Condition", {})), statement
            if service == "s3.amazonaws.com":
                assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


def test_no_role_can_scan_or_delete_items_or_write_to_any_log_group(template: Template) -> None:
    for statement in _statements(template):
        actions = _as_list(statement["Action"])
        assert not {"dynamodb:Scan", "dynamodb:DeleteItem"} & set(actions), actions
        if {"logs:CreateLogStream", "logs:PutLogEvents"} & set(actions):
            assert statement["Resource"] != "*"
    roles = _resources(template, "AWS::IAM::Role")
    ours = {k: r for k, r in roles.items() if not k.startswith("BucketNotificationsHandler")}
    managed = json.dumps([r["Properties"].get("ManagedPolicyArns", []) for r in ours.values()])
    assert "AWSLambdaBasicExecutionRole" not in managed


def test_table_is_deletion_protected_exactly_when_data_is_retained(template: Template) -> None:
    template.has_resource_properties("AWS::DynamoDB::Table", {"DeletionProtectionEnabled": True})
    _, disposable = synth(CONFIGURATIONS["retainData=false"])
    (table,) = _resources(disposable, "AWS::DynamoDB::Table").values()
    assert not table["Properties"].get("DeletionProtectionEnabled")
    assert table["DeletionPolicy"] == "Delete"


def test_buckets_abort_incomplete_multipart_uploads(template: Template) -> None:
    buckets = _resources(template, "AWS::S3::Bucket")
    for bucket in buckets.values():
        rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
        assert [r for r in rules if r.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation")]


def test_api_gateway_account_logging_role_outlives_the_stack(template: Template) -> None:
    (account,) = _resources(template, "AWS::ApiGateway::Account").values()
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    assert account["DeletionPolicy"] == "Retain"
    assert template.to_json()["Resources"][role_id]["DeletionPolicy"] == "Retain"
    _, without = synth(CONFIGURATIONS["apiGatewayCloudWatchRole=false"])
    assert _resources(without, "AWS::ApiGateway::Account") == {}


def test_no_function_has_a_dead_letter_queue_it_can_never_receive(template: Template) -> None:
    # Lambda DLQs only receive failed asynchronous invocations; SQS and Step Functions invoke synchronously.
    functions = _resources(template, "AWS::Lambda::Function")
    assert not [k for k, f in functions.items() if "DeadLetterConfig" in f["Properties"]]


def _notified_keys(template: Template, keys: list[str]) -> list[str]:
    """The keys for which S3 would send an ObjectCreated event to the uploads queue (S3's filter rules are
    case-sensitive prefix/suffix matches)."""
    (notifications,) = _resources(template, "Custom::S3BucketNotifications").values()
    configs = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]

    def matches(key: str, config: dict[str, Any]) -> bool:
        rules = config.get("Filter", {}).get("Key", {}).get("FilterRules", [])
        prefix = next((r["Value"] for r in rules if r["Name"] == "prefix"), "")
        suffix = next((r["Value"] for r in rules if r["Name"] == "suffix"), "")
        return key.startswith(prefix) and key.endswith(suffix)

    return [key for key in keys if any(matches(key, c) for c in configs)]


def _start_settings(template: Template) -> FunctionSettings:
    functions = _resources(template, "AWS::Lambda::Function")
    (start,) = [f for f in functions.values() if f["Properties"].get("Handler") == "segments.handlers.start.handler"]
    env = start["Properties"]["Environment"]["Variables"]
    return FunctionSettings.from_environment({k: v if isinstance(v, str) else "<ref>" for k, v in env.items()})


@pytest.mark.parametrize(
    ("overrides", "started", "ignored"),
    [
        (
            {},
            ["clip.Mp4", "CLIP.MP4", "a/b/c.webm", "x.MoV"],
            ["notes.txt", "fallback-chunks/j/0.json", "exports/j/f.csv", "mp4"],
        ),
        ({"videoSuffixes": "mp4,MP4,.mp4,Mp4"}, ["clip.mP4"], ["clip.mov"]),
        ({"videoPrefix": "incoming/"}, ["incoming/clip.MP4"], ["clip.mp4", "Incoming/clip.mp4"]),
    ],
    ids=["default", "duplicate-suffixes", "prefix"],
)
def test_a_video_key_in_any_case_starts_a_job_and_other_keys_are_ignored(
    overrides: dict[str, Any], started: list[str], ignored: list[str]
) -> None:
    _, template = synth(overrides)
    settings = _start_settings(template)
    reaching = [
        k
        for k in _notified_keys(template, started + ignored)
        if is_video_key(k, settings.video_suffixes, settings.video_prefix)
    ]
    assert reaching == started


def test_removals_reach_the_start_function_so_a_deleted_video_is_recorded(template: Template) -> None:
    (notifications,) = _resources(template, "Custom::S3BucketNotifications").values()
    configs = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    events = {event for config in configs for event in config["Events"]}
    assert events == {"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}
    assert len({json.dumps(config["QueueArn"]) for config in configs}) == 1  # both to the uploads queue
