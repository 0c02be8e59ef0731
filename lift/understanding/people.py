"""A person's name and company inside a sentence.

"Hi, I'm Dana Whitfield from Whitfield Interiors (dana@whitfield.com). Can we book a demo?" gives
person_name "Dana Whitfield", company "Whitfield Interiors" and the email (found by
:func:`lift.commerce.validation.find_email`, the one email parser). Names need a cue ("I'm", "my name is",
"this is ... at"), so "I'm looking for a laptop" is not a name; a lower-case name is taken only
after a strong cue ("my name is dana whitfield") or when a company follows ("im dana from acme").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from lift.commerce.validation import find_email, normalize_company, normalize_person_name
from lift.understanding.numbers import find_quantities

Span = Tuple[int, int]

_NAME_WORD = r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*\.?"
_CAP_WORD = r"(?:[A-Z]|[À-Ý])[^\W\d_'’.-]*(?:['’-][^\W\d_]+)*\.?"
# Words that follow "I'm" / "this is" and are not names.
_NOT_NAME = frozenset("""a an the and or but not no so very really just also still here there back looking interested
trying wondering hoping planning going about after from with at for in on to of new sure sorry fine good great ok okay
happy glad ready done buying shopping asking calling writing emailing contacting reaching interested curious unsure
afraid after within currently we you they it this that what who how why when where please thanks thank hi hello hey
available free busy on off out in up down our my your their his her its team company business store shop buyer
customer manager owner founder ceo cto head director lead monday tuesday wednesday thursday friday saturday
sunday today tomorrow tonight""".split())
# Words that end a company name: a new clause starts.
_COMPANY_STOP = frozenset("""and but or so because can could would will should may might shall do does did is are was
were am be been have has had want wants need needs like would to for with about please thanks thank we i you they
he she it this that who which where when how why looking interested trying and the a an our my your""".split())
_COMPANY_SUFFIX = r"(?:Inc|Corp|Corporation|Co|Ltd|Limited|LLC|LLP|GmbH|AG|SA|SAS|BV|NV|PLC|Pty|Group|Labs|Studio|Studios)"
# For lift.understanding.answers: a company's legal suffix, and words that are never (part of) a name.
COMPANY_SUFFIX = _COMPANY_SUFFIX
NON_NAME_WORDS = _NOT_NAME | _COMPANY_STOP

_STRONG_CUE = re.compile(r"\b(?:my\s+name\s+is|my\s+name's|name\s*:|name's|call\s+me|i\s+am\s+called|i'm\s+called)\s+",
                         re.IGNORECASE)
_WEAK_CUE = re.compile(r"(?:^|[\s,.;!(])(?:i\s*['’]?\s*m|i\s+am)\s+", re.IGNORECASE)
# "this is" / "it's" introduce names less often ("this is Ridiculous"): a one-word name needs a company after it.
_WEAKER_CUE = re.compile(r"(?:^|[\s,.;!(])(?:this\s+is|it\s*['’]?s|here\s+is|here's)\s+", re.IGNORECASE)
_COMPANY_CUE = re.compile(
    r"\b(?:i\s+work\s+(?:for|at|with)|i'm\s+with|i'm\s+from|i\s+am\s+from|we're\s+from|we\s+are\s+from|we\s*['’]?\s*re|we\s+are|working\s+(?:for|at)|"
    r"(?:my|our)\s+company\s+is|company\s+(?:is\s+)?called|on\s+behalf\s+of|representing|"
    # "a 40 person team at Brightwave Labs", "Tomasz Kowalski, company is Nordhaven GmbH", "its for Harbor Dental"
    r"(?:team|staff|office|people)\s+(?:at|of)|(?<=[,;:]\s)company\s+is|(?:it'?s|its)\s+for|"
    # "..., arjun@callpoint.in, company Callpoint BPO": a field named in a list
    r"(?<=[,;:]\s)company(?:\s+name)?(?:\s*[:\-])?|"
    # "I handle purchasing for Brightsmile Dental", "Our firm, Bergmann Medien GmbH, would like …"
    r"(?:purchasing|procurement|buying|ordering)\s+(?:for|at)|"
    r"(?:our|my)\s+(?:firm|business|practice|clinic|agency|studio|organi[sz]ation|school)(?:\s+is|\s*,|\s+is\s+called))\s+",
    re.IGNORECASE)
_ROLE = r"(?:the\s+)?(?:ceo|cto|cfo|coo|founder|co-?founder|owner|manager|director|buyer|head\s+of\s+\w+|\w+\s+(?:manager|lead|director))"
# "Priya Nair from Acme", "Priya Nair, head of IT at Acme", "Priya Nair, I'm head of IT at Acme"
_AFTER_NAME_CUE = re.compile(rf"\s*,?\s*(?:(?:and\s+)?(?:i\s*['’]?\s*m|i\s+am)\s+(?={_ROLE}\s))?(?:{_ROLE}\s+)?"
                             r"(?:from|at|with|of|here\s+from)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Introduction:
    """What a shopper said about themselves; spans index the original text."""

    person_name: Optional[str] = None
    company: Optional[str] = None
    email: Optional[str] = None
    person_span: Optional[Span] = None
    company_span: Optional[Span] = None


def _words(text: str, start: int, pattern: str, limit: int):
    """Up to ``limit`` consecutive words matching ``pattern`` from ``start``: [(start, end, word)]."""
    out = []
    pos = start
    word_re = re.compile(r"[ \t]*(" + pattern + r")")
    while len(out) < limit:
        m = word_re.match(text, pos)
        if not m:
            break
        out.append((m.start(1), m.end(1), m.group(1)))
        pos = m.end(1)
    return out


def _name_at(text: str, start: int, strong: bool, weaker: bool = False) -> Optional[Tuple[int, int]]:
    words = _words(text, start, _CAP_WORD, 4)
    lower = False
    if not words:
        words = _words(text, start, _NAME_WORD, 3)
        lower = True
    # Stop at the first word that is not part of a name.
    kept = []
    for w in words:
        if w[2].lower().rstrip(".") in _NOT_NAME or w[2].lower() in _COMPANY_STOP:
            break
        kept.append(w)
    if not kept:
        return None
    end = kept[-1][1]
    if lower and not strong:
        # "im dana whitfield from acme": only when a company cue follows the name.
        if not _AFTER_NAME_CUE.match(text, end):
            return None
    if lower and strong:
        kept = kept[:3]
    if weaker and len(kept) < 2 and not _AFTER_NAME_CUE.match(text, kept[-1][1]):
        return None
    return kept[0][0], kept[-1][1]


def _company_at(text: str, start: int, need_capital: bool) -> Optional[Span]:
    words = _words(text, start, r"[\w&][\w&'’.-]*", 6)
    kept = []
    for i, (s, e, w) in enumerate(words):
        bare = w.rstrip(".,")
        if bare.lower() in _COMPANY_STOP:
            break
        if need_capital and not (bare == "&" or bare[:1].isupper() or bare[:1].isdigit() or re.fullmatch(_COMPANY_SUFFIX, bare)):
            break
        kept.append((s, s + len(bare)))
        if bare != w:  # a trailing full stop or comma ends the name
            break
    if not kept:
        return None
    return kept[0][0], kept[-1][1]


_CLAUSE_FIELD = re.compile(r"(?:we|i|our|my|us|please|pls|can|could|would|need|want|looking|interested|thanks|"
                           r"thank|cheers|regards|and|also)\b", re.IGNORECASE)
_WHEN_FIELD = re.compile(r"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow|today|tonight|next\s+week|morning|"
                         r"afternoon|evening|\d{1,2}(?::\d{2})?\s*(?:am|pm)|utc|gmt|\d{1,2}h(?:\d\d)?|"
                         r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?)\b",
                         re.IGNORECASE)
_HEADCOUNT_FIELD = re.compile(r"(?:(?:a\s+)?team\s+of\s+|about\s+|around\s+|approx\.?\s+)?\d{1,7}"
                              r"(?:\s*(?:people|persons|staff|employees|users|seats))?", re.IGNORECASE)


def _listed(text: str, email_span: Span) -> Tuple[Optional[Span], Optional[Span]]:
    """"Jane Doe, Acme Inc, jane@acme.com": the answer typed as a list, with no cue words. Only a
    message that is nothing but 2-3 comma-separated fields, one the email; the company is the field
    ending in a company suffix, the name the field of 2-4 name words."""
    fields = [(m.start(1), m.end(1)) for m in re.finditer(r"\s*([^,;|/]+?)\s*(?:[,;|/]|$)", text) if m.group(1)]
    # "Id like to book a demo - Tom Becker, ...": the list starts after the lead-in's dash or colon
    lead = re.match(r".*?(?:\s(?:-|–|—)|:)\s+", text[fields[0][0]:fields[0][1]]) if fields else None
    if lead and len(text[fields[0][0] + lead.end():fields[0][1]].split()) <= 4:
        fields[0] = (fields[0][0] + lead.end(), fields[0][1])
    # "..., Wednesday 2pm UTC if possible": when they would like the demo is not a name or company
    fields = [(s, e) for s, e in fields if not _WHEN_FIELD.search(text[s:e])]
    # a team size among them ("..., 25 people") is read by team_size_in; it is not a name or company, nor is a
    # job title ("Marcus Webb, procurement lead, Lakeside Family Dentistry, …")
    fields = [(s, e) for s, e in fields if not _HEADCOUNT_FIELD.fullmatch(text[s:e].rstrip(".!"))
              and not re.fullmatch(_ROLE, text[s:e], re.IGNORECASE)]
    # "..., we are 45 people, we want a demo": the sentence after the list is not a field of it
    while fields and _CLAUSE_FIELD.match(text[fields[-1][0]:fields[-1][1]]):
        fields.pop()
    if not 2 <= len(fields) <= 3 or not any(s <= email_span[0] and email_span[1] <= e for s, e in fields):
        return None, None
    person = company = None
    for i, (s, e) in enumerate(fields):
        value = text[s:e]
        if s <= email_span[0] < e:
            continue
        if (company is None and person == fields[i - 1] and len(text[slice(*person)].split()) == 2
                and _typed_company(value, fields, i, email_span)):
            company = (s, e)  # "raj patel, northwind logistics, raj@northwindlog.com": lower-case, between the two
            continue
        name_like = re.fullmatch(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}", value) \
            and not {w.lower() for w in value.split()} & _NOT_NAME
        if company is None and re.search(rf"\b{_COMPANY_SUFFIX}\.?$", value, re.IGNORECASE):
            company = (s, e)
        elif person is None and name_like:
            person = (s, e)
        elif company is None and person is not None and re.fullmatch(rf"{_CAP_WORD}(?:\s+\S+){{0,3}}", value):
            company = (s, e)  # "Jane Doe, Acme, jane@acme.com": the capitalised field after the name
        else:
            return None, None  # a field that is none of these: not a list of details
    return person, company


def _typed_company(value: str, fields: List[Span], i: int, email_span: Span) -> bool:
    """A company typed in lower case in a list: only right after a two-word name and right before the
    email ("book a demo pls - raj patel, northwind logistics, raj@northwindlog.com, team of 25"), 1-4
    words with no digit, none of them a word a name or company never holds."""
    if i == 0 or i + 1 >= len(fields) or not fields[i + 1][0] <= email_span[0] < fields[i + 1][1]:
        return False
    words = value.split()
    return (1 <= len(words) <= 4 and not re.search(r"\d", value) and not _CLAUSE_FIELD.match(value)
            and not {w.lower() for w in words} & (NON_NAME_WORDS | _NOT_COMPANY) and _company_like(value))


# Words of a request typed among the fields ("jane doe, pls call me, jane@acme.com"), never a company's.
_NOT_COMPANY = frozenset("pls plz call me email mail text contact thx ty asap hi hello hey demo book booking".split())


_GREETING = frozenset("best kind warm regards greetings hello hi hey dear thanks cheers".split())


def _company_like(value: str) -> bool:
    company = normalize_company(value)
    return bool(company) and company.lower().split()[0] not in _NOT_NAME


def parse_introduction(text: str) -> Introduction:
    """Name, company and email a shopper gives in one sentence; any of them may be None."""
    text = text or ""
    email = find_email(text)
    email_span = None
    if email:
        m = re.search(re.escape(email), text, re.IGNORECASE)
        email_span = m.span() if m else None

    person_span: Optional[Span] = None
    for cue, strong, weaker in ((_STRONG_CUE, True, False), (_WEAK_CUE, False, False), (_WEAKER_CUE, False, True)):
        for m in cue.finditer(text):
            span = _name_at(text, m.end(), strong, weaker)
            if span and not (email_span and span[0] < email_span[1] and email_span[0] < span[1]):
                person_span = span
                break
        if person_span:
            break

    company_span: Optional[Span] = None
    if person_span:
        after = _AFTER_NAME_CUE.match(text, person_span[1])
        if after:
            company_span = _company_at(text, after.end(), need_capital=not text.islower())
    if company_span is None:
        for m in _COMPANY_CUE.finditer(text):
            company_span = _company_at(text, m.end(), need_capital=not m.group(0).lower().startswith(("i work", "working", "my company", "our company", "company", "on behalf", "representing")))
            if company_span:
                break

    if company_span is not None and not _company_like(text[slice(*company_span)]):
        company_span = None  # "we are 45 people": no company after the cue
    if person_span is None and company_span is not None:
        # "Tomasz Kowalski, company is Nordhaven GmbH": a capitalised name opening the message, then the company
        opening = re.match(rf"\s*({_CAP_WORD}\s+{_CAP_WORD}(?:\s+{_CAP_WORD})?)\s*,", text)
        if opening and opening.end() <= company_span[0] and not set(opening.group(1).lower().split()) & _GREETING:
            person_span = opening.span(1)
    if person_span is None and company_span is None and email_span:
        # "Sara Lindqvist from Nordlys Design, sara@nordlys.se": a capitalised name opening a
        # message with an email, then "from <company>"
        opening = re.match(rf"\s*({_CAP_WORD}\s+{_CAP_WORD}(?:\s+{_CAP_WORD})?)(?=\s*,?\s*(?:{_ROLE}\s+)?(?:from|at|of)\s)", text)
        after = _AFTER_NAME_CUE.match(text, opening.end(1)) if opening else None
        company_span = _company_at(text, after.end(), need_capital=True) if after else None
        person_span = opening.span(1) if company_span and not set(opening.group(1).lower().split()) & _GREETING else None
        company_span = company_span if person_span else None
    if person_span is None and company_span is None and email_span:
        person_span, company_span = _listed(text, email_span)
    person = normalize_person_name(text[slice(*person_span)]) if person_span else None
    company = normalize_company(text[slice(*company_span)]) if company_span else None
    return Introduction(person_name=person, company=company, email=email,
                        person_span=person_span if person else None, company_span=company_span if company else None)


# Words of a business's name ("acme plumbing supply", "Willow Lane Hospice Shop").
_BUSINESS_WORD = re.compile(
    r"\b(?:suppl(?:y|ies)|plumbing|logistics|dental|designs?|interiors|studios?|labs?|shops?|stores?|hospice|clinic|"
    r"bakery|cafe|café|restaurant|services|solutions|consult(?:ing|ants)|group|partners|associates|agency|systems|"
    r"technologies|tech|media|construction|electric(?:al)?|motors|foods|farms?|health(?:care)?|realty|properties|"
    r"holdings|industries|enterprises|trading|imports|builders|architects|accounting|analytics|software|marketing|"
    r"printing|salon|fitness|hotel|academy|pharmacy|garage|company|co|school|college|university|nursery|charity|"
    r"trust|foundation|ngo|council|church|association|society)\b|\b" + _COMPANY_SUFFIX + r"\b", re.IGNORECASE)


def company_named_alone(text: str) -> Optional[str]:
    """A company's name typed alone where another detail was asked ("acme plumbing supply" typed
    while the email was asked: it was lost, then "like 8 of us" was taken as the company); None
    unless it reads as a business's name, never a request or a question."""
    value = " ".join((text or "").split())
    intro = parse_introduction(value)
    if intro.company and not intro.email:
        return intro.company  # "i work at acme plumbing supply"
    if (not value or find_email(value) or len(value.split()) > 6 or _CLAUSE_FIELD.match(value)
            or not _BUSINESS_WORD.search(value) or not _company_like(value)):
        return None
    return normalize_company(value)


