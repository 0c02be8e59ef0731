"""Turning a chat turn into a retrieval query, and an answer into a cited chat reply."""
from __future__ import annotations

import re
from typing import Optional

from lift.retrieval.text import sanitize

# A button or deep link sends "/intent" with no words: search with a plain question instead.
INTENT_QUESTIONS = {
    "check_refund_policy": "What is your refund and return policy?",
    "delivery_options": "What delivery options do you offer at checkout?",
    "delivery_period": "How long does delivery take?",
    "check_payment_methods": "Which payment methods do you accept?",
    "check_cancellation_fee": "Is there a cancellation fee?",
    "review": "How can I leave a product review?",
    "check_invoice": "Where can I find the invoice for my order?",
    "get_invoice": "Can I get an invoice for my order?",
    "get_refund": "How do I return an item and get a refund?",
    "track_refund": "Where is my refund?",
    "payment_issue": "Why was my payment declined?",
    "recover_password": "I forgot my password, how do I reset it?",
    "registration_problems": "I cannot sign up for an account.",
    "edit_account": "How do I change my account details?",
    "switch_account": "How do I switch between accounts?",
    "delete_account": "How do I delete my account and my data?",
    "set_up_shipping_address": "How do I save a delivery address in my account?",
    "newsletter_subscription": "How do I subscribe to the newsletter?",
    "apply_coupon": "Do you have any promo codes or discounts?",
}

# How sure the intent classifier must be of a policy intent before that intent's question above
# stands in for a wording the knowledge base could not match ("my kettle leaks and i want to
# send it back" read as get_refund): on the NLU dev split (scripts/eval_nlu.py --split dev, never
# the reporting split) 99.0 % of the predictions of these intents at >= 0.5 were right, 97.8 % at 0.3.
TOPIC_CONFIDENCE = 0.5

# Intents the knowledge base answers from one section each (the account, the newsletter, the
# cancellation fee). When the classifier is this sure of one, that section answers even where the
# words found another: "how do I delete my account" (0.999) found the FAQ on creating one, "promo
# emails every day, make it stop" (0.99) the promo-code rules, "can i cancel my newsletter" the
# order-cancelling section. Their training examples found another section for 3-65 % of them.
ONE_SECTION_INTENTS = frozenset({"delete_account", "newsletter_subscription", "recover_password",
                                 "registration_problems", "edit_account", "switch_account",
                                 "set_up_shipping_address", "check_cancellation_fee"})
SURE_CONFIDENCE = 0.95


def topic_question(intent: Optional[str], confidence: Optional[float]) -> str:
    """The standard question of a policy intent the classifier is sure of, else ''."""
    if not intent or confidence is None or float(confidence) < TOPIC_CONFIDENCE:
        return ""
    return INTENT_QUESTIONS.get(intent, "")


def sure_topic_question(intent: Optional[str], confidence: Optional[float]) -> str:
    """The standard question of a one-section intent the classifier is all but certain of, else ''."""
    if intent not in ONE_SECTION_INTENTS or confidence is None or float(confidence) < SURE_CONFIDENCE:
        return ""
    return INTENT_QUESTIONS.get(intent or "", "")


# Words that point back at the product being discussed ("how much does it weigh?").
_REFERENCE_RE = re.compile(r"\b(it|its|it's|this|that|these|those|they|them|one)\b", re.I)


def build_query(text: Optional[str], intent: Optional[str] = None,
                context_product: Optional[str] = None) -> str:
    """The search query for a user turn ('' when there is nothing to search for).

    ``context_product`` is the name of the product the shopper last looked at; it is added
    only when the question refers back to something ("does it come in black?") so a plain
    policy question is never skewed towards a product page.
    """
    text = (text or "").strip()
    if text.startswith("/"):
        return INTENT_QUESTIONS.get(intent or text[1:].split("{", 1)[0].strip(), "")
    if context_product and _REFERENCE_RE.search(text) and context_product.lower() not in text.lower():
        return f"{text} ({context_product})"
    return text


def format_answer(passage: str, title: str, doc_id: str) -> str:
    """The reply: the passage quoted verbatim (never interpreted) and its source.

    Passages are data. Quoting them makes plain that the bot is citing a document, and even
    a passage that says "ignore previous instructions" is only ever shown, never acted on.
    """
    passage = sanitize(passage).replace("\u201d", '"')
    return f"\u201c{passage}\u201d\n\nSource: {sanitize(title)} ({doc_id})"
