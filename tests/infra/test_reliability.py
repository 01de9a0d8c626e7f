"""The template wires what makes every video final: sweeper schedule, execution-ended rule, DLQ consumer, alarms."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template


def _function_logical_id(template: Template, handler: str) -> str:
    found = template.find_resources("AWS::Lambda::Function", {"Properties": {"Handler": handler}})
    (logical_id,) = found
    return str(logical_id)


def _targets(template: Template, pattern: dict[str, Any]) -> list[Any]:
    rules = template.find_resources("AWS::Events::Rule", {"Properties": pattern})
    return [t["Arn"] for rule in rules.values() for t in rule["Properties"]["Targets"]]


def test_the_sweeper_runs_every_five_minutes(template: Template) -> None:
    sweeper = _function_logical_id(template, "segments.handlers.sweep.handler")
    assert _targets(template, {"ScheduleExpression": "rate(5 minutes)"}) == [{"Fn::GetAtt": [sweeper, "Arn"]}]


def test_timed_out_or_aborted_fallback_executions_reach_the_sweeper(template: Template) -> None:
    sweeper = _function_logical_id(template, "segments.handlers.sweep.handler")
    pattern = {
        "EventPattern": Match.object_like({"detail": Match.object_like({"status": ["FAILED", "TIMED_OUT", "ABORTED"]})})
    }
    assert _targets(template, pattern) == [{"Fn::GetAtt": [sweeper, "Arn"]}]
    for metric in ("ExecutionsTimedOut", "ExecutionsAborted"):
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm", {"MetricName": metric, "AlarmActions": Match.any_value()}
        )


def test_both_dead_letter_queues_feed_the_dead_letter_consumer(template: Template) -> None:
    consumer = _function_logical_id(template, "segments.handlers.dead_letters.handler")
    mappings = template.find_resources(
        "AWS::Lambda::EventSourceMapping", {"Properties": {"FunctionName": {"Ref": consumer}}}
    )
    assert len(mappings) == 2


def test_failed_batch_records_and_dead_letters_are_alarmed(template: Template) -> None:
    for metric, service in (
        ("RecordsFailed", "segments-start"),
        ("RecordsFailed", "segments-collect"),
        ("DeadLettered", "segments-dead_letters"),
    ):
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "MetricName": metric,
                "Namespace": "SegmentPipeline",
                "Dimensions": [{"Name": "service", "Value": service}],
                "AlarmActions": Match.any_value(),
            },
        )


def test_removed_objects_are_announced_to_the_uploads_queue(template: Template) -> None:
    (notifications,) = template.find_resources("Custom::S3BucketNotifications").values()
    configs = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    events = sorted(event for config in configs for event in config["Events"])
    assert events == ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
    assert len({json.dumps(config["QueueArn"]) for config in configs}) == 1


def _retriers(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = list(node.get("Retry", []))
        return found + [r for value in node.values() for r in _retriers(value)]
    if isinstance(node, list):
        return [r for value in node for r in _retriers(value)]
    return []


def test_throttled_fallback_chunks_wait_with_jitter_instead_of_failing_the_video(template: Template) -> None:
    (machine,) = template.find_resources("AWS::StepFunctions::StateMachine").values()
    definition = machine["Properties"]["DefinitionString"]
    text = "".join(p if isinstance(p, str) else "x" for p in definition["Fn::Join"][1])
    retriers = _retriers(json.loads(text))
    throttled = [r for r in retriers if r["ErrorEquals"] == ["Lambda.TooManyRequestsException"]]
    assert throttled and all(r["JitterStrategy"] == "FULL" and r["MaxDelaySeconds"] == 300 for r in throttled)
    waited = sum(min(300, 10 * 2**i) for i in range(throttled[0]["MaxAttempts"]))
    assert waited >= 3600  # seconds a chunk may wait for concurrency at most (full jitter halves it on average)


def _roles_allowed(template: Template, action: str, resource_fragment: str) -> set[str]:
    """Logical ids of the roles whose policies allow ``action`` on a resource naming ``resource_fragment``."""
    roles: set[str] = set()
    for policy in template.find_resources("AWS::IAM::Policy").values():
        props = policy["Properties"]
        for statement in props["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if action in actions and resource_fragment in json.dumps(statement["Resource"]):
                roles.update(r["Ref"] for r in props["Roles"])
    return roles


def test_every_function_that_gives_a_fallback_slot_back_may_wake_a_waiting_upload(template: Template) -> None:
    start = _function_logical_id(template, "segments.handlers.start.handler")
    mappings = template.find_resources(
        "AWS::Lambda::EventSourceMapping", {"Properties": {"FunctionName": {"Ref": start}}}
    )
    ((queue, _),) = [m["Properties"]["EventSourceArn"]["Fn::GetAtt"] for m in mappings.values()]
    allowed = _roles_allowed(template, "sqs:ChangeMessageVisibility", queue)
    releasers = {
        "segments.handlers.collect.handler",
        "segments.handlers.sweep.handler",
        "segments.handlers.dead_letters.handler",
    }
    functions = template.find_resources("AWS::Lambda::Function")
    for fn in functions.values():
        props = fn["Properties"]
        if props.get("Handler") in releasers or props.get("PackageType") == "Image":  # the fallback detector
            assert props["Role"]["Fn::GetAtt"][0] in allowed, props.get("Handler", "fallback image")
