"""`imrnlp show` (review page) and `imrnlp report` (corpus report)."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

import imrnlp
from imrnlp.cli import app
from imrnlp.readers import read_letter
from imrnlp.report import corpus_stats, load_stats, wilson, write_report


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()


class _Page(HTMLParser):
    """Collects letter segments (offsets, classes, text) and clickable values (offsets)."""

    def __init__(self) -> None:
        super().__init__()
        self.segs: list[dict] = []
        self.vals: list[tuple[int, int]] = []
        self._in_seg = False
        self.external = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag in ("script", "link", "img") and (a.get("src") or a.get("href") or "").startswith(
            ("http:", "https:", "//")
        ):
            self.external = True
        if "seg" in cls:
            self.segs.append(
                {
                    "start": int(a["data-start"]),
                    "end": int(a["data-end"]),
                    "ents": (a.get("data-ents") or "").split(),
                    "text": "",
                }
            )
            self._in_seg = True
        elif "val" in cls:
            self.vals.append((int(a["data-start"]), int(a["data-end"])))

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._in_seg = False

    def handle_data(self, data: str) -> None:
        if self._in_seg:
            self.segs[-1]["text"] += data


@pytest.fixture(scope="module")
def letter(corpus: Path) -> Path:
    pdfs = sorted((corpus / "dwc-imr-2017" / "pdf").glob("*.pdf"))
    if not pdfs:
        pytest.skip("no PDF letters in the corpus")
    return pdfs[0]


def test_show_highlights_match_evidence(letter: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    result = _runner().invoke(app, ["show", str(letter), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    text, _ = read_letter(letter)
    record = imrnlp.extract_file(letter)
    p = _Page()
    p.feed(html)
    assert not p.external and "<style>" in html and "<script>" in html
    # the segments are the letter, in order, each holding text[start:end]
    assert "".join(s["text"] for s in p.segs) == text.replace("\f", "\n")
    for s in p.segs:
        assert s["text"] == text[s["start"] : s["end"]].replace("\f", "\n")
    # every entity is covered exactly by the segments that name it
    for i, e in enumerate(record.entities):
        covered = [s for s in p.segs if str(i) in s["ents"]]
        assert covered, e
        assert (covered[0]["start"], covered[-1]["end"]) == (e.start, e.end)
    # clickable values point at the record's evidence
    # (a request, a decision, a conclusion: just its own words, not the whole item block)
    evidence = {(it.request_evidence.start, it.request_evidence.end) for it in record.items}
    evidence |= {(it.decision_evidence.start, it.decision_evidence.end) for it in record.items}
    evidence |= {(it.conclusion_evidence.start, it.conclusion_evidence.end) for it in record.items}
    evidence |= {(d.evidence.start, d.evidence.end) for d in record.diagnoses}
    blocks = {(it.evidence.start, it.evidence.end) for it in record.items}
    assert not blocks & set(p.vals)  # no click boxes a whole item
    assert evidence <= set(p.vals)
    bounds = {s["start"] for s in p.segs} | {p.segs[-1]["end"]}
    for start, end in p.vals:
        assert start in bounds and end in bounds  # a click highlights exactly the evidence


def test_show_unreadable_letter(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    result = _runner().invoke(app, ["show", str(bad), "-o", str(tmp_path / "p.html")])
    assert result.exit_code == 1 and not (tmp_path / "p.html").exists()


@pytest.fixture(scope="module")
def records(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pdfs = sorted((corpus / "dwc-imr-2017" / "pdf").glob("*.pdf"))[:6]
    out = tmp_path_factory.mktemp("report") / "records.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for p in pdfs:
            f.write(json.dumps(imrnlp.extract_file(p).model_dump(mode="json")) + "\n")
        f.write(json.dumps({"source": "broken.pdf", "error": "not a readable PDF"}) + "\n")
    return out


def test_report_html_with_images(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = _runner().invoke(app, ["report", str(records), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert len(re.findall(r"<img [^>]*src='data:image/png;base64,", html)) >= 2
    assert "88-91%" in html and "47.9%" in html and "29.1%" in html and "6.5%" in html
    assert "95% interval" in html and "By reviewer specialty" in html
    assert "Drug items by ingredient" in html and "Drug items by class" in html
    assert "early-claim care" in html  # why a folder can differ from the published figures


def test_report_markdown_writes_pngs(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    stats = write_report(records, out)
    assert stats.errors == 1 and stats.letters == 6
    md = out.read_text(encoding="utf-8")
    for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md):
        assert (tmp_path / link).read_bytes().startswith(b"\x89PNG")


def test_corpus_stats_counts() -> None:
    rows = [
        {"error": "x", "source": "a"},
        {
            "reviewer": {"specialty": "Orthopedic Surgery"},
            "items": [
                {
                    "decision": "overturned",
                    "category": "medication",
                    "medication": {
                        "name": "Norco",
                        "ingredients": ["hydrocodone", "acetaminophen"],
                        "opioid": True,
                        "compounded": False,
                        "drug_classes": ["opioid", "non_opioid_analgesic"],
                        "known": True,
                    },
                    "reviewer_guideline": {
                        "citations": [
                            {"mtus": True, "part": "Opioids"},
                            {"mtus": False, "source": "ODG"},
                        ]
                    },
                },
                {"decision": "upheld", "category": "imaging"},
            ],
        },
        {"items": []},
    ]
    s = corpus_stats(rows)
    assert (s.letters, s.errors, s.items, s.overturned, s.letters_without_items) == (2, 1, 2, 1, 1)
    assert s.by_category["medication"].share_overturned == 1.0
    assert s.by_mtus_part["Opioids"].items == 1 and s.by_source["ODG"].items == 1
    assert s.by_medication["hydrocodone+acetaminophen"].overturned == 1
    assert s.by_ingredient["acetaminophen"].items == 1 and s.by_drug_class["opioid"].items == 1
    assert (s.drug_items, s.opioid_items, s.compounded_items) == (1, 1, 0)
    assert s.by_specialty["Orthopedic Surgery"].items == 2
    assert s.by_category["imaging"].small  # fewer than 10 items: marked


def test_wilson_interval() -> None:
    # Wilson score interval for 2/10 (95%): 0.0567 to 0.5098
    lo, hi = wilson(2, 10)
    assert round(lo, 4) == 0.0567 and round(hi, 4) == 0.5098
    assert wilson(0, 0) == (0.0, 0.0) and wilson(0, 5)[0] == 0.0


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_report_reads_batch_tables(fmt: str, records: Path, tmp_path: Path) -> None:
    """The report of batch's CSV or Parquet equals the report of its JSONL."""
    from imrnlp.batch import errors_path, flatten_record, read_jsonl, write_csv, write_parquet

    ok = [r for r in read_jsonl(records) if "error" not in r]
    rows = [row for rec in ok for row in flatten_record(rec)]
    table = tmp_path / f"items.{fmt}"
    (write_csv if fmt == "csv" else write_parquet)(rows, table)
    errors_path(table).write_text(json.dumps({"source": "x.pdf", "error": "bad"}) + "\n")
    got, want = load_stats(table), load_stats(records)
    assert (got.letters, got.items, got.drug_items, got.errors) == (
        want.letters,
        want.items,
        want.drug_items,
        want.errors,
    )
    assert got.by_category == want.by_category and got.by_ingredient == want.by_ingredient
    out = tmp_path / "report.html"
    assert _runner().invoke(app, ["report", str(table), "-o", str(out)]).exit_code == 0


def test_report_refuses_other_files(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    result = _runner().invoke(app, ["report", str(other), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and ".csv / .parquet" in result.output


def test_report_missing_input(tmp_path: Path) -> None:
    result = _runner().invoke(
        app, ["report", str(tmp_path / "no.jsonl"), "-o", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 1


def test_show_sample_letter(tmp_path: Path) -> None:
    from imrnlp.cli import sample_letter_path

    letter = tmp_path / "sample.txt"
    shutil.copy(sample_letter_path(), letter)
    page = tmp_path / "sample.html"
    assert _runner().invoke(app, ["show", str(letter), "-o", str(page)]).exit_code == 0
    assert "CM99-0000001" in page.read_text(encoding="utf-8")
