"""The public functions: extract, extract_file, extract_many, load."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .assemble import doc_to_record
from .ocr import OcrMode
from .pipeline import load as _load_pipeline
from .readers import read_file
from .record import CaseRecord

logger = logging.getLogger("imrnlp")

#: Longest text processed; the rest of a longer text is dropped with a warning in the record.
MAX_CHARS = 2_000_000
#: How the warning of a record left empty by a bug in imrnlp begins.
INTERNAL_ERROR = "internal error, record left empty"


def load(model: str | Path | None = None) -> Language:
    """The spaCy pipeline: imrnlp's rules, or a saved/trained pipeline folder. Cached."""
    return _load_pipeline(model)


def _prepare(text: object) -> tuple[str, list[str]]:
    if not isinstance(text, str):
        raise TypeError(
            f"imrnlp.extract() takes the letter's text as str, not {type(text).__name__}"
        )
    warnings: list[str] = []
    if _looks_like_path(text):
        warnings.append(
            f"the text given is the path of a file ({text.strip()}), not a letter's text: "
            "use imrnlp.extract_file(path) to read the file"
        )
    if len(text) > MAX_CHARS:
        warnings.append(f"text of {len(text)} characters cut to the first {MAX_CHARS}")
        text = text[:MAX_CHARS]
    return text, warnings


def _looks_like_path(text: str) -> bool:
    candidate = text.strip()
    if not candidate or len(candidate) > 4096 or "\n" in candidate:
        return False
    try:
        return Path(candidate).expanduser().is_file()
    except (OSError, ValueError, RuntimeError):  # RuntimeError: '~user' of no such user
        return False


def _record(
    doc: Doc | None,
    source: str | None,
    warnings: list[str],
    error: Exception | None = None,
) -> CaseRecord:
    if doc is not None:
        try:
            return doc_to_record(doc, source=source, warnings=warnings)
        except Exception as e:  # never lose a letter to a bug: report it in the record
            logger.exception("could not assemble the record of %s", source or "a text")
            error = e
    return CaseRecord(
        source=source,
        layout="unknown",
        warnings=[*warnings, f"{INTERNAL_ERROR}: {type(error).__name__}: {error}"],
    )


def extract(text: str, *, model: str | Path | None = None, source: str | None = None) -> CaseRecord:
    """The case record of one letter's text. Never raises on a str: problems become warnings."""
    text, warnings = _prepare(text)
    nlp = load(model)
    try:
        doc = _run(nlp, text)
    except Exception as e:
        logger.exception("pipeline failed on %s", source or "a text")
        return _record(None, source, warnings, e)
    return _record(doc, source, warnings)


def _run(nlp: Language, text: str) -> Doc:
    if len(text) >= nlp.max_length:
        nlp.max_length = len(text) + 1
    return nlp(text)


def extract_file(
    path: str | Path, *, model: str | Path | None = None, ocr: OcrMode = "auto"
) -> CaseRecord:
    """The case record of a letter file (.pdf, .txt, or a scan: .png, .jpg, .tif); `record.source`
    is the path. Pages without text are read by OCR (`ocr="auto"`); `"always"` reads every PDF
    page from its image, `"never"` refuses a letter without text; `record.ocr` says what OCR read.

    Raises `ReadError`/`PdfError` when the file cannot be read (missing, broken or encrypted PDF,
    no text layer and OCR off), `OcrUnavailableError` when a scan needs OCR and no engine is
    installed."""
    letter = read_file(path, ocr=ocr)
    record = extract(letter.text, model=model, source=str(path))
    if letter.warnings:
        record.warnings[:0] = letter.warnings
    record.ocr = letter.ocr
    return record


def extract_many(
    texts: Iterable[str],
    *,
    model: str | Path | None = None,
    n_process: int = 1,
    batch_size: int = 16,
) -> Iterator[CaseRecord]:
    """Records of many letters' texts, in order, through `nlp.pipe` (n_process > 1 forks)."""
    nlp = load(model)
    prepared: list[list[str]] = []

    def texts_only() -> Iterator[str]:
        for text in texts:
            clean, warnings = _prepare(text)
            prepared.append(warnings)
            if len(clean) >= nlp.max_length:
                nlp.max_length = len(clean) + 1
            yield clean

    for n, doc in enumerate(nlp.pipe(texts_only(), n_process=n_process, batch_size=batch_size)):
        yield _record(doc, None, prepared[n])  # (doc.text is rebuilt on each access)
