"""extract() never raises on a str; bad files get clear imrnlp errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import imrnlp
from imrnlp import PdfError, ReadError, api
from imrnlp.api import INTERNAL_ERROR, MAX_CHARS


def _no_internal_error(record: imrnlp.CaseRecord) -> imrnlp.CaseRecord:
    """The record, after checking that no bug in imrnlp emptied it (extract turns an exception
    in the pipeline or the assembler into a warning)."""
    assert not [w for w in record.warnings if w.startswith(INTERNAL_ERROR)]
    return record


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t  ",
        "\x00\x01\x02 \x1b[31m red \x7f",
        "Hello, this is a shopping list: eggs, milk.",
        "Case Number: CM16-\nDate Assigned: 13/45/2016\n: Upheld\n: Overturned",
    ],
)
def test_odd_text_gives_a_record_with_warnings(text):
    record = _no_internal_error(imrnlp.extract(text))
    assert record.warnings


def test_half_a_letter(sample_text):
    record = _no_internal_error(imrnlp.extract(sample_text[: len(sample_text) // 2]))
    assert record.case_number == "CM99-0000001"
    assert len(record.items) <= 1


def test_huge_text(sample_text):
    record = _no_internal_error(imrnlp.extract(sample_text * 60))
    assert record.case_number == "CM99-0000001"


#: A short self-written snippet, repeated to the length a test needs.
SNIPPET = "The worker asks for a cane. "


def _text_of(n: int) -> str:
    return (SNIPPET * (n // len(SNIPPET) + 1))[:n]


def test_text_over_max_chars_is_cut_with_a_warning() -> None:
    text, warnings = api._prepare(_text_of(MAX_CHARS + 1))
    assert len(text) == MAX_CHARS
    assert warnings == [f"text of {MAX_CHARS + 1} characters cut to the first {MAX_CHARS}"]


def test_text_of_max_chars_is_whole() -> None:
    text, warnings = api._prepare(_text_of(MAX_CHARS))
    assert len(text) == MAX_CHARS and warnings == []


def test_extract_cuts_at_max_chars(monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end at a small limit (the pipeline on 2 million characters would be slow)."""
    monkeypatch.setattr(api, "MAX_CHARS", 280)
    over = _no_internal_error(imrnlp.extract(_text_of(281)))
    assert "text of 281 characters cut to the first 280" in over.warnings
    at = _no_internal_error(imrnlp.extract(_text_of(280)))
    assert not any("cut to the first" in w for w in at.warnings)


@pytest.mark.parametrize("value", [None, b"bytes", 42, ["a list"]])
def test_non_str_is_a_type_error_naming_the_type(value):
    with pytest.raises(TypeError, match=type(value).__name__):
        imrnlp.extract(value)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_never_raises_on_any_str(text):
    _no_internal_error(imrnlp.extract(text))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Case Number:",
                "CM16-0000001",
                "Upheld",
                ":",
                "\n",
                "Decision rationale:",
                "MAXIMUS guideline:",
                "MTUS",
                "07/17/2013",
                "L4-5",
                "The diagnoses include",
                "rule out",
                ",",
                ".",
                "Norco 10/325mg #60",
                "IMR ISSUES, DECISIONS AND RATIONALES",
            ]
        ),
        max_size=40,
    )
)
def test_never_raises_on_letter_like_noise(words):
    _no_internal_error(imrnlp.extract(" ".join(words)))


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        imrnlp.extract_file(tmp_path / "nope.pdf")


def test_truncated_pdf(tmp_path, corpus):
    src = next((corpus / "dwc-imr-2017" / "pdf").glob("*.pdf")).read_bytes()
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes(src[: len(src) // 3])
    with pytest.raises(PdfError, match=r"truncated|not a readable PDF|could not be read"):
        imrnlp.extract_file(bad)


def test_pdf_without_text_layer(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(612, 792)
    path = tmp_path / "scan.pdf"
    pdf.save(str(path))
    with pytest.raises(PdfError, match="no text layer"):
        imrnlp.extract_file(path)


def test_password_pdf(tmp_path, corpus):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(next((corpus / "dwc-imr-2017" / "pdf").glob("*.pdf"))))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", algorithm="AES-256")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as f:
        writer.write(f)
    with pytest.raises(PdfError, match=r"password"):
        imrnlp.extract_file(path)


def test_legacy_encoding_text_file(tmp_path, sample_text):
    path = tmp_path / "letter.txt"
    path.write_bytes(sample_text.replace("Rehabilitation", "Réhabilitation").encode("cp1252"))
    record = _no_internal_error(imrnlp.extract_file(path))
    assert any("Windows-1252" in w for w in record.warnings)
    assert record.reviewer.specialty.startswith("Physical Medicine & Réhabilitation")
    assert record.source == str(path)


def test_corpus_pdf_is_read(corpus):
    pdf = corpus / "dwc-imr-2017" / "pdf" / "CM16-0213037.pdf"
    record = _no_internal_error(imrnlp.extract_file(pdf))
    assert record.case_number == "CM16-0213037"
    assert record.source == str(pdf)


def test_empty_file_is_a_read_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n")
    with pytest.raises(ReadError, match="empty"):
        imrnlp.extract_file(path)
