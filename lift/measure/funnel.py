"""Funnel report over ``micro_conversions``.

A conversation *reaches* step k of a funnel when it recorded every step 1..k within the
reporting period (micro-conversions are recorded once, at their first occurrence, so the
order they happened in is not required: an email captured during onboarding still counts
for the leads funnel). Segments (channel, variant) use the attribution of the
conversation's first-step record, so every conversation sits in exactly one segment; so does
the day (``by_day``: the UTC day of that record, when the records carry their time).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from tabulate import tabulate

from lift.store.models import MicroConversion

UNKNOWN = "unknown"


class ReportError(ValueError):
    """Bad report parameters (dates, funnel name); the message is shown to the user."""


def parse_iso(text: str) -> dt.datetime:
    """ISO-8601 date or date-time -> naive UTC (naive input is taken as UTC)."""
    raw = (text or "").strip()
    if not raw:
        raise ReportError("empty date")
    candidate = raw[:-1] + "+00:00" if raw[-1:] in ("Z", "z") else raw
    try:
        value = dt.datetime.fromisoformat(candidate)
    except ValueError:
        raise ReportError(
            f"invalid ISO date {text!r}; use e.g. 2024-05-01 or 2024-05-01T13:00:00Z"
        ) from None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _rate(n: int, d: int) -> Optional[float]:
    return round(n / d, 4) if d else None


def _segment(depths: Iterable[int], steps: Sequence[str]) -> Dict[str, Any]:
    depths = list(depths)
    counts = [sum(1 for d in depths if d > k) for k in range(len(steps))]
    rows = []
    for k, name in enumerate(steps):
        rows.append(
            {
                "name": name,
                "conversations": counts[k],
                "rate_from_previous": None if k == 0 else _rate(counts[k], counts[k - 1]),
                "rate_from_start": _rate(counts[k], counts[0]),
            }
        )
    return {"conversations": counts[0], "steps": rows}


def compute_funnel(records: Iterable[Sequence[Any]], steps: Sequence[str]) -> Dict[str, Any]:
    """``records``: (sender_id, name, channel, variant[, occurred_at]) rows of the period."""
    names: Dict[str, set] = defaultdict(set)
    entry: Dict[str, Tuple[str, str]] = {}
    entry_day: Dict[str, str] = {}
    for sender, name, channel, variant, *when in records:
        names[sender].add(name)
        if name == steps[0]:
            entry[sender] = (channel or UNKNOWN, variant or UNKNOWN)
            if when and when[0] is not None:
                entry_day[sender] = when[0].date().isoformat()

    depth: Dict[str, int] = {}
    for sender in entry:  # a conversation without step 1 never entered the funnel
        k = 0
        while k < len(steps) and steps[k] in names[sender]:
            k += 1
        depth[sender] = k

    by_channel: Dict[str, List[int]] = defaultdict(list)
    by_variant: Dict[str, List[int]] = defaultdict(list)
    by_day: Dict[str, List[int]] = defaultdict(list)
    for sender, d in depth.items():
        channel, variant = entry[sender]
        by_channel[channel].append(d)
        by_variant[variant].append(d)
        if sender in entry_day:
            by_day[entry_day[sender]].append(d)
    return {
        "steps": list(steps),
        "overall": _segment(depth.values(), steps),
        "by_channel": {k: _segment(v, steps) for k, v in sorted(by_channel.items())},
        "by_variant": {k: _segment(v, steps) for k, v in sorted(by_variant.items())},
        "by_day": {k: _segment(v, steps) for k, v in sorted(by_day.items())},
    }


def funnel_report(
    engine: sa.engine.Engine,
    funnels: Dict[str, Sequence[str]],
    since: Optional[dt.datetime] = None,
    until: Optional[dt.datetime] = None,
) -> Dict[str, Any]:
    """Funnels over the rows with ``since <= occurred_at < until`` (naive UTC bounds)."""
    if since and until and since >= until:
        raise ReportError(f"--since ({since.isoformat()}) must be before --until ({until.isoformat()})")
    wanted = sorted({s for steps in funnels.values() for s in steps})
    rows: List[Tuple[Any, ...]] = []
    table = MicroConversion.__table__
    if wanted and sa.inspect(engine).has_table(table.name):
        c = table.c
        query = sa.select(c.sender_id, c.name, c.channel, c.variant, c.occurred_at).where(
            table.c.name.in_(wanted)
        )
        if since:
            query = query.where(table.c.occurred_at >= since)
        if until:
            query = query.where(table.c.occurred_at < until)
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(query)]
    by_name: Dict[str, list] = defaultdict(list)
    for r in rows:
        by_name[r[1]].append(r)
    out = []
    for name, steps in funnels.items():
        relevant = [r for s in steps for r in by_name.get(s, ())]
        out.append({"name": name, **compute_funnel(relevant, steps)})
    return {
        "period": {
            "since": since.isoformat() + "Z" if since else None,
            "until": until.isoformat() + "Z" if until else None,
        },
        "funnels": out,
    }


def _cell(step: Dict[str, Any], first: bool) -> str:
    n = step["conversations"]
    if first:
        return str(n)
    rate = step["rate_from_previous"]
    return f"{n} ({rate * 100:.1f}%)" if rate is not None else f"{n} (-)"


def render_table(report: Dict[str, Any]) -> str:
    """Steps as rows, segments as columns; each cell: conversations (rate from previous step)."""
    since, until = report["period"]["since"], report["period"]["until"]
    period = f"{since or 'beginning'} .. {until or 'now'} (UTC)"
    lines: List[str] = []
    for funnel in report["funnels"]:
        segments = [("overall", funnel["overall"])]
        segments += [(f"channel={k}", v) for k, v in funnel["by_channel"].items()]
        segments += [(f"variant={k}", v) for k, v in funnel["by_variant"].items()]
        header = ["step"] + [name for name, _ in segments]
        body = []
        for k, step in enumerate(funnel["steps"]):
            body.append([step] + [_cell(seg["steps"][k], k == 0) for _, seg in segments])
        end_to_end = []
        for _, seg in segments:
            rate = seg["steps"][-1]["rate_from_start"]
            end_to_end.append(f"{rate * 100:.1f}%" if rate is not None else "-")
        body.append(["start -> end"] + end_to_end)
        table = tabulate(body, headers=header, tablefmt="simple", disable_numparse=True,
                         colalign=("left",) + ("right",) * (len(header) - 1))
        lines.append(f"Funnel {funnel['name']}: " + " -> ".join(funnel["steps"]))
        lines.append(f"Period: {period}; {funnel['overall']['conversations']} conversations entered")
        lines.append(table)
        lines.append("")
    lines.append("Cells: conversations reaching the step (rate from the previous step).")
    return "\n".join(lines)
