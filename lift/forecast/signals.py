"""Per-turn engagement signals and the fast scorer the bot uses every turn.

:func:`conversation_signals` is a plain function over a tracker's events (the dicts Rasa and
rasa-sdk both use), so the tracker store, an action and a test compute the same numbers.
:func:`session_features` merges those with the page's own session signals when the chat widget
sends them as message metadata (``metadata["session"]``, UCI column names, any subset):

* chat product views and price views count as product-related pages, their time as
  product-related duration (seconds from the first to the latest message);
* answered questions count as informational pages;
* Month / Weekend default to the message's date; anything else unknown stays missing
  (NaN), which the gradient-boosted model routes like its most common training branch.

:class:`Forecaster` scores one vector in about a tenth of a millisecond: the booster's trees
walked as flat arrays (:mod:`.fastpath`) and the Platt calibrator applied directly, instead of
the estimator's ``predict_proba`` (``scripts/bench_forecast.py`` compares both and checks they
agree).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Iterable, List, Mapping, Optional

import numpy as np

from lift.forecast.schema import COLUMNS, MONTH_CODES, ForecastInputError, encode_value

_INDEX = {c: i for i, c in enumerate(COLUMNS)}
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_two_stage_fallback"})


@dataclass(frozen=True)
class ConversationSignals:
    turns: int = 0
    products_viewed: int = 0
    price_views: int = 0
    cart_value: float = 0.0
    questions_answered: int = 0
    fallbacks: int = 0
    seconds_since_last_message: Optional[float] = None
    conversation_seconds: float = 0.0

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _cart_value(cart: Any) -> float:
    total = Decimal("0")
    if not isinstance(cart, list):
        return 0.0
    for item in cart:
        try:
            total += Decimal(str(item["unit_price"])) * int(item["qty"])
        except (KeyError, TypeError, ValueError, InvalidOperation):
            continue
    return float(total)


def conversation_signals(events: Iterable[Mapping[str, Any]]) -> ConversationSignals:
    """Signals of the conversation so far (since the last session start)."""
    turns = price_views = questions = fallbacks = 0
    viewed: set = set()
    cart: Any = None
    user_times: List[float] = []
    for e in events:
        kind = e.get("event")
        if kind == "session_started":
            turns = price_views = questions = fallbacks = 0
            viewed, cart, user_times = set(), None, []
        elif kind == "user":
            turns += 1
            if isinstance(e.get("timestamp"), (int, float)):
                user_times.append(float(e["timestamp"]))
            intent = ((e.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent in FALLBACK_INTENTS:
                fallbacks += 1
        elif kind == "slot":
            name, value = e.get("name"), e.get("value")
            if name == "last_product" and value:
                viewed.add(value)
            elif name == "kb_doc_id" and value:
                questions += 1
            elif name == "cart":
                cart = value
        elif kind == "action":
            name = e.get("name")
            if name == "action_show_price":
                price_views += 1
            elif name in FALLBACK_ACTIONS:
                fallbacks += 1
    gap = user_times[-1] - user_times[-2] if len(user_times) >= 2 else None
    span = user_times[-1] - user_times[0] if len(user_times) >= 2 else 0.0
    return ConversationSignals(
        turns=turns, products_viewed=len(viewed), price_views=price_views, cart_value=_cart_value(cart),
        questions_answered=questions, fallbacks=fallbacks, seconds_since_last_message=gap,
        conversation_seconds=max(span, 0.0),
    )


def page_session(events: Iterable[Mapping[str, Any]]) -> Dict[str, Any]:
    """The page's session signals sent with the latest user message that carried any."""
    latest: Dict[str, Any] = {}
    for e in events:
        if e.get("event") == "user":
            meta = (e.get("metadata") or {}).get("session")
            if isinstance(meta, Mapping):
                latest = dict(meta)
    return latest


def session_features(signals: ConversationSignals, session: Optional[Mapping[str, Any]] = None,
                     now: Optional[dt.datetime] = None) -> np.ndarray:
    """One model input row (shape ``(1, len(COLUMNS))``); invalid page fields are ignored."""
    row = np.full((1, len(COLUMNS)), np.nan)
    for name, raw in (session or {}).items():
        if name in _INDEX:
            try:
                row[0, _INDEX[name]] = encode_value(name, raw, "metadata.session")
            except ForecastInputError:
                continue  # a broken widget field must not cost the shopper a reply
    now = now or dt.datetime.now(dt.timezone.utc)

    def add(column: str, amount: float) -> None:
        i = _INDEX[column]
        row[0, i] = (0.0 if math.isnan(row[0, i]) else row[0, i]) + amount

    if signals.products_viewed or signals.price_views:
        add("ProductRelated", signals.products_viewed + signals.price_views)
        add("ProductRelated_Duration", signals.conversation_seconds)
    if signals.questions_answered:
        add("Informational", signals.questions_answered)
    if math.isnan(row[0, _INDEX["Month"]]):
        row[0, _INDEX["Month"]] = MONTH_CODES[now.strftime("%b").lower()]
    if math.isnan(row[0, _INDEX["Weekend"]]):
        row[0, _INDEX["Weekend"]] = float(now.weekday() >= 5)
    return row


class Forecaster:
    """A loaded model plus a validation-free single-row path for the per-turn forecast."""

    def __init__(self, estimator: Any, manifest: Optional[Dict[str, Any]] = None):
        self.estimator = estimator
        self.manifest = manifest or {}
        from lift.forecast.fastpath import FlatEnsemble

        calibrated = estimator.calibrated_classifiers_[0]
        self._booster = FlatEnsemble(getattr(calibrated, "estimator", None) or calibrated.base_estimator)
        calibrator = calibrated.calibrators[0]
        self._a, self._b = float(calibrator.a_), float(calibrator.b_)

    @classmethod
    def load(cls, model_dir) -> "Forecaster":
        from lift.forecast.model import load_model

        return cls(*load_model(model_dir))

    def score_many(self, X: np.ndarray) -> np.ndarray:
        """The public scikit-learn path (validated); used for files."""
        from lift.forecast.model import single_threaded

        with single_threaded():
            return self.estimator.predict_proba(X)[:, 1]

    def score_row(self, row: np.ndarray) -> float:
        """Same number as :meth:`score_many` for one row (flat-array tree walk + Platt sigmoid)."""
        raw = self._booster.raw(np.asarray(row, dtype=float).reshape(-1))
        return 1.0 / (1.0 + math.exp(self._a * raw + self._b))

    def for_events(self, events: List[Mapping[str, Any]], now: Optional[dt.datetime] = None) -> float:
        return self.score_row(session_features(conversation_signals(events), page_session(events), now))
