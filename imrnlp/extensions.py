"""Registers every custom attribute imrnlp sets on Doc and Span objects (names in labels.py)."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from . import labels as L


def register() -> None:
    for name, default in (
        (L.EXT_ASSERTION, None),
        (L.EXT_NORM, None),
        (L.EXT_ROLE, None),
        (L.EXT_CATEGORY_MODEL, None),
    ):
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name in (L.EXT_LAYOUT, L.EXT_ABBREVIATIONS):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register()
