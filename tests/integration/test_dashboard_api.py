"""The dashboard's JSON endpoints on a real `lift web serve` page server (in a thread, on a free
port) over a seeded database (tests/support/dashboard_seed.py), on SQLite and PostgreSQL:
credentials required (401), bad ranges refused with the reason (400), exact numbers."""
from __future__ import annotations

import datetime as dt
import http.client
import math
import threading
from urllib.parse import urlsplit

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from lift.config import ConfigError, Settings
from lift.store.engine import make_engine
from lift.web.dashboard import issue_session
from lift.web.server import make_server
from tests.support.dashboard_seed import DASHBOARD_TOKEN, seed, write_baseline
from tests.support.servers import ROOT
from tests.support.servers import http as request

DAY0 = dt.date(2026, 11, 2)
RANGE = "from=2026-11-02&to=2026-11-03"
ENDPOINTS = ("funnel", "experiments", "turns", "drift", "unanswered")
AUTH = {"Authorization": f"Bearer {DASHBOARD_TOKEN}"}


def serve(settings):
    server = make_server(settings, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def site(db_url, tmp_path):
    engine = make_engine(db_url)
    seed(engine, DAY0)
    write_baseline(tmp_path / "baseline.json")
    settings = Settings(root=ROOT, db_url=db_url, dashboard_token=DASHBOARD_TOKEN, redaction_key="k",
                        drift_baseline=tmp_path / "baseline.json", drift_window=4, drift_threshold=0.35)
    server, base = serve(settings)
    yield base
    server.shutdown()
    server.server_close()
    engine.dispose()


def get(base, name, query="", headers=AUTH):
    return request("GET", f"{base}/dashboard/api/{name}" + (f"?{query}" if query else ""), headers=headers)


def test_api_refuses_requests_without_credentials(site):
    forged = issue_session("some-other-token-0123456789", 12)
    expired = issue_session(DASHBOARD_TOKEN, 1, now=0)
    for name in ENDPOINTS:
        for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Cookie": f"lift_dashboard={forged}"},
                        {"Cookie": f"lift_dashboard={expired}"}, {"Cookie": "lift_dashboard=garbage"}):
            status, body, _ = get(site, name, RANGE, headers=headers)
            assert status == 401, (name, headers, body)
            assert "sign in" in body["error"]
    # The page itself sends a browser without a session to the sign-in page.
    conn = http.client.HTTPConnection(*urlsplit(site).netloc.split(":"), timeout=10)
    conn.request("GET", "/dashboard")
    resp = conn.getresponse()
    assert resp.status == 303 and resp.getheader("Location") == "/dashboard/login"
    conn.close()
    status, page, _ = request("GET", f"{site}/dashboard")  # urllib follows the redirect
    assert status == 200 and 'id="login"' in page and "chart-" not in page


def test_sign_in_sets_a_session_cookie_that_opens_page_and_api(site):
    assert request("POST", f"{site}/dashboard/login", {"token": "wrong"})[0] == 401
    assert request("POST", f"{site}/dashboard/login", raw=b"{nope")[0] == 400
    status, body, headers = request("POST", f"{site}/dashboard/login", {"token": DASHBOARD_TOKEN})
    assert status == 200 and body == {"signed_in": True}
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/dashboard" in cookie
    session = {"Cookie": cookie.split(";", 1)[0]}
    status, page, headers = request("GET", f"{site}/dashboard", headers=session)
    assert status == 200 and "chart-latency" in page and headers["Cache-Control"] == "no-store"
    assert get(site, "turns", RANGE, headers=session)[0] == 200
    status, _, headers = request("POST", f"{site}/dashboard/logout")
    assert status == 200 and "Max-Age=0" in headers["Set-Cookie"]
    # Assets carry no data and are public; the page's HTML file is not reachable directly.
    assert request("GET", f"{site}/dashboard/dashboard.js")[0] == 200
    assert request("GET", f"{site}/vendor/chart.umd.min.js")[0] == 200
    for path in ("/dashboard/index.html", "/dashboard/../lift/config.py", "/dashboard/api/nope"):
        assert request("GET", site + path, headers=AUTH)[0] == 404, path


