"""Give segments stored before the search index (``gsi2``) existed their index keys.

Segments written by a version without the library-wide search carry no ``gsi2pk``/``gsi2sk``,
so ``GET /segments`` never finds them. This scans the table for exactly those items and sets the
keys ``put_segments`` would have written. It is idempotent and safe beside a running pipeline:
each update is conditioned on the item still existing without index keys, so a rewrite by the
collector (which writes the keys itself) or a deletion is never undone. Run it again to resume
after an interruption: what was done is filtered out by the scan.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Attr

from segments.adapters.store import conditional
from segments.domain import keys


@dataclass
class BackfillReport:
    """What a backfill did so far."""

    scanned: int = 0  # items DynamoDB read (what the scan is billed on)
    missing: int = 0  # segment items found without search keys
    indexed: int = 0  # ... given their keys by this run
    skipped: int = 0  # ... changed or deleted by someone else before the update (nothing to do)
    pages: int = 0


def backfill_search_keys(
    table: Any,
    *,
    page_size: int = 1000,
    dry_run: bool = False,
    on_page: Callable[[BackfillReport], None] | None = None,
) -> BackfillReport:
    """Scan ``table`` (a boto3 Table) and index every segment item that has no search keys."""
    report = BackfillReport()
    request: dict[str, Any] = {
        "FilterExpression": Attr("sk").begins_with(keys.SEGMENT_PREFIX) & Attr("gsi2pk").not_exists(),
        "ProjectionExpression": "pk, sk, #seg",
        "ExpressionAttributeNames": {"#seg": "segment"},
        "Limit": page_size,
    }
    while True:
        page = table.scan(**request)
        report.pages += 1
        report.scanned += int(page.get("ScannedCount", 0))
        for item in page.get("Items", []):
            report.missing += 1
            if dry_run:
                continue
            pk, sk = str(item["pk"]), str(item["sk"])
            index = keys.search_keys(pk, sk, json.loads(str(item["segment"])))
            done = conditional(
                table.update_item,
                Key={"pk": pk, "sk": sk},
                UpdateExpression="SET gsi2pk=:p, gsi2sk=:s",
                ConditionExpression=Attr("pk").exists() & Attr("gsi2pk").not_exists(),
                ExpressionAttributeValues={":p": index["gsi2pk"], ":s": index["gsi2sk"]},
            )
            if done is None:
                report.skipped += 1
            else:
                report.indexed += 1
        if on_page is not None:
            on_page(report)
        start = page.get("LastEvaluatedKey")
        if not start:
            return report
        request["ExclusiveStartKey"] = start
