"""In-account fallback: container Lambda running our detector, orchestrated per time chunk by Step Functions."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Size, Stack
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import CHUNK_RESULTS_PREFIX, Settings
from infra.constructs.completion_events import grant_put_completion_events
from infra.constructs.shared import function_role, iam5_grant_wildcards, log_group
from infra.constructs.storage import Storage
from segments.settings import powertools_environment

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = "lambdas/fallback_image/Dockerfile"
EXECUTION_TIMEOUT = Duration.hours(6)  # Rekognition's own limit on a video's length
# Only these are retried: errors the detector raises for videos it can never read (VideoError and its
# subclasses) go straight to RecordFailure, since retrying them only burns money.
TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "TransientError",
]
# Throttled chunks (the account's concurrency is shared by every execution's Map) wait with full
# jitter up to 5 minutes apart, about an hour in all, instead of failing the video after ~75 s.
THROTTLED = ["Lambda.TooManyRequestsException"]


class Fallback(Construct):
    """DockerImageFunction (plan / detect / stitch / fail) and the chunking state machine."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, storage: Storage) -> None:
        super().__init__(scope, construct_id)
        self.function = self._build_function(settings=settings, storage=storage)
        self.state_machine = self._build_state_machine(settings=settings)
        self._suppress_findings()

    def _build_function(self, *, settings: Settings, storage: Storage) -> lambda_.DockerImageFunction:
        """The detector image. No dead-letter queue: Step Functions invokes it synchronously (a Lambda DLQ
        only ever receives failed asynchronous events) and its catch records every failure on the job."""
        logs = log_group(self, "FunctionLogs", settings=settings)
        self.role = function_role(self, "Role", logs_to=logs, description="Fallback detector function")
        function = lambda_.DockerImageFunction(
            self,
            "Detector",
            description="Fallback shot and technical-cue detector (PyAV + numpy)",
            code=lambda_.DockerImageCode.from_image_asset(
                str(REPO_ROOT),
                file=DOCKERFILE,
                platform=ecr_assets.Platform.LINUX_ARM64
                if settings.fallback_arm64
                else ecr_assets.Platform.LINUX_AMD64,
            ),
            architecture=lambda_.Architecture.ARM_64 if settings.fallback_arm64 else lambda_.Architecture.X86_64,
            memory_size=settings.fallback_memory_mb,
            timeout=Duration.minutes(settings.fallback_timeout_minutes),
            ephemeral_storage_size=Size.mebibytes(settings.fallback_ephemeral_mb),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=logs,
            role=self.role,
            environment={
                **powertools_environment("segments-fallback"),
                **settings.fallback(
                    table_name=storage.table.table_name, bucket_name=storage.bucket.bucket_name
                ).environment(),
            },
        )
        storage.bucket.grant_read(function)
        # Chunk results are written and removed under their own prefix only.
        storage.bucket.grant_put(function, f"{CHUNK_RESULTS_PREFIX}*")
        storage.bucket.grant_delete(function, f"{CHUNK_RESULTS_PREFIX}*")
        storage.grant_table_write(function)
        grant_put_completion_events(function, Stack.of(self))
        return function

    def _build_state_machine(self, *, settings: Settings) -> sfn.StateMachine:
        """Plan → Map over time chunks (Detect) → Stitch; any error → RecordFailure → Failed."""
        plan = self._invoke("Plan", {"action": "plan", "job": sfn.JsonPath.entire_payload}, "$.plan")
        detect = self._invoke(
            "Detect",
            {"action": "detect", "job": sfn.JsonPath.object_at("$.job"), "chunk": sfn.JsonPath.object_at("$.chunk")},
            None,
        )
        chunks = sfn.Map(
            self,
            "Chunks",
            items_path="$.plan.chunks",
            item_selector={
                "job": sfn.JsonPath.object_at("$$.Execution.Input"),
                "chunk": sfn.JsonPath.object_at("$$.Map.Item.Value"),
            },
            max_concurrency=settings.fallback_map_concurrency,
            result_path="$.chunkResults",
        ).item_processor(detect)
        stitch = self._invoke(
            "Stitch",
            {
                "action": "stitch",
                "job": sfn.JsonPath.object_at("$$.Execution.Input"),
                "plan": sfn.JsonPath.object_at("$.plan"),
                "chunkResults": sfn.JsonPath.object_at("$.chunkResults"),
            },
            "$.result",
        )
        record_failure = self._invoke(
            "RecordFailure",
            {
                "action": "fail",
                "job": sfn.JsonPath.object_at("$$.Execution.Input"),
                "error": sfn.JsonPath.object_at("$.error"),
            },
            "$.recorded",
        ).next(sfn.Fail(self, "Failed", error="FallbackFailed", cause="see the job's StatusMessage"))
        body = sfn.Parallel(self, "Detection", result_selector={"result.$": "$[0].result"})
        body.branch(plan.next(chunks).next(stitch))
        body.add_catch(record_failure, result_path="$.error")
        return sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(body.next(sfn.Succeed(self, "Done"))),
            tracing_enabled=True,
            timeout=EXECUTION_TIMEOUT,
            logs=sfn.LogOptions(
                destination=log_group(self, "StateMachineLogs", settings=settings),
                level=sfn.LogLevel.ALL,
                include_execution_data=False,
            ),
        )

    def _invoke(self, name: str, payload: dict[str, object], result_path: str | None) -> tasks.LambdaInvoke:
        """A LambdaInvoke step on the detector function with transient-only retries."""
        task = tasks.LambdaInvoke(
            self,
            name,
            lambda_function=self.function,
            payload=sfn.TaskInput.from_object(payload),
            payload_response_only=True,
            result_path=result_path,
            retry_on_service_exceptions=False,
        )
        task.add_retry(
            errors=THROTTLED,
            interval=Duration.seconds(10),
            max_attempts=16,
            backoff_rate=2.0,
            max_delay=Duration.minutes(5),
            jitter_strategy=sfn.JitterType.FULL,
        )
        task.add_retry(errors=TRANSIENT_ERRORS, interval=Duration.seconds(5), max_attempts=4, backoff_rate=2.0)
        return task

    def _suppress_findings(self) -> None:
        for construct in (self.role, self.state_machine):
            NagSuppressions.add_resource_suppressions(
                construct,
                [
                    iam5_grant_wildcards(
                        "Wildcards are CDK grant forms scoped to this app's bucket (and its chunk prefix), table, "
                        "key and this function's versions; X-Ray and log delivery have no resource-level support."
                    ),
                ],
                apply_to_children=True,
            )
