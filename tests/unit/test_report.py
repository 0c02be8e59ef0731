"""Funnel arithmetic, date parsing and the `lift report funnel` argument errors."""
from __future__ import annotations

import datetime as dt

import pytest

from lift import cli
from lift.measure.funnel import ReportError, compute_funnel, parse_iso, render_table

STEPS = ["a", "b", "c"]

# (sender, name, channel, variant)
RECORDS = [
    ("s1", "a", "rest", "control"), ("s1", "b", "rest", "control"), ("s1", "c", "rest", "control"),
    ("s2", "a", "rest", "x"), ("s2", "c", "rest", "x"),  # skipped b: reaches only a
    ("s3", "a", None, "control"), ("s3", "b", None, "control"),
    ("s4", "b", "rest", "control"), ("s4", "c", "rest", "control"),  # never entered
    ("s5", "c", "slack", "x"),
]


def counts(segment):
    return [s["conversations"] for s in segment["steps"]]


def test_hand_computed_funnel():
    f = compute_funnel(RECORDS, STEPS)
    assert counts(f["overall"]) == [3, 2, 1]
    assert f["overall"]["conversations"] == 3
    rates = [(s["rate_from_previous"], s["rate_from_start"]) for s in f["overall"]["steps"]]
    assert rates == [(None, 1.0), (0.6667, 0.6667), (0.5, 0.3333)]
    assert {k: counts(v) for k, v in f["by_channel"].items()} == {"rest": [2, 1, 1], "unknown": [1, 1, 0]}
    assert {k: counts(v) for k, v in f["by_variant"].items()} == {"control": [2, 2, 1], "x": [1, 0, 0]}
    assert f["by_variant"]["x"]["steps"][2]["rate_from_previous"] is None


def test_empty_funnel():
    f = compute_funnel([], STEPS)
    assert counts(f["overall"]) == [0, 0, 0]
    assert f["overall"]["steps"][0]["rate_from_start"] is None
    assert f["by_channel"] == {}


def test_table_rendering():
    report = {"period": {"since": None, "until": "2024-05-02T00:00:00Z"},
              "funnels": [{"name": "demo", **compute_funnel(RECORDS, STEPS)}]}
    text = render_table(report)
    assert "Funnel demo: a -> b -> c" in text
    assert "channel=rest" in text and "variant=x" in text and "channel=unknown" in text
    assert "2 (66.7%)" in text
    assert "33.3%" in text  # end to end


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-05-01", dt.datetime(2024, 5, 1)),
        ("2024-05-01T13:30:00", dt.datetime(2024, 5, 1, 13, 30)),
        ("2024-05-01T13:30:00Z", dt.datetime(2024, 5, 1, 13, 30)),
        ("2024-05-01T15:30:00+02:00", dt.datetime(2024, 5, 1, 13, 30)),
    ],
)
def test_parse_iso_returns_naive_utc(text, expected):
    assert parse_iso(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-01", "01/05/2024"])
def test_parse_iso_rejects_garbage(text):
    with pytest.raises(ReportError):
        parse_iso(text)


@pytest.mark.parametrize("argv", [["--since", "soon"], ["--until", "2024-02-30"]])
def test_cli_bad_dates_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", "funnel", *argv])
    assert exc.value.code == 2
    assert "invalid ISO date" in capsys.readouterr().err


def test_since_after_until_is_an_error():
    from lift.measure.funnel import funnel_report

    with pytest.raises(ReportError, match="must be before"):
        funnel_report(None, {"f": ["a", "b"]}, since=dt.datetime(2024, 2, 1), until=dt.datetime(2024, 1, 1))


@pytest.mark.parametrize("make_url", [
    lambda tmp: "postgresql://lift:secret-pw@127.0.0.1:9/lift",  # nothing listens on port 9
    lambda tmp: f"sqlite:///{tmp / 'garbage.db'}",  # a file that is not a database
])
def test_cli_database_error_exits_3(make_url, tmp_path, monkeypatch, capsys):
    from lift.config import reset_settings

    (tmp_path / "garbage.db").write_bytes(b"this is not an SQLite database, just bytes" * 100)
    monkeypatch.setenv("LIFT_DB_URL", make_url(tmp_path))
    reset_settings()
    try:
        assert cli.main(["report", "funnel"]) == 3
    finally:
        reset_settings()
    err = capsys.readouterr().err
    assert "database" in err and "secret-pw" not in err and "Traceback" not in err
