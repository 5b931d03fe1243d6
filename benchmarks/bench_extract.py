"""Speed of extract_many against spaCy's bare tokenizer, on the same corpus letters, in one run.

    python benchmarks/bench_extract.py [--letters 154] [--repeat 3] [--repo CHECKOUT]

Prints letters per CPU second of `spacy.blank("en")` tokenizing (nlp.pipe) and of
`imrnlp.extract_many` (the full pipeline plus record assembly), their ratio, the time to load the
pipeline, and the process's peak memory (max RSS). CPU time of the process (not wall time), best
of `--repeat`, so that other work on a shared machine slows neither side.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import spacy


def _repo() -> str:
    """The imrnlp checkout to measure: --repo PATH, else the one this script is in."""
    if "--repo" in sys.argv:
        return sys.argv[sys.argv.index("--repo") + 1]
    return str(Path(__file__).resolve().parent.parent)


sys.path.insert(0, _repo())
if "--repo" in sys.argv:
    # that checkout's factories register when it is imported; the entry points of the installed
    # imrnlp may name factories it lacks
    from spacy.util import registry

    registry._entry_point_factories.entry_points = False
from imrnlp.corpus import corpus_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=154)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repo", help="measure the imrnlp of this checkout (bench_versions.py)")
    args = parser.parse_args()
    corpus = corpus_dir()
    if corpus is None:
        sys.exit("corpus not found: set IMRNLP_CORPUS")
    texts = [
        p.read_text(encoding="utf8")
        for p in sorted((corpus / "dwc-imr-2017" / "text").glob("*.txt"))
    ]
    texts = texts[: args.letters]

    t0 = time.perf_counter()
    import imrnlp

    nlp = imrnlp.load()
    load_s = time.perf_counter() - t0
    blank = spacy.blank("en")
    list(imrnlp.extract_many(texts[:5]))  # warm-up (lazy ConText build)

    best_tok = best_imr = float("inf")
    # interleaved, so both see the same machine load; CPU time of this process, so time spent
    # waiting for a core that other work holds is not counted
    for _ in range(args.repeat):
        t = time.process_time()
        for _doc in blank.pipe(texts):
            pass
        best_tok = min(best_tok, time.process_time() - t)
        t = time.process_time()
        for _rec in imrnlp.extract_many(texts):
            pass
        best_imr = min(best_imr, time.process_time() - t)
    tok_rate, imr_rate = len(texts) / best_tok, len(texts) / best_imr
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"letters                      {len(texts)}")
    print(f"spacy.blank('en') tokenizer  {tok_rate:8.1f} letters/s")
    print(f"imrnlp.extract_many          {imr_rate:8.1f} letters/s")
    print(f"ratio (imrnlp / tokenizer)   {imr_rate / tok_rate:8.3f}")
    print(f"pipeline load (import+build) {load_s:8.2f} s   ({len(nlp.pipe_names)} components)")
    print(f"peak memory (max RSS)        {peak_mb:8.0f} MB")


if __name__ == "__main__":
    main()
