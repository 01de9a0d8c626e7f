"""Upload → SQS → start function → Rekognition StartSegmentDetection, with the completion topic."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import Settings
from infra.constructs.function import PipelineFunction, grant_rekognition_action
from infra.constructs.storage import Storage

START_TIMEOUT = Duration.seconds(30)
# Starting a job takes well under a second; two concurrent pollers (SQS's minimum) keep the
# start rate gentle while the quota itself is enforced by retrying LimitExceededException.
START_CONCURRENCY = 2


def encrypted_queue_with_dlq(
    scope: Construct, construct_id: str, *, key: kms.IKey, visibility: Duration, max_receives: int
) -> tuple[sqs.Queue, sqs.Queue]:
    """A KMS-encrypted, TLS-only queue and its dead-letter queue (14 days retention)."""
    dlq = sqs.Queue(
        scope,
        f"{construct_id}Dlq",
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        visibility_timeout=visibility,
        retention_period=Duration.days(14),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=max_receives),
    )
    return queue, dlq


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
        stack = Stack.of(self)
        # The topic has its own key: the queue key's policy names the topic (SNS may decrypt
        # only for it), so sharing one key would make the two reference each other.
        self.topic_key = kms.Key(
            self, "CompletionKey", description="Segment pipeline: completion topic", enable_key_rotation=True
        )
        self.topic = sns.Topic(
            self,
            "Completion",
            display_name="Rekognition segment detection completions",
            master_key=self.topic_key,
            enforce_ssl=True,
        )
        # Only Rekognition may assume this role, only for this account, and it may only
        # publish completion messages to this one topic.
        self.rekognition_role = iam.Role(
            self,
            "RekognitionPublish",
            assumed_by=iam.ServicePrincipal(
                "rekognition.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            ),
            description="Lets Amazon Rekognition publish segment-detection completions to the topic",
        )
        self.topic.grant_publish(self.rekognition_role)
        NagSuppressions.add_resource_suppressions(
            self.rekognition_role,
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

        self.queue, self.dlq = encrypted_queue_with_dlq(
            self,
            "Uploads",
            key=storage.key,
            visibility=Duration.seconds(START_TIMEOUT.to_seconds() * 6),
            max_receives=settings.start_max_receives,
        )
        for suffix in settings.video_suffixes:
            for variant in sorted({suffix.lower(), suffix.upper()}):
                storage.bucket.add_event_notification(
                    s3.EventType.OBJECT_CREATED,
                    s3n.SqsDestination(self.queue),
                    s3.NotificationKeyFilter(prefix=settings.video_prefix or None, suffix=f".{variant}"),
                )

        # The start and collect functions share one environment, produced from the settings in one place.
        self.pipeline = settings.pipeline(
            table_name=storage.table.table_name,
            topic_arn=self.topic.topic_arn,
            rekognition_role_arn=self.rekognition_role.role_arn,
            fallback_state_machine_arn=fallback_state_machine.state_machine_arn if fallback_state_machine else "",
        )
        self.start = PipelineFunction(
            self,
            "Start",
            settings=settings,
            handler_module="start",
            environment=self.pipeline.environment(),
            timeout=START_TIMEOUT,
            description="Starts one Rekognition segment-detection job per uploaded video version",
        )
        fn = self.start.function
        fn.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=10,
                report_batch_item_failures=True,
                max_concurrency=START_CONCURRENCY,
            )
        )
        storage.table.grant_read_write_data(fn)
        # Rekognition reads the video with the caller's credentials.
        storage.bucket.grant_read(fn)
        self.rekognition_role.grant_pass_role(fn.grant_principal)
        grant_rekognition_action(self, "StartSegmentDetection", fn, "rekognition:StartSegmentDetection")
        if fallback_state_machine is not None:
            fallback_state_machine.grant_start_execution(fn)
