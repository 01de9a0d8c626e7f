"""Upload → SQS → start function → Rekognition StartSegmentDetection, with the completion topic."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import Settings
from infra.constructs.completion_events import grant_put_completion_events
from infra.constructs.function import PipelineFunction
from infra.constructs.shared import QueueDestination, encrypted_queue_with_dlq, grant_rekognition_action
from infra.constructs.storage import Storage

REKOGNITION = "rekognition.amazonaws.com"
START_TIMEOUT = Duration.seconds(30)
# Starting a job takes well under a second; two concurrent pollers (SQS's minimum) keep the
# start rate gentle while the quota itself is enforced by retrying LimitExceededException.
START_CONCURRENCY = 2


class Ingest(Construct):
    """Ingest queue fed by S3 notifications, the start function, the completion topic and Rekognition's role."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        storage: Storage,
        fallback_state_machine: sfn.IStateMachine | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = self._build_completion_topic()
        self.rekognition_role = self._build_rekognition_role(topic=self.topic)
        self.queue, self.dlq = encrypted_queue_with_dlq(
            self,
            "Uploads",
            key=storage.key,
            visibility=Duration.seconds(START_TIMEOUT.to_seconds() * 6),
            max_receives=settings.start_max_receives,
        )
        self._build_notifications(settings=settings, bucket=storage.bucket)
        # The start and collect functions share one environment, produced from the settings in one place.
        self.pipeline = settings.pipeline(
            table_name=storage.table.table_name,
            topic_arn=self.topic.topic_arn,
            rekognition_role_arn=self.rekognition_role.role_arn,
            fallback_state_machine_arn=fallback_state_machine.state_machine_arn if fallback_state_machine else "",
        )
        self.start = self._build_start_function(
            settings=settings, storage=storage, fallback_state_machine=fallback_state_machine
        )

    def _build_completion_topic(self) -> sns.Topic:
        # The topic has its own key: the queue key's policy names the topic (SNS may decrypt
        # only for it), so sharing one key would make the two reference each other.
        key = kms.Key(self, "CompletionKey", description="Segment pipeline: completion topic", enable_key_rotation=True)
        return sns.Topic(
            self,
            "Completion",
            display_name="Rekognition segment detection completions",
            master_key=key,
            enforce_ssl=True,
        )

    def _build_rekognition_role(self, *, topic: sns.Topic) -> iam.Role:
        """Only Rekognition, acting for this account and region, may assume this role; it may only publish
        to ``topic`` (the aws:Source* conditions stop another account's job from using it: confused deputy)."""
        stack = Stack.of(self)
        role = iam.Role(
            self,
            "RekognitionPublish",
            assumed_by=iam.ServicePrincipal(
                REKOGNITION,
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": stack.format_arn(service="rekognition", resource="*")},
                },
            ),
            description="Lets Amazon Rekognition publish segment-detection completions to the topic",
        )
        topic.grant_publish(role)
        NagSuppressions.add_resource_suppressions(
            role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Publishing to a KMS-encrypted topic needs kms:GenerateDataKey* on the topic's own key "
                    "(the resource is that key, not a wildcard).",
                    "appliesTo": ["Action::kms:GenerateDataKey*"],
                }
            ],
            apply_to_children=True,
        )
        return role

    def _build_notifications(self, *, settings: Settings, bucket: s3.IBucket) -> None:
        """Every object created or removed under the prefix goes to the queue; the start function keeps the
        video suffixes.

        S3 suffix filters are case-sensitive and may not overlap, so ``clip.Mp4`` could never match a
        filter list, and a repeated suffix would fail the deploy; matching in the function (case-insensitive,
        ``segments.domain.events.is_video_key``) has neither problem. Other keys cost one ignored record each.
        """
        filters = [s3.NotificationKeyFilter(prefix=settings.video_prefix)] if settings.video_prefix else []
        destination = QueueDestination(self.queue)
        # Removals too: the start function records a deleted video instead of listing it as if nothing happened.
        for event in (s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED):
            bucket.add_event_notification(event, destination, *filters)

    def _build_start_function(
        self, *, settings: Settings, storage: Storage, fallback_state_machine: sfn.IStateMachine | None
    ) -> PipelineFunction:
        start = PipelineFunction(
            self,
            "Start",
            settings=settings,
            handler_module="start",
            environment=self.pipeline.environment(),
            timeout=START_TIMEOUT,
            description="Starts one Rekognition segment-detection job per uploaded video version",
        )
        fn = start.function
        fn.add_event_source(
            sources.SqsEventSource(
                self.queue, batch_size=10, report_batch_item_failures=True, max_concurrency=START_CONCURRENCY
            )
        )
        storage.grant_table_write(fn)
        # A video that fails before any job (not a video, no slot within the budget) is announced here.
        grant_put_completion_events(fn, Stack.of(self))
        # Rekognition reads the video with the caller's credentials.
        storage.bucket.grant_read(fn)
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.rekognition_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": REKOGNITION}},
            )
        )
        grant_rekognition_action(
            self, "StartSegmentDetection", role=start.role, action="rekognition:StartSegmentDetection"
        )
        if fallback_state_machine is not None:
            fallback_state_machine.grant_start_execution(fn)
        return start
