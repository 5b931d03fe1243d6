"""The AnchoredMatcher finds exactly what spaCy's Matcher finds, on small examples and on the
package's own patterns over corpus letters."""

from __future__ import annotations

import pytest
import spacy
from spacy.matcher import Matcher

from imrnlp import labels as L
from imrnlp import resources
from imrnlp.components.span_ruler import AnchoredSpanRuler, unwrapped
from imrnlp.corpus import corpus_dir
from imrnlp.matcher import Anchor, AnchoredMatcher, anchor, longest_match, op_bounds
from imrnlp.pipeline import load

NLP = spacy.blank("en")
SPACE = {"IS_SPACE": True, "OP": "?"}


def _both(patterns: dict[str, list[list[dict]]]) -> tuple[Matcher, AnchoredMatcher]:
    plain, anchored = Matcher(NLP.vocab), AnchoredMatcher(NLP.vocab)
    for key, pats in patterns.items():
        plain.add(key, pats)
        anchored.add(key, pats)
    return plain, anchored


def _same(plain: Matcher, anchored: AnchoredMatcher, doc) -> list[tuple[int, int, int]]:
    expected = sorted(plain(doc))
    assert sorted(anchored(doc)) == expected
    return expected


@pytest.mark.parametrize(
    ("op", "bounds"),
    [
        (None, (1, 1)),
        ("!", (1, 1)),
        ("?", (0, 1)),
        ("*", (0, None)),
        ("+", (1, None)),
        ("{3}", (3, 3)),
        ("{1,6}", (1, 6)),
        ("{,2}", (0, 2)),
        ("{2,}", (2, None)),
    ],
)
def test_op_bounds(op, bounds):
    assert op_bounds(op) == bounds


def test_op_bounds_rejects_an_unknown_operator():
    with pytest.raises(ValueError):
        op_bounds("{x}")


def test_longest_match_adds_up_the_tokens_and_knows_no_limit():
    assert longest_match([{"LOWER": "qty"}, SPACE, {"IS_DIGIT": True, "OP": "{1,3}"}]) == 5
    assert longest_match([{"LOWER": "qty"}, {"IS_DIGIT": True, "OP": "+"}]) is None


def test_anchor_files_a_pattern_under_its_first_literal_and_the_next_one():
    found = anchor([{"lower": "page"}, SPACE, {"ORTH": ":", "OP": "?"}, {"SHAPE": "dd"}])
    # the optional ":" is no literal to file under; "dd" is 1 to 3 tokens after the start
    assert found == Anchor(("LOWER", frozenset(["page"])), ("SHAPE", frozenset(["dd"])), 1, 3)
    # TEXT is ORTH; an IN set of strings is a literal too
    assert anchor([{"TEXT": {"IN": ["Upheld", "UPHELD"]}}]) == Anchor(
        ("ORTH", frozenset(["Upheld", "UPHELD"]))
    )
    # no literal after an unbounded token: the reach would have no end
    assert anchor([{"LOWER": "a", "OP": "+"}, {"LOWER": "b"}]) == Anchor(("LOWER", frozenset("a")))


@pytest.mark.parametrize(
    "first",
    [
        {"LOWER": "a", "OP": "?"},
        {"LOWER": "a", "OP": "*"},
        {"LOWER": "a", "OP": "!"},
        {"LOWER": {"REGEX": "^a"}},
        {"IS_TITLE": False},
        {"IS_SPACE": True},
        {"LIKE_URL": True, "OP": "?"},
    ],
)
def test_no_anchor_where_the_first_token_has_no_literal(first):
    assert anchor([first, {"LOWER": "b"}]) is None


def test_a_first_token_asking_for_a_flag_is_filed_under_it():
    # the flag's column holds 1 where it is set; the next literal is a string as ever
    assert anchor([{"IS_TITLE": True}, SPACE, {"LOWER": "gel"}]) == Anchor(
        ("IS_TITLE", frozenset([True])), ("LOWER", frozenset(["gel"])), 1, 2
    )
    assert anchor([{"LIKE_URL": True}]) == Anchor(("LIKE_URL", frozenset([True])))
    # a literal string is preferred to a flag
    assert anchor([{"IS_TITLE": True, "LOWER": "norco"}]) == Anchor(("LOWER", frozenset(["norco"])))


