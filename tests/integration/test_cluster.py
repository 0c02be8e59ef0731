"""make run-cluster for real (scripts/run.sh cluster on free ports): PostgreSQL, Redis, nginx,
2 Rasa replicas and 2 action servers, the supervisor. One cluster for the module (start-up is
the slow part); the fault test runs last because it kills processes."""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from tests.integration.conftest import fresh_schema
from tests.support.cluster import Cluster
from tests.support.models import clone_with_new_id, model_id_of
from tests.support.servers import MODEL, ROOT, VENV_BIN, http

# Ten turns of a shopper; what they record is fixed by conversions.yml.
SCRIPT = [
    "hi", "show me your headphones", "how much are the aria headphones", "add the aria headphones to my cart",
    "no thanks", "what's in my cart?", "where is my order LFT100002", "are you a bot?", "thanks", "bye",
]
EXPECTED_CONVERSIONS = {"product_viewed", "price_viewed", "cart_item_added", "upsell_offered"}


@pytest.fixture(scope="module")
def cluster_db(pg_test_database):
    """A schema of its own on the session's PostgreSQL database (the cluster upgrades it)."""
    with fresh_schema(pg_test_database, "c") as url:
        yield url


@pytest.fixture(scope="module")
def cluster_models(tmp_path_factory):
    """A models dir of its own (promotions never touch the project's): the trained model as
    current.tar.gz and the same model re-packed with a new model_id; (dir, their ids)."""
    models = tmp_path_factory.mktemp("models")
    shutil.copy(MODEL, models / "current.tar.gz")
    candidate_id = clone_with_new_id(models / "current.tar.gz", models / "candidate.tar.gz")
    return models, model_id_of(models / "current.tar.gz"), candidate_id


@pytest.fixture(scope="module")
def cluster(cluster_db, cluster_models, tmp_path_factory):
    env = {"LIFT_MODELS_DIR": str(cluster_models[0]), "LIFT_MODEL_SYNC": "2"}
    with Cluster(tmp_path_factory.mktemp("cluster"), db_url=cluster_db, env=env) as c:
        c.warm_up()
        yield c
    assert "stopped." in c.output()


def turns(events, sender_texts=None):
    """[(user text, [bot texts until the next user message])] in stored order."""
    out = []
    for e in events:
        if e.get("event") == "user":
            out.append((e.get("text"), []))
        elif e.get("event") == "bot" and out and e.get("text"):
            out[-1][1].append(e["text"])
    return out


def test_cluster_prints_what_runs_where_and_is_healthy(cluster):
    out = cluster.output()
    for name in ("redis", "actions-1", "actions-2", "rasa-1", "rasa-2", "nginx", "web", "purge"):
        assert f"    {name}" in out
    deadline = time.monotonic() + 60  # /health probes live; a busy replica may answer slowly once
    while (health := cluster.health())["status"] != "ok" and time.monotonic() < deadline:
        time.sleep(2)
    assert health["status"] == "ok", health["degraded"]
    assert {c["name"] for c in health["checks"]} == {"postgresql", "redis"}
    assert http("GET", f"{cluster.url}/status")[0] in (401, 403)  # the API stays behind the token
    assert http("GET", f"http://127.0.0.1:{cluster.ports['LIFT_WEB_PORT']}/")[0] == 200


def test_twenty_messages_of_one_conversation_at_once_are_all_answered_and_stored_in_order(cluster):
    sender = f"burst-{uuid.uuid4().hex[:8]}"
    messages = [f"how much are the aria headphones? ({i})" if i % 2 else f"are you a bot? ({i})" for i in range(20)]
    barrier = threading.Barrier(20)

    def send(text):
        barrier.wait()
        return cluster.say(sender, text)

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(send, messages))
    failed = [(text, status, replies) for text, (status, replies, _) in zip(messages, results) if status != 200 or not replies]
    assert not failed, failed
    stored = turns(cluster.tracker_events(sender))
    assert sorted(text for text, _ in stored) == sorted(messages)
    by_text = dict(stored)
    for text, (_, replies, _) in zip(messages, results):
        # each turn's bot messages come right after its user message, not mixed with another turn's
        assert by_text[text] == [r["text"] for r in replies if r.get("text")]


def test_socketio_session_works_through_nginx_with_websocket_and_polling(cluster):
    import socketio

    for transport in ("websocket", "polling"):
        session_id = f"sio-{transport}-{uuid.uuid4().hex[:8]}"
        client = socketio.Client(reconnection=False)
        replies = []
        client.on("bot_uttered", lambda data: replies.append(data))
        client.connect(cluster.url, transports=[transport], wait_timeout=20)
        try:
            client.emit("session_request", {"session_id": session_id})
            for message in ("hi", "are you a bot?"):
                before = len(replies)
                client.emit("user_uttered", {"message": message, "session_id": session_id})
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and len(replies) == before:
                    time.sleep(0.1)
                assert len(replies) > before, f"{transport}: no answer to {message!r}"
        finally:
            client.disconnect()
        assert [t for t, _ in turns(cluster.tracker_events(session_id))] == ["hi", "are you a bot?"]


def _replica_messages(cluster, index: int) -> float:
    port = cluster.ports["LIFT_METRICS_PORT"] + index
    status, text, _ = http("GET", f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert status == 200
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("lift_messages_total{"))


