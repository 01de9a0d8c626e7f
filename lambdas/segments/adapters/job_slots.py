"""Job slots: a counting semaphore in one DynamoDB item (map ``holders``: holder → lease start, epoch s).

One item per kind of work (``QUOTA#rekognition``, ``QUOTA#fallback``), so the pipeline never
holds more Rekognition jobs (or fallback executions) than its limit, whatever the concurrency
of the functions taking them.
"""

from __future__ import annotations

from typing import Any

from segments.adapters.aws import resource
from segments.adapters.store import conditional
from segments.domain import keys


class DynamoJobSlots:
    """Acquire, release and list the leases of one semaphore item."""

    def __init__(self, table_name: str, kind: str = "rekognition", dynamodb: Any | None = None) -> None:
        self.table = (dynamodb or resource("dynamodb")).Table(table_name)
        self.key = {"pk": keys.slots_pk(kind), "sk": keys.SLOTS_SK}

    def acquire(self, holder: str, limit: int, now: float, lease_seconds: int) -> bool:
        """Take one of ``limit`` slots for ``holder``; True if held (again), False when all are taken.

        Idempotent per holder (a redelivered upload keeps its one slot). Leases older than
        ``lease_seconds`` (a completion that never came) are reclaimed.
        """
        for _ in range(3):
            taken = conditional(
                self.table.update_item,
                Key=self.key,
                UpdateExpression="SET holders.#h = :now",
                ConditionExpression=(
                    "attribute_exists(holders.#h) OR (attribute_exists(holders) AND size(holders) < :limit)"
                ),
                ExpressionAttributeNames={"#h": holder},
                ExpressionAttributeValues={":now": int(now), ":limit": limit},
            )
            if taken is not None:
                return True
            holders = self._holders()
            if holders is None:
                self.table.update_item(
                    Key=self.key,
                    UpdateExpression="SET holders = if_not_exists(holders, :empty)",
                    ExpressionAttributeValues={":empty": {}},
                )
                continue
            stale = {h: t for h, t in holders.items() if t < now - lease_seconds}
            if not stale:
                return False
            for old, started in stale.items():
                self._remove(old, started)  # unless it renewed its lease meanwhile
        return False

    def release(self, holder: str) -> bool:
        """Give ``holder``'s slot back; True when it held one."""
        return self._remove(holder)

    def held(self) -> dict[str, int]:
        """Current holders and when each lease started (epoch seconds)."""
        return dict(self._holders() or {})

    def _holders(self) -> dict[str, int] | None:
        item = self.table.get_item(Key=self.key, ConsistentRead=True).get("Item")
        if item is None or "holders" not in item:
            return None
        return {str(h): int(t) for h, t in item["holders"].items()}

    def _remove(self, holder: str, started: int | None = None) -> bool:
        """Drop ``holder``'s lease if it has one (and, given ``started``, if it is still that lease)."""
        request: dict[str, Any] = {
            "Key": self.key,
            "UpdateExpression": "REMOVE holders.#h",
            "ConditionExpression": "attribute_exists(holders.#h)" if started is None else "holders.#h = :t",
            "ExpressionAttributeNames": {"#h": holder},
        }
        if started is not None:
            request["ExpressionAttributeValues"] = {":t": started}
        return conditional(self.table.update_item, **request) is not None
