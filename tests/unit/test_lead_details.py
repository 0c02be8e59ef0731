"""Lead form details as testers typed them: "name, company, email" listed in a demo request, a
headcount typed where the company is asked, a company typed where the email is asked. Real
extractor, real validators, real Trackers and domain."""
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.lead import ValidateLeadForm
from lift.commerce.validation import normalize_company
from lift.rasa_plugins.entity_parsers import extract
from lift.understanding.people import company_named_alone, parse_introduction
from tests.support.trackers import make_tracker, slot_events

ROOT = Path(__file__).resolve().parents[2]
RAJ = "book a demo pls - raj patel, northwind logistics, raj@northwindlog.com, team of 25, dec 17 at 2pm EST"


def _entities(text):
    nlu = yaml.safe_load((ROOT / "data" / "nlu" / "regex.yml").read_text())["nlu"]
    pattern = next(r["examples"] for r in nlu if r.get("regex") == "email").strip()[2:]
    emails = [{"entity": "email", "value": m.group(0), "start": m.start(), "end": m.end()} for m in re.finditer(pattern, text)]
    return emails + extract(text, emails, dt.datetime.now(dt.timezone.utc))


@pytest.mark.parametrize("text, name, company, email", [
    (RAJ, "Raj Patel", "northwind logistics", "raj@northwindlog.com"),
    ("demo please: maria lopez, lopez dental care, maria@lopezdental.com, 12 people, friday 10am", "Maria Lopez",
     "lopez dental care", "maria@lopezdental.com"),
    ("can we get a demo - sven olsen, fjord freight, sven@fjordfreight.no", "Sven Olsen", "fjord freight",
     "sven@fjordfreight.no"),
])
def test_name_company_email_listed_in_lower_case(text, name, company, email):
    intro = parse_introduction(text)
    assert (intro.person_name, intro.company, intro.email) == (name, company, email)
    assert text[slice(*intro.company_span)] == company


@pytest.mark.parametrize("text, name, company", [
    # each was asked again by the lead form ("Which company are you with?")
    ("Hi there, I handle purchasing for Brightsmile Dental, we have about 60 staff and want a demo. I'm Priya Nair, "
     "priya.nair@brightsmiledental.com.", "Priya Nair", "Brightsmile Dental"),
    ("Requesting a product demo: Marcus Webb, procurement lead, Lakeside Family Dentistry, m.webb@lakesidedental.org, "
     "team of 60.", "Marcus Webb", "Lakeside Family Dentistry"),
    ("Our firm, Bergmann Medien GmbH, would like a demonstration. My name is Dr. Sabine Bergmann.", "Dr. Sabine Bergmann",
     "Bergmann Medien GmbH"),
    ("our business is small, 5 people", None, None),
])
def test_a_company_after_a_buyers_role_or_our_firm_and_a_title_before_a_name(text, name, company):
    intro = parse_introduction(text)
    assert (intro.person_name, intro.company) == (name, company)


@pytest.mark.parametrize("value, name", [("Dr. Sabine Bergmann", "Dr. Sabine Bergmann"), ("miss ada lovelace", "Miss Ada Lovelace"),
                                         ("Drake Bell", "Drake Bell")])
def test_a_title_before_a_name_is_kept(value, name):
    """"Dr. Sabine Bergmann" was refused: "that doesn't look like a name"."""
    from lift.commerce.validation import normalize_person_name

    assert normalize_person_name(value) == name


@pytest.mark.parametrize("text", [
    "jane doe, pls call me, jane@acme.com",  # a request among the fields, not a company
    "jane doe, the best, jane@acme.com", "jane, acme logistics, jane@acme.com",  # not a two-word name before it
    "raj patel, many thanks, raj@northwindlog.com", "raj patel, asap, raj@northwindlog.com",
    "hi there, i want laptops, jane@acme.com",
])
def test_a_lower_case_company_needs_the_name_before_and_the_email_after(text):
    assert parse_introduction(text).company is None


async def test_the_listed_details_fill_the_lead_form(res, domain):
    tracker = make_tracker(RAJ, "request_demo", entities=_entities(RAJ), slots={"email": "raj@northwindlog.com"})
    d = CollectingDispatcher()
    slots = slot_events(await ValidateLeadForm().run(d, tracker, domain))
    assert (slots["person_name"], slots["company"], slots["team_size"]) == ("Raj Patel", "northwind logistics", 25.0)


@pytest.mark.parametrize("text, company", [
    ("like 8 of us", None), ("about 20 people", None), ("just me", None), ("its just me and my wife", None),
    ("we are 12", None), ("the three of us", None), ("maybe 5 ppl", None), ("around 15-20 staff", None),
    ("As I said, it is Willow Lane Hospice Shop", "Willow Lane Hospice Shop"),
    ("as i said its Acme Corp", "Acme Corp"), ("acme plumbing supply", "acme plumbing supply"),
    ("3M", "3M"), ("7-Eleven", "7-Eleven"), ("99 Cents Only", "99 Cents Only"), ("Just Eat", "Just Eat"),
])
def test_a_headcount_is_no_company(text, company):
    assert normalize_company(text) == company


