"""Each script in examples/ runs."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import REPO

EXAMPLES = REPO / "examples"


def _run(*args: str, cwd: object = None) -> str:
    """Run an example script; where it fails, the failure shows what the script printed."""
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, f"{args[0]} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout


def test_extract_letter():
    out = _run(str(EXAMPLES / "extract_letter.py"))
    assert "CM99-0000001" in out
    assert "Norco 10/325mg #60: upheld" in out


def test_save_pipeline(tmp_path):
    out = _run(str(EXAMPLES / "save_pipeline.py"), str(tmp_path / "rules"))
    assert "ANATOMICAL_LEVEL L4-5" in out
    assert "DATE 07/17/2013" in out


@pytest.fixture
def three_letters(tmp_path, corpus):
    """A folder holding three corpus PDFs."""
    folder = tmp_path / "letters"
    folder.mkdir()
    for pdf in sorted((corpus / "dwc-imr-2017" / "pdf").glob("*.pdf"))[:3]:
        shutil.copy(pdf, folder)
    return folder


def test_folder_to_table(tmp_path, three_letters):
    folder = three_letters
    out = _run(str(EXAMPLES / "folder_to_table.py"), str(folder), str(tmp_path / "items.csv"))
    assert "item rows" in out


def test_batch_folder(tmp_path, three_letters):
    folder = three_letters
    _run(str(EXAMPLES / "batch_folder.py"), str(folder), str(tmp_path / "out"))
    assert (tmp_path / "out" / "report.html").exists()
    assert (tmp_path / "out" / "items.parquet").exists()


def test_train_small(tmp_path, corpus):
    out = _run(str(EXAMPLES / "train_small.py"), str(tmp_path / "model"), "8", cwd=REPO)
    assert "rules F" in out


def test_drugs_by_ingredient(tmp_path, corpus):
    folder = tmp_path / "letters"
    folder.mkdir()
    # letters with drug items: a Norco request and compounded kits
    for case in ("CM17-0015790", "CM17-0013625"):
        shutil.copy(corpus / "dwc-imr-2017" / "pdf" / f"{case}.pdf", folder)
    out = _run(
        str(EXAMPLES / "drugs_by_ingredient.py"), str(folder), str(tmp_path / "items.parquet")
    )
    assert "disputed items are drugs" in out and "opioid:" in out and "compounded:" in out
    assert "hydrocodone" in out and "gabapentin" in out
