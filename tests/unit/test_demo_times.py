"""Demo times as testers typed them: a day and a time said apart ("tomorrow after the lunch ...
maybe 15h?"), a time zone ("dec 17 at 2pm EST"), alternatives and parts of the day (offered, never
booked unasked). Real dates parser, real SQLite calendar, real Trackers and domain."""
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.lead import ActionAskDemoTime, ValidateLeadForm
from lift.commerce.leads import DemoSlot, choose_slot, free_demo_slots, match_slot, save_lead
from lift.rasa_plugins.entity_parsers import extract
from lift.understanding.dates import UTC, When, find_date_times, parse_date_time
from tests.support.trackers import make_tracker, slot_events

ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # the testers' Monday
OTHER = {"person_name": "Ola Berg", "email": "ola@berg.example", "company": "Berg AB", "team_size": 4}


def at(day, hour, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=UTC)


# --- a day and a time said apart; European hours; lunch ---------------------------------------

@pytest.mark.parametrize("text, start, said", [
    ("tomorrow after the lunch is good for me, maybe 15h?", at(8, 15), "tomorrow after the lunch is good for me, maybe 15h"),
    ("friday before lunch works, say 10h30", at(11, 10, 30), "friday before lunch works, say 10h30"),
    ("next thursday, around 2:30pm", at(10, 14, 30), "next thursday, around 2:30pm"),
    ("wednesday would suit us, ideally 16h", at(9, 16), "wednesday would suit us, ideally 16h"),
    ("could we do 14h tomorrow?", at(8, 14), "14h tomorrow"),
    ("thurs at 9h please", at(10, 9), "thurs at 9h"),
])
def test_a_day_and_a_time_said_apart_are_one_moment(text, start, said):
    [mention] = find_date_times(text, MONDAY)
    assert mention.when == When(start), text
    assert text[mention.start:mention.end] == mention.text == said  # the span indexes the original text


@pytest.mark.parametrize("text, window", [
    ("after lunch tomorrow", (at(8, 12), at(8, 18))),
    ("tomorrow after the lunch", (at(8, 12), at(8, 18))),
    ("before the lunch on friday", (at(11, 8), at(11, 12))),
])
def test_lunch_is_a_part_of_the_day(text, window):
    assert parse_date_time(text, MONDAY) == When(*window)


@pytest.mark.parametrize("text", ["can you deliver in 24h?", "48h delivery please", "we need it within 12h",
                                  "is support 24/7", "the 25h battery one", "battery lasts 20h?", "10h of playback"])
def test_hours_of_a_duration_are_not_times(text):
    assert find_date_times(text, MONDAY) == []


def test_two_alternatives_stay_two():
    text = "thursday morning, or 3pm friday"
    assert [m.text for m in find_date_times(text, MONDAY)] == ["thursday morning", "3pm friday"]
    text = "thurs morning-ish, or fri if thats easier"
    found = find_date_times(text, MONDAY)
    assert [m.when for m in found] == [When(at(10, 8), at(10, 12)), When(at(11, 0), at(12, 0))]
    # a name between them is not swallowed by one long span (the name's entity would drop the date's)
    assert [m.text for m in find_date_times("tomorrow works, im Raj from Acme, 3pm?", MONDAY)] == ["tomorrow", "3pm"]


# --- time zones ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, start", [
    ("dec 17 2pm eastern", at(17, 19)), ("dec 17 at 2pm EST", at(17, 19)), ("17 dec, 9am PST", at(17, 17)),
    ("friday 10am central time", at(11, 16)), ("thursday 15h CET", at(10, 14)), ("tomorrow 3pm GMT", at(8, 15)),
    ("tomorrow 11am (ET)", at(8, 16)), ("dec 17 at 14:00 utc", at(17, 14)),
    ("june 17 at 2pm EST", dt.datetime(2027, 6, 17, 18, tzinfo=UTC)),  # daylight saving on that date: EDT
    ("july 1st 10am pacific", dt.datetime(2027, 7, 1, 17, tzinfo=UTC)),
])
def test_a_time_zone_after_the_time_is_converted_to_utc(text, start):
    [mention] = find_date_times(f"can we do {text}?", MONDAY)
    assert mention.when == When(start), text


