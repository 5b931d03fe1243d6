"""`imr_abbreviations`: abbreviations the letter defines, "electromyography (EMG)", with
scispacy's AbbreviationDetector (Schwartz & Hearst), kept as plain data.

Requires sentence boundaries. Assigns `doc._.imr_abbreviations`: one ``[short_start, short_end,
long_start, long_end]`` token range list per defined abbreviation, first definition only. The
detector's own Span-valued attributes are cleared, so the Doc stays serializable (multiprocessing).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import labels as L


class Abbreviations:
    def __init__(self, nlp: Language, name: str = L.PIPE_ABBREVIATIONS) -> None:
        self.name = name
        self.nlp = nlp
        self._detector: Any = None

    def __call__(self, doc: Doc) -> Doc:
        if self._detector is None:
            from scispacy.abbreviation import AbbreviationDetector  # slow import: only when used

            self._detector = AbbreviationDetector(self.nlp)
        # scispacy's extension defaults to one shared list: give each Doc its own
        doc._.abbreviations = []
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*\[W036\]")
            self._detector(doc)
        found: list[list[int]] = []
        seen: set[str] = set()
        for short in sorted(doc._.abbreviations, key=lambda s: s.start):
            long_form = short._.long_form
            if long_form is None or short.text in seen:
                continue
            seen.add(short.text)
            found.append([short.start, short.end, long_form.start, long_form.end])
        doc._.abbreviations = []
        # the detector also set `span._.long_form` (a Span) on each short form: drop those
        for key in [k for k, v in doc.user_data.items() if isinstance(v, Span)]:
            del doc.user_data[key]
        doc._.set(L.EXT_ABBREVIATIONS, found)
        return doc

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> Abbreviations:
        return self
