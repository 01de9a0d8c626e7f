"""The fallback semaphore is its own DynamoDB item: fallback executions never take Rekognition's slots."""

from __future__ import annotations

import boto3

from segments.adapters.job_slots import DynamoJobSlots, fallback_slots


def test_fallback_slots_live_in_their_own_item_and_do_not_count_against_rekognition(segments_table: str) -> None:
    fallback = fallback_slots(segments_table)
    rekognition = DynamoJobSlots(segments_table)
    assert fallback.acquire("fb-1", 1, 1000, 60)
    assert not fallback.acquire("fb-2", 1, 1000, 60)  # the one fallback slot is held
    assert rekognition.acquire("token-1", 1, 1000, 60)  # Rekognition's slot is still free
    table = boto3.resource("dynamodb").Table(segments_table)
    item = table.get_item(Key={"pk": "QUOTA#fallback", "sk": "SLOTS"})["Item"]
    assert set(item["holders"]) == {"fb-1"}
    assert fallback.release("fb-1") and fallback.acquire("fb-2", 1, 1000, 60)
