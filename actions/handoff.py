"""Handing the conversation to a person: ticket with a summary, then the bot passes on what the shopper types."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, ConversationResumed, Restarted, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.common import answer_in_passing, latest_intent, latest_text
from actions.demo_booking import answer_demo_followup
from actions.order_in_view import faulty_item_in_view
from lift.commerce.validation import asks_something
from lift.commerce.returns import claim_steps, faulty_item_policy, says_faulty, warranty_verdict
from lift.commerce.handoff import (CLOSE_HOUR, OPEN_HOUR, TicketError, get_ticket, queue_position, queue_ticket, summarize,
                                   when_answered, withdraw)
from lift.governance.policy import handoff_summary_mode
from lift.governance.redaction import agent_summary
from lift.nlu.intents import SUPPORT_INTENTS
from lift.nlu.readings import asks_for_phone, asks_hours, asks_when
from lift.understanding.erasure import asks_erasure


def _reason(tracker: Tracker) -> Text:
    intent = latest_intent(tracker)
    if intent == "complaint":
        return "complaint"
    if intent == "nlu_fallback":
        return "fallback"
    if intent in ("contact_human_agent", "contact_customer_service"):
        return "user_request"
    return "low_confidence"


# Rasa handles only the restart intent in a paused conversation; action_restart below turns it
# into "withdraw my request and resume" while paused.
BACK_TO_ASSISTANT = {"title": "Back to the assistant", "payload": "/restart"}


def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: Text) -> List[Dict[Text, Any]]:
    res = resources.get()
    engine = res.engine
    # Agents see (and the ticket stores) the summary as governance.yml's redaction policy allows.
    summary = agent_summary(summarize(tracker.events, tracker.current_slot_values()),
                            handoff_summary_mode(res.settings.governance_file))
    ticket = queue_ticket(engine, sender_id=tracker.sender_id, channel=tracker.get_latest_input_channel(),
                          reason=reason, summary=summary)
    position = queue_position(engine, ticket)
    dispatcher.utter_message(
        text=f"I've passed your conversation to our support team (ticket #{ticket}, you're number {position} in the queue). "
             f"{when_answered(dt.datetime.now(dt.timezone.utc))}; "
             "they can see what we've discussed, so you won't need to repeat yourself. Anything you add here goes to them too; "
             "if you change your mind before someone picks it up, tap “Back to the assistant”.",
        buttons=[BACK_TO_ASSISTANT])
    # Rasa stops predicting at the pause, before its action_listen; the listen recorded here ends
    # the turn as usual, so the shopper's "Back to the assistant" (intent restart) finds Rasa's
    # restart rule, which needs the last action to be a listen.
    return [SlotSet("handoff_ticket_id", float(ticket)), ConversationPaused(), ActionExecuted("action_listen")]


PERSON_OFFER = [{"title": "Talk to a person", "payload": "/contact_human_agent"}, {"title": "No thanks", "payload": "/deny"}]


def after_support_answer(tracker: Tracker) -> bool:
    """Whether the shopper's message before this one asked a support question (payment declined,
    password reset, invoice...) that the knowledge base answered."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    previous = ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name") if len(users) > 1 else None
    return previous in SUPPORT_INTENTS and bool(tracker.get_slot("kb_doc_id"))


# "ok what now", "that didn't help", "i already tried that", "yeah checked spam", "still not working"
_STUCK = re.compile(r"\b(?:what\s+now|now\s+what|what\s+next|then\s+what|what\s+(?:do|should|can)\s+i\s+do|"
                    r"(?:didn'?t|did\s+not|doesn'?t|does\s+not)\s+(?:help|work)|not\s+help\w*|already\s+(?:tried|did|done|checked)|"
                    r"tried\s+(?:that|it|this|everything)|checked\s+(?:the\s+)?(?:spam|junk)|still\s+(?:not|no|nothing|doesn'?t|"
                    r"hasn'?t|isn'?t|can'?t|won'?t))\b", re.IGNORECASE)
_YES = re.compile(r"^\W*(?:y|yes+|yeah|yea|yep|yup|ok|okay|sure|please|pls|plz|go\s+on|do\s+it)\b", re.IGNORECASE)


def stuck_after_support(tracker: Tracker) -> bool:
    """"ok what now" / "that didn't help" right after a support answer."""
    return after_support_answer(tracker) and bool(_STUCK.search(latest_text(tracker)))


