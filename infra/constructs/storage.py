"""Encrypted, TLS-only, private video bucket and the results table."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import CHUNK_RESULTS_PREFIX, Settings
from segments.domain.keys import GSI2, SEARCH_ATTRIBUTES
from segments.settings import EXPORTS_PREFIX

# What the pipeline's code calls on the table (segments.adapters.store); nothing scans or deletes.
TABLE_READS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
TABLE_WRITES = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem")
ACCESS_LOG_DAYS = 365
INCOMPLETE_UPLOAD_DAYS = 7
NONCURRENT_VERSION_DAYS = 30
EXPORT_DAYS = 1  # a large export is fetched through a URL valid minutes; retries rewrite the same key
CHUNK_RESULT_DAYS = 2  # a fallback run lasts at most 6 hours; its chunk results are only read by its stitch


class Storage(Construct):
    """KMS key, access-log bucket, video bucket (versioned) and the single results table."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if settings.retain_data else RemovalPolicy.DESTROY
        self.viewer = settings.viewer
        self.key = kms.Key(
            self,
            "Key",
            description="Segment pipeline: table, queues and topics",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        self.access_logs = self._build_access_log_bucket(removal=removal)
        self.bucket = self._build_video_bucket(removal=removal)
        self.table = self._build_table(removal=removal, deletion_protection=settings.retain_data)

    def grant_table_read(self, grantee: iam.IGrantable) -> None:
        """Let ``grantee`` read items (no Scan) through the table's key."""
        self.table.grant(grantee, *TABLE_READS)
        self.key.grant_decrypt(grantee)

    def grant_table_write(self, grantee: iam.IGrantable) -> None:
        """Let ``grantee`` read and write items (no Scan, no DeleteItem) through the table's key."""
        self.table.grant(grantee, *TABLE_READS, *TABLE_WRITES)
        self.key.grant_encrypt_decrypt(grantee)

    def _build_access_log_bucket(self, *, removal: RemovalPolicy) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-logs", expiration=Duration.days(ACCESS_LOG_DAYS)),
                _abort_incomplete_uploads(),
            ],
            removal_policy=removal,
        )
        NagSuppressions.add_resource_suppressions(
            bucket,
            [{"id": "AwsSolutions-S1", "reason": "This is the access-log bucket; logging it into itself would loop."}],
        )
        return bucket

    def _build_video_bucket(self, *, removal: RemovalPolicy) -> s3.Bucket:
        # SSE-S3 rather than a CMK: Rekognition Video reads the object with the caller's
        # credentials and SSE-S3 needs no key grant for it, so uploads from any tool work.
        return s3.Bucket(
            self,
            "Videos",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="videos/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="fallback-chunks", prefix=CHUNK_RESULTS_PREFIX, expiration=Duration.days(CHUNK_RESULT_DAYS)
                ),
                s3.LifecycleRule(
                    id="exports",
                    prefix=EXPORTS_PREFIX,
                    expiration=Duration.days(EXPORT_DAYS),
                    noncurrent_version_expiration=Duration.days(EXPORT_DAYS),
                ),
                s3.LifecycleRule(
                    id="old-versions", noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS)
                ),
                _abort_incomplete_uploads(),
            ],
            removal_policy=removal,
        )

    def _build_table(self, *, removal: RemovalPolicy, deletion_protection: bool) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            "Segments",
            # The viewer's thumbnail step listens for jobs turning SUCCEEDED, whichever engine finished them.
            stream=dynamodb.StreamViewType.NEW_IMAGE if self.viewer else None,
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            removal_policy=removal,
            deletion_protection=deletion_protection,
        )
        table.add_global_secondary_index(
            index_name="gsi1",
            partition_key=dynamodb.Attribute(name="gsi1pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="gsi1sk", type=dynamodb.AttributeType.STRING),
        )
        table.add_global_secondary_index(
            index_name=GSI2,
            partition_key=dynamodb.Attribute(name="gsi2pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="gsi2sk", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.INCLUDE,
            non_key_attributes=list(SEARCH_ATTRIBUTES),
        )
        return table


def _abort_incomplete_uploads() -> s3.LifecycleRule:
    """Parts of a multipart upload nobody completed are billed until removed: remove them after a week."""
    return s3.LifecycleRule(
        id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(INCOMPLETE_UPLOAD_DAYS)
    )
