"""Letters without a text layer: page images read by OCR, laid out, repaired, and recorded.

The scans and faxes of real letters are made here, in a temporary folder, from the corpus PDFs
(`imrnlp.scans`); none is kept. Tests that run Tesseract skip when it is not installed."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import imrnlp
from imrnlp import ocr as ocr_mod
from imrnlp.cli import app
from imrnlp.errors import OcrUnavailableError, PdfError, ReadError
from imrnlp.gold import _norm, load_gold, score
from imrnlp.ocr import Fragment, layout, repair
from imrnlp.readers import read_file
from imrnlp.scans import make_scan

REPO = Path(__file__).resolve().parent.parent


def _frag(x0: float, y0: float, text: str, conf: float = 0.95) -> Fragment:
    return Fragment(x0, y0, x0 + 12 * len(text), y0 + 30, text, conf)


# -- layout -------------------------------------------------------------------------------------


def test_layout_pairs_header_labels_with_their_values():
    # two columns of a header table, each cell a fragment, values a few pixels off their labels
    fragments = [
        _frag(900, 302, "Date of Injury:"),
        _frag(200, 300, "Date Assigned:"),
        _frag(500, 303, "11/09/2016"),
        _frag(1180, 299, "10/13/2016"),
        _frag(200, 264, "Case Number:"),
        _frag(500, 262, "CM99-0000001"),
    ]
    assert layout(fragments) == (
        "Case Number: CM99-0000001\nDate Assigned: 11/09/2016 Date of Injury: 10/13/2016"
    )


def test_layout_keeps_tilted_lines_of_a_fax_apart():
    # two full-width lines, 38 px apart, each box 45 px high from a half-degree tilt
    first = Fragment(200, 500, 1500, 545, "first line of the paragraph", 0.9)
    second = Fragment(200, 538, 1500, 583, "second line of the paragraph", 0.9)
    assert layout([second, first]).splitlines() == [first.text, second.text]


# -- repairs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("HOWTHEIMRFINALDETERMINATIONWASMADE", "HOW THE IMR FINAL DETERMINATION WAS MADE"),
        ("CLINICALCASE SUMMARY", "CLINICAL CASE SUMMARY"),
        ("Claims Administrator guidellne: MTUS", "Claims Administrator guideline: MTUS"),
        ("_DateAssigned:11/09/2016", "Date Assigned: 11/09/2016"),
        ("Decision rationale; The request", "Decision rationale: The request"),
        # an item's heading: ';' is ':' there
        ("Knee brace; hinged; Upheld", "Knee brace: hinged: Upheld"),
        ("Norco 10/325mg #60 ;Overturned", "Norco 10/325mg #60: Overturned"),
        ("tenderness; spasm; upheld by", "tenderness; spasm; upheld by"),
        # no heading: a near miss running into a word, and a line already as written
        ("Prioritized care was given", "Prioritized care was given"),
        ("Case Number: CM99-0000001", "Case Number: CM99-0000001"),
    ],
)
def test_headings_are_respelled_when_ocr_runs_words_together(line, expected):
    assert repair(line)[0] == expected


def test_case_numbers_and_dates_are_repaired_with_a_warning():
    text, warnings = repair("Case Number: CM16-O2l3O37\nDate Assigned: 1l/O9/2016 and 5/S/16")
    assert text == "Case Number: CM16-0213037\nDate Assigned: 11/09/2016 and 5/5/16"
    assert any("CM16-O2l3O37" in w and "CM16-0213037" in w for w in warnings)
    assert any("1l/O9/2016" in w for w in warnings) and len(warnings) == 3


def test_a_comma_read_as_a_period_is_put_back():
    text, _ = repair("after testing. after failure. The exam; Dr. smith and e.g. this")
    assert text == "after testing, after failure. The exam; Dr. smith and e.g. this"


def test_words_that_look_like_dates_are_left_alone():
    text, warnings = repair("I/O ratio and S/Sx noted, l-S-I")
    assert text == "I/O ratio and S/Sx noted, l-S-I" and not warnings


def test_prepare_takes_out_table_rules_and_specks():
    np = pytest.importorskip("numpy")
    from PIL import Image

    page = np.full((400, 800), 255, np.uint8)
    page[100:103, 50:750] = 0  # a table rule
    page[200:230, 100:115] = 0  # a letter's stroke
    page[300, 300] = 0  # a speck
    out = np.asarray(ocr_mod.prepare(Image.fromarray(page)))
    assert out[101, 400] == 255 and out[300, 300] == 255
    assert out[215, 107] == 0


# -- reading files with a stand-in engine -------------------------------------------------------


class _TextEngine:
    """A stand-in OCR engine that 'reads' a known text: one fragment per line."""

    name = "stand-in 1.0"

    def __init__(self, text: str, conf: float = 0.93) -> None:
        self.lines = text.splitlines()
        self.conf = conf

    def read(self, image):
        return [_frag(100, 40 * n, line, self.conf) for n, line in enumerate(self.lines) if line]


def _blank_scan(path: Path, pages: int = 1) -> Path:
    from PIL import Image

    images = [Image.new("L", (850, 1100), 255) for _ in range(pages)]
    images[0].save(path, "PDF", resolution=100, save_all=True, append_images=images[1:])
    return path


@pytest.fixture
def stand_in(monkeypatch, sample_text):
    engine = _TextEngine(sample_text.replace("CM99-0000001", "CM99-OOOOOO1"))
    monkeypatch.setattr(ocr_mod, "get_engine", lambda name="tesseract": engine)
    return engine


def test_an_image_only_pdf_is_read_by_ocr_with_no_extra_argument(tmp_path, stand_in):
    scan = _blank_scan(tmp_path / "scan.pdf", pages=2)
    letter = read_file(scan)
    record = imrnlp.extract_file(scan)
    assert record.ocr is not None and record.ocr.pages == [1, 2] and record.ocr.page_count == 2
    assert record.ocr.engine == "stand-in 1.0" and record.ocr.mean_confidence == 0.93
    assert record.case_number == "CM99-0000001"  # repaired, and said so
    assert any("CM99-OOOOOO1" in w for w in record.warnings)
    assert record.items and record.items[0].decision
    # evidence offsets point into the OCR text
    ev = record.field_evidence["case_number"]
    assert letter.text[ev.start : ev.end] == ev.text == "CM99-0000001"


def test_low_confidence_pages_are_named(tmp_path, monkeypatch, sample_text):
    monkeypatch.setattr(ocr_mod, "get_engine", lambda name="tesseract": _TextEngine("x y", 0.4))
    record = imrnlp.extract_file(_blank_scan(tmp_path / "scan.pdf"))
    assert any("confidence on page 1 is low" in w for w in record.warnings)


class _FailingEngine:
    name = "failing 0.1"

    def read(self, image):
        raise RuntimeError("the engine crashed")


@pytest.mark.parametrize(
    ("engine", "warning"),
    [(_TextEngine(""), "OCR found no text on page 1"), (_FailingEngine(), "engine crashed")],
)
def test_a_blank_or_unreadable_page_gives_a_record_with_warnings(
    tmp_path, monkeypatch, engine, warning
):
    monkeypatch.setattr(ocr_mod, "get_engine", lambda name="tesseract": engine)
    record = imrnlp.extract_file(_blank_scan(tmp_path / "scan.pdf"))
    assert record.ocr is not None and record.ocr.pages == [1] and not record.items
    assert any(warning in w for w in record.warnings)
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "scan.pdf")])
    assert result.exit_code == 0 and warning in result.stdout


def test_pages_read_at_once_keep_their_order(tmp_path, monkeypatch, sample_text):
    class _PageEngine:
        name = "pages"
        calls = 0

        def read(self, image):
            _PageEngine.calls += 1
            return [_frag(100, 40, f"page with {image.size[0]} px")]

    from PIL import Image

    images = [(n, Image.new("L", (100 + n, 50), 255)) for n in range(1, 6)]
    result = ocr_mod.read_images(iter(images), _PageEngine(), workers=3)
    assert list(result.pages) == [1, 2, 3, 4, 5] and _PageEngine.calls == 5
    assert [p.text for p in result.pages.values()] == [
        f"page with {100 + n} px" for n in range(1, 6)
    ]
    monkeypatch.setenv("IMRNLP_OCR_WORKERS", "3")
    assert ocr_mod.page_workers() == 3


def test_image_files_and_multipage_tiffs_are_letters(tmp_path, stand_in):
    from PIL import Image

    pages = [Image.new("1", (850, 1100), 1) for _ in range(3)]
    tiff = tmp_path / "fax.tif"
    pages[0].save(tiff, save_all=True, append_images=pages[1:], compression="group4")
    png = tmp_path / "page.png"
    pages[0].save(png)
    assert imrnlp.extract_file(tiff).ocr.pages == [1, 2, 3]
    assert imrnlp.extract_file(png).case_number == "CM99-0000001"


def test_text_layer_pdfs_are_not_read_by_ocr_unless_asked(tmp_path, monkeypatch, corpus):
    def no_engine(name="tesseract"):
        raise AssertionError("OCR ran on a PDF with a text layer")

    monkeypatch.setattr(ocr_mod, "get_engine", no_engine)
    pdf = corpus / "dwc-imr-2017" / "pdf" / "CM16-0213037.pdf"
    assert imrnlp.extract_file(pdf).ocr is None
    with pytest.raises(AssertionError, match="OCR ran"):
        imrnlp.extract_file(pdf, ocr="always")


def test_ocr_never_refuses_a_scan(tmp_path):
    scan = _blank_scan(tmp_path / "scan.pdf")
    with pytest.raises(PdfError, match=r"no text layer.*--ocr never"):
        imrnlp.extract_file(scan, ocr="never")
    with pytest.raises(ValueError, match="ocr must be one of"):
        imrnlp.extract_file(scan, ocr="sometimes")  # type: ignore[arg-type]


def test_a_scan_without_an_ocr_engine_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    ocr_mod.get_engine.cache_clear()
    try:
        with pytest.raises(OcrUnavailableError, match=r"imrnlp\[ocr\].*tesseract") as e:
            imrnlp.extract_file(_blank_scan(tmp_path / "scan.pdf"))
    finally:
        ocr_mod.get_engine.cache_clear()
    assert isinstance(e.value, ReadError)  # the CLI reports it as an unreadable letter


def test_a_broken_image_is_a_clear_error(tmp_path):
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(ReadError, match="could not be opened"):
        imrnlp.extract_file(bad)
    result = CliRunner().invoke(app, ["extract", str(bad)])
    assert result.exit_code == 1 and "could not be opened" in result.stderr


def test_cli_takes_ocr_on_extract_show_batch_annotate(tmp_path, stand_in):
    scan = _blank_scan(tmp_path / "scan.pdf")
    runner = CliRunner()
    assert runner.invoke(app, ["extract", str(scan), "--ocr", "never"]).exit_code == 1
    assert runner.invoke(app, ["extract", str(scan), "--ocr", "bogus"]).exit_code == 2
    result = runner.invoke(app, ["extract", str(scan), "--ocr", "auto", "-f", "jsonl"])
    assert result.exit_code == 0 and '"engine": "stand-in 1.0"' in result.stdout
    table = runner.invoke(app, ["extract", str(scan), "-f", "table"])
    assert "read by OCR" in table.stdout and "stand-in 1.0" in table.stdout
    page = tmp_path / "page.html"
    assert runner.invoke(app, ["show", str(scan), "-o", str(page), "--ocr", "auto"]).exit_code == 0
    assert "Read by OCR" in page.read_text(encoding="utf8")
    out = tmp_path / "out.jsonl"
    assert (
        runner.invoke(app, ["batch", str(tmp_path), "-o", str(out), "--ocr", "auto"]).exit_code == 0
    )
    assert '"stand-in 1.0"' in out.read_text(encoding="utf8")
    ann = tmp_path / "pre.jsonl"
    result = runner.invoke(app, ["annotate", str(scan), "-o", str(ann), "--ocr", "never"])
    assert result.exit_code == 1 and "could not be read" in result.stderr


# -- real letters, rendered here, read by Tesseract ----------------------------------------------

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None or importlib.util.find_spec("pytesseract") is None,
    reason="OCR not installed: pip install 'imrnlp[ocr]' and apt-get install tesseract-ocr",
)

#: two two-page gold letters: two items; a drug with a partial authorization
LETTERS = ("CM16-0213037", "CM16-0233904")


def _key(record):
    return [(i.decision, _norm(i.request)) for i in record.items]


@needs_tesseract
@pytest.mark.parametrize(("kind", "suffix", "bar"), [("scan", ".pdf", 0.97), ("fax", ".tif", 0.93)])
def test_rendered_gold_letters_read_by_tesseract(tmp_path, corpus, kind, suffix, bar):
    gold = load_gold(REPO / "gold" / "records")
    pairs = []
    for case in LETTERS:
        pdf = corpus / "dwc-imr-2017" / "pdf" / f"{case}.pdf"
        scan = make_scan(pdf, tmp_path, kind, suffix=suffix)  # type: ignore[arg-type]
        record = imrnlp.extract_file(scan)
        assert record.ocr is not None and record.ocr.engine.startswith("tesseract")
        assert record.ocr.pages == [1, 2] and record.ocr.mean_confidence > 0.85
        # a scan and its text-layer PDF: the same decisions and requests
        assert _key(record) == _key(imrnlp.extract_file(pdf))
        pairs.append((record, gold[case]))
    result = score(pairs)
    assert result["accuracy"] >= bar, result["failures"]
    decisions = result["decisions_right"].split("/")
    assert decisions[0] == decisions[1]
