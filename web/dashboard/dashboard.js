// The observability dashboard: fetches /dashboard/api/* (same-origin session cookie) and draws
// each card with Chart.js (web/vendor/chart.umd.min.js, global `Chart`). No data is embedded
// in the page; a 401 from the API means the session ended, so go back to the sign-in page.
"use strict";

const COLORS = ["#1f2a44", "#ff6a3d", "#2e90fa", "#12b76a", "#9e77ed", "#f79009", "#667085"];
const state = {params: {}, funnels: []};

const pct = (x) => (x === null || x === undefined ? null : Math.round(x * 10000) / 100);
const color = (i) => COLORS[i % COLORS.length];

class ApiError extends Error {}

async function api(name, params) {
  const query = new URLSearchParams(params || {}).toString();
  const res = await fetch(`/dashboard/api/${name}${query ? "?" + query : ""}`, {credentials: "same-origin"});
  if (res.status === 401) {
    window.location.assign("/dashboard/login");
    throw new ApiError("signed out");
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(body.error || `HTTP ${res.status}`);
  return body;
}

function card(id, stateName, message) {
  const el = document.getElementById(id);
  el.dataset.state = stateName;
  el.querySelector(".status").textContent = message || "";
}

function draw(canvas, config) {
  const old = Chart.getChart(canvas);
  if (old) old.destroy();
  config.options = Object.assign({animation: false, responsive: true, maintainAspectRatio: false,
                                  interaction: {mode: "index", intersect: false}}, config.options || {});
  return new Chart(canvas, config);
}

function lineDataset(label, data, i, extra) {
  return Object.assign({label, data, borderColor: color(i), backgroundColor: color(i), spanGaps: true,
                        tension: 0, pointRadius: 3}, extra || {});
}

// --- funnel --------------------------------------------------------------------------

function drawFunnel() {
  const select = document.getElementById("funnel-name");
  const f = state.funnels.find((x) => x.name === select.value) || state.funnels[0];
  if (!f) {
    card("card-funnel-daily", "empty", "No funnels are defined in conversions.yml.");
    card("card-funnel-variant", "empty", "No funnels are defined in conversions.yml.");
    return;
  }
  draw(document.getElementById("chart-funnel-daily"), {
    type: "line",
    data: {labels: f.by_day.map((d) => d.date),
           datasets: f.steps.map((step, i) => lineDataset(step, f.by_day.map((d) => d.steps[i]), i))},
    options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}, title: {display: true, text: "conversations"}}}},
  });
  const entered = f.overall.conversations;
  card("card-funnel-daily", entered ? "ready" : "empty",
       `${entered} conversations entered ${f.name}; ${f.overall.steps[f.steps.length - 1].conversations} reached ${f.steps[f.steps.length - 1]}.`);

  const variants = Object.entries(f.by_variant);
  draw(document.getElementById("chart-funnel-variant"), {
    type: "bar",
    data: {labels: f.steps,
           datasets: variants.map(([name, seg], i) => ({label: `${name} (n=${seg.conversations})`,
                                                        data: seg.steps.map((s) => pct(s.rate_from_start)),
                                                        backgroundColor: color(i)}))},
    options: {scales: {y: {beginAtZero: true, max: 100, title: {display: true, text: "% of entering"}}}},
  });
  card("card-funnel-variant", variants.length ? "ready" : "empty",
       variants.length ? `${variants.length} variant(s) in ${f.name}.` : "No conversation entered this funnel.");
}

async function loadFunnel() {
  const body = await api("funnel", state.params);
  state.funnels = body.funnels;
  const select = document.getElementById("funnel-name");
  const keep = select.value;
  select.replaceChildren(...body.funnels.map((f) => new Option(f.name, f.name)));
  if (body.funnels.some((f) => f.name === keep)) select.value = keep;
  drawFunnel();
  return body.period;
}

// --- experiments -----------------------------------------------------------------------

async function loadExperiments() {
  const body = await api("experiments");
  const box = document.getElementById("experiments");
  box.replaceChildren();
  let drawn = 0;
  const idle = [];
  for (const exp of body.experiments) {
    const total = exp.variants.reduce((n, v) => n + v.n, 0);
    const comps = exp.comparisons.filter((c) => c.abs_lift !== null);
    if (!total || !comps.length) { idle.push(exp.experiment); continue; }
    const wrap = document.createElement("div");
    wrap.className = "experiment";
    wrap.dataset.experiment = exp.experiment;
    const title = document.createElement("h3");
    const arms = exp.variants.map((v) => `${v.name} ${v.conversions}/${v.n}`).join(", ");
    title.textContent = `${exp.experiment}: ${exp.metric} (${arms}); ${exp.decision}` + (exp.srm_flagged ? ", SAMPLE RATIO MISMATCH" : "");
    const plot = document.createElement("div");
    plot.className = "plot";
    const canvas = document.createElement("canvas");
    canvas.className = "experiment-chart";
    plot.append(canvas);
    wrap.append(title, plot);
    box.append(wrap);
    draw(canvas, {
      type: "bar",
      data: {labels: comps.map((c) => `${c.variant} vs ${c.baseline}`),
             datasets: [
               {type: "bar", label: "95% interval (pp)", data: comps.map((c) => [pct(c.ci_low), pct(c.ci_high)]),
                backgroundColor: "rgba(46,144,250,.35)", borderColor: color(2), borderWidth: 1, barPercentage: 0.35},
               {type: "line", label: "absolute lift (pp)", data: comps.map((c) => pct(c.abs_lift)), showLine: false,
                pointRadius: 6, borderColor: color(1), backgroundColor: color(1)},
             ]},
      options: {indexAxis: "y", scales: {x: {title: {display: true, text: "percentage points"}}}},
    });
    drawn += 1;
  }
  const rest = idle.length ? ` No data yet: ${idle.join(", ")}.` : "";
  card("card-experiments", drawn ? "ready" : "empty", (drawn ? `${drawn} experiment(s) with data.` : "No experiment has data yet.") + rest);
}

