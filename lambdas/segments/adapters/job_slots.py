"""Job slots: a counting semaphore in one DynamoDB item (map ``holders``: holder → lease start, epoch s).

One item per kind of work (``QUOTA#rekognition``, ``QUOTA#fallback``), so the pipeline never
holds more Rekognition jobs (or fallback executions) than its limit, whatever the concurrency
of the functions taking them.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from segments.adapters.aws import resource
from segments.adapters.store import conditional
from segments.domain import keys

WAITERS_SK = "WAITERS"


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
        return _remove_entry(self.table, self.key, "holders", holder, expected=started)


class WaitingUploads:
    """Uploads waiting for a slot (map ``waiters`` on ``QUOTA#<kind>`` / ``WAITERS``), so a freed slot wakes one.

    Without this a freed slot sat idle while every waiting upload served out its backoff
    (30 s doubling): the next upload now becomes visible in its queue at once. Entries are
    removed with UpdateItem (no function may delete items).
    """

    def __init__(self, table_name: str, queue: Any, kind: str = "rekognition", dynamodb: Any | None = None) -> None:
        self.table = (dynamodb or resource("dynamodb")).Table(table_name)
        self.key = {"pk": keys.slots_pk(kind), "sk": WAITERS_SK}
        self.queue = queue

    def wait(self, holder: str, queue_arn: str, receipt_handle: str, now: float) -> None:
        """Remember the latest delivery of ``holder``'s upload message (a redelivery replaces the receipt)."""
        entry = {"queueArn": queue_arn, "receipt": receipt_handle, "since": int(now)}
        for _ in range(2):
            done = conditional(
                self.table.update_item,
                Key=self.key,
                UpdateExpression="SET waiters.#h = :w",
                ConditionExpression="attribute_exists(waiters)",
                ExpressionAttributeNames={"#h": holder},
                ExpressionAttributeValues={":w": entry},
            )
            if done is not None:
                return
            self.table.update_item(
                Key=self.key,
                UpdateExpression="SET waiters = if_not_exists(waiters, :empty)",
                ExpressionAttributeValues={":empty": {}},
            )

    def done(self, holder: str) -> None:
        """``holder`` got its slot (or gave up): it waits no more."""
        self._claim(holder, None)

    def wake_one(self) -> bool:
        """Make the longest-waiting upload's message visible now; False when nobody (reachable) waits."""
        item = self.table.get_item(Key=self.key, ConsistentRead=True).get("Item") or {}
        waiters = item.get("waiters") or {}
        for holder, entry in sorted(waiters.items(), key=lambda pair: int(pair[1]["since"])):
            if not self._claim(str(holder), str(entry["receipt"])):
                continue  # another releaser woke it, or a redelivery replaced its receipt
            try:
                self.queue.delay(str(entry["queueArn"]), str(entry["receipt"]), 0)
                return True
            except ClientError:
                continue  # that delivery is over (received again, deleted, expired): try the next
        return False

    def _claim(self, holder: str, receipt: str | None) -> bool:
        """Remove ``holder``'s entry (only if it still has ``receipt``, when given); True if this call removed it."""
        return _remove_entry(self.table, self.key, "waiters", holder, expected=receipt, field="receipt")


def _remove_entry(
    table: Any, key: dict[str, str], map_name: str, holder: str, *, expected: object = None, field: str = ""
) -> bool:
    """Remove ``holder`` from the map ``map_name`` of item ``key``; with ``expected``, only if the entry (or its
    ``field``) still holds that value. True if this call removed it (a lost race or an absent entry: False)."""
    entry = f"{map_name}.#h"
    request: dict[str, Any] = {
        "Key": key,
        "UpdateExpression": f"REMOVE {entry}",
        "ConditionExpression": f"attribute_exists({entry})",
        "ExpressionAttributeNames": {"#h": holder},
    }
    if expected is not None:
        request["ConditionExpression"] = f"{entry}{'.' + field if field else ''} = :v"
        request["ExpressionAttributeValues"] = {":v": expected}
    return conditional(table.update_item, **request) is not None


class WakingSlots:
    """Job slots whose every release wakes one waiting upload."""

    def __init__(self, slots: DynamoJobSlots, waiting: WaitingUploads) -> None:
        self.slots, self.waiting = slots, waiting

    def acquire(self, holder: str, limit: int, now: float, lease_seconds: int) -> bool:
        """As ``DynamoJobSlots.acquire``."""
        return self.slots.acquire(holder, limit, now, lease_seconds)

    def release(self, holder: str) -> bool:
        """Give the slot back and hand it to the next waiting upload."""
        released = self.slots.release(holder)
        if released:
            self.waiting.wake_one()
        return released

    def held(self) -> dict[str, int]:
        """As ``DynamoJobSlots.held``."""
        return self.slots.held()


FALLBACK = "fallback"


def fallback_slots(
    table_name: str, queue: Any | None = None, dynamodb: Any | None = None
) -> DynamoJobSlots | WakingSlots:
    """The fallback executions' semaphore (``QUOTA#fallback``); with ``queue``, each release wakes a waiting upload."""
    slots = DynamoJobSlots(table_name, kind=FALLBACK, dynamodb=dynamodb)
    if queue is None:
        return slots
    return WakingSlots(slots, WaitingUploads(table_name, queue, kind=FALLBACK, dynamodb=dynamodb))
