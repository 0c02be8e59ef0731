"""Fixtures of the e2e tests: a whole stack per test module (a module may define its own), and the
browser tests' Chromium."""
from __future__ import annotations

import os
import subprocess

import pytest

from tests.support.servers import ROOT, VENV_BIN, LiftStack


@pytest.fixture(scope="session")
def browser_ready():
    """Debian's chromium and the pinned Playwright package (scripts/install_browser.sh)."""
    proc = subprocess.run([str(ROOT / "scripts" / "install_browser.sh")], capture_output=True, text=True,
                          timeout=1200, env={**os.environ, "VENV_PY": str(VENV_BIN / "python")})
    if proc.returncode != 0:
        pytest.fail(f"scripts/install_browser.sh failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The real action server and Rasa server (trained model, shipped KB, a fresh database)."""
    with LiftStack(tmp_path_factory.mktemp("stack")) as st:
        yield st
