"""The `imrnlp` command line: thin wrappers over importable functions.

Results go to stdout; logs, progress and errors go to stderr. Exit codes: 0 success, 1 a letter
could not be read (or some letters failed in a batch), 2 bad usage.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from typer.core import TyperArgument, TyperCommand, TyperGroup

from .errors import ImrnlpError
from .labels import LETTER_FIELDS

logger = logging.getLogger("imrnlp")


def _type_label(param: Any, ctx: Any) -> str:
    """What `--help` shows beside a parameter, in click's style rather than typer 0.29's markers
    (`<bool>`, `<list[Path]>`): nothing for flags and arguments, the choices of a choice, else the
    type's name in capitals (PATH, INTEGER, TEXT)."""
    if isinstance(param, TyperArgument) or getattr(param, "is_flag", False):
        return ""
    label = str(param.display_type(ctx)).strip("<>").removesuffix(" range")
    if "|" in label:
        return f"[{label}]"
    return _TYPE_NAMES.get(label, label.upper())


_TYPE_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "path": "PATH"}


def _click_style(params: list[Any]) -> list[Any]:
    for param in params:
        param.display_type_rich = lambda ctx, param=param: _type_label(param, ctx)
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _click_style(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _click_style(super().get_params(ctx))


app = typer.Typer(
    cls=_Group,
    name="imrnlp",
    help="Typed case records from California workers' compensation IMR letters.\n\n"
    "Example: imrnlp extract letter.pdf --format table",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
err = Console(stderr=True)
out = Console()


class Format(StrEnum):
    json = "json"
    jsonl = "jsonl"
    table = "table"


class AnnotateFormat(StrEnum):
    jsonl = "jsonl"
    labelstudio = "labelstudio"


class OcrOpt(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


#: --ocr, shared by extract, show, batch and annotate
OcrOption = Annotated[
    OcrOpt,
    typer.Option(
        "--ocr",
        help="auto: read pages without text (scans, faxes, images) by OCR; always: every PDF "
        "page; never: refuse letters without text.",
    ),
]


class EngineOpt(StrEnum):
    local = "local"
    dask = "dask"


def sample_letter_path() -> Path:
    """Path of the bundled sample letter."""
    return Path(str(files("imrnlp") / "data" / "sample_letter.txt"))


def _setup_logging(verbose: bool) -> None:
    log = logging.getLogger("imrnlp")
    if not any(isinstance(h, RichHandler) for h in log.handlers):
        log.addHandler(RichHandler(console=err, show_path=False, show_time=False))
    log.setLevel(logging.DEBUG if verbose else logging.WARNING)
    log.propagate = False


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log details to stderr.")
    ] = False,
) -> None:
    """Typed case records from California workers' compensation IMR letters.

    Example: imrnlp extract letter.pdf --format table
    """
    _setup_logging(verbose)


def _n(count: int, noun: str) -> str:
    """'1 letter', '2 letters'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


# ------------------------------------------------------------------------------------------------
# demo, schema


def demo() -> dict[str, Any]:
    """The record of the bundled sample letter, as JSON-ready data."""
    import imrnlp

    text = sample_letter_path().read_text(encoding="utf-8")
    return imrnlp.extract(text, source="sample_letter.txt").model_dump(mode="json")


@app.command("demo", cls=_Command)
def demo_cli() -> None:
    """Print the record of the bundled sample letter as JSON.

    Example: imrnlp demo | jq '.items[].decision'
    """
    typer.echo(json.dumps(demo(), indent=2, ensure_ascii=False))


def schema() -> dict[str, Any]:
    """The JSON Schema of `CaseRecord` as written (serialization mode: derived fields such as
    `medically_necessary` included)."""
    from .record import CaseRecord

    return CaseRecord.model_json_schema(mode="serialization")


@app.command("schema", cls=_Command)
def schema_cli() -> None:
    """Print the JSON Schema of the case record.

    Example: imrnlp schema > caserecord.schema.json
    """
    typer.echo(json.dumps(schema(), indent=2, ensure_ascii=False))


# ------------------------------------------------------------------------------------------------
# extract


def render_table(record: Any, console: Console) -> None:
    """A readable terminal view of one record."""
    from rich.markup import escape as e
    from rich.panel import Panel
    from rich.table import Table

    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold cyan")
    head.add_column()
    for name in LETTER_FIELDS:
        head.add_row(name, e(str(getattr(record, name) or "—")))
    rv, pt = record.reviewer, record.patient
    licensed = ", ".join(rv.licensure) or "—"
    head.add_row("reviewer", e(f"{rv.specialty or '—'} (licensed: {licensed})"))
    head.add_row("patient", f"{pt.age if pt.age is not None else '—'} {pt.sex or ''}".strip())
    dx = "\n".join(
        e(d.text) + (f" [yellow]({d.assertion})[/]" if d.assertion != "present" else "")
        for d in record.diagnoses
    )
    head.add_row("diagnoses", dx or "—")
    if record.ocr is not None:
        o = record.ocr
        head.add_row(
            "read by OCR",
            e(f"{o.engine}, pages {', '.join(map(str, o.pages))} of {o.page_count}, ")
            + f"mean confidence {o.mean_confidence:.2f}",
        )
    console.print(Panel(head, title=e(record.source or "letter"), expand=False))
    for n, it in enumerate(record.items, 1):
        t = Table.grid(padding=(0, 2))
        t.add_column(style="bold")
        t.add_column()
        colour = "green" if it.decision == "overturned" else "red"
        t.add_row("decision", f"[bold {colour}]{it.decision}[/]")
        t.add_row("category", it.category)
        if it.medication:
            m = it.medication
            written = (m.name, m.strength, f"#{m.quantity}" if m.quantity else None)
            flags = [f for f, on in (("opioid", m.opioid), ("compounded", m.compounded)) if on]
            t.add_row(
                "medication",
                e(" ".join(x for x in written if x))
                + (
                    f"\n{e(' + '.join(m.ingredients))}"
                    if m.ingredients
                    else "\n[yellow]not in the vocabulary[/]"
                )
                + (f" [dim]({e(', '.join(m.drug_classes))})[/]" if m.drug_classes else "")
                + (f" [bold]{' '.join(flags)}[/]" if flags else ""),
            )
        if it.levels:
            t.add_row("levels", ", ".join(it.levels))
        if it.laterality:
            t.add_row("laterality", it.laterality)
        if it.partial:
            t.add_row(
                "partial",
                e(f"original: {it.original_request or '—'}; authorized: {it.authorized or '—'}"),
            )
        for label, g in (
            ("administrator", it.claims_administrator_guideline),
            ("reviewer", it.reviewer_guideline),
        ):
            if g is None:
                t.add_row(f"{label} guideline", "—")
                continue
            cites = "\n".join(f"• {e(c.text)}" for c in g.citations)
            t.add_row(
                f"{label} guideline", f"[magenta]{g.kind}[/]" + (f"\n{cites}" if cites else "")
            )
        if it.conclusion:
            t.add_row("conclusion", e(it.conclusion))
        console.print(
            Panel(t, title=f"item {n}: {e(it.request)}", border_style=colour, expand=False)
        )
    if not record.items:
        console.print("[yellow]no disputed item found[/]")
    for w in record.warnings:
        console.print(f"[bold yellow]warning:[/] {e(w)}", highlight=False)


def extract_files(paths: list[Path], model: Path | None = None, ocr: str = "auto") -> list[Any]:
    """Records of letter files, in order. Raises `ReadError` on the first unreadable one."""
    import imrnlp

    return [imrnlp.extract_file(p, model=model, ocr=ocr) for p in paths]  # type: ignore[arg-type]


@app.command("extract", cls=_Command)
def extract_cli(
    files_: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="Letters (.pdf, .txt, .png, .jpg, .tif).")
    ],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="json, jsonl or table.")] = (
        Format.json
    ),
    model: Annotated[Path | None, typer.Option("--model", help="Trained pipeline folder.")] = None,
    ocr: OcrOption = OcrOpt.auto,
) -> None:
    """Extract the record of one or more letters (a spot check).

    json prints one record for one letter and a JSON array for several; jsonl one record a line.
    A file that cannot be read (missing, no letter, broken PDF) is named on stderr and the exit
    code is 1; the other letters are still printed.

    Example: imrnlp extract CM16-0213037.pdf --format table
    """
    code = 0
    records = []
    for path in files_:
        try:
            record = extract_files([path], model, ocr.value)[0]
        except ImrnlpError as e:
            err.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
            code = 1
            continue
        if fmt is Format.table:
            render_table(record, out)
        elif fmt is Format.jsonl:
            typer.echo(json.dumps(record.model_dump(mode="json"), ensure_ascii=False))
        else:
            records.append(record.model_dump(mode="json"))
    if fmt is Format.json and records:
        # one letter: its record; several: one JSON array of records
        data = records[0] if len(files_) == 1 else records
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    raise typer.Exit(code)


# ------------------------------------------------------------------------------------------------
# show, report


@app.command("show", cls=_Command)
def show_cli(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A letter (.pdf, .txt, or a page image).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML page to write.")],
    model: Annotated[Path | None, typer.Option("--model", help="Trained pipeline folder.")] = None,
    ocr: OcrOption = OcrOpt.auto,
) -> None:
    """Write a self-contained HTML page to review a letter: highlighted text beside its record.

    Example: imrnlp show CM16-0213037.pdf -o review.html
    """
    from .show import show_file

    try:
        show_file(file, output, model=model, ocr=ocr.value)  # type: ignore[arg-type]
    except ImrnlpError as e:
        raise _fail(str(e)) from None
    err.print(f"wrote {output}", highlight=False)


@app.command("report", cls=_Command)
def report_cli(
    records: Annotated[
        Path,
        typer.Argument(
            metavar="RECORDS", help="Batch output: .jsonl records, or .csv / .parquet items."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="report.html or report.md")],
) -> None:
    """Write the corpus report: overturn rates with 95% intervals by category, drug class,
    ingredient, specialty and guideline, and drug, opioid and compounded shares beside the
    published California figures.

    Example: imrnlp report items.parquet -o report.html
    """
    from .report import write_report

    if not records.is_file():
        raise _fail(f"{records}: no such file")
    try:
        stats = write_report(records, output)
    except ValueError as e:
        raise _fail(str(e), 2) from None
    err.print(
        f"wrote {output}: {stats.letters} letters, {stats.items} items, "
        f"{stats.errors} error rows skipped",
        highlight=False,
    )


# ------------------------------------------------------------------------------------------------
# batch


@app.command("batch", cls=_Command)
def batch_cli(
    inputs: Annotated[list[Path], typer.Argument(metavar="INPUT", help="Files or folders.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="OUT.jsonl, .csv or .parquet")],
    n_process: Annotated[int, typer.Option("--n-process", "-n", min=1, help="Processes.")] = 1,
    engine: Annotated[EngineOpt, typer.Option("--engine", help="local or dask.")] = (
        EngineOpt.local
    ),
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Dask scheduler address (tcp://host:8786); default: a LocalCluster."
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip letters already done by an interrupted run.")
    ] = False,
    model: Annotated[Path | None, typer.Option("--model", help="Trained pipeline folder.")] = None,
    ocr: OcrOption = OcrOpt.auto,
) -> None:
    """Extract every letter under INPUT (folders recursive: .pdf, .txt, .png, .jpg, .tif) into
    OUT. Scans are read by OCR, one thread per process: use --n-process for speed.

    .jsonl: one record per letter (failures as {"source", "error"} rows); .csv/.parquet: one row
    per disputed item (failures in OUT.errors.jsonl). Exit code 1 when any letter failed.

    Example: imrnlp batch letters/ -o records.parquet --n-process 2
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from .batch import run_batch

    if scheduler and engine is not EngineOpt.dask:
        raise _fail("--scheduler needs --engine dask", 2)
    state = {"failed": 0, "n": 0, "t0": time.perf_counter()}
    progress = Progress(
        TextColumn("[bold]letters"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.2f}/s"),
        TextColumn("[red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )
    task = progress.add_task("batch", total=None, rate=0.0, failed=0)

    def on_start(total: int, skipped: int) -> None:
        # drawn only once run_batch has checked its inputs: a usage error comes without a bar
        if skipped:
            err.print(f"resuming: {skipped} of {total} letters already done", highlight=False)
        progress.start()
        progress.update(task, total=total, completed=skipped)
        state["t0"] = time.perf_counter()

    def on_result(row: dict[str, Any]) -> None:
        state["n"] += 1
        if "error" in row:
            state["failed"] += 1
            logger.warning("%s", row["error"])
        rate = state["n"] / max(time.perf_counter() - state["t0"], 1e-9)
        progress.update(task, advance=1, rate=rate, failed=state["failed"])

    from .batch import PartialRunError, part_path

    try:
        try:
            summary = run_batch(
                inputs,
                output,
                model=model,
                n_process=n_process,
                engine=engine.value,
                scheduler=scheduler,
                resume=resume,
                on_start=on_start,
                on_result=on_result,
                ocr=ocr.value,  # type: ignore[arg-type]
            )
        finally:
            progress.stop()
    except KeyboardInterrupt:
        part = part_path(output)
        raise _fail(
            f"interrupted after {_n(int(state['n']), 'letter')}; they are saved in {part}: "
            "run the same command with --resume to go on",
            130,
        ) from None
    except PartialRunError as e:
        raise _fail(str(e), 2) from None
    except ImrnlpError as e:
        raise _fail(str(e)) from None
    except ValueError as e:
        raise _fail(str(e), 2) from None
    if summary.not_letters:
        names = ", ".join(p.name for p in summary.not_letters[:5])
        more = f" and {len(summary.not_letters) - 5} more" if len(summary.not_letters) > 5 else ""
        err.print(
            f"[yellow]left out {_n(len(summary.not_letters), 'file')} that are not letters "
            f"(.pdf, .txt, page images):[/] {names}{more}",
            highlight=False,
            soft_wrap=True,
        )
    if summary.total == 0:
        raise _fail("no letters (.pdf, .txt, page images) found in " + ", ".join(map(str, inputs)))
    colour = "green" if summary.ok else "red"
    err.print(
        f"[{colour}]{_n(summary.processed, 'letter')} processed[/] in {summary.seconds:.1f}s "
        f"({summary.rate:.2f}/s), {summary.skipped} skipped (already done), "
        f"{summary.failed} failed → {output}"
        + (f"; errors in {summary.errors_path}" if summary.errors_path else ""),
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(0 if summary.ok else 1)


# ------------------------------------------------------------------------------------------------
# training (imrnlp.train, imported lazily)


@app.command("annotate", cls=_Command)
def annotate_cli(
    inputs: Annotated[list[Path], typer.Argument(metavar="INPUT", help="Letters or folders.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Pre-annotations file.")],
    fmt: Annotated[
        AnnotateFormat,
        typer.Option("--format", "-f", help="jsonl rows, or labelstudio tasks (a .json list)."),
    ] = AnnotateFormat.jsonl,
    ocr: OcrOption = OcrOpt.auto,
) -> None:
    """Pre-annotate letters with the rules, for correction and training.

    labelstudio writes Label Studio tasks with the rules' spans as predictions; import them into
    a project whose labelling interface is `python -c "import imrnlp.labelstudio as l;
    print(l.LABEL_CONFIG)"`, correct, export as JSON and give the export to `imrnlp train`.

    Example: imrnlp annotate letters/ -o tasks.json --format labelstudio
    """
    from . import train

    skipped: list[str] = []
    try:
        n = train.annotate_files(list(inputs), output, skipped, fmt.value, ocr.value)  # type: ignore[arg-type]
    except ImrnlpError as e:
        raise _fail(str(e)) from None
    err.print(f"wrote {_n(n, 'pre-annotated letter')} to {output}", highlight=False)
    if skipped:
        raise _fail(f"{_n(len(skipped), 'file')} could not be read and were left out", 1)


#: `--letters` of `train --category` and `evaluate --category`.
LettersOption = Annotated[
    Path | None,
    typer.Option("--letters", help="With --category: the letters' folder (default: corpus)."),
]


@app.command("train", cls=_Command)
def train_cli(
    annotations: Annotated[
        Path,
        typer.Argument(
            metavar="ANNOTATIONS",
            help="Annotations: .jsonl, a Label Studio JSON export, .spacy, a folder.",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model folder to write.")],
    max_steps: Annotated[int, typer.Option("--max-steps", min=1, help="Training steps.")] = 400,
    base: Annotated[Path | None, typer.Option("--base", help="Pipeline to start from.")] = None,
    category: Annotated[
        bool,
        typer.Option(
            "--category",
            help="Train the item category model instead: ANNOTATIONS is a folder of gold records.",
        ),
    ] = False,
    letters: LettersOption = None,
) -> None:
    """Train a span model from annotations, or (--category) the item category model from gold
    records, on the letters that are not held back; with --base, added to that pipeline.

    Example: imrnlp train annotations/letters -o model/
    Example: imrnlp train gold/records --category -o model/ --base model/
    """
    from . import train

    try:
        if category:
            from .category_model import train_category

            result = train_category(annotations, output, letters=letters, base=base)
        else:
            result = train.train_model(annotations, output, max_steps=max_steps, base=base)
    except ImrnlpError as e:
        raise _fail(str(e)) from None
    typer.echo(json.dumps(result, indent=2, default=str))


@app.command("evaluate", cls=_Command)
def evaluate_cli(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="Model folder.")],
    annotations: Annotated[
        Path,
        typer.Argument(
            metavar="ANNOTATIONS",
            help="Annotations: .jsonl, a Label Studio JSON export, .spacy, a folder.",
        ),
    ],
    split: Annotated[
        str, typer.Option("--split", help="Split to score (--category: held_back or all).")
    ] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    category: Annotated[
        bool,
        typer.Option(
            "--category",
            help="Score item categories instead: ANNOTATIONS is a folder of gold records.",
        ),
    ] = False,
    letters: LettersOption = None,
) -> None:
    """Score a trained model, and the rules, on a split of the annotations; with --category, the
    item categories of rules, model and rules + model on the held-back gold letters.

    Example: imrnlp evaluate model/ gold.jsonl --split test
    Example: imrnlp evaluate model/ gold/records --category
    """
    from rich.table import Table

    from . import train

    if category:
        _evaluate_category(model, annotations, letters, split, as_json)
        return
    try:
        result = train.evaluate_model(model, annotations, split=split)
    except ImrnlpError as e:
        raise _fail(str(e)) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))
        return
    table = Table(title=f"{model} on {annotations} ({split})")
    for col in ("system", "label", "P", "R", "F"):
        table.add_column(col, justify="right" if len(col) == 1 else "left")

    def f3(x: Any) -> str:
        return f"{x:.3f}" if isinstance(x, int | float) else str(x)

    for system, scores in result.items():
        if not isinstance(scores, dict):
            continue
        table.add_row(
            system, "[bold]all", f3(scores.get("p")), f3(scores.get("r")), f3(scores.get("f"))
        )
        for label, s in (scores.get("per_label") or {}).items():
            if isinstance(s, dict):
                table.add_row("", label, f3(s.get("p")), f3(s.get("r")), f3(s.get("f")))
    out.print(table)


def _evaluate_category(
    model: Path, gold_dir: Path, letters: Path | None, split: str, as_json: bool
) -> None:
    from rich.table import Table

    from .category_model import evaluate_category

    split = "held_back" if split == "test" else split
    try:
        result = evaluate_category(model, gold_dir, letters, split=split)
    except ImrnlpError as e:
        raise _fail(str(e)) from None
    except ValueError as e:
        raise _fail(str(e), 2) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))
        return
    table = Table(
        title=f"item categories: {result['items']} items of {result['letters']} {split} letters, "
        f"model threshold {result['threshold']}"
    )
    for col in ("system", "category", "P", "R", "F", "n"):
        table.add_column(col, justify="right" if len(col) == 1 else "left")
    for system in ("rules", "model", "rules+model"):
        scores = result[system]
        table.add_row(
            system,
            "[bold]macro F",
            "",
            "",
            f"[bold]{scores['macro_f']:.3f}",
            str(scores["items"]),
        )
        table.add_row("", "accuracy", "", "", f"{scores['accuracy']:.3f}", "")
        for c, s in scores["per_class"].items():
            table.add_row("", c, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}", str(s["n"]))
    out.print(table)
    if result["skipped"]:
        err.print(f"skipped (item counts differ): {', '.join(result['skipped'])}", highlight=False)


