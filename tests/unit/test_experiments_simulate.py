"""`lift simulate` refuses bad input before sending anything, and says when no stack answers."""
from __future__ import annotations

import socket

import pytest

from lift import cli
from lift.config import reset_settings


@pytest.fixture(autouse=True)
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFT_DB_URL", f"sqlite:///{tmp_path / 'lift.db'}")
    reset_settings()
    yield
    reset_settings()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("argv,code,message", [
    (["--experiment", "nope", "--shoppers", "5"], 2, "valid: cross_sell_strategy, greeting_copy, cart_idle_coupon, model_canary, aa_calibration"),
    (["--experiment", "aa_calibration", "--shoppers", "0"], 2, "--shoppers must be between 1 and 5000"),
    (["--experiment", "aa_calibration", "--shoppers", "5", "--rate", "control=2"], 2, "between 0 and 1"),
    (["--experiment", "aa_calibration", "--shoppers", "5", "--rate", "treatment=0.5"], 2, "unknown variant(s) treatment"),
    (["--experiment", "aa_calibration", "--shoppers", "5", "--rate", "control"], 2, "VARIANT=PROBABILITY"),
    (["--experiment", "aa_calibration", "--shoppers", "5", "--url", "http://example.com:5005"], 2, "loopback"),
    (["--experiment", "aa_calibration", "--shoppers", "5", "--metric", "demo_booked"], 2, "can script"),
    (["--experiment", "aa_calibration", "--shoppers", "5", "--run-id", "a b/../c"], 2, "--run-id takes"),
])
def test_bad_input_exits_2(capsys, argv, code, message):
    assert cli.main(["simulate", *argv]) == code
    assert message in capsys.readouterr().err


def test_no_stack_exits_3(capsys):
    url = f"http://127.0.0.1:{closed_port()}"
    assert cli.main(["simulate", "--experiment", "aa_calibration", "--shoppers", "5", "--url", url]) == 3
    assert "does not answer" in capsys.readouterr().err
