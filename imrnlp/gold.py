"""Field-by-field accuracy of extracted records against the hand-made gold records in `gold/`."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from .components.context import forward_cues, opening_regex
from .errors import MissingFileError, ReadError
from .labels import HEADER_FIELDS
from .record import CaseRecord, Guideline, Item
from .resources import context_rules


def load_gold(folder: Path) -> dict[str, dict[str, Any]]:
    """Gold records by case number. Raises `ReadError` for a missing or empty folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingFileError(
            f"{folder}: no such folder of gold records (give it with --gold; the project's own "
            "are in gold/records of a checkout)"
        )
    if not any(folder.glob("*.json")):
        raise ReadError(f"{folder}: no gold records (*.json) in this folder")
    out = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf8"))
        out[data["case_number"]] = data
    return out


def _norm(text: str | None) -> str:
    t = " ".join((text or "").lower().split()).strip(" .,;")
    # an uncertainty cue opening a diagnosis is not part of its text (the record keeps it as
    # the diagnosis' assertion, "uncertain"): the cues are ConText's
    return _uncertainty_cue().sub("", t)


@cache
def _uncertainty_cue() -> re.Pattern[str]:
    cue = opening_regex(forward_cues(context_rules(), "POSSIBLE_EXISTENCE"), r"\s+")
    return cue if cue is not None else re.compile(r"(?!)")


def _sources(g: Guideline | None) -> list[str]:
    if g is None:
        return []
    out: list[str] = []
    for c in g.citations:
        names = ["MTUS"] if c.mtus else []
        if c.source == "ACOEM" or "acoem" in c.text.lower():
            names.append("ACOEM")
        if not c.mtus and c.source not in ("ACOEM",):
            names.append(c.source if c.source in ("ODG", "UpToDate", "URL") else "other")
        for n in names:
            if n not in out:
                out.append(n)
    return out


def _parts(g: Guideline | None) -> list[str]:
    out: list[str] = []
    for c in g.citations if g else []:
        if c.mtus and c.part and _norm(c.part) not in out:
            out.append(_norm(c.part))
    return out


def _header(record: CaseRecord) -> dict[str, Any]:
    """The record's header fields as in its JSON (dates as ISO strings, like the gold records)."""
    return record.model_dump(mode="json", include=set(HEADER_FIELDS))


def values(record: CaseRecord, gold: dict[str, Any], name: str) -> tuple[Any, Any]:
    """(expected, got) of one compared field ('items[2].category'), for reading the misses."""
    m = re.match(r"items\[(\d+)\]\.(.+)", name)
    if name.startswith("header."):
        f = name.removeprefix("header.")
        return gold.get(f), _header(record)[f]
    if name == "items.count":
        return len(gold.get("items", [])), len(record.items)
    if m is None:
        part, _, key = name.partition(".")
        want = gold.get(part)
        got: Any = getattr(record, part, None)
        if key:
            want = (want or {}).get(key)
            got = getattr(got, key, None)
        if part == "diagnoses":
            got = [d.text for d in record.diagnoses]
        return want, got
    n, field = int(m[1]), m[2]
    g = gold["items"][n]
    item = record.items[n] if n < len(record.items) else None
    if item is None:
        return g.get(field.split(".")[0]), None
    if field == "medication":
        return _gmed(g.get("medication")), _med(item)
    if field.startswith("medication."):
        key = field.removeprefix("medication.")
        return (g.get("medication") or {}).get(key), getattr(item.medication, key, None)
    if "." in field:
        block, key = field.split(".")
        have: Guideline | None = getattr(item, block)
        got_value = {
            "kind": have.kind if have else "none",
            "mtus_parts": _parts(have),
            "sources": _sources(have),
        }[key]
        return (g.get(block) or {}).get(key), got_value
    return g.get(field), getattr(item, field, None)


def compare(record: CaseRecord, gold: dict[str, Any]) -> dict[str, bool]:
    """Field name -> whether the record agrees with the gold record."""
    res: dict[str, bool] = {}
    header = _header(record)
    for f in HEADER_FIELDS:
        res[f"header.{f}"] = header[f] == gold.get(f)
    rev = gold.get("reviewer") or {}
    res["reviewer.licensure"] = [_norm(s) for s in record.reviewer.licensure] == [
        _norm(s) for s in rev.get("licensure", [])
    ]
    res["reviewer.specialty"] = _norm(record.reviewer.specialty) == _norm(rev.get("specialty"))
    pat = gold.get("patient") or {}
    res["patient.age"] = record.patient.age == pat.get("age")
    res["patient.sex"] = record.patient.sex == pat.get("sex")
    res["diagnoses"] = [_norm(d.text) for d in record.diagnoses] == [
        _norm(d) for d in gold.get("diagnoses", [])
    ]
    items = gold.get("items", [])
    res["items.count"] = len(record.items) == len(items)
    for n, g in enumerate(items):
        got: Item | None = record.items[n] if n < len(record.items) else None
        for name, ok in _item_fields(got, g):
            res[f"items[{n}].{name}"] = ok
    return res


