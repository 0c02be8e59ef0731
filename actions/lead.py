"""Lead capture: name, email, company, team size, and a concrete demo slot."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import resources
from actions.catalog import ActionShowProducts
from actions.price import ActionShowPrice
from actions.common import (answer_in_passing, answered_instead, answering_form, checked, first_entity, latest_intent,
                            latest_text)
from lift.commerce.leads import (SlotTaken, choose_slot, free_demo_slots, free_slots_in, move_demo, nearest_free_slots,
                                 parse_slot_key, save_lead)
from lift.commerce.contacts import email_typo_fixed
from lift.commerce.validation import normalize_company, normalize_email, normalize_person_name, parse_team_size
from lift.nlu.scope import asks_about, declines_demo
from lift.understanding.dates import find_date_times, from_value
from lift.understanding.people import company_named_alone, team_size_in


MAX_OFFERED = 6


def _window(value: Any):
    """A date_time value as a (start, end) window in naive UTC for the demo calendar; None if it is not one."""
    when = from_value(value)
    if when is None:
        return None
    naive = [m.astimezone(dt.timezone.utc).replace(tzinfo=None) if m else None for m in (when.start, when.end)]
    return naive[0], naive[1]


def _text_answer(tracker: Tracker, slot: Text) -> Dict[Text, Any]:
    return {slot: latest_text(tracker).strip()} if answering_form(tracker, slot) else {}


class PersonalDetailsMixin:
    """Name and email extraction/validation, shared by the lead and onboarding forms. A name the
    message already carries (entity ``person_name``: "Hi, I'm Dana Whitfield") is taken whatever
    was asked, so the form never asks for it again."""

    async def extract_person_name(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        entity = first_entity(tracker, "person_name")
        if entity:
            return {"person_name": entity}
        return _text_answer(tracker, "person_name")

    async def extract_email(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        # The from_entity mapping already handles a recognised address (in any message); this
        # catches a malformed one typed as the answer, so it gets a specific re-ask.
        if tracker.get_slot("requested_slot") == "email" and not first_entity(tracker, "email"):
            return _text_answer(tracker, "email")
        return {}

    def validate_person_name(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return checked("person_name", value, normalize_person_name, dispatcher)

    def validate_email(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if normalize_email(value) is None and answered_instead(  # "do i need an account to order?"
                dispatcher, value, tracker, "I don't have an answer to that here, sorry."):
            return {"email": None}
        fixed = email_typo_fixed(normalize_email(value))
        if fixed:  # "tiredmum3@gmail.con": a confirmation sent there would never arrive
            dispatcher.utter_message(text=f"I've taken that as {fixed} (“{normalize_email(value)}” looks like a typo); "
                                          "say “change email” if it isn't right.")
            return {"email": fixed}
        return checked("email", value, normalize_email, dispatcher)


class ValidateLeadForm(PersonalDetailsMixin, FormValidationAction):
    def name(self) -> Text:
        return "validate_lead_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        plain_no = tracker.get_slot("requested_slot") == "demo_time" and latest_intent(tracker) == "deny" \
            and len(latest_text(tracker).split()) <= 4  # "No, thank you." to the demo times
        if tracker.active_loop_name == "lead_form" and (declines_demo(latest_text(tracker)) or plain_no):
            # "I don't need a demo for chairs, I just want the price for 25 chairs": the form ends
            # (action_submit_lead then finds no lead to save) and what was asked is answered
            dispatcher.utter_message(text="No problem, no demo then.")
            follow = {"ask_price": ActionShowPrice, "search_product": ActionShowProducts}.get(latest_intent(tracker) or "")
            answered = await follow().run(dispatcher, tracker, domain) if follow else []
            return answered + [ActiveLoop(None), SlotSet("requested_slot", None)]
        return await super().run(dispatcher, tracker, domain)

    async def extract_company(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        entity = first_entity(tracker, "company")
        if entity:
            return {"company": entity}
        return _text_answer(tracker, "company")

    async def extract_team_size(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "team_size":
            # a headcount said in passing ("we're 200 people", "50 staff") is taken, never asked again
            stated = None if tracker.get_slot("team_size") else team_size_in(latest_text(tracker))
            return {"team_size": stated} if stated else {}
        quantity = first_entity(tracker, "quantity")
        if quantity is not None and answering_form(tracker, "team_size"):
            return {"team_size": quantity}
        return _text_answer(tracker, "team_size")

    async def extract_demo_time(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        picked = first_entity(tracker, "date_time")
        if picked and not tracker.get_slot("demo_time"):
            return {"demo_time": picked}  # "book a demo tomorrow at 10am": taken if that slot is free
        if tracker.get_slot("requested_slot") != "demo_time":
            return {}
        return {"demo_time": picked} if picked else _text_answer(tracker, "demo_time")

    def validate_email(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        # "acme plumbing supply" typed where the email is asked: the company, kept (the email is
        # asked again), so the company question is not asked later
        company = None if tracker.get_slot("company") or normalize_email(value) else company_named_alone(str(value or ""))
        if company:
            dispatcher.utter_message(text=f"Thanks, I've noted {company} as your company.")
            return {"email": None, "company": company}
        return super().validate_email(value, dispatcher, tracker, domain)

    def validate_company(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if find_date_times(str(value or ""), dt.datetime.now(dt.timezone.utc)):
            # "Thursday at 3pm GMT, if that is convenient" typed at the company question: a time, never
            # the organisation's name (it was saved as the company)
            dispatcher.utter_message(response="utter_wrong_company")
            return {"company": None}
        return checked("company", value, normalize_company, dispatcher)

    def validate_team_size(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        # a float slot: Rasa stores numbers from the action server as floats anyway
        result = checked("team_size", value, parse_team_size, dispatcher)
        return {"team_size": float(result["team_size"])} if result["team_size"] is not None else result

    def validate_demo_time(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        # Re-read the free slots: another shopper may have booked the one offered a minute ago.
        offered, engine = slots_offered(tracker), resources.get().engine
        typed = latest_text(tracker) if tracker.get_slot("requested_slot") == "demo_time" else ""
        # "monday at 10", "Mon 14 Dec 10:00" typed after the times were offered: the offered one, though
        # the date parser reads the coming Monday
        slot = choose_slot(engine, typed, None, shown=offered)[0] if typed and offered else None
        slot = slot or choose_slot(engine, value, _window(value), shown=offered)[0]
        if slot is not None:
            return {"demo_time": slot.key}
        if tracker.get_slot("requested_slot") == "demo_time" and from_value(value) is None:
            dispatcher.utter_message(response="utter_wrong_demo_time")
        # A time that is taken, or names several free slots, is not guessed: action_ask_demo_time
        # says so and offers the free slots in it (or the next free ones).
        return {"demo_time": None}


def _time_message(tracker: Tracker) -> Optional[Dict[Text, Any]]:
    """The latest user message with a date_time since the last demo booked in this conversation."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "lead_id" and event.get("value") is not None:
            return None  # a demo booked since: its time is not what the next booking (or a move) wants
        if event.get("event") == "user":
            for entity in (event.get("parse_data") or {}).get("entities") or []:
                if entity.get("entity") == "date_time" and entity.get("value"):
                    return event
    return None


