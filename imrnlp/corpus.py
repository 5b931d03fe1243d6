"""Where the development corpus is: `IMRNLP_CORPUS`, else `../shared/corpus` beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path | None:
    """The corpus folder, or None when it is not on this machine."""
    env = os.environ.get("IMRNLP_CORPUS")
    candidates = [Path(env)] if env else []
    candidates += [Path.cwd().parent / "shared" / "corpus", _REPO.parent / "shared" / "corpus"]
    for c in candidates:
        if (c / "dwc-imr-2017").is_dir():
            return c
    return None
