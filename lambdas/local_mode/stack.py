"""The local stack: one AWS-compatible endpoint (moto + our Rekognition emulator), the real handlers, the API.

Everything is wired as in AWS: S3 notifications → upload queue → start handler → Rekognition
(emulated) → SNS → completion queue → collect handler → DynamoDB ← read API. State survives
restarts through snapshots in the data directory.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from werkzeug.serving import BaseWSGIServer, make_server

from local_mode import fallback, s3_events, state
from local_mode.apigw import JsonErrorRequestHandler, LocalContext, wsgi_app
from local_mode.emulator import RekognitionEmulator
from local_mode.resources import create_segments_table
from segments.domain.model import DEFAULT_SEGMENT_TYPES
from segments.settings import DEFAULT_VIDEO_SUFFIXES, ApiSettings, Settings, SweepSettings, powertools_environment
from viewer import LocalThumbnails, viewer_cors, with_viewer

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "segment-videos"
TABLE = "segments"
TOPIC = "rekognition-completions"
UPLOADS = "uploads"
COMPLETIONS = "completions"
SWEEP_EVERY_SECONDS = 5.0


SNAPSHOT_EVERY_SECONDS = 2.0  # how often changed local state is written to the data directory


@dataclass
class LocalConfig:
    """Ports, data directory and limits of the local stack."""

    host: str = "127.0.0.1"
    port: int = 4566
    api_port: int = 8080
    data_dir: Path = Path(".local")
    max_jobs: int = 20


def _dispatcher(moto_app: Any, emulator: RekognitionEmulator) -> Callable[..., Any]:
    """Route Rekognition JSON requests to the emulator and everything else to moto."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("RekognitionService."):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            status, document = emulator.handle(target, environ["wsgi.input"].read(length))
            data = json.dumps(document).encode("utf-8")
            start_response(
                f"{status} {'OK' if status == 200 else 'Error'}",
                [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))],
            )
            return [data]
        if environ.get("PATH_INFO") == "/_local/stats":
            data = json.dumps({"maxRunningJobs": emulator.max_running_seen, "running": emulator.running()}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
            return [data]
        return moto_app(environ, start_response)

    return app


class LocalPipeline:
    """Start, wire, persist and stop the local pipeline."""

    def __init__(self, config: LocalConfig) -> None:
        self.config = config
        self.endpoint = f"http://{config.host}:{config.port}"
        self.api_url = f"http://{config.host}:{config.api_port}"
        self.data = config.data_dir
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.servers: list[BaseWSGIServer] = []
        self.snapshot_lock = threading.Lock()
        self.saved: dict[str, Any] | None = None  # the snapshot this start restored
        self.dirty = threading.Event()

    # -- clients ------------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        """A boto3 client for the local endpoint."""
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
            config=Config(retries={"mode": "standard", "max_attempts": 3}),
        )

    def export_environment(self) -> None:
        """Environment the real handlers read, pointing boto3 at the local endpoint."""
        secret_file = self.data / "pagination-secret"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_hex(32))
        # One process runs every handler, so it carries the union of their environments, each produced
        # by the same models the CDK constructs use.
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                **self.pipeline_settings().environment(),
                **ApiSettings(table_name=TABLE, pagination_secret=secret_file.read_text().strip()).environment(),
                **powertools_environment(
                    "segments-local",
                    namespace="SegmentPipelineLocal",
                    log_level=os.environ.get("LOG_LEVEL", "WARNING"),
                ),
                "POWERTOOLS_TRACE_DISABLED": "1",
                "POWERTOOLS_METRICS_DISABLED": "true",
                # Local-scale sweeper timings: a job with no news for 20 s is checked against the
                # emulator; nothing here legitimately waits for hours.
                **SweepSettings(
                    sweep_overdue_seconds=20,
                    sweep_rekognition_deadline_seconds=3600,
                    sweep_queued_deadline_seconds=3600,
                ).environment(),
                "BUCKET_NAME": BUCKET,  # the viewer routes presign against the local bucket
            }
        )
        os.environ.pop("AWS_PROFILE", None)
        # Metrics are off locally; Powertools still warns on every invocation that none were published.
        warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

    def pipeline_settings(self) -> Settings:
        """The start and collect settings of the local stack (a deployment's defaults at local scale)."""
        return Settings(
            table_name=TABLE,
            topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:{TOPIC}",
            rekognition_role_arn=f"arn:aws:iam::{ACCOUNT}:role/local-rekognition",
            segment_types=DEFAULT_SEGMENT_TYPES,
            video_suffixes=DEFAULT_VIDEO_SUFFIXES,
            # As the default deployment: what Rekognition cannot read (or fails) goes to the fallback.
            detection_mode="rekognition-with-fallback",
            fallback_state_machine_arn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{fallback.NAME}",
            max_receives=1000,
            # The pipeline bounds its own jobs by the emulated quota, as a deployment does by maxConcurrentJobs.
            max_concurrent_jobs=self.config.max_jobs,
            backoff_base_seconds=1,
        )

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the endpoint, create resources, restore data, start pollers and the API."""
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.data.mkdir(parents=True, exist_ok=True)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per SDK call
        self.export_environment()
        self.emulator = RekognitionEmulator(
            self.data, s3_client=lambda: self.client("s3"), sns_client=lambda: self.client("sns"),
            max_jobs=self.config.max_jobs,
        )  # fmt: skip
        s3_events.install()
        moto_app = DomainDispatcherApplication(create_backend_app)
        self._serve(_dispatcher(moto_app, self.emulator), self.config.port)
        # A fresh endpoint, as a new process would have; the data directory is the state.
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")  # noqa: S310
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 - our own loopback endpoint
        # Restore everything before anything runs: no job, poller or notification sees a half-restored stack.
        _untrack_table_items()
        self._create_resources()
        from segments.handlers import api, collect, start, sweep

        for handler_module in (start, collect, sweep):
            handler_module.adapters.cache_clear()  # clients of a previous stack in this process point elsewhere
            handler_module.fallback_slot_adapter.cache_clear()
        sweep.completion_events.cache_clear()
        self._restore_in_flight_work()
        self.emulator.resume()
        self._serve(with_viewer(wsgi_app(api.handler)), self.config.api_port, JsonErrorRequestHandler)
        self.thumbnails = LocalThumbnails(BUCKET, TABLE)
        self.fallback = fallback.LocalFallbackRunner(
            self.client("stepfunctions"),
            self.pipeline_settings().fallback_state_machine_arn,
            bucket=BUCKET,
            table=TABLE,
            on_stitched=self.thumbnails.submit,
        )
        self._spawn(self._fallback_loop)
        self._poll(UPLOADS, start.handler)
        self._poll(COMPLETIONS, self.thumbnails.after(collect.handler))
        self._spawn(lambda: self._sweep_loop(sweep.handler))
        self._spawn(self._snapshot_loop)

    def stop(self) -> None:
        """Stop pollers and servers and write a final snapshot."""
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=10)
        self.thumbnails.shutdown()
        self.fallback.shutdown()
        self.snapshot()
        self.emulator.shutdown()
        for server in self.servers:
            server.shutdown()

    def _spawn(self, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _serve(self, app: Callable[..., Any], port: int, request_handler: type[Any] | None = None) -> None:
        server = make_server(self.config.host, port, app, threaded=True, request_handler=request_handler)
        self.servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def _create_resources(self) -> None:
        s3, sqs, sns, ddb = (self.client(s) for s in ("s3", "sqs", "sns", "dynamodb"))
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration=viewer_cors(self.api_url))
        create_segments_table(ddb, TABLE)
        fallback.create_state_machine(self.client("stepfunctions"), ACCOUNT)
        self.saved = state.load(self.data)
        if self.saved is not None:  # before notifications exist, so restored objects start no new jobs
            state.restore_objects_and_items(
                self.data, self.saved, s3=s3, ddb=ddb, bucket=BUCKET, table=TABLE, account=ACCOUNT
            )
        attrs = {"VisibilityTimeout": "5"}
        uploads = sqs.create_queue(QueueName=UPLOADS, Attributes=attrs)["QueueUrl"]
        completions = sqs.create_queue(QueueName=COMPLETIONS, Attributes=attrs)["QueueUrl"]
        topic = sns.create_topic(Name=TOPIC)["TopicArn"]
        arn = sqs.get_queue_attributes(QueueUrl=completions, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        uploads_arn = sqs.get_queue_attributes(QueueUrl=uploads, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        # As in the deployment: every new object is queued and the start handler keeps the video suffixes,
        # case-insensitively (S3 suffix filters are case-sensitive, so `CLIP.MP4` would never arrive).
        s3.put_bucket_notification_configuration(
            Bucket=BUCKET,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {"QueueArn": uploads_arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
                ]
            },
        )

    # -- event delivery -------------------------------------------------------------------------
    def _poll(self, queue: str, handler: Callable[[dict[str, Any], Any], Any]) -> None:
        sqs = self.client("sqs")
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

        def loop() -> None:
            while not self.stop_event.is_set():
                messages = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"]
                ).get("Messages", [])
                if not messages:
                    continue
                records = [_sqs_record(m, arn) for m in messages]
                result = handler({"Records": records}, LocalContext()) or {}
                failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
                for message in messages:
                    if message["MessageId"] not in failed:
                        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                self.dirty.set()

        self._spawn(loop)

    # -- persistence ----------------------------------------------------------------------------
    def _snapshot_loop(self) -> None:
        while not self.stop_event.wait(SNAPSHOT_EVERY_SECONDS):
            self.snapshot_if_changed()

    def snapshot_if_changed(self) -> bool:
        """One tick of the snapshot loop: save if anything changed; True when a snapshot was written.

        A snapshot that fails (an object deleted while it was being copied) leaves the state due,
        so the next tick saves it: nothing changed since the last good snapshot is ever dropped.
        """
        if not self.dirty.is_set():
            return False
        self.dirty.clear()
        try:
            self.snapshot()
        except Exception:
            logging.getLogger(__name__).exception("local snapshot failed; retrying at the next tick")
            self.dirty.set()
            return False
        return True

    def snapshot(self) -> None:
        """Write objects (per version), items and queued messages to the data directory."""
        with self.snapshot_lock:
            queues = {name: state.moto_queue(ACCOUNT, REGION, name) for name in (UPLOADS, COMPLETIONS)}
            state.snapshot(
                self.data, s3=self.client("s3"), ddb=self.client("dynamodb"), bucket=BUCKET, table=TABLE, queues=queues
            )

    def _restore_in_flight_work(self) -> None:
        """Queued messages back in their queues, lost uploads re-announced, running jobs' slots held again."""
        from segments.adapters.job_slots import DynamoJobSlots
        from segments.adapters.store import SegmentStore

        sqs, settings = self.client("sqs"), self.pipeline_settings()
        urls = {name: sqs.get_queue_url(QueueName=name)["QueueUrl"] for name in (UPLOADS, COMPLETIONS)}
        if self.saved is not None:
            state.restore_messages(self.saved, sqs=sqs, urls=urls)
        state.reconcile(
            s3=self.client("s3"), sqs=sqs, ddb=self.client("dynamodb"), bucket=BUCKET, table=TABLE,
            uploads_url=urls[UPLOADS],
        )  # fmt: skip
        state.rebuild_slot_leases(
            store=SegmentStore(TABLE),  # the handlers' own adapters: AWS_ENDPOINT_URL is the local endpoint
            slots=DynamoJobSlots(TABLE),
            limit=settings.max_concurrent_jobs,
            lease_seconds=settings.job_lease_seconds,
        )

    def _fallback_loop(self) -> None:
        while not self.stop_event.wait(0.5):
            try:
                if self.fallback.poll():
                    self.dirty.set()
            except Exception:  # a failed poll is retried at the next tick
                logging.getLogger(__name__).exception("local fallback poll failed")

    def _sweep_loop(self, handler: Callable[[dict[str, Any], Any], Any]) -> None:
        # The deployment's EventBridge schedule, at local scale.
        while not self.stop_event.wait(SWEEP_EVERY_SECONDS):
            try:
                handler({"detail-type": "Scheduled Event", "source": "local", "detail": {}}, LocalContext())
            except Exception:  # a failed sweep is retried at the next tick, as the schedule would
                logging.getLogger(__name__).exception("local sweep failed")
            self.dirty.set()


def _untrack_table_items() -> None:
    """Stop moto remembering every DynamoDB item it ever built (for its dashboard only).

    Each Query deep-copies the items it reads and moto's instance tracker keeps every copy, so
    the stack grew by the size of each page read (~1.4 MB per 1,000-item page) for good.
    """
    from collections import deque

    from moto.dynamodb.models.dynamo_type import Item

    Item.instances_tracked = deque(maxlen=0)  # type: ignore[attr-defined]


def _sqs_record(message: dict[str, Any], arn: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": REGION,
    }
