"""`imrnlp batch`: outputs agree with extract_file; bad files; resume; engines agree."""

from __future__ import annotations

import csv
import datetime
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import imrnlp
from imrnlp.batch import (
    COLUMNS,
    arrow_schema,
    errors_path,
    find_inputs,
    flatten_record,
    part_path,
    read_jsonl,
    run_batch,
    typed_row,
)
from imrnlp.cli import app

N_LETTERS = 6


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()


def _read_csv(path: Path) -> list[dict]:
    """A batch CSV read back: the header is COLUMNS, and each cell parses to its typed value (an
    unquoted empty cell is null, a quoted one the empty string)."""
    import pyarrow.csv as pacsv

    with open(path, newline="", encoding="utf-8") as f:
        assert tuple(next(csv.reader(f))) == COLUMNS
    options = pacsv.ConvertOptions(
        column_types=arrow_schema(), strings_can_be_null=True, quoted_strings_can_be_null=False
    )
    return pacsv.read_csv(path, convert_options=options).to_pylist()


@pytest.fixture(scope="module")
def letters(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a few corpus letters: PDFs at the top, a text one in a subfolder."""
    src = corpus / "dwc-imr-2017"
    pdfs = sorted((src / "pdf").glob("*.pdf"))[: N_LETTERS - 1]
    texts = sorted((src / "text").glob("*.txt"))[-1:]
    if len(pdfs) + len(texts) < N_LETTERS:
        pytest.skip("corpus has too few letters")
    folder = tmp_path_factory.mktemp("letters")
    for p in pdfs:
        shutil.copy(p, folder / p.name)
    (folder / "sub").mkdir()
    for t in texts:
        shutil.copy(t, folder / "sub" / t.name)
    return folder


@pytest.fixture(scope="module")
def expected(letters: Path) -> list[dict]:
    return [imrnlp.extract_file(p).model_dump(mode="json") for p in find_inputs([letters])]


def test_find_inputs_recursive_and_ordered(letters: Path) -> None:
    found = find_inputs([letters, letters / "sub"])
    assert len(found) == N_LETTERS  # the subfolder's letter is not repeated
    assert found[-1].parent.name == "sub"


def test_jsonl_agrees_with_extract_file(letters: Path, expected: list[dict], tmp_path: Path):
    out = tmp_path / "out.jsonl"
    result = _runner().invoke(app, ["batch", str(letters), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # progress and summary go to stderr
    assert list(read_jsonl(out)) == expected
    assert not part_path(out).exists()


def test_csv_agrees_with_extract_file(letters: Path, expected: list[dict], tmp_path: Path):
    out = tmp_path / "out.csv"
    result = _runner().invoke(app, ["batch", str(letters), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = _read_csv(out)
    assert rows == [typed_row(r) for rec in expected for r in flatten_record(rec)]
    assert len(rows) == sum(max(1, len(rec["items"])) for rec in expected)
    assert not errors_path(out).exists()


def test_parquet_agrees_with_extract_file(letters: Path, expected: list[dict], tmp_path: Path):
    import pyarrow.parquet as pq

    out = tmp_path / "out.parquet"
    result = _runner().invoke(app, ["batch", str(letters), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = pq.read_table(out).to_pylist()
    want = [r for rec in expected for r in flatten_record(rec)]
    assert rows == [typed_row({c: r.get(c) for c in COLUMNS}) for r in want]
    assert isinstance(rows[0]["decision_date"], datetime.date)  # dates are dates in Parquet
    first = next(r for r in rows if r["item_index"] is not None)
    assert first["case_number"] and first["item_decision"] in ("upheld", "overturned")


def test_flatten_letter_without_items() -> None:
    rows = flatten_record({"source": "x.txt", "layout": "unknown", "items": []})
    assert len(rows) == 1
    assert rows[0]["n_items"] == 0 and rows[0]["item_index"] is None


def test_flatten_lists_and_citations() -> None:
    cite = {"mtus": True, "source": "MTUS", "part": "Neck and Upper Back Complaints"}
    rec = {
        "items": [
            {
                "request": "C5-6 ESI",
                "decision": "overturned",
                "levels": ["C5-C6", "C6-C7"],
                "reviewer_guideline": {
                    "kind": "mtus+non_mtus",
                    "citations": [cite, {"mtus": False, "source": "ODG"}],
                },
            }
        ]
    }
    (row,) = flatten_record(rec)
    assert row["item_levels"] == "C5-C6;C6-C7"
    assert row["item_reviewer_guideline_kind"] == "mtus+non_mtus"
    assert row["item_reviewer_mtus_parts"] == "Neck and Upper Back Complaints"
    assert row["item_reviewer_sources"] == "ODG"


@pytest.fixture
def bad_folder(letters: Path, tmp_path: Path) -> tuple[Path, int]:
    """Good letters plus four bad files; returns the folder and the number of good letters."""
    folder = tmp_path / "mixed"
    shutil.copytree(letters, folder)
    pdf = next(folder.glob("*.pdf"))
    (folder / "truncated.pdf").write_bytes(pdf.read_bytes()[:400])
    (folder / "empty.txt").write_bytes(b"")
    (folder / "cp1252.txt").write_bytes("Décision du réviseur: aucune.\n".encode("cp1252"))
    (folder / "not_really.pdf").write_text("This is plain text, not a PDF.\n", encoding="utf-8")
    return folder, N_LETTERS + 1  # the cp1252 text file gives a record (with a warning)


def test_bad_files_jsonl(bad_folder: tuple[Path, int], expected: list[dict], tmp_path: Path):
    folder, n_good = bad_folder
    out = tmp_path / "mixed.jsonl"
    result = _runner().invoke(app, ["batch", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    rows = list(read_jsonl(out))
    errors = [r for r in rows if "error" in r]
    good = [r for r in rows if "error" not in r]
    assert sorted(Path(e["source"]).name for e in errors) == [
        "empty.txt",
        "not_really.pdf",
        "truncated.pdf",
    ]
    assert len(good) == n_good
    by_name = {Path(r["source"]).name: r for r in good}
    for rec in expected:
        name = Path(rec["source"]).name
        assert {**by_name[name], "source": None} == {**rec, "source": None}
    assert any("cp1252" in w for w in by_name["cp1252.txt"]["warnings"])
    assert "3 failed" in result.stderr


def test_bad_files_csv_errors_sidecar(bad_folder: tuple[Path, int], tmp_path: Path):
    folder, _ = bad_folder
    out = tmp_path / "mixed.csv"
    result = _runner().invoke(app, ["batch", str(folder), "-o", str(out)])
    assert result.exit_code == 1
    errs = list(read_jsonl(errors_path(out)))
    assert len(errs) == 3 and all(e["error"] for e in errs)
    with open(out, newline="", encoding="utf-8") as f:
        sources = {Path(r["source"]).name for r in csv.DictReader(f)}
    assert "truncated.pdf" not in sources and "cp1252.txt" in sources


def test_missing_input_exit_code(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    result = _runner().invoke(app, ["batch", str(tmp_path / "nope"), "-o", str(out)])
    assert result.exit_code == 1
    assert "no such file" in result.stderr and "Traceback" not in result.stderr


def test_bad_output_suffix(letters: Path, tmp_path: Path) -> None:
    result = _runner().invoke(app, ["batch", str(letters), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 2


def test_resume_after_partial_output(letters: Path, expected: list[dict], tmp_path: Path):
    """An earlier run left two records and a torn line: resume ends with each letter once."""
    out = tmp_path / "out.jsonl"
    with open(part_path(out), "w", encoding="utf-8") as f:
        for rec in expected[:2]:
            f.write(json.dumps(rec) + "\n")
        f.write('{"source": "torn')
    result = _runner().invoke(app, ["batch", str(letters), "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert "2 skipped" in result.stderr
    assert list(read_jsonl(out)) == expected


def test_resume_after_interruption(letters: Path, expected: list[dict], tmp_path: Path):
    """A run stopped by an exception after 3 letters, then resumed (CSV keeps a sidecar)."""
    out = tmp_path / "out.csv"
    seen: list[str] = []

    def boom(row: dict) -> None:
        seen.append(row["source"])
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch([letters], out, on_result=boom)
    assert not out.exists()
    assert len(list(read_jsonl(part_path(out)))) == 3
    done: list[dict] = []
    summary = run_batch([letters], out, resume=True, on_result=done.append)
    assert summary.skipped == 3 and summary.processed == N_LETTERS - 3
    assert [r["source"] for r in done] == [r["source"] for r in expected[3:]]
    assert _read_csv(out) == [typed_row(r) for rec in expected for r in flatten_record(rec)]


def test_resume_finished_jsonl_is_a_no_op(letters: Path, expected: list[dict], tmp_path: Path):
    out = tmp_path / "out.jsonl"
    run_batch([letters], out)
    summary = run_batch([letters], out, resume=True)
    assert summary.processed == 0 and summary.skipped == N_LETTERS
    assert list(read_jsonl(out)) == expected


def test_n_process_2_same_records(letters: Path, expected: list[dict], tmp_path: Path):
    out = tmp_path / "out.jsonl"
    summary = run_batch([letters], out, n_process=2)
    assert summary.ok
    assert list(read_jsonl(out)) == expected


def test_dask_local_cluster_same_records(letters: Path, expected: list[dict], tmp_path: Path):
    pytest.importorskip("dask.distributed")
    out = tmp_path / "out.jsonl"
    result = _runner().invoke(
        app, ["batch", str(letters), "-o", str(out), "--engine", "dask", "--n-process", "2"]
    )
    assert result.exit_code == 0, result.output
    assert list(read_jsonl(out)) == expected
