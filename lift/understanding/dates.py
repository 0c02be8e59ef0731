"""Dates and times in a shopper's words, as timezone-aware UTC values relative to a given ``now``.

``dateparser`` does the parsing ("tomorrow at 10am", "friday 3pm", "in two days", "dec 10 at 2pm");
this module adds only what it lacks: parts of the day ("next Tuesday afternoon", "tomorrow
morning", "tonight"), "next/this <weekday>", finding the date inside a longer sentence without
its false positives, and a window for values that are a day or a part of a day rather than an
instant. Times are read as UTC (the demo calendar runs in UTC).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

UTC = dt.timezone.utc

# Parts of the day dateparser does not know, as [start hour, end hour).
PARTS_OF_DAY = {
    "early morning": (7, 9), "morning": (8, 12), "midday": (11, 14), "lunchtime": (11, 14),
    "afternoon": (12, 18), "evening": (17, 21), "tonight": (18, 23), "night": (18, 23),
}
_WEEKDAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?"
_MONTHS = r"(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|may"
# A message must contain one of these before dateparser is asked at all: fast, and it keeps
# "2 of the crema" or "the second one" from being read as dates.
_TRIGGER_RE = re.compile(
    rf"\b(?:{_WEEKDAYS}|{_MONTHS}|today|tomorrow|tonight|noon|midnight|weekend|"
    r"(?:next|this|coming)\s+(?:week|month)|"
    r"in\s+(?:\d+|an?|one|two|three|four|five|six|seven|a\s+couple\s+of)\s+(?:minutes?|hours?|days?|weeks?)|"
    r"\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?)\b",
    re.IGNORECASE,
)
_PART_RE = re.compile(r"\b(?:in the\s+|this\s+)?(" + "|".join(sorted(PARTS_OF_DAY, key=len, reverse=True)) + r")\b",
                      re.IGNORECASE)
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


def parse_date_time(text: str, now: dt.datetime) -> Optional[When]:
    """The date/time ``text`` names, relative to ``now`` (read as UTC); None if it names none."""
    text = " ".join((text or "").split())
    if not text or not _TRIGGER_RE.search(text) and not _PART_RE.search(text):
        return None
    now = as_utc(now)
    part = _PART_RE.search(text)
    hours = PARTS_OF_DAY[part.group(1).lower()] if part else None
    rest = _PART_RE.sub(" ", text) if part else text
    rest = " ".join(_NEXT_WEEKDAY_RE.sub("", rest).split())
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


# Words that may sit around the date inside a sentence and belong to it.
_SPAN_RE = re.compile(
    rf"(?:\b(?:next|this|coming|on)\s+)?(?:"
    rf"\b(?:{_WEEKDAYS}|{_MONTHS}|today|tomorrow|tonight|noon|midnight)\b|"
    r"\b(?:next|this|coming)\s+(?:week|month)\b|"
    r"\bin\s+(?:\d+|an?|one|two|three|four|five|six|seven|a\s+couple\s+of)\s+(?:minutes?|hours?|days?|weeks?)\b|"
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?\b|"
    r"\b\d{1,2}(?:st|nd|rd|th)\b|"
    rf"\b(?:in the\s+)?(?:{'|'.join(PARTS_OF_DAY)})\b)",
    re.IGNORECASE,
)
_GLUE_RE = re.compile(r"^(?:\s*,?\s*(?:at|on|the|of|around|about|by|from)?\s*)$", re.IGNORECASE)


def find_date_times(text: str, now: dt.datetime) -> List[DateMention]:
    """Dates and times inside a sentence ('Can we do tomorrow at 10am?'), with their spans.

    Adjacent date words ('next Tuesday' + 'afternoon', 'friday' + '3pm') are joined into one
    mention; each joined span is then parsed by :func:`parse_date_time`."""
    if not text or not (_TRIGGER_RE.search(text) or _PART_RE.search(text)):
        return []
    pieces = [m.span() for m in _SPAN_RE.finditer(text)]
    groups: List[List[int]] = []
    for start, end in pieces:
        if groups and _GLUE_RE.match(text[groups[-1][1]:start]):
            groups[-1][1] = end
        else:
            groups.append([start, end])
    mentions = []
    for start, end in groups:
        when = parse_date_time(text[start:end], now)
        if when is not None:
            mentions.append(DateMention(when, start, end, text[start:end]))
    return mentions
