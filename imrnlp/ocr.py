"""Reading page images: the OCR engines, lines in reading order, and repairs of the OCR text.

A scanned or faxed letter has no text layer. Its pages are rendered (PDF) or opened (PNG, JPEG,
TIFF), read by an OCR engine into text fragments with boxes and confidences, laid out as lines
in reading order (the header table's labels beside their values), and the text is repaired where
OCR is known to go wrong (headings whose words run together, O/0 l/1 S/5 in case numbers and
dates) before the pipeline reads it. Nothing here runs for a letter with a text layer.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .errors import OcrUnavailableError
from .resources import ocr_rules

if TYPE_CHECKING:
    from PIL.Image import Image

logger = logging.getLogger("imrnlp")

OcrMode = Literal["auto", "always", "never"]
OCR_MODES: tuple[str, ...] = ("auto", "always", "never")

#: A PDF page with fewer non-space characters of text than this is read from its image.
MIN_PAGE_CHARS = 20
#: Resolution pages are rendered at for OCR: a scan's own, and here as accurate as 300 dpi,
#: and faster.
RENDER_DPI = 200
#: A page whose mean word confidence is below this gets a warning in the record.
LOW_CONFIDENCE = 0.80


@dataclass(frozen=True, slots=True)
class Fragment:
    """A run of text on a page image with its box (pixels) and confidence (0-1)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    conf: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(slots=True)
class PageText:
    """One page read by OCR: its text in reading order and its mean confidence (0-1)."""

    text: str
    confidence: float
    chars: int
    error: str | None = None  # why the engine failed on this page, if it did


@dataclass(slots=True)
class OcrResult:
    """What OCR made of a letter's pages, before the pipeline reads it."""

    pages: dict[int, PageText] = field(default_factory=dict)  # 1-based page number -> page
    engine: str = ""


class Engine(Protocol):
    """An OCR engine: a page image in, text fragments with boxes and confidences out."""

    name: str

    def read(self, image: Image) -> list[Fragment]: ...


# -- engines ------------------------------------------------------------------------------------


def limit_threads(n: int = 1) -> None:
    """Cap OpenMP and BLAS threads (Tesseract, onnxruntime, OpenCV) so that worker processes do
    not oversubscribe the cores. Call before the engine is loaded; keeps a value already set."""
    for var in ("OMP_THREAD_LIMIT", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(n))


class TesseractEngine:
    """Tesseract 5 through pytesseract (the `tesseract` program must be installed)."""

    def __init__(self, *, lang: str = "eng", psm: int = 3) -> None:
        try:
            import pytesseract
        except ImportError as e:
            raise OcrUnavailableError(_missing("the pytesseract package")) from e
        if shutil.which("tesseract") is None and not _configured_cmd(pytesseract):
            raise OcrUnavailableError(
                _missing("the tesseract program (Debian/Ubuntu: apt-get install tesseract-ocr)")
            )
        self._tess = pytesseract
        self.lang = lang
        self.config = f"--psm {psm}"
        try:
            version = str(pytesseract.get_tesseract_version()).split()[0]
        except Exception as e:  # a broken install: say so once, here
            raise OcrUnavailableError(f"the tesseract program does not run ({e})") from e
        self.name = f"tesseract {version}"

    def read(self, image: Image) -> list[Fragment]:
        data = self._tess.image_to_data(
            image, lang=self.lang, config=self.config, output_type=self._tess.Output.DICT
        )
        words: dict[tuple[int, int, int], list[Fragment]] = {}
        for n, text in enumerate(data["text"]):
            text = text.strip()
            conf = float(data["conf"][n])
            if not text or conf < 0:
                continue
            x, y, w, h = (data[k][n] for k in ("left", "top", "width", "height"))
            key = (data["block_num"][n], data["par_num"][n], data["line_num"][n])
            words.setdefault(key, []).append(Fragment(x, y, x + w, y + h, text, conf / 100))
        out: list[Fragment] = []
        for line in words.values():
            out.extend(_split_at_gaps(line))
        return out


def _configured_cmd(pytesseract: Any) -> bool:
    cmd = pytesseract.pytesseract.tesseract_cmd
    return cmd != "tesseract" and os.path.exists(cmd)


