"""Which Rasa replicas `lift model promote` switches, and the model sync's reading of the
promoted pointer (lift.governance.replicas). Against real Rasa replicas: tests/integration/test_cluster.py."""
from __future__ import annotations

import json

from lift.governance.replicas import ModelSync, promoted_target, replica_urls, replicas_file, write_replicas
from tests.support.servers import free_port

FRONT = "http://127.0.0.1:5005"


def test_promote_targets_every_replica_recorded_for_its_front_else_the_front(tmp_path):
    path = replicas_file(tmp_path, 5005)
    assert path == tmp_path / "var" / "run" / "replicas-5005.json"
    assert replica_urls(path, FRONT) == [FRONT]  # no `lift ops run` recorded anything
    write_replicas(path, FRONT, {"rasa-1": "http://127.0.0.1:6001", "rasa-2": "http://127.0.0.1:6002"})
    assert replica_urls(path, FRONT) == ["http://127.0.0.1:6001", "http://127.0.0.1:6002"]
    # another front (LIFT_RASA_URL pointing elsewhere) never gets this run's replicas
    assert replica_urls(path, "http://127.0.0.1:7005") == ["http://127.0.0.1:7005"]
    path.write_text("{not json")
    assert replica_urls(path, FRONT) == [FRONT]
    write_replicas(path, FRONT, {})
    assert json.loads(path.read_text()) == {"front": FRONT, "replicas": {}}
    assert replica_urls(path, FRONT) == [FRONT]


def test_the_pointer_names_the_registry_copy_and_its_model_id(tmp_path):
    assert promoted_target(tmp_path) is None
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "abc123.tar.gz").write_bytes(b"archive")
    (tmp_path / "promoted.tar.gz").symlink_to("registry/abc123.tar.gz")
    assert promoted_target(tmp_path) == ((tmp_path / "registry" / "abc123.tar.gz").resolve(), "abc123")


def test_sync_does_nothing_before_a_promotion_and_reports_a_replica_that_does_not_answer(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    said = []
    sync = ModelSync({"rasa-1": dead}, "token", tmp_path, say=said.append)
    assert sync.sync_once() == {}
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "abc123.tar.gz").write_bytes(b"archive")
    (tmp_path / "promoted.tar.gz").symlink_to("registry/abc123.tar.gz")
    assert sync.sync_once() == {"rasa-1": "down"}
    assert said == []
