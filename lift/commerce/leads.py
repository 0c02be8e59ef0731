"""Lead capture and demo scheduling.

A demo slot is booked by the lead row itself: ``leads.demo_time`` is unique, so two shoppers
picking the same slot at once get one booking and one :class:`SlotTaken` (checked by a
concurrent-booking test); the booking's confirmation email is queued in the same transaction.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from lift.commerce import emails
from lift.notify.outbox import enqueue

from lift.store.engine import session_scope
from lift.store.models import Lead
from lift.understanding.dates import days_named, european_hours, zone_named

# Answers from the business-buying policy lead to its sales team: after one, or after any answer to
# a question about the demo ("what is a demo?", which lift.nlu.scope sends to the knowledge base
# instead of the lead form), the assistant offers to book a demo.
SALES_PAGE = "policy:wholesale#"


def offer_demo_after(doc_id: Optional[str], demo_question: bool, in_form: bool) -> bool:
    """Whether an answer (``doc_id``; None when not sure) is followed by the demo offer; never
    inside a form, which asks its own question next."""
    if in_form:
        return False
    return bool(doc_id and str(doc_id).startswith(SALES_PAGE)) or demo_question


# Sales demos run on weekdays at these UTC hours; a slot is free until a lead books it.
DEMO_HOURS_UTC = (10, 14, 16)
SLOTS_OFFERED = 3


@dataclass(frozen=True)
class DemoSlot:
    start: dt.datetime  # naive UTC

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m-%dT%H:%M")

    @property
    def label(self) -> str:
        return self.start.strftime("%a %d %b, %H:%M UTC")


def parse_slot_key(value: object) -> Optional[dt.datetime]:
    try:
        parsed = dt.datetime.strptime(str(value).strip()[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return parsed


def _booked(engine: Engine, start: dt.datetime, end: dt.datetime) -> set:
    with session_scope(engine) as s:
        rows = s.execute(sa.select(Lead.demo_time).where(Lead.demo_time >= start, Lead.demo_time < end)).scalars()
        return {r.replace(second=0, microsecond=0) for r in rows if r is not None}


def free_demo_slots(engine: Engine, now: Optional[dt.datetime] = None, count: int = SLOTS_OFFERED) -> List[DemoSlot]:
    """The next ``count`` free weekday slots at least 12 hours ahead."""
    now = now or dt.datetime.utcnow()
    earliest = now + dt.timedelta(hours=12)
    booked = _booked(engine, earliest, earliest + dt.timedelta(days=30))
    slots: List[DemoSlot] = []
    day = earliest.date()
    while len(slots) < count and day < earliest.date() + dt.timedelta(days=30):
        if day.weekday() < 5:
            for hour in DEMO_HOURS_UTC:
                start = dt.datetime(day.year, day.month, day.day, hour)
                if start >= earliest and start not in booked:
                    slots.append(DemoSlot(start))
                    if len(slots) == count:
                        break
        day += dt.timedelta(days=1)
    return slots


def free_slots_between(engine: Engine, start: dt.datetime, end: Optional[dt.datetime],
                       now: Optional[dt.datetime] = None) -> List[DemoSlot]:
    """Free slots in [start, end) (naive UTC); with ``end`` None, the slot starting exactly at ``start``."""
    def inside(slot: DemoSlot) -> bool:
        return slot.start == start if end is None else start <= slot.start < end

    return [s for s in free_demo_slots(engine, now, count=len(DEMO_HOURS_UTC) * 31) if inside(s)]


_TAKES_IT = re.compile(r"^\W*(?:(?:yes|yeah|yep|yup|ok|okay|sure|sounds\s+good|perfect|great|fine)\W*)*"
                       r"(?:that\s+one|that(?:'?s|\s+is)?\s+(?:fine|good|great|perfect)|that\s+works|works\s+for\s+(?:me|us)|"
                       r"book\s+it|go\s+ahead|that\s+time|let'?s\s+do\s+(?:it|that))?\W*(?:pls|please|thanks)?\W*$",
                       re.IGNORECASE)


def match_slot(value: object, offered: List[DemoSlot], now: Optional[dt.datetime] = None) -> Optional[DemoSlot]:
    """The offered slot the shopper picked: a button payload key, '1'/'first', or its label, or the
    one offered at the hour typed. A day named holds it to that day: "dec 17 2pm eastern" typed
    when Wed 09 Dec 14:00 was offered is no pick (and 2pm eastern is 19:00 UTC anyway). Two
    alternatives ("thurs morning-ish, or fri if thats easier") or a part of the day ("next tues
    afternoon") pick nothing: the free times in them are offered, none is guessed."""
    text = " ".join(str(value or "").lower().split())
    if not text:
        return None
    parsed = parse_slot_key(text)
    if parsed is not None:
        return next((s for s in offered if s.start == parsed), None)
    ordinals = {"1": 0, "first": 0, "one": 0, "2": 1, "second": 1, "two": 1, "3": 2, "third": 2, "three": 2,
                "last": len(offered) - 1}
    for word, idx in ordinals.items():
        if text in (word, f"the {word}", f"the {word} one", f"{word} one", f"option {word}") and 0 <= idx < len(offered):
            return offered[idx]
    if len(offered) == 1 and _TAKES_IT.match(text):  # one time offered: "yes that one", "ok that works"
        return offered[0]
    named = days_named(text, now or dt.datetime.utcnow())
    if named:
        offered = [s for s in offered if named.allows(s.start.date())]
    for slot in offered:
        if text in slot.label.lower() or slot.label.lower().startswith(text):
            return slot
    bare = _words_of(text)
    for slot in offered:  # "Tue 15 Dec 14:00", the label typed without its punctuation
        if len(bare.split()) >= 3 and f" {bare} " in f" {_words_of(slot.label)} ":
            return slot
    if named.several or re.search(r"\b(?:or|either)\b", text):
        return None
    if _PART_RE.search(text):  # "an afternoon one pls": the one button in it; several, or none, pick nothing
        # ("the afternoon one at 2 please": the hour picks among them)
        return _by_part_of_day(text, offered) or _by_day_and_hour(european_hours(text), offered)
    return _by_day_and_hour(european_hours(text), offered) or _by_day_alone(text, offered)


def _by_day_alone(text: str, offered: List[DemoSlot]) -> Optional[DemoSlot]:
    """"the monday one": the one offered slot on the weekday named (no hour, no other day)."""
    days = {m.group(1) for m in _DAY_RE.finditer(text)}
    if len(days) != 1 or re.search(r"\d", text) or _PART_RE.search(text):
        return None
    day = _DAYS.index(days.pop())
    on_day = [s for s in offered if s.start.weekday() == day]
    return on_day[0] if len(on_day) == 1 else None


# "next tues afternoon", "whenever, mornings are best": a part of the day names no slot (it booked
# the one afternoon slot offered); the date_time entity's window offers the free ones in it.
_PART_RE = re.compile(r"\b(morning|afternoon|evening|lunch|midday|noon)s?\b")
# "whenever, mornings are best", "the afternoon one" with the times on screen (UTC, as shown)
_PART_OF_DAY = {"morning": range(0, 12), "afternoon": range(12, 17), "evening": range(17, 24)}


def _by_part_of_day(text: str, offered: List[DemoSlot]) -> Optional[DemoSlot]:
    """The one offered slot in the part of the day typed (on the weekday typed, if any); None when
    several or none are, or a number (a date, an hour) is typed too."""
    parts = {m.group(1) for m in _PART_RE.finditer(text)} & set(_PART_OF_DAY)
    if len(parts) != 1 or re.search(r"\d", text):
        return None
    day = _DAY_RE.search(text)
    hours = _PART_OF_DAY[parts.pop()]
    fits = [s for s in offered if s.start.hour in hours and (day is None or s.start.weekday() == _DAYS.index(day.group(1)))]
    return fits[0] if len(fits) == 1 else None


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_RE = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b")
_AT_HOUR_RE = re.compile(r"\bat\s+(\d{1,2})()()(?!\s*(?:people|persons|staff|users|seats|%|[:.]\d))\b")  # "monday at 10"
_HOUR_RE = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\b")
# "the 4 o'clock one works", "the two o'clock slot would suit me nicely"
_HOUR_WORDS = {w: str(i) for i, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), 1)}
_OCLOCK_RE = re.compile(r"\b(\d{1,2}|" + "|".join(_HOUR_WORDS) + r")()()\s*o['’]?\s*clock\b", re.IGNORECASE)


