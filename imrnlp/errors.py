"""imrnlp's exception classes: each says what is wrong and what to do."""

from __future__ import annotations


class ImrnlpError(Exception):
    """Base class of every error imrnlp raises on purpose."""


class PatternError(ImrnlpError):
    """A rule file is missing or malformed."""


class ReadError(ImrnlpError):
    """A letter file could not be read."""


class MissingFileError(ReadError, FileNotFoundError):
    """A letter file or folder does not exist (an `OSError`, as `open` would raise)."""


class NotALetterError(ReadError):
    """A file that holds no letter text: a Word or Excel file, an image, any binary file."""


class PdfError(ReadError):
    """A PDF could not be turned into text (broken, encrypted, or without a text layer)."""


class OcrUnavailableError(ReadError):
    """A letter without a text layer, and no OCR engine installed to read its images."""


class AnnotationError(ImrnlpError):
    """An annotation file is malformed; the message names the file and line."""
