"""Request guard (pure ASGI): token, Host and Origin checks, request body size limit.

- With a token, every request must carry it: ``Authorization: Bearer TOKEN``,
  the ``nansei_token`` cookie, or ``?token=TOKEN`` (which also sets the cookie,
  so a browser opened on the printed URL keeps working). Otherwise: 401.
- Bound to a loopback address, the ``Host`` header must be exactly a loopback
  name with an optional port: ``localhost``, an IPv4 address in 127.0.0.0/8 or
  ``[::1]`` (a DNS-rebinding guard: ``127.0.0.1.evil.example`` is refused, 403).
- A state-changing request (anything but GET, HEAD, OPTIONS) is refused (403)
  if its ``Origin`` is ``null`` (a sandboxed frame, a ``file:`` page) or any
  origin other than the server's own (``http://`` + the ``Host`` header), or if
  it has no ``Origin`` and the browser marks it cross-site (``Sec-Fetch-Site``)
  or its ``Referer`` is another site. Clients that are not browsers (curl, httpx)
  send none of these and are not affected.
- Bodies larger than ``max_body`` bytes get 413; bodies of unknown length 411.
- A token shorter than :data:`MIN_TOKEN_CHARS` characters is refused at start-up.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

__all__ = ["COOKIE", "LOOPBACK", "MIN_TOKEN_CHARS", "RequestGuard", "is_loopback"]

COOKIE = "nansei_token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Shortest accepted ``--token``.
MIN_TOKEN_CHARS = 16
_SAFE = ("GET", "HEAD", "OPTIONS")
_HOST = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.\-]+))(?::\d{1,5})?$")

ASGIApp = Callable[..., Awaitable[None]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is exactly ``localhost`` or a loopback IP address (no port)."""
    h = host.strip()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if h.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def loopback_host_header(value: str) -> bool:
    """Whether a ``Host`` header names a loopback host: ``NAME[:PORT]`` or ``[V6][:PORT]``."""
    m = _HOST.match(value.strip())
    if not m:
        return False
    if m.group("v6") is not None:
        return is_loopback(m.group("v6")) and ":" in m.group("v6")
    name = m.group("name")
    return is_loopback(name) and ":" not in name


def _same_site(url: str, host: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host


def cross_site(headers: dict[str, str]) -> str | None:
    """Why a state-changing request looks cross-site, or None if it does not.

    The request's own site is ``http(s)://`` + its ``Host`` header (host and port).
    """
    host = headers.get("host", "").strip().lower()
    origin = headers.get("origin")
    if origin is not None:
        if origin.strip().lower() == "null":
            return "Origin: null, a sandboxed or local page"
        if not _same_site(origin, host):
            return "Origin is another site"
        return None
    if headers.get("sec-fetch-site", "").strip().lower() == "cross-site":
        return "Sec-Fetch-Site: cross-site"
    referer = headers.get("referer")
    if referer and not _same_site(referer, host):
        return "Referer is another site"
    return None


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
        if self.loopback_only and not loopback_host_header(host):
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
            why = cross_site(headers)
            if why:
                await _plain(send, 403, f"Forbidden: cross-site request ({why})")
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
