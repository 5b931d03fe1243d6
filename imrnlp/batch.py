"""Batch extraction: find letters, process them (in process or on Dask), write JSONL/CSV/Parquet.

Every letter gives one result row, in input order: the record as JSON
(``model_dump(mode="json")``) or ``{"source": path, "error": "..."}``. Rows are appended one by
one, flushed, to ``OUT.part.jsonl`` beside the output; at the end that file is renamed (JSONL)
or converted (CSV/Parquet, errors to ``OUT.errors.jsonl``). ``resume=True`` keeps the good rows
already in the part file (or in a finished JSONL output) and processes only the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import srsly

from .errors import ImrnlpError, MissingFileError
from .labels import HEADER_DATE_ROLES, LETTER_FIELDS
from .ocr import OcrMode, limit_threads
from .readers import LETTER_SUFFIXES

logger = logging.getLogger("imrnlp")

Engine = Literal["local", "dask"]
OUTPUT_SUFFIXES = (".jsonl", ".csv", ".parquet")

_MODEL: str | None = None
_OCR: OcrMode = "auto"


# ------------------------------------------------------------------------------------------------
# inputs


def scan_inputs(inputs: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """(letter files, other files found in folders): files and folders (recursive, sorted), each
    once, in the order given.

    Raises `MissingFileError` for an input that does not exist. Files named directly are kept
    whatever their suffix; in folders only `.pdf` and `.txt` files are letters, and the other
    files (hidden ones aside) are returned so that the caller can name them."""
    found: list[Path] = []
    others: list[Path] = []
    seen: set[str] = set()
    for item in inputs:
        path = Path(item)
        if not path.exists():
            raise MissingFileError(f"{path}: no such file or folder")
        if path.is_dir():
            files: list[Path] = []
            for p in sorted(path.rglob("*")):
                if not p.is_file() or any(
                    part.startswith(".") for part in p.relative_to(path).parts
                ):
                    continue
                (files if p.suffix.lower() in LETTER_SUFFIXES else others).append(p)
        else:
            files = [path]
        for f in files:
            key = str(f.resolve())
            if key not in seen:
                seen.add(key)
                found.append(f)
    return found, others


def find_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """The letter files of `scan_inputs`."""
    return scan_inputs(inputs)[0]


# ------------------------------------------------------------------------------------------------
# one letter


def process_one(path: str, model: str | None = None, ocr: OcrMode = "auto") -> dict[str, Any]:
    """The result row of one letter: its record as JSON, or ``{"source", "error"}``. Never raises.

    Runs in worker processes and Dask workers; `imrnlp.load` caches the pipeline per process."""
    from .api import extract_file

    try:
        return extract_file(path, model=model, ocr=ocr).model_dump(mode="json")
    except ImrnlpError as e:
        return {"source": path, "error": str(e)}
    except Exception as e:  # a worker must never die on one letter
        logger.exception("failed on %s", path)
        return {"source": path, "error": f"{type(e).__name__}: {e}"}


def _init_worker(model: str | None, ocr: OcrMode = "auto") -> None:
    """ProcessPoolExecutor initializer: load the pipeline once per worker."""
    from .api import load

    global _MODEL, _OCR
    _MODEL, _OCR = model, ocr
    limit_threads(1)
    logging.getLogger("imrnlp").setLevel(logging.WARNING)
    load(model)


def _process_in_worker(path: str) -> dict[str, Any]:
    return process_one(path, _MODEL, _OCR)


def _ordered(submit: Callable[[str], Any], paths: Sequence[str], window: int) -> Iterator[Any]:
    """Futures from `submit`, at most `window` in flight, yielded in input order."""
    pending: deque[Any] = deque()
    it = iter(paths)
    for path in it:
        pending.append(submit(path))
        if len(pending) >= window:
            break
    while pending:
        head = pending.popleft()
        yield head
        nxt = next(it, None)
        if nxt is not None:
            pending.append(submit(nxt))


def process_files(
    paths: Sequence[str | Path],
    *,
    model: str | Path | None = None,
    n_process: int = 1,
    engine: Engine = "local",
    scheduler: str | None = None,
    window: int | None = None,
    ocr: OcrMode = "auto",
) -> Iterator[dict[str, Any]]:
    """Result rows of `paths`, in input order, whatever `n_process` or `engine`.

    engine="local": in this process (n_process=1) or in a pool of worker processes that read and
    extract the files, each loading the pipeline once. engine="dask": on a dask.distributed cluster,
    the one at `scheduler` or a LocalCluster of `n_process` worker processes; the workers must
    see the same file paths."""
    model_s = None if model is None else str(Path(model).resolve())
    items = [str(p) for p in paths]
    if not items:
        return
    n_process = max(1, n_process)
    if engine == "dask":
        yield from _process_dask(items, model_s, n_process, scheduler, window, ocr)
    elif engine == "local":
        if n_process == 1:
            from .api import load

            load(model_s)
            for p in items:
                yield process_one(p, model_s, ocr)
            return
        import multiprocessing as mp

        with ProcessPoolExecutor(
            max_workers=n_process,
            mp_context=mp.get_context("spawn"),
            initializer=_init_worker,
            initargs=(model_s, ocr),
        ) as pool:
            yield from _drain(pool, items, window or n_process * 4)
    else:
        raise ValueError(f"engine must be 'local' or 'dask', not {engine!r}")


def _drain(pool: Executor, items: Sequence[str], window: int) -> Iterator[dict[str, Any]]:
    from concurrent.futures.process import BrokenProcessPool

    futures = _ordered(lambda p: pool.submit(_process_in_worker, p), items, window)
    try:
        for fut, path in zip(futures, items, strict=True):
            yield _result(fut, path)
    except BrokenProcessPool as e:
        raise ImrnlpError(
            f"the worker processes died ({e}); rows so far are kept: run again with --resume"
        ) from e


def _result(fut: Future[dict[str, Any]] | Any, path: str) -> dict[str, Any]:
    try:
        return fut.result()
    except Exception as e:  # worker crashed (killed, out of memory): report, carry on
        logger.error("worker failed on %s: %s", path, e)
        return {"source": path, "error": f"worker failed: {type(e).__name__}: {e}"}


def _process_dask(
    items: Sequence[str],
    model: str | None,
    n_workers: int,
    scheduler: str | None,
    window: int | None,
    ocr: OcrMode = "auto",
) -> Iterator[dict[str, Any]]:
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.WARNING,
        )
        client = Client(cluster)
    try:
        n = max(1, len(client.scheduler_info().get("workers", {})) or n_workers)
        futures = _ordered(
            lambda p: client.submit(process_one, p, model, ocr, pure=False),
            items,
            window or n * 4,
        )
        for fut, path in zip(futures, items, strict=True):
            yield _result(fut, path)
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ------------------------------------------------------------------------------------------------
# flat rows (CSV, Parquet)

LETTER_COLUMNS: tuple[str, ...] = (
    "source",
    *LETTER_FIELDS,
    "reviewer_licensure",
    "reviewer_specialty",
    "patient_age",
    "patient_sex",
    "diagnoses",
    "n_diagnoses",
    "n_items",
    "warnings",
    "schema_version",
    "imrnlp_version",
)
ITEM_COLUMNS: tuple[str, ...] = (
    "item_index",
    "item_request",
    "item_decision",
    "item_medically_necessary",
    "item_category",
    "item_medication_name",
    "item_medication_strength",
    "item_medication_quantity",
    "item_medication_quantity_value",
    "item_medication_quantity_unit",
    "item_medication_ingredients",
    "item_medication_strengths",
    "item_medication_form",
    "item_medication_route",
    "item_medication_opioid",
    "item_medication_compounded",
    "item_medication_drug_classes",
    "item_medication_known",
    "item_category_cue",
    "item_category_source",
    "item_procedures",
    "item_levels",
    "item_laterality",
    "item_partial",
    "item_original_request",
    "item_authorized",
    "item_claims_administrator_guideline_kind",
    "item_claims_administrator_mtus_parts",
    "item_claims_administrator_sources",
    "item_reviewer_guideline_kind",
    "item_reviewer_mtus_parts",
    "item_reviewer_sources",
    "item_conclusion",
    "item_rationale",
    "item_evidence_start",
    "item_evidence_end",
)
COLUMNS: tuple[str, ...] = LETTER_COLUMNS + ITEM_COLUMNS
INT_COLUMNS = frozenset(
    {
        "patient_age",
        "n_diagnoses",
        "n_items",
        "item_index",
        "item_medication_quantity",
        "item_evidence_start",
        "item_evidence_end",
    }
)
BOOL_COLUMNS = frozenset(
    {
        "item_medically_necessary",
        "item_partial",
        "item_medication_opioid",
        "item_medication_compounded",
        "item_medication_known",
    }
)
FLOAT_COLUMNS = frozenset({"item_medication_quantity_value"})
#: ISO date strings in the record, `date` values in Parquet.
DATE_COLUMNS = frozenset(HEADER_DATE_ROLES)
SEP = ";"


def _join(values: Iterable[Any]) -> str | None:
    values = [str(v) for v in values if v not in (None, "")]
    return SEP.join(values) if values else None


def _guideline(prefix: str, g: dict[str, Any] | None) -> dict[str, Any]:
    g = g or {}
    cites = g.get("citations") or []
    parts = [c.get("part") or "MTUS" for c in cites if c.get("mtus")]
    sources = [c.get("source") for c in cites if not c.get("mtus")]
    return {
        f"{prefix}_guideline_kind": g.get("kind"),
        f"{prefix}_mtus_parts": _join(dict.fromkeys(parts)),
        f"{prefix}_sources": _join(dict.fromkeys(sources)),
    }


def _diagnosis(d: dict[str, Any]) -> str:
    """A diagnosis with its assertion when it is not plainly present: 'thoracic disk herniation
    (uncertain)'."""
    text = str(d.get("text") or "")
    assertion = d.get("assertion") or "present"
    return text if assertion == "present" else f"{text} ({assertion})"


