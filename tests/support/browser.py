"""Headless Chromium for the browser tests: Debian's chromium driven by Playwright's Python
package (scripts/install_browser.sh puts both in place; Playwright downloads no browser)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.support.servers import ROOT

CHROMIUM = "/usr/bin/chromium"
OUT = ROOT / "test-output"  # screenshots (gitignored)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def chromium_page(profile: Path, width: int, height: int) -> Iterator["object"]:
    """A page of a fresh headless Chromium profile; the browser closes on exit."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": width, "height": height})
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()
