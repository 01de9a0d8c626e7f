"""Every video reaches a final state: the scheduled sweeper, the execution-ended rule and the DLQ consumer."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.config import Settings
from infra.constructs.completion_events import grant_put_completion_events
from infra.constructs.function import PipelineFunction
from infra.constructs.shared import grant_rekognition_action
from infra.constructs.storage import Storage
from segments import settings as runtime

SWEEP_EVERY = Duration.minutes(5)  # part of the documented bound on time to a final state
SWEEP_TIMEOUT = Duration.minutes(4)  # below the interval: two sweeps never overlap
DEAD_LETTER_TIMEOUT = Duration.seconds(30)


class Reliability(Construct):
    """The sweeper (schedule + Step Functions status changes) and the dead-letter consumer."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        storage: Storage,
        pipeline: runtime.Settings,
        dead_letter_queues: list[sqs.IQueue],
        uploads: sqs.IQueue,
        slot_releasers: list[lambda_.IFunction],
        fallback_state_machine: sfn.IStateMachine | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.sweeper = PipelineFunction(
            self,
            "Sweep",
            settings=settings,
            handler_module="sweep",
            # The collector's environment: the sweeper finishes jobs through the same code path.
            environment=pipeline.environment(),
            timeout=SWEEP_TIMEOUT,
            memory_size=512,
            description="Settles overdue videos: asks Rekognition / Step Functions for the real state of their jobs",
        )
        sweeper = self.sweeper.function
        storage.grant_table_write(sweeper)
        grant_put_completion_events(sweeper, Stack.of(self))
        grant_rekognition_action(
            self, "SweepGetSegmentDetection", role=self.sweeper.role, action="rekognition:GetSegmentDetection"
        )
        events.Rule(
            self,
            "Schedule",
            description="Runs the sweeper",
            schedule=events.Schedule.rate(SWEEP_EVERY),
            targets=[targets.LambdaFunction(sweeper, retry_attempts=2)],
        )
        if fallback_state_machine is not None:
            fallback_state_machine.grant_start_execution(sweeper)
            fallback_state_machine.grant_execution(sweeper, "states:DescribeExecution")
            # Timeouts and aborts end an execution without running its RecordFailure step.
            events.Rule(
                self,
                "ExecutionEnded",
                description="Records fallback executions that failed, timed out or were aborted",
                event_pattern=events.EventPattern(
                    source=["aws.states"],
                    detail_type=["Step Functions Execution Status Change"],
                    detail={
                        "stateMachineArn": [fallback_state_machine.state_machine_arn],
                        "status": ["FAILED", "TIMED_OUT", "ABORTED"],
                    },
                ),
                targets=[targets.LambdaFunction(sweeper, retry_attempts=8)],
            )
            NagSuppressions.add_resource_suppressions(
                self.sweeper,
                [
                    {
                        "id": "AwsSolutions-IAM5",
                        "reason": "DescribeExecution on the executions of the one fallback state machine "
                        "(execution ARNs end in the execution's name, which is the JobId).",
                        "appliesTo": [{"regex": "/^Resource::arn:<AWS::Partition>:states:.*:execution:.*:\\*$/g"}],
                    }
                ],
                apply_to_children=True,
            )

        self.dead_letters = PipelineFunction(
            self,
            "DeadLetters",
            settings=settings,
            handler_module="dead_letters",
            environment=runtime.Settings(table_name=storage.table.table_name).environment(),
            timeout=DEAD_LETTER_TIMEOUT,
            description="Marks the video (or job) of a dead-lettered message FAILED with the reason",
        )
        consumer = self.dead_letters.function
        storage.grant_table_write(consumer)
        grant_put_completion_events(consumer, Stack.of(self))
        for queue in dead_letter_queues:
            consumer.add_event_source(sources.SqsEventSource(queue, batch_size=10, report_batch_item_failures=True))
        # Whoever frees a job slot makes the longest-waiting upload's message visible at once.
        for fn in [*slot_releasers, sweeper, consumer]:
            uploads.grant(fn, "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl")