@app.command("gold", cls=_Command)
def gold_cli(
    letters: Annotated[
        Path,
        typer.Argument(
            metavar="LETTERS", help="Folder of the letters, named <case number>.pdf or .txt."
        ),
    ],
    gold_dir: Annotated[Path, typer.Option("--gold", help="Folder of gold records (JSON).")] = Path(
        "gold/records"
    ),
    suffix: Annotated[str, typer.Option("--suffix", help="Letter file suffix.")] = ".pdf",
    model: Annotated[Path | None, typer.Option("--model", help="Saved or trained model.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Field-by-field accuracy of extraction against hand-made gold records.

    Example: imrnlp gold ../shared/corpus/dwc-imr-2017/pdf --gold gold/records
    """
    from rich.table import Table

    from .gold import evaluate_gold

    try:
        result = evaluate_gold(gold_dir, letters, suffix=suffix, model=model)
    except ImrnlpError as e:
        raise _fail(str(e)) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"{result['letters']} letters, {result['fields']} fields")
    table.add_column("field")
    table.add_column("accuracy", justify="right")
    for name, acc in result["by_field"].items():
        style = "" if acc >= 0.95 else "yellow"
        table.add_row(name, f"[{style}]{acc:.3f}" if style else f"{acc:.3f}")
    table.add_row("[bold]all fields", f"[bold]{result['accuracy']:.3f}")
    table.add_row("[bold]decisions right", f"[bold]{result['decisions_right']}")
    out.print(table)
    if result["failures"]:
        misses = Table(title=f"{len(result['failures'])} misses")
        for column in ("case", "field", "expected", "got"):
            misses.add_column(column, overflow="fold")
        for f in result["failures"]:
            misses.add_row(f["case"], f["field"], _short(f["expected"]), _short(f["got"]))
        out.print(misses)


def _short(value: Any, width: int = 70) -> str:
    from rich.markup import escape

    text = json.dumps(value, ensure_ascii=False, default=str)
    return escape(text if len(text) <= width else text[: width - 1] + "…")


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted; run again with --resume to continue a batch")
        sys.exit(130)


if __name__ == "__main__":
    main()
