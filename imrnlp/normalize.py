"""Pure functions that turn entity text into canonical values (no spaCy)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

#: Month names and abbreviations, lower case, to month numbers ('march' and 'mar' -> 3), with
#: the four-letter 'sept' letters also write. From `calendar`, read once at import (in the C
#: locale Python starts in).
_MONTHS: dict[str, int] = {
    **{name.lower(): n for n, name in enumerate(calendar.month_name) if name},
    **{abbr.lower(): n for n, abbr in enumerate(calendar.month_abbr) if abbr},
    "sept": 9,
}
_NUMERIC = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})$")
#: A space or line break beside a date's separator, as where a line wraps inside "10/10/ 2016".
_SEPARATED = re.compile(r"\s*([/-])\s*")
_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
_WRITTEN = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_MONTH_NAME_YEAR = re.compile(r"^([A-Za-z]+),?\s+(\d{4})$")


def iso_date(text: str) -> str | None:
    """'07/17/2013' -> '2013-07-17'; '12-21-16' -> '2016-12-21' (also wrapped: '10/10/\n2016');
    'July 17, 2013'; '10/2016' -> '2016-10'. None when the text is no valid date."""
    t = " ".join(text.split())
    try:
        if m := _NUMERIC.match(_SEPARATED.sub(r"\1", t)):
            month, day, year = int(m[1]), int(m[2]), int(m[3])
            if len(m[3]) == 2:
                year += 2000 if year < 70 else 1900
            return dt.date(year, month, day).isoformat()
        if m := _WRITTEN.match(t):
            named = _MONTHS.get(m[1].lower())
            return dt.date(int(m[3]), named, int(m[2])).isoformat() if named else None
        if m := _MONTH_YEAR.match(t):
            month, year = int(m[1]), int(m[2])
            return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
        if m := _MONTH_NAME_YEAR.match(t):
            named = _MONTHS.get(m[1].lower())
            return f"{int(m[2]):04d}-{named:02d}" if named else None
    except ValueError:
        return None
    return None


_LEVEL = re.compile(r"^([CTLS])(\d{1,2})\s*(?:-|/|to|through)\s*([CTLS])?(\d{1,2})$", re.I)


#: Highest number of each spine region (C8 and L6 as nerve root and transitional vertebra).
_LEVELS = {"C": 8, "T": 12, "L": 6, "S": 5}


def canonical_level(text: str) -> str | None:
    """'L4-5' -> 'L4-L5', 'c5-c6' -> 'C5-C6', 'occipito C-1' -> 'occiput-C1'."""
    t = " ".join(text.split())
    if re.match(r"(?i)^(?:occ|oc\b)", t):
        return "occiput-C1"
    m = _LEVEL.match(t)
    if not m:
        return None
    first = m[1].upper()
    second = (m[3] or m[1]).upper()
    a, b = int(m[2]), int(m[4])
    if a > _LEVELS[first] or b > _LEVELS[second] or a == 0 or b == 0:
        return None  # no such vertebra: 'S1-20' in a regulation number is no level
    return f"{first}{a}-{second}{b}"
