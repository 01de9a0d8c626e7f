"""Permission to put the pipeline's completion events on the account's default EventBridge bus."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam


def default_bus_arn(stack: Stack) -> str:
    """The ARN of this account and region's default event bus."""
    return stack.format_arn(service="events", resource="event-bus", resource_name="default")


def grant_put_completion_events(grantee: iam.IGrantable, stack: Stack) -> None:
    """Let ``grantee`` call ``events:PutEvents`` on the default bus only (the completion events)."""
    iam.Grant.add_to_principal(grantee=grantee, actions=["events:PutEvents"], resource_arns=[default_bus_arn(stack)])
