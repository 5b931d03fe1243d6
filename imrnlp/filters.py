"""The rulers' span filter: noise left out, spans joined, the longest span kept within a label.

`RulerFilter` holds its rules (the rows of `patterns/noise.jsonl` and `patterns/joins.jsonl`, word
lists written out), so a ruler can save them with the pipeline (`AnchoredSpanRuler`); the
registered `imrnlp.longest_per_label.v1` (spaCy's `misc` registry and its entry points) is the
filter with the installed package's rules, which a ruler with saved rules replaces by its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.attrs import IS_SPACE, LOWER
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc, Span
from spacy.util import registry

from . import labels as L
from .normalize import canonical_level
from .resources import patterns_dir, read_jsonl, words_of
from .spanutil import squash


def noise_rows() -> list[dict[str, Any]]:
    """The installed package's noise rules: the contexts in which a match is no entity
    (`patterns/noise.jsonl`)."""
    return read_jsonl(patterns_dir() / "noise.jsonl")


def join_rows() -> list[dict[str, Any]]:
    """The installed package's join rules (`patterns/joins.jsonl`), the word lists their
    `prefixes` and `sites` name written out, so the rows stand on their own when saved."""
    rows = read_jsonl(patterns_dir() / "joins.jsonl")
    return [
        {k: words_of(v) if k in ("prefixes", "sites") else v for k, v in row.items()}
        for row in rows
    ]


def _by_label(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_label: dict[str, list[dict[str, Any]]] = {}
    for rule in rows:
        by_label.setdefault(rule["label"], []).append(rule)
    return by_label


#: A span of the first label inside a span of the second is a word of a name, not an entity:
#: "Chronic Pain" in "Chronic Pain Medical Treatment", "Opioid" in "Opioid Treatment".
_INSIDE_IS_NOISE = {
    ("DIAGNOSIS", "GUIDELINE"),
    ("PROCEDURE", "GUIDELINE"),
    ("MEDICATION", "GUIDELINE"),
}
_NOISE_INSIDE_GUIDELINE = frozenset(a for a, b in _INSIDE_IS_NOISE if b == "GUIDELINE")


def _trimmed(span: Span) -> Span:
    """The span without leading or trailing whitespace tokens (a pattern's optional space)."""
    start, end = span.start, span.end
    if end - start == 1:  # a one-token match is never padded
        return span
    doc = span.doc
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    if (start, end) == (span.start, span.end) or start == end:
        return span
    return Span(doc, start, end, label=span.label, span_id=span.id)


#: "Opioid Treatment" is the MTUS part only when a year or one of these follows ("MTUS Opioid
#: Treatment 2016", "the MTUS Opioids Treatment Guidelines"); elsewhere, as in the section titles
#: "Opioids for Chronic Pain and Chronic Opioid Treatment: ...", it is treatment with a drug.
_OPIOID_PART_NEXT = frozenset({"guidelines", "guideline"})
_OPIOID_PART = frozenset({"opioid treatment", "opioids treatment"})


def _next_word(span: Span) -> str:
    doc = span.doc
    i = span.end
    while i < len(doc) and doc[i].is_space:
        i += 1
    return doc[i].lower_ if i < len(doc) else ""


_URL_WRAP_ENDS = ("-", "_")  # where a line wraps inside a word of the address
_URL_PATH_ENDS = ("/", ".")  # where it wraps between parts of a path


def _wrapped_url(span: Span) -> Span:
    """A web address that `pdftotext` broke at a line's end, run on over the next line's first
    word: after a hyphen or underscore ("...Regulations-and-" / "Guidance/..."), or after a slash
    or dot when the next line goes on with a path ("https://www.odg.com/" / "odg/x.htm"); a new
    sentence after an address that ends a line ("...odg.com/" / "The patient") stays out."""
    doc = span.doc
    end = span.end
    if end + 1 >= len(doc) or doc[end - 1].whitespace_:
        return span
    wrap = doc[end].text
    if wrap.count("\n") != 1 or wrap.strip() or doc[end + 1].is_space:
        return span
    stop = end + 2  # the next line's first word: its tokens up to the first whitespace
    while stop < len(doc) and not doc[stop - 1].whitespace_ and not doc[stop].is_space:
        stop += 1
    last = doc[end - 1].text
    path = any("/" in t.text for t in doc[end + 1 : stop])
    if last.endswith(_URL_WRAP_ENDS) or (last.endswith(_URL_PATH_ENDS) and path):
        return Span(doc, span.start, stop, label=span.label, span_id=span.id)
    return span


def _previous_word(span: Span) -> str:
    """The lower-case word before the span, across whitespace (the joins walk the Doc's IS_SPACE
    column instead, `_word_back`)."""
    doc = span.doc
    i = span.start - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    return doc[i].lower_ if i >= 0 else ""


def _line_before(span: Span, reach: int = 16) -> str:
    """The text of the span's line before it, up to `reach` tokens back, lower-cased (read token
    by token: `doc.text` would build the whole letter's text for each span)."""
    doc = span.doc
    i = span.start
    while i > max(0, span.start - reach) and "\n" not in doc[i - 1].text:
        i -= 1
    return doc[i : span.start].text.lower()


@dataclass(frozen=True)
class _NoiseRule:
    """A `patterns/noise.jsonl` rule, its word lists as sets (`first`: the first words of
    `text`, looked at before the span's whole text is read)."""

    id: str | None
    text: frozenset[str] | None
    first: frozenset[str] | None
    next: frozenset[str] | None
    previous: frozenset[str] | None
    on_line_after: tuple[str, ...] | None


def _words(rule: dict[str, Any], key: str) -> frozenset[str] | None:
    return frozenset(rule[key]) if key in rule else None


def _compiled_noise_rules(rows: list[dict[str, Any]]) -> dict[str, list[_NoiseRule]]:
    return {
        label: [
            _NoiseRule(
                id=rule.get("id"),
                text=_words(rule, "text"),
                first=frozenset(t.split()[0] for t in rule["text"]) if "text" in rule else None,
                next=_words(rule, "next"),
                previous=_words(rule, "previous"),
                on_line_after=tuple(rule["on_line_after"]) if "on_line_after" in rule else None,
            )
            for rule in rules
        ]
        for label, rules in _by_label(rows).items()
    }


#: How each condition of a noise rule reads the span's surroundings.
_AROUND: dict[str, Callable[[Span], str]] = {
    "next": _next_word,
    "previous": _previous_word,
    "line": _line_before,
}


def _in_noise_context(span: Span, rules: list[_NoiseRule]) -> bool:
    """Whether the span meets every condition of one of its label's noise rules (each word
    around it read once, and only when a rule asks for it)."""
    rule_id = span.id_
    first = span.doc[span.start].lower_
    text: str | None = None
    read: dict[str, str] = {}

    def around(what: str) -> str:
        if what not in read:
            read[what] = _AROUND[what](span)
        return read[what]

    for rule in rules:
        if rule.id is not None and rule.id != rule_id:
            continue
        if rule.text is not None:
            if rule.first is not None and first not in rule.first:
                continue
            if text is None:
                text = squash(span.text).lower()
            if text not in rule.text:
                continue
        if rule.next is not None and around("next") not in rule.next:
            continue
        if rule.previous is not None and around("previous") not in rule.previous:
            continue
        if rule.on_line_after is not None and not any(
            cue in around("line") for cue in rule.on_line_after
        ):
            continue
        return True
    return False


def _is_noise(span: Span, noise: dict[str, list[_NoiseRule]]) -> bool:
    """A match that is no entity: one in a context `patterns/noise.jsonl` lists (an examination
    named by a condition, "Hawkins impingement maneuver"; "modified work"; a guideline document's
    name, "ODG Physical Therapy Guidelines"; ...), a spine level that cannot exist ("S1-20" in a
    rule number), "Chronic Opioid Treatment" in a section title."""
    label = span.label_
    rules = noise.get(label)
    if rules and _in_noise_context(span, rules):
        return True
    if label == "ANATOMICAL_LEVEL":
        return canonical_level(span.text) is None
    if label == "GUIDELINE" and squash(span.text).lower() in _OPIOID_PART:
        after = _next_word(span)
        return not (after in _OPIOID_PART_NEXT or (len(after) == 4 and after.isdigit()))
    return False


def _join_heads(rows: list[dict[str, Any]]) -> dict[str, tuple[str, frozenset[str]]]:
    """Per label, the rule id and the generic head words after which two spans of the label
    side by side are one (join rules with `heads`). A joined span keeps its head's rule id (the
    rule's own id where the head has none), so what the service is still follows the head."""
    return {
        rule["label"]: (rule["id"], frozenset(h.lower() for h in rule["heads"]))
        for rule in rows
        if "heads" in rule
    }


@dataclass(frozen=True)
class _Affixes:
    """A rule of `patterns/joins.jsonl` with `suffixes` and/or `prefixes`: words right after,
    or phrases right before, a span of `label` that belong to it."""

    label: str
    rule_id: str
    of_ids: frozenset[str] | None  # the rule ids of the spans it extends; None: every span
    rule_id_wins: bool  # the joined span takes the rule's id, else it keeps the span's
    suffixes: frozenset[int]  # word hashes
    # the prefix phrases as word hashes, by the hash of their last word, longest first
    prefixes: dict[int, tuple[tuple[int, ...], ...]]
    not_after: frozenset[int]  # no prefix is taken after these words (hashes): "ODG Neck"


def _phrase_words(phrase: str) -> tuple[str, ...]:
    """A prefix phrase's words as the tokenizer cuts them: "low-level" -> low, -, level."""
    return tuple(re.findall(r"[a-z0-9]+|-", phrase.lower()))


def _affix_rules(rows: list[dict[str, Any]]) -> dict[str, _Affixes]:
    """Per label, its affix rule (join rules with `suffixes` or `prefixes`): "Norco" + "ER",
    "Oxycodone HCL" + "ER", "Lidoderm" + "patch"; "three phase" + "bone scan"."""
    out = {}
    for rule in rows:
        if "suffixes" not in rule and "prefixes" not in rule:
            continue
        phrases = sorted({_phrase_words(p) for p in words_of(rule.get("prefixes", []))}, key=len)
        out[rule["label"]] = _Affixes(
            rule["label"],
            rule["id"],
            frozenset(rule["of_ids"]) if "of_ids" in rule else None,
            rule.get("joined_id") == "rule",
            _hashes(frozenset(w.lower() for w in rule.get("suffixes", []))),
            _by_last_word(reversed(phrases)),
            _hashes(frozenset(w.lower() for w in rule.get("not_after", []))),
        )
    return out


def _by_last_word(phrases: Iterable[tuple[str, ...]]) -> dict[int, tuple[tuple[int, ...], ...]]:
    """Phrases as word hashes, filed by the hash of their last word, in the order given."""
    out: dict[int, list[tuple[int, ...]]] = {}
    for phrase in phrases:
        hashes = tuple(hash_string(w) for w in phrase)
        out.setdefault(hashes[-1], []).append(hashes)
    return {last: tuple(p) for last, p in out.items()}


def _word_back(space: list[int], i: int) -> int:
    """The index of the last token before `i` that is not whitespace (`space`: the Doc's
    IS_SPACE column); -1 if none."""
    i -= 1
    while i >= 0 and space[i]:
        i -= 1
    return i


def _prefix_start(start: int, lower: list[int], space: list[int], rule: _Affixes) -> int:
    """Where the longest prefix phrase of the rule right before `start` begins (whitespace
    between its words and before the span allowed); `start` if none is there."""
    last = _word_back(space, start)
    for phrase in rule.prefixes.get(lower[last], ()) if last >= 0 else ():
        i, first = last, -1
        for word in reversed(phrase):
            if i < 0 or lower[i] != word:
                break
            first, i = i, _word_back(space, i)
        else:
            return first
    return start


def _affixed(
    spans: list[Span], lower: list[int], space: list[int], rules: dict[str, _Affixes]
) -> list[Span]:
    """Each span an affix rule names, with its suffix word after it and its prefix phrase before
    it, across whitespace only (`RulerFilter.affixes`); the span itself stays, and the filter
    then drops it as inside the longer one."""
    out: list[Span] = []
    have = {(s.label, s.start, s.end) for s in spans}  # a rule's own span of that stretch stands
    for s in spans:
        rule = rules.get(s.label_)
        if rule is None or (rule.of_ids is not None and s.id_ not in rule.of_ids):
            continue
        end = s.end
        if rule.suffixes:
            i = end
            while i < len(space) and space[i]:  # a line break between ("lidocaine" / "patch")
                i += 1
            if i < len(space) and lower[i] in rule.suffixes:
                end = i + 1
        begin = s.start
        for _ in range(4):  # a run of prefixes: "left neural foraminal" + "narrowing"
            before = _prefix_start(begin, lower, space, rule)
            if before == begin:
                break
            begin = before
        if begin < s.start and rule.not_after:
            i = _word_back(space, begin)
            if i >= 0 and lower[i] in rule.not_after:
                begin = s.start  # the words belong to the name before them: "ODG Neck"
        if (s.label, begin, end) not in have:
            have.add((s.label, begin, end))
            span_id = rule.rule_id if rule.rule_id_wins else s.id_
            out.append(Span(s.doc, begin, end, label=s.label, span_id=span_id))
    return out


@dataclass(frozen=True)
class _SiteList:
    label: str
    rule_id: str
    sites: frozenset[str]
    joiners: frozenset[str]
    last_joiners: frozenset[str]
    not_after: frozenset[str]
    of_words: frozenset[str]


def _site_list_rules(rows: list[dict[str, Any]]) -> list[_SiteList]:
    """The join rules that take a list of sites into the span after it ("neck, mid back and low
    back pain"); their `sites` name word lists of `patterns/words.jsonl`, the one place the site
    words are written."""
    return [
        _SiteList(
            rule["label"],
            rule["id"],
            frozenset(words_of(rule["sites"])),
            frozenset(rule["joiners"]),
            frozenset(rule.get("last_joiners", rule["joiners"])),
            frozenset(rule.get("not_after", [])),
            frozenset(rule.get("of_words", [])),
        )
        for rule in rows
        if "sites" in rule
    ]


@cache
def _hashes(words: frozenset[str]) -> frozenset[int]:
    """The string-store hashes of `words`, as `Doc.to_array(LOWER)` gives a token's."""
    return frozenset(hash_string(w) for w in words)


def _site_lists(
    spans: list[Span], lower: list[int], space: list[int], rules: list[_SiteList]
) -> list[Span]:
    """Each span that opens with a site word, with the list of sites joined to it before it
    ("neck, mid back and" before "low back pain"), as one span; only where a joiner stands
    right before the span and no other span of the label lies in the list. `lower`, `space`:
    the Doc's LOWER and IS_SPACE columns (read once by `RulerFilter.__call__`)."""
    out: list[Span] = []
    for rule in rules:
        mine = [s for s in spans if s.label_ == rule.label]
        if not mine:
            continue
        doc = mine[0].doc
        sites, joiners, last = (_hashes(w) for w in (rule.sites, rule.joiners, rule.last_joiners))
        taken = {t for s in mine for t in range(s.start, s.end)}
        for s in mine:
            if lower[s.start] not in sites:
                continue
            i, start, joined = s.start - 1, None, False
            while i >= 0 and i not in taken:
                if lower[i] in joiners:
                    # the joiner right before the span must be "and"/"or" (", and" too)
                    joined = joined or (start is None and lower[i] in last)
                elif lower[i] in sites:
                    if not joined:
                        break  # "right" right before the span: its own rule's business
                    start = i
                elif not space[i]:
                    break
                i -= 1
            if start is not None and not _after_condition_of(doc, start, rule, mine, space):
                out.append(Span(doc, start, s.end, label=s.label_, span_id=rule.rule_id))
    return out


@cache
def _last_words(heads: frozenset[str]) -> frozenset[int]:
    return _hashes(frozenset(h.split()[-1] for h in heads))


def _joined(
    spans: list[Span],
    lower: list[int],
    space: list[int],
    rules: dict[str, tuple[str, frozenset[str]]],
) -> list[Span]:
    """Spans of a label with a join rule, each followed (across whitespace only) by a span of
    the same label that is a generic head word, joined with it; the parts stay, and
    the filter then drops them as inside the joined span."""
    heads: list[Span] = []
    by_end: dict[tuple[str, int], list[Span]] = {}
    for t in spans:
        label = t.label_
        rule = rules.get(label)
        if rule is None:
            continue
        by_end.setdefault((label, t.end), []).append(t)
        if t.end - t.start > 3:
            continue
        # the text only where its last word can end a head word
        if lower[t.end - 1] in _last_words(rule[1]) and squash(t.text).lower() in rule[1]:
            heads.append(t)
    out: list[Span] = []
    for t in heads:
        doc, before = t.doc, _word_back(space, t.start) + 1
        for s in by_end.get((t.label_, before), []):
            # the head's rule id: what the service is (its item category) is the head's
            out.append(
                Span(doc, s.start, t.end, label=t.label_, span_id=t.id_ or rules[t.label_][0])
            )
    return out


def _after_condition_of(
    doc: Doc, start: int, rule: _SiteList, spans: list[Span], space: list[int]
) -> bool:
    """Whether the list at `start` belongs to the phrase before it: after an article or a place
    word ("in the [right elbow, and fracture]", "numbness along [right arm and back pain]"), or
    after a condition, with or without "of"/"to" ("sprain of ligaments of [cervical spine and
    lumbar sprain]", "tenosynovitis [right wrist, and carpal tunnel syndrome]")."""
    i = _word_back(space, start)
    if i >= 0 and doc[i].lower_ in rule.not_after:
        return True
    if i >= 0 and doc[i].lower_ in rule.of_words:
        i = _word_back(space, i)
    return i >= 0 and any(s.end - 1 == i for s in spans)


class RulerFilter:
    """A ruler's span filter (`spans_filter`): the new spans, less noise (`noise` rows), with
    the spans the join rules (`joins` rows) make, less any that lies inside a longer span of the
    same label (or a DIAGNOSIS, PROCEDURE or MEDICATION inside a GUIDELINE name).

    Spans of different labels may overlap otherwise ("L4-5" inside a PROCEDURE request); within a
    label, "MTUS" inside "Non-MTUS Citation" or "injection" inside "epidural steroid injection" is
    noise. `noise` and `joins` are kept as given (`rows`), for the ruler to save."""

    #: the names of its lists of rule rows (`rows`)
    ROWS = ("noise", "joins")

    def __init__(self, noise: list[dict[str, Any]], joins: list[dict[str, Any]]) -> None:
        self.rows = {"noise": list(noise), "joins": list(joins)}
        self.noise = _compiled_noise_rules(noise)
        self.join_labels = frozenset(rule["label"] for rule in joins)
        self.heads = _join_heads(joins)
        self.affixes = _affix_rules(joins)
        self.site_lists = _site_list_rules(joins)

    def __call__(self, existing: Iterable[Span], new: Iterable[Span]) -> list[Span]:
        new = [_trimmed(s) for s in new if not _is_noise(s, self.noise)]
        new = [_wrapped_url(s) if s.id_ == L.RULE_URL else s for s in new]
        if any(s.label_ in self.join_labels for s in new):  # the field ruler's join nothing
            # the Doc's lower-case word hashes and whitespace flags, read once for all the joins
            lower, space = new[0].doc.to_array([LOWER, IS_SPACE]).T.tolist()
            new += _affixed(new, lower, space, self.affixes)
            new += _joined(new, lower, space, self.heads)
            new += _site_lists(new, lower, space, self.site_lists)
        return _longest(new)


def _longest(new: list[Span]) -> list[Span]:
    """The spans less any inside a longer span of its label or a noise label inside a
    GUIDELINE."""
    guidelines = [(g.start, g.end) for g in new if g.label_ == "GUIDELINE"]
    if guidelines:
        new = [
            s
            for s in new
            if s.label_ not in _NOISE_INSIDE_GUIDELINE
            or not any(a <= s.start and s.end <= b for a, b in guidelines)
        ]
    keyed = sorted(((s.label_, s.start, -(s.end - s.start), s) for s in new), key=lambda k: k[:3])
    kept: list[Span] = []
    recent: list[tuple[str, int, int]] = []  # (label, start, end) of the spans kept
    for label, start, minus_length, span in keyed:
        end = start - minus_length
        inside = any(
            k_label == label and k_start <= start and end <= k_end and k_end - k_start > end - start
            for k_label, k_start, k_end in recent[-8:]
        )
        if not inside:
            kept.append(span)
            recent.append((label, start, end))
    return kept


@cache
def package_filter() -> RulerFilter:
    """The span filter with the installed package's rules."""
    return RulerFilter(noise_rows(), join_rows())


@registry.misc("imrnlp.longest_per_label.v1")
def make_longest_per_label() -> Callable[[Iterable[Span], Iterable[Span]], list[Span]]:
    """The span filter with the installed package's rules (`package_filter`), for a ruler that
    has none of its own."""
    return package_filter()
