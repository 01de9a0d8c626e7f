"""SQS: delay a message's next delivery (exponential backoff for jobs waiting for a quota slot)."""

from __future__ import annotations

from typing import Any

from segments.adapters.aws import client


class Queue:
    """Change the visibility of received messages."""

    def __init__(self, sqs_client: Any | None = None) -> None:
        self.client = sqs_client or client("sqs")

    def delay(self, queue_arn: str, receipt_handle: str, seconds: int) -> None:
        """Make the message visible again after ``seconds`` (0-43200)."""
        _, _, _, _region, account, name = queue_arn.split(":", 5)
        url = self.client.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        self.client.change_message_visibility(
            QueueUrl=url, ReceiptHandle=receipt_handle, VisibilityTimeout=max(0, min(seconds, 43200))
        )
