"""Assertions on the synthesized template: what a security reviewer would check by hand."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Annotations, Match, Template

from infra.config import CHUNK_RESULTS_PREFIX, load_settings
from infra.constructs.read_api import POST_ROUTES, ROUTES
from segments import settings as runtime
from tests.infra.conftest import synth


def _resources(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def test_cdk_nag_aws_solutions_has_zero_unsuppressed_findings(annotations: Annotations) -> None:
    errors = annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    warnings = annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [f"{m.id}: {m.entry.data}" for m in errors + warnings] == []


def test_video_bucket_is_encrypted_private_tls_only_and_versioned(template: Template) -> None:
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "LoggingConfiguration": Match.object_like({"LogFilePrefix": "videos/"}),
        },
    )
    policies = json.dumps(_resources(template, "AWS::S3::BucketPolicy"))
    assert '"aws:SecureTransport": "false"' in policies


def test_every_queue_is_encrypted_and_every_work_queue_has_a_dlq_with_an_alarm(template: Template) -> None:
    queues = _resources(template, "AWS::SQS::Queue")
    work = {k: v for k, v in queues.items() if "RedrivePolicy" in v["Properties"]}
    dlq_ids = {v["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0] for v in work.values()}
    assert len(work) == 2  # uploads and completions
    assert all("KmsMasterKeyId" in q["Properties"] for q in queues.values())
    alarms = json.dumps(_resources(template, "AWS::CloudWatch::Alarm"))
    for dlq in dlq_ids:
        assert dlq in alarms, f"no alarm watches {dlq}"


def test_start_function_concurrency_is_bounded_and_reports_partial_failures(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "ScalingConfig": {"MaximumConcurrency": 2},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


def test_rekognition_role_is_assumable_only_by_rekognition_and_only_publishes(template: Template) -> None:
    roles = _resources(template, "AWS::IAM::Role")
    rek = [
        r
        for r in roles.values()
        if "rekognition.amazonaws.com" in json.dumps(r["Properties"]["AssumeRolePolicyDocument"])
    ]
    assert len(rek) == 1
    statement = rek[0]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "rekognition.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    source_arn = json.dumps(statement["Condition"]["ArnLike"]["aws:SourceArn"])
    assert ":rekognition:" in source_arn and '"AWS::AccountId"' in source_arn and '"AWS::Region"' in source_arn
    rek_id = next(k for k, r in roles.items() if r is rek[0])
    policies = [
        p for p in _resources(template, "AWS::IAM::Policy").values() if rek_id in json.dumps(p["Properties"]["Roles"])
    ]
    actions = {
        a for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"] for a in _as_list(s["Action"])
    }
    assert actions == {"sns:Publish", "kms:Decrypt", "kms:GenerateDataKey*"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_iam_statement_grants_a_wildcard_action(template: Template) -> None:
    for policy in _resources(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            for action in _as_list(statement["Action"]):
                assert action != "*" and not action.endswith(":*"), action


def test_rekognition_actions_are_exactly_start_and_get(template: Template) -> None:
    actions = {
        a
        for p in _resources(template, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        for a in _as_list(s["Action"])
        if str(a).startswith("rekognition:")
    }
    assert actions == {"rekognition:StartSegmentDetection", "rekognition:GetSegmentDetection"}


def test_table_keys_pitr_encryption_and_on_demand(template: Template) -> None:
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": Match.object_like({"SSEEnabled": True, "SSEType": "KMS"}),
            "GlobalSecondaryIndexes": Match.array_with(
                [
                    Match.object_like(
                        {
                            "IndexName": "gsi1",
                            "KeySchema": [
                                {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                                {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                            ],
                        }
                    )
                ]
            ),
        },
    )


def test_every_api_method_is_iam_authorised_by_default(template: Template) -> None:
    methods = _resources(template, "AWS::ApiGateway::Method")
    # GET per route, POST per upload route, and ANY per route so other methods reach the handler's 405.
    assert len(methods) == 2 * len(ROUTES) + 2 * len(POST_ROUTES)
    assert {m["Properties"]["AuthorizationType"] for m in methods.values()} == {"AWS_IAM"}


def test_other_methods_on_every_route_reach_the_handler_for_its_405(template: Template) -> None:
    methods = _resources(template, "AWS::ApiGateway::Method").values()
    any_methods = [m["Properties"] for m in methods if m["Properties"]["HttpMethod"] == "ANY"]
    assert len(any_methods) == len(ROUTES) + len(POST_ROUTES)
    assert all(m["Integration"]["Type"] == "AWS_PROXY" for m in any_methods)


def test_api_stage_has_throttling_access_logs_and_tracing(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "v1",
            "TracingEnabled": True,
            "AccessLogSetting": Match.object_like({"DestinationArn": Match.any_value()}),
            "MethodSettings": Match.array_with(
                [Match.object_like({"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100})]
            ),
        },
    )


def test_gateway_errors_use_the_apis_error_body_with_rekognitions_names(template: Template) -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in _resources(template, "AWS::ApiGateway::GatewayResponse").values()
    }
    throttled = responses["THROTTLED"]
    assert throttled["StatusCode"] == "429"
    body = throttled["ResponseTemplates"]["application/json"]
    assert body.startswith('{"code":"ThrottlingException","message":')
    assert '"code":"InternalServerError"' in responses["DEFAULT_5XX"]["ResponseTemplates"]["application/json"]
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "403"


def test_api_function_is_read_only_on_the_table(template: Template) -> None:
    functions = _resources(template, "AWS::Lambda::Function")
    api_fn = next(f for f in functions.values() if f["Properties"].get("Handler") == "segments.handlers.api.handler")
    role_ref = api_fn["Properties"]["Role"]["Fn::GetAtt"][0]
    dynamo_actions = {
        a
        for p in _resources(template, "AWS::IAM::Policy").values()
        if role_ref in json.dumps(p["Properties"]["Roles"])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        for a in _as_list(s["Action"])
        if str(a).startswith("dynamodb:")
    }
    assert dynamo_actions
    assert not {a for a in dynamo_actions if a.split(":")[1].startswith(("Put", "Update", "Delete", "BatchWrite"))}


def test_fallback_container_function_and_state_machine_exist_by_default(template: Template) -> None:
    functions = _resources(template, "AWS::Lambda::Function")
    images = [f for f in functions.values() if f["Properties"].get("PackageType") == "Image"]
    assert len(images) == 1
    assert images[0]["Properties"]["Timeout"] == 900
    assert images[0]["Properties"]["MemorySize"] == 3538
    template.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    starts = [
        f
        for f in functions.values()
        if f["Properties"].get("Handler") in ("segments.handlers.start.handler", "segments.handlers.collect.handler")
    ]
    for fn in starts:
        env = fn["Properties"]["Environment"]["Variables"]
        assert env["DETECTION_MODE"] == "rekognition-with-fallback"
        assert "FALLBACK_STATE_MACHINE_ARN" in env


def test_rekognition_only_mode_deploys_no_fallback() -> None:
    _, template = synth({"detectionMode": "rekognition"})
    template.resource_count_is("AWS::StepFunctions::StateMachine", 0)
    functions = _resources(template, "AWS::Lambda::Function")
    assert not [f for f in functions.values() if f["Properties"].get("PackageType") == "Image"]
    for fn in functions.values():
        env = fn["Properties"].get("Environment", {}).get("Variables", {})
        assert not env.get("FALLBACK_STATE_MACHINE_ARN")


@pytest.mark.parametrize("auth", ["apiKey"])
def test_api_key_mode_requires_a_key_on_every_method(auth: str) -> None:
    _, template = synth({"apiAuth": auth})
    methods = _resources(template, "AWS::ApiGateway::Method")
    assert all(m["Properties"]["ApiKeyRequired"] for m in methods.values())
    template.resource_count_is("AWS::ApiGateway::UsagePlan", 1)


def test_start_function_is_bounded_by_the_configured_job_slots() -> None:
    _, template = synth({"maxConcurrentJobs": "7"})
    functions = _resources(template, "AWS::Lambda::Function")
    (start,) = [f for f in functions.values() if f["Properties"].get("Handler") == "segments.handlers.start.handler"]
    assert start["Properties"]["Environment"]["Variables"]["MAX_CONCURRENT_JOBS"] == "7"


def test_every_function_that_launches_or_ends_a_fallback_reads_the_same_fallback_bound() -> None:
    _, template = synth({"maxConcurrentFallbacks": "3"})
    for handler in ("start", "collect", "sweep"):
        environment = _environment_of(template, f"segments.handlers.{handler}.handler")
        assert environment["MAX_CONCURRENT_FALLBACKS"] == "3", handler


def _environment_of(template: Template, handler: str) -> dict[str, Any]:
    functions = _resources(template, "AWS::Lambda::Function")
    (fn,) = [f for f in functions.values() if f["Properties"].get("Handler") == handler]
    return dict(fn["Properties"]["Environment"]["Variables"])


def _placeholders(environment: dict[str, Any]) -> dict[str, str]:
    """CloudFormation references (resource names known only at deploy) as placeholder text."""
    return {k: v if isinstance(v, str) else f"<{json.dumps(v, sort_keys=True)}>" for k, v in environment.items()}


def test_collector_gets_the_environment_the_settings_module_produces_with_the_deployments_options() -> None:
    overrides = {"segmentTypes": "SHOT", "shotMinConfidence": 80, "detectionMode": "rekognition-with-fallback"}
    _, template = synth(overrides)
    collect = _environment_of(template, "segments.handlers.collect.handler")
    start = _environment_of(template, "segments.handlers.start.handler")
    # One environment for both functions, as the module produces it (only the service name differs).
    assert {k: v for k, v in collect.items() if k != "POWERTOOLS_SERVICE_NAME"} == {
        k: v for k, v in start.items() if k != "POWERTOOLS_SERVICE_NAME"
    }
    deployed = load_settings(overrides)
    parsed = runtime.Settings.from_environment(_placeholders(collect))
    expected = deployed.pipeline(
        table_name=parsed.table_name,
        topic_arn=parsed.topic_arn,
        rekognition_role_arn=parsed.rekognition_role_arn,
        fallback_state_machine_arn=parsed.fallback_state_machine_arn,
    )
    assert parsed == expected
    assert parsed.segment_types == ("SHOT",)
    assert parsed.filters == {"ShotFilter": {"MinSegmentConfidence": 80.0}}
    assert set(runtime.Settings.variable_names()) <= set(collect)
    assert "FALLBACK_STATE_MACHINE_ARN" in collect and parsed.fallback_state_machine_arn


@pytest.mark.parametrize(
    ("handler", "model"),
    [("segments.handlers.api.handler", runtime.ApiSettings)],
)
def test_every_zip_function_environment_parses_into_its_settings_model(
    template: Template, handler: str, model: type[runtime.FunctionEnvironment]
) -> None:
    environment = _environment_of(template, handler)
    assert set(model.variable_names()) <= set(environment)
    model.from_environment(_placeholders(environment))


def test_fallback_function_environment_parses_into_its_settings_model(template: Template) -> None:
    functions = _resources(template, "AWS::Lambda::Function")
    (image,) = [f for f in functions.values() if f["Properties"].get("PackageType") == "Image"]
    environment = image["Properties"]["Environment"]["Variables"]
    parsed = runtime.FallbackSettings.from_environment(_placeholders(environment))
    assert parsed.results_prefix == CHUNK_RESULTS_PREFIX and parsed.chunk_seconds == 1200


def test_every_log_group_keeps_logs_as_long_as_the_setting_says() -> None:
    _, template = synth({"logRetentionDays": 30})
    groups = _resources(template, "AWS::Logs::LogGroup")
    assert len(groups) >= 5  # three zip functions, the fallback function and state machine, API access logs
    assert {g["Properties"].get("RetentionInDays") for g in groups.values()} == {30}


def test_chunk_results_expire_and_are_writable_under_the_prefix_the_fallback_writes_to(template: Template) -> None:
    bucket = next(
        b for b in _resources(template, "AWS::S3::Bucket").values() if "VersioningConfiguration" in b["Properties"]
    )
    rule = next(r for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"] if r.get("Id") == "fallback-chunks")
    assert rule["Prefix"] == CHUNK_RESULTS_PREFIX
    writes = [
        s
        for p in _resources(template, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "s3:PutObject" in _as_list(s["Action"])
    ]
    # The API function writes only browser uploads (presigned POST) and large exports, each under its own folder.
    allowed = (CHUNK_RESULTS_PREFIX + "*", runtime.UPLOAD_FOLDER + "*", runtime.EXPORTS_PREFIX + "*")
    assert writes and all(any(a in json.dumps(s["Resource"]) for a in allowed) for s in writes)


def _key_policy_allows(key: dict[str, Any], service: str, actions: set[str]) -> list[dict[str, Any]]:
    return [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s["Effect"] == "Allow"
        and isinstance(s["Principal"], dict)
        and s["Principal"].get("Service") == service
        and actions <= set(_as_list(s["Action"]))
    ]


def test_every_alarm_can_deliver_through_its_topic_and_the_topics_key(template: Template) -> None:
    resources = template.to_json()["Resources"]
    alarms = _resources(template, "AWS::CloudWatch::Alarm")
    assert alarms
    for name, alarm in alarms.items():
        topics = [a["Ref"] for a in alarm["Properties"]["AlarmActions"]]
        assert topics, f"{name} notifies nobody"
        for topic_id in topics:
            topic = resources[topic_id]
            assert topic["Type"] == "AWS::SNS::Topic"
            key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
            grants = _key_policy_allows(
                resources[key_id], "cloudwatch.amazonaws.com", {"kms:Decrypt", "kms:GenerateDataKey*"}
            )
            assert grants, f"CloudWatch cannot use the key of {topic_id}, so {name} is never delivered"
            for grant in grants:
                assert grant["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
                assert ":alarm:*" in json.dumps(grant["Condition"]["ArnLike"]["aws:SourceArn"])
            publishers = [
                s
                for p in _resources(template, "AWS::SNS::TopicPolicy").values()
                if {"Ref": topic_id} in p["Properties"]["Topics"]
                for s in p["Properties"]["PolicyDocument"]["Statement"]
                if s["Effect"] == "Allow" and s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
            ]
            assert [
                s
                for s in publishers
                if "sns:Publish" in _as_list(s["Action"]) and "aws:SourceArn" in json.dumps(s["Condition"])
            ]


def test_every_function_variable_is_declared_by_a_settings_model(template: Template) -> None:
    declared = {
        name
        for model in vars(runtime).values()
        if isinstance(model, type) and issubclass(model, runtime.FunctionEnvironment)
        for name in model.variable_names()
    } | set(runtime.powertools_environment("any"))
    functions = _resources(template, "AWS::Lambda::Function")
    ours = {k: f for k, f in functions.items() if f["Properties"].get("Environment")}
    assert len(ours) >= 6
    for name, fn in ours.items():
        undeclared = set(fn["Properties"]["Environment"]["Variables"]) - declared
        assert not undeclared, f"{name} carries variables no settings model declares: {sorted(undeclared)}"