WEDNESDAY = [DemoSlot(dt.datetime(2026, 12, 9, h)) for h in (10, 14, 16)]  # offered: Wed 09 Dec 10:00/14:00/16:00 UTC


@pytest.mark.parametrize("typed, picked", [
    ("dec 17 2pm eastern", None), ("dec 17 at 2pm EST", None), ("17 dec at 2pm", None), ("thursday at 2pm", None),
    ("tomorrow at 2pm", None), ("2pm EST", None),  # 2pm eastern is 19:00 UTC: no slot offered then
    ("wednesday 9am eastern", 1), ("wed 9 dec 14h", 1), ("2pm", 1), ("the 4pm one", 2), ("Wed 09 Dec, 10:00 UTC", 0),
])
def test_a_time_typed_on_another_day_never_picks_an_offered_slot(typed, picked):
    assert match_slot(typed, WEDNESDAY, MONDAY.replace(tzinfo=None)) == (None if picked is None else WEDNESDAY[picked])


def _entities(text):
    nlu = yaml.safe_load((ROOT / "data" / "nlu" / "regex.yml").read_text())["nlu"]
    pattern = next(r["examples"] for r in nlu if r.get("regex") == "email").strip()[2:]
    emails = [{"entity": "email", "value": m.group(0), "start": m.start(), "end": m.end()} for m in re.finditer(pattern, text)]
    return emails + extract(text, emails, dt.datetime.now(dt.timezone.utc))


def _shown(slots):
    return {"event": "bot", "text": "When suits you?",
            "data": {"buttons": [{"title": s.label, "payload": f'/inform{{"date_time":"{s.key}"}}'} for s in slots]}}


def _weekday_ahead(weekday, days=10):
    day = (dt.datetime.utcnow() + dt.timedelta(days=days)).date()
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


async def test_a_date_in_eastern_time_is_not_booked_on_the_day_offered(res, domain):
    offered = free_demo_slots(res.engine)
    day = _weekday_ahead(3)  # a Thursday, well after the times offered
    text = f"{day:%b} {day.day} at 2pm EST"
    tracker = make_tracker(text, "inform", entities=_entities(text), active_loop="lead_form",
                           slots={"requested_slot": "demo_time"}, events=[_shown(offered)])
    slots = slot_events(await ValidateLeadForm().run(CollectingDispatcher(), tracker, domain))
    assert slots["demo_time"] is None  # it booked the offered 14:00 on another day
    ask = CollectingDispatcher()
    await ActionAskDemoTime().run(ask, tracker, domain)
    labels = [b["title"] for b in ask.messages[0]["buttons"]]
    assert "closest" in ask.messages[0]["text"] and all(label.endswith("UTC") for label in labels)
    assert f"{day:%a %d %b}, 16:00 UTC" in " ".join(labels)  # the slot nearest 19:00 UTC that day


# --- alternatives and parts of the day: offered, never booked unasked ----------------------------

@pytest.mark.parametrize("typed, picked", [("thurs morning-ish, or fri if thats easier", None),
                                           ("either thursday or friday at 10am", None), ("morning or afternoon", None),
                                           ("thursday morning", 0), ("friday afternoon", 1), ("an afternoon one pls", 1),
                                           ("thursday afternoon", None)])
def test_alternatives_pick_no_offered_slot_and_a_part_of_the_day_its_one_button(typed, picked):
    """Two alternatives pick nothing (the free times in both are offered); a part of the day picks the
    one button on screen in it, and nothing when no button is."""
    offered = [DemoSlot(dt.datetime(2026, 12, 10, 10)), DemoSlot(dt.datetime(2026, 12, 11, 16))]
    got = match_slot(typed, offered, MONDAY.replace(tzinfo=None))
    assert got == (offered[picked] if picked is not None else None)


