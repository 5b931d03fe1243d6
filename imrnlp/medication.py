"""A drug request ("Norco 10/325mg #120", "Flurbiprofen 20%/Lidocaine 5% cream 180gm") read into a
`Medication`: name, ingredients, strengths paired with ingredients, form, route, amount, and the
opioid, compounded and class flags.

The drug names are the pipeline's MEDICATION spans inside the request (rules or a trained model),
resolved through the drug vocabulary (`drugs.py`); quantities are its QUANTITY field spans. What is
left is normalization of the request's own words, like a date's ISO value: strength expressions,
package amounts, dose forms and routes, read with the word lists of `patterns/drugs/dose.json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Span

from .drugs import Drug, Vocabulary, vocabulary
from .record import Medication
from .spanutil import evidence_of, squash

_NUM = r"(?:\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)"
#: Where a drug's name ends at the latest: punctuation, 'for', a number, a quantity.
_NAME_STOPS = (
    re.compile(r",|;|\bfor\b|\(\s*\d|#|\b(?:qty|quantity)\b", re.I),
    re.compile(r"(?<![\w.])\d"),
)


_Words = tuple[re.Pattern[str], dict[str, str]]


@dataclass(frozen=True)
class _Grammar:
    strength: re.Pattern[str]  # one strength expression: 10/325mg, 4%-27.5%, 10mg/1ml
    part_unit: re.Pattern[str]  # one part of it: number and unit
    amount: re.Pattern[str]  # a package amount: 120 gm, 500ml
    forms: _Words  # any dose-form word, and each variant's canonical form
    routes: _Words
    compound: re.Pattern[str]
    stop_words: frozenset[str]
    amount_units: dict[str, str]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _grammar() -> _Grammar:
    dose = vocabulary().dose
    amount_units = {v: k for k, vs in dose["amount_units"].items() for v in vs}
    s_unit = _alternation(dose["strength_units"])
    a_unit = _alternation(list(amount_units))
    part = rf"{_NUM}\s*(?:(?:{s_unit})(?![a-z])|(?:{a_unit})\b)?"
    strength = rf"(?<![\w#.]){part}(?:\s*[/-]\s*{part})*"

    def words(mapping: dict[str, list[str]]) -> _Words:
        """One regex for every variant (longest first, so the longest wins where several start
        together) and the canonical value of each variant."""
        canonical = {v.lower(): k for k, vs in mapping.items() for v in vs}
        regex = re.compile(rf"(?<![\w-])(?:{_alternation(list(canonical))})(?![\w-])", re.I)
        return regex, canonical

    return _Grammar(
        strength=re.compile(strength, re.I),
        part_unit=re.compile(rf"({_NUM})\s*((?:{s_unit})(?![a-z])|(?:{a_unit})\b)?", re.I),
        amount=re.compile(rf"(?<![\w#./-])({_NUM})\s*({a_unit})\b(?!\s*/)", re.I),
        forms=words(dose["forms"]),
        routes=words(dose["routes"]),
        compound=re.compile(rf"\b(?:{_alternation(dose['compound_words'])})\b", re.I),
        stop_words=frozenset(dose["name_stop_words"]),
        amount_units=amount_units,
    )


def _strength_units(g: _Grammar, text: str) -> list[str]:
    return [m.group(2) or "" for m in g.part_unit.finditer(text)]


def _is_strength(g: _Grammar, text: str, right_after_name: bool) -> bool:
    units = [u.lower() for u in _strength_units(g, text)]
    if any(u and u not in g.amount_units for u in units):
        return True
    # "Norco 10/325": numbers joined by '/' or '-' right after the name, no unit, not a date
    parts = re.split(r"\s*[/-]\s*", text)
    return right_after_name and not any(units) and len(parts) == 2


def _split_strength(g: _Grammar, text: str) -> list[str]:
    """'10/325mg' -> ['10mg', '325mg']; '4%-27.5%-0.0325%' -> each; '10mg/1ml' stays whole."""
    parts = [(m.group(1), (m.group(2) or "").lower()) for m in g.part_unit.finditer(text)]
    if len(parts) == 2 and parts[1][1] in g.amount_units:  # a concentration, 10mg/1ml
        return [re.sub(r"\s+", "", text)]
    out: list[str] = []
    unit = ""
    for number, u in reversed(parts):  # a unit written once at the end applies to each part
        unit = u or unit
        out.append(f"{number}{unit}")
    return list(reversed(out))


def _first(words: _Words, text: str) -> tuple[int, str] | None:
    """(where, canonical value) of the first of `words` in `text`."""
    regex, canonical = words
    m = regex.search(text)
    return (m.start(), canonical[m.group().lower()]) if m else None


def _resolve(vocab: Vocabulary, g: _Grammar, text: str) -> Drug | None:
    """A MEDICATION span's text to the vocabulary's drug; a trailing form word is not the name."""
    drug = vocab.lookup(text)
    if drug is None:
        hit = _first(g.forms, text)
        if hit is not None and hit[0] > 0:
            drug = vocab.lookup(text[: hit[0]])
    return drug


def _resolve_span(vocab: Vocabulary, g: _Grammar, text: str) -> list[Drug | None]:
    """The drugs a MEDICATION span names: its drug; or, for a combination the vocabulary has no
    row for ("Diclofenac/misoprostol" as one span, where a model learned the annotators'
    boundaries), each part's drug when every part is one, as if the parts were spans of their
    own (the rules tag them so); else [None]."""
    drug = _resolve(vocab, g, text)
    if drug is None and "/" in text:
        parts = [_resolve(vocab, g, part) for part in text.split("/") if part.strip()]
        if len(parts) > 1 and all(p is not None for p in parts):
            return list(parts)
    return [drug]


def parse_medication(
    text: str, request: Span, meds: list[Span], quantities: list[Span]
) -> Medication | None:
    """The medication a request names. `text` is the Doc's text, `meds` the request's outermost
    MEDICATION spans and `quantities` its QUANTITY field spans, in text order."""
    g = _grammar()
    vocab = vocabulary()
    lo, hi = request.start_char, request.end_char
    req = text[lo:hi]
    strengths = [m for m in g.strength.finditer(req)]
    # where the name starts: the first drug span, else the words before the first strength
    if meds:
        anchor = meds[0]
        name_start = anchor.start_char - lo
    else:
        anchor = None
        first_cue = min(
            [m.start() for m in strengths if _is_strength(g, m.group(), False)]
            + [q.start_char - lo for q in quantities]
            + [m.start() for m in g.amount.finditer(req)],
            default=None,
        )
        if first_cue is None:
            return None
        unknown_start = _unknown_name_start(g, req, first_cue)
        if unknown_start is None:
            return None
        name_start = unknown_start
    name_end = _name_end(g, req, name_start, meds, lo)
    name = req[name_start:name_end].strip(" ,;:-/(")
    if not name:
        return None
    # strengths after the name; a bare '10/325' only right after it
    found: list[tuple[int, str]] = []
    for m in strengths:
        if m.start() < name_start:
            continue
        right_after = req[name_end : m.start()].strip() == ""
        if _is_strength(g, m.group(), right_after) and not g.amount.fullmatch(m.group().strip()):
            found.append((m.start(), m.group().strip()))
    # the drugs, resolved through the vocabulary
    drugs: list[tuple[int, Drug | None]] = [
        (s.start_char - lo, drug)
        for s in meds
        for drug in _resolve_span(vocab, g, text[s.start_char : s.end_char])
    ]
    ingredients: list[str] = []
    sources: list[str] = []
    for _, drug in drugs:
        for ing in drug.ingredients if drug else ():
            if ing not in ingredients:
                ingredients.append(ing)
        if drug and drug.source not in sources:
            sources.append(drug.source)
    known = bool(drugs) and all(d is not None for _, d in drugs)
    per_ingredient = _pair_strengths(g, ingredients, found)
    # form and route: written in the request, else implied
    tail = req[name_start:]
    form_hit = _first(g.forms, tail)
    form = form_hit[1] if form_hit else None
    if form is None and len(drugs) == 1 and drugs[0][1] is not None:
        implied = drugs[0][1].form
        form = implied if implied in vocab.dose["forms_implied_by_product"] else None
    route_hit = _first(g.routes, tail)
    route = route_hit[1] if route_hit else vocab.dose["form_routes"].get(form or "")
    if route is None and form is None and any("%" in s for _, s in found):
        route = "topical"  # a concentration in percent is a topical's
    in_name = [
        q
        for q in quantities
        if q.start_char - lo < name_end
        or any(m.start_char <= q.start_char < m.end_char for m in meds)
    ]  # 'Tylenol #3'
    quantity, q_value, q_unit = _quantity(g, req, lo, [q for q in quantities if q not in in_name])
    resolved = [d for _, d in drugs if d is not None]
    opioid = any("opioid" in vocab.ingredient_classes.get(i, ()) for i in ingredients)
    compounded = _compounded(g, vocab, req, resolved, ingredients, found, route)
    classes = _classes(vocab, resolved, ingredients, route, compounded)
    return Medication(
        name=squash(name),
        ingredients=ingredients,
        strength=re.sub(r"\s+", "", found[0][1]) if found else None,
        strengths=per_ingredient,
        form=form,
        route=route,
        quantity=quantity,
        quantity_value=q_value,
        quantity_unit=q_unit,
        opioid=opioid,
        compounded=compounded,
        drug_classes=classes,
        known=known,
        vocabulary_source=sources,
        evidence=evidence_of(anchor) if anchor is not None else None,
    )


def _unknown_name_start(g: _Grammar, req: str, cue: int) -> int | None:
    """Start of the (at most three) words before the first strength or amount: 'Fanatrex'."""
    words = list(re.finditer(r"[A-Za-z][\w'-]*", req[:cue]))
    start = None
    for m in reversed(words[-3:]):
        if m.group().lower() in g.stop_words or req[m.end() : cue].count(",") > 0:
            break
        start = m.start()
    return start


def _name_end(g: _Grammar, req: str, start: int, meds: list[Span], lo: int) -> int:
    """The name runs to the first strength, amount, quantity, form or route word, comma, '(' with
    a number, or 'for' after its start, never ending inside the first drug span's name."""
    tail = req[start:]
    stops = [len(tail)]
    # a number or '#' inside the tagged name belongs to it ('Tylenol #3')
    floor = max(0, meds[0].end_char - lo - start) if meds else 0
    for regex in _NAME_STOPS:
        m = regex.search(tail, floor)
        if m:
            stops.append(m.start())
    for patterns in (g.forms, g.routes):
        hit = _first(patterns, tail)
        if hit is not None and hit[0] > 0:
            stops.append(hit[0])
    return start + min(stops)