def _split_at_gaps(words: list[Fragment]) -> Iterator[Fragment]:
    """Words of one Tesseract line joined into fragments, cut where a gap is wider than three
    letters (table columns that Tesseract put on one line)."""
    words = sorted(words, key=lambda w: w.x0)
    run: list[Fragment] = []
    for w in words:
        if run:
            prev = run[-1]
            letter = max(1.0, (prev.x1 - prev.x0) / max(1, len(prev.text)))
            if w.x0 - prev.x1 > 3 * max(letter, prev.height * 0.5):
                yield _join(run)
                run = []
        run.append(w)
    if run:
        yield _join(run)


def _join(words: Sequence[Fragment]) -> Fragment:
    chars = sum(len(w.text) for w in words)
    return Fragment(
        min(w.x0 for w in words),
        min(w.y0 for w in words),
        max(w.x1 for w in words),
        max(w.y1 for w in words),
        " ".join(w.text for w in words),
        sum(w.conf * len(w.text) for w in words) / max(1, chars),
    )


class RapidOcrEngine:
    """RapidOCR (PP-OCR models on onnxruntime, shipped inside the rapidocr-onnxruntime wheel)."""

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as e:
            raise OcrUnavailableError(_missing("the rapidocr-onnxruntime package")) from e
        threads = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
        kwargs = {"intra_op_num_threads": threads} if threads > 0 else {}
        self._ocr = RapidOCR(**kwargs)
        self.name = "rapidocr-onnxruntime"

    def read(self, image: Image) -> list[Fragment]:
        import numpy as np

        result, _ = self._ocr(np.asarray(image.convert("RGB")))
        out = []
        for box, text, score in result or []:
            xs = [p[0] for p in box]
            ys = [p[1] for p in box]
            out.append(Fragment(min(xs), min(ys), max(xs), max(ys), text, float(score)))
        return out


ENGINES: dict[str, type] = {"tesseract": TesseractEngine, "rapidocr": RapidOcrEngine}
DEFAULT_ENGINE = "tesseract"


def _missing(what: str) -> str:
    return (
        f"this letter has no text layer and must be read by OCR, which needs {what}: install "
        "imrnlp's OCR extra (`pip install 'imrnlp[ocr]'`) and the tesseract program "
        "(`apt-get install tesseract-ocr`), or give the letter as a PDF with a text layer"
    )


@cache
def get_engine(name: str = DEFAULT_ENGINE) -> Engine:
    """The OCR engine `name` ('tesseract' or 'rapidocr'), built once per process, with one
    OpenMP thread unless OMP_THREAD_LIMIT / OMP_NUM_THREADS say otherwise (on this project's
    2-core machine Tesseract's own threads made a page 2.5 times slower; parallelism comes from
    reading letters in several processes)."""
    if name not in ENGINES:
        raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINES)}")
    limit_threads(1)
    engine: Engine = ENGINES[name]()
    return engine


def engine_name() -> str:
    """The engine used when none is named: IMRNLP_OCR_ENGINE, else Tesseract."""
    return os.environ.get("IMRNLP_OCR_ENGINE", DEFAULT_ENGINE)


# -- page images --------------------------------------------------------------------------------


def prepare(image: Image) -> Image:
    """A page image as the engines read it best: grey kept (Tesseract binarizes a clean scan better
    than a threshold does), the rules of tables and boxes whitened out (Tesseract reads a ruled
    header table as pictures), and fax specks of one or two pixels whitened."""
    import numpy as np
    from PIL import Image as PILImage
    from scipy import ndimage

    grey = np.asarray(image.convert("L"))
    ink = grey < _threshold(grey)
    # a rule is a run of ink longer than a twentieth of the page's width (0.4 inch), across or
    # down; letters have none, a rule tilted by a fax still has runs longer than that
    run = max(40, grey.shape[1] // 20)
    rules = np.zeros_like(ink)
    for axis in (0, 1):
        long = ndimage.minimum_filter1d(ink, run, axis=axis)
        rules |= ndimage.maximum_filter1d(long, run, axis=axis)
    paper = ndimage.binary_dilation(rules)
    # specks: blobs of ink of one or two pixels
    labels, _ = ndimage.label(ink & ~paper)
    sizes = np.bincount(labels.ravel())
    speck = sizes < 3
    speck[0] = False
    paper |= speck[labels]
    out = grey.copy()
    out[paper] = 255
    return PILImage.fromarray(out)


def _threshold(grey: Any) -> int:
    """Otsu's threshold of a grey image, at most 170 (a light grey background stays paper)."""
    import numpy as np

    hist = np.bincount(grey.ravel(), minlength=256).astype(float)
    total = hist.sum()
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean[-1] * weight / total - mean) ** 2 / (weight * (total - weight))
    between = np.nan_to_num(between)
    return int(min(170, max(60, int(between.argmax()))))