async def test_thursday_morning_or_friday_offers_the_free_times_in_both(res, domain):
    text = "thurs morning-ish, or fri if thats easier"
    thursday, friday = (m.when.start.date() for m in find_date_times(text, dt.datetime.now(dt.timezone.utc)))
    for hour in (10, 14):  # Friday's only free time left is 16:00: it was booked unasked
        save_lead(res.engine, sender_id="other", demo_time=dt.datetime.combine(friday, dt.time(hour)), **OTHER)
    tracker = make_tracker(text, "out_of_scope", entities=_entities(text), active_loop="lead_form",
                           slots={"requested_slot": "demo_time"})
    slots = slot_events(await ValidateLeadForm().run(CollectingDispatcher(), tracker, domain))
    assert slots["demo_time"] is None
    ask = CollectingDispatcher()
    await ActionAskDemoTime().run(ask, tracker, domain)
    keys = [b["payload"].split('"')[-2] for b in ask.messages[0]["buttons"]]
    assert keys == [f"{thursday.isoformat()}T10:00", f"{friday.isoformat()}T16:00"], keys


async def test_a_typed_alternative_never_books_the_offered_slot_in_it(res, domain):
    thursday = find_date_times("thurs", dt.datetime.now(dt.timezone.utc))[0].when.start.date()
    offered = [s for s in free_demo_slots(res.engine, count=40) if s.start.date() >= thursday][:3]
    assert offered[0].start == dt.datetime.combine(thursday, dt.time(10))
    text = "thurs morning-ish, or fri if thats easier"
    tracker = make_tracker(text, "out_of_scope", entities=_entities(text), active_loop="lead_form",
                           slots={"requested_slot": "demo_time"}, events=[_shown(offered)])
    slots = slot_events(await ValidateLeadForm().run(CollectingDispatcher(), tracker, domain))
    assert slots["demo_time"] is None  # it booked Thursday 10:00, one of two alternatives


def test_next_tuesday_afternoon_on_monday_offers_its_free_times(res):
    """Said on Monday 7 Dec: Tuesday 8 Dec's afternoon; its one free time is offered with its date,
    not booked straight away."""
    save_lead(res.engine, sender_id="other", demo_time=dt.datetime(2026, 12, 8, 14), **OTHER)
    [mention] = find_date_times("ok next tues afternoon then", MONDAY)
    window = (mention.when.start.replace(tzinfo=None), mention.when.end.replace(tzinfo=None))
    now = MONDAY.replace(tzinfo=None)
    slot, offered = choose_slot(res.engine, mention.when.to_value(), window, now=now)
    assert slot is None and [s.label for s in offered] == ["Tue 08 Dec, 16:00 UTC"]
    shown = [s.key for s in free_demo_slots(res.engine, now)]  # Tue 10:00, Tue 16:00, Wed 10:00
    # with those times on screen, "next tues afternoon" picks the one Tuesday-afternoon button
    assert choose_slot(res.engine, "next tues afternoon", None, now=now, shown=shown)[0].label == "Tue 08 Dec, 16:00 UTC"
    assert choose_slot(res.engine, "tues at 4pm", None, now=now, shown=shown)[0].label == "Tue 08 Dec, 16:00 UTC"


@pytest.mark.parametrize("text, picked", [
    ("next week any morning", None),  # it booked Wed 09 Dec 10:00, this week
    ("next week", None),
    ("monday next week", dt.datetime(2026, 12, 14, 16)),
    ("this week, wednesday morning", dt.datetime(2026, 12, 9, 10)),
    ("next week wednesday morning", None),  # no Wednesday of next week was offered
])
def test_a_week_named_holds_the_pick_to_that_week(text, picked):
    now = dt.datetime(2026, 12, 7, 14)  # a Monday
    offered = [DemoSlot(dt.datetime(2026, 12, 9, 10)), DemoSlot(dt.datetime(2026, 12, 9, 16)),
               DemoSlot(dt.datetime(2026, 12, 14, 16))]
    got = match_slot(text, offered, now)
    assert (got.start if got else None) == picked
