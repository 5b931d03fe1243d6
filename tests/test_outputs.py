"""Every output valid, every failure loud: what a new user ran into (issue 10)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import imrnlp
from imrnlp import show
from imrnlp.cli import app, sample_letter_path
from imrnlp.errors import NotALetterError, ReadError
from imrnlp.labels import ENTITY_LABELS


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    path = tmp_path / "CM99-0000001.txt"
    shutil.copy(sample_letter_path(), path)
    return path


def _docx(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)  # a zip container, as .docx files are
    return path


def test_extract_several_letters_gives_one_json_array(letter: Path, tmp_path: Path) -> None:
    other = tmp_path / "again.txt"
    shutil.copy(letter, other)
    result = _runner().invoke(app, ["extract", str(letter), str(other), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list) and [r["case_number"] for r in data] == ["CM99-0000001"] * 2
    one = _runner().invoke(app, ["extract", str(letter)])
    assert json.loads(one.stdout)["case_number"] == "CM99-0000001"


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("letter.docx", b"PK\x03\x04" + b"\x00" * 100, "zip container"),
        ("blob.bin", b"abc\x00def" * 50, "binary file"),
    ],
)
def test_a_file_that_is_no_letter_is_refused(tmp_path: Path, name: str, data: bytes, kind: str):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(NotALetterError, match=kind):
        imrnlp.extract_file(path)
    result = _runner().invoke(app, ["extract", str(path)])
    assert result.exit_code == 1 and "not a letter" in result.stderr


def test_batch_names_the_files_it_leaves_out(letter: Path, tmp_path: Path) -> None:
    _docx(letter.parent / "notes.docx")
    out = tmp_path / "out" / "records.jsonl"
    result = _runner().invoke(app, ["batch", str(letter.parent), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "left out 1 file" in result.stderr and "notes.docx" in result.stderr
    assert "1 letter processed" in result.stderr


def test_batch_with_nothing_to_read_fails(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _docx(folder / "a.docx")
    result = _runner().invoke(app, ["batch", str(folder), "-o", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 1 and "no letters" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _runner().invoke(app, ["batch", str(empty), "-o", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 1


def test_batch_does_not_silently_restart_over_an_interrupted_run(letter: Path, tmp_path: Path):
    out = tmp_path / "records.jsonl"
    (tmp_path / "records.jsonl.part.jsonl").write_text('{"source": "x", "error": "y"}\n')
    result = _runner().invoke(app, ["batch", str(letter), "-o", str(out)])
    assert result.exit_code == 2 and "--resume" in result.stderr
    assert (tmp_path / "records.jsonl.part.jsonl").exists()  # nothing lost


def test_batch_interrupted_says_how_to_go_on(
    letter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import imrnlp.batch

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(imrnlp.batch, "run_batch", interrupted)
    result = _runner().invoke(app, ["batch", str(letter), "-o", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 130 and "--resume" in result.stderr


def test_gold_without_gold_records_fails(letter: Path, tmp_path: Path) -> None:
    result = _runner().invoke(
        app, ["gold", str(letter.parent), "--suffix", ".txt", "--gold", str(tmp_path / "none")]
    )
    assert result.exit_code == 1 and "no such folder of gold records" in result.stderr
    (tmp_path / "empty").mkdir()
    result = _runner().invoke(
        app, ["gold", str(letter.parent), "--suffix", ".txt", "--gold", str(tmp_path / "empty")]
    )
    assert result.exit_code == 1 and "no gold records" in result.stderr


def test_gold_lists_each_miss_with_expected_and_got(letter: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    record = {"case_number": "CM99-0000001", "priority": "Expedited", "items": []}
    (gold / "CM99-0000001.json").write_text(json.dumps(record))
    result = _runner().invoke(
        app, ["gold", str(letter.parent), "--suffix", ".txt", "--gold", str(gold)]
    )
    assert result.exit_code == 0, result.stderr
    assert "misses" in result.stdout and "header.priority" in result.stdout
    assert '"Expedited"' in result.stdout and '"Standard"' in result.stdout


def test_annotate_fails_when_a_file_was_left_out(letter: Path, tmp_path: Path) -> None:
    bad = _docx(letter.parent / "bad.txt")  # a zip named .txt
    result = _runner().invoke(
        app, ["annotate", str(letter), str(bad), "-o", str(tmp_path / "pre.jsonl")]
    )
    assert result.exit_code == 1 and "could not be read" in result.stderr
    assert len((tmp_path / "pre.jsonl").read_text().splitlines()) == 1


def test_a_path_given_as_text_is_named(letter: Path) -> None:
    record = imrnlp.extract(str(letter))
    assert any("extract_file" in w for w in record.warnings)
    assert not any("extract_file" in w for w in imrnlp.extract(letter.read_text()).warnings)


def test_a_missing_file_is_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        imrnlp.extract_file(tmp_path / "nowhere.pdf")
    with pytest.raises(ReadError):
        imrnlp.extract_file(tmp_path / "nowhere.pdf")


def test_review_page_colours_every_entity_label() -> None:
    assert set(ENTITY_LABELS) <= set(show.COLORS)


_SNIPPET = """Case Number:          CM99-0000002
Date Assigned:        03/02/2017                      Date of Injury:      06/14/2015

The Expert Reviewer has the following credentials:
State(s) of Licensure: California
Certification(s)/Specialty: Physical Medicine & Rehabilitation, Pain Management, Occupational
Medicine

                                CLINICAL CASE SUMMARY
The injured worker is a 40 year old male with back pain.

                      IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Lumbar MRI: Upheld

Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.

MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004.

Decision rationale: The request for a lumbar MRI is not medically necessary.
"""


def test_a_wrapped_specialty_is_read_whole() -> None:
    record = imrnlp.extract(_SNIPPET)
    assert record.reviewer.specialty == (
        "Physical Medicine & Rehabilitation, Pain Management, Occupational Medicine"
    )


def test_a_one_sentence_rationale_gives_the_conclusion_without_its_label() -> None:
    item = imrnlp.extract(_SNIPPET).items[0]
    assert item.conclusion == "The request for a lumbar MRI is not medically necessary."


def test_an_empty_pdf_is_called_empty(tmp_path: Path) -> None:
    empty = tmp_path / "letter.pdf"
    empty.write_bytes(b"")
    result = _runner().invoke(app, ["extract", str(empty)])
    assert result.exit_code == 1 and "empty" in result.stderr


def test_pdf_errors_have_no_doubled_punctuation(tmp_path: Path) -> None:
    broken = tmp_path / "letter.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    result = _runner().invoke(app, ["extract", str(broken)])
    assert (
        result.exit_code == 1
        and ".)" not in result.stderr
        and "not a readable PDF" in result.stderr
    )


def test_batch_usage_errors_come_before_any_progress_bar(letter: Path, tmp_path: Path) -> None:
    result = _runner().invoke(app, ["batch", str(letter), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 2 and "letters" not in result.stderr.split("error")[0]
    result = _runner().invoke(
        app, ["batch", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o.jsonl")]
    )
    assert result.exit_code == 1 and "no such file or folder" in result.stderr