_HEADCOUNT_AFTER = re.compile(r"\s*(?:people|ppl|peeps|folks|heads|persons|staff|employees|users|seats|team\s+members|members|colleagues|"
                              r"volunteers|designers|developers|architects|teachers|nurses|drivers|"
                              r"engineers|agents|workers|of\s+us|strong|(?:-\s*)?person\s+(?:team|company|business))\b",
                              re.IGNORECASE)
_HEADCOUNT_BEFORE = re.compile(r"\b(?:team|company|business|office|firm|organi[sz]ation|staff|headcount|group)"
                               r"\s+(?:of|is|size\s+(?:is|of))\s+(?:about|around|roughly|approximately|nearly|almost|"
                               r"over|some|~)?\s*$", re.IGNORECASE)

# "a 40-person company", "a 40-person architecture firm" (a word or two may say what kind)
_HEADCOUNT_COMPOUND = re.compile(r"\b(\d{1,7})\s*-\s*(?:person|people|man|seat|desk|staff)\s+(?:[a-z&]+\s+){0,2}?(?:team|company|business|firm|"
                                 r"office|organi[sz]ation|shop|agency|call\s+cent(?:re|er)|studio|practice|clinic|"
                                 r"school|restaurant|cafe|salon|warehouse|workshop|start-?up|department)\b", re.IGNORECASE)


def team_size_in(text: str) -> Optional[int]:
    """A headcount stated in passing: "we're a company of 200 people", "50 staff", "a team of
    twelve", "we're 35 strong". A bare number ("200 laptops") is not one."""
    text = text or ""
    compound = _HEADCOUNT_COMPOUND.search(text)  # "a 40-person company": the hyphen keeps it from find_quantities
    if compound:
        return int(compound.group(1))
    for m in find_quantities(text):
        if m.value and (_HEADCOUNT_AFTER.match(text, m.end) or _HEADCOUNT_BEFORE.search(text[:m.start])):
            return m.value
    return None
