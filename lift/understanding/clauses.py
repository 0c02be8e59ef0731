"""Two requests in one message: a command followed by a question ("add the aria headphones to my
cart and whats ur return policy", "add the standing desk pls, oh and is there a surcharge on it").
The intent classifier gives the message one intent; the command is carried out and the question
answered on the way (actions/cart.py), instead of one of them being dropped."""
from __future__ import annotations

import re
from typing import Optional, Tuple

_QUESTION_WORD = (r"(?:what|whats|what's|how|do|does|is|are|can|could|will|when|where|why|which|any|who|"
                  # "…, and tell me how long returns take"
                  r"tell\s+me|let\s+me\s+know|i\s+(?:also\s+)?(?:want|need|wanna|would\s+like)\s+to\s+know)")
_SPLIT = re.compile(rf"^(?P<command>.{{6,}}?)\s*(?:[,;.!]\s*|\s)(?:(?:oh|and|also|plus|btw|but)\W+){{1,3}}"
                    rf"(?P<question>{_QUESTION_WORD}\b.{{3,}})$|"
                    rf"^(?P<command2>.{{6,}}?)\s*[.;!]\s+(?P<question2>{_QUESTION_WORD}\b.{{3,}})$|"
                    # "I need 12 of the swift kettles for our cafe, does the 5% come off automatically?"
                    rf"^(?P<command3>.{{6,}}?)\s*,\s*(?P<question3>{_QUESTION_WORD}\b[^,]{{3,}}\?)\s*$", re.IGNORECASE)


def command_then_question(text: Optional[str]) -> Optional[Tuple[str, str]]:
    """(the command, the question) of a message made of both, in that order; None otherwise."""
    m = _SPLIT.match(" ".join(str(text or "").split()))
    if not m:
        return None
    command = (m.group("command") or m.group("command2") or m.group("command3")).strip(" ,;.")
    question = (m.group("question") or m.group("question2") or m.group("question3")).strip()
    if re.match(rf"^\W*{_QUESTION_WORD}\b", command, re.IGNORECASE):
        return None  # "how much is it and how long is delivery": two questions, not a command
    return command, question
