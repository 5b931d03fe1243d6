"""The command line: demo, schema, extract, help, exit codes, python -m imrnlp."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import imrnlp
from imrnlp.cli import app, demo, sample_letter_path, schema
from imrnlp.record import CaseRecord

COMMANDS = ["demo", "schema", "extract", "show", "report", "batch", "annotate", "train", "evaluate"]


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()


def test_demo_function_and_command() -> None:
    record = demo()
    assert record["case_number"] == "CM99-0000001"
    result = _runner().invoke(app, ["demo"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == record


def test_schema_is_valid_json() -> None:
    result = _runner().invoke(app, ["schema"])
    assert result.exit_code == 0
    got = json.loads(result.stdout)
    assert got == schema() == CaseRecord.model_json_schema(mode="serialization")
    assert "items" in got["properties"]


def test_sample_letter_path_exists() -> None:
    assert sample_letter_path().is_file()


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example(command: str) -> None:
    result = _runner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: imrnlp" in result.stdout


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_no_type_markers(command: str | None) -> None:
    """Flags and arguments show no type; options show click-style names (issue 10)."""
    result = _runner().invoke(app, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0
    for marker in ("<bool>", "<list[", "<path>", "<str>", "<int"):
        assert marker not in result.stdout, (command, marker)


def test_extract_json_and_table(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    shutil.copy(sample_letter_path(), letter)
    result = _runner().invoke(app, ["extract", str(letter)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == imrnlp.extract_file(letter).model_dump(mode="json")
    result = _runner().invoke(app, ["extract", str(letter), str(letter), "--format", "jsonl"])
    assert len(result.stdout.strip().splitlines()) == 2
    result = _runner().invoke(app, ["extract", str(letter), "--format", "table"])
    assert result.exit_code == 0
    assert "CM99-0000001" in result.stdout and "decision" in result.stdout


def test_extract_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj <<")
    result = _runner().invoke(app, ["extract", str(bad)])
    assert result.exit_code == 1
    assert "broken.pdf" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_python_dash_m(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "imrnlp", "extract", str(tmp_path / "missing.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "no such file" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "imrnlp", "schema"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["title"] == "CaseRecord"
