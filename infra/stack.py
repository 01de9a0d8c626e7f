"""The segment pipeline stack: composes the constructs, no resource details here."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import Settings
from infra.constructs.collector import Collector
from infra.constructs.fallback import Fallback
from infra.constructs.ingest import Ingest
from infra.constructs.monitoring import Monitoring
from infra.constructs.read_api import ReadApi
from infra.constructs.reliability import Reliability
from infra.constructs.storage import Storage
from infra.constructs.viewer import Viewer


class SegmentPipelineStack(Stack):
    """S3 upload → Rekognition (or the fallback) → DynamoDB → read API, with alarms."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        storage = Storage(self, "Storage", settings=settings)
        fallback = Fallback(self, "Fallback", settings=settings, storage=storage) if settings.uses_fallback else None
        machine = fallback.state_machine if fallback else None
        ingest = Ingest(self, "Ingest", settings=settings, storage=storage, fallback_state_machine=machine)
        collector = Collector(
            self,
            "Collector",
            settings=settings,
            storage=storage,
            topic=ingest.topic,
            pipeline=ingest.pipeline,
            fallback_state_machine=machine,
        )
        viewer = Viewer(self, "Viewer", settings=settings) if settings.viewer else None
        api = ReadApi(
            self, "ReadApi", settings=settings, storage=storage, user_pool=viewer.user_pool if viewer else None
        )
        if viewer is not None:
            viewer.attach(storage=storage, api=api.api)
        reliability = Reliability(
            self,
            "Reliability",
            settings=settings,
            storage=storage,
            pipeline=ingest.pipeline,
            dead_letter_queues=[ingest.dlq, collector.dlq],
            uploads=ingest.queue,
            slot_releasers=[collector.collect.function, *([fallback.function] if fallback else [])],
            fallback_state_machine=machine,
        )

        monitoring = Monitoring(self, "Monitoring", alarm_email=settings.alarm_email)
        monitoring.dead_letters("Uploads", ingest.dlq)
        monitoring.dead_letters("Completions", collector.dlq)
        monitoring.function_errors("Start", ingest.start.function)
        monitoring.function_errors("Collect", collector.collect.function)
        monitoring.function_errors("Api", api.handler.function)
        monitoring.function_errors("Sweep", reliability.sweeper.function)
        monitoring.function_errors("DeadLetters", reliability.dead_letters.function)
        monitoring.pipeline_metric("DeadLettered", "segments-dead_letters", "a message was dead-lettered")
        monitoring.pipeline_metric("RecordsFailed", "segments-start", "an upload record failed (partial batch)")
        monitoring.pipeline_metric("RecordsFailed", "segments-collect", "a completion record failed (partial batch)")
        if viewer is not None:
            monitoring.dead_letters("Thumbnails", viewer.dlq)
            monitoring.function_errors("Thumbnails", viewer.thumbnails)
            CfnOutput(self, "ViewerUrl", value=f"https://{viewer.distribution.distribution_domain_name}/")
        if fallback is not None:
            monitoring.function_errors("Fallback", fallback.function)
            monitoring.failed_executions("Fallback", fallback.state_machine)
            monitoring.timed_out_executions("Fallback", fallback.state_machine)

        # CDK's singleton custom resource that writes the bucket's notification configuration.
        NagSuppressions.add_resource_suppressions_by_path(
            self,
            f"/{self.node.path}/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource",
            [
                {
                    "id": "AwsSolutions-IAM4",
                    "reason": "CDK's bucket-notifications handler role uses AWSLambdaBasicExecutionRole for its logs.",
                    "appliesTo": [
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                    ],
                }
            ],
        )

        CfnOutput(self, "BucketName", value=storage.bucket.bucket_name)
        CfnOutput(self, "TableName", value=storage.table.table_name)
        CfnOutput(self, "ApiUrl", value=api.api.url)
        CfnOutput(self, "CompletionTopicArn", value=ingest.topic.topic_arn)
        CfnOutput(self, "AlarmTopicArn", value=monitoring.topic.topic_arn)
