"""Letter input: PDF text through pypdfium2, text files in UTF-8 or a legacy encoding, and the
page images of scanned or faxed letters (image-only PDF, PNG, JPEG, TIFF) through OCR."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import MissingFileError, NotALetterError, PdfError, ReadError
from .ocr import OCR_MODES, OcrMode
from .record import OcrInfo

if TYPE_CHECKING:
    from PIL.Image import Image

logger = logging.getLogger("imrnlp")

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
LETTER_SUFFIXES = (".pdf", ".txt", *IMAGE_SUFFIXES)


@dataclass(slots=True)
class Letter:
    """A letter file's text, the warnings about how it was read, and how OCR read it (if)."""

    text: str
    warnings: list[str] = field(default_factory=list)
    ocr: OcrInfo | None = None


def read_letter(path: str | Path, *, ocr: OcrMode = "auto") -> tuple[str, list[str]]:
    """The text of a letter file and any warnings about how it was read."""
    letter = read_file(path, ocr=ocr)
    return letter.text, letter.warnings


def read_file(path: str | Path, *, ocr: OcrMode = "auto") -> Letter:
    """A letter file read: text and PDF text layers as they are; pages without text (a scan, a
    fax; PNG, JPEG and TIFF files) by OCR, unless `ocr="never"`; `ocr="always"` reads every
    page of a PDF from its image."""
    if ocr not in OCR_MODES:
        raise ValueError(f"ocr must be one of {', '.join(OCR_MODES)}, not {ocr!r}")
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"{path}: no such file")
    if path.is_dir():
        raise ReadError(f"{path}: is a folder; give a letter file (.pdf, .txt or a page image)")
    if path.stat().st_size == 0:
        raise ReadError(f"{path}: the file is empty (0 bytes); there is no letter to read")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return read_pdf(path, ocr=ocr)
    if suffix in IMAGE_SUFFIXES:
        return read_image(path, ocr=ocr)
    return text_file(path, ocr=ocr)


