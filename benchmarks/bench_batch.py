"""Letters per second of `imrnlp batch` on the corpus PDFs: 1 and 2 processes, and Dask.

    python benchmarks/bench_batch.py [--limit N] [--workers 2]

Each configuration runs `imrnlp.batch.run_batch` end to end (pool or cluster start-up included)
into a temporary JSONL; ratios are taken against one process in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from imrnlp.batch import read_jsonl, run_batch
from imrnlp.corpus import corpus_dir


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="Use the first N PDFs (0: all).")
    ap.add_argument("--workers", type=int, default=2, help="Processes / Dask workers.")
    args = ap.parse_args()
    corpus = corpus_dir()
    if corpus is None:
        sys.stderr.write("corpus not found: set IMRNLP_CORPUS\n")
        return 2
    pdfs = sorted((corpus / "dwc-imr-2017" / "pdf").glob("*.pdf"))
    if args.limit:
        pdfs = pdfs[: args.limit]
    configs = [
        ("local, n_process=1", {"n_process": 1, "engine": "local"}),
        (f"local, n_process={args.workers}", {"n_process": args.workers, "engine": "local"}),
        (
            f"dask LocalCluster, {args.workers} workers",
            {"n_process": args.workers, "engine": "dask"},
        ),
    ]
    results = []
    reference = None
    with tempfile.TemporaryDirectory() as tmp:
        for name, kw in configs:
            out = Path(tmp) / f"{len(results)}.jsonl"
            t0 = time.perf_counter()
            summary = run_batch(pdfs, out, **kw)
            wall = time.perf_counter() - t0
            rows = [{**r, "source": Path(r["source"]).name} for r in read_jsonl(out)]
            if reference is None:
                reference = rows
            results.append((name, len(pdfs) / wall, summary.rate, wall, rows == reference))
    base = results[0][1]
    print(f"{len(pdfs)} corpus PDFs\n")
    print(f"{'configuration':<34}{'wall s':>8}{'letters/s':>11}{'steady/s':>10}{'ratio':>7}  same")
    for name, rate, steady, wall, same in results:
        print(f"{name:<34}{wall:>8.1f}{rate:>11.2f}{steady:>10.2f}{rate / base:>7.2f}  {same}")
    print(
        "\nletters/s: letters / wall time including pool or cluster start-up;"
        " steady/s: after the first result was asked for (the run's own timer)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
