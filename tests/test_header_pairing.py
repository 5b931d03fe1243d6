"""Unit tests of header pairing (`imr_header`): labels and values in reading order."""

from __future__ import annotations

import pytest

import imrnlp
from imrnlp.components.header import pair_header

SUMMARY = "\n\nCLINICAL CASE SUMMARY\nThe worker was hurt at work.\n"


def _pairs(header: str) -> dict[str, str]:
    return {
        field: span.text for field, span in pair_header(imrnlp.load()(header + SUMMARY)).items()
    }


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # one label, then its value, per line
        (
            "Case Number: CM99-0000002\nDate Assigned: 01/05/2017\nDate of Injury: 7/4/2013\n"
            "Priority: Expedited\nDecision Date: 02/06/2017",
            {
                "case_number": "CM99-0000002",
                "date_assigned": "01/05/2017",
                "date_of_injury": "7/4/2013",
                "priority": "Expedited",
                "decision_date": "02/06/2017",
            },
        ),
        # a table: two labels on a line, their values on the next
        (
            "Case Number:    Date Assigned:\nCM99-0000003    3/1/2016\n"
            "UR Denial Date:   Priority:\n2/20/2016    Standard",
            {
                "case_number": "CM99-0000003",
                "date_assigned": "3/1/2016",
                "ur_denial_date": "2/20/2016",
                "priority": "Standard",
            },
        ),
        # a date label waits for a date: the case number after it goes to its own label
        (
            "Date Assigned:\nCase Number: CM99-0000004",
            {"case_number": "CM99-0000004"},
        ),
        # a value with no label before it is not paired
        ("CM99-0000005\nPriority: Standard", {"priority": "Standard"}),
    ],
)
def test_pair_header(header: str, expected: dict[str, str]) -> None:
    assert _pairs(header) == expected


def test_dates_after_the_header_are_not_paired() -> None:
    pairs = _pairs("Case Number: CM99-0000006\nDate Assigned:")
    assert pairs == {"case_number": "CM99-0000006"}  # the summary has no date to take either
    text = "Date Assigned:" + SUMMARY + "Seen on 03/04/2016.\n"
    assert pair_header(imrnlp.load()(text)) == {}