def test_fifty_conversations_survive_a_killed_replica_and_action_server_with_exact_conversions(cluster, cluster_db):
    run = uuid.uuid4().hex[:6]
    senders = [f"load-{run}-{i:02d}" for i in range(50)]
    acknowledged = {s: [] for s in senders}
    done = [0]
    lock = threading.Lock()

    def converse(sender):
        for message in SCRIPT:
            deadline = time.monotonic() + 180
            while True:  # a client resends what was not acknowledged, as a browser would
                try:
                    status, replies, _ = cluster.say(sender, message, timeout=60)
                except OSError:
                    status, replies = 0, None
                if status == 200:
                    acknowledged[sender].append((message, [r["text"] for r in replies if r.get("text")]))
                    with lock:
                        done[0] += 1
                    break
                assert time.monotonic() < deadline, f"{sender}: {message!r} never acknowledged ({status} {replies})"
                time.sleep(1)

    with ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(converse, s) for s in senders]
        while done[0] < 100:
            time.sleep(0.2)
        served_by_1, served_by_2 = _replica_messages(cluster, 0), _replica_messages(cluster, 1)
        cluster.kill("rasa-1")
        cluster.kill("actions-1")
        for f in futures:
            f.result()

    assert served_by_1 > 0 and served_by_2 > 0  # nginx spread the load over both replicas
    health = cluster.health()
    assert cluster.process("rasa-1")["restarts"] >= 1 and cluster.process("actions-1")["restarts"] >= 1, health

    for sender in senders:
        stored = turns(cluster.tracker_events(sender))
        # every acknowledged message is stored, in order, with the answer the shopper got
        it = iter(stored)
        for message, replies in acknowledged[sender]:
            assert any(text == message and bot == replies for text, bot in it), (sender, message, stored)

    engine = sa.create_engine(cluster_db, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT sender_id, name FROM micro_conversions WHERE sender_id LIKE :p"),
                            {"p": f"load-{run}-%"}).all()
    engine.dispose()
    per_sender = {s: sorted(n for sid, n in rows if sid == s) for s in senders}
    assert all(names == sorted(EXPECTED_CONVERSIONS) for names in per_sender.values()), per_sender
    assert len(rows) == 50 * len(EXPECTED_CONVERSIONS)


def _wait(what, predicate, timeout: float = 900, every: float = 2):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)
    return value


def test_promote_reaches_every_replica_and_one_that_was_down_catches_up(cluster, cluster_models):
    """Runs last (kills a replica). `lift model promote` switches both replicas, not only the one
    nginx picks; a replica down during the promotion is switched by the supervisor's model sync
    once it is back (it restarts on the model it was started with)."""
    _, baseline_id, candidate_id = cluster_models
    replicas = cluster.replicas()
    assert set(replicas) == {"rasa-1", "rasa-2"}
    _wait("both replicas up", lambda: all(cluster.process(n)["state"] == "up" for n in replicas))
    assert all(cluster.served_model(u)["model_id"] == baseline_id for u in replicas.values())

    cluster.kill("rasa-2")
    killed_at = time.monotonic()
    proc = subprocess.run([str(VENV_BIN / "python"), "-m", "lift.cli", "model", "promote", "candidate.tar.gz",
                           "--force", "--reason", "cluster test", "--json"], cwd=ROOT,
                          env={**cluster.env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    by_url = {r["rasa_url"]: r for r in result["replicas"]}
    assert set(by_url) == set(replicas.values())  # every replica, straight, not through nginx
    assert by_url[replicas["rasa-1"]]["reached"] and by_url[replicas["rasa-1"]]["served_model_id"] == candidate_id
    assert not by_url[replicas["rasa-2"]]["reached"]  # it was down
    assert cluster.served_model(replicas["rasa-1"])["model_id"] == candidate_id

    # rasa-2 comes back on the model it was started with; the model sync switches it.
    status = _wait("rasa-2 on the promoted model",
                   lambda: (s := cluster.served_model(replicas["rasa-2"])) and s["model_id"] == candidate_id and s)
    caught_up = time.monotonic() - killed_at
    # /status shows the new model a moment before the sync has confirmed it and logged its line
    _wait("the model sync's line for rasa-2", lambda: "model sync: rasa-2 switched" in cluster.output(), timeout=120, every=0.5)
    synced = next(line for line in cluster.output().splitlines() if "model sync: rasa-2 switched" in line)
    print(f"\npromote: rasa-1 switched in {by_url[replicas['rasa-1']]['seconds']:.1f} s; rasa-2 (killed) on the "
          f"promoted model {caught_up:.0f} s after the kill ({synced.rsplit('(', 1)[1].rstrip(')')} for its sync switch)")
    assert cluster.process("rasa-2")["restarts"] >= 1
    for url in replicas.values():
        status = cluster.served_model(url)
        assert status["model_id"] == candidate_id
        assert status["model_file"].endswith(f"{candidate_id}.tar.gz"), status
    # turns through nginx, whichever replica answers, are the new model's
    for i in range(4):
        sender = f"promoted-{uuid.uuid4().hex[:6]}-{i}"
        assert cluster.say(sender, "hi")[0] == 200
        users = [e for e in cluster.tracker_events(sender) if e["event"] == "user"]
        assert users[-1]["metadata"]["model_id"] == candidate_id
