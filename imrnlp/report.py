"""Corpus report from batch JSONL: overturn rates by category, specialty, guideline and drug.

HTML reports embed their charts as base64 PNG; Markdown reports write the PNGs beside the file.
Error rows (``{"source", "error"}``) are counted and skipped.
"""

from __future__ import annotations

import base64
import html
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .batch import read_jsonl
from .version import __version__

logger = logging.getLogger("imrnlp")

#: Published California figures, for comparison with the corpus.
PUBLISHED: tuple[tuple[str, str, str], ...] = (
    (
        "Share of IMR decisions upholding the utilization review denial, 2014-2017",
        "88 to 91 percent",
        "California DWC / CWCI IMR reports",
    ),
    (
        "Share of disputed services that are prescription drugs",
        "about 45 to 50 percent",
        "California DWC / CWCI IMR reports",
    ),
)
TOP_MEDICATIONS = 20


@dataclass
class Group:
    """Counts of items in one group."""

    items: int = 0
    overturned: int = 0

    @property
    def share_overturned(self) -> float:
        return self.overturned / self.items if self.items else 0.0


@dataclass
class CorpusStats:
    """What the report shows."""

    letters: int = 0
    errors: int = 0
    letters_without_items: int = 0
    items: int = 0
    overturned: int = 0
    by_category: dict[str, Group] = field(default_factory=dict)
    by_specialty: dict[str, Group] = field(default_factory=dict)
    by_mtus_part: dict[str, Group] = field(default_factory=dict)
    by_source: dict[str, Group] = field(default_factory=dict)
    by_medication: dict[str, Group] = field(default_factory=dict)
    by_year: dict[str, Group] = field(default_factory=dict)

    @property
    def share_overturned(self) -> float:
        return self.overturned / self.items if self.items else 0.0


def _add(groups: dict[str, Group], key: str, overturned: bool) -> None:
    g = groups.setdefault(key, Group())
    g.items += 1
    g.overturned += overturned


def corpus_stats(rows: Iterable[dict[str, Any]]) -> CorpusStats:
    """Counts over batch result rows (records as JSON; error rows are counted and skipped).

    Citations are those of the expert reviewer's guideline; specialty is the reviewer's first."""
    s = CorpusStats()
    for row in rows:
        if "error" in row:
            s.errors += 1
            continue
        s.letters += 1
        items = row.get("items") or []
        if not items:
            s.letters_without_items += 1
        specialty = ((row.get("reviewer") or {}).get("specialty") or "unknown").split(",")[0]
        year = (row.get("decision_date") or "unknown")[:4]
        for it in items:
            over = it.get("decision") == "overturned"
            s.items += 1
            s.overturned += over
            _add(s.by_category, it.get("category") or "other", over)
            _add(s.by_specialty, specialty.strip() or "unknown", over)
            _add(s.by_year, year, over)
            cites = ((it.get("reviewer_guideline") or {}).get("citations")) or []
            for part in dict.fromkeys(
                c.get("part") or "MTUS (no part)" for c in cites if c.get("mtus")
            ):
                _add(s.by_mtus_part, part, over)
            for src in dict.fromkeys(c.get("source") or "?" for c in cites if not c.get("mtus")):
                _add(s.by_source, src, over)
            med = it.get("medication")
            if med and med.get("name"):
                _add(s.by_medication, med["name"].strip().lower(), over)
    return s


def load_stats(path: str | Path) -> CorpusStats:
    """`corpus_stats` of a batch JSONL file."""
    return corpus_stats(read_jsonl(path))


# ------------------------------------------------------------------------------------------------
# tables and charts