def test_same_matches_as_spacys_matcher_on_a_small_letter():
    doc = NLP(
        "Page 3 of 5.  Qty: 60.  The original request was for  Norco 10/325 mg, #60.\n"
        "Diagnoses include lumbar   radiculopathy and left knee pain. Upheld page(s): 12\n"
        "See www.dir.ca.gov/dwc/MTUS."
    )
    plain, anchored = _both(
        {
            "PAGES": [
                [
                    {"LOWER": {"IN": ["page", "page(s"]}},
                    SPACE,
                    {"ORTH": {"IN": [")", "):", ":"]}, "OP": "{0,3}"},
                    SPACE,
                    {"IS_DIGIT": True},
                ]
            ],
            "QTY": [[{"LOWER": "qty"}, {"ORTH": ":", "OP": "?"}, SPACE, {"IS_DIGIT": True}]],
            "PARTIAL": [
                [{"LOWER": "the"}, SPACE, {"LOWER": "original"}, SPACE, {"LOWER": "request"}]
            ],
            "SITE": [
                [
                    {"LOWER": {"IN": ["left", "knee", "lumbar"]}, "OP": "{1,4}"},
                    {"IS_SPACE": True, "OP": "*"},
                    {"LOWER": {"IN": ["pain", "radiculopathy"]}},
                ]
            ],
            "DRUG": [[{"IS_TITLE": True}, SPACE, {"SHAPE": "dd/ddd"}]],
            "URL": [[{"LIKE_URL": True}]],
            "ANY": [[{"LOWER": "upheld", "OP": "?"}, {"LOWER": "page"}]],
        }
    )
    found = _same(plain, anchored, doc)
    assert {NLP.vocab.strings[k] for k, _, _ in found} == {
        "PAGES",
        "QTY",
        "PARTIAL",
        "SITE",
        "DRUG",
        "URL",
        "ANY",
    }


def test_windows_at_the_end_of_the_doc_and_next_to_each_other():
    doc = NLP("a b a b a")
    plain, anchored = _both({"AB": [[{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}]]})
    assert len(_same(plain, anchored, doc)) == 5
    assert anchored(NLP("")) == []


def test_add_remove_len_and_contains():
    matcher = AnchoredMatcher(NLP.vocab)
    matcher.add("A", [[{"LOWER": "a"}]])
    matcher.add("B", [[{"IS_TITLE": True}]])
    assert len(matcher) == 2 and "A" in matcher and "B" in matcher
    matcher.remove("A")
    assert "A" not in matcher and len(matcher) == 1
    assert matcher(NLP("a Bee")) == [(NLP.vocab.strings["B"], 1, 2)]
    with pytest.raises(KeyError):
        matcher.remove("A")


def test_the_pipeline_rulers_use_it():
    nlp = load()
    for name in (L.PIPE_ENTITY_RULER, L.PIPE_FIELD_RULER):
        ruler = nlp.get_pipe(name)
        assert isinstance(ruler, AnchoredSpanRuler)
        assert isinstance(ruler.matcher, AnchoredMatcher)
        # a round trip through bytes rebuilds the anchored matcher with every pattern
        again = spacy.blank("en").add_pipe(L.FACTORY_SPAN_RULER)
        again.from_bytes(ruler.to_bytes())
        assert isinstance(again.matcher, AnchoredMatcher)
        assert len(again.matcher) == len(ruler.matcher)


@pytest.mark.skipif(corpus_dir() is None, reason="corpus not found: set IMRNLP_CORPUS")
def test_same_matches_as_spacys_matcher_with_the_package_patterns_on_corpus_letters():
    corpus = corpus_dir()
    assert corpus is not None
    paths = sorted((corpus / "dwc-imr-2017" / "text").glob("*.txt"))[::8]
    nlp = load()
    docs = [nlp.make_doc(p.read_text(encoding="utf8")) for p in paths]
    for patterns in (resources.entity_patterns(), resources.field_patterns()):
        token_patterns: dict[str, list] = {}
        for row in patterns:
            if isinstance(row["pattern"], list):
                token_patterns.setdefault(f"{row['label']}|{row.get('id', '')}", []).append(
                    row["pattern"]
                )
        plain, anchored = _both(token_patterns)
        assert len(anchored._unanchored) == 0  # every pattern is anchored
        found = sum(len(_same(plain, anchored, doc)) for doc in docs)
        assert found > 500


