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


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        # a slash compound wrapped at the line's end: the word and its slash are two tokens
        ("visits for myalgia/\nmyositis or", ["myalgia", "/", "\n", "myositis"]),
        # and a word hyphenated over a line break
        ("the request is non-\ncertified.", ["non", "-", "\n", "certified"]),
        # a slash inside a compound, a strength's slash and a web address are left alone
        ("EMG/NCV of both arms", ["EMG", "/", "NCV"]),
        ("Norco 10/325mg daily", ["10/325mg"]),
        ("see www.odg-twc.com/ for", ["www.odg-twc.com/"]),
        (
            "at https://www.cms.gov/Regulations-and-\nGuidance",
            ["https://www.cms.gov/Regulations-and-"],
        ),
    ],
)
def test_a_slash_or_hyphen_at_a_words_end_is_split_off(text, tokens):
    doc = imrnlp.load().make_doc(text)
    words = [t.text for t in doc]
    start = words.index(tokens[0])
    assert words[start : start + len(tokens)] == tokens