def preferred_times(tracker: Tracker) -> Optional[Text]:
    """The latest date_time the shopper mentioned in this conversation since the last demo booked
    in it, if any."""
    event = _time_message(tracker)
    entities = (event or {}).get("parse_data", {}).get("entities") or []
    return next((str(e["value"]) for e in entities if e.get("entity") == "date_time" and e.get("value")), None)


def alternative_windows(tracker: Tracker) -> List[Any]:
    """Every time that message names when it names several ("thurs morning-ish, or fri if thats
    easier": the entity holds the first alone), as windows; [] for one."""
    text = str((_time_message(tracker) or {}).get("text") or "")
    mentions = find_date_times(text, dt.datetime.now(dt.timezone.utc)) if text else []
    windows = [_window(m.when.to_value()) for m in mentions]
    return [w for w in windows if w] if len(windows) > 1 else []


def slots_offered(tracker: Tracker) -> List[Text]:
    """The demo slot keys of the latest times offered (the buttons of action_ask_demo_time's
    newest message), so a typed "1" picks the first time shown, not the first free one."""
    for event in reversed(tracker.events or []):
        if event.get("event") != "bot":
            continue
        keys = [m.group(1) for b in (event.get("data") or {}).get("buttons") or []
                for m in [_SLOT_PAYLOAD.search(str(b.get("payload") or ""))] if m]
        if keys:
            return keys
    return []


_SLOT_PAYLOAD = re.compile(r'"date_time"\s*:\s*"(\d{4}-\d\d-\d\dT\d\d:\d\d)"')


class ActionAskDemoTime(Action):
    """Asks for the demo time with the next free slots as buttons (computed, never canned)."""

    def name(self) -> Text:
        return "action_ask_demo_time"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        engine = resources.get().engine
        slots = free_demo_slots(engine)
        if not slots:
            dispatcher.utter_message(response="utter_no_demo_slots")
            return [SlotSet("demo_time", "unscheduled")]
        wanted = preferred_times(tracker)
        window = _window(wanted) if wanted else None
        _, near = choose_slot(engine, wanted, window) if wanted else (None, [])
        alternatives = alternative_windows(tracker)
        near = free_slots_in(engine, alternatives) if alternatives else near
        if near:
            slots = near[:MAX_OFFERED]
            intro = "Here are the free times for a 30-minute demo then:"
        elif window:
            slots = nearest_free_slots(engine, window[0]) or slots
            intro = "I have no free demo slot at that time. Here are the closest free times:"
        elif wanted:
            intro = "I have no free demo slot at that time. Here are the next free times:"
        else:
            intro = "When suits you for a 30-minute demo? Here are the next free times:"
        dispatcher.utter_message(
            text=intro,
            buttons=[{"title": f"{i}. {s.label}", "payload": f'/inform{{"date_time":"{s.key}"}}'} for i, s in enumerate(slots, 1)],
        )
        return []


