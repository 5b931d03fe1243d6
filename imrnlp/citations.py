"""Turns a guideline line ("Claims Administrator guideline:", "MAXIMUS guideline:") into structure.

Works from the pipeline's spans: CITATION_START cues ("Decision based on") split the line into
citations, GUIDELINE spans say what each cites (MTUS, an MTUS part, ODG, a web address ...), and
NO_CITATION ("did not cite any medical evidence") marks a line that cites nothing.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import labels as L
from .record import Citation, Guideline
from .resources import patterns_dir
from .spanutil import evidence_of, span_text, squash, within

_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
_SECTIONS = re.compile(r"Section\(s\)\s*:\s*(.+?)(?:\s*Page\(s\)|$)", re.I | re.S)
_PAGES = re.compile(r"Page\(?s?\)?\s*:?\s*([\d][\d\s,\-–and]*)", re.I)
_CHAPTER = re.compile(r"Chapter\s+(\d+)", re.I)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_SOURCE_BY_RULE = {
    L.RULE_ODG: "ODG",
    L.RULE_ACOEM: "ACOEM",
    L.RULE_UPTODATE: "UpToDate",
}


def parse_guideline(
    doc: Doc,
    start: int,
    end: int,
    entities: list[Span] | None = None,
    fields: list[Span] | None = None,
) -> Guideline:
    """The guideline block in tokens [start, end) as a `Guideline`. `entities` and `fields` are
    the Doc's entity and field spans, when the caller has them listed already."""
    block = doc[start:end]
    fields = list(doc.spans.get(L.FIELDS_KEY, [])) if fields is None else fields
    entities = list(doc.spans.get(L.SPANS_KEY, [])) if entities is None else entities
    starts = within(fields, start, end, L.CITATION_START)
    citations: list[Citation] = []
    for n, cue in enumerate(starts):
        stop = starts[n + 1].start if n + 1 < len(starts) else end
        seg = doc[cue.end : stop]
        named = within(entities, seg.start, seg.end, L.GUIDELINE)
        citations.extend(_citations(seg, filter_spans(named), named))
    if not starts and not within(fields, start, end, L.NO_CITATION):
        # no "Decision based on": a bare citation line
        named = within(entities, start, end, L.GUIDELINE)
        if named:
            citations.extend(_citations(block, filter_spans(named), named))
    mtus = any(c.mtus for c in citations)
    non_mtus = any(not c.mtus for c in citations)
    kind = (
        "mtus+non_mtus"
        if mtus and non_mtus
        else "mtus"
        if mtus
        else "non_mtus"
        if non_mtus
        else "none"
    )
    return Guideline(kind=kind, citations=citations, evidence=evidence_of(block))


def _citations(seg: Span, spans: list[Span], named_spans: list[Span]) -> list[Citation]:
    """The citations of one segment: `spans` its outermost GUIDELINE spans, `named_spans` all of
    them (a source named by a token that is also a web address, "UpToDate.com")."""
    text = squash(span_text(seg)).rstrip(" .")
    ids = [s.id_ for s in spans]
    is_mtus = L.RULE_MTUS in ids[:1] or (L.RULE_MTUS in ids and L.RULE_NON_MTUS not in ids)
    if L.RULE_NON_MTUS in ids:
        is_mtus = False
    if not text:
        return []
    ev = evidence_of(seg)
    if is_mtus:
        return _mtus_citations(seg, spans, L.RULE_ACOEM in ids)
    # the cited text after an opening "Non-MTUS Citation"
    opening = spans[0] if spans and spans[0].id_ == L.RULE_NON_MTUS else None
    out: list[tuple[int, Citation]] = []  # (where in the line, citation): kept in text order
    joined = _join_wrapped_urls(span_text(seg))
    urls = [
        (m.start(), re.sub(r"\s+", "", m.group()).rstrip(".,;)")) for m in _URL.finditer(joined)
    ]
    pieces = _source_pieces(seg, opening.end if opening else seg.start, named_spans)
    for at, piece, named in pieces:
        body = squash(span_text(piece)).rstrip(" .")
        if len(pieces) > 1:
            body = _TRAILING_AND.sub("", body)
        rest = _URL.sub("", squash(_join_wrapped_urls(span_text(piece))))
        if not named and (not rest.strip(" .,;") or (urls and len(pieces) == 1)):
            continue  # a web address alone: a citation of its own, below
        year = _YEAR.search(body)
        part, topics = _chapter_and_topics(named, _URL.sub(" ", body))
        out.append(
            (
                at - seg.start_char,
                Citation(
                    mtus=False,
                    source=named or (body.split(",")[0][:80] or "other"),
                    part=part,
                    chapter=_first(_CHAPTER, body),
                    year=int(year.group(1)) if year else None,
                    sections=_sections(body) or topics,
                    pages=_pages(body),
                    text=text if len(pieces) == 1 else body,
                    evidence=ev if len(pieces) == 1 else evidence_of(piece),
                ),
            )
        )
    for at, url in urls:
        out.append((at, Citation(mtus=False, source="URL", url=url, text=url, evidence=ev)))
    return [c for _, c in sorted(out, key=lambda x: x[0])]