def _item_fields(got: Item | None, g: dict[str, Any]) -> Iterable[tuple[str, bool]]:
    checks: dict[str, Callable[[Item], bool]] = {
        "decision": lambda i: i.decision == g["decision"],
        "request": lambda i: _norm(i.request) == _norm(g["request"]),
        "category": lambda i: i.category == g["category"],
        "medication": lambda i: _med(i) == _gmed(g.get("medication")),
        "levels": lambda i: i.levels == g.get("levels", []),
        "laterality": lambda i: i.laterality == g.get("laterality"),
        "partial": lambda i: i.partial == g.get("partial", False),
    }
    for name, check in checks.items():
        yield name, (got is not None and check(got))
    gm = g.get("medication") or {}
    for key in DRUG_FIELDS:
        if key in gm:  # drug fields are scored where the gold record has them
            value = getattr(got.medication, key) if got is not None and got.medication else None
            yield f"medication.{key}", _drug_value(key, value) == _drug_value(key, gm[key])
    for key in ("claims_administrator_guideline", "reviewer_guideline"):
        want = g.get(key) or {}
        have: Guideline | None = getattr(got, key) if got is not None else None
        ok = got is not None
        yield f"{key}.kind", ok and (have.kind if have else "none") == want.get("kind", "none")
        yield (
            f"{key}.mtus_parts",
            ok and _parts(have) == [_norm(p) for p in want.get("mtus_parts", [])],
        )
        yield f"{key}.sources", ok and _sources(have) == want.get("sources", [])


#: The drug fields of a gold medication, each scored on its own (issue 7).
DRUG_FIELDS: tuple[str, ...] = (
    "ingredients",
    "strengths",
    "form",
    "opioid",
    "compounded",
    "drug_classes",
)


def _drug_value(key: str, value: Any) -> Any:
    if key == "strengths":
        return [re.sub(r"\s+", "", _norm(v)) for v in value or []]
    if key in ("opioid", "compounded"):
        return bool(value)
    if key == "form":
        return _norm(value) or None
    return list(value or [])


def _med(i: Item) -> Any:
    m = i.medication
    return None if m is None else (_norm(m.name), _norm(m.strength), m.quantity)


def _gmed(m: dict[str, Any] | None) -> Any:
    return None if not m else (_norm(m.get("name")), _norm(m.get("strength")), m.get("quantity"))


def field_group(name: str) -> str:
    """'items[3].reviewer_guideline.kind' -> 'items.reviewer_guideline.kind'."""
    return re.sub(r"\[\d+\]", "", name)


def score(pairs: Iterable[tuple[CaseRecord, dict[str, Any]]]) -> dict[str, Any]:
    """Accuracy overall and per field group, with the failures listed."""
    by_group: dict[str, list[bool]] = defaultdict(list)
    failures: list[dict[str, Any]] = []
    for record, gold in pairs:
        for name, ok in compare(record, gold).items():
            by_group[field_group(name)].append(ok)
            if not ok:
                expected, got = values(record, gold, name)
                failures.append(
                    {"case": gold["case_number"], "field": name, "expected": expected, "got": got}
                )
    total = [ok for oks in by_group.values() for ok in oks]
    decisions = by_group.get("items.decision", [])
    return {
        "fields": len(total),
        "accuracy": sum(total) / len(total) if total else 0.0,
        "decisions_right": f"{sum(decisions)}/{len(decisions)}",
        "by_field": {k: round(sum(v) / len(v), 4) for k, v in sorted(by_group.items())},
        "failures": failures,
    }


def evaluate_gold(
    gold_dir: Path, letters_dir: Path, *, suffix: str = ".pdf", model: Path | None = None
) -> dict[str, Any]:
    """Score `extract_file` on the letters `letters_dir/<case number><suffix>` of every gold record.

    Raises `ReadError` if a gold record's letter is missing."""
    from .api import extract_file
    from .errors import ReadError

    gold = load_gold(gold_dir)
    pairs = []
    for case, record in gold.items():
        path = letters_dir / f"{case}{suffix}"
        if not path.exists():
            raise ReadError(f"{path}: no letter for gold record {case}")
        pairs.append((extract_file(path, model=model), record))
    result = score(pairs)
    result["letters"] = len(pairs)
    return result
