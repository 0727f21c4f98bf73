"""Origin checks that hold: each bypass found by probing ``nansei serve`` is refused.

Against a real server on 127.0.0.1 (loopback bind, no token): a Host header that
only starts like a loopback name (DNS rebinding), ``Origin: null`` (a sandboxed
iframe) and foreign origins on state-changing requests, a too-short ``--token``, and
state changes without the session's CSRF token (none, a wrong one, another session's).
Each attack is a POST that would save a scenario; the test checks the status and that
no file was written.
"""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest

from nansei.web.security import MIN_TOKEN_CHARS, cross_site, is_loopback, loopback_host_header
from nansei.web.server import resolve_token
from tests.web_server import Server, free_port, scenario_text, web_client


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("origin") / "ws")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server):
    with web_client(server.base, timeout=30) as c:
        yield c


def _save(client, name: str, headers: dict[str, str]) -> httpx.Response:
    return client.post(
        "/scenarios/save", data={"yaml": scenario_text(), "name": name}, headers=headers
    )


REBINDING_HOSTS = [
    "127.0.0.1.evil.example",
    "127.0.0.1.evil.example:{port}",
    "127.evil.example",
    "localhost.evil.example",
    "evil.example",
    "127.0.0.1@evil.example",
    "[::1].evil.example",
    "::1",  # an IPv6 literal must be bracketed
    "",
]


@pytest.mark.parametrize(("i", "host"), list(enumerate(REBINDING_HOSTS)))
def test_host_must_be_exactly_a_loopback_name(server, client, i, host):
    host = host.format(port=server.port)
    r = _save(client, f"rebind{i}", {"Host": host})
    assert r.status_code == 403, (host, r.status_code)
    assert "unexpected Host header" in r.text
    assert client.get("/", headers={"Host": host}).status_code == 403
    assert not (server.store / "scenarios" / f"rebind{i}.yaml").exists()


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"]
)
def test_loopback_hosts_with_optional_port_are_served(server, client, host):
    host = host.format(port=server.port)
    assert client.get("/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "null"},
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1.evil.example:{port}"},
        {"Origin": "http://127.0.0.1:1"},  # another local site (other port)
        {"Sec-Fetch-Site": "cross-site"},
        {"Referer": "http://evil.example/page.html"},
    ],
    ids=["null", "foreign", "rebinding", "other-port", "sec-fetch", "referer"],
)
def test_cross_site_state_changes_are_refused(server, client, headers):
    headers = {k: v.format(port=server.port) for k, v in headers.items()}
    for path, data in (
        ("/scenarios/save", {"yaml": scenario_text(), "name": "csrf"}),
        ("/runs", {"yaml": scenario_text(), "replications": "10"}),
        ("/verify", {}),
    ):
        r = client.post(path, data=data, headers=headers)
        assert r.status_code == 403, (path, headers, r.status_code)
        assert "cross-site request" in r.text
    assert not (server.store / "scenarios" / "csrf.yaml").exists()
    assert (
        not list((server.store / "runs").glob("r*")) if (server.store / "runs").exists() else True
    )


def test_same_origin_and_non_browser_posts_still_work(server, client):
    own = f"http://127.0.0.1:{server.port}"
    r = _save(client, "same-origin", {"Origin": own, "Referer": own + "/scenarios/new"})
    assert r.status_code == 303
    r = _save(client, "no-origin", {})  # curl, scripts
    assert r.status_code == 303
    assert (server.store / "scenarios" / "same-origin.yaml").is_file()


def test_the_checks_themselves():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("127.0.0.1.evil.example") and not is_loopback("127.evil")
    assert loopback_host_header("[::1]:8000") and not loopback_host_header("[::2]:8000")
    assert not loopback_host_header("127.0.0.1:8000:9") and not loopback_host_header("127.0.0.1:")
    host = {"host": "127.0.0.1:8000"}
    assert cross_site({**host, "origin": "http://127.0.0.1:8000"}) is None
    assert cross_site({**host, "origin": "NULL"})
    assert cross_site({**host, "origin": "http://127.0.0.1:8000.evil.example"})
    assert cross_site({**host, "origin": "javascript://127.0.0.1:8000"})


