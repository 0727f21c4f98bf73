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
  send none of these and pass this check (they still need the CSRF token, below).
- Bodies larger than ``max_body`` bytes get 413; bodies of unknown length 411.
- CSRF tokens: every response gives a browser without one a session cookie
  (``nansei_session``, HttpOnly, SameSite=Strict), and the pages embed the session's
  CSRF token (:func:`csrf_token`: an HMAC of the session under the server's secret) in
  every form (field ``csrf_token``) and in HTMX's requests (header ``X-CSRF-Token``). A
  state-changing request must carry the session cookie and its token, in the header or
  the form field; otherwise 403, and nothing changes. ``GET /api/csrf`` gives a script the
  cookie and the token. A request authenticated by ``Authorization: Bearer TOKEN`` is
  exempt: a browser never adds that header to a cross-site request.
- A token shorter than :data:`MIN_TOKEN_CHARS` characters is refused at start-up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOOPBACK",
    "MIN_TOKEN_CHARS",
    "SESSION_COOKIE",
    "RequestGuard",
    "csrf_secret",
    "csrf_token",
    "is_loopback",
]

COOKIE = "nansei_token"
#: Cookie naming the browser session that CSRF tokens are bound to.
SESSION_COOKIE = "nansei_session"
#: Form field and header carrying the CSRF token.
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SESSION_RE = re.compile(r"^[A-Za-z0-9_\-]{32,64}$")
#: The CSRF token of the request being served (read by the templates).
_CSRF: ContextVar[str] = ContextVar("nansei_csrf_token", default="")
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


def csrf_token() -> str:
    """The CSRF token of the request being served (for the templates)."""
    return _CSRF.get()


def csrf_secret(workspace: Path) -> bytes:
    """The server's CSRF secret, kept in the workspace (``.csrf-secret``, mode 0600) so
    that pages stay valid across a restart; created on first use."""
    import os

    path = Path(workspace) / ".csrf-secret"
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    data = secrets.token_bytes(32)
    tmp = path.with_name(f".csrf-secret.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return data


def _session_token(secret: bytes, session: str) -> str:
    mac = hmac.new(secret, b"nansei-csrf:" + session.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


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

    def __init__(
        self,
        app: ASGIApp,
        token: str | None,
        loopback_only: bool,
        max_body: int,
        secret: bytes | None = None,
    ):
        self.app = app
        self.token = token
        self.loopback_only = loopback_only
        self.max_body = int(max_body)
        self.secret = secret if secret is not None else secrets.token_bytes(32)

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
        set_cookie = bearer = False
        if self.token is not None:
            ok, set_cookie, bearer = self._token_ok(scope, headers)
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
        session = _cookie(headers, SESSION_COOKIE)
        new_session = session is None or not _SESSION_RE.match(session)
        if method not in _SAFE and not bearer:
            if new_session:
                await _plain(send, 403, _CSRF_NO_SESSION)
                return
            body, receive = await _buffer(receive)
            given = headers.get(CSRF_HEADER) or await _form_field(scope, body, CSRF_FIELD)
            want = _session_token(self.secret, session)
            if not given:
                await _plain(send, 403, "Forbidden: missing CSRF token (reload the page)")
                return
            if not hmac.compare_digest(given.encode(), want.encode()):
                await _plain(send, 403, "Forbidden: wrong CSRF token (reload the page)")
                return
        if new_session:
            session = secrets.token_urlsafe(32)
            send = _with_header(send, _session_cookie(session))
        if set_cookie:
            send = _with_header(send, _token_cookie(self.token))
        reset = _CSRF.set(_session_token(self.secret, session))
        try:
            await self.app(scope, receive, send)
        finally:
            _CSRF.reset(reset)

    def _token_ok(self, scope, headers) -> tuple[bool, bool, bool]:
        """``(authorized, set the token cookie, by the Authorization header)``."""
        assert self.token is not None
        want = self.token.encode()
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(
            auth[7:].strip().encode(), want
        ):
            return True, False, True
        value = _cookie(headers, COOKIE)
        if value is not None and hmac.compare_digest(value.encode(), want):
            return True, False, False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        for value in query.get("token", []):
            if hmac.compare_digest(value.encode(), want):
                return True, True, False
        return False, False, False


_CSRF_NO_SESSION = (
    "Forbidden: no session cookie, so no CSRF token can match (open a page of this "
    "workbench first, or GET /api/csrf for the cookie and the token)"
)


def _cookie(headers: dict[str, str], name: str) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:
        return None
    return cookie[name].value if name in cookie else None


def _token_cookie(token: str) -> str:
    return f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"


def _session_cookie(session: str) -> str:
    return f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict"


def _with_header(send, cookie: str):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            message = {
                **message,
                "headers": [*message["headers"], (b"set-cookie", cookie.encode())],
            }
        await send(message)

    return wrapped


async def _buffer(receive):
    """Read the whole request body (its size was checked against the limit); return it and
    a ``receive`` that replays it to the application."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def _form_field(scope, body: bytes, name: str) -> str | None:
    """Field ``name`` of a URL-encoded or multipart form body, or None."""
    from starlette.requests import Request

    ctype = ""
    for k, v in scope["headers"]:
        if k.lower() == b"content-type":
            ctype = v.decode("latin-1").lower()
    if not ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None

    async def once():
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, once).form()
    except Exception:
        return None
    try:
        value = form.get(name)
        return value if isinstance(value, str) else None
    finally:
        await form.close()


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