#: "and", "the" or "or" left at a piece's end where the next source begins ("ACOEM and the")
_TRAILING_AND = re.compile(r"(?:[\s,;]+(?:and|the|or))+\s*$", re.I)


def _source_pieces(
    seg: Span, start: int, named_spans: list[Span]
) -> list[tuple[int, Span, str | None]]:
    """The cited text of a non-MTUS citation (tokens `start` to the segment's end), cut where it
    names another source: at a source span (ODG, ACOEM, UpToDate) of another source than the one
    before ("ACOEM guidelines and the Official Disability Guidelines"), and at the phrase that
    introduces further sources ("... and Other Medical Treatment Guidelines AANEM Recommended
    Policy ..."), after which the words are a source of their own unless a source span follows.
    Each piece as (its place in the text, for the citations' order; the piece; the source it
    names, None for none). One piece where the citation names at most one source: its place is
    where it names the source."""
    doc = seg.doc
    cuts: list[tuple[int, int, str | None]] = []  # (end of the piece before, piece start, source)
    last: str | None = None
    for span in sorted(named_spans, key=lambda s: s.start):
        source = _SOURCE_BY_RULE.get(span.id_)
        if source is not None and span.start >= start and source != last:
            cuts.append((span.start, span.start, source))
            last = source
    cues = []
    if start < seg.end:
        cited = doc[start : seg.end]  # its own text only: Doc.text would join the whole letter
        at = cited.start_char
        for m in _chapter_rules()["others"].finditer(cited.text):
            cue = doc.char_span(at + m.start(), at + m.end(), alignment_mode="expand")
            if cue is not None and cue.end < seg.end:
                cues.append(cue)
    for cue in cues:
        after = [c for c in cuts if c[1] >= cue.end and not doc[cue.end : c[1]].text.strip()]
        if after:  # "... and Other Medical Treatment Guidelines ACOEM ..."
            cuts.remove(after[0])
            cuts.append((cue.start, after[0][1], after[0][2]))
        else:
            cuts.append((cue.start, cue.end, None))
    cuts.sort()
    if len(cuts) <= 1 and not cues:
        at = doc[cuts[0][1]].idx if cuts else seg.start_char
        return [(at, doc[start : seg.end], cuts[0][2] if cuts else None)]
    pieces = []
    for n, (_, piece_start, source) in enumerate(cuts):
        piece_end = cuts[n + 1][0] if n + 1 < len(cuts) else seg.end
        piece_start = start if n == 0 else piece_start  # words before the first source are its
        if piece_start < piece_end:
            piece = doc[piece_start:piece_end]
            pieces.append((piece.start_char, piece, source))
    return pieces


def _mtus_citations(seg: Span, spans: list[Span], acoem: bool) -> list[Citation]:
    """One citation per MTUS part: "MTUS Shoulder Complaints 2004, Section(s): Initial Care, and
    Postsurgical Treatment 2009, Section(s): Shoulder" cites two parts. A part name counts as a
    new part where an edition year, "Page(s)" or the end follows it (not inside a section list)."""
    doc = seg.doc
    parts = [s for s in spans if s.id_ == L.RULE_MTUS_PART and _opens_part(doc, s.end, seg.end)]
    if not parts:
        parts_at: list[tuple[int, str | None]] = [(seg.start, None)]
    else:
        parts_at = [(seg.start if n == 0 else s.start, squash(s.text)) for n, s in enumerate(parts)]
    out: list[Citation] = []
    for n, (start, part) in enumerate(parts_at):
        end = parts_at[n + 1][0] if n + 1 < len(parts_at) else seg.end
        piece = doc[start:end]
        text = re.sub(r",?\s*and\s*$", "", squash(span_text(piece)).rstrip(" .,"))
        if part is None:
            part = _part_from_text(text)
        if part:
            part = re.sub(r"\s+Guidelines?$", "", part)
        year = _YEAR.search(text)
        out.append(
            Citation(
                mtus=True,
                source="ACOEM" if acoem and n == 0 else "MTUS",
                part=part,
                chapter=_first(_CHAPTER, text),
                year=int(year.group(1)) if year else None,
                sections=_sections(text),
                pages=_pages(text),
                text=text,
                evidence=evidence_of(piece),
            )
        )
    return out


