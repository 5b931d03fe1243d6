"""`imr_diagnosis_lists`: splits the case summary's list of diagnoses into DIAGNOSIS spans.

Requires the field ruler's DIAGNOSIS_CUE spans ("The diagnoses include"). Assigns a DIAGNOSIS_LIST
span (in `doc.spans["imr_fields"]`) over each listed region and one DIAGNOSIS span per listed
diagnosis (in `doc.spans["imr"]`, id `diagnosis.list`). Shorter ruler DIAGNOSIS spans inside a
listed diagnosis are dropped; a trained model's spans are kept, and the record takes the outermost
DIAGNOSIS spans of the first region.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .. import labels as L
from ..spanutil import model_span_keys
from .context import opening_regex

_LIST_NUMBER = re.compile(r"^(?:\(?\d{1,2}[.)]|[a-z][.)]|[-*\u2022])$")
_SIDE_ONLY = re.compile(r"^(?:left|right|bilateral|bilaterally|l|r)$", re.I)
_MAX_TOKENS = 120
_LEADING = re.compile(r"^(?:and|or|the|a|an|of|with|include[sd]?|were|are|was|is|:|,|;)$", re.I)


class DiagnosisLists:
    def __init__(self, nlp: Language, name: str = L.PIPE_DIAGNOSIS_LISTS) -> None:
        self.name = name
        self.nlp = nlp

    def _cues(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """(uncertainty cues, history cues) that may open a listed diagnosis, from the ConText
        rules of the pipeline's `imr_context` (the one place they are written). An uncertainty
        cue is cut off the diagnosis ("Rule out X" lists X, and ConText makes it uncertain); a
        history cue makes a piece a diagnosis even without a condition word ("status post ...")."""
        if L.PIPE_CONTEXT not in self.nlp.pipe_names:
            return None, None
        context = self.nlp.get_pipe(L.PIPE_CONTEXT)

        uncertain = context.opening_cues("POSSIBLE_EXISTENCE")  # type: ignore[attr-defined]
        history = context.opening_cues("HISTORICAL")  # type: ignore[attr-defined]
        return opening_regex(uncertain, r"\s*"), opening_regex(history, "")

    def __call__(self, doc: Doc) -> Doc:
        fields = list(doc.spans.get(L.FIELDS_KEY, []))
        cues = filter_spans([s for s in fields if s.label_ == L.DIAGNOSIS_CUE])
        new_dx: list[Span] = []
        # tokens that name a condition: any DIAGNOSIS span, or a DIAGNOSIS_HEAD cue ("pain")
        heads = {
            t
            for s in [*doc.spans.get(L.SPANS_KEY, []), *fields]
            if s.label_ in (L.DIAGNOSIS, L.DIAGNOSIS_HEAD)
            for t in range(s.start, s.end)
        }
        regions: list[Span] = []
        # lists are read in the case summary, where the letter states the diagnoses; a rationale's
        # "the diagnosis of ..." discusses a condition rather than listing the worker's
        summary = [
            s for s in doc.spans.get(L.SECTIONS_KEY, []) if s.label_ == L.SECTION_CASE_SUMMARY
        ]
        if summary:
            cues = [c for c in cues if any(s.start <= c.start < s.end for s in summary)]
        for cue in _chain(doc, cues):
            if regions and cue.start < regions[-1].end:
                continue
            region = self._region(doc, cue)
            if region is None:
                continue
            regions.append(region)
            new_dx.extend(self._split(doc, region, heads, *self._cues()))
        doc.spans[L.FIELDS_KEY] = fields + regions
        # a listed diagnosis replaces the shorter DIAGNOSIS spans the lexicon found inside it
        by_model = model_span_keys(doc)
        kept = [
            s
            for s in doc.spans.get(L.SPANS_KEY, [])
            if s.label_ != L.DIAGNOSIS
            or (s.start, s.end, s.label_) in by_model
            or not any(d.start <= s.start and s.end <= d.end and len(d) > len(s) for d in new_dx)
        ]
        doc.spans[L.SPANS_KEY] = kept + new_dx
        return doc

    @staticmethod
    def _region(doc: Doc, cue: Span) -> Span | None:
        start = cue.end
        # "The listed diagnoses from 11/07/2014 are: 1. ..." : the list starts after the colon
        for k in range(cue.end, min(len(doc), cue.end + 15)):
            if doc[k].text == ".":
                break
            if doc[k].text == ":":
                start = k + 1
                break
        limit = min(len(doc), start + _MAX_TOKENS)
        i = start
        while i < limit:
            tok = doc[i]
            if tok.text != ".":
                i += 1
                continue
            prev = _prev_word(doc, i - 1, start)
            if prev is not None and prev.like_num:
                i += 1  # "1." of a numbered list
                continue
            nxt = _next_word(doc, i + 1)
            # a numbered list goes on: "... syndrome. 2. Rule out ..."
            if nxt is not None and (_LIST_NUMBER.match(nxt.text) or nxt.like_num):
                i += 1
                continue
            break
        if i <= start:
            return None
        return Span(doc, start, i, label=L.DIAGNOSIS_LIST, span_id="diagnosis_list")

    @staticmethod
    def _split(
        doc: Doc,
        region: Span,
        heads: set[int],
        uncertain: re.Pattern[str] | None = None,
        history: re.Pattern[str] | None = None,
    ) -> list[Span]:
        """Split at commas, semicolons, list numbers and a final "and"; then re-join a piece that
        names no condition ("fascia", "initial encounter", "wrist") to its neighbour."""
        pieces: list[tuple[int, int]] = []
        start = region.start
        toks = list(region)
        for k, tok in enumerate(toks):
            i = tok.i
            is_sep = (
                tok.text in {",", ";"}
                or tok.lower_ in {"versus", "vs", "vs."}
                or (_LIST_NUMBER.match(tok.text) is not None and _opens_line(doc, i, region.start))
            )
            if tok.lower_ == "and" and k + 1 < len(toks):
                # "A, B, and C" / "A and B": split at "and" only where no comma follows in the
                # list (up to the end of its sentence)
                later = []
                for t in toks[k + 1 :]:
                    if t.text == ".":
                        break
                    later.append(t.text)
                is_sep = "," not in later and ";" not in later
            if tok.text == "." and k + 1 < len(toks):
                is_sep = True
            if is_sep:
                pieces.append((start, i))
                start = i + 1
        pieces.append((start, region.end))
        spans: list[Span] = []
        cleaned: list[tuple[int, int]] = []
        for s, e in pieces:
            while s < e and (doc[s].is_space or doc[s].is_punct or _LEADING.match(doc[s].text)):
                s += 1
            cue = uncertain.match(doc[s:e].text) if uncertain is not None else None
            if cue:
                inner = doc.char_span(doc[s].idx + cue.end(), doc[e - 1].idx + len(doc[e - 1]))
                if inner is not None and len(inner):
                    s = inner.start
            while e > s and (doc[e - 1].is_space or doc[e - 1].text in {".", ",", ";", ":"}):
                e -= 1
            if e <= s or all(t.like_num or t.is_punct or t.is_space for t in doc[s:e]):
                continue
            cleaned.append((s, e))
        # pieces without a condition word join their neighbour
        merged: list[list[int]] = []
        pending: int | None = None  # start of a head-less piece waiting for the next one
        for s, e in cleaned:
            has_head = any(i in heads for i in range(s, e)) or (
                history is not None and history.match(doc[s:e].text) is not None
            )
            side_only = _SIDE_ONLY.match(doc[s:e].text) is not None
            # "right and left shoulder sprain": a side followed by "and" belongs to what follows
            and_follows = any(t.lower_ == "and" for t in doc[e : min(region.end, e + 2)])
            if pending is not None:
                s, pending = pending, None
            if side_only and not and_follows and merged:
                merged[-1][1] = e
            elif side_only or (not has_head and not merged):
                pending = s
            elif not has_head and merged:
                merged[-1][1] = e
            else:
                merged.append([s, e])
        if pending is not None:
            if merged:
                merged[-1][1] = cleaned[-1][1]
            else:
                merged.append([pending, cleaned[-1][1]])
        for s, e in merged:
            abbrev = re.search(r"\s*\([A-Z]{2,6}\)$", doc[s:e].text)
            if abbrev:  # "complex regional pain syndrome (CRPS)"
                inner = doc.char_span(doc[s].idx, doc[s].idx + abbrev.start())
                if inner is not None:
                    e = inner.end
            spans.append(Span(doc, s, e, label=L.DIAGNOSIS, span_id="diagnosis.list"))
        return spans


def _opens_line(doc: Doc, i: int, floor: int) -> bool:
    """A list number or bullet counts where it opens a line (or the list): the '-' of
    "sprain-strain" or of a word hyphenated across a line break is no bullet."""
    if doc[i].text[:1].isdigit() or doc[i].text[:1] == "(":
        return True
    return (
        i <= floor
        or (doc[i - 1].is_space and "\n" in doc[i - 1].text)
        or ("\n" in doc[i - 1].whitespace_)
    )


def _chain(doc: Doc, cues: list[Span]) -> list[Span]:
    """Cues that follow each other ("diagnoses ... documented as") read as one cue."""
    out: list[Span] = []
    for cue in cues:
        if out:
            gap = doc[out[-1].end : cue.start]
            if len(gap) <= 3 and not any(t.text == "." for t in gap):
                out[-1] = doc[out[-1].start : cue.end]
                continue
        out.append(cue)
    return out


def _prev_word(doc: Doc, i: int, floor: int) -> Any:
    while i >= floor and doc[i].is_space:
        i -= 1
    return doc[i] if i >= floor else None


def _next_word(doc: Doc, i: int) -> Any:
    while i < len(doc) and doc[i].is_space:
        i += 1
    return doc[i] if i < len(doc) else None
