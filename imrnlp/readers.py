"""Letter input: PDF text through pypdfium2, and text files in UTF-8 or a legacy encoding."""

from __future__ import annotations

import logging
from pathlib import Path

from .errors import MissingFileError, NotALetterError, PdfError, ReadError

logger = logging.getLogger("imrnlp")

LETTER_SUFFIXES = (".pdf", ".txt")


def read_letter(path: str | Path) -> tuple[str, list[str]]:
    """The text of a letter file and any warnings about how it was read."""
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"{path}: no such file")
    if path.is_dir():
        raise ReadError(f"{path}: is a folder; give a letter file (.pdf or .txt)")
    if path.stat().st_size == 0:
        raise ReadError(f"{path}: the file is empty (0 bytes); there is no letter to read")
    if path.suffix.lower() == ".pdf":
        return pdf_text(path), []
    return text_file(path)


def text_file(path: Path) -> tuple[str, list[str]]:
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(f"{path}: the file is empty; there is no letter to read")
    if data.startswith(b"%PDF-"):
        return pdf_text(path), [f"{path.name} is a PDF despite its name; read as PDF"]
    kind = binary_kind(data)
    if kind is not None:
        raise NotALetterError(
            f"{path}: {kind}, not a letter; give the letter as .pdf or .txt (save a Word file as "
            "PDF or plain text first)"
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        return text, [f"{path.name} is not UTF-8; read as Windows-1252 (cp1252)"]


#: File signatures of common non-letter files, for a clear error instead of garbled text.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip container (Word .docx, Excel .xlsx or a zip archive)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.doc, .xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "a rich-text (.rtf) file"),
)


def binary_kind(data: bytes) -> str | None:
    """What a file that is no text is ('a PNG image'), or None for text."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if b"\x00" in data[:8192]:
        return "a binary file"
    return None


def pdf_text(path: Path) -> str:
    """Text of every page, in reading order, pages separated by form feeds.

    The DWC's letters are AES-encrypted with an empty user password; pdfium opens them as is.
    """
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path), password="")
    except pdfium.PdfiumError as e:
        reason = str(e).strip().rstrip(".")
        if "password" in reason.lower():
            raise PdfError(
                f"{path}: the PDF is encrypted with a password; decrypt it first "
                "(for example `qpdf --decrypt --password=PASSWORD in.pdf out.pdf`)"
            ) from e
        raise PdfError(
            f"{path}: not a readable PDF ({reason}); the file may be truncated or not a PDF at all"
        ) from e
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
    except pdfium.PdfiumError as e:
        raise PdfError(
            f"{path}: a page of the PDF could not be read ({str(e).strip().rstrip('.')})"
        ) from e
    finally:
        pdf.close()
    # pages joined as pdftotext joins them: a form feed opens each new page's first line
    text = "\n\f".join(pages).replace("\r\n", "\n").replace("\r", "\n")
    # pdfium writes a hyphen that ends a wrapped line as "\x02" and drops the line break
    text = text.replace("\x02", "-\n")
    if not text.strip():
        raise PdfError(
            f"{path}: the PDF has no text layer (a scan?); run OCR first (for example "
            "`ocrmypdf in.pdf out.pdf`) and give imrnlp the result"
        )
    return text
