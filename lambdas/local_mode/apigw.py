"""API Gateway REST proxy events from plain HTTP requests, and a WSGI app serving a Lambda handler."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote

from werkzeug.serving import WSGIRequestHandler

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class LocalContext:
    """The parts of a Lambda context the handlers read."""

    function_name = "local-api"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:local-api"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 29_000


def rest_event(
    method: str,
    path: str,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event for ``method path?query``."""
    query = query or {}
    headers = headers or {}
    request_id = str(uuid.uuid4())
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/local{path}",
            "stage": "local",
            "requestId": request_id,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("User-Agent", "")},
            "accountId": "000000000000",
            "apiId": "local",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def wsgi_app(handler: Handler) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A WSGI application that turns each request into a REST proxy event for ``handler``."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = unquote(environ.get("PATH_INFO", "/")) or "/"
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        headers = {
            key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else None
        result = handler(rest_event(environ.get("REQUEST_METHOD", "GET"), path, query, headers, body), LocalContext())
        answer = result.get("body") or ""
        data = base64.b64decode(answer) if result.get("isBase64Encoded") else str(answer).encode("utf-8")
        out_headers: dict[str, str] = dict(result.get("headers") or {})
        for key, values in (result.get("multiValueHeaders") or {}).items():
            out_headers[key] = ", ".join(values)
        out_headers["Content-Length"] = str(len(data))
        status = int(result.get("statusCode", 500))
        start_response(f"{status} {_reason(status)}", list(out_headers.items()))
        return [data]

    return app


class JsonErrorRequestHandler(WSGIRequestHandler):
    """Errors the HTTP server answers before the API sees the request (a URL over 64 KiB, a malformed
    request line) carry the API's ``{"code", "message"}`` body instead of http.server's HTML page."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        reason = _reason(code)
        text = message or reason
        if code == HTTPStatus.REQUEST_URI_TOO_LONG:
            text = "the request URL is too long (at most 65,536 bytes)"
        body = json.dumps(
            {"code": "InvalidParameterException" if code < 500 else "InternalServerError", "message": text}
        ).encode("utf-8")
        self.log_error("code %d, message %s", code, text)
        self.send_response(code, reason)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
