"""Hand a video to the container fallback: one Step Functions execution per object version."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from segments.adapters.aws import client


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
