"""A saved pipeline carries its rules: spacy.load() in a process that never imports imrnlp."""

from __future__ import annotations

import subprocess
import sys

import spacy
import srsly
from spacy.tokens import Doc, DocBin

import imrnlp
from imrnlp import labels as L
from imrnlp.assemble import doc_to_record

_CHILD = """
import sys, spacy
nlp = spacy.load(sys.argv[1])
doc = nlp(open(sys.argv[2], encoding="utf8").read())
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "imrnlp")
sys.stdout.buffer.write(doc.to_bytes())
sys.stderr.write(",".join(loaded))
"""


def test_saved_pipeline_gives_the_same_record(tmp_path, sample_text):
    path = tmp_path / "imr_rules"
    imrnlp.load().to_disk(path)
    letter = tmp_path / "letter.txt"
    letter.write_text(sample_text, encoding="utf8")
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(letter)], capture_output=True, check=True
    )
    # the child found every imrnlp factory through the spacy_factories entry points
    doc = Doc(imrnlp.load().vocab).from_bytes(child.stdout)
    assert doc_to_record(doc).model_dump(mode="json") == imrnlp.extract(sample_text).model_dump(
        mode="json"
    )


def test_saved_pipeline_loads_in_process(tmp_path, sample_text):
    path = tmp_path / "imr_rules"
    imrnlp.load().to_disk(path)
    nlp = spacy.load(path)
    assert nlp.meta["imrnlp_version"] == imrnlp.__version__
    record = imrnlp.extract(sample_text, model=path)
    assert record.model_dump(mode="json") == imrnlp.extract(sample_text).model_dump(mode="json")


_LISTED = """CLINICAL CASE SUMMARY
The injured worker is a 50 year old man. The diagnoses include mild lumbar strain and left knee
pain.
"""


def test_saved_pipeline_uses_its_own_diagnosis_list_rules(tmp_path):
    """`imr_diagnosis_lists` reads the phrases a listed diagnosis leaves out from the saved
    pipeline's folder, not from the installed package: a saved copy without the severity rule
    keeps "mild" in the DIAGNOSIS span."""
    path = tmp_path / "imr_rules"
    imrnlp.load().to_disk(path)
    rules = path / L.PIPE_DIAGNOSIS_LISTS / "diagnosis_outside.jsonl"

    def diagnoses(nlp):
        doc = nlp(_LISTED)
        return sorted(s.text for s in doc.spans[L.SPANS_KEY] if s.label_ == L.DIAGNOSIS)

    assert "lumbar strain" in diagnoses(spacy.load(path))
    kept = [r for r in srsly.read_jsonl(rules) if r["pattern"] != "mild"]
    srsly.write_jsonl(rules, kept)
    assert "mild lumbar strain" in diagnoses(spacy.load(path))
    # a rule written as a token pattern (matched by a Matcher, not as a phrase) works the same
    as_tokens = {
        "label": "DIAGNOSIS_OUTSIDE",
        "id": "diagnosis_outside.severity",
        "pattern": [{"LOWER": "mild"}],
    }
    srsly.write_jsonl(rules, [*kept, as_tokens])
    assert "lumbar strain" in diagnoses(spacy.load(path))


_MODIFIED = "He returned to modified work on 12/01/2016.\n"


def test_saved_pipeline_uses_its_own_span_filter_rules(tmp_path):
    """The rulers' noise and join rules are saved in their folders and read from there: a saved
    copy without the rule that "modified work" is no decision tags "modified" as DECISION."""
    path = tmp_path / "imr_rules"
    imrnlp.load().to_disk(path)
    rules = path / L.PIPE_ENTITY_RULER / "filter" / "noise.jsonl"

    def decisions(nlp):
        return [s.text for s in nlp(_MODIFIED).spans[L.SPANS_KEY] if s.label_ == L.DECISION]

    assert decisions(spacy.load(path)) == []
    noise = [r for r in srsly.read_jsonl(rules) if r.get("id") != "decision.modified"]
    srsly.write_jsonl(rules, noise)
    assert decisions(spacy.load(path)) == ["modified"]
    # a copy through to_bytes / from_bytes keeps the edited rules too
    nlp = spacy.load(path)
    copy = spacy.util.load_model_from_config(nlp.config, auto_fill=False)
    copy.from_bytes(nlp.to_bytes())
    assert decisions(copy) == ["modified"]


def _records(nlp, texts):
    return [doc_to_record(doc).model_dump(mode="json") for doc in nlp.pipe(texts)]


def test_bytes_round_trip_keeps_every_rule(corpus, sample_text):
    """`to_bytes` / `from_bytes` (how a pipeline is copied or pickled) keeps the sections, ConText
    and date-role rules: the same records, letter for letter."""
    texts = [sample_text] + [
        p.read_text(encoding="utf8")
        for p in sorted((corpus / "dwc-imr-2017" / "text").glob("*.txt"))[::10]
    ]
    nlp = imrnlp.load()
    copy = spacy.util.load_model_from_config(nlp.config, auto_fill=False)
    copy.from_bytes(nlp.to_bytes())
    got, want = _records(copy, texts), _records(nlp, texts)
    assert [r["layout"] for r in got] == [r["layout"] for r in want]
    assert got == want


def test_components_declare_what_they_assign():
    nlp = imrnlp.load()
    analysis = nlp.analyze_pipes()
    assert all(not problems for problems in analysis["problems"].values()), analysis["problems"]
    for name in nlp.pipe_names:
        if name.startswith("imr_") and "ruler" not in name:
            assert nlp.get_pipe_meta(name).assigns, name
    for name in ("imr_entity_ruler", "imr_field_ruler"):
        scorer = nlp.config["components"][name]["scorer"]
        assert scorer["spans_key"] == nlp.get_pipe(name).key


def test_docbin_keeps_what_the_assembler_reads(sample_text):
    """Items, their parts and the header are span groups: a DocBin keeps them, and the record
    assembled from the stored Doc is the record of the letter."""
    nlp = imrnlp.load()
    doc = nlp(sample_text)
    for key in (L.ITEMS_KEY, L.ITEM_PARTS_KEY, L.HEADER_KEY):
        assert len(doc.spans[key]), key
    assert {s.label_ for s in doc.spans[L.ITEM_PARTS_KEY]} <= set(L.ITEM_PARTS)
    stored = DocBin(store_user_data=True, docs=[doc]).to_bytes()
    (back,) = DocBin().from_bytes(stored).get_docs(nlp.vocab)
    assert doc_to_record(back).model_dump(mode="json") == doc_to_record(doc).model_dump(mode="json")
