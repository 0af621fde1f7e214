"""Checks every request passes before it reaches a route: who sent it, under which host
name, from which web page, and with what body.

Pure ASGI middleware, like the metrics middleware, so a refused request costs no route
lookup, no database session and no body read, and streaming responses pass untouched.

``AccessGuard`` (outermost):

- the ``Host`` header must be a name the server answers to (``Settings.trusted_hosts``):
  a DNS-rebinding page reaches a loopback server under the attacker's own name, and links
  the API builds must not carry a name a client made up;
- a state-changing request (POST, PUT, PATCH, DELETE) sent by a browser from another site
  is refused: its ``Origin`` must name a trusted host, and ``Sec-Fetch-Site: cross-site``
  is refused outright, so a page on the internet cannot post forms to a local server;
- with ``PLANSITE_API_TOKEN`` set, every route but the probes and ``/metrics`` needs
  ``Authorization: Bearer <token>``, compared in constant time.

``JsonBodyGuard``: a request body other than a plan-set upload (which streams to disk with
its own limit) is read into memory only up to ``PLANSITE_MAX_JSON_KB``, must be declared
JSON, must parse, and must not carry NUL characters, which PostgreSQL text and JSONB
columns reject; each failure is a problem document rather than a 422 from deep inside
FastAPI or a 500 from the database.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from starlette.datastructures import Headers

from plansite.api.problems import problem_at
from plansite.settings import Settings

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# Probes and the scrape answer orchestrators and Prometheus, which address the process by
# its pod IP and hold no token; they reveal nothing about projects (keep /metrics internal).
OPEN_PATHS = frozenset({"/health", "/ready", "/metrics"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The one route whose body is not JSON: the multipart plan-set upload (``uploads.py``).
UPLOAD_ROUTE = re.compile(r"^/api/v1/projects/[^/]+/blueprints/?$")


class AccessGuard:
    """Host allow-list, cross-site refusal and the optional bearer token."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.hosts = settings.trusted_hosts
        self.token = settings.api_token.encode() if settings.api_token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return

        refusal = self._refusal(scope, Headers(scope=scope))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope, headers: Headers):
        path = scope["path"]
        host = host_name(headers.get("host", ""))
        if not host or (self.hosts is not None and host not in self.hosts):
            return problem_at(
                path, 400, "untrusted_host", "untrusted host",
                "the Host header names a host this server does not answer to; "
                "the operator lists the names in PLANSITE_ALLOWED_HOSTS",
            )

        if scope["method"] in STATE_CHANGING and self._cross_site(headers, host):
            return problem_at(
                path, 403, "cross_origin", "cross-site request refused",
                "a web page from another site may not change data here; "
                "call the API from a script or from this server's own pages",
            )

        if self.token is not None and not self._authorized(headers):
            return problem_at(
                path, 401, "unauthorized", "unauthorized",
                "send the API token as 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": 'Bearer realm="plansite"'},
            )
        return None

    def _cross_site(self, headers: Headers, host: str) -> bool:
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            return True
        origin = headers.get("origin")
        if origin is None:
            return False
        trusted = self.hosts if self.hosts is not None else frozenset({host})
        return host_name(urlsplit(origin).netloc) not in trusted

    def _authorized(self, headers: Headers) -> bool:
        scheme, _, presented = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        # compare_digest takes as long for a near miss as for a wild guess.
        return hmac.compare_digest(presented.strip().encode(), self.token)


def host_name(value: str) -> str:
    """The host part of a ``Host`` header or an origin's netloc, as settings spell it:
    ``[::1]:5000`` → ``::1``, ``LocalHost.:80`` → ``localhost``."""
    value = value.strip().lower()
    if "@" in value:
        return ""
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


class JsonBodyGuard:
    """Bounded, declared, well-formed, NUL-free JSON bodies on every route but the upload."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        path = scope["path"]
        if "\x00" in path or b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
            await _nul_refusal(path)(scope, receive, send)
            return

        is_upload = scope["method"] == "POST" and UPLOAD_ROUTE.match(path)
        if scope["method"] not in STATE_CHANGING or is_upload:
            await self.app(scope, receive, send)
            return

        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(path)(scope, receive, send)
            return

        body, complete = await self._read(receive)
        if not complete:
            if body is not None:
                await self._too_large(path)(scope, receive, send)
            return

        refusal = _check_json(path, headers, body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> tuple[bytes | None, bool]:
        """The whole body, or stop one chunk past the limit: (body, True) when read,
        (partial, False) when too large, (None, False) when the client went away."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None, False
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return b"", False
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), True

    def _too_large(self, path: str):
        limit_kib = self.max_bytes / 2**10
        # Close the connection: otherwise the server would read and drop the rest of a
        # body that may be hundreds of megabytes.
        return problem_at(
            path, 413, "body_too_large", "request body too large",
            f"JSON bodies are limited to {limit_kib:g} KiB (PLANSITE_MAX_JSON_KB); "
            "drawings go to the upload route",
            headers={"Connection": "close"},
        )


def _check_json(path: str, headers: Headers, body: bytes):
    """The refusal for a body that is not JSON, not well-formed or carries NUL; else None."""
    if not body:
        return None

    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        shown = media_type or "none"
        return problem_at(
            path, 415, "unsupported_media_type", "unsupported media type",
            f"this route takes JSON; send 'Content-Type: application/json' "
            f"(the request said {shown[:80]!r})",
        )

    try:
        document = json.loads(body)
    except json.JSONDecodeError as exc:
        return _malformed(path, f"{exc.msg} at line {exc.lineno} column {exc.colno}")
    except UnicodeDecodeError:
        return _malformed(path, "it is not UTF-8 text")
    except RecursionError:
        return _malformed(path, "it is nested too deeply")

    if _has_nul(document):
        return _nul_refusal(path)
    return None


def _malformed(path: str, why: str):
    return problem_at(path, 400, "malformed_json", "malformed JSON",
                      f"the request body is not valid JSON: {why}")


def _nul_refusal(path: str):
    return problem_at(
        path, 422, "invalid_request", "invalid request",
        "text may not contain NUL characters (\\u0000)",
        errors=[{"loc": ["body"], "msg": "NUL character in text", "type": "nul_character"}],
    )


def _has_nul(document: Any) -> bool:
    """Whether any string or key of a parsed document holds NUL (iterative: no recursion
    limit to hit on a deep document that json.loads accepted)."""
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the buffered body to the app once, then the real channel
    (so the app still hears a client disconnect)."""
    delivered = False

    async def replay() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