def _words_of(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9:]+", text.lower().replace(" utc", "")))


def _by_day_and_hour(text: str, offered: List[DemoSlot]) -> Optional[DemoSlot]:
    """The one offered slot at the hour typed, on the weekday typed if any ("tuesday at 2pm" when
    Tuesday the 15th at 14:00 was offered, though dateparser reads the coming Tuesday; "2pm"; "10am
    eastern" is the 15:00 UTC slot in December)."""
    day = _DAY_RE.search(text)
    hours = [m for m in _HOUR_RE.finditer(text) if m.group(3) or m.group(2)] or list(_AT_HOUR_RE.finditer(text)) \
        or list(_OCLOCK_RE.finditer(text))
    if len(hours) != 1:
        return None
    said = hours[0].group(1).lower()
    hour, minute, half = int(_HOUR_WORDS.get(said, said)), int(hours[0].group(2) or 0), hours[0].group(3)
    if half == "pm" and hour < 12 or not half and 1 <= hour <= 7:  # "the one at 2": 14:00 (demos run 8-20)
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    zone = zone_named(text) or dt.timezone.utc

    def clock(slot: DemoSlot) -> Tuple[int, int]:
        local = slot.start.replace(tzinfo=dt.timezone.utc).astimezone(zone)
        return local.hour, local.minute

    picked = [s for s in offered if (day is None or s.start.weekday() == _DAYS.index(day.group(1)))
              and clock(s) == (hour, minute)]
    return picked[0] if len(picked) == 1 else None


