"""Request guard (pure ASGI): token, Host and Origin checks, request body size limit.

- With a token, every request must carry it: ``Authorization: Bearer TOKEN``,
  the ``nansei_token`` cookie, or ``?token=TOKEN`` (which also sets the cookie,
  so a browser opened on the printed URL keeps working). Otherwise: 401.
- Bound to a loopback address, the ``Host`` header must name a loopback host
  (a DNS-rebinding guard); a state-changing request whose ``Origin`` is another
  site is refused (403).
- Bodies larger than ``max_body`` bytes get 413; bodies of unknown length 411.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

__all__ = ["COOKIE", "LOOPBACK", "RequestGuard", "is_loopback"]

COOKIE = "nansei_token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_SAFE = ("GET", "HEAD", "OPTIONS")

ASGIApp = Callable[..., Awaitable[None]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost``."""
    h = host.strip("[]").lower()
    return h in LOOPBACK or h.startswith("127.")


def _host_only(value: str) -> str:
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class RequestGuard:
    """ASGI middleware applying the checks in the module docstring.

    Parameters
    ----------
    app : ASGI app
    token : str or None
        Required token (None: no token check).
    loopback_only : bool
        Check that the ``Host`` header names a loopback host.
    max_body : int
        Largest accepted request body (bytes).
    """

    def __init__(self, app: ASGIApp, token: str | None, loopback_only: bool, max_body: int):
        self.app = app
        self.token = token
        self.loopback_only = loopback_only
        self.max_body = int(max_body)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"]
        host = headers.get("host", "")
        if self.loopback_only and not is_loopback(_host_only(host)):
            await _plain(send, 403, "Forbidden: unexpected Host header")
            return
        set_cookie = False
        if self.token is not None:
            ok, set_cookie = self._token_ok(scope, headers)
            if not ok:
                await _plain(
                    send,
                    401,
                    "Unauthorized: this nansei server needs its token "
                    "(open the URL printed by `nansei serve`, or send Authorization: Bearer TOKEN)",
                    [(b"www-authenticate", b"Bearer")],
                )
                return
        if method not in _SAFE:
            origin = headers.get("origin")
            if origin and origin != "null" and urlsplit(origin).netloc != host:
                await _plain(send, 403, "Forbidden: cross-site request")
                return
            length = headers.get("content-length")
            if length is None and "chunked" in headers.get("transfer-encoding", ""):
                await _plain(send, 411, "Length Required: send a Content-Length")
                return
            try:
                n = int(length or 0)
            except ValueError:
                await _plain(send, 400, "Bad Request: invalid Content-Length")
                return
            if n > self.max_body:
                await _plain(
                    send,
                    413,
                    f"Request too large: {n} bytes; the limit is {self.max_body} bytes",
                )
                return
        if set_cookie:
            send = _with_cookie(send, self.token)
        await self.app(scope, receive, send)

    def _token_ok(self, scope, headers) -> tuple[bool, bool]:
        assert self.token is not None
        want = self.token.encode()
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(
            auth[7:].strip().encode(), want
        ):
            return True, False
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:
            cookie = SimpleCookie()
        if COOKIE in cookie and hmac.compare_digest(cookie[COOKIE].value.encode(), want):
            return True, False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        for value in query.get("token", []):
            if hmac.compare_digest(value.encode(), want):
                return True, True
        return False, False


def _with_cookie(send, token: str):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
            message = {
                **message,
                "headers": [*message["headers"], (b"set-cookie", cookie.encode())],
            }
        await send(message)

    return wrapped


async def _plain(send, status: int, text: str, extra: list | None = None) -> None:
    body = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>nansei: error</title></head>"
        f"<body><h1>{status}</h1><p class='error-message'>{_escape(text)}</p></body></html>"
    ).encode()
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
