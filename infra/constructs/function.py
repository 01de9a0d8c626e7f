"""The one way this app defines a zip-packaged Python Lambda function."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Stack
from aws_cdk import aws_lambda as lambda_
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import Settings
from infra.constructs.shared import function_role, iam5_grant_wildcards, log_group
from segments.settings import powertools_environment

LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"
# Only the `segments` package ships in zip functions; the detector and local mode never do.
ASSET_EXCLUDES = ["detector", "local_mode", "fallback_image", "*.egg-info", "**/__pycache__", "**/*.pyc"]
RUNTIME = lambda_.Runtime.PYTHON_3_13
POWERTOOLS_LAYER_ACCOUNT = "017000801446"


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
        self.log_group = log_group(self, "Logs", settings=settings)
        self.role = function_role(self, "Role", logs_to=self.log_group, description=description)
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=f"segments.handlers.{handler_module}.handler",
            code=lambda_.Code.from_asset(str(LAMBDAS_DIR), exclude=ASSET_EXCLUDES),
            layers=[self._powertools_layer(settings.powertools_layer_version)],
            timeout=timeout,
            memory_size=memory_size,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=self.role,
            environment={**powertools_environment(f"segments-{handler_module}"), **environment},
        )
        self._suppress_findings()

    def _powertools_layer(self, version: int) -> lambda_.ILayerVersion:
        stack = Stack.of(self)
        return lambda_.LayerVersion.from_layer_version_arn(
            self,
            "Powertools",
            f"arn:{stack.partition}:lambda:{stack.region}:{POWERTOOLS_LAYER_ACCOUNT}:layer:"
            f"AWSLambdaPowertoolsPythonV3-python313-arm64:{version}",
        )

    def _suppress_findings(self) -> None:
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
        NagSuppressions.add_resource_suppressions(
            self.role,
            [
                iam5_grant_wildcards(
                    "X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions (Resource::*); "
                    "the KMS, S3 and DynamoDB wildcards are CDK grant forms scoped to this app's key, bucket and "
                    "table indexes."
                ),
            ],
            apply_to_children=True,
        )
