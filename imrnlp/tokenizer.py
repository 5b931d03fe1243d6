"""Tokenizer rules so dates, spine levels, drug strengths and case numbers stay whole tokens."""

from __future__ import annotations

import re
from typing import cast

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex

_WHOLE_TOKENS = (
    r"\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})",  # 07/17/2013, 12-21-16
    r"(?i:[CTLS]\d{1,2}[-/][CTLS]?\d{1,2}(?:-[CTLS]?\d{1,2})?)",  # C5-C6, L4-5, L5/S1
    r"(?i:occiput|occipito|occipital)-(?i:C-?1)",  # occiput-C1
    r"\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)+(?i:mg|mcg|gm|g|ml|%)?",  # 10/325mg, 5/325
    r"\d+(?:\.\d+)?(?i:mg/ml|mcg/hr|mg|mcg|gm|g|ml|%|meq)",  # 10mg, 0.075%
    r"CM\d{2}-\d{5,8}",  # case number
    r"#\d+",  # quantity, #60
)
#: A substring matching this is kept as one token (after punctuation prefixes and suffixes are
#: split off). No regex flags: spaCy saves the pattern string alone with the pipeline.
TOKEN_MATCH = re.compile("^(?:" + "|".join(_WHOLE_TOKENS) + ")$")


#: Split points inside a token: a '/' between a strength and the next drug name
#: ("20%/Lidocaine" -> "20%", "/", "Lidocaine").
INFIXES = (r"(?<=[%\d])/(?=[A-Za-z])",)

_NOT_EMOTICONS = frozenset({"):", "(:", ":)", ":(", ")-:", "(-:"})


def customize_tokenizer(nlp: Language) -> None:
    """Install imrnlp's token rules on `nlp.tokenizer`; they are saved with the pipeline.

    Besides TOKEN_MATCH, "(ESWT):" and "Page(s):" end in their own ":" token, as item headings
    and citations expect."""
    old = cast(Tokenizer, nlp.tokenizer)
    infixes = list(nlp.Defaults.infixes or []) + list(INFIXES)
    # one new Tokenizer: each setter on an existing one reloads every special case
    nlp.tokenizer = Tokenizer(
        nlp.vocab,
        # "):" is an emoticon to spaCy's English exceptions; in these letters it closes "(ESWT):"
        rules={k: v for k, v in (old.rules or {}).items() if k not in _NOT_EMOTICONS},
        prefix_search=old.prefix_search,
        suffix_search=old.suffix_search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=TOKEN_MATCH.match,
        url_match=old.url_match,
    )
