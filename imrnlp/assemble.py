"""Turns a processed Doc into a `CaseRecord`: the one place where spans become record fields."""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import category
from . import labels as L
from .citations import parse_guideline
from .components.items import ItemParts, item_parts
from .medication import is_drug_request, parse_medication
from .record import (
    Abbreviation,
    CaseRecord,
    DateMention,
    Diagnosis,
    Entity,
    Evidence,
    Item,
    Medication,
    Patient,
    Reviewer,
)
from .spanutil import (
    SpanIndex,
    doc_text,
    evidence_of,
    in_brackets,
    model_span_keys,
    sentence_of,
    span_text,
    squash,
    within,
)
from .version import __version__

_NECESSARY = {L.RULE_NECESSARY: True, L.RULE_NOT_NECESSARY: False}


def doc_to_record(
    doc: Doc, *, source: str | None = None, warnings: list[str] | None = None
) -> CaseRecord:
    """Assemble the record of one processed letter."""
    notes: list[str] = list(warnings or [])
    entities = SpanIndex(doc.spans.get(L.SPANS_KEY, []))
    fields = SpanIndex(doc.spans.get(L.FIELDS_KEY, []))
    record: dict[str, Any] = {
        "imrnlp_version": __version__,
        "source": source,
        "layout": doc._.get(L.EXT_LAYOUT) or "unknown",
    }
    record.update(_header(doc, entities, notes))
    text = doc_text(doc)  # built once per Doc
    record["reviewer"] = _reviewer(doc, text)
    record["patient"] = _patient(doc, fields)
    record["diagnoses"] = _diagnoses(doc, fields, entities)
    record["items"] = [_item(doc, text, part, entities, fields, notes) for part in item_parts(doc)]
    # a span's text cut from the letter's text: Span.text walks the span's tokens
    record["dates"] = [
        DateMention(
            text=text[s.start_char : s.end_char],
            value=s._.get(L.EXT_NORM),
            role=s._.get(L.EXT_ROLE) or "other",
            evidence=evidence_of(s, text=text),
        )
        for s in sorted((s for s in entities if s.label_ == L.DATE), key=lambda s: s.start)
    ]
    record["abbreviations"] = [
        Abbreviation(
            short=doc[a:b].text, long=squash(doc[c:d].text), evidence=evidence_of(doc[c:d])
        )
        for a, b, c, d in doc._.get(L.EXT_ABBREVIATIONS) or []
    ]
    by_model = model_span_keys(doc)
    # one entity per labelled stretch of text: where two rules found the same span ("lumbar
    # radiculopathy" by the lexicon and by the site + head pattern, and again as a listed
    # diagnosis), the first rule's span stands for it
    unique = {(s.start, s.end, s.label_): s for s in reversed(list(entities))}
    record["entities"] = [
        Entity(
            label=s.label_,
            text=text[s.start_char : s.end_char],
            start=s.start_char,
            end=s.end_char,
            rule_id=s.id_ or None,
            source="model" if key in by_model else "rules",
        )
        for key, s in sorted(unique.items(), key=lambda kv: kv[0])
    ]
    if not text.strip():
        notes.append("empty text: nothing to extract")
    elif not record["items"]:
        notes.append(
            "no disputed item found (no 'Upheld'/'Overturned' heading): is this an IMR letter?"
        )
    if text.strip() and record["layout"] == "unknown":
        notes.append("letter layout not recognised: no known IMR section headings")
    record["warnings"] = notes
    return CaseRecord(**record)


# --- header ------------------------------------------------------------------------------------


def _header(doc: Doc, entities: list[Span], notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"field_evidence": {}}
    for span in doc.spans.get(L.HEADER_KEY, []):
        field = span.label_
        out["field_evidence"][field] = evidence_of(span)
        if field == "case_number":
            out[field] = span.text
        elif field == "priority":
            out[field] = span.text.title()
        else:
            out[field] = _date_value(span, entities)
            if out[field] is None:
                notes.append(f"header {field} '{span.text}' is not a valid date")
    # dates the header does not give, from their role in the text ("date of injury of 07/17/2013")
    for field, role in L.HEADER_DATE_ROLES.items():
        if out.get(field):
            continue
        for s in sorted(entities, key=lambda s: s.start):
            value = s._.get(L.EXT_NORM)
            if s.label_ == L.DATE and s._.get(L.EXT_ROLE) == role and value and len(value) == 10:
                out[field] = value
                out["field_evidence"][field] = evidence_of(s)
                break
    if out.get("case_number") is None:
        m = next((s for s in doc.spans.get(L.FIELDS_KEY, []) if s.label_ == L.CASE_NUMBER), None)
        if m is not None:
            out["case_number"] = m.text
            out["field_evidence"]["case_number"] = evidence_of(m)
    return out


def _date_value(span: Span, entities: list[Span]) -> str | None:
    """The ISO value of the DATE entity at `span`, if it is a whole valid date."""
    for s in entities:
        if s.label_ == L.DATE and s.start == span.start and s.end == span.end:
            value = s._.get(L.EXT_NORM)
            return value if value and len(value) == 10 else None
    return None


