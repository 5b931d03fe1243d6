"""`imr_items`: one block per disputed item, split into heading, guideline lines and rationale.

Requires the field spans DECISION_HEADING (": Upheld" closing an item heading), BLOCK_LABEL
("Claims Administrator guideline:", "MAXIMUS guideline:", "Decision rationale:") and PARTIAL_CUE,
and the sections. Assigns `doc.spans["imr_items"]` (one span per item, label = decision) and
`doc.spans["imr_item_parts"]` (the parts of each item, inside its span, labelled with the part's
name from `labels.ITEM_PARTS`). `item_parts(doc)` reads them back as typed `ItemParts`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .. import labels as L
from ..spanutil import doc_text, trim

#: A line above a heading belongs to it unless it closes a sentence, is a heading in capitals (the
#: issues section's), or holds a block label or the issues' opening ("set forth below:").
_CLOSES = re.compile(r"\.\s*$")
_CAPS_LINE = re.compile(r"^[\s\f]*[A-Z][A-Z ,()]+$")
#: Decision-span rule ids that state necessity, and whether the item is necessary.
_NECESSITY = {L.RULE_NECESSARY: True, L.RULE_NOT_NECESSARY: False}


class ItemSplitter:
    def __init__(self, nlp: Language, name: str = L.PIPE_ITEMS) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        fields = list(doc.spans.get(L.FIELDS_KEY, []))
        headings = filter_spans(s for s in fields if s.label_ == L.DECISION_HEADING)
        issues = [s for s in doc.spans.get(L.SECTIONS_KEY, []) if s.label_ == L.SECTION_ISSUES]
        floor = issues[0].start if issues else 0
        headings = [h for h in headings if h.start >= floor]
        if not headings:
            return self._cued_items(doc, fields)
        text = doc_text(doc)  # built once per Doc
        partial = sorted(s.start_char for s in fields if s.label_ == L.PARTIAL_CUE)
        labels = sorted(
            s.start_char for s in fields if s.label_ in (L.BLOCK_LABEL, L.ITEMS_OPENING)
        )
        starts = [self._heading_start(doc, text, h, floor, partial, labels) for h in headings]
        parts: list[dict[str, Any]] = []
        spans: list[Span] = []
        for n, heading in enumerate(headings):
            start = starts[n]
            end = starts[n + 1] if n + 1 < len(headings) else _section_end(doc, heading.start)
            start, end = trim(doc, start, end)
            decision = heading.id_.removeprefix("heading.")
            part: dict[str, Any] = {
                L.PART_HEADING: (start, heading.end),
                L.PART_DECISION: (heading.start, heading.end),
            }
            part.update(self._request(doc, fields, start, heading))
            part.update(self._blocks(doc, fields, heading.end, end))
            parts.append(part)
            spans.append(Span(doc, start, end, label=decision))
        _set_items(doc, spans, parts)
        return doc

    def _cued_items(self, doc: Doc, fields: list[Span]) -> Doc:
        """Older layouts, without ": Upheld" headings: items open with a cue ("1) Regarding the
        request for X:", "has determined the request for X is not medically necessary", "ISSUE AT
        DISPUTE:") and their decision is the necessity the reviewer concludes."""
        cues = [s for s in fields if s.label_ == L.ITEM_CUE]
        for kind in (L.RULE_ITEM_REGARDING, L.RULE_ITEM_DETERMINED, L.RULE_ITEM_ISSUE_AT_DISPUTE):
            chosen = sorted((c for c in cues if c.id_ == kind), key=lambda c: c.start)
            if chosen:
                break
        else:
            _set_items(doc, [], [])
            return doc
        necessity = sorted(
            (s for s in doc.spans.get(L.SPANS_KEY, []) if s.id_ in _NECESSITY),
            key=lambda s: s.start,
        )
        parts: list[dict[str, Any]] = []
        spans: list[Span] = []
        for n, cue in enumerate(chosen):
            # an "ISSUE AT DISPUTE" letter concludes after its case summary: the block runs on
            last = (
                len(doc) if kind == L.RULE_ITEM_ISSUE_AT_DISPUTE else _section_end(doc, cue.start)
            )
            end = chosen[n + 1].start if n + 1 < len(chosen) else last
            inside = [s for s in necessity if cue.end <= s.start < end]
            if kind == L.RULE_ITEM_DETERMINED:
                verdict = inside[0] if inside else None
                req_end = verdict.start if verdict is not None else _line_end(doc, cue.end, end)
                end = _sentence_end(doc, verdict.end if verdict is not None else req_end, end)
            else:
                verdict = inside[-1] if inside else None
                req_end = _line_end(doc, cue.end, end)
            if verdict is None:
                continue
            start, end = trim(doc, cue.start, end)
            decision = "overturned" if _NECESSITY[verdict.id_] else "upheld"
            req = list(trim(doc, cue.end, req_end))
            while req[1] > req[0] and doc[req[1] - 1].text in {":", ",", "."}:
                req[1] -= 1
            part: dict[str, Any] = {
                L.PART_HEADING: (start, req_end),
                L.PART_DECISION: (verdict.start, verdict.end),
                L.PART_REQUEST: tuple(req),
            }
            part.update(self._blocks(doc, fields, req_end, end))
            parts.append(part)
            spans.append(Span(doc, start, end, label=decision))
        _set_items(doc, spans, parts)
        return doc

    @staticmethod
    def _heading_start(
        doc: Doc, text: str, heading: Span, floor: int, partial: list[int], labels: list[int]
    ) -> int:
        """First token of the heading: walk back over wrapped lines to the previous block's end
        (a line that closes a sentence, a block label such as "Decision rationale:", the issues
        section's heading), keeping the sentences of a partial authorization together.
        `partial` and `labels` are the sorted start offsets of the PARTIAL_CUE field spans and of
        the BLOCK_LABEL and ITEMS_OPENING field spans."""
        floor_char = doc[floor].idx if floor < len(doc) else 0
        line_start = _line_start(text, floor_char, heading.start_char)
        while line_start > floor_char:
            prev_end = line_start - 1
            prev_start = _line_start(text, floor_char, prev_end)
            prev = text[prev_start:prev_end]
            if not prev.strip():
                if prev_start <= floor_char:
                    break
                line_start = prev_start
                continue
            cue = _any_in(partial, line_start, heading.start_char) and _any_in(
                partial, prev_start, prev_end
            )
            stop = _CAPS_LINE.search(prev) or _any_in(labels, prev_start, prev_end)
            if (_CLOSES.search(prev) and not cue) or stop:
                break
            line_start = prev_start
        span = doc.char_span(line_start, heading.start_char, alignment_mode="expand")
        first = span.start if span is not None and len(span) else heading.start
        while first < heading.start and doc[first].is_space:
            first += 1
        return max(first, floor)

    @staticmethod
    def _request(doc: Doc, fields: list[Span], start: int, heading: Span) -> dict[str, Any]:
        cues = [
            s
            for s in fields
            if start <= s.start and s.end <= heading.start and s.label_ == L.PARTIAL_CUE
        ]
        req_start, req_end = start, heading.start
        out: dict[str, Any] = {}
        openers = [c for c in cues if c.id_ in (L.RULE_PARTIAL_ORIGINAL, L.RULE_PARTIAL_REMAINING)]
        if openers:
            out[L.PART_PARTIAL] = (openers[0].start, openers[0].end)
            req_start = max(c.end for c in openers)
            # "... X is: Upheld": drop the closing "is"
            k = req_end
            while k > req_start and (doc[k - 1].is_space or doc[k - 1].lower_ in {"is", ","}):
                k -= 1
            req_end = k
            was = [c for c in cues if c.id_ == L.RULE_PARTIAL_WAS_ORIGINAL]
            if was:
                out[L.PART_ORIGINAL_REQUEST] = trim(doc, start, was[0].start)
            by = [c for c in cues if c.id_ == L.RULE_PARTIAL_AUTHORIZED_BY]
            ca = [c for c in cues if c.id_ == L.RULE_PARTIAL_AUTHORIZED]
            if by and was:
                out[L.PART_AUTHORIZED] = _sentence_after(doc, was[0].end, by[0].start)
            elif ca:
                end = _clause_end(doc, ca[0].end, heading.start)
                out[L.PART_AUTHORIZED] = trim(doc, ca[0].end, end)
        while req_start < req_end and (doc[req_start].is_space or doc[req_start].text == ","):
            req_start += 1
        out[L.PART_REQUEST] = trim(doc, req_start, req_end)
        return out

    @staticmethod
    def _blocks(doc: Doc, fields: list[Span], start: int, end: int) -> dict[str, Any]:
        labels = filter_spans(
            s for s in fields if s.label_ == L.BLOCK_LABEL and start <= s.start < end
        )
        out: dict[str, Any] = {}
        for n, lab in enumerate(labels):
            stop = labels[n + 1].start if n + 1 < len(labels) else end
            name = lab.id_.removeprefix("block.")
            if name not in out:
                out[name] = trim(doc, lab.end, stop)
        return out


def _line_end(doc: Doc, start: int, limit: int) -> int:
    """Token index of the first line break (or ":" closing a heading) at or after `start`."""
    i = start
    while i < limit:
        if doc[i].text == ":" or ("\n" in doc[i].text and i > start):
            return i
        i += 1
    return limit


def _sentence_end(doc: Doc, start: int, limit: int) -> int:
    i = start
    while i < limit and doc[i].text != ".":
        i += 1
    return min(i + 1, limit)


def _line_start(text: str, floor: int, pos: int) -> int:
    """Start of the line holding `pos` (a form feed starts a line too), not before `floor`."""
    return max(text.rfind("\n", floor, pos), text.rfind("\f", floor, pos), floor - 1) + 1


def _section_end(doc: Doc, token_i: int) -> int:
    for s in doc.spans.get(L.SECTIONS_KEY, []):
        if s.start <= token_i < s.end:
            return int(s.end)
    return len(doc)


def _sentence_after(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Tokens between a sentence end after `start` and `end` ("... request. X was authorized")."""
    s = start
    while s < end and doc[s].text != ".":
        s += 1
    return trim(doc, s + 1 if s < end else start, end)


def _clause_end(doc: Doc, start: int, limit: int) -> int:
    """End of "The Claims Administrator authorized X, leaving ..." before ", leaving" or "."."""
    i = start
    while i < limit:
        if doc[i].text == "." or (
            doc[i].text == "," and i + 1 < limit and _next_is(doc, i + 1, "leaving")
        ):
            return i
        i += 1
    return limit


def _next_is(doc: Doc, i: int, word: str) -> bool:
    while i < len(doc) and doc[i].is_space:
        i += 1
    return i < len(doc) and doc[i].lower_ == word


def _any_in(starts: list[int], a: int, b: int) -> bool:
    """Whether a sorted list of span starts has one in [a, b)."""
    i = bisect.bisect_left(starts, a)
    return i < len(starts) and starts[i] < b


def _set_items(doc: Doc, items: list[Span], parts: list[dict[str, tuple[int, int]]]) -> None:
    """Write the item spans and their non-empty parts (token ranges by part name)."""
    doc.spans[L.ITEMS_KEY] = items
    doc.spans[L.ITEM_PARTS_KEY] = [
        Span(doc, a, b, label=name) for part in parts for name, (a, b) in part.items() if b > a
    ]


@dataclass(frozen=True)
class ItemParts:
    """One disputed item as the assembler reads it: its span (labelled with the decision) and its
    parts by name (`labels.ITEM_PARTS`); a part the letter does not have is absent."""

    block: Span
    parts: dict[str, Span]

    @property
    def decision(self) -> str:
        return str(self.block.label_)

    def get(self, name: str) -> Span | None:
        return self.parts.get(name)

    @property
    def request(self) -> Span:
        """What was requested: the request part, else the heading, else the whole block."""
        return self.get(L.PART_REQUEST) or self.get(L.PART_HEADING) or self.block


def item_parts(doc: Doc) -> list[ItemParts]:
    """The items of a processed Doc, in letter order, each with the parts inside its span."""
    items = sorted(doc.spans.get(L.ITEMS_KEY, []), key=lambda s: s.start)
    starts = [s.start for s in items]
    found: list[dict[str, Span]] = [{} for _ in items]
    for part in doc.spans.get(L.ITEM_PARTS_KEY, []):
        i = bisect.bisect_right(starts, part.start) - 1
        if i >= 0 and part.end <= items[i].end:
            found[i].setdefault(part.label_, part)
    return [ItemParts(block, parts) for block, parts in zip(items, found, strict=True)]