def test_the_rulers_pickle_with_their_patterns():
    """A pipeline is pickled where processes are spawned (multiprocessing on macOS/Windows)."""
    import pickle

    nlp = load()
    ruler = nlp.get_pipe(L.PIPE_ENTITY_RULER)
    again = pickle.loads(pickle.dumps(ruler))
    doc = nlp.make_doc("Page 12 of the MTUS; left knee pain; Norco 10/325mg.")
    nlp.get_pipe(L.PIPE_SECTIONS)(doc)
    assert sorted(again.matcher(doc)) == sorted(ruler.matcher(doc)) != []


def test_unwrapped_drops_line_wraps_only_and_maps_back():
    nlp = load()
    doc = nlp.make_doc("physical\n   therapy x-\nray\n\nknee pain")
    words, index = unwrapped(doc)
    assert [t.text for t in words] == [
        "physical",
        "therapy",
        "x",
        "-",
        "ray",
        "\n\n",
        "knee",
        "pain",
    ]
    assert [doc[i].text for i in index] == [t.text for t in words]
    part, index = unwrapped(doc, 3, 7)
    assert [t.text for t in part] == ["x", "-", "ray"] and index == [3, 4, 6]


def test_the_ruler_matches_phrases_across_wraps_as_over_the_whole_unwrapped_doc():
    """Looking only around the wraps a phrase can run over finds what matching the phrases over
    the whole Doc without its line breaks finds."""
    nlp = load()
    ruler = nlp.get_pipe(L.PIPE_ENTITY_RULER)
    doc = nlp.make_doc("carpal tunnel\nsyndrome, physical\n therapy, knee\npain, x-\nray, MRI\nof")
    words, index = unwrapped(doc)
    whole = {(k, index[s], index[e - 1] + 1) for k, s, e in ruler.phrase_matcher(words)}
    around = set(ruler.phrase_matcher(doc))
    assert around == whole and len(around) >= 4


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("History of carpal tunnel\nsyndrome and", ("carpal tunnel\nsyndrome", "DIAGNOSIS")),
        ("He had physical\n     therapy twice.", ("physical\n     therapy", "PROCEDURE")),
        ("Request for x-\nray of the knee", ("x-\nray", "PROCEDURE")),
    ],
)
def test_a_phrase_pattern_matches_across_a_line_wrap(text, found):
    """pdftotext breaks lines where the page did; a phrase rule still finds the phrase, and its
    span runs over the line break."""
    doc = load()(text)
    assert found in [(s.text, s.label_) for s in doc.spans[L.SPANS_KEY]]


def test_a_blank_line_or_a_page_break_still_separates_a_phrase():
    doc = load()("He had physical\n\ntherapy and carpal tunnel\n\x0csyndrome.")
    assert not [s for s in doc.spans[L.SPANS_KEY] if s.label_ in ("PROCEDURE", "DIAGNOSIS")]


def test_a_pickled_ruler_still_matches_phrases_across_wraps():
    """The ruler's phrase matcher comes back from a pickle as itself, with the words that can
    join a phrase over a wrap."""
    import pickle

    nlp = load()
    ruler = nlp.get_pipe(L.PIPE_ENTITY_RULER)
    again = pickle.loads(pickle.dumps(ruler))
    doc = nlp.make_doc("He had physical\n therapy for carpal tunnel\nsyndrome.")
    assert [s.text for s in again.match(doc)] == [s.text for s in ruler.match(doc)]
    assert "carpal tunnel\nsyndrome" in [s.text for s in again.match(doc)]


def test_phrase_patterns_are_made_by_the_tokenizer_alone():
    """spaCy's SpanRuler runs each phrase pattern through the components before it; imrnlp's
    compares LOWER, which the tokenizer sets, so those components are not run (a fifth of the
    pipeline's load time was the section finder on each phrase)."""
    from spacy.language import Language

    calls = []

    @Language.component("imrnlp_test_counter")
    def counter(doc):
        calls.append(doc.text)
        return doc

    nlp = spacy.blank("en")
    nlp.add_pipe("imrnlp_test_counter")
    ruler = nlp.add_pipe(L.FACTORY_SPAN_RULER, config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "PROCEDURE", "pattern": "Physical Therapy"}])
    assert calls == []
    doc = nlp("more physical therapy")
    assert [s.text for s in doc.spans["ruler"]] == ["physical therapy"]
    assert calls == ["more physical therapy"]
