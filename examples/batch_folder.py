"""Extract a folder of IMR letters to Parquet and write the corpus report, from Python.

python examples/batch_folder.py LETTERS_DIR OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from imrnlp.batch import run_batch
from imrnlp.report import write_report


def main(letters: Path, out: Path) -> int:
    records = out / "records.jsonl"
    summary = run_batch([letters], records, n_process=2, resume=True)
    run_batch([letters], out / "items.parquet", n_process=2)
    stats = write_report(records, out / "report.html")
    sys.stderr.write(
        f"{summary.total} letters ({summary.failed} failed), {stats.items} items, "
        f"{100 * stats.share_overturned:.1f}% overturned\n"
    )
    return 0 if summary.ok else 1


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), Path(sys.argv[2])))
