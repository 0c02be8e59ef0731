"""The support tool's erasure endpoint on a real `lift web serve` page server (in a thread, on a
free port): token required, bad input is a 400 with the reason, the same erasure as the CLI."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from lift.config import Settings
from lift.store.engine import make_engine
from lift.store.schema import init_db
from lift.governance.audit import entries
from lift.commerce.leads import save_lead
from lift.web.server import make_server
from tests.support.servers import ROOT, http

TOKEN = "support-tool-token-0123456789"


def serve(settings):
    server = make_server(settings, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/api/privacy/erase"


@pytest.fixture
def site(tmp_path):
    url = f"sqlite:///{tmp_path / 'lift.db'}"
    engine = make_engine(url)
    init_db(engine)
    save_lead(engine, sender_id="s-1", person_name="Wanda Erasable", email="wanda@erase.example", company="W Co",
              team_size=5, demo_time=None)
    settings = Settings(root=ROOT, db_url=url, admin_token=TOKEN, redaction_key="k", log_dir=tmp_path / "logs")
    server, endpoint = serve(settings)
    yield engine, endpoint
    server.shutdown()
    server.server_close()
    engine.dispose()


def test_token_is_required(site):
    engine, endpoint = site
    assert http("POST", endpoint, {"email": "wanda@erase.example"})[0] == 401
    assert http("POST", endpoint, {"email": "wanda@erase.example"}, headers={"Authorization": "Bearer nope"})[0] == 401
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT email FROM leads")).scalar() == "wanda@erase.example"


@pytest.mark.parametrize("body,message", [
    ({"email": "not-an-email"}, "not a valid email"),
    ({}, "exactly one"),
    ({"email": "a@b.example", "sender": "x"}, "exactly one"),
    ({"sender": ""}, "conversation id"),
    (["wanda@erase.example"], "JSON object"),
])
def test_bad_input_is_a_400_with_the_reason(site, body, message):
    _, endpoint = site
    status, payload, _ = http("POST", endpoint, body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 400 and message in payload["error"]


def test_erase_by_email_and_by_conversation(site):
    engine, endpoint = site
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, payload, _ = http("POST", endpoint, {"email": "Wanda@Erase.example", "reason": "ticket 77", "operator": "kim"},
                              headers=auth)
    assert status == 200 and payload["conversations"] == 1 and payload["tables"]["leads"] == 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT person_name, email FROM leads")).one() == ("[erased]", "[erased]")
    status, payload, _ = http("POST", endpoint, {"sender": "another-conversation"}, headers=auth)
    assert status == 200 and payload["conversations"] == 1
    log = entries(engine)
    assert [e["actor"] for e in log] == ["support-tool:kim", "support-tool"] and log[0]["reason"] == "ticket 77"


def test_endpoint_is_off_without_an_admin_token(tmp_path):
    settings = Settings(root=ROOT, db_url=f"sqlite:///{tmp_path / 'x.db'}", admin_token=None)
    server, endpoint = serve(settings)
    try:
        assert http("POST", endpoint, {"email": "a@b.example"}, headers={"Authorization": "Bearer x"})[0] == 404
    finally:
        server.shutdown()
        server.server_close()
