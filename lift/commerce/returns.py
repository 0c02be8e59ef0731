"""Refunds of one order, in the shopper's words: what they can do to get their money back, and
where a refund already recorded stands. Facts and numbers are the returns policy's
(``kb/policies/returns.md``: 30 days from delivery, Order History -> Return items, 5-10
business days to the original payment method)."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import List, NamedTuple, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.commerce.money import format_price
from lift.store.engine import session_scope
from lift.store.models import Order, Refund

RETURN_DAYS = 30
CHANGE_OF_MIND_FEE = Decimal("5.95")
WARRANTY_YEARS = 2  # kb/policies/warranty.md: manufacturing defects, 2 years from delivery
# "it arrived broken", "the lid is cracked", "stopped working", "not what I ordered": the returns
# policy's free returns (faulty, damaged in transit, not what was ordered).
# Another item than the one ordered: "I received a kettle but I ordered a lamp", "you sent me a blender, i
# ordered a toaster", "box came today n its a kettle, i ordered a blender??", "... this is not my product"
_OTHER_ITEM = (
    r"(?:box|package|parcel|delivery|order|it)\s+(?:came|arrived|turned\s+up|showed\s+up)[^.?!]{0,25}?\b(?:it'?s|its|it\s+is|"
    r"there'?s|there\s+is|with)\s+(?:a|an|the|some)\s+(?:[\w-]+\s+){0,3}?[\w-]+\W+(?:but\s+)?(?:i|we)\s+(?:had\s+)?"
    r"(?:ordered|bought|paid\s+for)\s+(?:a|an|the|some|\d+)\s|not\s+my\s+(?:product|item)\b|"
    r"(?:got|received|sent\s+me|was\s+sent|came\s+with)\s+(?:a|an|the|some|\d+)\s+(?:[\w-]+\s+){0,4}?[\w-]+\s*"
    r"(?:,|;|\bbut\b|\bwhen\b|\bwhile\b|\byet\b)\s*(?:but\s+)?(?:(?:i|we)\s+)?(?:had\s+)?(?:ordered|bought|paid\s+for|asked\s+for)\s+"
    r"(?:a|an|the|some|\d+)\s|"
    r"(?:ordered|order|bought)\s+(?:\w+\s+){1,4}?(?:but\s+)?in\s+the\s+(?:box|package|parcel)\s+(?:is|was|were|there\s+(?:is|was))"
    r"\s+(?:a|an|the|some|\d+)\s|"
    r"\b(?:box|package|parcel)\s+(?:that\s+)?(?:arrived|came)\b[^.?!]{0,30}\b(?:has|had|contains|contained)\s+(?:a|an|some)\s+[^.?!]{0,30}"
    r"\binstead\b|")
_OTHER_ITEM_RE = re.compile(r"\b(?:" + _OTHER_ITEM.rstrip("|") + r")", re.IGNORECASE)

_FAULT_RE = re.compile(
    r"\b(?:broken|broke|damaged|cracked|smashed|shattered|dented|scratched|faulty|defective|dead\s+on\s+arrival|doa|died|"
    r"(?:doesn'?t|does\s+not|don'?t|won'?t|will\s+not|isn'?t|is\s+not|not)\s+(?:work|working|turn\s+on|switch\s+on|charge|"
    r"power\s+on)\w*|stopped\s+(?:working|heating|charging|spinning|cooling|brewing|turning\s+on|connecting|pairing)|wrong\s+(?:item|product|one|colou?r|size|model)|not\s+what\s+i\s+ordered|"
    r"not\s+the\s+one\s+i\s+ordered|different\s+(?:\w+\s+){0,2}(?:than|from|to)\s+(?:what|the\s+one)\s+i\s+ordered|"
    # "ordered headphones got a toaster lol"
    r"snapped|shattered|torn|leak(?:s|ing|ed)|bashed(?:\s+in)?|crushed|squashed|dinged|chipped|busted|caved\s+in|"
    # "instead of the two desk lamps I ordered there was a toaster", "got a toaster instead of the lamp"
    r"instead\s+of\s+(?:[\w-]+\s+){1,8}?(?:there\s+(?:was|were|is|are)|i\s+(?:got|received|found)|(?:you|they)\s+sent)|"
    r"(?:got|received|sent\s+me|came\s+with)\s+(?:[\w-]+\s+){1,5}?instead\s+of|"
    + _OTHER_ITEM +
    r"(?:ordered|order|bought)\s+(?:\w+\s+){1,4}?(?:but\s+|and\s+)?(?:got|received|receive|was\s+sent|they\s+sent(?:\s+me)?|"
    r"(?:you|u)(?:\s+(?:guys|people|lot))?\s+sent(?:\s+me)?|"
    r"came\s+with)"
    r"\s+(?:a|an|the|some|this|these|\d+))\b",
    re.IGNORECASE)
HOW_TO_RETURN = ("sign in, open Order History, choose the order and select Return items (guest shoppers: the "
                 "Returns page with the order number and email)")


class RefundRecord(NamedTuple):
    refund_id: int
    amount: Decimal
    status: str
    created: dt.datetime


def refunds_of(engine: Engine, order_id: str) -> List[RefundRecord]:
    """The refunds recorded for ``order_id``, oldest first."""
    with session_scope(engine) as s:
        rows = s.execute(sa.select(Refund).where(Refund.order_id == order_id).order_by(Refund.id)).scalars()
        return [RefundRecord(int(r.id), Decimal(r.amount), str(r.status), r.created_at) for r in rows]


def _recorded(refunds: List[RefundRecord], currency: str) -> Optional[str]:
    parts = []
    for r in refunds:
        if r.status == "voided":
            continue
        if r.status == "pending":
            state = f"is on its way to your original payment method (5-10 business days from {r.created:%a %d %b})"
        elif r.status == "completed":
            state = "has been paid back to your original payment method"
        else:
            state = f"is {r.status}"
        parts.append(f"refund R{r.refund_id} of {format_price(r.amount, currency)} {state}")
    return "; ".join(parts) or None


def refund_options(order: Order, refunds: List[RefundRecord], today: dt.date, currency: str) -> str:
    """What the owner of ``order`` can do to get money back, given its status and refunds."""
    recorded = _recorded(refunds, currency)
    oid = order.order_id
    if recorded:
        return f"For order {oid}: {recorded}."
    if order.status == "cancelled":
        return f"Order {oid} was cancelled and no refund is recorded for it; a person from our team can check."
    if order.status == "processing":
        return (f"Order {oid} hasn't shipped yet, so there is nothing to send back: if you cancel it, the full "
                "amount is refunded to your original payment method.")
    if order.status == "shipped":
        return (f"Order {oid} is on its way. Once it's delivered you have {RETURN_DAYS} days to return items: "
                f"{HOW_TO_RETURN}.")
    if order.status == "delivered":
        delivered = order.estimated_delivery
        if delivered is not None and today > delivered + dt.timedelta(days=RETURN_DAYS):
            return (f"Order {oid} was delivered around {delivered:%d %b}, more than {RETURN_DAYS} days ago, so the "
                    "return window has closed; a faulty item is still covered by the warranty.")
        until = f" (until about {delivered + dt.timedelta(days=RETURN_DAYS):%a %d %b})" if delivered else ""
        return (f"You can return items from order {oid} within {RETURN_DAYS} days of delivery{until}: "
                f"{HOW_TO_RETURN}. The refund goes back to your original payment method within 5-10 business days "
                f"of the return being approved; a change-of-mind return costs a {format_price(CHANGE_OF_MIND_FEE, currency)} "
                "return shipping fee.")
    return f"Order {oid} is {order.status}; a person from our team can help with a refund."


# "only one lamp was inside, i paid for two", "the charger is missing from the box"
_MISSING_RE = re.compile(
    r"\b(?:missing|(?:was|were|is|are)\s+not\s+(?:in\s+(?:the\s+)?(?:box|parcel|package)|included)|"
    r"(?:didn'?t|did\s+not|never)\s+(?:get|receive|come\s+with)\s+(?:the|my|one|all|both|a|an)\b|"
    r"only\s+(?:one|1|half|two|2)\s+(?:\w+\s+){0,2}(?:was|were|came|arrived|inside|in\s+the\s+(?:box|parcel|package))|"
    r"paid\s+for\s+(?:two|three|four|\d+))", re.IGNORECASE)


def says_missing(text: str) -> bool:
    """Whether a message says part of an order never arrived ("only one lamp was inside, i paid for two")."""
    return bool(_MISSING_RE.search(text or ""))


def missing_item_options(order: Order) -> Optional[str]:
    """What the owner of ``order`` gets when an item is missing from it: our team sends it or refunds
    it. None when the order has not shipped (nothing can be missing yet)."""
    if order.status not in ("shipped", "delivered"):
        return None
    return (f"I'm sorry something is missing from order {order.order_id}. Our team sends the missing item or refunds "
            "it: tap Talk to a person and they'll take it from here; they can see this chat, so you won't need to "
            "repeat yourself.")


def received_other_item(text: str) -> bool:
    """Whether a message says another item came than the one ordered ("I received a kettle but I ordered a lamp")."""
    return bool(_OTHER_ITEM_RE.search(text or ""))


def says_faulty(text: str) -> bool:
    """Whether a message says an item arrived damaged, faulty or wrong (a free return)."""
    return bool(_FAULT_RE.search(text or ""))


_OWNED = re.compile(r"\b(?:my|arrived|came|got|received|ordered|bought|delivered|sent)\b", re.IGNORECASE)
# Words of an item that came from the store ("arrived broken", "the one i ordered")
_FROM_US = re.compile(r"\b(?:arrived|came|received|ordered|delivered|sent|from\s+you)\b", re.IGNORECASE)
# "my old coffee machine broke. Do you have coffee makers?", "bruh my charger died, u got chargers?":
# shopping for a new one
_SHOPPING = re.compile(r"\b(?:do|does)\s+(?:you|u|ya)\s+(?:guys\s+)?(?:have|sell|carry|stock|got)\b|"
                       r"\b(?:you|u|ya)\s+(?:guys\s+)?(?:got|have|sell)\s+(?:any|a|some|\w+s)\b|\bgot\s+any\b|"
                       r"\blooking\s+for\s+(?:a|an|some)\b|\bneed\s+(?:a|an)\s+new\b|\bshow\s+me\b|"
                       r"\bwhat\s+(?:do\s+you|have\s+you)\s+got\b|\brecommend\b", re.IGNORECASE)


def reports_faulty_item(text: str) -> bool:
    """A shopper telling of an item of theirs that is faulty, damaged or wrong ("ordered headphones got
    a toaster lol", "my kettle arrived broken"), not looking for one ("a kettle that won't break") nor
    for a new one because theirs broke ("my old coffee machine broke, do you have coffee makers?")."""
    text = text or ""
    if not says_faulty(text) or not _OWNED.search(text):
        return False
    return bool(_FROM_US.search(text)) or not _SHOPPING.search(text)


def faulty_item_options(order: Order, refunds: List[RefundRecord], today: dt.date, currency: str) -> Optional[str]:
    """What the owner of ``order`` can do about an item that arrived damaged, faulty or wrong: a
    free return within the window, the warranty after it. None when the order cannot hold such an
    item (not shipped yet, cancelled) or a refund is already recorded (``refund_options`` says it)."""
    oid = order.order_id
    if _recorded(refunds, currency) or order.status not in ("shipped", "delivered"):
        return None
    delivered = order.estimated_delivery if order.status == "delivered" else None
    if delivered is not None and today > delivered + dt.timedelta(days=RETURN_DAYS):
        return (f"Order {oid} was delivered more than {RETURN_DAYS} days ago, so it is past the return window, but a "
                f"faulty item is covered by our {WARRANTY_YEARS}-year warranty against manufacturing defects.")
    until = f" (until about {delivered + dt.timedelta(days=RETURN_DAYS):%a %d %b})" if delivered else ""
    return (f"An item from order {oid} that arrived damaged, faulty or not what you ordered can be returned free of "
            f"charge within {RETURN_DAYS} days of delivery{until}: {HOW_TO_RETURN}. The refund goes back to your "
            "original payment method within 5-10 business days of the return being approved.")


def faulty_item_policy() -> str:
    """What anyone can do about an item that arrived damaged, faulty or wrong, no order in view."""
    return (f"An item that arrived damaged, faulty or not what you ordered can be returned free of charge within "
            f"{RETURN_DAYS} days of delivery for a refund or a replacement: {HOW_TO_RETURN}. After that, our "
            f"{WARRANTY_YEARS}-year warranty covers manufacturing defects (repair or replacement). Accidental "
            "damage isn't covered.")


# "stopped working after like 3 months, is there warranty??", "my laptop is 8 months old, am i covered?":
# a fault, an age, and a question about cover: the warranty's verdict for that age.
_COVER_RE = re.compile(r"\b(?:warrant\w*|guarantee\w*|covered|cover|coverage)\b", re.IGNORECASE)
_AGE_RE = re.compile(r"\b(\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|"
                     r"couple\s+of|few)\s+(day|week|month|year)s?\b", re.IGNORECASE)
_AGE_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
              "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "couple of": 2, "few": 3}
_DAYS_PER = {"day": 1, "week": 7, "month": 30, "year": 365}
HOW_TO_CLAIM = ("contact us with your order number, a short description of the fault and a photo or video that shows "
                "it; we answer within 2 business days, send a prepaid label, then repair or replace it (or refund it if "
                "neither is possible)")


def item_age_days(text: str) -> Optional[int]:
    """How old the item is, in days, as the message says it ("after like 3 months", "a year old")."""
    m = _AGE_RE.search(text or "")
    if not m:
        return None
    amount = m.group(1).lower()
    count = int(amount) if amount.isdigit() else _AGE_WORDS.get(" ".join(amount.split()), 0)
    return count * _DAYS_PER[m.group(2).lower()] or None


WARRANTY_SOURCE = "Warranty: How long the warranty lasts (policy:warranty#warranty-coverage)"


def warranty_verdict(text: str) -> Optional[str]:
    """Whether a faulty item of the age the message gives is covered, and what to do: within the
    return window a free return, within the warranty a claim, after it a paid repair. None when
    the message doesn't ask about cover for a faulty item of a stated age."""
    if not (_COVER_RE.search(text or "") and says_faulty(text)):
        return None
    age = item_age_days(text)
    if age is None:
        return None
    if age <= RETURN_DAYS:
        return (f"Yes: within {RETURN_DAYS} days of delivery a faulty item can be returned free of charge for a refund "
                f"or a replacement: {HOW_TO_RETURN}. After that, our {WARRANTY_YEARS}-year warranty covers manufacturing "
                "defects.")
    if age <= WARRANTY_YEARS * 365:
        return (f"Yes: at that age it's within our {WARRANTY_YEARS}-year warranty against manufacturing defects "
                f"(accidental damage and normal wear aren't covered). To claim, {HOW_TO_CLAIM}.")
    return (f"Our warranty covers manufacturing defects for {WARRANTY_YEARS} years from delivery, so at that age it has "
            "run out. We can still arrange a paid repair for many items: we send a quote after inspecting it, and you "
            "only pay if you accept it.")


# "how do I make a claim" after the warranty was explained: the claim's steps, not only a person
# (Bitext labels "file a claim" a complaint, so it reaches the hand-off)
_HOW_TO_CLAIM_RE = re.compile(r"\b(?:how|where|what\s+do\s+i\s+do|what'?s\s+the\s+process)\b.*\bclaim\w*\b|"
                              r"\b(?:make|file|start|submit|lodge|open|raise)\s+(?:a|the|my)\s+(?:warranty\s+)?claim\b",
                              re.IGNORECASE)
WARRANTY_DOC = "policy:warranty"


def claim_steps(text: str, last_doc: Optional[str]) -> Optional[str]:
    """How to make a warranty claim, when ``text`` asks how right after a warranty answer
    (``last_doc``, the document last cited); else None."""
    if not str(last_doc or "").startswith(WARRANTY_DOC) or not _HOW_TO_CLAIM_RE.search(text or ""):
        return None
    return f"To make a warranty claim, {HOW_TO_CLAIM}."



# kb/policies/returns.md, "Non-returnable items": opened earphones and in-ear headphones
NON_RETURNABLE_SOURCE = "Returns and refunds: Non-returnable items (policy:returns#non-returnable-items)"
_IN_EAR = re.compile(r"\b(?:ear\s?-?buds?|earphones?|in-?ear)\b", re.IGNORECASE)
_OPENED = re.compile(r"\b(?:opened|open(?:ed)?\s+(?:the\s+)?(?:box|package|packaging|seal)|unsealed|used|using|worn|wore|"
                     r"tried|a\s+few\s+times|once|twice|been\s+opened)\b", re.IGNORECASE)
_RETURN_ASKED = re.compile(r"\b(?:return\w*|send\w*\s+(?:\w+\s+){0,2}back|refund\w*|(?:give|take)\s+(?:\w+\s+){0,2}back|"
                           r"money\s+back)\b", re.IGNORECASE)


def in_ear_return_verdict(text: str, product_name: Optional[str] = None) -> Optional[str]:
    """Whether earphones can go back, for a return asked about earbuds / in-ear headphones (named in
    the message or as ``product_name``): opened ones can't, unless faulty. None for another question,
    another product, or a fault (the free return for a faulty item applies)."""
    if not _RETURN_ASKED.search(text or "") or says_faulty(text or ""):
        return None
    if not (_IN_EAR.search(text or "") or _IN_EAR.search(product_name or "")):
        return None
    if _OPENED.search(text):
        return ("Sorry, opened earphones and in-ear headphones can't be returned, for hygiene reasons. If they're faulty "
                f"it's different: a faulty item is a free return within {RETURN_DAYS} days of delivery, and our "
                f"{WARRANTY_YEARS}-year warranty covers manufacturing defects after that.")
    return (f"Earphones and in-ear headphones can be returned within {RETURN_DAYS} days of delivery only if they're "
            "unopened: opened ones can't be taken back, for hygiene reasons, unless they're faulty. To return them, "
            f"{HOW_TO_RETURN}.")
