"""Speed of extract_many against spaCy's bare tokenizer, on the same corpus letters, in one run.

    python benchmarks/bench_extract.py [--letters 154] [--repeat 3]

Prints letters per second of `spacy.blank("en")` tokenizing (nlp.pipe) and of
`imrnlp.extract_many` (the full pipeline plus record assembly), their ratio, the time to load the
pipeline, and the process's peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from imrnlp.corpus import corpus_dir


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=154)
    parser.add_argument("--repeat", type=int, default=3)
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
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        t = time.perf_counter()
        for _doc in blank.pipe(texts):
            pass
        best_tok = min(best_tok, time.perf_counter() - t)
        t = time.perf_counter()
        for _rec in imrnlp.extract_many(texts):
            pass
        best_imr = min(best_imr, time.perf_counter() - t)
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
