"""Instructions two revisions of imrnlp execute, counted by valgrind's callgrind: repeatable
whatever else the machine does, where timings on a shared machine vary by a third.

    python benchmarks/bench_instructions.py BASE [HEAD] [--letters 40]

For each revision (HEAD default: the working tree), counts the instructions of importing imrnlp
and building the pipeline, and of that plus `extract_many` over the first `--letters` corpus
texts; their difference is the cost of extraction. Needs `valgrind` (Debian package) and the
corpus (`IMRNLP_CORPUS`). A run takes a few minutes per revision.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from worktrees import checked_out  # noqa: E402

_WORKLOAD = """
import sys
sys.path.insert(0, sys.argv[1])
n = int(sys.argv[2])
# the revision's own factories register when it is imported; the entry points of the installed
# imrnlp may name factories another revision lacks
from spacy.util import registry
registry._entry_point_factories.entry_points = False
import imrnlp
from imrnlp.corpus import corpus_dir
imrnlp.load()
folder = corpus_dir() / "dwc-imr-2017" / "text"
texts = [open(p, encoding="utf8").read() for p in sorted(folder.glob("*.txt"))][:n]
if n:
    list(imrnlp.extract_many(texts))
"""


def _count(tree: Path, letters: int, tmp: Path) -> int:
    script = tmp / "workload.py"
    script.write_text(_WORKLOAD, encoding="utf8")
    out = tmp / "callgrind.out"
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable]
    # a fixed hash seed: set and dict orders, and so the count, are the same run after run
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [*command, str(script), str(tree), str(letters)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    m = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if m is None:
        raise RuntimeError(done.stderr[-2000:])
    return int(m.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("head", nargs="?", default=None)
    parser.add_argument("--letters", type=int, default=40)
    args = parser.parse_args()
    revisions = {"base": args.base, "head": args.head}
    with tempfile.TemporaryDirectory() as tmp_name, checked_out(revisions, Path(tmp_name)) as trees:
        tmp = Path(tmp_name)
        counts = {}
        for label, tree in trees.items():
            load = _count(tree, 0, tmp)
            full = _count(tree, args.letters, tmp)
            counts[label] = (load, full - load)
            print(
                f"{label}: load {load / 1e9:.3f} G instructions, "
                f"{args.letters} letters {(full - load) / 1e9:.3f} G",
                flush=True,
            )
        (bl, be), (hl, he) = counts["base"], counts["head"]
        print(f"head / base: load {hl / bl:.3f}, extraction {he / be:.3f}")


if __name__ == "__main__":
    main()