def free_slots_in(engine: Engine, windows: Sequence[Tuple[dt.datetime, Optional[dt.datetime]]],
                  now: Optional[dt.datetime] = None) -> List[DemoSlot]:
    """The free slots in any of ``windows`` (naive UTC), in time order: "thurs morning-ish, or fri if
    thats easier" offers Thursday's morning slot and Friday's, not a guess between them."""
    found = {slot for start, end in windows for slot in free_slots_between(engine, start, end, now)}
    return sorted(found, key=lambda slot: slot.start)


def nearest_free_slots(engine: Engine, when: dt.datetime, count: int = SLOTS_OFFERED,
                       now: Optional[dt.datetime] = None) -> List[DemoSlot]:
    """The ``count`` free slots closest to ``when`` (naive UTC), in time order: for a time that
    has no slot ("tuesday at 3pm" -> Tuesday 14:00 and 16:00, not whatever comes first)."""
    free = free_demo_slots(engine, now, count=len(DEMO_HOURS_UTC) * 31)
    closest = sorted(free, key=lambda slot: (abs((slot.start - when).total_seconds()), slot.start))[:count]
    return sorted(closest, key=lambda slot: slot.start)


def choose_slot(engine: Engine, value: object, window: Optional[Tuple[dt.datetime, Optional[dt.datetime]]] = None,
                now: Optional[dt.datetime] = None,
                shown: Sequence[object] = ()) -> Tuple[Optional[DemoSlot], List[DemoSlot]]:
    """The free slot the shopper picks, and the free slots on offer for that pick.

    ``value`` may pick an offered slot (button key, "2", "the first one": counted in ``shown``,
    the slot keys the shopper was last offered, when given; else in the next free ones; a slot
    booked since is refused when the lead is saved); else ``window`` — a
    (start, end) in naive UTC read from a ``date_time`` entity, ``end`` None for an instant —
    picks it when that time is free. A window (a day, an afternoon) picks nothing, even with one
    free slot in it ("tomorrow after lunch" booked tomorrow's only free time, 10:00): its free
    slots are returned to be offered."""
    offered = [DemoSlot(start) for start in (parse_slot_key(k) for k in shown) if start is not None]
    slot = match_slot(value, offered or free_demo_slots(engine, now), now)
    if slot is not None:
        return slot, [slot]
    if window is None:
        return None, []
    free = free_slots_between(engine, window[0], window[1], now)
    return (free[0] if len(free) == 1 and window[1] is None else None), free


