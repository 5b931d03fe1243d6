"""Where the package's rule files live, and how they are read."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import srsly

from .errors import PatternError

_HERE = Path(__file__).resolve().parent


@cache
def patterns_dir() -> Path:
    """The rule files: `imrnlp/patterns/`, package data (the checkout's top-level `patterns` is a
    link to it)."""
    path = _HERE / "patterns"
    if not path.is_dir():
        raise PatternError(f"imrnlp's rule files are missing from {path}; reinstall imrnlp")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL rule file (`srsly.read_jsonl`), naming the file and line of any bad row."""
    try:
        rows = list(srsly.read_jsonl(path))
    except ValueError as e:  # srsly: "Invalid JSON on line N: ..."
        raise PatternError(f"{path}: not valid JSON ({e})") from e
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise PatternError(f"{path}, row {n}: each line must be a JSON object")
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def entity_patterns() -> list[dict[str, Any]]:
    """Every span_ruler pattern of the seven entity labels: `patterns/entities/*.jsonl` with the
    plurals of its phrases (`plurals.py`), and the drug vocabulary of `patterns/drugs/`."""
    from .drugs import entity_patterns as drug_patterns  # the drug vocabulary, expanded
    from .plurals import with_plurals

    rows: list[dict[str, Any]] = []
    for path in sorted((patterns_dir() / "entities").glob("*.jsonl")):
        rows.extend(read_jsonl(path))
    return with_plurals(rows) + drug_patterns()


def field_patterns() -> list[dict[str, Any]]:
    return read_jsonl(patterns_dir() / "fields.jsonl")


def section_rules() -> list[dict[str, Any]]:
    return read_jsonl(patterns_dir() / "sections.jsonl")


def layout_rules() -> list[dict[str, Any]]:
    return read_jsonl(patterns_dir() / "layouts.jsonl")


def date_role_rules() -> list[dict[str, Any]]:
    return read_jsonl(patterns_dir() / "date_roles.jsonl")


def context_rules() -> list[dict[str, Any]]:
    path = patterns_dir() / "context_rules.json"
    data = json.loads(path.read_text(encoding="utf8"))
    return list(data["context_rules"])


@cache
def ocr_rules() -> dict[str, Any]:
    """The headings and labels that OCR text is repaired against (`patterns/ocr.json`)."""
    path = patterns_dir() / "ocr.json"
    try:
        data = json.loads(path.read_text(encoding="utf8"))
    except (OSError, json.JSONDecodeError) as e:
        raise PatternError(f"{path}: cannot read the OCR rules ({e})") from e
    for key in ("headings", "decision_words"):
        if not isinstance(data.get(key), list):
            raise PatternError(f"{path}: needs a list of {key!r}")
    return dict(data)
