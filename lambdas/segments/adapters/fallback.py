"""Hand a video to the container fallback (one Step Functions execution per object version) and look it up."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from segments.adapters.aws import client
from segments.domain.records import ExecutionState


class FallbackLauncher:
    """Starts the fallback state machine; the execution name makes starts idempotent."""

    def __init__(self, state_machine_arn: str, sfn_client: Any | None = None) -> None:
        self.state_machine_arn = state_machine_arn
        self.client = sfn_client or client("stepfunctions")

    def launch(self, *, job_id: str, payload: dict[str, Any]) -> bool:
        """Start the execution named ``job_id``; False when it already exists (a duplicate)."""
        try:
            self.client.start_execution(
                stateMachineArn=self.state_machine_arn, name=job_id[:80], input=json.dumps(payload)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return False
            raise
        return True

    def describe(self, job_id: str) -> ExecutionState | None:
        """The state of the execution named ``job_id``, or None when there is none."""
        # Execution ARNs are the state machine's ARN with the resource type changed and the name appended.
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + job_id[:80]
        try:
            found = self.client.describe_execution(executionArn=arn)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
                return None
            raise
        return ExecutionState(
            status=str(found["status"]), error=str(found.get("error") or ""), cause=str(found.get("cause") or "")
        )