# --- reviewer and patient ----------------------------------------------------------------------


def _reviewer(doc: Doc, text: str) -> Reviewer:
    """The reviewer's credentials from the `imr_credentials` spans; the evidence runs from the
    first credential label to the end of the specialty (or of the last state)."""
    spans = sorted(doc.spans.get(L.CREDENTIALS_KEY, []), key=lambda s: s.start)
    states = [s for s in spans if s.label_ == L.CREDENTIAL_LICENSURE]
    specialty = next((s for s in spans if s.label_ == L.CREDENTIAL_SPECIALTY), None)
    if not states and specialty is None:
        return Reviewer()
    first = min(s.start_char for s in spans if s.label_ in (L.LICENSURE, L.SPECIALTY))
    last = (specialty or states[-1]).end_char
    return Reviewer(
        licensure=[s.text for s in states],
        specialty=squash(specialty.text) if specialty is not None else None,
        evidence=Evidence(start=first, end=last, text=text[first:last], rule_id="reviewer"),
    )


def _patient(doc: Doc, fields: list[Span]) -> Patient:
    summary = [s for s in doc.spans.get(L.SECTIONS_KEY, []) if s.label_ == L.SECTION_CASE_SUMMARY]
    lo = summary[0].start if summary else 0
    for s in sorted(fields, key=lambda s: s.start):
        if s.label_ != L.PATIENT or s.start < lo:
            continue
        age = re.match(r"\d+", s.text)
        low = s.text.lower()
        sex = "female" if re.search(r"\b(?:female|woman|lady)\b", low) else "male"
        return Patient(age=int(age.group()) if age else None, sex=sex, evidence=evidence_of(s))
    return Patient()


# --- diagnoses ---------------------------------------------------------------------------------


def _diagnoses(doc: Doc, fields: list[Span], entities: list[Span]) -> list[Diagnosis]:
    regions = sorted((s for s in fields if s.label_ == L.DIAGNOSIS_LIST), key=lambda s: s.start)
    summary = [s for s in doc.spans.get(L.SECTIONS_KEY, []) if s.label_ == L.SECTION_CASE_SUMMARY]
    if summary:
        regions = [r for r in regions if summary[0].start <= r.start < summary[0].end]
    if not regions:
        return []
    region = regions[0]
    date = _listing_date(doc, region, entities)
    conditions = filter_spans(within(entities, region.start, region.end, L.DIAGNOSIS))
    items = [
        s
        for s in doc.spans.get(L.DIAGNOSES_KEY, [])
        if region.start <= s.start and s.end <= region.end
    ]
    out = []
    for item in sorted(items, key=lambda s: s.start):
        # the item's assertion is its condition's ("Rule out", "status post"), as ConText read it
        inside = [c for c in conditions if item.start <= c.start and c.end <= item.end]
        assertion = inside[0]._.get(L.EXT_ASSERTION) if inside else None
        out.append(
            Diagnosis(
                text=squash(_unhyphenate(item.text)).rstrip("."),
                assertion=assertion or "present",
                date=date,
                evidence=evidence_of(item),
            )
        )
    return out


def _unhyphenate(text: str) -> str:
    """A word hyphenated across a line break is one word: 'right-\nsided' -> 'right-sided'."""
    return re.sub(r"(?<=\w)-[ \t]*\n\s*(?=\w)", "-", text)


def _listing_date(doc: Doc, region: Span, entities: list[Span]) -> str | None:
    """'The listed diagnoses from 11/07/2014 are: ...' -> '2014-11-07'."""
    lo = max(0, region.start - 12)
    for s in entities:
        in_reach = s.label_ == L.DATE and lo <= s.start and s.end <= region.start
        if in_reach and not any(t.text == "." for t in doc[s.end : region.start]):
            return s._.get(L.EXT_NORM)
    return None


# --- items -------------------------------------------------------------------------------------