def page_workers() -> int:
    """Pages of one letter read at once: IMRNLP_OCR_WORKERS, else 1. Tesseract runs as one
    process per page, so N pages at once use N cores from a single Python process (and a single
    copy of the pipeline); leave it at 1 when `batch -n` already keeps every core busy."""
    try:
        return max(1, int(os.environ.get("IMRNLP_OCR_WORKERS", "1")))
    except ValueError:
        return 1


def read_images(
    images: Iterable[tuple[int, Image]], engine: Engine, *, workers: int = 1
) -> OcrResult:
    """OCR of page images given as (1-based page number, image), `workers` pages at once."""
    result = OcrResult(engine=engine.name)
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers, thread_name_prefix="imrnlp-ocr") as pool:
            pages = list(pool.map(lambda page: _read_page(page[0], page[1], engine), images))
    else:
        pages = [_read_page(number, image, engine) for number, image in images]
    for number, page in pages:
        result.pages[number] = page
    return result


def _read_page(number: int, image: Image, engine: Engine) -> tuple[int, PageText]:
    try:
        fragments = engine.read(prepare(image))
    except Exception as e:  # one unreadable page must not lose the letter
        logger.warning("OCR failed on page %d: %s", number, e)
        return number, PageText("", 0.0, 0, f"{type(e).__name__}: {e}".strip())
    chars = sum(len(f.text) for f in fragments)
    conf = sum(f.conf * len(f.text) for f in fragments) / chars if chars else 0.0
    return number, PageText(layout(fragments), conf, chars)


# -- layout -------------------------------------------------------------------------------------


def layout(fragments: Sequence[Fragment]) -> str:
    """Fragments as lines in reading order: fragments that share a line (a header table's label
    and value, a heading and its ': Upheld') on one line, left to right, lines top to bottom."""
    rows: list[list[Fragment]] = []
    for f in sorted(fragments, key=lambda f: (f.yc, f.x0)):
        row = _row_for(f, rows)
        if row is None:
            rows.append([f])
        else:
            row.append(f)
    rows.sort(key=lambda r: min(r, key=lambda f: f.x0).yc)
    lines = []
    for row in rows:
        row.sort(key=lambda f: f.x0)
        lines.append(" ".join(f.text for f in row))
    return "\n".join(lines)


def _row_for(f: Fragment, rows: list[list[Fragment]]) -> list[Fragment] | None:
    """The row `f` continues: one of the last rows whose nearest fragment overlaps `f`
    vertically by half the smaller height and none of whose fragments overlaps it across."""
    for row in reversed(rows[-4:]):
        if any(g.x0 < f.x1 and f.x0 < g.x1 for g in row):
            continue
        near = min(row, key=lambda g: min(abs(g.x1 - f.x0), abs(f.x1 - g.x0)))
        overlap = min(near.y1, f.y1) - max(near.y0, f.y0)
        if overlap >= 0.5 * min(near.height, f.height):
            return row
    return None


# -- repairs of OCR text ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Heading:
    text: str
    squashed: str


@cache
def _headings() -> tuple[_Heading, ...]:
    return tuple(
        _Heading(h, _squash(h)) for h in sorted(ocr_rules()["headings"], key=len, reverse=True)
    )


