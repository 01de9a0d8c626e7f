"""Completion topic → SQS → collector function paging GetSegmentDetection into the table."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.config import Settings
from infra.constructs.completion_events import grant_put_completion_events
from infra.constructs.function import PipelineFunction
from infra.constructs.shared import encrypted_queue_with_dlq, grant_rekognition_action
from infra.constructs.storage import Storage
from segments import settings as runtime

# 100,000 segments are 100 pages; measured in bench/collector.py well inside this.
COLLECT_TIMEOUT = Duration.minutes(10)
COLLECT_MAX_RECEIVES = 5


class Collector(Construct):
    """Queue subscribed to the completion topic and the function that stores every page."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        storage: Storage,
        topic: sns.ITopic,
        pipeline: runtime.Settings,
        fallback_state_machine: sfn.IStateMachine | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.queue, self.dlq = encrypted_queue_with_dlq(
            self,
            "Completions",
            key=storage.key,
            visibility=Duration.seconds(COLLECT_TIMEOUT.to_seconds() * 6),
            max_receives=COLLECT_MAX_RECEIVES,
        )
        topic.add_subscription(subs.SqsSubscription(self.queue, raw_message_delivery=False))
        self.collect = self._build_collect_function(
            settings=settings, storage=storage, pipeline=pipeline, fallback_state_machine=fallback_state_machine
        )

    def _build_collect_function(
        self,
        *,
        settings: Settings,
        storage: Storage,
        pipeline: runtime.Settings,
        fallback_state_machine: sfn.IStateMachine | None,
    ) -> PipelineFunction:
        collect = PipelineFunction(
            self,
            "Collect",
            settings=settings,
            handler_module="collect",
            environment=pipeline.environment(),
            timeout=COLLECT_TIMEOUT,
            memory_size=1024,
            description="Stores every page of GetSegmentDetection for a completed job",
        )
        fn = collect.function
        fn.add_event_source(sources.SqsEventSource(self.queue, batch_size=1, report_batch_item_failures=True))
        storage.grant_table_write(fn)
        grant_put_completion_events(fn, Stack.of(self))
        grant_rekognition_action(
            self, "GetSegmentDetection", role=collect.role, action="rekognition:GetSegmentDetection"
        )
        if fallback_state_machine is not None:
            fallback_state_machine.grant_start_execution(fn)
        return collect