def flatten_record(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per disputed item (letter fields repeated); one row when there is none.

    Lists are joined with ';' (levels "C5-C6;C6-C7"); the `*_mtus_parts` columns name the MTUS
    parts cited ('MTUS' when no part is given), `*_sources` the non-MTUS sources."""
    reviewer = record.get("reviewer") or {}
    patient = record.get("patient") or {}
    diagnoses = record.get("diagnoses") or []
    items = record.get("items") or []
    letter = {
        "source": record.get("source"),
        "case_number": record.get("case_number"),
        "layout": record.get("layout"),
        "date_assigned": record.get("date_assigned"),
        "decision_date": record.get("decision_date"),
        "date_of_injury": record.get("date_of_injury"),
        "ur_denial_date": record.get("ur_denial_date"),
        "application_received": record.get("application_received"),
        "priority": record.get("priority"),
        "reviewer_licensure": _join(reviewer.get("licensure") or []),
        "reviewer_specialty": reviewer.get("specialty"),
        "patient_age": patient.get("age"),
        "patient_sex": patient.get("sex"),
        "diagnoses": _join(_diagnosis(d) for d in diagnoses),
        "n_diagnoses": len(diagnoses),
        "n_items": len(items),
        "warnings": _join(record.get("warnings") or []),
        "schema_version": record.get("schema_version"),
        "imrnlp_version": record.get("imrnlp_version"),
    }
    if not items:
        return [{**letter, **dict.fromkeys(ITEM_COLUMNS)}]
    rows = []
    for n, item in enumerate(items):
        med = item.get("medication") or {}
        ev = item.get("evidence") or {}
        row = {
            **letter,
            "item_index": n,
            "item_request": item.get("request"),
            "item_decision": item.get("decision"),
            "item_medically_necessary": item.get("medically_necessary"),
            "item_category": item.get("category"),
            "item_medication_name": med.get("name"),
            "item_medication_strength": med.get("strength"),
            "item_medication_quantity": med.get("quantity"),
            "item_medication_quantity_value": med.get("quantity_value"),
            "item_medication_quantity_unit": med.get("quantity_unit"),
            "item_medication_ingredients": _join(med.get("ingredients") or []),
            "item_medication_strengths": _join(med.get("strengths") or []),
            "item_medication_form": med.get("form"),
            "item_medication_route": med.get("route"),
            "item_medication_opioid": med.get("opioid") if med else None,
            "item_medication_compounded": med.get("compounded") if med else None,
            "item_medication_drug_classes": _join(med.get("drug_classes") or []),
            "item_medication_known": med.get("known") if med else None,
            "item_category_cue": (item.get("category_evidence") or {}).get("rule_id"),
            "item_category_source": item.get("category_source"),
            "item_procedures": _join(item.get("procedures") or []),
            "item_levels": _join(item.get("levels") or []),
            "item_laterality": item.get("laterality"),
            "item_partial": item.get("partial"),
            "item_original_request": item.get("original_request"),
            "item_authorized": item.get("authorized"),
            **_guideline("item_claims_administrator", item.get("claims_administrator_guideline")),
            **_guideline("item_reviewer", item.get("reviewer_guideline")),
            "item_conclusion": item.get("conclusion"),
            "item_rationale": item.get("rationale"),
            "item_evidence_start": ev.get("start"),
            "item_evidence_end": ev.get("end"),
        }
        rows.append(row)
    return rows


def arrow_schema() -> Any:
    """The Parquet schema: strings, int64 counts/offsets, booleans."""
    import pyarrow as pa

    def typ(c: str) -> Any:
        if c in INT_COLUMNS:
            return pa.int64()
        if c in BOOL_COLUMNS:
            return pa.bool_()
        if c in FLOAT_COLUMNS:
            return pa.float64()
        if c in DATE_COLUMNS:
            return pa.date32()
        return pa.string()

    return pa.schema([(c, typ(c)) for c in COLUMNS])


def typed_row(row: dict[str, Any]) -> dict[str, Any]:
    """ISO date strings as `datetime.date` (a partial date such as '2016-10' becomes null)."""
    out = dict(row)
    for c in DATE_COLUMNS:
        value = out.get(c)
        if isinstance(value, str):
            try:
                out[c] = dt.date.fromisoformat(value)
            except ValueError:
                out[c] = None
    return out


def _tables(rows: Iterable[dict[str, Any]], chunk: int) -> Iterator[Any]:
    """Flat rows as pyarrow Tables of `arrow_schema()`, `chunk` rows each."""
    import pyarrow as pa

    schema = arrow_schema()
    buf: list[dict[str, Any]] = []
    for row in rows:
        buf.append(typed_row(row))
        if len(buf) >= chunk:
            yield pa.Table.from_pylist(buf, schema=schema)
            buf = []
    if buf:
        yield pa.Table.from_pylist(buf, schema=schema)


def write_parquet(rows: Iterable[dict[str, Any]], path: Path, chunk: int = 5000) -> None:
    """Flat rows to Parquet (pyarrow), written in row groups of `chunk` rows."""
    import pyarrow.parquet as pq

    with pq.ParquetWriter(path, arrow_schema()) as writer:
        for table in _tables(rows, chunk):
            writer.write_table(table)


def write_csv(rows: Iterable[dict[str, Any]], path: Path, chunk: int = 5000) -> None:
    """Flat rows to CSV with `pyarrow.csv` (UTF-8, header row, columns in `COLUMNS` order, the
    types of the Parquet table): null is an empty cell, booleans `true`/`false`, dates ISO,
    fields quoted only where needed."""
    import pyarrow.csv as pacsv

    options = pacsv.WriteOptions(quoting_style="needed")
    with pacsv.CSVWriter(path, arrow_schema(), write_options=options) as writer:
        for table in _tables(rows, chunk):
            writer.write_table(table)


# ------------------------------------------------------------------------------------------------
# the run


@dataclass
class BatchSummary:
    """What a batch run did."""

    output: Path
    total: int = 0
    processed: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors_path: Path | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: Files in the input folders that are not letters (.pdf, .txt), left out of the run.
    not_letters: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No letter failed, and there was something to do."""
        return self.failed == 0 and self.total > 0

    @property
    def rate(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0


class PartialRunError(ImrnlpError):
    """The part file of an interrupted run is in the way of a run without --resume."""


def part_path(output: Path) -> Path:
    """The file rows are appended to during a run (kept after an interruption, for --resume)."""
    return output.with_name(output.name + ".part.jsonl")


def errors_path(output: Path) -> Path:
    """Where CSV/Parquet runs write their error rows."""
    return output.with_name(output.name + ".errors.jsonl")


def _scan(path: Path) -> list[tuple[str | None, bool, int, int]]:
    """(source, is_error, offset, length) of each complete line; a torn last line is ignored."""
    out = []
    offset = 0
    with open(path, "rb") as f:
        for line in f:
            n = len(line)
            if line.endswith(b"\n"):
                try:
                    row = json.loads(line)
                    out.append((row.get("source"), "error" in row, offset, n))
                except (json.JSONDecodeError, AttributeError):
                    logger.warning("%s: unreadable line at byte %d dropped", path, offset)
            offset += n
    return out


def _copy_lines(src: Path, dst: Path, lines: Iterable[tuple[int, int]]) -> None:
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        for off, n in lines:
            fi.seek(off)
            fo.write(fi.read(n))
        fo.flush()
        os.fsync(fo.fileno())


def _prepare_resume(output: Path, part: Path) -> set[str]:
    """Keep the good rows of an earlier run in the part file; return their sources."""
    if not part.exists() and output.suffix.lower() == ".jsonl" and output.exists():
        part.write_bytes(output.read_bytes())
    if not part.exists():
        return set()
    scanned = _scan(part)
    keep = [(off, n) for src, err, off, n in scanned if src is not None and not err]
    done = {src for src, err, _, _ in scanned if src is not None and not err}
    tmp = part.with_name(part.name + ".tmp")
    _copy_lines(part, tmp, keep)
    os.replace(tmp, part)
    return done


def _key(path: str | Path) -> str:
    return str(Path(path).resolve())


def run_batch(
    inputs: Iterable[str | Path],
    output: str | Path,
    *,
    model: str | Path | None = None,
    n_process: int = 1,
    engine: Engine = "local",
    scheduler: str | None = None,
    resume: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    ocr: OcrMode = "auto",
) -> BatchSummary:
    """Extract every letter under `inputs` into `output` (.jsonl, .csv or .parquet).

    `on_start(total, skipped)` is called once; `on_result(row)` after each letter is saved.
    Failures never stop the run: they are rows ``{"source", "error"}`` (JSONL) or go to
    ``OUT.errors.jsonl`` (CSV/Parquet). Raises `ValueError` for an unknown output suffix and
    `ReadError` for an input that does not exist."""
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise ValueError(f"{output}: output must end in .jsonl, .csv or .parquet")
    paths, others = scan_inputs(inputs)
    output.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(output)
    done: set[str] = set()
    if resume:
        done = {_key(s) for s in _prepare_resume(output, part)}
    elif part.exists():
        raise PartialRunError(
            f"{part} holds the letters of an interrupted run: add --resume to go on from there, "
            "or delete the file to start again"
        )
    todo = [p for p in paths if _key(p) not in done]
    summary = BatchSummary(
        output=output, total=len(paths), skipped=len(paths) - len(todo), not_letters=others
    )
    if on_start:
        on_start(summary.total, summary.skipped)
    start = time.perf_counter()
    with open(part, "a", encoding="utf-8") as f:
        for row in process_files(
            todo, model=model, n_process=n_process, engine=engine, scheduler=scheduler, ocr=ocr
        ):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
            summary.processed += 1
            if "error" in row:
                summary.failed += 1
                summary.errors.append(row)
                logger.debug("failed: %s", row["error"])
            if on_result:
                on_result(row)
        os.fsync(f.fileno())
    summary.seconds = time.perf_counter() - start
    _finish(part, output, [str(p) for p in paths], summary)
    return summary


def _finish(part: Path, output: Path, order: Sequence[str], summary: BatchSummary) -> None:
    """Rows in input order into the final file, written aside then renamed."""
    rank = {_key(p): n for n, p in enumerate(order)}
    scanned = _scan(part)
    ordered = sorted(
        enumerate(scanned),
        key=lambda t: (rank.get(_key(t[1][0]) if t[1][0] else "", len(rank)), t[0]),
    )
    lines = [(off, n) for _, (_, _, off, n) in ordered]
    suffix = output.suffix.lower()
    tmp = output.with_name(output.name + ".tmp")
    if suffix == ".jsonl":
        _copy_lines(part, tmp, lines)
        os.replace(tmp, output)
        part.unlink()
        return
    rows = list(_read_rows(part, lines))
    good = (r for r in rows if "error" not in r)
    flat = (flat for r in good for flat in flatten_record(r))
    if suffix == ".csv":
        write_csv(flat, tmp)
    else:
        write_parquet(flat, tmp)
    os.replace(tmp, output)
    errs = [r for r in rows if "error" in r]
    epath = errors_path(output)
    if errs:
        etmp = epath.with_name(epath.name + ".tmp")
        with open(etmp, "w", encoding="utf-8") as f:
            for r in errs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        os.replace(etmp, epath)
        summary.errors_path = epath
    elif epath.exists():
        epath.unlink()
    summary.failed = len(errs)
    part.unlink()


def _read_rows(path: Path, lines: Iterable[tuple[int, int]]) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as f:
        for off, n in lines:
            f.seek(off)
            yield json.loads(f.read(n))


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL file (records and error rows), skipping blank lines (`srsly.read_jsonl`)."""
    return cast(Iterator[dict[str, Any]], iter(srsly.read_jsonl(path)))
