"""Tokenizer rules so dates, spine levels, drug strengths and case numbers stay whole tokens."""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

_WHOLE_TOKENS = (
    r"\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})",  # 07/17/2013, 12-21-16
    r"(?i:[CTLS]\d{1,2}[-/][CTLS]?\d{1,2}(?:-[CTLS]?\d{1,2})?)",  # C5-C6, L4-5, L5/S1
    r"(?i:occiput|occipito|occipital)-(?i:C-?1)",  # occiput-C1
    r"\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)+(?i:mg|mcg|gm|g|ml|%)?",  # 10/325mg, 5/325
    r"\d+(?:\.\d+)?(?i:mg/ml|mcg/hr|mg|mcg|gm|g|ml|%|meq)",  # 10mg, 0.075%
    r"CM\d{2}-\d{5,8}",  # case number
    r"#\d+",  # quantity, #60
    r"(?i:https?://|www\.)\S*[/-]",  # a web address wrapped after '/' or '-', kept from SUFFIXES
)
#: A substring matching this is kept as one token (after punctuation prefixes and suffixes are
#: split off). No regex flags: spaCy saves the pattern string alone with the pipeline.
TOKEN_MATCH = re.compile("^(?:" + "|".join(_WHOLE_TOKENS) + ")$")


#: Split points inside a token: a '/' between a strength and the next drug name
#: ("20%/Lidocaine" -> "20%", "/", "Lidocaine").
INFIXES = (r"(?<=[%\d])/(?=[A-Za-z])",)

#: Split off a word's end: a '/' or '-' after a word, where a slash compound or a hyphenated word
#: wraps at a line's end ("myalgia/" before "myositis" on the next line -> "myalgia", "/";
#: "non-" before "certified" -> "non", "-"), so that rules read it as written on one line.
SUFFIXES = (r"(?<=[A-Za-z])/", r"(?<=[A-Za-z])-")

_NOT_EMOTICONS = frozenset({"):", "(:", ":)", ":(", ")-:", "(-:"})


def make_tokenizer(nlp: Language) -> Tokenizer:
    """spaCy's tokenizer for the language, with imrnlp's token rules; saved with the pipeline.

    Besides TOKEN_MATCH, INFIXES and SUFFIXES, "(ESWT):" and "Page(s):" end in their own ":"
    token, as item headings and citations expect. Built from the language defaults in one go:
    every setter on an existing Tokenizer reloads all its special cases."""
    defaults = nlp.Defaults
    prefixes, suffixes = defaults.prefixes or [], defaults.suffixes or []
    return Tokenizer(
        nlp.vocab,
        # "):" is an emoticon to spaCy's English exceptions; in these letters it closes "(ESWT):"
        rules={
            k: v
            for k, v in (defaults.tokenizer_exceptions or {}).items()
            if k not in _NOT_EMOTICONS
        },
        prefix_search=compile_prefix_regex(prefixes).search if prefixes else None,
        suffix_search=compile_suffix_regex([*suffixes, *SUFFIXES]).search,
        infix_finditer=compile_infix_regex([*(defaults.infixes or []), *INFIXES]).finditer,
        token_match=TOKEN_MATCH.match,
        url_match=defaults.url_match,
    )


@registry.tokenizers("imrnlp.Tokenizer.v1")
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """`[nlp.tokenizer] @tokenizers = "imrnlp.Tokenizer.v1"`: registered through the
    `spacy_tokenizers` entry point, so configs and saved pipelines resolve it in a process that
    never imports imrnlp (`python -m spacy train`, `spacy.load`)."""
    return make_tokenizer


def customize_tokenizer(nlp: Language) -> None:
    """Install imrnlp's tokenizer on an existing pipeline."""
    nlp.tokenizer = make_tokenizer(nlp)


@registry.callbacks("imrnlp.customize_tokenizer.v1")
def make_customize_tokenizer() -> Callable[[Language], Language]:
    """`[initialize.before_init]` callback of older configs: imrnlp's tokenizer on the pipeline."""

    def before_init(nlp: Language) -> Language:
        customize_tokenizer(nlp)
        return nlp

    return before_init
