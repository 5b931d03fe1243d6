"""Unit tests of imrnlp.normalize: dates and spine levels, small self-written examples."""

from __future__ import annotations

import pytest

from imrnlp.normalize import canonical_level, iso_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07/17/2013", "2013-07-17"),
        ("7/4/2013", "2013-07-04"),
        ("12-21-2016", "2016-12-21"),
        ("12-21-16", "2016-12-21"),
        ("01/02/69", "2069-01-02"),  # two-digit years below 70 are 20xx
        ("01/02/70", "1970-01-02"),  # from 70 on, 19xx
        ("July 17, 2013", "2013-07-17"),
        ("July 17 2013", "2013-07-17"),
        ("Jul. 17, 2013", "2013-07-17"),
        ("Sept 5, 2016", "2016-09-05"),
        ("Sep 5, 2016", "2016-09-05"),
        ("September 5th, 2016", "2016-09-05"),
        ("March 1st, 2015", "2015-03-01"),
        ("May 22nd, 2014", "2014-05-22"),
        ("DECEMBER 3rd, 2014", "2014-12-03"),
        ("July\n17,  2013", "2013-07-17"),  # wrapped across a line
        ("10/2016", "2016-10"),
        ("October, 2016", "2016-10"),
        ("Feb 2017", "2017-02"),
        ("02/29/2016", "2016-02-29"),  # a leap day
        ("10/10/\n2016", "2016-10-10"),  # wrapped at a separator
        ("10-\n25-16", "2016-10-25"),
    ],
)
def test_iso_date(text: str, expected: str) -> None:
    assert iso_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "13/01/2016",  # no 13th month
        "02/30/2016",
        "02/29/2017",  # not a leap year
        "00/10/2016",
        "13/2016",
        "0/2016",
        "Foo 3, 2016",
        "Julember 3, 2016",
        "Smith, 2016",
        "2016-10-13",  # ISO is not a form the letters write
        "07/17/201",
        "page 12",
    ],
)
def test_iso_date_none(text: str) -> None:
    assert iso_date(text) is None


#: Every month spelling the date table accepts, written out here by hand.
MONTHS = [
    ("January", "Jan", 1),
    ("February", "Feb", 2),
    ("March", "Mar", 3),
    ("April", "Apr", 4),
    ("May", "May", 5),
    ("June", "Jun", 6),
    ("July", "Jul", 7),
    ("August", "Aug", 8),
    ("September", "Sep", 9),
    ("October", "Oct", 10),
    ("November", "Nov", 11),
    ("December", "Dec", 12),
]


@pytest.mark.parametrize(("name", "abbr", "month"), MONTHS)
def test_every_month_spelling(name: str, abbr: str, month: int) -> None:
    for spelling in (name, abbr, name.lower(), abbr.upper()):
        assert iso_date(f"{spelling} 2, 2015") == f"2015-{month:02d}-02", spelling
        assert iso_date(f"{spelling} 2015") == f"2015-{month:02d}", spelling
    assert iso_date(f"{abbr}. 2, 2015") == f"2015-{month:02d}-02"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L4-5", "L4-L5"),
        ("L4-L5", "L4-L5"),
        ("l4-l5", "L4-L5"),
        ("c5-c6", "C5-C6"),
        ("L5-S1", "L5-S1"),
        ("L5/S1", "L5-S1"),
        ("L4 / 5", "L4-L5"),
        ("T12 to L1", "T12-L1"),
        ("C5 through C7", "C5-C7"),
        ("C7-T1", "C7-T1"),
        ("C7-8", "C7-C8"),  # C8, the nerve root
        ("L5-6", "L5-L6"),  # L6, a transitional vertebra
        ("occipito C-1", "occiput-C1"),
        ("Occiput-C1", "occiput-C1"),
        ("OC-C1", "occiput-C1"),
        ("L4-\n5", "L4-L5"),
    ],
)
def test_canonical_level(text: str, expected: str) -> None:
    assert canonical_level(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "S1-20",  # a regulation number, not a level
        "C9-T1",  # no C9
        "T13-L1",
        "L0-1",
        "L7-S1",
        "lumbar",
        "L4",
        "",
        "4-5",
    ],
)
def test_canonical_level_none(text: str) -> None:
    assert canonical_level(text) is None
