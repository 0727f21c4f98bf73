"""Security and robustness of ``nansei serve`` against a real server on 127.0.0.1.

Token (given or generated) and 401; paths from requests never leave the
workspace (``../`` and absolute paths); body and scenario size limits; safe
YAML; error pages without tracebacks; queued runs beyond the running limit;
cancel and resume; the Verify page.
"""

from __future__ import annotations

import itertools

import httpx
import pytest

from nansei.web.server import resolve_token
from tests.web_server import Server, launch, scenario_text, wait_status, web_client

SENTINEL = "SENTINEL-OUTSIDE-THE-STORE"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("websec")
    (root / "outside.yaml").write_text(SENTINEL + ": 1\n", encoding="utf-8")
    (root / "ws" / "runs").mkdir(parents=True)
    srv = Server(root / "ws", "--max-running", "1")
    srv.outside = root / "outside.yaml"
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server):
    with web_client(server.base, timeout=60) as c:
        yield c


def _no_traceback(r: httpx.Response) -> None:
    assert "Traceback" not in r.text
    assert 'File "' not in r.text


def test_default_bind_is_loopback_without_token(server, client):
    assert "http://127.0.0.1:" in server.output()
    assert server.printed_token() is None
    assert client.get("/").status_code == 200
    # a foreign Host header (DNS rebinding) is refused on a loopback bind
    r = client.get("/", headers={"Host": "evil.example:80"})
    assert r.status_code == 403


def test_token_is_generated_for_non_loopback_binds():
    assert resolve_token("127.0.0.1", None) == (None, False)
    tok, generated = resolve_token("0.0.0.0", None)
    assert generated and len(tok) >= 24
    assert resolve_token("0.0.0.0", "given-token-16chr") == ("given-token-16chr", False)