def test_short_tokens_are_refused_naming_the_option(tmp_path):
    with pytest.raises(ValueError, match="--token"):
        resolve_token("127.0.0.1", "x")
    with pytest.raises(ValueError, match="--token"):
        resolve_token("0.0.0.0", "a" * (MIN_TOKEN_CHARS - 1))
    with pytest.raises(ValueError, match="--token"):
        resolve_token("0.0.0.0", "")
    good = "t" * MIN_TOKEN_CHARS
    assert resolve_token("0.0.0.0", good) == (good, False)
    cmd = [sys.executable, "-m", "nansei.cli", "serve", "--store", str(tmp_path / "ws")]
    cmd += ["--port", str(free_port()), "--token", "s3cret"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "--token: too short (6 characters)" in r.stderr
    assert str(MIN_TOKEN_CHARS) in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "ws").exists()


def _page_token(client: httpx.Client, path: str = "/") -> str:
    html = client.get(path).text
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "the page embeds no CSRF token in its form"
    assert f'<meta name="csrf-token" content="{m.group(1)}">' in html
    assert f"""hx-headers='{{"X-CSRF-Token": "{m.group(1)}"}}'""" in html
    return m.group(1)


def test_state_changes_need_the_sessions_csrf_token(server):
    saved = server.store / "scenarios"
    form = {"yaml": scenario_text(), "name": "csrf-x"}
    with httpx.Client(base_url=server.base, timeout=30) as c:
        r = c.post("/scenarios/save", data=form)  # no session cookie at all
        assert r.status_code == 403 and "no session cookie" in r.text, r.text
        token = _page_token(c)  # the page sets the session cookie and embeds its token
        assert "nansei_session" in c.cookies
        assert c.get("/api/csrf").json()["token"] == token
        r = c.post("/scenarios/save", data=form)  # the session, but no token
        assert r.status_code == 403 and "missing CSRF token" in r.text, r.text
        r = c.post("/scenarios/save", data=form, headers={"X-CSRF-Token": "x" + token[1:]})
        assert r.status_code == 403 and "wrong CSRF token" in r.text, r.text
        r = c.post("/scenarios/save", data={**form, "csrf_token": token[::-1]})
        assert r.status_code == 403 and "wrong CSRF token" in r.text, r.text
        with httpx.Client(base_url=server.base, timeout=30) as other:
            theirs = _page_token(other)  # another session's token does not fit this one
        assert theirs != token
        r = c.post("/scenarios/save", data=form, headers={"X-CSRF-Token": theirs})
        assert r.status_code == 403 and "wrong CSRF token" in r.text, r.text
        for path in ("/runs", "/verify", "/scenarios/validate", "/runs/r1/cancel"):
            assert c.post(path, data={"yaml": "x"}).status_code == 403, path
        assert not (saved / "csrf-x.yaml").exists()
        assert not (server.store / "runs").exists() or not list((server.store / "runs").iterdir())

        # the page's own requests: the form field, the HTMX header, a multipart upload
        assert c.post("/scenarios/save", data={**form, "csrf_token": token}).status_code == 303
        r = c.post(
            "/scenarios/validate", data={"yaml": scenario_text()}, headers={"X-CSRF-Token": token}
        )
        assert r.status_code == 200
        files = {"file": ("up.yaml", scenario_text().encode())}
        r = c.post("/scenarios/upload", data={"csrf_token": token}, files=files)
        assert r.status_code == 200
        r = c.post("/scenarios/upload", files=files)
        assert r.status_code == 403 and "missing CSRF token" in r.text
    assert (saved / "csrf-x.yaml").is_file()


def test_bearer_requests_need_no_csrf_token(tmp_path):
    token = "s3cret-token-0123"
    srv = Server(tmp_path / "ws", "--token", token)
    try:
        with httpx.Client(base_url=srv.base, timeout=30) as c:
            form = {"yaml": scenario_text(), "name": "bearer"}
            r = c.post("/scenarios/save", data=form, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 303
            c.get(f"/?token={token}")  # a browser: the token cookie, then the session's
            r = c.post("/scenarios/save", data={**form, "name": "cookie"})
            assert r.status_code == 403 and "missing CSRF token" in r.text
            r = c.post(
                "/scenarios/save", data={**form, "name": "cookie", "csrf_token": _page_token(c)}
            )
            assert r.status_code == 303
        assert (srv.store / "scenarios" / "bearer.yaml").is_file()
    finally:
        srv.stop()