@pytest.mark.parametrize("query,reason", [
    ("from=2026-13-01", "'from' must be a date"),
    ("from=yesterday&to=2026-11-03", "'from' must be a date"),
    ("to=03/11/2026", "'to' must be a date"),
    ("from=2026-11-04&to=2026-11-03", "is after 'to'"),
    ("range=fortnight", "unknown range 'fortnight'"),
    ("range=7d&from=2026-11-02", "either 'range' or 'from'/'to'"),
    ("from=2024-01-01&to=2026-11-03", "at most 366"),
    ("from=2999-01-01&to=2999-01-02", "starts in the future"),
    ("from=2026-11-02&from=2026-11-03", "more than once"),
    ("since=2026-11-02", "unknown parameter(s) since"),
])
def test_bad_date_ranges_are_a_400_with_the_reason(site, query, reason):
    for name in ("funnel", "turns", "drift", "unanswered"):
        status, body, _ = get(site, name, query)
        assert status == 400, (name, query, body)
        assert reason in body["error"], body


def test_other_bad_parameters_are_a_400(site):
    assert "unknown funnel 'nope'" in get(site, "funnel", RANGE + "&funnel=nope")[1]["error"]
    assert "'limit' must be" in get(site, "unanswered", RANGE + "&limit=0")[1]["error"]
    assert get(site, "experiments", RANGE)[0] == 400  # experiments cover the whole run: no range


def test_funnel_per_day_and_per_variant(site):
    status, body, _ = get(site, "funnel", RANGE + "&funnel=sales")
    assert status == 200
    assert body["period"] == {"from": "2026-11-02", "to": "2026-11-03", "days": ["2026-11-02", "2026-11-03"]}
    [sales] = body["funnels"]
    assert sales["steps"] == ["product_viewed", "cart_item_added", "checkout_started", "checkout_completed"]
    assert sales["by_day"] == [{"date": "2026-11-02", "steps": [3, 2, 1, 1]},
                               {"date": "2026-11-03", "steps": [1, 1, 0, 0]}]
    counts = {v: [s["conversations"] for s in seg["steps"]] for v, seg in sales["by_variant"].items()}
    assert counts == {"control": [2, 2, 1, 1], "control_b": [2, 1, 0, 0]}
    # One day only: day0's conversations.
    _, one_day, _ = get(site, "funnel", "from=2026-11-02&to=2026-11-02&funnel=sales")
    assert one_day["funnels"][0]["by_day"] == [{"date": "2026-11-02", "steps": [3, 2, 1, 1]}]
    # All four funnels of conversions.yml when none is named.
    assert [f["name"] for f in get(site, "funnel", RANGE)[1]["funnels"]] == ["sales", "leads", "onboarding", "cross_sell", "cart_idle"]


def test_experiment_results_with_their_interval(site):
    status, body, _ = get(site, "experiments")
    assert status == 200
    by_name = {e["experiment"]: e for e in body["experiments"]}
    assert set(by_name) == {"cross_sell_strategy", "greeting_copy", "cart_idle_coupon", "model_canary", "aa_calibration", "purchase_assist"}
    aa = by_name["aa_calibration"]
    assert aa["metric"] == "cart_item_added"
    assert [(v["name"], v["n"], v["conversions"]) for v in aa["variants"]] == [("control", 3, 2), ("control_b", 2, 1)]
    [cmp] = aa["comparisons"]
    diff = 1 / 2 - 2 / 3
    half = 1.959963984540054 * math.sqrt(0.5 * 0.5 / 2 + (2 / 3) * (1 / 3) / 3)  # Wald interval
    assert cmp["variant"] == "control_b" and cmp["baseline"] == "control"
    assert cmp["abs_lift"] == pytest.approx(diff)
    assert (cmp["ci_low"], cmp["ci_high"]) == (pytest.approx(diff - half), pytest.approx(diff + half))
    assert by_name["greeting_copy"]["variants"][0]["n"] == 0


