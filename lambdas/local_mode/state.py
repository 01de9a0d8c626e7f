"""What survives a stop (SIGINT or SIGKILL) of the local stack: objects with their versions, items, queued messages.

A snapshot is written every two seconds while anything changes and once more on a clean stop;
a restart restores it before any poller, job or notification runs. What a SIGKILL loses between
two snapshots is recovered by :func:`reconcile` (uploads with no video yet) and by the sweeper
(jobs whose completion was lost).
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from segments.domain import keys

STATE_FILE = "state.json"


def _object_path(data: Path, key: str, version_id: str) -> Path:
    name = base64.urlsafe_b64encode(f"{key}\n{version_id}".encode()).decode()
    return data / "objects" / name


def _moto_bucket(account: str, bucket: str) -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[account]["aws"].buckets[bucket]


def moto_queue(account: str, region: str, name: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[account][region].queues.get(name)


def snapshot(data: Path, *, s3: Any, ddb: Any, bucket: str, table: str, queues: dict[str, Any]) -> None:
    """Write the bucket's current object versions, the table's items and the queues' messages to ``data``."""
    objects = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for listed in page.get("Contents", []):
            head = s3.head_object(Bucket=bucket, Key=listed["Key"])
            version = str(head.get("VersionId") or "")
            path = _object_path(data, listed["Key"], version)
            if not path.exists():  # one file per version: an overwrite of the same size is a new file
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(s3.get_object(Bucket=bucket, Key=listed["Key"], VersionId=version)["Body"].read())
                tmp.replace(path)
            objects.append({"key": listed["Key"], "versionId": version})
    items = [
        item
        for page in ddb.get_paginator("scan").paginate(TableName=table)
        for item in page["Items"]
        # Slot leases are rebuilt from the jobs still running: a lease of a dead process would leak.
        if not item["pk"]["S"].startswith("QUOTA#")
    ]
    # Every message still in a queue, in flight or not: a handler killed mid-batch gets it again.
    messages = {name: [m.body for m in list(queue._messages)] for name, queue in queues.items() if queue is not None}
    state = {"objects": objects, "items": items, "messages": messages, "at": time.time()}
    tmp = data / "state.tmp"
    tmp.write_text(json.dumps(state))
    tmp.replace(data / STATE_FILE)


def load(data: Path) -> dict[str, Any] | None:
    """The last snapshot, or None."""
    path = data / STATE_FILE
    return dict(json.loads(path.read_text())) if path.exists() else None


def restore_objects_and_items(
    data: Path, state: dict[str, Any], *, s3: Any, ddb: Any, bucket: str, table: str, account: str
) -> None:
    """Put back every object under its original version id, then every item (before any notification exists)."""
    moto_bucket = _moto_bucket(account, bucket)
    for entry in state.get("objects", []):
        key, version = str(entry["key"]), str(entry.get("versionId") or "")
        source = _object_path(data, key, version)
        if not source.exists():
            continue
        s3.put_object(Bucket=bucket, Key=key, Body=source.read_bytes())
        if version:
            # Jobs and videos name the version they analysed; keep that name valid across restarts.
            moto_bucket.keys[key]._version_id = version
    for item in state.get("items", []):
        ddb.put_item(TableName=table, Item=with_search_keys(item))


def with_search_keys(item: dict[str, Any]) -> dict[str, Any]:
    """A snapshot item (DynamoDB JSON) as restored: a segment saved by a version without the
    library-wide search gains the index keys put_segments writes (segment-backfill-search's job in AWS)."""
    sk = item.get("sk", {}).get("S", "")
    if not sk.startswith(keys.SEGMENT_PREFIX) or "gsi2pk" in item or "segment" not in item:
        return item
    index = keys.search_keys(item["pk"]["S"], sk, json.loads(item["segment"]["S"]))
    return {**item, **{name: {"S": value} for name, value in index.items()}}


def restore_messages(state: dict[str, Any], *, sqs: Any, urls: dict[str, str]) -> int:
    """Send the snapshot's queued messages again (handlers are idempotent, so a duplicate is harmless)."""
    sent = 0
    for name, bodies in (state.get("messages") or {}).items():
        for body in bodies:
            if name in urls:
                sqs.send_message(QueueUrl=urls[name], MessageBody=body)
                sent += 1
    return sent


def reconcile(*, s3: Any, sqs: Any, ddb: Any, bucket: str, table: str, uploads_url: str) -> int:
    """Send an upload event for every object that has no video item (its event died with the process)."""
    sent = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for listed in page.get("Contents", []):
            video_id = keys.video_id_for_key(listed["Key"])
            found = ddb.get_item(TableName=table, Key={"pk": {"S": keys.video_pk(video_id)}, "sk": {"S": "VIDEO"}})
            if "Item" in found:
                continue
            head = s3.head_object(Bucket=bucket, Key=listed["Key"])
            obj = {"key": quote_plus(listed["Key"]), "versionId": head.get("VersionId") or "", "size": listed["Size"]}
            record = {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": bucket}, "object": obj}}
            sqs.send_message(QueueUrl=uploads_url, MessageBody=json.dumps({"Records": [record]}))
            sent += 1
    return sent


def rebuild_slot_leases(*, store: Any, slots: Any, limit: int, lease_seconds: int) -> int:
    """Give every Rekognition job still IN_PROGRESS its slot back (leases are not restored)."""
    held = 0
    for video in store.overdue_videos("IN_PROGRESS", "9999", 10_000):
        job = store.get_job(video.job_id) if video.job_id else None
        if job is not None and not job.terminal and job.source == "rekognition" and job.client_request_token:
            slots.acquire(job.client_request_token, max(limit, 1) * 1000, time.time(), lease_seconds)
            held += 1
    return held