// --- turns, drift, unanswered -------------------------------------------------------------

async function loadTurns() {
  const body = await api("turns", state.params);
  const labels = body.days.map((d) => d.date);
  const t = body.totals;
  draw(document.getElementById("chart-latency"), {
    type: "line",
    data: {labels, datasets: [lineDataset("p50", body.days.map((d) => d.latency_p50), 2),
                              lineDataset("p95", body.days.map((d) => d.latency_p95), 1)]},
    options: {scales: {y: {beginAtZero: true, title: {display: true, text: "seconds"}}}},
  });
  card("card-latency", t.timed_turns ? "ready" : "empty",
       t.timed_turns ? `${t.timed_turns} timed turns: p50 ${t.latency_p50} s, p95 ${t.latency_p95} s.` : "No turns in this range.");
  draw(document.getElementById("chart-rates"), {
    type: "line",
    data: {labels, datasets: [lineDataset("fallback %", body.days.map((d) => pct(d.fallback_rate)), 1),
                              lineDataset("handoff %", body.days.map((d) => pct(d.handoff_rate)), 4)]},
    options: {scales: {y: {beginAtZero: true, title: {display: true, text: "% of user turns"}}}},
  });
  card("card-rates", t.turns ? "ready" : "empty",
       t.turns ? `${t.turns} turns: ${pct(t.fallback_rate)}% fell back, ${t.handoffs} handoffs (${pct(t.handoff_rate)}%).` : "No turns in this range.");
}

async function loadDrift() {
  const body = await api("drift", state.params);
  const labels = body.days.map((d) => d.date);
  draw(document.getElementById("chart-drift"), {
    type: "line",
    data: {labels, datasets: [
      lineDataset("distance", body.days.map((d) => d.distance), 0,
                  {pointStyle: body.days.map((d) => (d.reliable ? "circle" : "crossRot")), pointRadius: 4}),
      lineDataset(`threshold ${body.threshold}`, labels.map(() => body.threshold), 1,
                  {borderDash: [6, 4], pointRadius: 0}),
    ]},
    options: {scales: {y: {beginAtZero: true, max: 1, title: {display: true, text: "JS distance (0..1)"}}}},
  });
  const o = body.overall;
  card("card-drift", o.messages ? "ready" : "empty",
       o.messages ? `${o.messages} messages; whole range ${o.distance} (threshold ${body.threshold}). × marks a day with fewer than ${body.window} messages (noisier).`
                  : "No messages in this range.");
}

async function loadUnanswered() {
  const body = await api("unanswered", Object.assign({limit: "10"}, state.params));
  const qs = body.questions;
  const short = (s) => (s.length > 42 ? s.slice(0, 41) + "…" : s);
  draw(document.getElementById("chart-unanswered"), {
    type: "bar",
    data: {labels: qs.map((q) => short(q.text)), datasets: [{label: "times asked", data: qs.map((q) => q.count),
                                                              backgroundColor: color(5)}]},
    options: {indexAxis: "y", scales: {x: {beginAtZero: true, ticks: {precision: 0}}}},
  });
  const list = document.getElementById("unanswered-list");
  list.replaceChildren(...qs.map((q) => {
    const li = document.createElement("li");
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = ` ×${q.count}, last ${q.last_asked.slice(0, 16).replace("T", " ")}`;
    li.append(document.createTextNode(q.text), count);  // text nodes: shopper text is never HTML
    return li;
  }));
  card("card-unanswered", qs.length ? "ready" : "empty", qs.length ? "" : "Every question in this range was answered.");
}

// --- wiring -------------------------------------------------------------------------------

const LOADERS = [["card-funnel-daily", loadFunnel], ["card-experiments", loadExperiments],
                 ["card-latency", loadTurns], ["card-drift", loadDrift], ["card-unanswered", loadUnanswered]];

async function loadAll() {
  const error = document.getElementById("range-error");
  error.hidden = true;
  document.body.dataset.loaded = "false";
  document.querySelectorAll(".card").forEach((el) => { el.dataset.state = "loading"; });
  await Promise.all(LOADERS.map(async ([id, load]) => {
    try {
      const period = await load();
      if (period) {
        document.getElementById("from").value = period.from;
        document.getElementById("to").value = period.to;
      }
    } catch (e) {
      if (e instanceof ApiError && e.message === "signed out") return;
      const targets = id === "card-funnel-daily" ? [id, "card-funnel-variant"] : id === "card-latency" ? [id, "card-rates"] : [id];
      targets.forEach((t) => card(t, "error", e.message));
      if (id === "card-funnel-daily") { error.textContent = e.message; error.hidden = false; }
    }
  }));
  document.body.dataset.loaded = "true";
}

document.getElementById("range").addEventListener("submit", (event) => {
  event.preventDefault();
  state.params = {from: document.getElementById("from").value, to: document.getElementById("to").value};
  loadAll();
});
document.querySelectorAll("[data-range]").forEach((button) => button.addEventListener("click", () => {
  state.params = {range: button.dataset.range};
  loadAll();
}));
document.getElementById("funnel-name").addEventListener("change", drawFunnel);
document.getElementById("sign-out").addEventListener("click", async () => {
  await fetch("/dashboard/logout", {method: "POST", credentials: "same-origin"}).catch(() => null);
  window.location.assign("/dashboard/login");
});
loadAll();