def test_non_loopback_bind_requires_the_printed_token(tmp_path):
    srv = Server(tmp_path / "ws", host="0.0.0.0")
    try:
        token = srv.printed_token()
        assert token
        with httpx.Client(base_url=srv.base, timeout=30) as c:
            r = c.get("/")
            assert r.status_code == 401
            _no_traceback(r)
            assert c.get("/static/app.css").status_code == 401
            assert c.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
            assert c.get("/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
            r = c.get(f"/?token={token}")  # the printed URL sets a cookie
            assert r.status_code == 200
            assert "nansei_token" in r.headers.get("set-cookie", "")
            assert c.get("/runs").status_code == 200  # the cookie now suffices
    finally:
        srv.stop()


def test_given_token_on_loopback(tmp_path):
    srv = Server(tmp_path / "ws", "--token", "s3cret-token-0123")
    try:
        with httpx.Client(base_url=srv.base, timeout=30) as c:
            assert c.post("/runs", data={"yaml": "x"}).status_code == 401
            assert c.get("/verify").status_code == 401
            ok = c.get("/verify", headers={"Authorization": "Bearer s3cret-token-0123"})
            assert ok.status_code == 200
    finally:
        srv.stop()


TRAVERSALS = [
    "/runs/..%2F..%2Foutside/records.csv",
    "/runs/../../outside/records.csv",
    "/runs/%2Fetc%2Fpasswd/map",
    "/runs/%2E%2E/scenario.yaml",
    "/runs/..%2Foutside.yaml/scenario.yaml",
    "/scenarios/saved/..%2F..%2Foutside.yaml",
    "/scenarios/saved/..%2F..%2Foutside",
    "/scenarios/saved/%2Fetc%2Fpasswd",
    "/scenarios/new?fork=../../outside",
    "/scenarios/new?fork=/etc/passwd",
    "/scenarios/new?fork=%2Fetc%2Fpasswd",
    "/scenarios/builtin/..%2F..%2F..%2Fcli.py.yaml",
    "/static/..%2F..%2F..%2Foutside.yaml",
    "/static/%2E%2E/%2E%2E/app.py",
    "/api/runs/..%2F..",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_request_path_leaves_the_store(server, client, path):
    absolute = client.get(path.replace("/etc/passwd", str(server.outside)))
    for r in (client.get(path), absolute):
        assert r.status_code in (400, 404), (path, r.status_code)
        assert SENTINEL not in r.text
        assert "root:" not in r.text
        assert "def create_app" not in r.text
        _no_traceback(r)


def test_save_refuses_names_outside_the_store(server, client):
    for name in ("../evil", "/tmp/evil", "..", "a/b"):
        r = client.post("/scenarios/save", data={"yaml": scenario_text(), "name": name})
        assert r.status_code == 400
        assert "name: invalid" in r.text
        _no_traceback(r)
    assert not (server.store.parent / "evil.yaml").exists()
    r = client.post("/scenarios/save", data={"yaml": scenario_text(), "name": "mine"})
    assert r.status_code == 303
    assert (server.store / "scenarios" / "mine.yaml").is_file()
    # stored as sent, except that its name: is the saved name (the two never diverge)
    saved = client.get("/scenarios/saved/mine.yaml").text.splitlines()
    sent = scenario_text().splitlines()
    assert len(saved) == len(sent)
    assert [a for a, b in zip(saved, sent, strict=True) if a != b] == ["name: mine"]


def test_a_renamed_json_or_quoted_scenario_still_loads(server, client):
    import json

    import yaml

    from nansei.scenario.loader import parse_scenario_text

    as_json = json.dumps(yaml.safe_load(scenario_text()))
    quoted = scenario_text().replace("\nname: ", '\n"name": ', 1)
    assert quoted != scenario_text()
    for name, text in (("from-json", as_json), ("from-quoted", quoted)):
        r = client.post("/scenarios/save", data={"yaml": text, "name": name})
        assert r.status_code == 303, r.text[:300]
        saved = (server.store / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8")
        assert parse_scenario_text(saved).name == name


def test_size_limits(server, client):
    big = b"a: " + b"x" * 2_000_000
    r = client.post("/scenarios/upload", files={"file": ("big.yaml", big)})
    assert r.status_code == 413
    _no_traceback(r)
    long_text = scenario_text() + "\n# " + "y" * 250_000 + "\n"
    r = client.post("/scenarios/validate", data={"yaml": long_text})
    assert "scenario too large" in r.text


def test_yaml_is_loaded_safely(server, client, tmp_path):
    marker = tmp_path / "pwned"
    evil = f'name: x\nbad: !!python/object/apply:os.system ["touch {marker}"]\n'
    r = client.post("/scenarios/upload", files={"file": ("evil.yaml", evil.encode())})
    assert r.status_code == 200
    assert 'id="validity">Invalid' in r.text
    assert not marker.exists()
    _no_traceback(r)


def test_errors_name_field_value_and_allowed_values(server, client):
    text = scenario_text().replace("site_choice: least_recently_used", "site_choice: closest")
    r = client.post("/runs", data={"yaml": text, "name": "x", "replications": "10"})
    assert r.status_code == 422
    assert 'data-path="blue.relocation.site_choice"' in r.text
    assert "closest" in r.text and "nearest_free" in r.text
    for bad in ("0", "abc", "999999999"):
        r = client.post("/runs", data={"yaml": scenario_text(), "replications": bad})
        assert r.status_code == 400
        assert "replications:" in r.text and "allowed: 1..100000" in r.text
        _no_traceback(r)
    r = client.get("/runs/r20990101-000000-abcdef")
    assert r.status_code == 404
    _no_traceback(r)


def test_extra_runs_queue_cancel_and_resume(server, client):
    text = scenario_text()
    ids = [launch(client, text, 2000, seed=s, name=f"q{s}") for s in (11, 12, 13)]
    first = client.get(f"/api/runs/{ids[2]}").json()
    assert first["status"] == "queued"
    assert first["queue_position"] >= 1
    infos = [wait_status(client, i, limit=3000) for i in ids]  # bounded, paced polls
    assert all(i["done"] == 2000 for i in infos)
    # one at a time: the runs' [started, ended] intervals do not overlap (polling the three
    # statuses one after another is not an atomic snapshot, so compare the recorded times)
    spans = sorted((i["started"], i["ended"]) for i in infos)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))

    # cancel a running run: finished batches are kept; resume completes it
    rid = launch(client, text, 6000, seed=21, name="cancel")
    for _ in range(2000):
        info = client.get(f"/api/runs/{rid}").json()
        if info["status"] == "running" and info["done"] > 0:
            break
    assert client.post(f"/runs/{rid}/cancel").status_code == 303
    info = wait_status(client, rid, ("cancelled", "finished"))
    assert info["status"] == "cancelled", "the run finished before it could be cancelled"
    assert 0 < info["done"] < 6000
    page = client.get(f"/runs/{rid}/results")
    assert f"{info['done']} replications stored" in page.text
    assert client.post(f"/runs/{rid}/resume").status_code == 303
    assert wait_status(client, rid)["done"] == 6000
    csv = client.get(f"/runs/{rid}/records.csv").text.strip().splitlines()
    assert len(csv) == 6001


def test_verify_page_runs_the_check_table_at_a_labelled_scale(server, client):
    from nansei.verification.checks import REGISTRY

    assert "Not run yet" in client.get("/verify").text
    r = client.post("/verify", follow_redirects=True)
    assert r.status_code == 200
    assert "Quick check at scale 0.02" in r.text
    assert "nansei verify" in r.text
    assert r.text.count("<tr class=") == len(REGISTRY)
