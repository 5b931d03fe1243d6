"""A self-contained HTML page to review one letter: highlighted text beside its record.

The letter pane is cut into segments at every entity and evidence boundary; each segment is a
``<span class="seg" data-start=.. data-end=..>`` holding exactly ``text[start:end]`` (form feeds
shown as line breaks), so the pane's text is the letter's text. Segments inside entities carry
``data-ents`` (entity indices) and the label colour; the segment where an entity starts shows the
label through CSS (``data-tag``), which adds no text. Record values with evidence are
``<span class="val" data-start=.. data-end=..>``: clicking one highlights and scrolls to the
segments in that range. No network access: CSS and JS are inline.
"""

from __future__ import annotations

import html
import itertools
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import labels as L
from .labels import LETTER_FIELDS
from .ocr import OcrMode
from .record import CaseRecord, Evidence, Guideline

logger = logging.getLogger("imrnlp")

#: Label colours (displaCy-like pastels); other labels get a grey.
COLORS: dict[str, str] = {
    L.DATE: "#bfe1d9",
    L.DIAGNOSIS: "#ffcfa6",
    L.DECISION: "#f8b4c0",
    L.GUIDELINE: "#c7d2fe",
    L.PROCEDURE: "#fde68a",
    L.MEDICATION: "#d9f99d",
    L.ANATOMICAL_LEVEL: "#e9d5ff",
}
DEFAULT_COLOR = "#e5e7eb"

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2937}
header{padding:.6em 1em;background:#111827;color:#f9fafb}
header h1{font-size:1.1em;margin:0}
header .legend span{display:inline-block;margin:.2em .4em 0 0;padding:0 .4em;border-radius:3px;
 color:#111;font-size:.8em}
main{display:flex;height:calc(100vh - 4.5em)}
#letter{flex:3;overflow:auto;padding:1em 1.5em;border-right:1px solid #d1d5db}
#letter pre{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;
 line-height:2.1}
#record{flex:2;overflow:auto;padding:1em;font-size:14px}
.seg.ent{border-radius:3px;padding:1px 0}
.seg.multi{box-shadow:inset 0 -3px 0 #6b7280}
.seg[data-tag]::before{content:attr(data-tag);font:bold 9px system-ui,sans-serif;
 background:#374151;color:#fff;border-radius:3px;padding:0 3px;margin-right:2px;
 vertical-align:super}
.seg.hit{outline:2px solid #dc2626;background:#fee2e2!important}
.val{cursor:pointer;border-bottom:1px dotted #2563eb}
.val:hover{background:#dbeafe}
.val.active{background:#fecaca}
table{border-collapse:collapse;width:100%;margin-bottom:.8em}
td,th{border-bottom:1px solid #e5e7eb;padding:2px 6px;text-align:left;vertical-align:top}
th{width:35%;color:#4b5563;font-weight:600}
h2{font-size:1em;margin:1em 0 .3em;border-bottom:2px solid #111827}
.item{border:1px solid #d1d5db;border-radius:6px;padding:.4em .6em;margin:.6em 0}
.upheld{color:#b91c1c;font-weight:bold}.overturned{color:#15803d;font-weight:bold}
.warn{color:#b45309}
"""

_JS = """
(function(){
  var segs=[].slice.call(document.querySelectorAll('#letter .seg'));
  function clear(){
    document.querySelectorAll('.seg.hit').forEach(function(e){e.classList.remove('hit')});
    document.querySelectorAll('.val.active').forEach(function(e){e.classList.remove('active')});
  }
  document.querySelectorAll('.val').forEach(function(v){
    v.addEventListener('click',function(){
      clear();
      var s=+v.dataset.start,e=+v.dataset.end,first=null;
      segs.forEach(function(g){
        if(+g.dataset.start<e && +g.dataset.end>s){g.classList.add('hit');if(!first)first=g;}
      });
      v.classList.add('active');
      if(first)first.scrollIntoView({behavior:'smooth',block:'center'});
    });
  });
})();
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _val(value: Any, ev: Evidence | None) -> str:
    """A record value, clickable when it has evidence."""
    text = _esc(value) if value not in (None, "", []) else "<i>—</i>"
    if ev is None:
        return text
    return (
        f'<span class="val" data-start="{ev.start}" data-end="{ev.end}" '
        f'title="{_esc(ev.rule_id or "")} [{ev.start}:{ev.end}]">{text}</span>'
    )


def _rows(rows: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _guideline(g: Guideline | None) -> str:
    if g is None:
        return "<i>—</i>"
    cites = "<br>".join(_val(c.text, c.evidence) for c in g.citations)
    return f"{_val(g.kind, g.evidence)}" + (f"<br>{cites}" if cites else "")


def record_html(record: CaseRecord, text: str) -> str:
    """The record pane."""
    fe = record.field_evidence
    header = [(name, _val(getattr(record, name), fe.get(name))) for name in LETTER_FIELDS]
    parts = ["<h2>Letter</h2>", _rows(header)]
    if record.ocr is not None:
        o = record.ocr
        pages = ", ".join(
            f"{n} ({c:.2f})" for n, c in zip(o.pages, o.page_confidence, strict=False)
        )
        parts += [
            '<h2>Read by OCR</h2><p class="warn">This letter had no text layer: the text on the '
            "left is what OCR read from its page images; check values against the scan.</p>",
            _rows(
                [
                    ("engine", _esc(o.engine)),
                    ("pages (confidence)", _esc(f"{pages} of {o.page_count}")),
                    ("mean confidence", _esc(f"{o.mean_confidence:.2f}")),
                    ("repairs", _esc(str(o.repairs))),
                ]
            ),
        ]
    rv, pt = record.reviewer, record.patient
    parts += [
        "<h2>Reviewer</h2>",
        _rows(
            [
                ("licensure", _val(", ".join(rv.licensure), rv.evidence)),
                ("specialty", _val(rv.specialty, rv.evidence)),
            ]
        ),
        "<h2>Patient</h2>",
        _rows([("age", _val(pt.age, pt.evidence)), ("sex", _val(pt.sex, pt.evidence))]),
        f"<h2>Diagnoses ({len(record.diagnoses)})</h2>",
        "<ol>"
        + "".join(
            f"<li>{_val(d.text, d.evidence)} <small>{_esc(d.assertion)}</small></li>"
            for d in record.diagnoses
        )
        + "</ol>",
        f"<h2>Disputed items ({len(record.items)})</h2>",
    ]
    for n, it in enumerate(record.items, 1):
        med = it.medication
        decided = it.decision_evidence or it.evidence
        rows = [
            ("decision", f'<span class="{it.decision}">{_val(it.decision, decided)}</span>'),
            ("category", _val(it.category, it.category_evidence)),
        ]
        if med is not None:
            quantity = f"#{med.quantity}" if med.quantity else None
            label = " ".join(x for x in (med.name, med.strength, quantity) if x)
            rows.append(("medication", _val(label, med.evidence or it.request_evidence)))
            rows.append(
                ("ingredients", _esc(" + ".join(med.ingredients) or "not in the vocabulary"))
            )
            flags = [f for f, on in (("opioid", med.opioid), ("compounded", med.compounded)) if on]
            rows.append(("drug classes", _esc(", ".join([*med.drug_classes, *flags]) or "—")))
        if it.levels:
            rows.append(("levels", _esc(", ".join(it.levels))))
        if it.laterality:
            rows.append(("laterality", _esc(it.laterality)))
        if it.partial:
            rows.append(
                (
                    "partial",
                    f"original: {_esc(it.original_request)}; authorized: {_esc(it.authorized)}",
                )
            )
        rows += [
            ("claims administrator guideline", _guideline(it.claims_administrator_guideline)),
            ("reviewer guideline", _guideline(it.reviewer_guideline)),
            ("conclusion", _val(it.conclusion, it.conclusion_evidence)),
        ]
        request = _val(it.request, it.request_evidence or it.evidence)
        parts.append(f'<div class="item"><b>{n}. {request}</b>{_rows(rows)}</div>')
    parts.append(f"<h2>Dates ({len(record.dates)})</h2>")
    parts.append(
        _rows((d.role, _val(f"{d.text} → {d.value or '?'}", d.evidence)) for d in record.dates)
    )
    if record.warnings:
        parts.append(
            "<h2>Warnings</h2><ul>"
            + "".join(f'<li class="warn">{_esc(w)}</li>' for w in record.warnings)
            + "</ul>"
        )
    return "\n".join(parts)


def _evidence_bounds(record: CaseRecord) -> set[int]:
    bounds: set[int] = set()

    def walk(obj: Any) -> None:
        if isinstance(obj, Evidence):
            bounds.update((obj.start, obj.end))
        elif isinstance(obj, list):
            for x in obj:
                walk(x)
        elif isinstance(obj, dict):
            for x in obj.values():
                walk(x)
        elif hasattr(obj, "__pydantic_fields__"):
            for name in type(obj).model_fields:
                walk(getattr(obj, name))

    walk(record)
    return bounds


def letter_html(text: str, record: CaseRecord) -> str:
    """The letter pane: segments with entity highlights."""
    ents = record.entities
    bounds = {0, len(text)} | {b for e in ents for b in (e.start, e.end)} | _evidence_bounds(record)
    cuts = sorted(b for b in bounds if 0 <= b <= len(text))
    starts: dict[int, list[int]] = {}
    for i, e in enumerate(ents):
        starts.setdefault(e.start, []).append(i)
    out = []
    for a, b in itertools.pairwise(cuts):
        if a == b:
            continue
        inside = [i for i, e in enumerate(ents) if e.start <= a and e.end >= b]
        attrs = f'data-start="{a}" data-end="{b}"'
        cls = "seg"
        style = ""
        if inside:
            inner = min(inside, key=lambda i: ents[i].end - ents[i].start)
            cls += " ent" + (" multi" if len(inside) > 1 else "")
            style = f' style="background:{COLORS.get(ents[inner].label, DEFAULT_COLOR)}"'
            attrs += f' data-ents="{" ".join(map(str, inside))}"'
            tags = [ents[i].label for i in starts.get(a, []) if ents[i].end >= b]
            if tags:
                attrs += f' data-tag="{_esc(" ".join(dict.fromkeys(tags)))}"'
        seg = html.escape(text[a:b].replace("\f", "\n"))
        out.append(f'<span class="{cls}" {attrs}{style}>{seg}</span>')
    return "<pre>" + "".join(out) + "</pre>"


def render_page(text: str, record: CaseRecord, title: str | None = None) -> str:
    """The whole review page for `text` and its `record` (offsets of the record into `text`)."""
    title = title or record.case_number or record.source or "IMR letter"
    labels = sorted({e.label for e in record.entities})
    legend = "".join(
        f'<span style="background:{COLORS.get(lbl, DEFAULT_COLOR)}">{_esc(lbl)}</span>'
        for lbl in labels
    )
    data = json.dumps(
        [e.model_dump(mode="json") for e in record.entities], ensure_ascii=False
    ).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_esc(title)} — imrnlp</title>
<style>{_CSS}</style></head>
<body>
<header><h1>{_esc(title)} <small>({_esc(record.source or "")})</small></h1>
<div class="legend">{legend} <small>click a value on the right to see its evidence</small></div>
</header>
<main>
<section id="letter">{letter_html(text, record)}</section>
<section id="record">{record_html(record, text)}</section>
</main>
<script type="application/json" id="imr-entities">{data}</script>
<script>{_JS}</script>
</body></html>
"""


def show_file(
    path: str | Path,
    output: str | Path,
    *,
    model: str | Path | None = None,
    ocr: OcrMode = "auto",
) -> Path:
    """Read a letter, extract its record and write the review page to `output`; a letter read
    by OCR shows its OCR text, which the evidence offsets point into.

    Raises `ReadError`/`PdfError` when the letter cannot be read."""
    from .api import extract
    from .readers import read_file

    letter = read_file(path, ocr=ocr)
    text = letter.text
    record = extract(text, model=model, source=str(path))
    record.warnings[:0] = letter.warnings
    record.ocr = letter.ocr
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(render_page(text, record), encoding="utf-8")
    tmp.replace(output)
    logger.info("wrote %s", output)
    return output
