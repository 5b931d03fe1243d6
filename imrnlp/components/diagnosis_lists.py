"""`imr_diagnosis_lists`: splits the case summary's list of diagnoses into DIAGNOSIS spans.

Requires the field ruler's DIAGNOSIS_CUE spans ("The diagnoses include"). Assigns, in
`doc.spans["imr_fields"]`, a DIAGNOSIS_LIST span over each listed region; in
`doc.spans["imr_diagnoses"]` a DIAGNOSIS_ITEM span over each listed diagnosis as the letter lists
it (the record's diagnoses: "status post rib fracture", "lumbar strain, subsequent encounter");
and in `doc.spans["imr"]` one DIAGNOSIS span (id `diagnosis.list`) per item that names a
condition, with the bounds the annotation guide gives a condition: without the item's history cue
("status post"), severity ("mild", "persistent"), ICD encounter suffix, or a trailing date or
service (the DIAGNOSIS_OUTSIDE phrases of `patterns/diagnosis_outside.jsonl`, matched inside the
lists; DATE, PROCEDURE and MEDICATION spans). Shorter ruler DIAGNOSIS spans inside a listed
diagnosis are dropped; a trained model's are kept.

The DIAGNOSIS_OUTSIDE phrases are the component's rules, given to `initialize(rules=...)` by the
pipeline builder and saved in the component's folder by `to_disk` (as the span rulers' patterns
are), so a saved or trained pipeline carries the rules it was made with.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .. import labels as L
from ..spanutil import model_span_keys
from ._rules import RuleList, RuleStore
from .context import opening_regex

_LIST_NUMBER = re.compile(r"^(?:\(?\d{1,2}[.)]|[a-z][.)]|[-*\u2022])$")
_SIDE_ONLY = re.compile(r"^(?:left|right|bilateral|bilaterally|l|r)$", re.I)
_MAX_TOKENS = 120
#: the name of the component's one list of rules, the DIAGNOSIS_OUTSIDE phrases of
#: `patterns/diagnosis_outside.jsonl` (severity, the ICD encounter suffix, lead-ins): given to
#: `initialize(rules=...)` and saved with the pipeline as `<name>.jsonl` in the component's folder
OUTSIDE_RULES = "diagnosis_outside"
#: the DIAGNOSIS_OUTSIDE rule id of lead-ins, left out of the listed diagnosis itself too
LEAD_IN = "diagnosis_outside.lead_in"
#: the id prefix of the DIAGNOSIS_OUTSIDE rules (the others decide the lists' "and"s)
OUTSIDE_IDS = "diagnosis_outside."
_LEADING = re.compile(r"^(?:and|or|the|a|an|of|with|include[sd]?|were|are|was|is|:|,|;)$", re.I)


class DiagnosisLists(RuleList):
    def __init__(self, nlp: Language, name: str = L.PIPE_DIAGNOSIS_LISTS) -> None:
        self.name = name
        self.nlp = nlp
        self._store = RuleStore((OUTSIDE_RULES,))
        # the words a listed diagnosis leaves out, matched only inside the lists: as field spans
        # they were hundreds a letter for every component
        self.outside = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.words = Matcher(nlp.vocab)

    def _rules_loaded(self) -> None:
        """Phrase rules (plain strings) go to a PhraseMatcher, and so do the words of a one-token
        pattern that asks only for a lower-case word in a set (the words that decide a list's
        "and"s: a one-word phrase each, the same matches for less work); other token patterns
        go to a Matcher."""
        self.outside = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.words = Matcher(self.nlp.vocab)  # validated by tests/test_patterns.py
        for rule in self._store.rows[OUTSIDE_RULES]:
            pattern = rule["pattern"]
            if isinstance(pattern, str):
                self.outside.add(rule["id"], [self.nlp.make_doc(pattern)])
            elif (words := _lower_in(pattern)) is not None:
                # a word of letters alone is one token: no need to run the tokenizer on it
                phrases = [
                    Doc(self.nlp.vocab, words=[w]) if w.isalpha() else self.nlp.make_doc(w)
                    for w in words
                ]
                self.outside.add(rule["id"], phrases)
            else:
                self.words.add(rule["id"], [pattern])

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
        items: list[Span] = []
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
            if region is not None:
                regions.append(region)
        if not regions:
            return doc
        # only the spans in reach of the lists are read (a letter has hundreds); the entity
        # spans are made once (each read of a SpanGroup makes every Span again)
        entities = list(doc.spans.get(L.SPANS_KEY, []))
        lo, hi = regions[0].start, regions[-1].end
        near = [s for s in [*entities, *fields] if s.end > lo and s.start < hi]
        # (the PhraseMatcher gives a match's place in the Doc, the Matcher its place in the span)
        found = [m for r in regions for m in self.outside(doc[r.start : r.end])]
        if len(self.words):
            found += [
                (k, r.start + a, r.start + b)
                for r in regions
                for k, a, b in self.words(doc[r.start : r.end])
            ]
        bounds = _Bounds(doc, near, [(doc.vocab.strings[k], a, b) for k, a, b in found])
        uncertain, history = self._cues()
        # tokens that name a condition: any DIAGNOSIS span, or a DIAGNOSIS_HEAD cue ("pain");
        # of a list of sites sharing a condition word, only that word ("back" in "back and left
        # shoulder pain" names none, and joins the piece after it)
        heads = {
            t
            for s in near
            if s.label_ in (L.DIAGNOSIS, L.DIAGNOSIS_HEAD)
            for t in range(s.end - 1 if s.id_ == L.RULE_SITE_LIST else s.start, s.end)
        }
        soft: set[int] = set()  # "and"s inside a listed diagnosis between two conditions
        for region in regions:
            for item in self._split(doc, region, heads, bounds, uncertain, history, soft):
                items.append(item)
                for part in _cut(item, soft):
                    condition = bounds.condition(part, heads, history)
                    if condition is not None:
                        new_dx.append(condition)
        doc.spans[L.FIELDS_KEY] = fields + regions
        doc.spans[L.DIAGNOSES_KEY] = items
        # a listed diagnosis replaces the shorter DIAGNOSIS spans the lexicon found inside it
        by_model = model_span_keys(doc)
        kept = [
            s
            for s in entities
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
            if prev is not None and _is_list_number(doc, prev, start):
                i += 1  # "1." of a numbered list
                continue
            nxt = _next_word(doc, i + 1)
            # a numbered list goes on: "... syndrome. 2. Rule out ..."
            if nxt is not None and (_LIST_NUMBER.match(nxt.text) or nxt.text[:1].isdigit()):
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
        bounds: _Bounds,
        uncertain: re.Pattern[str] | None = None,
        history: re.Pattern[str] | None = None,
        soft: set[int] | None = None,
    ) -> list[Span]:
        """The listed diagnoses (DIAGNOSIS_ITEM spans): split at commas, semicolons, list numbers
        and an "and" between two conditions (`_split_at_and`); then re-join a piece that names no
        condition ("fascia", "initial encounter", "wrist") to its neighbour. A region none of whose
        pieces names a condition or a history but that names drugs or services ("Norflex, Pepcid,
        and naproxen") lists none."""
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
            if tok.text == "." and k + 1 < len(toks):
                is_sep = True
            if is_sep:
                pieces.append((start, i))
                start = i + 1
        pieces.append((start, region.end))
        ands = [t.i for t in toks if t.lower_ == "and"]
        if ands:
            split = partial(
                _split_at_and,
                doc,
                region_end=region.end,
                ands=ands,
                soft=set() if soft is None else soft,
                heads=heads,
                bounds=bounds,
                uncertain=uncertain,
                history=history,
            )
            pieces = [part for s, e in pieces for part in split(s, e)]
        spans: list[Span] = []
        cleaned: list[tuple[int, int]] = []
        for s, e in pieces:
            while s < e and (
                doc[s].is_space
                or doc[s].is_punct
                or _LEADING.match(doc[s].text)
                or s in bounds.lead_in
            ):
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
        names_condition = any(
            any(i in heads for i in range(s, e))
            or (history is not None and history.match(doc[s:e].text) is not None)
            for s, e in cleaned
        )
        if not names_condition and any(
            i in bounds.other_entity for s, e in cleaned for i in range(s, e)
        ):
            return []  # drugs or services after a cue ("Norflex, Pepcid, and naproxen")
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
            spans.append(Span(doc, s, e, label=L.DIAGNOSIS_ITEM, span_id="diagnosis.list"))
        return spans


def _split_at_and(
    doc: Doc,
    start: int,
    end: int,
    region_end: int,
    ands: list[int],
    soft: set[int],
    *,
    heads: set[int],
    bounds: _Bounds,
    uncertain: re.Pattern[str] | None,
    history: re.Pattern[str] | None,
) -> list[tuple[int, int]]:
    """A piece of a list (between commas, semicolons or list numbers) cut at the "and"s that join
    two listed diagnoses (`ands`: where the region has an "and"); `soft` gets the "and"s inside
    one listed diagnosis that join two conditions, each a DIAGNOSIS span of its own ("possible
    rotator cuff tear and impingement syndrome", "wrist tendinitis and bursitis").

    The list's last "and" ("A, B and C": no comma or semicolon after it in its sentence) cuts, as
    before any piece with no condition word re-joins its neighbour; an "and" before more of the
    list cuts only between two conditions, the second naming its own site ("thoracic sprain and
    lumbar strain, ..."; not "right shoulder pain and injury, ..."). An "and" inside one
    diagnosis does not cut: where the words before it (back to the last cut) open with an
    uncertainty cue, whose scope takes the coordination ("possible rotator cuff tear and
    impingement syndrome", "rule out cervical and lumbar disc herniation"), or hold a complement
    ("disc protrusion with lateral recess and foraminal stenosis", "response affecting digestion
    and headaches"), unless they name a condition and the words after it open with a site of
    their own ("... and left thumb fracture"); and where a bare condition word after it shares
    the site before it ("wrist tendinitis and bursitis")."""

    def names(a: int, b: int) -> bool:
        return any(i in heads for i in range(a, b)) or (
            history is not None and history.match(doc[a:b].text) is not None
        )

    parts = []
    left = start
    for i in ands:
        if not start <= i < end:
            continue
        a = left
        while a < i and (doc[a].is_space or doc[a].is_punct or _LEADING.match(doc[a].text)):
            a += 1
        right = [t.i for t in doc[i + 1 : end] if not (t.is_space or t.is_punct)]
        if not right:
            continue
        new_site = names(a, i) and right[0] in bounds.site
        last = not any(t.text in {",", ";"} for t in _to_sentence_end(doc, i + 1, region_end))
        if not last and not (new_site and names(i + 1, end)):
            continue
        uncertain_scope = uncertain is not None and uncertain.match(doc[a:i].text) is not None
        complement = any(j in bounds.complement for j in range(a + 1, i))
        if (uncertain_scope or complement) and not new_site:
            if uncertain_scope and not complement and names(a, i) and names(i + 1, end):
                soft.add(i)  # one listed diagnosis, two conditions
            continue
        shares_site = any(j in bounds.site for j in range(a, i))
        if len(right) == 1 and right[0] in bounds.shared_condition and shares_site:
            soft.add(i)
            continue
        parts.append((left, i))
        left = i + 1
    parts.append((left, end))
    return parts


def _lower_in(pattern: list[dict[str, Any]]) -> list[str] | None:
    """The words of a one-token pattern `[{"LOWER": {"IN": [...]}}]`, else None."""
    if len(pattern) != 1 or set(pattern[0]) != {"LOWER"}:
        return None
    value = pattern[0]["LOWER"]
    if not isinstance(value, dict) or set(value) != {"IN"}:
        return None
    return [str(w) for w in value["IN"]]


def _cut(item: Span, at: set[int]) -> list[Span]:
    """`item` cut at the tokens of `at` inside it (each left out)."""
    parts, start = [], item.start
    for i in range(item.start, item.end):
        if i in at:
            parts.append(item.doc[start:i])
            start = i + 1
    parts.append(item.doc[start : item.end])
    return [p for p in parts if len(p)]


def _to_sentence_end(doc: Doc, start: int, end: int) -> Span:
    """doc[start:end] up to its first full stop."""
    for i in range(start, end):
        if doc[i].text == ".":
            return doc[start:i]
    return doc[start:end]


class _Bounds:
    """Which tokens stay outside a listed diagnosis (lead-ins such as "documented") and which
    outside the condition it names (DIAGNOSIS_OUTSIDE: severity, the ICD encounter suffix; and
    a trailing date), and the words that decide a list's "and"s (DIAGNOSIS_LIST_WORD: a
    complement, a site, a bare condition word), from the matches of the component's rules in the
    lists and the field ruler's and the entity ruler's spans."""

    def __init__(self, doc: Doc, spans: list[Span], outside: list[tuple[str, int, int]]) -> None:
        """`spans`: the entity and field spans in reach of the lists; `outside`: the matches of
        the component's rules in the lists, as (rule id, start, end)."""
        self.doc = doc
        by_rule: dict[str, set[int]] = {}
        for rule, a, b in outside:
            by_rule.setdefault(rule, set()).update(range(a, b))
        self.lead_in = by_rule.get(LEAD_IN, set())
        self.outside = set().union(
            *(t for r, t in by_rule.items() if r.startswith(OUTSIDE_IDS) and r != LEAD_IN)
        )
        self.complement = by_rule.get(L.RULE_LIST_COMPLEMENT, set())
        self.site = by_rule.get(L.RULE_LIST_SITE, set())
        self.shared_condition = by_rule.get(L.RULE_LIST_SHARED, set())
        self.dates = {t for s in spans if s.label_ == L.DATE for t in range(s.start, s.end)}
        self.other_entity = {
            t
            for s in spans
            if s.label_ in (L.MEDICATION, L.PROCEDURE)
            for t in range(s.start, s.end)
        }

    def condition(
        self, item: Span, heads: set[int], history: re.Pattern[str] | None
    ) -> Span | None:
        """The DIAGNOSIS span of a listed diagnosis: the item without its history cue, severity,
        encounter suffix and a trailing date or service; None where what is left names no condition
        ("status post cubital tunnel release")."""
        doc, s, e = self.doc, item.start, item.end
        cue = history.match(item.text) if history is not None else None
        if cue:
            after = item.start_char + cue.end()
            while s < e and doc[s].idx < after:
                s += 1
        while s < e and (doc[s].is_space or s in self.outside or s in self.lead_in):
            s += 1
        trailing = False
        while e > s:
            t = doc[e - 1]
            if t.is_space or t.text in {".", ",", ";", ":", "-"} or e - 1 in self.outside:
                e -= 1
            elif e - 1 in self.dates or e - 1 in self.other_entity or (trailing and t.is_stop):
                # "myocardial infarct June 2016", "... fracture of the finger and repair on ..."
                trailing = True
                e -= 1
            else:
                break
        if e <= s or not any(i in heads for i in range(s, e)):
            return None
        return Span(doc, s, e, label=L.DIAGNOSIS, span_id="diagnosis.list")


def _is_list_number(doc: Doc, tok: Any, floor: int) -> bool:
    """The "1" of "1." in a numbered list: a one- or two-digit number that opens a line or the list
    or follows a separator; not a sentence's last number ("... on June 2016. She ...")."""
    if not (tok.text.isdigit() and len(tok.text) <= 2):
        return False
    before = _prev_word(doc, tok.i - 1, floor)
    return _opens_line(doc, tok.i, floor) or before is None or before.text in {",", ";", "."}


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
