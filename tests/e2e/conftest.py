"""Fixtures of the browser tests."""
from __future__ import annotations

import os
import subprocess

import pytest

from tests.support.servers import ROOT, VENV_BIN


@pytest.fixture(scope="session")
def browser_ready():
    """Debian's chromium and the pinned Playwright package (scripts/install_browser.sh)."""
    proc = subprocess.run([str(ROOT / "scripts" / "install_browser.sh")], capture_output=True, text=True,
                          timeout=1200, env={**os.environ, "VENV_PY": str(VENV_BIN / "python")})
    if proc.returncode != 0:
        pytest.fail(f"scripts/install_browser.sh failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
