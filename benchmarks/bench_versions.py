"""Speed of two revisions of imrnlp, measured alternately in one run (the machine is shared).

    python benchmarks/bench_versions.py BASE [HEAD] [--rounds 5]

Checks BASE (and HEAD, default: the working tree) out into temporary git worktrees, then runs
this checkout's `bench_extract.py --repo TREE` on each revision in turn, `--rounds` times,
alternating, and prints each run's ratio (imrnlp / bare tokenizer, CPU time) and load time, and
the best of each. The best ratio is the figure to compare: noise on a shared machine only ever
slows a run down.
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

sys.path.insert(0, str(REPO))
from imrnlp.corpus import corpus_dir  # noqa: E402


def _run(tree: Path) -> tuple[float, float]:
    # a worktree in a temporary folder has no ../shared/corpus beside it: name this checkout's
    corpus = corpus_dir()
    env = dict(os.environ, IMRNLP_CORPUS=str(corpus)) if corpus is not None else None
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_extract.py"), "--repo", str(tree)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ratio = float(re.search(r"ratio \(imrnlp / tokenizer\)\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    load = float(re.search(r"pipeline load \(import\+build\)\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return ratio, load


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", help="git revision to compare against, e.g. HEAD~3")
    parser.add_argument("head", nargs="?", default=None, help="revision (default: working tree)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    revisions = {"base": args.base, "head": args.head}
    with tempfile.TemporaryDirectory() as tmp, checked_out(revisions, Path(tmp)) as trees:
        results: dict[str, list[tuple[float, float]]] = {"base": [], "head": []}
        for n in range(args.rounds):
            for label in ("base", "head") if n % 2 == 0 else ("head", "base"):
                results[label].append(_run(trees[label]))
                print(f"round {n + 1} {label}: ratio {results[label][-1][0]:.3f}", flush=True)
        for label in ("base", "head"):
            ratios = [r for r, _ in results[label]]
            loads = [t for _, t in results[label]]
            print(f"{label}: best ratio {max(ratios):.3f}, best load {min(loads):.2f} s")


if __name__ == "__main__":
    main()