def _pair_strengths(g: _Grammar, ingredients: list[str], found: list[tuple[int, str]]) -> list[str]:
    """The strengths written, split per ingredient ('10/325mg' -> '10mg', '325mg'), in the order
    written; never more than the drug has ingredients."""
    parts = [p for _, s in found for p in _split_strength(g, s)]
    return parts[: len(ingredients)] if ingredients else parts


def _quantity(
    g: _Grammar, req: str, lo: int, quantities: list[Span]
) -> tuple[int | None, float | None, str | None]:
    """'#60' -> (60, 60, 'count'); '120 gm' -> (None, 120, 'g'); '#60 grams' -> (60, 60, 'g')."""
    for q in quantities:
        digits = re.search(r"\d+", q.text)
        if not digits:
            continue
        n = int(digits.group())
        after = req[q.end_char - lo :]
        unit = re.match(r"\s*([a-z]+)", after, re.I)
        u = g.amount_units.get(unit.group(1).lower()) if unit else None
        return n, float(n), u or "count"
    m = g.amount.search(req)
    if m:
        return None, float(m.group(1).replace(",", "")), g.amount_units[m.group(2).lower()]
    return None, None, None


def _compounded(
    g: _Grammar,
    vocab: Vocabulary,
    req: str,
    drugs: list[Drug],
    ingredients: list[str],
    strengths: list[tuple[int, str]],
    route: str | None,
) -> bool:
    """Called a compound; a known compounded kit; or a mixture of separately named drugs (or of
    several percentages in a topical) that is no commercial fixed combination."""
    if g.compound.search(req) or any(d.compounded for d in drugs):
        return True
    distinct = {frozenset(d.ingredients) for d in drugs}
    if len(distinct) > 1 and frozenset(ingredients) not in vocab.commercial_sets:
        return True
    percents = sum(s.count("%") for _, s in strengths)
    return (
        percents > 1 and route in ("topical", "transdermal") and not any(d.product for d in drugs)
    )