def _opens_part(doc: Doc, i: int, limit: int) -> bool:
    while i < limit and (doc[i].is_space or doc[i].text in {","}):
        i += 1
    return i >= limit or _YEAR.match(doc[i].text) is not None or doc[i].lower_.startswith("page")


def _join_wrapped_urls(text: str) -> str:
    """A web address wrapped after a hyphen continues on the next line."""
    return re.sub(r"-\s*\n\s*", "-", text)


def _part_from_text(text: str) -> str | None:
    m = re.search(
        r"MTUS\s+(?:\(?ACOEM\)?\s+)?(?:Chapter\s+\d+\s+)?(.+?)(?:,|\s+(?:19|20)\d\d|\s+Page|\s+Section|$)",
        text,
    )
    return m.group(1).strip() if m else None


def _sections(text: str) -> list[str]:
    m = _SECTIONS.search(text)
    if not m:
        return []
    sections = [s.strip(" .") for s in re.split(r";", m.group(1)) if s.strip(" .")]
    return [re.sub(r",?\s*and$", "", s) for s in sections]


def _pages(text: str) -> list[str]:
    m = _PAGES.search(text)
    if not m:
        return []
    return [p.strip() for p in re.split(r",|\band\b", m.group(1)) if p.strip(" -")]


def _first(regex: re.Pattern[str], text: str) -> str | None:
    m = regex.search(text)
    return m.group(1) if m else None


@cache
def _chapter_rules() -> dict[str, Any]:
    data = json.loads((patterns_dir() / "guideline_chapters.json").read_text(encoding="utf8"))

    def name_regex(name: str) -> str:
        words = [re.escape(w) for w in re.split(r"\s+|(?=[,&/-])|(?<=[,&/-])", name) if w]
        joined = r"\s*".join(
            w if w not in ("&", re.escape("&"), "and") else r"(?:&|and)" for w in words
        )
        return rf"(?<![\w]){joined}(?![\w])"

    return {
        "chapters": {
            src: [re.compile(name_regex(n), re.I) for n in sorted(names, key=len, reverse=True)]
            for src, names in data.items()
            if src in ("ODG", "ACOEM")
        },
        "noise": re.compile("|".join(data["noise"]), re.I),
        "others": re.compile(data["others"], re.I),
        "names": {k: re.compile(v, re.I) for k, v in data["names"].items()},
    }


def _chapter_and_topics(source: str | None, body: str) -> tuple[str | None, list[str]]:
    """An ODG or ACOEM citation's chapter and topics: 'Official Disability Guidelines (ODG), Low
    Back Chapter, Indications for imaging' -> ('Low Back', ['Indications for imaging'])."""
    rules = _chapter_rules()
    if source not in rules["chapters"]:
        return None, []
    text = rules["names"][source].sub(" | ", body)
    for other in rules["names"].values():
        text = other.sub(" | ", text)
    text = rules["noise"].sub(" ", text)
    part = None
    hits = [m for regex in rules["chapters"][source] if (m := regex.search(text))]
    if hits:  # the first chapter named; the longest name where two start together
        m = min(hits, key=lambda m: (m.start(), -len(m.group())))
        part = squash(m.group())
        text = text[: m.start()] + " | " + text[m.end() :]
    pieces = re.split(r"[|,:;]|\s[-–]\s|\.\s", text)
    topics = []
    for piece in pieces:
        t = re.sub(r"\s+(?:and|or)$", "", squash(piece).strip(" .-–()"))
        if t.count("(") > t.count(")"):
            t += ")"
        if t and any(c.isalpha() for c in t) and t.lower() not in ("and", "or", "see"):
            topics.append(t)
    return part, topics
