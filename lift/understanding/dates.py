"""Dates and times in a shopper's words, as timezone-aware UTC values relative to a given ``now``.

``dateparser`` does the parsing ("tomorrow at 10am", "friday 3pm", "in two days", "dec 10 at 2pm");
this module adds only what it lacks: parts of the day ("next Tuesday afternoon", "tomorrow
morning", "tonight", "after lunch"), "next/this <weekday>", European hours ("15h", "15h30"), a time
zone after the time ("2pm EST", "10am pacific"), a day and a time said apart ("tomorrow after the
lunch is good for me, maybe 15h?"), finding the date inside a longer sentence without its false
positives, and a window for values that are a day or a part of a day rather than an instant.
Times without a zone are read as UTC (the demo calendar runs in UTC).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import List, Optional, Tuple
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc

# Parts of the day dateparser does not know, as [start hour, end hour).
PARTS_OF_DAY = {
    "early morning": (7, 9), "morning": (8, 12), "midday": (11, 14), "lunchtime": (11, 14),
    "afternoon": (12, 18), "evening": (17, 21), "tonight": (18, 23), "night": (18, 23),
    # "tomorrow after the lunch is good for me": the afternoon; "before lunch on friday": the morning
    "after lunch": (12, 18), "before lunch": (8, 12),
}
# "after the lunch" is "after lunch": the keys' spaces may hold a "the".
_PART_WORDS = "|".join(k.replace(" lunch", r"\s+(?:the\s+)?lunch") for k in sorted(PARTS_OF_DAY, key=len, reverse=True))
_WEEKDAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?"
_MONTHS = r"(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|may"
# "15h", "15h30": the 24-hour clock as written in much of Europe (0-23 only). Not a duration: "in
# 12h", "within 24h", "48h delivery", "24/7", "lasts 20h", "10h of battery".
_EURO_HOUR = (r"(?<![\d:./-])(?<!\bin )(?<!\bwithin )(?<!\bunder )(?<!\bover )(?<!\bfor )(?<!\bevery )(?<!\bthan )"
              r"(?<!\blasts )(?<!\bup to )"
              r"\b([01]?\d|2[0-3])h([0-5]\d)?\b(?!\s*(?:delivery|shipping|turnaround|support|service|access|window|"
              r"shifts?|a\s+day|of\b|battery|runtime|playback|play\b|charge|charging|life\b|long\b|per\b|/))")
_EURO_HOUR_RE = re.compile(_EURO_HOUR, re.IGNORECASE)
# Time zones written after a time ("2pm EST", "14:00 CET", "10am pacific time"). Named US and
# European zones are read on the zoneinfo clock of that place, so daylight saving is right on the
# day named ("2pm eastern" is 19:00 UTC on 17 Dec, 18:00 UTC in July; "EST" typed in July means that
# clock too, as shoppers write it).
_ZONES = {
    "utc": "UTC", "gmt": "UTC",
    "est": "America/New_York", "edt": "America/New_York", "et": "America/New_York", "eastern": "America/New_York",
    "cst": "America/Chicago", "cdt": "America/Chicago", "ct": "America/Chicago", "central": "America/Chicago",
    "mst": "America/Denver", "mdt": "America/Denver", "mountain": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "bst": "Europe/London", "cet": "Europe/Paris", "cest": "Europe/Paris",
}
_ZONE = r"\s*\(?\s*(?:" + "|".join(sorted(_ZONES, key=len, reverse=True)) + r")\b(?:\s+time\b)?\s*\)?"
_CLOCK = r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b"
_ZONE_AFTER_RE = re.compile(rf"(?:{_CLOCK}|{_EURO_HOUR})(?P<zone>{_ZONE})", re.IGNORECASE)
_CLOCK_RE = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|\b(\d{1,2}):(\d{2})\b", re.IGNORECASE)
# Words around a time that say nothing about the day: "next thursday, around 2:30pm".
_FILLER_RE = re.compile(r"\b(?:at|around|about|by|maybe|say|approx(?:imately)?|ish)\b|-ish\b|[,;:?!~]", re.IGNORECASE)
_SHORT_DAYS = {"mon": "monday", "tue": "tuesday", "tues": "tuesday", "wed": "wednesday", "weds": "wednesday",
               "thu": "thursday", "thur": "thursday", "thurs": "thursday", "fri": "friday", "sat": "saturday",
               "sun": "sunday"}
_SHORT_DAY_RE = re.compile(r"\b(" + "|".join(_SHORT_DAYS) + r")\b\.?", re.IGNORECASE)
# A message must contain one of these before dateparser is asked at all: fast, and it keeps
# "2 of the crema" or "the second one" from being read as dates.
_TRIGGER_RE = re.compile(
    rf"\b(?:{_WEEKDAYS}|{_MONTHS}|today|tomorrow|tonight|noon|midnight|weekend|"
    r"(?:next|this|coming)\s+(?:week|month)|"
    r"in\s+(?:\d+|an?|one|two|three|four|five|six|seven|a\s+couple\s+of)\s+(?:minutes?|hours?|days?|weeks?)|"
    r"\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?)\b|"
    + _EURO_HOUR,
    re.IGNORECASE,
)
_PART_RE = re.compile(r"\b(?:in the\s+|this\s+)?(" + _PART_WORDS + r")\b", re.IGNORECASE)
_NEXT_WEEKDAY_RE = re.compile(rf"\b(?:next|this|coming|on)\s+(?={_WEEKDAYS}\b)", re.IGNORECASE)
_SETTINGS = {"TIMEZONE": "UTC", "TO_TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True,
             "PREFER_DATES_FROM": "future", "RETURN_TIME_AS_PERIOD": True}


@dataclass(frozen=True)
class When:
    """An instant (``end`` is None) or a window [start, end) such as a day or an afternoon; UTC."""

    start: dt.datetime
    end: Optional[dt.datetime] = None

    @property
    def is_instant(self) -> bool:
        return self.end is None

    def contains(self, moment: dt.datetime) -> bool:
        moment = as_utc(moment)
        return moment == self.start if self.end is None else self.start <= moment < self.end

    def to_value(self) -> str:
        """ISO 8601: '2026-12-05T10:00:00+00:00', or an interval 'start/end' for a window."""
        return self.start.isoformat() if self.end is None else f"{self.start.isoformat()}/{self.end.isoformat()}"


@dataclass(frozen=True)
class DateMention:
    when: When
    start: int
    end: int
    text: str


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Naive datetimes are UTC (as Lift stores them); aware ones are converted."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def from_value(value: object) -> Optional[When]:
    """The inverse of :meth:`When.to_value`; also accepts a bare 'YYYY-MM-DDTHH:MM'. None if unusable."""
    text = str(value or "").strip()
    try:
        if "/" in text:
            first, _, second = text.partition("/")
            return When(as_utc(dt.datetime.fromisoformat(first)), as_utc(dt.datetime.fromisoformat(second)))
        return When(as_utc(dt.datetime.fromisoformat(text)))
    except ValueError:
        return None


def _parser(now: dt.datetime):
    from dateparser.date import DateDataParser  # imported on first use: it loads language data

    return DateDataParser(languages=["en"], settings={**_SETTINGS, "RELATIVE_BASE": as_utc(now).replace(tzinfo=None)})


def _day_window(day: dt.datetime, hours: Tuple[int, int] = (0, 24)) -> When:
    midnight = as_utc(day).replace(hour=0, minute=0, second=0, microsecond=0)
    return When(midnight + dt.timedelta(hours=hours[0]), midnight + dt.timedelta(hours=hours[1]))


def european_hours(text: str) -> str:
    """"maybe 15h?" -> "maybe 15:00?", "15h30" -> "15:30" (the clock dateparser and the slot matcher read)."""
    return _EURO_HOUR_RE.sub(lambda m: f"{int(m.group(1))}:{m.group(2) or '00'}", text)


def zone_named(text: str) -> Optional[dt.tzinfo]:
    """The time zone written after a time ("dec 17 at 2pm EST" -> New York); None when none is."""
    m = _ZONE_AFTER_RE.search(text or "")
    if not m:
        return None
    name = re.search(r"[a-z]+", m.group("zone").lower()).group(0)
    return UTC if _ZONES[name] == "UTC" else ZoneInfo(_ZONES[name])


def _clock(m: "re.Match") -> Tuple[int, int]:
    if m.group(4) is not None:  # "14:30"
        return int(m.group(4)), int(m.group(5))
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3).lower().replace(".", "")
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    return hour, minute


def _at(day: dt.date, hour: int, minute: int, zone: Optional[dt.tzinfo]) -> Optional[dt.datetime]:
    """``day`` at hour:minute on the clock of ``zone`` (UTC when None), in UTC."""
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone or UTC).astimezone(UTC)


def parse_date_time(text: str, now: dt.datetime) -> Optional[When]:
    """The date/time ``text`` names, relative to ``now`` (read as UTC); None if it names none.

    A day and a time are read apart and put together ("next thursday, around 2:30pm", "tomorrow
    after the lunch 15h"): dateparser reads neither "thursday, around 2:30pm" nor "15h"."""
    text = " ".join((text or "").split())
    if not text or not _TRIGGER_RE.search(text) and not _PART_RE.search(text):
        return None
    now = as_utc(now)
    zone = zone_named(text)
    if zone is not None:  # "dec 17 at 2pm EST": the zone is read, then left out of the text
        m = _ZONE_AFTER_RE.search(text)
        text = " ".join((text[:m.start("zone")] + " " + text[m.end("zone"):]).split())
    text = european_hours(text)
    clocks = list(_CLOCK_RE.finditer(text))
    if len(clocks) == 1:
        hour, minute = _clock(clocks[0])
        day_words = " ".join(_FILLER_RE.sub(" ", text[:clocks[0].start()] + " " + text[clocks[0].end():]).split())
        day = _parse_day(day_words, now) if day_words else None
        if day is not None and not day.is_instant and day.end - day.start <= dt.timedelta(days=1):
            moment = _at(day.start.date(), hour, minute, zone)
            return When(moment) if moment else None
        if not day_words:  # "2pm", "15h", "2pm EST": the day dateparser gives the time alone
            plain = _parse_day(text, now)
            if plain is None or zone is None or not plain.is_instant:
                return plain
            moment = _at(plain.start.date(), hour, minute, zone)
            return When(moment) if moment else None
    return _parse_day(text, now)


def _parse_day(text: str, now: dt.datetime) -> Optional[When]:
    """Dateparser's reading of ``text`` (a day, a part of one, or a day and a time)."""
    part = _PART_RE.search(text)
    hours = PARTS_OF_DAY[" ".join(w for w in part.group(1).lower().split() if w != "the")] if part else None
    rest = _PART_RE.sub(" ", text) if part else text
    rest = " ".join(_NEXT_WEEKDAY_RE.sub("", rest).split())
    rest = _SHORT_DAY_RE.sub(lambda m: _SHORT_DAYS[m.group(1).lower()], rest)  # dateparser knows no "thurs"
    if not rest or rest.lower() in ("today", "this"):
        day = now
        period = "day"
    else:
        data = _parser(now).get_date_data(rest)
        if data.date_obj is None:
            return None
        day, period = as_utc(data.date_obj), data.period
    if period == "time":
        return When(day.replace(second=0, microsecond=0))
    if period == "week":
        window = _day_window(day)
        return When(window.start, window.start + dt.timedelta(days=7))
    if period != "day":
        return None  # "tuesday at 3" comes back as a month: better to ask than to guess
    window = _day_window(day, hours or (0, 24))
    if window.end <= now:
        return None
    return When(max(window.start, now.replace(second=0, microsecond=0)) if window.start < now else window.start,
                window.end)


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_DAY_RE = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b|"
                           r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
                           re.IGNORECASE)
