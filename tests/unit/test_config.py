import subprocess
from pathlib import Path

import pytest

from lift.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_anchor_relative_paths_at_the_project_root(tmp_path):
    s = load_settings({"LIFT_HOME": str(tmp_path)})
    assert s.db_url == f"sqlite:///{tmp_path / 'var' / 'lift.db'}"
    assert s.kb_dir == tmp_path / "kb" and s.env == "dev" and s.rasa_auth_token is None


def test_values_from_env(tmp_path):
    s = load_settings({"LIFT_HOME": str(tmp_path), "LIFT_DB_URL": "postgresql://u@h/db", "LIFT_ENV": "PROD",
                       "LIFT_REDACTION_KEY": "k", "LIFT_RASA_PORT": "6000", "LIFT_KB_THRESHOLD": "0.4"})
    assert (s.db_url, s.env, s.is_prod, s.rasa_port, s.kb_threshold) == ("postgresql://u@h/db", "prod", True, 6000, 0.4)


@pytest.mark.parametrize("env,message", [
    ({"LIFT_ENV": "staging"}, "LIFT_ENV"),
    ({"LIFT_RASA_PORT": "abc"}, "LIFT_RASA_PORT"),
    ({"LIFT_KB_THRESHOLD": "high"}, "LIFT_KB_THRESHOLD"),
    ({"LIFT_ENV": "prod"}, "LIFT_REDACTION_KEY"),
    ({"LIFT_SMTP_URL": "mail.example.com:25"}, "LIFT_SMTP_URL"),
])
def test_bad_values_are_named(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_lift_db_init_creates_and_seeds(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    out = subprocess.run([str(ROOT / ".venv/bin/lift"), "db", "init"], env={"LIFT_DB_URL": url, "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "database ready" in out.stdout
    import sqlalchemy as sa

    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM orders")).scalar() == 5
        assert conn.execute(sa.text("SELECT count(*) FROM coupons WHERE code='WELCOME10'")).scalar() == 1


def test_lift_db_init_reports_an_unreachable_database():
    out = subprocess.run([str(ROOT / ".venv/bin/lift"), "db", "init"],
                         env={"LIFT_DB_URL": "postgresql://nobody@127.0.0.1:1/none", "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "cannot connect to database" in out.stderr and "Traceback" not in out.stderr


def test_operator_and_governance_file(tmp_path):
    from lift.governance.audit import current_actor

    s = load_settings({"LIFT_HOME": str(tmp_path), "LIFT_OPERATOR": " ops-bob ", "LIFT_GOVERNANCE": "gov.yml"})
    assert s.operator == "ops-bob" and s.governance_file == tmp_path / "gov.yml"
    assert current_actor(s.operator) == "ops-bob"
    assert current_actor("") not in ("", "ops-bob")  # the OS user


def test_mail_settings(tmp_path):
    assert load_settings({"LIFT_HOME": str(tmp_path)}).smtp_url == f"maildir:{tmp_path / 'var' / 'mail'}"
    s = load_settings({"LIFT_SMTP_URL": "smtp://u:p@127.0.0.1:2525", "LIFT_RASA_PORT": "6005"})
    assert (s.smtp_url, s.rasa_url) == ("smtp://u:p@127.0.0.1:2525", "http://127.0.0.1:6005")
