"""Answers typed with a lead-in or an aside keep only the value: the order confirmation printed
"Ship to: I live at 14 Elm Street, ..." and the lead saved "Northgate Engineering, about 40 staff"."""
import pytest

from lift.commerce.validation import normalize_address, normalize_company


@pytest.mark.parametrize("typed, address", [
    ("I live at 14 Elm Street, Springfield, IL 62704", "14 Elm Street, Springfield, IL 62704"),
    ("we are at 200 Main St, Boston MA 02110", "200 Main St, Boston MA 02110"),
    ("our office is at 5 Park Ave, New York NY 10016", "5 Park Ave, New York NY 10016"),
])
def test_an_address_after_a_lead_in(typed, address):
    assert normalize_address(typed) == address


@pytest.mark.parametrize("typed, company", [
    ("Northgate Engineering, about 40 staff", "Northgate Engineering"),
    ("Acme Ltd, we have 200 employees", "Acme Ltd"),
    ("Brightside Dental (12 people)", "Brightside Dental"),
    ("Studio 54 Ltd", "Studio 54 Ltd"), ("3M", "3M"),
])
def test_a_company_without_its_headcount(typed, company):
    assert normalize_company(typed) == company
