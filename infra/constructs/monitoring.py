"""Alarms on every dead-letter queue, function error, failed record and failed, timed-out or aborted execution."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

CLOUDWATCH = "cloudwatch.amazonaws.com"


class Monitoring(Construct):
    """An alarm topic (optionally e-mailed) that CloudWatch can publish to, and the alarms that feed it."""

    def __init__(self, scope: Construct, construct_id: str, *, alarm_email: str) -> None:
        super().__init__(scope, construct_id)
        self.topic = self._build_alarm_topic()
        if alarm_email:
            self.topic.add_subscription(subs.EmailSubscription(alarm_email))
        self._action = actions.SnsAction(self.topic)

    def _build_alarm_topic(self) -> sns.Topic:
        """An encrypted topic with its own key, whose policies let CloudWatch alarms of this account publish.

        CloudWatch publishes as ``cloudwatch.amazonaws.com``: without a key statement for it, an alarm on a
        KMS-encrypted topic changes state and no notification is ever delivered. The conditions hold the
        grants to this account's alarms (confused-deputy protection).
        """
        stack = Stack.of(self)
        from_our_alarms = {
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {
                "aws:SourceArn": stack.format_arn(
                    service="cloudwatch", resource="alarm", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
                )
            },
        }
        key = kms.Key(self, "AlarmKey", description="Segment pipeline: alarm topic", enable_key_rotation=True)
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(CLOUDWATCH)],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions=from_our_alarms,
            )
        )
        topic = sns.Topic(self, "Alarms", display_name="Segment pipeline alarms", master_key=key, enforce_ssl=True)
        # enforce_ssl gives the topic a policy, which replaces SNS's default one: name the publisher.
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(CLOUDWATCH)],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions=from_our_alarms,
            )
        )
        return topic

    def _alarm(self, construct_id: str, description: str, metric: cloudwatch.IMetric) -> None:
        """Alarm as soon as ``metric`` is above zero in one period; missing data is fine."""
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=metric,
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)

    def dead_letters(self, name: str, dlq: sqs.IQueue) -> None:
        """Alarm as soon as one message lands in ``dlq``: something was not processed."""
        self._alarm(
            f"{name}DeadLetters",
            f"{name}: messages in the dead-letter queue need attention",
            dlq.metric_approximate_number_of_messages_visible(period=Duration.minutes(1)),
        )

    def function_errors(self, name: str, fn: lambda_.IFunction) -> None:
        """Alarm on any invocation error of ``fn`` in five minutes."""
        self._alarm(f"{name}Errors", f"{name}: function errors", fn.metric_errors(period=Duration.minutes(5)))

    def failed_executions(self, name: str, machine: sfn.IStateMachine) -> None:
        """Alarm on failed fallback executions."""
        self._alarm(
            f"{name}Failed",
            f"{name}: failed executions (job recorded FAILED)",
            machine.metric_failed(period=Duration.minutes(5)),
        )

    def timed_out_executions(self, name: str, machine: sfn.IStateMachine) -> None:
        """Alarm on fallback executions that timed out or were aborted (their job is recorded FAILED by the sweeper)."""
        self._alarm(
            f"{name}TimedOut",
            f"{name}: executions timed out (job recorded FAILED)",
            machine.metric_timed_out(period=Duration.minutes(5)),
        )
        self._alarm(
            f"{name}Aborted",
            f"{name}: executions aborted (job recorded FAILED)",
            machine.metric_aborted(period=Duration.minutes(5)),
        )

    def pipeline_metric(self, metric_name: str, service: str, description: str) -> None:
        """Alarm on any count of a Powertools metric the ``service`` function emits (namespace SegmentPipeline)."""
        metric = cloudwatch.Metric(
            namespace="SegmentPipeline",
            metric_name=metric_name,
            dimensions_map={"service": service},
            statistic="Sum",
            period=Duration.minutes(5),
        )
        label = "".join(part.capitalize() for part in service.replace("-", "_").split("_"))
        self._alarm(f"{label}{metric_name}", f"{service}: {description}", metric)
