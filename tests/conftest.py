"""Shared fixtures: the corpus folder (skip when absent) and the bundled sample letter."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from imrnlp.corpus import corpus_dir

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def corpus() -> Path:
    found = corpus_dir()
    if found is None:
        pytest.skip("corpus not found: set IMRNLP_CORPUS or put it at ../shared/corpus")
    return found


@pytest.fixture(scope="session")
def sample_text() -> str:
    return (files("imrnlp") / "data" / "sample_letter.txt").read_text(encoding="utf8")
