"""Scan-like and fax-like copies of text PDFs, made on the fly for the OCR tests and benchmarks.

The copies are image-only (no text layer): a clean grey scan at 200 dpi, or a fax (1-bit,
tilted about half a degree, speckled). They are letter content: write them to a temporary folder,
never into the repository.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from PIL.Image import Image

Kind = Literal["scan", "fax"]
KINDS: tuple[Kind, ...] = ("scan", "fax")


def page_images(pdf_path: Path, kind: Kind, *, dpi: int = 200, seed: int = 0) -> Iterator[Image]:
    """The pages of a PDF as a scanner (`scan`) or a fax machine (`fax`) would give them."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path), password="")
    try:
        for n, page in enumerate(pdf):
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            yield image if kind == "scan" else fax(image, seed=seed + n)
    finally:
        pdf.close()


def fax(image: Image, *, angle: float = 0.5, speckle: float = 0.002, seed: int = 0) -> Image:
    """A grey page as a fax: tilted by `angle` degrees, thresholded to 1 bit, with a share
    `speckle` of pixels flipped to black (and as many to white)."""
    import numpy as np
    from PIL import Image as PILImage

    tilted = image.rotate(angle, resample=PILImage.Resampling.BILINEAR, expand=False, fillcolor=255)
    pixels = np.asarray(tilted) < 160  # ink
    rng = np.random.default_rng(seed)
    flips = rng.random(pixels.shape)
    pixels = (pixels | (flips < speckle)) & ~(flips > 1 - speckle / 4)
    return PILImage.fromarray(np.where(pixels, 0, 255).astype(np.uint8)).convert("1")


def write_pdf(images: list[Image], path: Path, *, dpi: int = 200) -> Path:
    """Page images as an image-only PDF."""
    first, *rest = images
    first.save(path, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return path


def write_tiff(images: list[Image], path: Path, *, dpi: int = 200) -> Path:
    """Page images as a multi-page TIFF (CCITT group 4 for 1-bit pages, as fax software keeps
    them)."""
    first, *rest = images
    compression = "group4" if first.mode == "1" else "tiff_deflate"
    first.save(
        path, "TIFF", resolution=dpi, save_all=True, append_images=rest, compression=compression
    )
    return path


def make_scan(
    pdf_path: Path, out_dir: Path, kind: Kind, *, suffix: str = ".pdf", dpi: int = 200
) -> Path:
    """An image-only copy of `pdf_path` in `out_dir` (`<stem>.<kind><suffix>`, .pdf or .tif)."""
    images = list(page_images(pdf_path, kind, dpi=dpi))
    out = out_dir / f"{pdf_path.stem}.{kind}{suffix}"
    if suffix in (".tif", ".tiff"):
        return write_tiff(images, out, dpi=dpi)
    return write_pdf(images, out, dpi=dpi)