_DAY_NAME_RE = re.compile(rf"\b{_WEEKDAYS}\b|\b(?:today|tomorrow)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DaysNamed:
    """The days a text names ("dec 17", "thurs", "tomorrow"), to hold a typed time to its day: "dec
    17 2pm eastern" is not the 14:00 offered on Wed 09 Dec."""

    weekdays: frozenset = frozenset()  # 0 = Monday
    dates: frozenset = frozenset()  # (month, day)
    weeks: frozenset = frozenset()  # the Mondays of the weeks named ("next week", "this week")

    def __bool__(self) -> bool:
        return bool(self.weekdays or self.dates or self.weeks)

    @property
    def several(self) -> bool:
        """"thurs morning-ish, or fri", "next week": alternatives, not one day ("Wed 09 Dec" is one)."""
        return len(self.weekdays) > 1 or len(self.dates) > 1 or bool(self.weeks and not (self.weekdays or self.dates))

    def allows(self, day: dt.date) -> bool:
        if self.weeks and day - dt.timedelta(days=day.weekday()) not in self.weeks:
            return False  # "next week any morning": not Wednesday of this week
        if not (self.weekdays or self.dates):
            return True
        return day.weekday() in self.weekdays or (day.month, day.day) in self.dates


_WEEK_RE = re.compile(r"\b(next|this|coming)\s+week\b", re.IGNORECASE)


def days_named(text: str, now: dt.datetime) -> DaysNamed:
    """The weekdays and dates ``text`` names; "tomorrow" is the date after ``now``'s."""
    weekdays, dates = set(), set()
    for m in _DAY_NAME_RE.finditer(text or ""):
        word = m.group(0).lower()
        if word in ("today", "tomorrow"):
            day = as_utc(now).date() + dt.timedelta(days=word == "tomorrow")
            dates.add((day.month, day.day))
        else:
            weekdays.add(("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(word[:3]))
    for m in _MONTH_DAY_RE.finditer(text or ""):
        month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if 1 <= int(day) <= 31:
            dates.add((_MONTH_NAMES.index(month.lower()) + 1, int(day)))
    today = as_utc(now).date()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = {monday + dt.timedelta(days=7 * (m.group(1).lower() != "this")) for m in _WEEK_RE.finditer(text or "")}
    return DaysNamed(frozenset(weekdays), frozenset(dates), frozenset(weeks))


# Words that may sit around the date inside a sentence and belong to it.
_SPAN_RE = re.compile(
    rf"(?:\b(?:next|this|coming|on)\s+)?(?:"
    # "dec 17", "december 17th, 2026", "17 dec": before the month alone, so the day stays with it
    rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+20\d\d\b)?|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})(?![a-z])|"
    rf"\b(?:{_WEEKDAYS}|{_MONTHS}|today|tomorrow|tonight|noon|midnight)\b|"
    r"\b(?:next|this|coming)\s+(?:week|month)\b|"
    r"\bin\s+(?:\d+|an?|one|two|three|four|five|six|seven|a\s+couple\s+of)\s+(?:minutes?|hours?|days?|weeks?)\b|"
    rf"(?:{_CLOCK}|{_EURO_HOUR})(?:{_ZONE})?|\b\d{{4}}-\d{{2}}-\d{{2}}(?:T\d{{2}}:\d{{2}})?\b|"
    r"\b\d{1,2}(?:st|nd|rd|th)\b|"
    rf"\b(?:in the\s+)?(?:{_PART_WORDS})\b)",
    re.IGNORECASE,
)
_GLUE_RE = re.compile(r"^(?:\s*,?\s*(?:at|on|the|of|around|about|by|from)?\s*)$", re.IGNORECASE)
# Between a day and a time said apart, words that make them alternatives, not one moment, or that
# introduce a name or company (the joined span would cover it: "tomorrow, I'm Raj from Acme, 3pm").
_APART_RE = re.compile(r"\b(?:or|either|otherwise|instead|else|and|i'?m|name|from|with|email)\b|[\d@]|\b(?!I\b)[A-Z]")


