"""Helpers every construct shares: the encrypted queue with its DLQ, log groups, nag suppression forms."""

from __future__ import annotations

import jsii
from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.interfaces.aws_s3 import IBucketRef
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import CHUNK_RESULTS_PREFIX, Settings

# SQS's longest retention: a message nobody could process stays for a person to look at.
QUEUE_RETENTION = Duration.days(14)


def encrypted_queue_with_dlq(
    scope: Construct, construct_id: str, *, key: kms.IKey, visibility: Duration, max_receives: int
) -> tuple[sqs.Queue, sqs.Queue]:
    """A KMS-encrypted, TLS-only queue and its dead-letter queue (both keep messages 14 days)."""
    dlq = encrypted_queue(scope, f"{construct_id}Dlq", key=key)
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        visibility_timeout=visibility,
        retention_period=QUEUE_RETENTION,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=max_receives),
    )
    return queue, dlq


def encrypted_queue(scope: Construct, construct_id: str, *, key: kms.IKey) -> sqs.Queue:
    """A KMS-encrypted, TLS-only queue keeping messages 14 days (used as a dead-letter queue)."""
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        retention_period=QUEUE_RETENTION,
    )


RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def retention(days: int) -> logs.RetentionDays:
    """CloudWatch Logs retention for ``days`` (the shortest allowed value at or above it)."""
    return RETENTION[min(d for d in RETENTION if d >= days)]


def log_group(scope: Construct, construct_id: str, *, settings: Settings) -> logs.LogGroup:
    """A log group kept ``logRetentionDays`` and removed with the stack (logs are not the data)."""
    return logs.LogGroup(
        scope, construct_id, retention=retention(settings.log_retention_days), removal_policy=RemovalPolicy.DESTROY
    )


# Wildcards that CDK's grant_* helpers and X-Ray emit; each stays scoped to this app's resources.
GRANT_WILDCARDS: list[str | dict[str, str]] = [
    "Resource::*",
    "Action::kms:ReEncrypt*",
    "Action::kms:GenerateDataKey*",
    "Action::s3:GetObject*",
    "Action::s3:GetBucket*",
    "Action::s3:List*",
    "Action::s3:Abort*",
    "Action::s3:DeleteObject*",
    {
        "regex": "/^Resource::<Storage(Segments|Videos)[0-9A-F]+\\.Arn>\\/"
        f"(index\\/\\*|\\*|{CHUNK_RESULTS_PREFIX.rstrip('/')}\\/\\*)$/g"
    },
    {"regex": "/^Resource::<FallbackDetector[0-9A-F]+\\.Arn>:\\*$/g"},
]


def iam5_grant_wildcards(reason: str) -> dict[str, object]:
    """An AwsSolutions-IAM5 suppression limited to the grant wildcards above."""
    return {"id": "AwsSolutions-IAM5", "reason": reason, "appliesTo": GRANT_WILDCARDS}


def grant_rekognition_action(scope: Construct, construct_id: str, *, role: iam.IRole, action: str) -> iam.Policy:
    """Allow ``role`` one Rekognition Video action; these actions support no resource-level permissions."""
    policy = iam.Policy(scope, construct_id, statements=[iam.PolicyStatement(actions=[action], resources=["*"])])
    role.attach_inline_policy(policy)
    NagSuppressions.add_resource_suppressions(
        policy,
        [
            {
                "id": "AwsSolutions-IAM5",
                "reason": f"{action} supports no resource-level permissions (Service Authorization Reference); "
                "the single action is the narrowest grant.",
                "appliesTo": ["Resource::*"],
            }
        ],
    )
    return policy


def function_role(scope: Construct, construct_id: str, *, logs_to: logs.ILogGroup, description: str) -> iam.Role:
    """A Lambda execution role that may write only to ``logs_to`` (instead of AWSLambdaBasicExecutionRole's
    ``logs:*`` actions on every log group of the account)."""
    role = iam.Role(
        scope, construct_id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
    )
    logs_to.grant_write(role)
    return role


@jsii.implements(s3.IBucketNotificationDestination)
class QueueDestination:
    """An S3 → SQS notification target whose queue and key grants hold only for this bucket and account.

    CDK's ``SqsDestination`` also grants ``s3.amazonaws.com`` the queue's key with no condition at all.
    """

    def __init__(self, queue: sqs.IQueue) -> None:
        self.queue = queue

    def bind(self, scope: Construct, bucket: IBucketRef) -> s3.BucketNotificationDestinationConfig:
        """Grant S3 (for this bucket, in this account) sending to the queue and using its key."""
        s3_for_this_bucket = iam.ServicePrincipal(
            "s3.amazonaws.com",
            conditions={
                "ArnLike": {"aws:SourceArn": bucket.bucket_ref.bucket_arn},
                "StringEquals": {"aws:SourceAccount": Stack.of(scope).account},
            },
        )
        # Sending to an encrypted queue: grant_send_messages adds the key statement with the same conditions.
        self.queue.grant_send_messages(s3_for_this_bucket)
        return s3.BucketNotificationDestinationConfig(
            arn=self.queue.queue_arn, type=s3.BucketNotificationDestinationType.QUEUE, dependencies=[self.queue]
        )