def test_turns_latency_fallbacks_and_handoffs_per_day(site):
    status, body, _ = get(site, "turns", RANGE)
    assert status == 200
    d0, d1 = body["days"]
    assert (d0["date"], d0["turns"], d0["fallback_turns"], d0["handoffs"], d0["timed_turns"]) == ("2026-11-02", 4, 1, 1, 4)
    assert (d0["fallback_rate"], d0["handoff_rate"]) == (0.25, 0.25)
    # latencies 0.2 0.4 0.5 1.0: median 0.45; p95 (linear) 0.5 + 0.85 * 0.5
    assert d0["latency_p50"] == pytest.approx(0.45, abs=1e-4)
    assert d0["latency_p95"] == pytest.approx(0.925, abs=1e-4)
    assert (d1["turns"], d1["fallback_turns"], d1["handoffs"], d1["fallback_rate"]) == (3, 0, 0, 0.0)
    assert (d1["latency_p50"], d1["latency_p95"]) == (pytest.approx(0.3, abs=1e-4), pytest.approx(0.57, abs=1e-4))
    t = body["totals"]
    assert (t["turns"], t["fallback_turns"], t["handoffs"], t["timed_turns"]) == (7, 1, 1, 7)
    assert t["latency_p50"] == pytest.approx(0.4, abs=1e-4)
    # A day without traffic is in the series, empty.
    _, later, _ = get(site, "turns", "from=2026-11-03&to=2026-11-04")
    assert later["days"][1] == {"date": "2026-11-04", "turns": 0, "fallback_turns": 0, "fallback_rate": None,
                                "handoffs": 0, "handoff_rate": None, "timed_turns": 0,
                                "latency_p50": None, "latency_p95": None}


def test_drift_per_day_against_the_baseline(site):
    status, body, _ = get(site, "drift", RANGE)
    assert status == 200
    assert (body["threshold"], body["window"]) == (0.35, 4)
    # labels: ask_question, greet, nlu_fallback, other (sorted); baseline greet 3, ask_question 1
    base = np.array([1, 3, 0, 0]) / 4
    day0 = np.array([1, 1, 1, 1]) / 4  # contact_human_agent is not in the baseline: "other"
    day1 = np.array([2, 1, 0, 0]) / 3
    d0, d1 = body["days"]
    assert d0["messages"] == 4 and d0["reliable"] is True
    assert d0["distance"] == pytest.approx(jensenshannon(day0, base, base=2), abs=1e-4)
    assert d1["messages"] == 3 and d1["reliable"] is False
    assert d1["distance"] == pytest.approx(jensenshannon(day1, base, base=2), abs=1e-4)
    assert body["overall"]["distance"] == pytest.approx(jensenshannon(np.array([3, 2, 1, 1]) / 7, base, base=2), abs=1e-4)


def test_top_unanswered_questions_grouped_and_masked(site):
    status, body, _ = get(site, "unanswered", RANGE)
    assert status == 200
    assert [(q["text"], q["count"]) for q in body["questions"]] == [
        ("Where is my PARCEL", 2), ("email [email] about returns", 1)]
    assert body["questions"][0]["last_asked"].startswith("2026-11-03T10:00:00")
    assert [q["count"] for q in get(site, "unanswered", RANGE + "&limit=1")[1]["questions"]] == [2]


def test_dashboard_off_without_a_token_and_refuses_a_weak_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'lift.db'}"
    server, base = serve(Settings(root=ROOT, db_url=url))
    try:
        assert request("GET", f"{base}/dashboard")[0] == 503
        assert "LIFT_DASHBOARD_TOKEN" in request("POST", f"{base}/dashboard/login", {"token": "x"})[1]["error"]
        assert get(base, "turns", headers={"Authorization": "Bearer "})[0] == 401
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(ConfigError, match="LIFT_DASHBOARD_TOKEN is too short"):
        make_server(Settings(root=ROOT, db_url=url, dashboard_token="short"), port=0)


def test_presets_and_the_default_range_end_today(site):
    today = dt.datetime.now(dt.timezone.utc).date()
    _, week, _ = get(site, "turns", "range=7d")
    assert week["period"]["to"] == today.isoformat() and len(week["days"]) == 7
    assert week["period"]["from"] == (today - dt.timedelta(days=6)).isoformat()
    _, default, _ = get(site, "drift")
    assert len(default["period"]["days"]) == 14 and default["period"]["to"] == today.isoformat()