def text_file(path: Path, *, ocr: OcrMode = "auto") -> Letter:
    """A file named as text: its text (UTF-8, else Windows-1252), or a PDF or image despite its
    name read as such; other binary files refused."""
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(f"{path}: the file is empty; there is no letter to read")
    if data.startswith(b"%PDF-"):
        letter = read_pdf(path, ocr=ocr)
        letter.warnings.insert(0, f"{path.name} is a PDF despite its name; read as PDF")
        return letter
    kind = binary_kind(data)
    if kind in _IMAGE_KINDS:
        letter = read_image(path, ocr=ocr)
        letter.warnings.insert(0, f"{path.name} is {kind} despite its name; read as an image")
        return letter
    if kind is not None:
        raise NotALetterError(
            f"{path}: {kind}, not a letter; give the letter as .pdf or .txt (save a Word file as "
            "PDF or plain text first)"
        )
    try:
        return Letter(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        return Letter(text, [f"{path.name} is not UTF-8; read as Windows-1252 (cp1252)"])


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
_IMAGE_KINDS = ("a PNG image", "a JPEG image", "a TIFF image")


def binary_kind(data: bytes) -> str | None:
    """What a file that is no text is ('a PNG image'), or None for text."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if b"\x00" in data[:8192]:
        return "a binary file"
    return None


def pdf_text(path: Path) -> str:
    """Text layer of every page, in reading order, pages separated by form feeds."""
    return read_pdf(path, ocr="never").text


def read_pdf(path: Path, *, ocr: OcrMode = "auto") -> Letter:
    """Text of every page, in reading order, pages separated by form feeds; pages without text
    read by OCR (see `read_file`).

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
        scanned = _pages_to_ocr(pdf, pages, ocr)
        if scanned:
            from .ocr import RENDER_DPI

            images = ((n + 1, _render(pdf, n, RENDER_DPI)) for n in scanned)
            letter = _ocr_letter(path, images, pages, len(pages))
            return letter
    except pdfium.PdfiumError as e:
        raise PdfError(
            f"{path}: a page of the PDF could not be read ({str(e).strip().rstrip('.')})"
        ) from e
    finally:
        pdf.close()
    text = _join_pages(pages)
    if not text.strip():
        if ocr == "never":
            raise PdfError(
                f"{path}: the PDF has no text layer (a scan?) and OCR was turned off (--ocr "
                "never); let imrnlp read its page images (--ocr auto, the default)"
            )
        raise PdfError(f"{path}: the PDF has no text layer and no page image to read (blank?)")
    return Letter(text)


def _join_pages(pages: list[str]) -> str:
    # pages joined as pdftotext joins them: a form feed opens each new page's first line
    text = "\n\f".join(pages).replace("\r\n", "\n").replace("\r", "\n")
    # pdfium writes a hyphen that ends a wrapped line as "\x02" and drops the line break
    return text.replace("\x02", "-\n")


def _pages_to_ocr(pdf: object, pages: list[str], ocr: OcrMode) -> list[int]:
    """Indexes of the pages to read by OCR: all ("always"), none ("never"), or ("auto") the
    pages with (almost) no text that show an image."""
    from .ocr import MIN_PAGE_CHARS

    if ocr == "never":
        return []
    if ocr == "always":
        return list(range(len(pages)))
    bare = [n for n, t in enumerate(pages) if len("".join(t.split())) < MIN_PAGE_CHARS]
    return [n for n in bare if _has_image(pdf[n])]  # type: ignore[index]


def _has_image(page: object) -> bool:
    import pypdfium2.raw as pdfium_c

    try:
        return any(
            obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE
            for obj in page.get_objects(max_depth=2)  # type: ignore[attr-defined]
        )
    finally:
        page.close()  # type: ignore[attr-defined]


def _render(pdf: object, index: int, dpi: int) -> Image:
    page = pdf[index]  # type: ignore[index]
    try:
        return page.render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        page.close()


def read_image(path: Path, *, ocr: OcrMode = "auto") -> Letter:
    """A letter given as page images: PNG, JPEG, or TIFF with one frame per page (a fax)."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    if ocr == "never":
        raise NotALetterError(
            f"{path}: an image, and OCR was turned off (--ocr never); let imrnlp read it "
            "(--ocr auto) or give the letter as .pdf or .txt"
        )
    try:
        image = PILImage.open(path)
        image.load()
    except (
        UnidentifiedImageError,
        PILImage.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as e:
        raise ReadError(
            f"{path}: an image that could not be opened ({e}); the file may be truncated or "
            "not an image"
        ) from e
    frames = getattr(image, "n_frames", 1)
    return _ocr_letter(path, _frames(image), [""] * frames, frames)


def _frames(image: Image) -> Iterator[tuple[int, Image]]:
    for n in range(getattr(image, "n_frames", 1)):
        image.seek(n)
        yield n + 1, image.copy()


def _ocr_letter(
    path: Path, images: Iterator[tuple[int, Image]], pages: list[str], page_count: int
) -> Letter:
    """`pages` with the pages of `images` replaced by their OCR text, repaired; the warnings."""
    from .ocr import LOW_CONFIDENCE, engine_name, get_engine, page_workers, read_images, repair

    engine = get_engine(engine_name())
    result = read_images(images, engine, workers=page_workers())
    warnings: list[str] = []
    repairs = 0
    for number, page in result.pages.items():
        text, fixed = repair(page.text)
        pages[number - 1] = text
        repairs += len(fixed)
        warnings.extend(f"page {number}: {w}" for w in fixed)
        if page.error is not None:
            warnings.append(f"OCR failed on page {number} ({page.error}); its text is missing")
        elif page.chars == 0:
            warnings.append(f"OCR found no text on page {number}")
        elif page.confidence < LOW_CONFIDENCE:
            warnings.append(
                f"OCR confidence on page {number} is low ({page.confidence:.2f}); check the "
                "values read from it"
            )
    read = sorted(result.pages)
    chars = sum(result.pages[n].chars for n in read)
    mean = sum(result.pages[n].confidence * result.pages[n].chars for n in read) / max(1, chars)
    info = OcrInfo(
        engine=result.engine,
        pages=read,
        page_count=page_count,
        mean_confidence=round(mean, 4),
        page_confidence=[round(result.pages[n].confidence, 4) for n in read],
        repairs=repairs,
    )
    text = _join_pages(pages)
    if not text.strip():
        warnings.append(f"{path.name}: OCR found no text in the letter's page images")
    logger.info("%s: %d page(s) read by %s", path, len(read), result.engine)
    return Letter(text, warnings, info)