class SlotTaken(ValueError):
    """Another lead booked the demo slot first."""


def save_lead(engine: Engine, *, sender_id: str, person_name: str, email: str, company: str, team_size: int,
              demo_time: Optional[dt.datetime]) -> int:
    """Store the lead and book its slot (if any), queueing the booking email; raises
    :class:`SlotTaken` (nothing stored) when the slot went to someone else first."""
    try:
        with session_scope(engine) as s:
            lead = Lead(sender_id=sender_id, person_name=person_name, email=email, company=company,
                        team_size=int(team_size), demo_time=demo_time)
            s.add(lead)
            s.flush()
            if demo_time is not None:
                subject, body = emails.demo_booking(person_name, DemoSlot(demo_time).label)
                enqueue(s, kind="demo_booking", recipient=email, subject=subject, body=body)
            return int(lead.id)
    except IntegrityError:
        if demo_time is None:
            raise
        raise SlotTaken(f"The demo slot {DemoSlot(demo_time).label} was just booked by someone else.") from None


def booked_demo(engine: Engine, lead_id: object) -> Optional[Lead]:
    """The lead ``lead_id`` while its demo is still ahead (detached; None otherwise)."""
    try:
        key = int(float(lead_id))  # the slot holds a float
    except (TypeError, ValueError):
        return None
    with session_scope(engine) as s:
        lead = s.get(Lead, key)
        if lead is None or lead.demo_time is None or lead.demo_time <= dt.datetime.utcnow():
            return None
        s.expunge(lead)
        return lead


def move_demo(engine: Engine, lead_id: int, start: dt.datetime) -> Tuple[DemoSlot, DemoSlot]:
    """Moves the lead's demo to ``start`` and queues the email saying so: (old slot, new slot).
    Raises :class:`SlotTaken` (nothing changed) when ``start`` went to someone else first."""
    try:
        with session_scope(engine) as s:
            lead = s.get(Lead, int(lead_id))
            if lead is None or lead.demo_time is None:
                raise ValueError(f"lead {lead_id} has no demo booked")
            old = DemoSlot(lead.demo_time)
            lead.demo_time = start
            s.flush()
            subject, body = emails.demo_moved(lead.person_name, old.label, DemoSlot(start).label)
            enqueue(s, kind="demo_booking", recipient=lead.email, subject=subject, body=body)
            return old, DemoSlot(start)
    except IntegrityError:
        raise SlotTaken(f"The demo slot {DemoSlot(start).label} was just booked by someone else.") from None


def cancel_demo(engine: Engine, lead_id: int) -> Optional[DemoSlot]:
    """Frees the lead's demo slot (the lead itself stays) and queues the email saying so: the slot
    cancelled, or None when there was none."""
    with session_scope(engine) as s:
        lead = s.get(Lead, int(lead_id))
        if lead is None or lead.demo_time is None:
            return None
        slot = DemoSlot(lead.demo_time)
        lead.demo_time = None
        subject, body = emails.demo_cancelled(lead.person_name, slot.label)
        enqueue(s, kind="demo_booking", recipient=lead.email, subject=subject, body=body)
        return slot
