"""The fallback state machine at local scale: executions started on moto's Step Functions run here, in threads.

The start and collect handlers launch the fallback exactly as in AWS (``StartExecution`` named after
the JobId); this runner picks up RUNNING executions and runs the container's steps (plan, detect
each chunk, stitch; record the failure otherwise), as the state machine would, then ends them.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fallback_image import steps
from fallback_image.entry import S3Objects
from segments.adapters.job_slots import fallback_slots
from segments.adapters.queue import Queue
from segments.adapters.store import SegmentStore
from segments.settings import CHUNK_RESULTS_PREFIX

NAME = "fallback"
# Never run: moto does not execute definitions; the runner below plays the state machine.
DEFINITION = json.dumps({"StartAt": "Local", "States": {"Local": {"Type": "Succeed"}}})
CHUNK_SECONDS = 1200


def create_state_machine(sfn: Any, account: str) -> str:
    """The (inert) fallback state machine the handlers launch; returns its ARN."""
    role = f"arn:aws:iam::{account}:role/local-fallback"
    return str(sfn.create_state_machine(name=NAME, definition=DEFINITION, roleArn=role)["stateMachineArn"])


class LocalFallbackRunner:
    """Polls RUNNING executions of the fallback state machine and runs each once."""

    def __init__(
        self,
        sfn: Any,
        state_machine_arn: str,
        *,
        bucket: str,
        table: str,
        workers: int = 2,
        on_stitched: Callable[[str], object] | None = None,
    ) -> None:
        self.sfn, self.arn = sfn, state_machine_arn
        self.bucket, self.table = bucket, table
        self.on_stitched = on_stitched  # what the table stream starts in an account (the thumbnail step)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="local-fallback")
        self.taken: set[str] = set()
        self.lock = threading.Lock()

    def poll(self) -> int:
        """Start every RUNNING execution not yet taken; returns how many were started."""
        listed = self.sfn.list_executions(stateMachineArn=self.arn, statusFilter="RUNNING")["executions"]
        started = 0
        for execution in listed:
            arn = str(execution["executionArn"])
            with self.lock:
                if arn in self.taken:
                    continue
                self.taken.add(arn)
            job = json.loads(self.sfn.describe_execution(executionArn=arn)["input"])
            self.pool.submit(self._run, arn, job)
            started += 1
        return started

    def _run(self, arn: str, job: dict[str, Any]) -> None:
        objects, store = S3Objects(self.bucket), SegmentStore(self.table)
        slots = fallback_slots(self.table, Queue())  # as the container's steps, plus the wake-up of a waiting upload
        try:
            planned = steps.plan(job, objects=objects, store=store, chunk_seconds=CHUNK_SECONDS)
            results = [
                steps.detect_chunk(job, chunk, objects=objects, prefix=CHUNK_RESULTS_PREFIX)
                for chunk in planned["chunks"]
            ]
            steps.stitch(job, results, objects=objects, store=store, slots=slots)
            if self.on_stitched is not None:
                self.on_stitched(str(job["jobId"]))
        except Exception as exc:  # the state machine's catch: every failure is recorded on the job
            cause = json.dumps({"errorMessage": str(exc)})
            steps.record_failure(job, {"Error": type(exc).__name__, "Cause": cause}, store=store, slots=slots)
        finally:
            try:
                self.sfn.stop_execution(executionArn=arn)
            except Exception:  # an ended execution only stays listed; the taken set keeps it from running twice
                logging.getLogger(__name__).exception("could not end local fallback execution")

    def shutdown(self) -> None:
        """Stop taking work; an unfinished job is launched again by the sweeper after a restart."""
        self.pool.shutdown(wait=False, cancel_futures=True)
