"""Revisions of this repository checked out side by side, for the benchmarks that compare them."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def checked_out(revisions: dict[str, str | None], tmp: Path) -> Iterator[dict[str, Path]]:
    """label -> folder of each revision (git worktrees under `tmp`; None: this working tree),
    removed again on the way out."""
    trees: dict[str, Path] = {}
    try:
        for label, rev in revisions.items():
            if rev is None:
                trees[label] = REPO
                continue
            trees[label] = tmp / label
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "add", "--detach", str(trees[label]), rev],
                check=True,
                capture_output=True,
            )
        yield trees
    finally:
        for tree in trees.values():
            if tree != REPO:
                subprocess.run(
                    ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                    check=False,
                )
