"""The viewer's static page (``static/``) and how local mode serves it and runs the thumbnail step.

In AWS the page sits in a private bucket behind CloudFront (``infra/constructs/viewer.py``);
locally the read API's server answers ``/`` and ``/viewer/*`` from here and every other path
as before, and thumbnails are drawn in a worker thread after each completed job.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = ("app.js", "style.css")
# The same headers CloudFront adds in AWS (infra/constructs/viewer.py), minus HSTS on plain-HTTP localhost.
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' blob: data: http://127.0.0.1:* http://localhost:*; "
        "media-src 'self' blob: http://127.0.0.1:* http://localhost:*; "
        "connect-src 'self' http://127.0.0.1:* http://localhost:*; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ),
]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
logger = logging.getLogger(__name__)


def page_file(path: str) -> Path | None:
    """The static file a request path names (``/`` is the page), or None for every other path."""
    if path in ("/", "/index.html"):
        return STATIC / "index.html"
    if path.startswith("/viewer/") and path[len("/viewer/") :] in ASSETS:
        return STATIC / path[len("/viewer/") :]
    return None


def with_viewer(api: WsgiApp, config: dict[str, Any] | None = None) -> WsgiApp:
    """A WSGI app serving the page at ``/`` (config at ``/viewer/config.json``) and ``api`` everywhere else."""
    config_body = json.dumps(config or {"apiUrl": "", "auth": None}).encode()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/") or "/"
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return api(environ, start_response)
        if path == "/viewer/config.json":
            body, kind = config_body, "application/json"
        elif (file := page_file(path)) is not None:
            body, kind = file.read_bytes(), mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        else:
            return api(environ, start_response)
        headers = [("Content-Type", kind), ("Content-Length", str(len(body))), ("Cache-Control", "no-cache")]
        start_response("200 OK", headers + SECURITY_HEADERS)
        return [body]

    return app


def viewer_cors(origin: str) -> dict[str, Any]:
    """Bucket CORS letting the page at ``origin`` POST uploads (and read media) with presigned URLs."""
    return {
        "CORSRules": [
            {
                "AllowedOrigins": [origin],
                "AllowedMethods": ["GET", "HEAD", "POST"],
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 3000,
            }
        ]
    }


class LocalThumbnails:
    """Runs the thumbnail step for jobs named in completion batches, one at a time in a worker thread."""

    def __init__(self, bucket: str, table_name: str) -> None:
        self.bucket, self.table_name = bucket, table_name
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thumbnails")

    def after(self, handler: Callable[[dict[str, Any], Any], Any]) -> Callable[[dict[str, Any], Any], Any]:
        """Wrap the collect handler: once it returns, queue the step for each job in the batch."""

        def wrapped(event: dict[str, Any], context: Any) -> Any:
            result = handler(event, context)
            from segments.domain.events import completion_from_sns_body

            for record in event.get("Records", []):
                try:
                    job_id = completion_from_sns_body(record["body"]).job_id
                except Exception:  # not a completion: the collector already reported it
                    logger.debug("no job id in a completion record", exc_info=True)
                    continue
                self.submit(job_id)
            return result

        return wrapped

    def submit(self, job_id: str) -> None:
        """Queue the thumbnail step for a job that just succeeded (a fallback's stitch calls this)."""
        self.pool.submit(self._run, job_id)

    def _run(self, job_id: str) -> None:
        from segments.adapters.media import MediaBucket
        from segments.adapters.segment_queries import SegmentQueries
        from segments.handlers.thumbnails import thumbnail_job

        try:
            store, media = SegmentQueries(self.table_name), MediaBucket(self.bucket, self.table_name)
            thumbnail_job(job_id, store=store, media=media)
        except Exception:  # the worker must survive: the step records its own failures, this is the table
            logger.exception("thumbnail step for %s failed", job_id)

    def shutdown(self) -> None:
        """Finish the running step; drop queued ones (they run again after the next completion)."""
        self.pool.shutdown(wait=True, cancel_futures=True)
