"""The shipped Prometheus config and alert rules pass promtool (Debian's package, installed by
scripts/install_prometheus.sh): syntax, and the rule unit tests in ops/prometheus/alerts_test.yml."""
from __future__ import annotations

import subprocess

import pytest

from tests.support.prometheus import OPS, prometheus_bin_dir


@pytest.fixture(scope="module")
def promtool() -> str:
    return str(prometheus_bin_dir() / "promtool")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, cwd=OPS)


def test_config_is_valid(promtool):
    proc = run(promtool, "check", "config", "prometheus.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rules_are_valid(promtool):
    proc = run(promtool, "check", "rules", "alerts.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_rule_unit_tests_pass(promtool):
    proc = run(promtool, "test", "rules", "alerts_test.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_broken_rule_test_fails(promtool, tmp_path):
    # the check above can fail: the same tests against an alert with a wrong threshold do not pass
    broken = (OPS / "alerts.yml").read_text().replace("lift:fallback_ratio:15m > 0.25", "lift:fallback_ratio:15m > 0.75")
    (tmp_path / "alerts.yml").write_text(broken)
    (tmp_path / "alerts_test.yml").write_text((OPS / "alerts_test.yml").read_text())
    proc = subprocess.run([promtool, "test", "rules", "alerts_test.yml"], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert proc.returncode != 0 and "LiftFallbackRateHigh" in proc.stdout + proc.stderr
