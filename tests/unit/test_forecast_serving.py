"""Per-turn forecast: conversation signals from real tracker events, and the fast scorer
returning exactly scikit-learn's probabilities (with and without missing page signals)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from rasa_sdk import Tracker

from lift.forecast.model import make_estimator, single_threaded
from lift.forecast.schema import COLUMNS, read_table
from lift.forecast.signals import Forecaster, conversation_signals, page_session, session_features

from tests.unit.test_forecast import DATA


@pytest.fixture(scope="module")
def forecaster():
    table = read_table(DATA, require_outcome=True)
    rng = np.random.default_rng(3)
    pick = rng.choice(len(table.y), 3000, replace=False)
    with single_threaded():
        est = make_estimator().fit(table.X[pick], table.y[pick])
    return Forecaster(est), table.X[np.setdiff1d(np.arange(len(table.y)), pick)][:300]


def _tracker(events):
    return Tracker("s1", {}, {}, events, False, None, {}, "action_listen")


def _user(ts, intent, metadata=None):
    return {"event": "user", "timestamp": ts, "text": "x", "metadata": metadata or {},
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}}}


EVENTS = [
    {"event": "session_started", "timestamp": 90.0},
    _user(100.0, "search_product", {"session": {"PageValues": 12.5, "ProductRelated": 7, "Bogus": 1}}),
    {"event": "slot", "name": "last_product", "value": "KIT-002"},
    _user(130.0, "ask_price"),
    {"event": "action", "name": "action_show_price"},
    {"event": "slot", "name": "last_product", "value": "KIT-007"},
    {"event": "slot", "name": "last_product", "value": "KIT-002"},
    _user(170.0, "nlu_fallback"),
    {"event": "action", "name": "action_default_fallback"},
    _user(230.0, "add_to_cart"),
    {"event": "slot", "name": "cart", "value": [{"sku": "KIT-002", "qty": 2, "unit_price": "449.00"}]},
    {"event": "slot", "name": "kb_doc_id", "value": "faq-3"},
]


def test_conversation_signals_from_a_real_tracker():
    sig = conversation_signals(_tracker(EVENTS).events)
    assert (sig.turns, sig.products_viewed, sig.price_views, sig.questions_answered) == (4, 2, 1, 1)
    assert sig.cart_value == pytest.approx(898.0)
    assert sig.fallbacks == 2  # the fallback intent and the fallback action
    assert sig.seconds_since_last_message == pytest.approx(60.0)
    assert sig.conversation_seconds == pytest.approx(130.0)


def test_a_new_session_resets_the_signals():
    sig = conversation_signals(EVENTS + [{"event": "session_started"}, _user(999.0, "greet")])
    assert (sig.turns, sig.products_viewed, sig.cart_value, sig.seconds_since_last_message) == (1, 0, 0.0, None)


def test_page_signals_merge_with_chat_signals():
    now = dt.datetime(2026, 11, 28, 12, tzinfo=dt.timezone.utc)  # a Saturday in November
    row = session_features(conversation_signals(EVENTS), page_session(EVENTS), now)[0]
    col = {c: row[i] for i, c in enumerate(COLUMNS)}
    assert col["PageValues"] == 12.5
    assert col["ProductRelated"] == 7 + 2 + 1  # page views + chat product views + price views
    assert col["Informational"] == 1
    assert col["Month"] == 10 and col["Weekend"] == 1.0
    assert np.isnan(col["BounceRates"])  # unknown stays missing


def test_fast_path_returns_sklearns_probabilities(forecaster):
    f, held = forecaster
    rows = held.copy()
    rows[::3, 7] = np.nan  # missing ExitRates
    rows[1::5, 10] = np.nan  # missing Month (categorical)
    expected = f.score_many(rows)
    got = np.array([f.score_row(r.reshape(1, -1)) for r in rows])
    assert np.allclose(got, expected, atol=1e-12)
    assert expected.std() > 0.05  # a real spread, not one constant


def test_forecast_rises_with_purchase_intent(forecaster):
    f, _ = forecaster
    now = dt.datetime(2026, 11, 10, tzinfo=dt.timezone.utc)
    browsing = f.for_events([_user(1.0, "greet", {"session": {"PageValues": 0, "ExitRates": 0.2, "BounceRates": 0.2}})], now)
    buying = f.for_events([_user(1.0, "add_to_cart", {"session": {"PageValues": 60, "ExitRates": 0.01,
                                                                  "BounceRates": 0.0, "ProductRelated": 40}})], now)
    assert 0.0 <= browsing < 0.1 < 0.4 < buying <= 1.0
