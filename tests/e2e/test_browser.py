"""The web chat page in real headless Chromium, against the running Rasa + action server.

Debian's chromium driven by Playwright's Python package (scripts/install_browser.sh puts
both in place; Playwright downloads no browser). Screenshots go to test-output/.
"""
from __future__ import annotations

import json
import re
import time

import pytest

from tests.integration.channel_support import stack_with_channels
from tests.support.browser import OUT, chromium_page
from tests.support.servers import free_port, http, web_server

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def lift(request, tmp_path_factory):
    return stack_with_channels(request, tmp_path_factory)


@pytest.fixture
def page_url(lift, tmp_path):
    """`lift web serve` as make run starts it, pointed at the test stack's Rasa."""
    env = {**lift.stack.env, "LIFT_WEB_PORT": str(free_port())}
    with web_server(env, tmp_path / "web.log") as url:
        yield url


def bot_texts(page) -> list:
    return page.locator(".msg.bot .bubble").all_inner_texts()


def wait_bot_message(page, pattern: str, after: int, timeout_ms: int = 60000):
    """Wait for a bot bubble beyond the first `after` whose text matches pattern."""
    rx = re.compile(pattern, re.IGNORECASE)
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        texts = bot_texts(page)
        if any(rx.search(t) for t in texts[after:]):
            return texts
        page.wait_for_timeout(200)
    raise AssertionError(f"no bot message matching {pattern!r}; got {bot_texts(page)}")


def test_chat_page_conversation_survives_reload(browser_ready, lift, page_url, tmp_path):
    with chromium_page(tmp_path / "profile", 1280, 860) as page:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(page_url)
        page.wait_for_selector("#lift-status[data-state=online]", timeout=30000)

        page.fill("#lift-input", "hi")
        page.press("#lift-input", "Enter")
        wait_bot_message(page, r"\bLift\b", after=0)
        assert page.locator("#lift-log .msg.user .bubble").first.inner_text() == "hi"

        # A quick reply from the greeting, then a department from the next set.
        page.locator(".quick-replies button", has_text="Browse products").click()
        dept = page.locator(".quick-replies button", has_text="Audio")
        dept.wait_for(timeout=60000)
        dept.click()
        page.wait_for_selector(".card", timeout=60000)
        card = page.locator(".card").first
        sku = card.get_attribute("data-sku")
        assert sku and card.locator(".price").inner_text().strip()
        assert card.locator("img").count() == 1

        shown = len(bot_texts(page))
        card.locator("button", has_text="Add to cart").click()
        wait_bot_message(page, r"cart", after=shown)
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "browser-desktop.png"), full_page=True)

        before = page.locator("#lift-log .msg").count()
        transcript = page.locator("#lift-log").inner_text()
        session_id = page.evaluate("JSON.parse(localStorage.getItem('lift.chat.v1')).session_id")

        page.reload()
        page.wait_for_selector("#lift-status[data-state=online]", timeout=30000)
        assert page.locator("#lift-log .msg").count() == before
        assert page.locator("#lift-log").inner_text() == transcript
        assert page.locator(".card").count() >= 1
        assert page.evaluate("JSON.parse(localStorage.getItem('lift.chat.v1')).session_id") == session_id

        # The server kept the same conversation: the cart is still there.
        shown = len(bot_texts(page))
        # The store page publishes its session signals; the widget sends them as metadata.session.
        page.evaluate("window.LiftPageSession = function () { return {PageValues: 12.5, ProductRelated: 9, "
                      "BounceRates: 0.01, note: {nested: 'dropped'}}; }")
        page.fill("#lift-input", "/view_cart")
        page.press("#lift-input", "Enter")
        wait_bot_message(page, r"cart", after=shown)
        tracker = lift.stack.tracker(session_id)
        user_texts = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
        assert user_texts[0] == "hi" and "/view_cart" in user_texts
        assert any(e.get("input_channel") == "socketio" for e in tracker["events"] if e.get("event") == "user")
        cart = tracker["slots"].get("cart") or []
        assert any(item.get("sku") == sku for item in cart), cart
        last_user = [e for e in tracker["events"] if e.get("event") == "user"][-1]
        assert last_user["metadata"]["session"] == {"PageValues": 12.5, "ProductRelated": 9, "BounceRates": 0.01}
        assert 0.0 < tracker["slots"]["purchase_probability"] < 1.0  # scored with those page signals

        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / "browser-phone.png"))
        # Phone width: the chat fills the screen, no horizontal page scroll.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert not errors, errors


def test_session_endpoint_and_static_files(page_url):
    status, body, headers = http("POST", page_url + "session", body={})
    assert status == 200 and body["token"] is None and len(body["session_id"]) == 32
    assert "script-src 'self'" in headers.get("Content-Security-Policy", "")
    assert http("GET", page_url + "vendor/socket.io.min.js")[0] == 200
    for bad in ("../pyproject.toml", "%2e%2e/pyproject.toml", ".env", "vendor/../../lift/web.py"):
        assert http("GET", page_url + bad)[0] == 404, bad
    assert http("POST", page_url + "session", raw=b"{nope")[0] == 400
    assert http("POST", page_url + "session", raw=json.dumps({"x": "y" * 10000}).encode())[0] == 413
