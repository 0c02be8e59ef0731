"""Understanding what shoppers type, in their own words (plain Python, no Rasa needed).

Owns the deterministic parsers the NLU pipeline and the actions share:

- :mod:`lift.understanding.numbers` — quantities in digits and words ("2", "two", "a couple of",
  "half a dozen", "3x") and the reason a quantity is refused ("-1", "0", "1e9", "lots");
- :mod:`lift.understanding.dates` — dates and times ("tomorrow at 10am", "next Tuesday afternoon")
  as timezone-aware UTC values, parsed by ``dateparser`` plus parts of the day it lacks;
- :mod:`lift.understanding.people` — a person's name and company inside a sentence
  ("Hi, I'm Dana Whitfield from Whitfield Interiors"), with the email found by
  :func:`lift.commerce.validation.find_email`;
- :mod:`lift.understanding.references` — "add it", "the second one", "the cheaper one", "both"
  resolved to the products last shown, and cart changes ("remove one", "make it 3").
- :mod:`lift.understanding.answers` — a message that is nothing but the answer to the form's
  question (a headcount, a bare name, a company name), whatever intent it was given, and a real
  "stop" ("forget it", "never mind", "I'd rather not"), which never is;
- :mod:`lift.understanding.followups` — "when will my package arrive" (an order already placed)
  told apart from delivery times asked before buying, and "did that go through?" / "can we move
  it" / "cancel the demo" about a demo booked earlier;
- :mod:`lift.understanding.language` — a message clearly written in another language than English
  ("quiero comprar una cafetera"), judged by pyspellchecker's word lists.

The Rasa entity extractor (:mod:`lift.rasa_plugins.entity_parsers`) and the actions call these.
Builds only on :mod:`lift.commerce.validation` (the number-word table, the email and name
normalisers); nothing here imports Rasa, the database or the catalog, and :mod:`lift.commerce`
never imports this package.
"""
