"""The intent taxonomy's two groups (SPEC section 3) and what counts as "not understood"."""
from __future__ import annotations

SUPPORT_INTENTS = tuple(
    "cancel_order change_order change_shipping_address check_cancellation_fee check_invoice "
    "check_payment_methods check_refund_policy complaint contact_customer_service contact_human_agent "
    "create_account delete_account delivery_options delivery_period edit_account get_invoice get_refund "
    "newsletter_subscription payment_issue place_order recover_password registration_problems review "
    "set_up_shipping_address switch_account track_order track_refund".split()
)
# Sales and conversation intents the assistant acts on (out_of_scope is scored as rejection).
SALES_INTENTS = tuple(
    "greet goodbye affirm deny thank bot_challenge inform request_demo search_product ask_price "
    "add_to_cart view_cart remove_from_cart apply_coupon checkout start_onboarding ask_question stop "
    "ask_complements ask_alternatives".split()
)
OUT_OF_SCOPE = "out_of_scope"
NLU_FALLBACK = "nlu_fallback"
# A message is "rejected" when the assistant says it cannot help with it.
REJECTED = frozenset({OUT_OF_SCOPE, NLU_FALLBACK})


# An emoji sent on its own says yes, no, thanks or hello as plainly as the word. The classifier's
# features cannot tell emoji apart (lift.rasa_plugins.linear_intent_classifier reads none), so
# these few are read here; any other emoji-only message still gets the plain-words options.
EMOJI_INTENTS = {"👍": "affirm", "👌": "affirm", "✅": "affirm", "✔": "affirm", "👎": "deny", "❌": "deny",
                 "🙏": "thank", "👋": "greet"}
_EMOJI_MODIFIERS = {"\ufe0f", "\u200d"} | {chr(c) for c in range(0x1F3FB, 0x1F400)}  # variation selector, skin tones


def emoji_intent(text: str) -> str:
    """The intent of a message that is only one of :data:`EMOJI_INTENTS` (repeated or with skin
    tone); "" otherwise."""
    marks = {ch for ch in (text or "") if not ch.isspace() and ch not in _EMOJI_MODIFIERS}
    intents = {EMOJI_INTENTS.get(ch, "") for ch in marks}
    return intents.pop() if len(intents) == 1 and "" not in intents else ""
