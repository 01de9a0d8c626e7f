"""The one way this app defines a zip-packaged Python Lambda function."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import Settings
from segments.settings import powertools_environment

LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"
# Only the `segments` package ships in zip functions; the detector and local mode never do.
ASSET_EXCLUDES = [
    "detector",
    "local_mode",
    "fallback_image",
    "*.egg-info",
    "**/__pycache__",
    "**/*.pyc",
]
RUNTIME = lambda_.Runtime.PYTHON_3_13


class PipelineFunction(Construct):
    """A Lambda function running ``segments.handlers.<name>.handler`` with Powertools, X-Ray and a log group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        handler_module: str,
        environment: dict[str, str],
        timeout: Duration,
        memory_size: int = 512,
        description: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        layer = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "Powertools",
            f"arn:{stack.partition}:lambda:{stack.region}:017000801446:layer:"
            f"AWSLambdaPowertoolsPythonV3-python313-arm64:{settings.powertools_layer_version}",
        )
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=retention(settings.log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=f"segments.handlers.{handler_module}.handler",
            code=lambda_.Code.from_asset(str(LAMBDAS_DIR), exclude=ASSET_EXCLUDES),
            layers=[layer],
            timeout=timeout,
            memory_size=memory_size,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            environment={**powertools_environment(f"segments-{handler_module}"), **environment},
        )
        NagSuppressions.add_resource_suppressions(
            self.function,
            [
                {
                    "id": "AwsSolutions-L1",
                    "reason": "Python 3.13 is the newest runtime with a published Powertools v3 layer that this "
                    "app pins; the code is tested on 3.11+ and moves with the layer.",
                }
            ],
        )
        role = self.function.role
        assert role is not None
        NagSuppressions.add_resource_suppressions(
            role,
            [
                {
                    "id": "AwsSolutions-IAM4",
                    "reason": "AWSLambdaBasicExecutionRole only allows writing this function's CloudWatch logs.",
                    "appliesTo": [
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                    ],
                },
                iam5_grant_wildcards(
                    "X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions (Resource::*); "
                    "the KMS, S3 and DynamoDB wildcards are CDK grant forms scoped to this app's key, bucket and "
                    "table indexes."
                ),
            ],
            apply_to_children=True,
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
    {"regex": "/^Resource::<Storage(Segments|Videos)[0-9A-F]+\\.Arn>\\/(index\\/\\*|\\*|fallback-chunks\\/\\*)$/g"},
    {"regex": "/^Resource::<FallbackDetector[0-9A-F]+\\.Arn>:\\*$/g"},
]


def iam5_grant_wildcards(reason: str) -> dict[str, object]:
    """An AwsSolutions-IAM5 suppression limited to the grant wildcards above."""
    return {"id": "AwsSolutions-IAM5", "reason": reason, "appliesTo": GRANT_WILDCARDS}


def grant_rekognition_action(scope: Construct, construct_id: str, fn: lambda_.IFunction, action: str) -> iam.Policy:
    """Allow ``fn`` one Rekognition Video action; these actions support no resource-level permissions."""
    policy = iam.Policy(scope, construct_id, statements=[iam.PolicyStatement(actions=[action], resources=["*"])])
    role = fn.role
    assert role is not None
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


RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def retention(days: int) -> logs.RetentionDays:
    """CloudWatch Logs retention for ``days`` (the shortest allowed value at or above it)."""
    return RETENTION[min(d for d in RETENTION if d >= days)]
