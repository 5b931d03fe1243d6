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


WORD_LIST_PREFIX = "@"


@cache
def word_lists() -> dict[str, tuple[str, ...]]:
    """The named word lists of `patterns/words.jsonl` (`{"name", "description", "words"}`), which
    token patterns name as `"@name"` inside an `IN` list: each list is written once."""
    path = patterns_dir() / "words.jsonl"
    lists: dict[str, tuple[str, ...]] = {}
    for n, row in enumerate(read_jsonl(path), start=1):
        name, words = row.get("name"), row.get("words")
        if not isinstance(name, str) or not isinstance(words, list) or not words:
            raise PatternError(f"{path}, row {n}: needs a 'name' and a non-empty 'words' list")
        if name in lists:
            raise PatternError(f"{path}, row {n}: the list {name!r} is defined twice")
        lists[name] = tuple(words)
    return lists


def words_of(items: list[str]) -> list[str]:
    """`items` with each `"@name"` replaced by the words of that list (`word_lists`), in order
    and without repeats."""
    out: dict[str, None] = {}
    for item in items:
        if item.startswith(WORD_LIST_PREFIX):
            name = item[len(WORD_LIST_PREFIX) :]
            if name not in word_lists():
                raise PatternError(f"no word list {name!r} in patterns/words.jsonl")
            out.update(dict.fromkeys(word_lists()[name]))
        else:
            out[item] = None
    return list(out)


def with_word_lists(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Token patterns with the word lists they name (`"IN": ["@body_sites", "hip"]`) written
    out, as spaCy's matchers take them; phrase patterns unchanged."""
    out = []
    for row in rows:
        pattern = row.get("pattern")
        if isinstance(pattern, list):
            tokens = [
                {
                    attr: (
                        {op: words_of(v) if isinstance(v, list) else v for op, v in value.items()}
                        if isinstance(value, dict)
                        else value
                    )
                    for attr, value in token.items()
                }
                for token in pattern
            ]
            row = {**row, "pattern": tokens}
        out.append(row)
    return out


def entity_patterns() -> list[dict[str, Any]]:
    """Every span_ruler pattern of the seven entity labels: `patterns/entities/*.jsonl` with
    their word lists written out (`with_word_lists`) and the plurals of their phrases
    (`plurals.py`), and the drug vocabulary of `patterns/drugs/`."""
    from .drugs import entity_patterns as drug_patterns  # the drug vocabulary, expanded
    from .plurals import with_plurals

    rows: list[dict[str, Any]] = []
    for path in sorted((patterns_dir() / "entities").glob("*.jsonl")):
        rows.extend(read_jsonl(path))
    return with_plurals(with_word_lists(rows)) + drug_patterns()


def field_patterns() -> list[dict[str, Any]]:
    return with_word_lists(read_jsonl(patterns_dir() / "fields.jsonl"))


def section_rules() -> list[dict[str, Any]]:
    return read_jsonl(patterns_dir() / "sections.jsonl")


def layout_rules() -> list[dict[str, Any]]:
    return read_jsonl(patterns_dir() / "layouts.jsonl")


def date_role_rules() -> list[dict[str, Any]]:
    return read_jsonl(patterns_dir() / "date_roles.jsonl")


def diagnosis_outside_rules() -> list[dict[str, Any]]:
    """The rules `imr_diagnosis_lists` matches inside the lists: the phrases a listed diagnosis
    leaves out, and the words that decide its "and"s (token patterns, word lists written out)."""
    return with_word_lists(read_jsonl(patterns_dir() / "diagnosis_outside.jsonl"))


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
