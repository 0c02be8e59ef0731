"""A Rasa 3.6 entity extractor for the entities learned extractors get wrong: ``quantity``,
``date_time``, ``person_name`` and ``company`` (SPEC §3), found by :mod:`lift.understanding`.

It runs after the catalog ruler and the regex extractor and never reports a span another
extractor already claimed ("nimbus 14" is a product, not 14 of something; "LFT100002" is an
order id), nor a second entity of a type that is already there. A catalog name asked about as a
feature of the product referred to ("does it have mic?") is not a product named: it drops it.

Values: ``quantity`` an int (or the raw text when it is not a whole number, so the bot can
say why); ``date_time`` ISO 8601 in UTC — an instant ``2026-12-05T10:00:00+00:00`` or a
window ``start/end`` ("next Tuesday afternoon"), relative to the time the message is parsed;
``person_name`` and ``company`` the text as written (forms normalise it).

    - name: lift.rasa_plugins.entity_parsers.LiftEntityParsers
      dimensions: [quantity, date_time, person_name, company]   # optional: which to report
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START,
                                       ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE, TEXT)
from rasa.shared.nlu.training_data.message import Message

from lift.understanding.dates import find_date_times
from lift.understanding.numbers import find_quantities
from lift.understanding.people import parse_introduction
from lift.understanding.references import in_feature_position, in_place_position, in_use_position

DIMENSIONS = ("quantity", "date_time", "person_name", "company")
MAX_TEXT = 2000  # longer messages are not parsed for these entities (nothing to fill from an essay)
Span = Tuple[int, int]


def _overlaps(span: Span, spans: List[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def extract(text: Text, existing: List[Dict[Text, Any]], now: dt.datetime,
            dimensions=DIMENSIONS) -> List[Dict[Text, Any]]:
    """The new entities for ``text``, given the ``existing`` ones other extractors reported."""
    if not text or text.startswith("/") or len(text) > MAX_TEXT:
        return []
    taken: List[Span] = [(int(e[ENTITY_ATTRIBUTE_START]), int(e[ENTITY_ATTRIBUTE_END])) for e in existing
                         if e.get(ENTITY_ATTRIBUTE_START) is not None and e.get(ENTITY_ATTRIBUTE_END) is not None]
    have = {e.get(ENTITY_ATTRIBUTE_TYPE) for e in existing}
    found: List[Dict[Text, Any]] = []

    def add(kind: Text, span: Span, value: Any) -> None:
        if kind in dimensions and kind not in have and not _overlaps(span, taken):
            found.append({ENTITY_ATTRIBUTE_TYPE: kind, ENTITY_ATTRIBUTE_START: span[0], ENTITY_ATTRIBUTE_END: span[1],
                          ENTITY_ATTRIBUTE_VALUE: value})
        taken.append(span)  # claimed either way: no quantity inside a date or a name

    intro = parse_introduction(text)
    if intro.person_span:
        add("person_name", intro.person_span, text[slice(*intro.person_span)])
    if intro.company_span:
        add("company", intro.company_span, text[slice(*intro.company_span)])
    for mention in find_date_times(text, now):
        add("date_time", (mention.start, mention.end), mention.when.to_value())
    for q in find_quantities(text, skip=list(taken)):
        add("quantity", (q.start, q.end), q.value if q.value is not None else q.text)
    return sorted(found, key=lambda e: e[ENTITY_ATTRIBUTE_START])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LiftEntityParsers(GraphComponent, EntityExtractorMixin):
    """Deterministic quantity / date_time / person_name / company entities."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"dimensions": list(DIMENSIONS)}

    def __init__(self, config: Dict[Text, Any], clock: Optional[Callable[[], dt.datetime]] = None) -> None:
        unknown = set(config.get("dimensions") or ()) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"LiftEntityParsers: unknown dimensions {sorted(unknown)}; choose from {list(DIMENSIONS)}")
        self.dimensions = tuple(config.get("dimensions") or DIMENSIONS)
        self._clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LiftEntityParsers":
        component = cls({**cls.get_default_config(), **config})
        component.warm_up()
        return component

    def warm_up(self) -> None:
        """dateparser loads its English data on first use (~0.3 s): pay that when the model
        loads, not on a shopper's first message."""
        extract("tomorrow at 10am", [], self._clock(), self.dimensions)

    def process(self, messages: List[Message]) -> List[Message]:
        now = self._clock()
        for message in messages:
            text = message.get(TEXT) or ""
            existing = list(message.get(ENTITIES) or [])
            # "does it have mic?": the catalog's microphone is a feature asked about, not a product named;
            # "something to keep my coffee hot at my desk": the desk is where, not what
            # "headphones for office", "bulbs you can switch from your phone": what for, or with what, not what
            kinds = [int(e.get(ENTITY_ATTRIBUTE_END) or 0) for e in existing if e.get(ENTITY_ATTRIBUTE_TYPE) in ("product", "category")]
            kept = [e for e in existing if e.get(ENTITY_ATTRIBUTE_TYPE) not in ("product", "category")
                    or not (in_feature_position(text, int(e.get(ENTITY_ATTRIBUTE_START) or 0),
                                                int(e.get(ENTITY_ATTRIBUTE_END) or 0))
                            or e.get(ENTITY_ATTRIBUTE_TYPE) == "category"
                            and (in_place_position(text, int(e.get(ENTITY_ATTRIBUTE_START) or 0))
                                 or in_use_position(text, int(e.get(ENTITY_ATTRIBUTE_START) or 0),
                                                    any(end <= int(e.get(ENTITY_ATTRIBUTE_START) or 0) for end in kinds))))]
            new = self.add_extractor_name(extract(text, kept, now, self.dimensions))
            if new or len(kept) != len(existing):
                message.set(ENTITIES, kept + new, add_to_output=True)
        return messages
