"""An item's service category, and the cue that decided it.

In order (rules in `patterns/categories.json`): the request's own PROCEDURE spans (their rule id
names the category) and MEDICATION spans; drug cues in the request (a strength, an amount, a drug
dose form, a '#' quantity with nothing else named); a perioperative modifier ("Pre-op") with
nothing else named; the topics of the guidelines the reviewer and
the claims administrator cite (ODG "Durable medical equipment", MTUS "Section(s): Opioids"); the
procedures named in the rationale's conclusion sentence. `other` only when none of these tells.
A course of sessions of a service whose rule names another kind when given once ("Ultrasound 1
times 8") is the treatment (`as_course`).

With a trained category model in the pipeline (`imr_item_category`), `combine` decides between the
rules and the model: the model's category when the rules found no cue, or when the model gives a
different category a probability above its threshold.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from spacy.tokens import Span

from .record import Evidence, Guideline
from .resources import patterns_dir
from .spanutil import evidence_of

RULE_PREFIX = "category."
#: The rule id of `category_evidence` when the category model decided (the evidence is the item).
MODEL_RULE = RULE_PREFIX + "model"


@cache
def rules() -> dict[str, Any]:
    data = json.loads((patterns_dir() / "categories.json").read_text(encoding="utf8"))
    courses = data["courses"]
    courses["_pattern"] = re.compile(courses["pattern"], re.I)
    for rule in courses["ids"].values():
        rule["_with"] = re.compile(rule["with"], re.I) if rule.get("with") else None
    data["_topics"] = [
        (cat, re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])", re.I))
        for cat, words in data["guideline_topics"]
    ]
    return data


def procedure_category(span: Span) -> str | None:
    """'procedure.imaging.mri' -> 'imaging'."""
    parts = span.id_.split(".")
    return parts[1] if len(parts) >= 3 and parts[0] == "procedure" else None


def from_request(
    meds: list[Span],
    procs: list[Span],
    drug_cue: Span | None,
    perioperative: list[Span] | None = None,
) -> tuple[str, Span, str] | None:
    """(category, deciding span, rule) from the request's own words, or None. A perioperative
    modifier ("Pre-op", a PERIOPERATIVE field span) decides only when nothing else does."""
    r = rules()
    for s in procs:  # a facility decides before the therapies given in it
        if s.id_ in r["facility_ids"]:
            return str(procedure_category(s)), s, f"request.{s.id_}"
    cats = [(procedure_category(s), s) for s in procs]
    cats = [(c, s) for c, s in cats if c]
    if meds and not any(c in r["medication_yields_to"] for c, _ in cats):
        return "medication", meds[0], "request.medication"
    for cat in r["priority"]:
        for c, s in cats:
            if c == cat:
                return cat, s, f"request.{s.id_}"
    if drug_cue is not None:
        return "medication", drug_cue, "request.drug_cue"
    if perioperative:
        s = perioperative[0]
        return str(r["perioperative_category"]), s, f"request.{s.id_}"
    return None


def as_course(found: tuple[str, Span, str], request: str) -> tuple[str, Span, str]:
    """The request's category (`from_request`) where the request asks for a course of sessions
    ("twice a week for 3 weeks", "1 times 8") of a service whose rule names another kind when
    given once (`courses` in the rules): "Ultrasound 1 times 8" is a therapeutic modality, not
    an image; "Referral to chiropractor ..., twice a week for 3 weeks" is chiropractic care."""
    courses = rules()["courses"]
    rule = courses["ids"].get(found[1].id_)
    if rule is None or not courses["_pattern"].search(request):
        return found
    if rule["_with"] is not None and not rule["_with"].search(request):
        return found
    return str(rule["category"]), found[1], f"{found[2]}.course"


def from_guidelines(guidelines: list[Guideline | None]) -> tuple[str, Evidence, str] | None:
    """(category, evidence, rule) from the topics the cited guidelines name: sections first (the
    reviewer's, then the administrator's), then the whole citation text."""
    citations = [c for g in guidelines if g is not None for c in g.citations]
    for use_text in (False, True):
        for c in citations:
            text = c.text if use_text else " ; ".join([*c.sections, c.part or ""])
            for cat, regex in rules()["_topics"]:
                m = regex.search(text)
                if m and c.evidence is not None:
                    where = "text" if use_text else "section"
                    return cat, c.evidence, f"guideline.{where}.{m.group().lower()}"
    return None


def from_rationale(procs: list[Span]) -> tuple[str, Span, str] | None:
    """(category, span, rule) from the procedures named in the rationale's conclusion."""
    for s in procs:
        cat = procedure_category(s)
        if cat and cat != "other":
            return cat, s, f"rationale.{s.id_}"
    return None


def evidence(span: Span, rule: str) -> Evidence:
    return evidence_of(span, rule_id=RULE_PREFIX + rule)


def combine(
    rules_category: str, rules_decided: bool, prediction: dict[str, Any] | None
) -> tuple[str, str, float | None]:
    """(category, source, probability) of an item from the rules' category and the model's
    prediction (`span._.imr_category_model` of the item, None without a model).

    The model decides when the rules found no cue (`rules_decided` False: the default category),
    or when its most probable category differs from the rules' with a probability above the
    prediction's threshold; otherwise the rules' category stands (source "rules", no probability).
    """
    if not prediction or not prediction.get("scores"):
        return rules_category, "rules", None
    scores: dict[str, float] = prediction["scores"]
    best = max(scores, key=lambda cat: scores[cat])
    p = float(scores[best])
    if not rules_decided or (best != rules_category and p > float(prediction["threshold"])):
        return best, "model", p
    return rules_category, "rules", None