_WANTS_CONTACT = re.compile(r"\b(?:quot(?:e|ation)s?|pric(?:es|ing)|price\s+list|email\s+(?:me|us)|send\s+(?:me|us)|"
                            r"contact\s+(?:me|us)|get\s+back\s+to\s+(?:me|us))\b", re.IGNORECASE)


class ActionSubmitLead(Action):
    def name(self) -> Text:
        return "action_submit_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if not all(tracker.get_slot(s) for s in ("person_name", "email", "company")):
            return []  # the form was left unanswered: no lead to save
        engine = resources.get().engine
        if declines_demo(latest_text(tracker)) or latest_intent(tracker) == "deny":
            # "We do not require a demonstration at all ... We only need the written quotation": no demo,
            # but the details given reach the sales team (the quote request was lost); a plain "no"
            # or "please do not book anything" saves nothing
            if tracker.get_slot("lead_id") is not None or not _WANTS_CONTACT.search(latest_text(tracker)):
                return []
            lead_id = save_lead(engine, sender_id=tracker.sender_id, person_name=tracker.get_slot("person_name"),
                                email=tracker.get_slot("email"), company=tracker.get_slot("company"),
                                team_size=int(tracker.get_slot("team_size") or 1), demo_time=None)
            dispatcher.utter_message(text=f"Nothing is booked. I've passed your details to our business sales team; "
                                          f"they'll reply to {tracker.get_slot('email')}.")
            return [SlotSet("lead_id", float(lead_id)), SlotSet("demo_time", None)]
        demo = tracker.get_slot("demo_time")
        start = parse_slot_key(demo) if demo and demo != "unscheduled" else None
        if tracker.get_slot("demo_rescheduling") and tracker.get_slot("lead_id") is not None and start is not None:
            return _move(dispatcher, tracker, engine, start)
        try:
            lead_id = save_lead(
                engine,
                sender_id=tracker.sender_id,
                person_name=tracker.get_slot("person_name"),
                email=tracker.get_slot("email"),
                company=tracker.get_slot("company"),
                team_size=int(tracker.get_slot("team_size") or 1),
                demo_time=start,
            )
        except SlotTaken as err:
            # Someone booked it between the offer and now: offer the slots that are still free.
            dispatcher.utter_message(text=f"{err} Let's pick another time.")
            return [SlotSet("demo_time", None), ActiveLoop("lead_form")]
        resources.get().kick_mail()
        first = str(tracker.get_slot("person_name") or "").split(" ")[0]
        when = f" for {start.strftime('%a %d %b at %H:%M UTC')}" if start else ""
        dispatcher.utter_message(
            text=f"Thanks {first}! Your demo is booked{when}. We've sent the details to {tracker.get_slot('email')}. "
                 "Is there anything else I can help with?")
        # the booked time is the lead's now: another "book a demo" in this chat asks for a new time
        # (name, email, company and team size are kept), never re-books this one as "taken"
        return [SlotSet("lead_id", float(lead_id)), SlotSet("demo_time", None)]


def _move(dispatcher: CollectingDispatcher, tracker: Tracker, engine, start: dt.datetime) -> List[Dict[Text, Any]]:
    """The new time picked after "can we move the demo": the booking moves, and is emailed."""
    try:
        old, new = move_demo(engine, int(float(tracker.get_slot("lead_id"))), start)
    except SlotTaken as err:
        dispatcher.utter_message(text=f"{err} Let's pick another time.")
        return [SlotSet("demo_time", None), ActiveLoop("lead_form")]
    except ValueError:  # the booking was cancelled meanwhile: nothing left to move
        dispatcher.utter_message(text="That demo is no longer booked, so there is nothing to move.",
                                 buttons=[{"title": "Book a demo", "payload": "/request_demo"}])
        return [SlotSet("demo_rescheduling", None), SlotSet("demo_time", None)]
    resources.get().kick_mail()
    dispatcher.utter_message(text=f"Done: your demo has moved from {old.label} to {new.label}. "
                                  f"We've emailed the new time to {tracker.get_slot('email')}.")
    return [SlotSet("demo_rescheduling", None), SlotSet("demo_time", None)]


class _AnswerThenAsk:
    """A lead_form question. The message that opened the form may have asked something the SPEC
    counts as a lead ("do you offer business accounts or invoicing?": request_demo): the knowledge
    base's answer comes first, with its source, so the question is never left unanswered; then the
    form's question, as its response says it."""

    slot = ""

    def name(self) -> Text:
        return f"action_ask_lead_form_{self.slot}"  # lead_form's only: checkout and onboarding ask email too

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        text = latest_text(tracker)
        if latest_intent(tracker) == "request_demo" and asks_about(text):
            answer = answer_in_passing(text, "request_demo")
            if answer:
                dispatcher.utter_message(text=answer)
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []


class ActionAskPersonName(_AnswerThenAsk, Action):
    slot = "person_name"


class ActionAskEmail(_AnswerThenAsk, Action):
    slot = "email"


class ActionAskCompany(_AnswerThenAsk, Action):
    slot = "company"


class ActionAskTeamSize(_AnswerThenAsk, Action):
    slot = "team_size"