#: Classes whose drugs, put on the skin, are topical analgesics.
_PAIN_CLASSES = frozenset(
    {
        "nsaid",
        "opioid",
        "muscle_relaxant",
        "anticonvulsant",
        "antidepressant",
        "non_opioid_analgesic",
        "topical_analgesic",
    }
)


def _classes(
    vocab: Vocabulary,
    drugs: list[Drug],
    ingredients: list[str],
    route: str | None,
    compounded: bool = False,
) -> list[str]:
    out: list[str] = []
    for n, ing in enumerate(ingredients):
        for c in vocab.ingredient_classes.get(ing, ()):
            if c not in out:
                out.append(c)
        if n == 0 and "topical_analgesic" not in out:
            # on the skin for pain: a pain drug or a compound in a topical, or a patch that is
            # no systemic opioid (Butrans); not a hormone gel or a nausea patch
            on_skin = route == "topical" or (route == "transdermal" and "opioid" not in out)
            for_pain = compounded or any(
                set(vocab.ingredient_classes.get(i, ())) & _PAIN_CLASSES for i in ingredients
            )
            if on_skin and for_pain:
                out.append("topical_analgesic")
    for d in drugs:
        for c in d.classes:
            if c not in out:
                out.append(c)
    return out


def is_drug_request(text: str, request: Span, quantities: list[Span]) -> bool:
    """A request that reads like a drug although no name was tagged: a strength, a package
    amount, or a dose form word."""
    g = _grammar()
    req = text[request.start_char : request.end_char]
    if any(_is_strength(g, m.group(), False) for m in g.strength.finditer(req)):
        return True
    if g.amount.search(req):
        return True
    hit = _first(g.forms, req)
    return hit is not None and hit[1] in vocabulary().dose["drug_cue_forms"]