def find_date_times(text: str, now: dt.datetime) -> List[DateMention]:
    """Dates and times inside a sentence ('Can we do tomorrow at 10am?'), with their spans.

    Adjacent date words ('next Tuesday' + 'afternoon', 'friday' + '3pm') are joined into one
    mention; each joined span is then parsed by :func:`parse_date_time`. A day and a bare time a
    few words apart are one moment too ("tomorrow after the lunch is good for me, maybe 15h?" is
    tomorrow at 15:00, its span running from "tomorrow" to "15h"); not across an "or" ("thursday
    morning, or 3pm friday" are two)."""
    if not text or not (_TRIGGER_RE.search(text) or _PART_RE.search(text)):
        return []
    pieces = [m.span() for m in _SPAN_RE.finditer(text)]
    groups: List[List[int]] = []
    for start, end in pieces:
        if groups and _GLUE_RE.match(text[groups[-1][1]:start]):
            groups[-1][1] = end
        else:
            groups.append([start, end])
    mentions: List[DateMention] = []
    for start, end in groups:
        when = parse_date_time(text[start:end], now)
        if when is None:
            continue
        mention = DateMention(when, start, end, text[start:end])
        joined = _joined(mentions[-1], mention, text, now) if mentions else None
        if joined is not None:
            mentions[-1] = joined
        else:
            mentions.append(mention)
    return mentions


def _bare_time(mention: DateMention) -> bool:
    """"15h", "maybe 2:30pm EST": a time naming no day."""
    rest = _ZONE_AFTER_RE.sub(lambda m: m.group(0)[:m.start("zone") - m.start()], mention.text)
    rest = _CLOCK_RE.sub(" ", european_hours(rest))
    return mention.when.is_instant and not _FILLER_RE.sub(" ", rest).strip()


def _joined(first: DateMention, second: DateMention, text: str, now: dt.datetime) -> Optional[DateMention]:
    """``first`` and ``second`` as one moment when one is a day (or part of one) and the other a
    bare time, with at most a few words and no alternative between them; else None."""
    gap = text[first.end:second.start]
    if _APART_RE.search(gap) or len(gap.split()) > 8:
        return None
    day, time = (first, second) if _bare_time(second) else (second, first)
    if not _bare_time(time) or day.when.is_instant or day.when.end - day.when.start > dt.timedelta(days=1):
        return None
    when = parse_date_time(f"{day.text} {time.text}", now)
    if when is None or not when.is_instant:
        return None
    return DateMention(when, first.start, second.end, text[first.start:second.end])