def accepts_person_offer(tracker: Tracker) -> bool:
    """A typed yes ("yes i tried resetting it like 5 times") to the bot's last message offering a person."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot":
            offered = any(b.get("payload") == "/contact_human_agent" for b in (event.get("data") or {}).get("buttons") or [])
            return offered and bool(_YES.search(latest_text(tracker)))
    return False


def offer_person_after_support(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """"i tried 3 times already" or "yeah checked spam" after a support answer, not understood: the
    answer didn't help, so a person is offered (buttons) instead of the bot's scope. None otherwise."""
    if tracker.active_loop_name or not after_support_answer(tracker):
        return None
    text = latest_text(tracker)
    if asks_something(text) and not _STUCK.search(text):
        return None  # "how many in stock": a new question, not a sign the answer failed (the options follow)
    dispatcher.utter_message(text="Sorry that didn't sort it out. Would you like me to pass this to a person from our team? "
                                  "They can look into your order or account.", buttons=PERSON_OFFER)
    return []


_CALL_ME = re.compile(r"\b(?:call|ring|phone)\s+(?:me|us)\b|\b(?:person|human|someone|somebody|agent)\b", re.IGNORECASE)


class ActionRequestHandoff(Action):
    def name(self) -> Text:
        return "action_request_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        reason = _reason(tracker)
        text = latest_text(tracker)
        # what the shopper can do while a person takes it: "my kettle arrived broken" after ordering, that
        # order's free return; "screen died after 8 months, am i covered?", the warranty's verdict for that
        # age; "the package arrived smashed", the faulty-item policy
        meantime = (faulty_item_in_view(tracker) or warranty_verdict(text)
                    or claim_steps(text, tracker.get_slot("kb_doc_id"))  # "how do i make a claim" after the warranty
                    or (faulty_item_policy() if says_faulty(text) else None)) if reason == "complaint" else None
        if meantime:
            dispatcher.utter_message(text=f"In the meantime: {meantime}")
        if asks_hours(text) and (not _CALL_ME.search(text) or asks_when(text)):  # (not "call me, when are you open")
            # "when are your support people online? I'm in Madrid": the hours (kb/policies/contact.md), and a
            # person offered, not a ticket that holds every question after it for the team
            found = answer_in_passing(text, "ask_question")  # the support-hours section, when it is the one found
            dispatcher.utter_message(text=found if found and f"{OPEN_HOUR:02d}:00" in found else
                                     f"People answer here Monday to Friday, {OPEN_HOUR:02d}:00-{CLOSE_HOUR}:00 UTC.",
                                     buttons=[{"title": "Talk to a person", "payload": "/contact_human_agent"},
                                              {"title": "Something else", "payload": "/stop"}])
            return []
        if asks_for_phone(text) and not _CALL_ME.search(text):
            # "whats ur phone number, i hate typing" (kb/policies/contact.md): no number, and a person
            # offered here, not a ticket nobody asked for
            dispatcher.utter_message(text="We don't have a phone line (or a separate support email): our team answers "
                                          "right here in the chat. Shall I get a person?",
                                     buttons=[{"title": "Talk to a person", "payload": "/contact_human_agent"},
                                              {"title": "Something else", "payload": "/stop"}])
            return []
        if asks_for_phone(text):  # "can someone just call me": no calls, but a person here
            dispatcher.utter_message(text="We don't have a phone line, but a person from our team can answer you "
                                          "right here, with everything you've said so far.")
        return hand_off(dispatcher, tracker, reason)


class ActionDefaultFallback(Action):
    """Reached when dialogue prediction is unsure (RulePolicy's core fallback). Low NLU
    confidence goes to actions/fallback.py instead; should an ``nlu_fallback`` turn still
    land here, a person takes over. Otherwise the shopper is told what the bot can do and
    the turn is forgotten so it doesn't skew predictions."""

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if latest_intent(tracker) == "nlu_fallback":
            return hand_off(dispatcher, tracker, "fallback")
        if accepts_person_offer(tracker):  # "yes" to "Would you like to talk to a person?"
            return hand_off(dispatcher, tracker, "user_request")
        followed = answer_demo_followup(dispatcher, tracker)  # "did it go through ok?" read as a yes, after booking
        if followed is None:
            followed = offer_person_after_support(dispatcher, tracker)  # "yeah checked spam"
        if followed is not None:
            # forgotten like any turn no rule follows, or the policies would predict this action again
            return [UserUtteranceReverted()] + followed
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]


class ActionRestart(Action):
    """Rasa's restart, except in a conversation paused for a person: there the shopper's
    "Back to the assistant" withdraws a ticket nobody has picked up yet and resumes the bot with
    the cart and details kept. Once an agent has claimed it, the conversation stays theirs."""

    def name(self) -> Text:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if not tracker.is_paused() and not latest_text(tracker).startswith("/"):
            # "back to the assistant" typed with no person awaited: nothing to withdraw, nothing to forget
            dispatcher.utter_message(text="I'm here. What can I help you with?")
            return []
        if not tracker.is_paused():
            return [Restarted()]  # what Rasa's own action_restart does (the domain has no utter_restart)
        ticket_id = tracker.get_slot("handoff_ticket_id")
        if _erasure_asked(tracker):  # the tap withdrew the deletion request too, without a word
            dispatcher.utter_message(text=f"I'm back. Your data deletion request stays with our team (ticket #{int(ticket_id or 0)}): "
                                          "they'll confirm it's you by email. What else can I help you with?")
            return [ConversationResumed()]
        engine = resources.get().engine
        if ticket_id is not None and withdraw(engine, int(ticket_id), tracker.sender_id) is None:
            try:
                ticket = get_ticket(engine, int(ticket_id))
            except TicketError:  # deleted by retention or erasure meanwhile: nobody is on it
                ticket = None
            if ticket is not None and ticket.status == "claimed":
                dispatcher.utter_message(text=f"A person from our team is already looking at your conversation "
                                              f"(ticket #{ticket.id}) and will reply here.")
                return []
        dispatcher.utter_message(text="Okay, I've withdrawn your request for a person. I'm back: what can I help you with?")
        return [ConversationResumed(), SlotSet("handoff_ticket_id", None)]


def _erasure_asked(tracker: Tracker) -> bool:
    """Whether the message that paused the conversation for a person asked to delete the shopper's data."""
    paused = False
    for event in reversed(tracker.events or []):
        paused = paused or event.get("event") == "pause"
        if paused and event.get("event") == "user":
            return asks_erasure(event.get("text"))
    return False

