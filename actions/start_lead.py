"""request_demo's first step: the lead form's intro, or, when a demo was booked earlier in this chat,
the answer about it ("can we move it", "did that go through?") or to the question asked ("do you
offer net 30 invoicing though?") instead of a second booking."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.common import entity_values, latest_text
from actions.mentions import typed_kind
from actions.quotes import total_for
from actions.demo_booking import answer_demo_followup
from actions.knowledge import ActionAnswerQuestion
from lift.commerce.leads import booked_demo
from lift.commerce.pricing import asks_about_volume_price, describe_volume_discounts
from lift.nlu.scope import asks_about


# "whats the total", "how much would that be", "can you email me a quote"
_ASKS_SUM = re.compile(r"\b(?:total|how\s+much|quote|cost|costs|price|pricing|come\s+to)\b", re.IGNORECASE)


def bulk_quote(tracker: Tracker, catalog) -> Text:
    """"we need 40 laptops for our team, whats the total" / "a quote for 40 nimbus 14": the sum for
    each product named (or up to three of the kind named), with the volume discount; "" when the
    message asks no sum, gives no quantity or names nothing we sell."""
    text = latest_text(tracker)
    if not _ASKS_SUM.search(text):
        return ""
    products = [p for p in (catalog.find(v) for v in entity_values(tracker, "product")) if p is not None]
    category = catalog.category_of(text) if not products else None
    if category is not None:
        products = typed_kind(tracker, catalog, category)[1]
    lines = [f"{p.name}: {total}" for p in products[:3] if (total := total_for(tracker, p, catalog))]
    return " ".join(lines)


class ActionStartLead(Action):
    """request_demo: the lead form's intro (lead_form runs next by rule), unless the message is about
    the demo booked earlier in this chat."""

    def name(self) -> Text:
        return "action_start_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        followed = answer_demo_followup(dispatcher, tracker, in_lead_rule=True)
        if followed is not None:
            return followed
        text = latest_text(tracker)
        if (asks_about(text) or text.rstrip().endswith("?")) and not tracker.active_loop_name \
                and booked_demo(resources.get().engine, tracker.get_slot("lead_id")) is not None:
            # "do you offer net 30 invoicing though?" after booking: the answer, not a second booking
            answered = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
            return [e for e in answered if e.get("event") != "followup"] + [FollowupAction("action_listen")]
        dispatcher.utter_message(response="utter_lead_intro")
        quoted = bulk_quote(tracker, resources.get().catalog)
        if quoted:  # "we need 40 laptops for our team, whats the total": the sums first
            dispatcher.utter_message(text=f"{quoted} Our sales team can quote a larger order individually; a few "
                                          "details first.")
        elif asks_about_volume_price(text):  # "we're a school buying 30 tablets, is there a discount?": answered first
            dispatcher.utter_message(text=f"{describe_volume_discounts()} For a larger order our sales team can "
                                          "quote you a better price; a few details first.")
        return [SlotSet("demo_rescheduling", None)] if tracker.get_slot("demo_rescheduling") else []
