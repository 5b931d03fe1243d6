"""OCR accuracy and speed: gold letters rendered to image-only PDFs, read back, scored.

    python benchmarks/bench_ocr.py                      # 10 dev letters, Tesseract, scan + fax
    python benchmarks/bench_ocr.py --engine rapidocr -n 3
    python benchmarks/bench_ocr.py --set heldout         # letters not looked at while tuning

Each letter of the chosen set is rendered from its corpus PDF (`imrnlp.scans`) to a clean 200 dpi
grey scan and to a fax (1-bit, tilted half a degree, speckled) in a temporary folder, read by
`imrnlp.extract_file` with the chosen engine, and scored against `gold/records` as `imrnlp gold`
scores; the text-layer PDFs are scored too, and each scan's decisions and requests are compared
with its text-layer record. Reports fields accuracy, decisions right, OCR pages per second and
letters per second (through `imrnlp.batch.process_files`, as `imrnlp batch` runs them:
--n-process worker processes of one OCR thread each, start-up included), and with one process
the CPU seconds a page (this process and its tesseract runs). The rendered letters are
deleted at the end: they are letter content.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parent.parent


def letter_set(cases: list[str], which: str, n: int) -> list[str]:
    """Every 15th gold letter from offset 0 (dev: looked at while tuning) or 7 (heldout)."""
    offset = {"dev": 0, "heldout": 7}[which]
    return cases[offset::15][:n]


def main() -> None:
    import imrnlp
    from imrnlp.batch import process_files
    from imrnlp.corpus import corpus_dir
    from imrnlp.gold import load_gold, score
    from imrnlp.record import CaseRecord
    from imrnlp.scans import make_scan

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default="tesseract", choices=["tesseract", "rapidocr"])
    ap.add_argument("-n", type=int, default=10, help="letters (default 10)")
    ap.add_argument("--set", dest="which", default="dev", choices=["dev", "heldout"])
    ap.add_argument("--kinds", default="scan,fax")
    ap.add_argument("--dpi", type=int, default=200, help="resolution of the made scans")
    ap.add_argument("--suffix", default=".pdf", help=".pdf, or .tif for multi-page TIFFs")
    ap.add_argument("--n-process", type=int, default=1, help="worker processes (batch's own)")
    ap.add_argument("--failures", action="store_true", help="list every miss")
    ap.add_argument("--keep", type=Path, help="write the OCR text here (outside the repository)")
    args = ap.parse_args()
    os.environ["IMRNLP_OCR_ENGINE"] = args.engine

    corpus = corpus_dir()
    if corpus is None:
        sys.exit("corpus not found: set IMRNLP_CORPUS or put it at ../shared/corpus")
    gold = load_gold(REPO / "gold" / "records")
    cases = letter_set(sorted(gold), args.which, args.n)
    pdfs = [corpus / "dwc-imr-2017" / "pdf" / f"{c}.pdf" for c in cases]
    text_records = {c: imrnlp.extract_file(p) for c, p in zip(cases, pdfs, strict=True)}
    out: dict[str, object] = {
        "engine": args.engine,
        "n_process": args.n_process,
        "set": args.which,
        "dpi": args.dpi,
        "suffix": args.suffix,
        "letters": len(cases),
        "text_layer": _summary(score((text_records[c], gold[c]) for c in cases)),
    }
    imrnlp.extract_file(pdfs[0], ocr="never")  # pipeline loaded before timing
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            scans = [
                make_scan(p, Path(tmp), kind, suffix=args.suffix, dpi=args.dpi)  # type: ignore[arg-type]
                for p in pdfs
            ]
            from imrnlp.ocr import get_engine

            get_engine(args.engine)  # engine loaded before timing
            start, cpu0 = time.perf_counter(), _cpu()
            rows = process_files(scans, n_process=args.n_process)
            records = [CaseRecord.model_validate(row) for row in rows]
            seconds, cpu = time.perf_counter() - start, _cpu() - cpu0
            pages = sum(len(r.ocr.pages) for r in records if r.ocr)
            result = _summary(score((r, gold[c]) for r, c in zip(records, cases, strict=True)))
            same = sum(_same(r, text_records[c]) for r, c in zip(records, cases, strict=True))
            conf = [r.ocr.mean_confidence for r in records if r.ocr]
            result.update(
                pages=pages,
                seconds=round(seconds, 1),
                pages_per_s=round(pages / seconds, 3),
                letters_per_s=round(len(records) / seconds, 3),
                cpu_s_per_page=round(cpu / pages, 2) if args.n_process == 1 else None,
                same_decisions_and_requests=f"{same}/{len(records)}",
                mean_confidence=round(sum(conf) / max(1, len(conf)), 3),
            )
            if args.failures:
                result["failures"] = score(
                    (r, gold[c]) for r, c in zip(records, cases, strict=True)
                )["failures"]
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for s in scans:
                    from imrnlp.readers import read_file

                    (args.keep / f"{s.stem}.txt").write_text(read_file(s).text, encoding="utf8")
            out[kind] = result
    print(json.dumps(out, indent=1, default=str))


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the tesseract runs): on a
    shared machine a steadier measure than wall time."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _summary(result: dict[str, object]) -> dict[str, object]:
    return {k: result[k] for k in ("fields", "accuracy", "decisions_right")} | {
        "accuracy": round(float(result["accuracy"]), 4),  # type: ignore[arg-type]
    }


def _same(a: object, b: object) -> bool:
    """Whether two records of one letter hold the same decisions and requests."""
    from imrnlp.gold import _norm

    def key(r: object) -> list[tuple[str | None, str]]:
        return [(i.decision, _norm(i.request)) for i in r.items]  # type: ignore[attr-defined]

    return key(a) == key(b)


if __name__ == "__main__":
    main()