def _squash(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def repair(text: str) -> tuple[str, list[str]]:
    """OCR text with known headings and labels re-spelled, commas read as periods put back, and
    case numbers and dates repaired; with a warning naming each repair of a case number or date."""
    lines = [_repair_decision_line(_repair_heading(line)) for line in text.split("\n")]
    text = _COMMA_READ_AS_PERIOD.sub(r"\1, ", "\n".join(lines))
    warnings: list[str] = []
    text = _repair_tokens(text, warnings)
    return text, warnings


def _repair_heading(line: str) -> str:
    """A line that opens with a known heading or label, misspelled or with its words run together
    by OCR, opens with the heading as written in the rules."""
    stripped = line.lstrip()
    if not stripped or len(stripped) < 4:
        return line
    # squashed line with, for each squashed character, its index in the line
    index = [n for n, c in enumerate(line) if c.isalnum()]
    squashed = "".join(line[n].lower() for n in index)
    for h in _headings():
        if squashed[:1] != h.squashed[:1]:
            continue
        match = _prefix_match(h.squashed, squashed, len(h.squashed) // 8)
        if match is None:
            continue
        end, cost = match
        cut = index[end - 1] + 1
        if cost and cut < len(line) and line[cut].isalnum():
            continue  # a near miss running into the next word ("Prioritized") is no heading
        if line.lstrip().startswith(h.text):
            return line  # already as written
        rest = line[cut:]
        if h.text.endswith(":"):  # keep its value; drop the ':' and stray marks OCR gave
            rest = rest.lstrip(" :;.,|")
            rest = (" " + rest) if rest else ""
        return line[: len(line) - len(line.lstrip())] + h.text + rest
    return line


#: A word, a period, a space and a lower-case word: OCR's reading of a comma. None of the 154
#: corpus letters' text layers has one; they have 3,618 "word, word".
_COMMA_READ_AS_PERIOD = re.compile(r"\b([A-Za-z]{3,})\. (?=[a-z])")


@cache
def _decision_line() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in ocr_rules()["decision_words"])
    return re.compile(rf"^(.*?)\s*[;:]\s*({words})\s*$", re.IGNORECASE)


def _repair_decision_line(line: str) -> str:
    """An item's heading ('Pre-op labs: PT/PTT: Upheld'), where OCR read ':' as ';'."""
    if ";" not in line:
        return line
    m = _decision_line().match(line)
    return line if m is None else f"{m[1].replace(';', ':')}: {m[2]}"


def _prefix_match(pattern: str, text: str, budget: int) -> tuple[int, int] | None:
    """(length, edits) of the prefix of `text` within `budget` edits of `pattern`, or None."""
    if budget == 0:
        return (len(pattern), 0) if text.startswith(pattern) else None
    window = text[: len(pattern) + budget]
    if len(window) < len(pattern) - budget:
        return None
    prev = list(range(len(window) + 1))
    for i, pc in enumerate(pattern, 1):
        cur = [i] + [0] * len(window)
        best = cur[0]
        for j, tc in enumerate(window, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (pc != tc))
            best = min(best, cur[j])
        if best > budget:
            return None
        prev = cur
    cost, end = min((c, -j) for j, c in enumerate(prev) if j > 0)
    return (-end, cost) if cost <= budget else None


#: Letters OCR reads in place of digits, by the digit they stand for.
_DIGIT_FOR = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "Q": "0",
        "l": "1",
        "I": "1",
        "|": "1",
        "i": "1",
        "!": "1",
        "S": "5",
        "s": "5",
        "B": "8",
        "Z": "2",
        "z": "2",
    }
)
_D = r"[0-9OoDQlIi|!SsBZz]"
_CASE = re.compile(rf"\b(?:CM|CN|GM|C M)({_D}{{2}})\s?[-–—~]\s?({_D}{{7}})\b")
_DATE = re.compile(
    rf"(?<![\w/.-])({_D}{{1,2}})([/-])({_D}{{1,2}})\2({_D}{{4}}|{_D}{{2}})(?![\w/-])"
)


def _repair_tokens(text: str, warnings: list[str]) -> str:
    def case(m: re.Match[str]) -> str:
        fixed = f"CM{m[1].translate(_DIGIT_FOR)}-{m[2].translate(_DIGIT_FOR)}"
        if fixed != m[0]:
            warnings.append(f"OCR: case number {m[0]!r} read as {fixed!r}")
        return fixed

    def date(m: re.Match[str]) -> str:
        raw = m[0]
        if sum(c.isdigit() for c in raw) < 3:  # mostly letters: a word, not a misread date
            return raw
        fixed = raw.translate(_DIGIT_FOR)
        if fixed != raw:
            warnings.append(f"OCR: date {raw!r} read as {fixed!r}")
        return fixed

    text = _CASE.sub(case, text)
    return _DATE.sub(date, text)
