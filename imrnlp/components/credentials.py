"""`imr_credentials`: the expert reviewer's states of licensure and specialty.

Requires the field spans LICENSURE ("State(s) of Licensure:") and SPECIALTY
("Certification(s)/Specialty:"). Assigns `doc.spans["imr_credentials"]`: the value after each
label, read to the end of its line and over the lines it wraps onto, labelled "specialty" (one
span) or "licensure" (one span per state: the value split at ",", ";" and "and"), and the label
it was read after, labelled LICENSURE or SPECIALTY (where the reviewer's evidence starts).

A value wraps when its line ends in "&", "," or "and", or when the next line is a short run of
words that is no label and not a heading ("...Occupational" / "Medicine").
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import labels as L
from ..spanutil import trim

#: The label of each credential's cue -> the label of its value spans.
_PARTS = {L.LICENSURE: L.CREDENTIAL_LICENSURE, L.SPECIALTY: L.CREDENTIAL_SPECIALTY}
_OPEN_ENDS = {"&", ",", "and"}
_SEPARATORS = {",", ";", "and"}
_SHORT_LINE = 40  # characters: a wrapped value's continuation line is no longer


class Credentials:
    def __init__(self, nlp: Language, name: str = L.PIPE_CREDENTIALS) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        cues: dict[str, Span] = {}  # the first LICENSURE and the first SPECIALTY label
        for s in doc.spans.get(L.FIELDS_KEY, []):
            if s.label_ in _PARTS and s.label_ not in cues:
                cues[s.label_] = s
        spans: list[Span] = []
        for label, part in _PARTS.items():
            cue = cues.get(label)
            if cue is None:
                continue
            spans.append(Span(doc, cue.start, cue.end, label=label))
            start, end = value_after(doc, cue.end)
            single = part == L.CREDENTIAL_SPECIALTY
            pieces = [(start, end)] if single else _split(doc, start, end)
            spans += [Span(doc, a, b, label=part) for a, b in pieces if b > a]
        doc.spans[L.CREDENTIALS_KEY] = spans
        return doc


def _line_end(doc: Doc, i: int) -> int:
    """Index of the first line-break token at or after i (or the Doc's end)."""
    while i < len(doc) and "\n" not in doc[i].text:
        i += 1
    return i


def value_after(doc: Doc, start: int) -> tuple[int, int]:
    """Tokens of the value that follows a label ending at token `start`, with wrapped lines."""
    end = _line_end(doc, start)
    while end < len(doc):
        nxt = _line_end(doc, end + 1)
        a, b = trim(doc, end + 1, nxt)
        following = doc[a:b].text if b > a else ""
        last = trim(doc, start, end)[1]
        ends_open = last > start and doc[last - 1].text in _OPEN_ENDS
        short = (
            0 < len(following) <= _SHORT_LINE
            and not any(t.text == ":" for t in doc[a:b])
            and following[:1].isupper()
        )
        if not following or not (ends_open or short) or following.isupper():
            break
        end = nxt
    return trim(doc, start, end)


def _split(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """A list of states split at ",", ";" and "and"."""
    out, a = [], start
    for i in range(start, end + 1):
        if i == end or doc[i].text in _SEPARATORS:
            out.append(trim(doc, a, i))
            a = i + 1
    return out
