"""imrnlp: typed case records from California workers' compensation IMR letters.

>>> import imrnlp
>>> record = imrnlp.extract(text)
>>> record.items[0].decision
"""

from __future__ import annotations

from .api import extract, extract_file, extract_many, load
from .errors import (
    AnnotationError,
    ImrnlpError,
    MissingFileError,
    NotALetterError,
    OcrUnavailableError,
    PdfError,
    ReadError,
)
from .record import (
    CaseRecord,
    Citation,
    DateMention,
    Diagnosis,
    Entity,
    Evidence,
    Guideline,
    Item,
    Medication,
    OcrInfo,
    Patient,
    Reviewer,
)
from .version import __version__

__all__ = [
    "AnnotationError",
    "CaseRecord",
    "Citation",
    "DateMention",
    "Diagnosis",
    "Entity",
    "Evidence",
    "Guideline",
    "ImrnlpError",
    "Item",
    "Medication",
    "MissingFileError",
    "NotALetterError",
    "OcrInfo",
    "OcrUnavailableError",
    "Patient",
    "PdfError",
    "ReadError",
    "Reviewer",
    "__version__",
    "extract",
    "extract_file",
    "extract_many",
    "load",
]
