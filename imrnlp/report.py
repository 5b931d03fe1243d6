"""Corpus report from batch output (JSONL, CSV or Parquet): overturn rates with intervals by
category, drug class, ingredient, specialty and guideline; drug shares beside published figures.

HTML reports embed their charts as base64 PNG; Markdown reports write the PNGs beside the file.
Error rows (``{"source", "error"}``) are counted and skipped.
"""

from __future__ import annotations

import base64
import html
import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .batch import BOOL_COLUMNS, INT_COLUMNS, SEP, errors_path, flatten_record, read_jsonl
from .version import __version__

logger = logging.getLogger("imrnlp")

#: Published California figures, for comparison with the corpus:
#: (measure key, what was measured, published value, year, source).
PUBLISHED: tuple[tuple[str, str, float | None, str, str], ...] = (
    (
        "upheld",
        "Share of IMR decisions upholding the UR denial",
        None,
        "2014-2017",
        "California DWC / CWCI IMR reports",
    ),
    ("drug_share", "Prescription drugs, share of all IMR decisions", 0.479, "2016", "CWCI"),
    ("drug_share", "Pharmaceuticals, share of IMR requests", 0.327, "2024", "DWC IMR report"),
    ("opioid_share", "Opioids, share of prescription-drug IMR decisions", 0.291, "2016", "CWCI"),
    ("opioid_share", "Opioids, share of drug requests", 0.239, "2024", "DWC IMR report"),
    ("compounded_share", "Compounded drugs, share of drug IMR decisions", 0.065, "2016", "CWCI"),
    ("compounded_share", "Compounded drugs, share of drug IMR decisions", 0.042, "2017", "CWCI"),
    ("topical_share", "Topicals, share of drug requests", 0.174, "2024", "DWC IMR report"),
    ("relaxant_share", "Muscle relaxants, share of drug requests", 0.163, "2024", "DWC IMR report"),
)
WHY_DIFFERENT = (
    "A folder of letters need not match the published shares: the published figures count every "
    "IMR decision of a year, while a folder holds whatever letters were collected (a corpus "
    "filtered by injury year, for example, holds early-claim care, with fewer long-term opioid "
    "and compounded-drug disputes), and small folders carry wide intervals."
)
TOP_MEDICATIONS = 20
#: Groups with fewer items than this are marked: their rates are too uncertain to compare.
SMALL_N = 10
#: Okabe-Ito colours (safe for colour-blind readers).
PALETTE = {"upheld": "#0072B2", "overturned": "#E69F00", "rate": "#009E73", "ref": "#CC79A7"}


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval of a proportion k/n; (0, 0) when n is 0."""
    if n == 0:
        return 0.0, 0.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Group:
    """Counts of items in one group."""

    items: int = 0
    overturned: int = 0

    @property
    def share_overturned(self) -> float:
        return self.overturned / self.items if self.items else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.overturned, self.items)

    @property
    def small(self) -> bool:
        return self.items < SMALL_N


@dataclass
class CorpusStats:
    """What the report shows."""

    letters: int = 0
    errors: int = 0
    letters_without_items: int = 0
    items: int = 0
    overturned: int = 0
    drug_items: int = 0
    opioid_items: int = 0
    compounded_items: int = 0
    topical_items: int = 0
    relaxant_items: int = 0
    unknown_drug_items: int = 0
    by_category: dict[str, Group] = field(default_factory=dict)
    by_specialty: dict[str, Group] = field(default_factory=dict)
    by_mtus_part: dict[str, Group] = field(default_factory=dict)
    by_source: dict[str, Group] = field(default_factory=dict)
    by_medication: dict[str, Group] = field(default_factory=dict)
    by_ingredient: dict[str, Group] = field(default_factory=dict)
    by_drug_class: dict[str, Group] = field(default_factory=dict)
    by_year: dict[str, Group] = field(default_factory=dict)

    @property
    def share_overturned(self) -> float:
        return self.overturned / self.items if self.items else 0.0

    def shares(self) -> dict[str, tuple[int, int]]:
        """Measure key -> (count, denominator) for the measures published figures exist for."""
        return {
            "upheld": (self.items - self.overturned, self.items),
            "drug_share": (self.drug_items, self.items),
            "opioid_share": (self.opioid_items, self.drug_items),
            "compounded_share": (self.compounded_items, self.drug_items),
            "topical_share": (self.topical_items, self.drug_items),
            "relaxant_share": (self.relaxant_items, self.drug_items),
        }


def _add(groups: dict[str, Group], key: str, overturned: bool) -> None:
    g = groups.setdefault(key, Group())
    g.items += 1
    g.overturned += overturned


def _split(value: Any) -> list[str]:
    return [v.strip() for v in str(value).split(SEP) if v.strip()] if value else []


def corpus_stats(rows: Iterable[dict[str, Any]]) -> CorpusStats:
    """Counts over records (as JSON) or flat item rows (`batch.flatten_record`, or rows read back
    from batch's CSV or Parquet); a row with an `error` is a file that could not be read.

    Citations are those of the expert reviewer's guideline; specialty is the reviewer's first."""
    s = CorpusStats()
    letters: set[Any] = set()
    for row in _flat(rows):
        if row.get("error"):
            s.errors += 1
            continue
        letter = row.get("_letter", (row.get("source"), row.get("case_number")))
        if letter not in letters:
            letters.add(letter)
            if row.get("item_index") is None:
                s.letters_without_items += 1
        if row.get("item_index") is None:
            continue
        over = row.get("item_decision") == "overturned"
        s.items += 1
        s.overturned += over
        category = row.get("item_category") or "other"
        _add(s.by_category, category, over)
        specialty = str(row.get("reviewer_specialty") or "unknown").split(",")[0].strip()
        _add(s.by_specialty, specialty or "unknown", over)
        _add(s.by_year, str(row.get("decision_date") or "unknown")[:4], over)
        for part in _split(row.get("item_reviewer_mtus_parts")):
            _add(s.by_mtus_part, part, over)
        for src in _split(row.get("item_reviewer_sources")):
            _add(s.by_source, src, over)
        if category != "medication":
            continue
        s.drug_items += 1
        ingredients = _split(row.get("item_medication_ingredients"))
        classes = _split(row.get("item_medication_drug_classes"))
        s.opioid_items += bool(row.get("item_medication_opioid"))
        s.compounded_items += bool(row.get("item_medication_compounded"))
        s.topical_items += "topical_analgesic" in classes
        s.relaxant_items += "muscle_relaxant" in classes
        s.unknown_drug_items += not row.get("item_medication_known")
        name = str(row.get("item_medication_name") or "").strip().lower()
        _add(s.by_medication, "+".join(ingredients) or f"{name or '?'} (not in vocabulary)", over)
        for ing in ingredients:
            _add(s.by_ingredient, ing, over)
        for c in classes or ["(no class: drug not in vocabulary)"]:
            _add(s.by_drug_class, c, over)
    s.letters = len(letters)
    return s


def _flat(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Flat item rows; a whole record (a dict with `items`) is flattened first."""
    for n, row in enumerate(rows):
        if "items" in row and "error" not in row:
            for flat in flatten_record(row):
                yield {**flat, "_letter": n}
        else:
            yield row


def read_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """Flat item rows from any file batch writes: JSONL records, CSV or Parquet item tables (with
    the `OUT.errors.jsonl` beside them counted as errors)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        for record in read_jsonl(path):
            if "error" in record:
                yield {"source": record.get("source"), "error": record["error"]}
            else:
                yield from flatten_record(record)
        return
    if suffix == ".csv":
        yield from _csv_rows(path)
    elif suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        yield from pq.read_table(path).to_pylist()
    else:
        raise ValueError(
            f"{path}: the report reads batch output: .jsonl records, or .csv / .parquet item tables"
        )
    errors = errors_path(path)
    if errors.exists():
        for record in read_jsonl(errors):
            yield {"source": record.get("source"), "error": record.get("error") or "error"}


def _csv_rows(path: Path) -> Iterator[dict[str, Any]]:
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"item_index", "item_decision", "item_category"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: not an imrnlp batch CSV (no {', '.join(sorted(missing))})")
        for raw in reader:
            row: dict[str, Any] = {}
            for key, value in raw.items():
                if value == "":
                    row[key] = None
                elif key in BOOL_COLUMNS:
                    row[key] = value == "true"
                elif key in INT_COLUMNS:
                    row[key] = int(value)
                else:
                    row[key] = value
            yield row


def load_stats(path: str | Path) -> CorpusStats:
    """`corpus_stats` of a batch output file (JSONL, CSV or Parquet)."""
    return corpus_stats(read_rows(path))


# ------------------------------------------------------------------------------------------------
# tables and charts


def _sorted(groups: dict[str, Group], top: int | None = None) -> list[tuple[str, Group]]:
    out = sorted(groups.items(), key=lambda kv: (-kv[1].items, kv[0]))
    return out[:top] if top else out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _rate(k: int, n: int) -> tuple[str, str]:
    """('12.5%', '8.1-18.7%') or dashes when n is 0."""
    if not n:
        return "—", "—"
    lo, hi = wilson(k, n)
    return _pct(k / n), f"{100 * lo:.1f}-{100 * hi:.1f}%"


def tables(s: CorpusStats) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table in the report."""
    rate, ci = _rate(s.overturned, s.items)
    summary = [
        ["Letters", str(s.letters)],
        ["Letters with no disputed item found", str(s.letters_without_items)],
        ["Files that could not be read (skipped)", str(s.errors)],
        ["Disputed items", str(s.items)],
        ["Items upheld", str(s.items - s.overturned)],
        ["Items overturned", str(s.overturned)],
        ["Overturn rate (95% Wilson interval)", f"{rate} ({ci})"],
        ["Drug items", str(s.drug_items)],
        ["Drug items whose name the vocabulary does not know", str(s.unknown_drug_items)],
    ]
    out = [("Summary", ["", "value"], summary)]
    shares = s.shares()
    published = []
    for key, measure, value, year, source in PUBLISHED:
        k, n = shares[key]
        here, here_ci = _rate(k, n)
        mark = " *" if n < SMALL_N else ""
        published.append(
            [
                measure,
                f"{here}{mark}",
                f"{k}/{n}",
                here_ci,
                _pct(value) if value is not None else "88-91%",
                year,
                source,
            ]
        )
    out.append(
        (
            "This folder beside the published California figures",
            ["measure", "here", "count", "95% interval", "published", "year", "source"],
            published,
        )
    )

    def grouped(title: str, key: str, groups: dict[str, Group], top: int | None = None) -> None:
        total = (
            s.drug_items
            if groups in (s.by_ingredient, s.by_drug_class, s.by_medication)
            else s.items
        )
        rows = []
        for k, g in _sorted(groups, top):
            lo, hi = g.interval
            rows.append(
                [
                    k + (" *" if g.small else ""),
                    str(g.items),
                    _pct(g.items / total) if total else "—",
                    str(g.overturned),
                    _pct(g.share_overturned),
                    f"{100 * lo:.1f}-{100 * hi:.1f}%",
                ]
            )
        header = [key, "items", "share", "overturned", "overturn rate", "95% interval"]
        out.append((title, header, rows))

    grouped("By category", "category", s.by_category)
    grouped("Drug items by class (share of drug items)", "drug class", s.by_drug_class)
    grouped(
        f"Drug items by ingredient (top {TOP_MEDICATIONS}; share of drug items)",
        "ingredient",
        s.by_ingredient,
        TOP_MEDICATIONS,
    )
    grouped(
        f"Drug items by product (ingredients; top {TOP_MEDICATIONS})",
        "drug",
        s.by_medication,
        TOP_MEDICATIONS,
    )
    grouped("By reviewer specialty (first listed)", "specialty", s.by_specialty)
    grouped("By MTUS part cited by the reviewer", "MTUS part", s.by_mtus_part)
    grouped("By non-MTUS source cited by the reviewer", "source", s.by_source)
    grouped("By decision year", "year", s.by_year)
    return out


NOTES = (
    f"* fewer than {SMALL_N} items: the rate is too uncertain to compare. Intervals are 95% Wilson "
    "score intervals. " + WHY_DIFFERENT
)


def charts(s: CorpusStats) -> list[tuple[str, bytes]]:
    """(name, PNG bytes) of each chart: overturn rates with intervals by category, drug class and
    specialty; drug shares beside the published figures. Okabe-Ito colours."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: list[tuple[str, bytes]] = []

    def save(name: str, fig: Any) -> None:
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        out.append((name, buf.getvalue()))

    def rates(name: str, title: str, groups: list[tuple[str, Group]]) -> None:
        if not groups:
            return
        groups = groups[::-1]
        labels = [f"{k} (n={g.items}{', small' if g.small else ''})" for k, g in groups]
        values = [100 * g.share_overturned for _, g in groups]
        lows = [100 * (g.share_overturned - g.interval[0]) for _, g in groups]
        highs = [100 * (g.interval[1] - g.share_overturned) for _, g in groups]
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(labels) + 1.4), dpi=100)
        colors = [PALETTE["ref"] if g.small else PALETTE["rate"] for _, g in groups]
        ax.barh(labels, values, xerr=[lows, highs], color=colors, ecolor="#333333", capsize=2)
        ax.set_title(title)
        ax.set_xlabel("overturn rate, % (95% Wilson interval; pink: fewer than 10 items)")
        ax.set_xlim(0, 100)
        save(name, fig)

    rates("category", "Overturn rate by category", _sorted(s.by_category))
    rates("drug_class", "Overturn rate by drug class", _sorted(s.by_drug_class))
    rates("specialty", "Overturn rate by reviewer specialty", _sorted(s.by_specialty, 15))
    shares = s.shares()
    rows = [(m, v, y, shares[k]) for k, m, v, y, _ in PUBLISHED if v is not None]
    if rows and s.items:
        fig, ax = plt.subplots(figsize=(8, 0.5 * len(rows) + 1.4), dpi=100)
        ys = list(range(len(rows)))[::-1]
        here = [100 * k / n if n else 0 for _, _, _, (k, n) in rows]
        err_lo, err_hi = [], []
        for (_, _, _, (k, n)), h in zip(rows, here, strict=True):
            lo, hi = wilson(k, n)
            err_lo.append(h - 100 * lo if n else 0)
            err_hi.append(100 * hi - h if n else 0)
        ax.barh(
            [y + 0.2 for y in ys],
            here,
            height=0.4,
            xerr=[err_lo, err_hi],
            color=PALETTE["upheld"],
            label="this folder (95% interval)",
            capsize=2,
        )
        ax.barh(
            [y - 0.2 for y in ys],
            [100 * v for _, v, _, _ in rows],
            height=0.4,
            color=PALETTE["overturned"],
            label="published",
        )
        ax.set_yticks(ys, [f"{m} ({y})" for m, _, y, _ in rows], fontsize=8)
        ax.set_xlabel("percent")
        ax.set_title("Drug shares beside the published California figures")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
        save("published", fig)
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
    parts.append(f"<p>{html.escape(NOTES)}</p>")
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
    lines += [NOTES, ""]
    pngs = charts(s)
    if pngs:
        lines += ["## Charts", ""]
    for name, png in pngs:
        img = output.with_name(f"{output.stem}_{name}.png")
        img.write_bytes(png)
        lines += [f"![{name}]({img.name})", ""]
    return "\n".join(lines)


def write_report(records: str | Path, output: str | Path) -> CorpusStats:
    """Write the report of a batch output file (JSONL, CSV or Parquet) as HTML (.html/.htm) or
    Markdown (.md)."""
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
