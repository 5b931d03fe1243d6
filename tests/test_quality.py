"""The code stays lint-clean and type-checks (ruff and mypy come with the test extras)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", "imrnlp", "tests", "examples", "benchmarks"],
        [sys.executable, "-m", "ruff", "format", "--check", "imrnlp"],
        [sys.executable, "-m", "mypy", "imrnlp"],
    ],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_tool_passes(command):
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
