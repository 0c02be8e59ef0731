"""scripts/benchlib.py: the percentiles, summaries and tables every bench script prints."""
from __future__ import annotations

import math

from scripts.benchlib import percentile, summary, table


def test_percentile_interpolates_linearly_and_is_nan_when_empty():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert math.isclose(percentile([1, 2, 3, 4], 95), 3.85)
    assert percentile(iter([7.0]), 95) == 7.0  # any iterable
    assert math.isnan(percentile([], 50))


def test_summary_scales_and_rounds():
    s = summary([0.010, 0.020, 0.030, 0.040], digits=1, scale=1000)  # seconds -> ms
    assert s == {"n": 4, "p50_ms": 25.0, "p95_ms": 38.5, "mean_ms": 25.0}
    empty = summary([])
    assert empty["n"] == 0 and math.isnan(empty["p95_ms"]) and math.isnan(empty["mean_ms"])


def test_terminal_table_keeps_column_names_and_formats_numbers():
    text = table([("plain", 1.5, 12.25), ("conversion", 2.0, 13.0)], ["store", "p50 ms", "p95 ms"],
                 floatfmt=".2f", indent="  ")
    lines = text.splitlines()
    assert lines[0].split() == ["store", "p50", "ms", "p95", "ms"]
    assert all(line.startswith("  ") for line in lines)
    assert lines[2].split() == ["plain", "1.50", "12.25"] and lines[3].split() == ["conversion", "2.00", "13.00"]
    assert lines[2].rstrip().endswith("12.25") and lines[3].rstrip().endswith("13.00")  # right-aligned numbers


def test_per_column_formats_and_strings_as_given():
    text = table([("new", 12.34, 1.0, 7), ("sessions", 13.0, 1.053, "")],
                 ["conversation", "p50 ms", "ratio p50", "in session"], floatfmt=("", ".1f", ".2f", ""))
    rows = [line.split() for line in text.splitlines()[2:]]
    assert rows == [["new", "12.3", "1.00", "7"], ["sessions", "13.0", "1.05"]]


def test_markdown_table_as_the_readme_quotes_it():
    text = table([("front Rasa's own model", 60, "143 ms", "1.000")], ["served by", "turns", "p50", "recall"],
                 markdown=True)
    header, rule, row = text.splitlines()
    assert [c.strip() for c in header.strip("|").split("|")] == ["served by", "turns", "p50", "recall"]
    assert set(rule) <= set("|-:")
    assert [c.strip() for c in row.strip("|").split("|")] == ["front Rasa's own model", "60", "143 ms", "1.000"]
