"""Plural forms of the entity rules' phrase patterns (`patterns/plurals.json`).

The rules are written in the singular ("epidural injection", "urine drug screen", "ESI"); letters
write "epidural injections", "urine drug screens", "ESIs", "EMG's". With no lemmatizer in the
pipeline, the phrase matcher compares words as written, so each phrase pattern of the listed
labels also gets its plural: the last word's English plural ("-s", "-es" after a sibilant, "-ies"
after a consonant and "y"), and for an acronym also the apostrophe form ("MRI's"). Patterns that
already end in "s", that list two things ("sprain / strain"), token patterns and forms that are
already patterns are left alone.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from .resources import patterns_dir

_SIBILANT = re.compile(r"(?:s|x|z|ch|sh)$")
_CONSONANT_Y = re.compile(r"[^aeiou]y$")
_LIST_WORDS = frozenset({"/", "and", "or", "&", ","})


@cache
def rules() -> dict[str, Any]:
    return dict(json.loads((patterns_dir() / "plurals.json").read_text(encoding="utf8")))


def plural(word: str) -> str:
    """The English plural of a lower-case word ("injection" -> "injections", "surgery" ->
    "surgeries", "brush" -> "brushes")."""
    if _SIBILANT.search(word):
        return word + "es"
    if _CONSONANT_Y.search(word):
        return word[:-1] + "ies"
    return word + "s"


def _forms(pattern: str, r: dict[str, Any]) -> list[str]:
    words = pattern.split(" ")
    last = words[-1]
    if not last.replace("-", "").isalpha() or last.endswith("s") or pattern in r["not_pluralized"]:
        return []
    if _LIST_WORDS.intersection(words):  # "sprain / strain": two nouns, not one phrase
        return []
    if any(pattern == w or pattern.endswith(" " + w) for w in r["not_last"]):
        return []
    if len(words) == 1 and len(last) < r["min_acronym_letters"]:
        return []  # "CT" + "s" is "CTS", carpal tunnel syndrome
    forms = [" ".join([*words[:-1], plural(last)])]
    if len(words) == 1 and len(last) <= 5:  # an acronym's apostrophe plural: "MRI's"
        forms.append(last + "'s")
    return forms


def with_plurals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` and, after them, the plural of each phrase pattern of the labels in
    `plurals.json` that is not a pattern of that label already."""
    r = rules()
    labels = set(r["labels"])
    have = {(row["label"], row["pattern"]) for row in rows if isinstance(row["pattern"], str)}
    out = list(rows)
    for row in rows:
        pattern = row["pattern"]
        if row["label"] not in labels or not isinstance(pattern, str):
            continue
        for form in _forms(pattern, r):
            if (row["label"], form) not in have:
                have.add((row["label"], form))
                out.append({**row, "pattern": form})
    return out