def _item(
    doc: Doc,
    text: str,
    part: ItemParts,
    entities: list[Span],
    fields: list[Span],
    notes: list[str],
) -> Item:
    block = part.block
    request = part.request
    rs, re_ = request.start, request.end
    decision = part.decision
    meds = filter_spans(within(entities, rs, re_, L.MEDICATION))
    procs = filter_spans(within(entities, rs, re_, L.PROCEDURE))
    quantities = within(fields, rs, re_, L.QUANTITY)
    levels: list[str] = []
    for s in within(entities, rs, re_, L.ANATOMICAL_LEVEL):
        value = s._.get(L.EXT_NORM)
        if value and value not in levels:
            levels.append(value)
    item: dict[str, Any] = {
        "request": squash(span_text(request)),
        "request_evidence": evidence_of(request, rule_id="request"),
        "decision": decision,
        "decision_evidence": _decision_evidence(part),
        "procedures": _procedures(doc, procs),
        "levels": levels,
        "laterality": _laterality(within(fields, rs, re_, L.LATERALITY)),
        "partial": part.get(L.PART_PARTIAL) is not None,
        "original_request": _text(part.get(L.PART_ORIGINAL_REQUEST)),
        "authorized": _text(part.get(L.PART_AUTHORIZED)),
        "evidence": evidence_of(block, rule_id=f"heading.{decision}"),
    }
    for key in (L.BLOCK_CLAIMS_ADMINISTRATOR, L.BLOCK_REVIEWER):
        line = part.get(key)
        item[key] = parse_guideline(doc, line.start, line.end, entities, fields) if line else None
    rationale = part.get(L.BLOCK_RATIONALE)
    conclusion = _conclusion(doc, rationale, entities) if rationale is not None else None
    conclusion_sentence = sentence_of(conclusion) if conclusion is not None else None
    if rationale is not None:
        item["rationale"] = squash(span_text(rationale))
        if conclusion is not None and conclusion_sentence is not None:
            # never reaching back over the rationale's label
            sent = doc[
                max(conclusion_sentence.start, rationale.start) : min(
                    conclusion_sentence.end, rationale.end
                )
            ]
            item["conclusion"] = squash(span_text(sent))
            item["conclusion_evidence"] = evidence_of(sent, rule_id=conclusion.id_ or None)
            says = _NECESSARY.get(conclusion.id_)
            if says is not None and says != (decision == "overturned"):
                notes.append(
                    f"item '{item['request'][:60]}': decision '{decision}' disagrees with the "
                    f"rationale's conclusion ('{squash(conclusion.text)}')"
                )
    # what was requested: the request's words, then the guidelines cited, then the rationale
    cue = None  # a drug cue decides only when the request names no drug and no procedure
    if not meds and not any(category.procedure_category(s) for s in procs):
        cue = request if is_drug_request(text, request, quantities) else None
        if cue is None and quantities and not procs:
            cue = quantities[0]
    guidelines = [item[L.BLOCK_REVIEWER], item[L.BLOCK_CLAIMS_ADMINISTRATOR]]
    decided: tuple[str, Evidence] | None = None
    perioperative = within(fields, rs, re_, L.PERIOPERATIVE)
    # a procedure in brackets qualifies the request ("[following TPII]") unless nothing is outside
    named = [s for s in procs if not in_brackets(s, rs)] or procs
    if found := category.from_request(meds, named, cue, perioperative):
        found = category.as_course(found, item["request"] or "")
        decided = (found[0], category.evidence(found[1], found[2]))
    elif by_guideline := category.from_guidelines(guidelines):
        cat, ev, rule = by_guideline
        decided = (cat, ev.model_copy(update={"rule_id": category.RULE_PREFIX + rule}))
    elif conclusion_sentence is not None:
        sent = conclusion_sentence
        in_conclusion = filter_spans(within(entities, sent.start, sent.end, L.PROCEDURE))
        if by_rationale := category.from_rationale(in_conclusion):
            decided = (by_rationale[0], category.evidence(by_rationale[1], by_rationale[2]))
    by_rules = decided[0] if decided else category.rules()["default"]
    chosen, source, p = category.combine(
        by_rules, decided is not None, block._.get(L.EXT_CATEGORY_MODEL)
    )
    item["category"] = chosen
    item["category_source"] = source
    if source == "model":
        item["category_evidence"] = evidence_of(block, rule_id=category.MODEL_RULE, text=text)
        item["category_confidence"] = p
    else:
        item["category_evidence"] = decided[1] if decided else None
    if item["category"] == "medication":
        item["medication"] = parse_medication(text, request, meds, quantities) or Medication(
            name=squash(request.text), evidence=evidence_of(request)
        )
    return Item(**item)


def _decision_evidence(part: ItemParts) -> Evidence | None:
    span = part.get(L.PART_DECISION)
    if span is None:
        return None
    return evidence_of(span, rule_id=f"heading.{part.decision}")


def _procedures(doc: Doc, procs: list[Span]) -> list[str]:
    """The procedures a request names, once each: a long form the letter abbreviates ('magnetic
    resonance imaging' beside 'MRI') only as its short form."""
    short_of = {
        squash(doc[c:d].text).lower(): doc[a:b].text
        for a, b, c, d in doc._.get(L.EXT_ABBREVIATIONS) or []
    }
    out: list[str] = []
    for s in procs:
        text = squash(s.text)
        short = short_of.get(text.lower())
        if short is not None and any(o.lower() == short.lower() for o in out):
            continue
        if all(o.lower() != text.lower() for o in out):
            out.append(text)
    return out


def _text(span: Span | None) -> str | None:
    return squash(span.text).rstrip(",") if span is not None else None


def _laterality(spans: list[Span]) -> str | None:
    sides = {s.id_.removeprefix("laterality.") for s in spans}
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    if sides:
        return sides.pop()
    return None


def _conclusion(doc: Doc, rationale: Span, entities: list[Span]) -> Span | None:
    found = [
        s
        for s in within(entities, rationale.start, rationale.end, L.DECISION)
        if s.id_ in _NECESSARY
    ]
    return found[-1] if found else None