def _sorted(groups: dict[str, Group], top: int | None = None) -> list[tuple[str, Group]]:
    out = sorted(groups.items(), key=lambda kv: (-kv[1].items, kv[0]))
    return out[:top] if top else out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def tables(s: CorpusStats) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table in the report."""
    summary = [
        ["Letters", str(s.letters)],
        ["Letters with no disputed item found", str(s.letters_without_items)],
        ["Files that could not be read (skipped)", str(s.errors)],
        ["Disputed items", str(s.items)],
        ["Items upheld", str(s.items - s.overturned)],
        ["Items overturned", str(s.overturned)],
        ["Share upheld", _pct(1 - s.share_overturned) if s.items else "—"],
        ["Share overturned", _pct(s.share_overturned) if s.items else "—"],
    ]
    med = s.by_category.get("medication", Group()).items
    summary.append(["Share of items that are medications", _pct(med / s.items) if s.items else "—"])
    out = [("Summary", ["", "value"], summary)]
    out.append(
        (
            "Published California figures (for comparison)",
            ["measure", "value", "source"],
            [list(p) for p in PUBLISHED],
        )
    )

    def grouped(title: str, key: str, groups: dict[str, Group], top: int | None = None) -> None:
        rows = [
            [
                k,
                str(g.items),
                _pct(g.items / s.items) if s.items else "—",
                str(g.overturned),
                _pct(g.share_overturned),
            ]
            for k, g in _sorted(groups, top)
        ]
        header = [key, "items", "share of items", "overturned", "share overturned"]
        out.append((title, header, rows))

    grouped("By category", "category", s.by_category)
    grouped("By reviewer specialty (first listed)", "specialty", s.by_specialty)
    grouped("By MTUS part cited by the reviewer", "MTUS part", s.by_mtus_part)
    grouped("By non-MTUS source cited by the reviewer", "source", s.by_source)
    grouped(
        f"By medication (top {TOP_MEDICATIONS})", "medication", s.by_medication, TOP_MEDICATIONS
    )
    grouped("By decision year", "year", s.by_year)
    return out


def charts(s: CorpusStats) -> list[tuple[str, bytes]]:
    """(name, PNG bytes) of each chart: items and overturn share by category, specialty, drug."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: list[tuple[str, bytes]] = []

    def bar(name: str, title: str, groups: list[tuple[str, Group]]) -> None:
        if not groups:
            return
        labels = [k for k, _ in groups][::-1]
        upheld = [g.items - g.overturned for _, g in groups][::-1]
        over = [g.overturned for _, g in groups][::-1]
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(labels) + 1.2), dpi=100)
        ax.barh(labels, upheld, color="#b91c1c", label="upheld")
        ax.barh(labels, over, left=upheld, color="#15803d", label="overturned")
        ax.set_title(title)
        ax.set_xlabel("disputed items")
        ax.legend(loc="lower right")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        out.append((name, buf.getvalue()))

    bar("category", "Decisions by category", _sorted(s.by_category))
    bar("specialty", "Decisions by reviewer specialty", _sorted(s.by_specialty, 15))
    bar(
        "medication",
        f"Decisions by medication (top {TOP_MEDICATIONS})",
        _sorted(s.by_medication, TOP_MEDICATIONS),
    )
    bar("mtus_part", "Decisions by MTUS part cited", _sorted(s.by_mtus_part, 15))
    return out


# ------------------------------------------------------------------------------------------------
# writers


def _html(s: CorpusStats, source: str) -> str:
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>IMR corpus report</title><style>",
        "body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#1f2937}",
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #d1d5db;",
        "padding:3px 8px;text-align:left}th{background:#f3f4f6}td.n{text-align:right}",
        "img{max-width:100%}</style></head><body>",
        "<h1>IMR corpus report</h1>",
        f"<p>Records: <code>{html.escape(source)}</code>. Made {date.today().isoformat()} "
        f"with imrnlp {__version__}.</p>",
    ]
    for title, header, rows in tables(s):
        parts.append(f"<h2>{html.escape(title)}</h2><table><tr>")
        parts += [f"<th>{html.escape(h)}</th>" for h in header]
        parts.append("</tr>")
        for row in rows:
            cells = "".join(
                f"<td{' class=n' if i else ''}>{html.escape(c)}</td>" for i, c in enumerate(row)
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    pngs = charts(s)
    if pngs:
        parts.append("<h2>Charts</h2>")
    for name, png in pngs:
        b64 = base64.b64encode(png).decode("ascii")
        parts.append(f"<p><img alt='{name}' src='data:image/png;base64,{b64}'></p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _md_cell(c: str) -> str:
    return c.replace("|", "\\|").replace("\n", " ")


def _markdown(s: CorpusStats, source: str, output: Path) -> str:
    lines = [
        "# IMR corpus report",
        "",
        f"Records: `{source}`. Made {date.today().isoformat()} with imrnlp {__version__}.",
        "",
    ]
    for title, header, rows in tables(s):
        lines += [
            f"## {title}",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "|".join("---" for _ in header) + "|",
        ]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
        lines.append("")
    pngs = charts(s)
    if pngs:
        lines += ["## Charts", ""]
    for name, png in pngs:
        img = output.with_name(f"{output.stem}_{name}.png")
        img.write_bytes(png)
        lines += [f"![{name}]({img.name})", ""]
    return "\n".join(lines)


def write_report(records: str | Path, output: str | Path) -> CorpusStats:
    """Write the report of a batch JSONL as HTML (.html/.htm) or Markdown (.md)."""
    records, output = Path(records), Path(output)
    suffix = output.suffix.lower()
    if suffix not in (".html", ".htm", ".md"):
        raise ValueError(f"{output}: report must end in .html or .md")
    stats = load_stats(records)
    output.parent.mkdir(parents=True, exist_ok=True)
    text = _html(stats, str(records)) if suffix != ".md" else _markdown(stats, str(records), output)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)
    logger.info("wrote %s (%d letters, %d items)", output, stats.letters, stats.items)
    return stats
