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


def one_item_letter(request: str, guide: str) -> str:
    """A minimal letter in the team's own words: one disputed item, `request`, upheld, with
    `guide` as both guideline lines."""
    return (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set "
        "forth below:\n\n"
        f"{request}: Upheld\n\n"
        f"Claims Administrator guideline: {guide}\n\n"
        f"MAXIMUS guideline: {guide}\n\n"
        "Decision rationale: The records do not support it. The request is not medically "
        "necessary.\n"
    )
