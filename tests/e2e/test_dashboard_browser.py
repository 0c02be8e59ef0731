"""The dashboard in real headless Chromium: `lift web serve` (as make run starts it) over a
seeded database; sign in, every chart drawn with data points, a screenshot in test-output/."""
from __future__ import annotations

import datetime as dt
import pytest

from lift.store.engine import make_engine
from tests.support.browser import OUT, chromium_page
from tests.support.dashboard_seed import DASHBOARD_TOKEN, seed, write_baseline
from tests.support.servers import base_env, free_port, web_server

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHARTS = ["chart-funnel-daily", "chart-funnel-variant", "chart-latency", "chart-rates", "chart-drift",
          "chart-unanswered"]
CARDS = ["card-funnel-daily", "card-funnel-variant", "card-experiments", "card-latency", "card-rates",
         "card-drift", "card-unanswered"]

# Per canvas: the chart's data points that are numbers (and not all zero), and whether any
# pixel of the canvas was painted.
INSPECT = """(canvas) => {
  const chart = Chart.getChart(canvas);
  if (!chart) return {chart: false};
  const values = chart.data.datasets.flatMap((ds) => ds.data.flat()).filter((v) => typeof v === "number");
  const ctx = canvas.getContext("2d");
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return {chart: true, points: values.length, nonzero: values.filter((v) => v !== 0).length, painted,
          labels: chart.data.labels.length};
}"""


@pytest.fixture
def dashboard_url(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'lift.db'}"
    engine = make_engine(db_url)
    seed(engine, dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1))
    engine.dispose()
    write_baseline(tmp_path / "baseline.json")
    env = base_env(LIFT_DB_URL=db_url, LIFT_WEB_PORT=str(free_port()), LIFT_DASHBOARD_TOKEN=DASHBOARD_TOKEN,
                   LIFT_DRIFT_BASELINE=str(tmp_path / "baseline.json"), LIFT_DRIFT_WINDOW="4")
    with web_server(env, tmp_path / "web.log") as base:
        assert f"Lift dashboard: {base}dashboard" in (tmp_path / "web.log").read_text()
        yield base + "dashboard"


def test_dashboard_signs_in_and_draws_every_chart(browser_ready, dashboard_url, tmp_path):
    with chromium_page(tmp_path / "profile", 1280, 1000) as page:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

        page.goto(dashboard_url)
        assert page.url.endswith("/dashboard/login")
        page.fill("#token", "not-the-token")
        page.click("button[type=submit]")
        page.wait_for_selector("#login-error:not([hidden])")
        assert page.inner_text("#login-error") == "Wrong token."
        errors.clear()  # the browser logs the refused sign-in (401) as a console error

        page.fill("#token", DASHBOARD_TOKEN)
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard")
        page.wait_for_selector("body[data-loaded=true]", timeout=30000)
        states = {c: page.get_attribute(f"#{c}", "data-state") for c in CARDS}
        assert states == {c: "ready" for c in CARDS}, {c: (s, page.inner_text(f"#{c} .status")) for c, s in states.items()}

        for chart_id in CHARTS:
            info = page.locator(f"#{chart_id}").evaluate(INSPECT)
            assert info["chart"] and info["nonzero"] > 0 and info["painted"] > 0, (chart_id, info)
        experiment_charts = page.locator(".experiment-chart")
        assert experiment_charts.count() == 1  # only aa_calibration has assignments
        info = experiment_charts.first.evaluate(INSPECT)
        assert info["chart"] and info["nonzero"] == 3 and info["painted"] > 0, info  # interval ends + lift
        assert page.locator(".experiment h3").inner_text().startswith("aa_calibration: cart_item_added")

        # The seeded numbers reach the page: 7 turns, the top unanswered question asked twice.
        assert page.inner_text("#card-rates .status").startswith("7 turns")
        assert page.locator("#unanswered-list li").first.inner_text().startswith("Where is my PARCEL ×2")
        sales = page.locator("#chart-funnel-daily").evaluate("(c) => Chart.getChart(c).data.datasets[0].data")
        assert sales[-2:] == [3, 1]  # product_viewed: 3 conversations entered yesterday, 1 today
        page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)

        # Another range: the whole page reloads its data; a bad one shows the server's reason.
        page.click("button[data-range='7d']")
        page.wait_for_selector("body[data-loaded=true]")
        assert page.input_value("#to") == dt.datetime.now(dt.timezone.utc).date().isoformat()
        assert page.get_attribute("#card-latency", "data-state") == "ready"
        page.fill("#from", "2999-01-01")
        page.fill("#to", "2999-01-02")
        page.click("#range button[type=submit]")
        page.wait_for_selector("#range-error:not([hidden])")
        assert "starts in the future" in page.inner_text("#range-error")

        page.click("#sign-out")
        page.wait_for_url("**/dashboard/login")
        page.goto(dashboard_url)
        assert page.url.endswith("/dashboard/login")
        errors = [e for e in errors if "status of 400" not in e]  # the refused range, logged by the browser
        assert not errors, errors