async def test_a_headcount_typed_for_the_company_is_the_team_size(res, domain):
    tracker = make_tracker("like 8 of us", "inform", active_loop="lead_form",
                           slots={"requested_slot": "company", "person_name": "Ana Ruiz", "email": "ana@ruiz.example"})
    d = CollectingDispatcher()
    slots = slot_events(await ValidateLeadForm().run(d, tracker, domain))
    assert slots["company"] is None and slots["team_size"] == 8.0
    assert [m.get("response") for m in d.messages] == ["utter_wrong_company"]


@pytest.mark.parametrize("typed", ["acme plumbing supply", "Willow Lane Hospice Shop", "i work at Brightline Dental"])
async def test_a_company_typed_where_the_email_is_asked_is_kept(res, domain, typed):
    tracker = make_tracker(typed, "inform", active_loop="lead_form",
                           slots={"requested_slot": "email", "person_name": "Ana Ruiz"})
    d = CollectingDispatcher()
    slots = slot_events(await ValidateLeadForm().run(d, tracker, domain))
    company = company_named_alone(typed)
    assert slots["email"] is None and slots["company"] == company and company in typed
    assert d.messages[0]["text"] == f"Thanks, I've noted {company} as your company."


@pytest.mark.parametrize("typed", ["jane at acme dot com", "do you ship to norway", "jane doe"])
async def test_a_wrong_email_that_is_no_company_is_asked_again(res, domain, typed):
    tracker = make_tracker(typed, "inform", active_loop="lead_form", slots={"requested_slot": "email"})
    slots = slot_events(await ValidateLeadForm().run(CollectingDispatcher(), tracker, domain))
    assert slots["email"] is None and slots.get("company") is None


_DETAILS = {"person_name": "Ruth Okafor", "email": "bursar@oakfield.sch.uk", "company": "Oakfield Primary",
            "team_size": 30.0, "requested_slot": "demo_time"}


@pytest.mark.parametrize("text, intent", [
    ("On reflection, we must cancel the demonstration; our budget meeting has been postponed.", "out_of_scope"),
    ("We no longer wish to book a demonstration. Please do not book anything.", "request_demo"),
    ("No, thank you.", "deny"),
])
async def test_declining_at_the_demo_times_ends_the_form_and_saves_nothing(res, domain, text, intent):
    """The form offered the times again and again; only "Cancel." ended it."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.lead import ActionSubmitLead, ValidateLeadForm
    from lift.store.engine import session_scope
    from lift.store.models import Lead
    from tests.support.trackers import make_tracker

    tracker = make_tracker(text, intent, active_loop="lead_form", slots=dict(_DETAILS))
    d = CollectingDispatcher()
    events = await ValidateLeadForm().run(d, tracker, domain)
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events) and "no demo then" in d.messages[0]["text"]
    assert await ActionSubmitLead().run(CollectingDispatcher(), make_tracker(text, intent, slots=dict(_DETAILS)), domain) == []
    with session_scope(res.engine) as s:
        assert s.query(Lead).count() == 0


async def test_a_quote_without_a_demo_reaches_the_sales_team(res, domain):
    """"We do not require a demonstration at all ... We only need the written quotation": no demo, but
    the lead is saved for the quote (it was lost, with "No problem, no demo then")."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.lead import ActionSubmitLead
    from lift.store.engine import session_scope
    from lift.store.models import Lead
    from tests.support.trackers import make_tracker

    text = "We do not require a demonstration at all; the 18th was our delivery deadline. We only need the written quotation."
    d = CollectingDispatcher()
    events = await ActionSubmitLead().run(d, make_tracker(text, "out_of_scope", slots=dict(_DETAILS)), domain)
    assert any(e.get("name") == "lead_id" and e.get("value") for e in events) and "bursar@oakfield.sch.uk" in d.messages[0]["text"]
    with session_scope(res.engine) as s:
        [lead] = s.query(Lead).all()
        assert lead.demo_time is None and lead.company == "Oakfield Primary"


def test_a_time_typed_at_the_company_question_is_no_company(res, domain):
    """"Thursday at 3pm GMT, if that is convenient." was saved as the company of a booked demo."""
    from tests.support.trackers import make_tracker

    text = "Thursday at 3pm GMT, if that is convenient."
    d = CollectingDispatcher()
    tracker = make_tracker(text, "inform", active_loop="lead_form", slots={"requested_slot": "company"})
    assert ValidateLeadForm().validate_company(text, d, tracker, domain) == {"company": None}
    assert company_named_alone("St Columba's Primary School") == "St Columba's Primary School"
