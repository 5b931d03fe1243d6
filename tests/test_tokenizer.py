from __future__ import annotations

import pytest

import imrnlp


@pytest.mark.parametrize(
    "whole",
    [
        "07/17/2013",
        "12-21-16",
        "C5-C6",
        "L4-5",
        "L5-S1",
        "occiput-C1",
        "10/325mg",
        "7.5mg",
        "CM16-0235991",
    ],
)
def test_kept_as_one_token(whole):
    nlp = imrnlp.load()
    doc = nlp.make_doc(f"Seen on ({whole}), then again.")
    assert whole in [t.text for t in doc]
