"""Fine-tuning: annotation loading and its errors, DocBin conversion, a small training run."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

import imrnlp
from imrnlp import labels as L
from imrnlp.errors import AnnotationError
from imrnlp.train import (
    Annotated,
    annotate_files,
    config_path,
    evaluate_model,
    load_annotations,
    to_docbin,
    train_model,
)

REPO = Path(__file__).resolve().parent.parent
LETTERS = REPO / "annotations" / "letters"
TEXT = "Norco 10/325mg #60 is not medically necessary. Date of Injury: 07/17/2013."


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf8")
    return path


def _letter_folder(tmp_path: Path, text: str, **row: object) -> tuple[Path, Path]:
    """A corpus with one text file and an annotation folder with one letter file."""
    corpus = tmp_path / "corpus"
    (corpus / "dwc-imr-2017" / "text").mkdir(parents=True)
    (corpus / "dwc-imr-2017" / "text" / "CM00-0000001.txt").write_text(text, encoding="utf8")
    folder = tmp_path / "letters"
    folder.mkdir()
    data = {
        "file": "CM00-0000001.txt",
        "sha256": hashlib.sha256(text.encode("utf8")).hexdigest(),
        "split": "train",
        "spans": [{"start": 0, "end": 5, "label": "MEDICATION"}],
        "meta": {},
        **row,
    }
    (folder / "CM00-0000001.json").write_text(json.dumps(data, indent=0), encoding="utf8")
    return folder, corpus


def test_jsonl_loads(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {
                "text": TEXT,
                "spans": [{"start": 0, "end": 5, "label": "MEDICATION"}],
                "meta": {"split": "dev", "source": "x.pdf"},
            },
            {"text": "nothing", "spans": []},
        ],
    )
    recs = load_annotations(path)
    assert [(r.split, r.spans) for r in recs] == [("dev", [(0, 5, "MEDICATION")]), ("train", [])]
    assert recs[0].source == "x.pdf"


def test_unknown_label(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"text": TEXT, "spans": []},
            {"text": TEXT, "spans": [{"start": 0, "end": 5, "label": "DRUG"}]},
        ],
    )
    with pytest.raises(AnnotationError, match=r"a\.jsonl, row 2: .*unknown label 'DRUG'"):
        load_annotations(path)


def test_span_outside_text(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"text": TEXT, "spans": [{"start": 70, "end": 500, "label": "DATE"}]},
        ],
    )
    with pytest.raises(AnnotationError, match=r"a\.jsonl, row 1: .*outside the text"):
        load_annotations(path)


def test_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "a", "spans": []}\n{"text": oops}\n', encoding="utf8")
    with pytest.raises(AnnotationError, match=r"a\.jsonl: not valid JSON \(Invalid JSON on line 2"):
        load_annotations(path)


def test_bad_split(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", [{"text": "a", "spans": [], "meta": {"split": "eval"}}])
    with pytest.raises(AnnotationError, match="split 'eval'"):
        load_annotations(path)


def test_letter_folder_loads(tmp_path: Path) -> None:
    folder, corpus = _letter_folder(tmp_path, TEXT)
    (rec,) = load_annotations(folder, corpus=corpus)
    assert rec.text == TEXT and rec.spans == [(0, 5, "MEDICATION")] and rec.split == "train"


def test_bad_hash(tmp_path: Path) -> None:
    folder, corpus = _letter_folder(tmp_path, TEXT, sha256="0" * 64)
    with pytest.raises(AnnotationError, match=r"CM00-0000001\.json:1: sha256 .* changed"):
        load_annotations(folder, corpus=corpus)


def test_missing_text(tmp_path: Path) -> None:
    folder, corpus = _letter_folder(tmp_path, TEXT, file="CM00-0000002.txt")
    missing = r"CM00-0000001\.json:1: .*CM00-0000002\.txt is missing"
    with pytest.raises(AnnotationError, match=missing):
        load_annotations(folder, corpus=corpus)


def test_folder_span_error_names_line(tmp_path: Path) -> None:
    spans = [{"start": 0, "end": 5, "label": "MEDICATION"}, {"start": 0, "end": 5, "label": "X"}]
    folder, corpus = _letter_folder(tmp_path, TEXT, spans=spans)
    with pytest.raises(AnnotationError, match=r"CM00-0000001\.json, line \d+: span 1"):
        load_annotations(folder, corpus=corpus)


def test_docbin_round_trip(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    doc = nlp.make_doc(TEXT)
    doc.spans[L.SPANS_KEY] = [doc.char_span(0, 5, label="MEDICATION")]
    doc.user_data["split"] = "test"
    DocBin(docs=[doc], store_user_data=True).to_disk(tmp_path / "a.spacy")
    (rec,) = load_annotations(tmp_path / "a.spacy")
    assert rec.spans == [(0, 5, "MEDICATION")] and rec.split == "test"


def test_docbin_conversion_warns_on_misaligned(caplog: pytest.LogCaptureFixture) -> None:
    rec = Annotated(
        TEXT,
        [(0, 5, "MEDICATION"), (0, 8, "MEDICATION"), (1, 4, "MEDICATION")],
        source="letter-7.jsonl:3",
    )
    nlp = imrnlp.load()
    with caplog.at_level(logging.WARNING, logger="imrnlp"):
        db = to_docbin([rec], nlp)
    (doc,) = db.get_docs(nlp.vocab)
    assert [s.text for s in doc.spans[L.PREDICTED_KEY]] == ["Norco", "Norco"]
    messages = [r.getMessage() for r in caplog.records]
    assert any("letter-7.jsonl:3" in m and "[0, 8)" in m and "'Norco'" in m for m in messages)
    assert any("letter-7.jsonl:3" in m and "[1, 4)" in m and "skipped" in m for m in messages)


def test_config_ships_with_package() -> None:
    config = spacy.util.load_config(config_path(), interpolate=False)
    assert config["components"][L.PIPE_NER]["factory"] == "ner"
    assert config["components"][L.PIPE_SPAN_MERGER]["source_key"] == "ents"
    assert "TAG" in config["components"][L.PIPE_NER]["model"]["tok2vec"]["embed"]["attrs"]
    pipeline = config["nlp"]["pipeline"]
    after_merge = pipeline[pipeline.index(L.PIPE_SPAN_MERGER) + 1 :]
    # the rules' readers, then the filter of the spans the model did not confirm
    assert after_merge == [*imrnlp.pipeline.READERS, L.PIPE_SPAN_FILTER]
    assert (REPO / "models" / "ner.cfg").read_text() == config_path().read_text()


def test_annotate_files(tmp_path: Path, sample_text: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "letter.txt").write_text(sample_text, encoding="utf8")
    (tmp_path / "in" / "notes.md").write_text("not a letter", encoding="utf8")
    out = tmp_path / "out.jsonl"
    assert annotate_files([tmp_path / "in"], out) == 1
    (rec,) = load_annotations(out)
    assert rec.text == sample_text and rec.spans
    assert json.loads(out.read_text())["meta"]["source"].endswith("letter.txt")


@pytest.mark.usefixtures("corpus")
def test_small_training(tmp_path: Path) -> None:
    """3 train letters, 1 dev, 1 test, 20 steps: a loadable pipeline that makes records."""
    letters = sorted(LETTERS.glob("*.json"))
    by_split: dict[str, list[Path]] = {}
    for p in letters:
        by_split.setdefault(json.loads(p.read_text())["split"], []).append(p)
    if len(by_split.get("train", [])) < 3 or not by_split.get("dev") or not by_split.get("test"):
        pytest.skip("annotations/letters needs 3 train, 1 dev and 1 test letter")
    chosen = tmp_path / "letters"
    chosen.mkdir()
    for p in [*by_split["train"][:3], by_split["dev"][0], by_split["test"][0]]:
        shutil.copy(p, chosen / p.name)
    out = tmp_path / "model"
    result = train_model(chosen, out, max_steps=20, eval_frequency=10)
    assert (out / "config.cfg").exists() and (out / "model-best").is_dir()
    assert set(result["per_label"]) == set(L.ENTITY_LABELS)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["imrnlp_version"] == imrnlp.__version__

    nlp = spacy.load(out)
    names = nlp.pipe_names
    assert names.index(L.PIPE_FEATURES) < names.index(L.PIPE_NER) < names.index(L.PIPE_SPAN_MERGER)
    test_letter = json.loads(by_split["test"][0].read_text())
    corpus_text = imrnlp.corpus.corpus_dir() / "dwc-imr-2017" / "text" / test_letter["file"]
    record = imrnlp.extract(corpus_text.read_text(encoding="utf8"), model=out)
    assert record.items

    scores = evaluate_model(out, chosen, split="test")
    for side in ("model", "rules"):
        assert {"p", "r", "f", "per_label"} <= scores[side].keys()
        assert set(scores[side]["per_label"]) == set(L.ENTITY_LABELS)
        assert all(set(v) == {"p", "r", "f"} for v in scores[side]["per_label"].values())


def test_spacy_train_runs_the_shipped_config_in_a_fresh_process(corpus, tmp_path):
    """`python -m spacy train` resolves imrnlp's tokenizer and factories by entry points alone."""
    import subprocess
    import sys

    from imrnlp.train import config_path, load_annotations, to_docbin

    records = load_annotations(REPO / "annotations" / "letters", corpus)
    to_docbin([r for r in records if r.split == "train"][:2]).to_disk(tmp_path / "train.spacy")
    to_docbin([r for r in records if r.split == "dev"][:1]).to_disk(tmp_path / "dev.spacy")
    imrnlp.load().to_disk(tmp_path / "rules")
    args = [
        "--paths.train",
        str(tmp_path / "train.spacy"),
        "--paths.dev",
        str(tmp_path / "dev.spacy"),
    ]
    args += ["--paths.rules", str(tmp_path / "rules"), "--training.max_steps", "2"]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "train",
            str(config_path()),
            "-o",
            str(tmp_path / "out"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "out" / "model-last" / "config.cfg").exists()


def test_label_studio_round_trip(tmp_path, sample_text):
    """annotate --format labelstudio -> (a person corrects in Label Studio) -> export -> train's
    reader: the corrected spans come back."""
    from typer.testing import CliRunner

    from imrnlp.cli import app
    from imrnlp.labelstudio import LABEL_CONFIG

    letter = tmp_path / "letter.txt"
    letter.write_text(sample_text, encoding="utf8")
    tasks_file = tmp_path / "tasks.json"
    done = CliRunner().invoke(
        app, ["annotate", str(letter), "-o", str(tasks_file), "--format", "labelstudio"]
    )
    assert done.exit_code == 0, done.output
    tasks = json.loads(tasks_file.read_text(encoding="utf8"))
    predicted = tasks[0]["predictions"][0]["result"]
    assert predicted and all(r["value"]["labels"][0] in LABEL_CONFIG for r in predicted)
    # what Label Studio exports once a person has corrected the task: drop one span, keep the rest
    kept = predicted[1:]
    export = [
        {"id": 7, "data": {**tasks[0]["data"], "split": "dev"}, "annotations": [{"result": kept}]},
        {"id": 8, "data": {"text": "not annotated"}, "annotations": []},
    ]
    export_file = tmp_path / "project-1-export.json"
    export_file.write_text(json.dumps(export), encoding="utf8")
    records = load_annotations(export_file)
    assert len(records) == 1 and records[0].split == "dev"
    want = sorted((r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in kept)
    assert sorted(records[0].spans) == want


def test_label_studio_export_errors_name_the_task(tmp_path):
    bad = tmp_path / "export.json"
    bad.write_text(json.dumps([{"id": 3, "data": {"txt": "x"}, "annotations": []}]))
    with pytest.raises(AnnotationError, match="task 3"):
        load_annotations(bad)


def test_annotation_consistency_counts_tagged_and_untagged_places(tmp_path: Path) -> None:
    """The consistency script finds a text tagged in one letter and untagged in another, and
    leaves out places inside a longer span of the label or inside another label's span."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "annotation_consistency", REPO / "benchmarks" / "annotation_consistency.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    one = "Diagnoses: tissue insult. Chronic Pain Medical Treatment Guidelines."
    two = "Evidence of tissue\ninsult or chronic pain was not found; lumbar tissue insult."
    rows = [
        {
            "text": one,
            "spans": [
                {"start": 11, "end": 24, "label": "DIAGNOSIS"},
                {"start": 26, "end": 56, "label": "GUIDELINE"},
            ],
        },
        {
            "text": two,
            "spans": [
                {"start": 29, "end": 41, "label": "DIAGNOSIS"},
                {"start": 57, "end": 77, "label": "DIAGNOSIS"},
            ],
            "meta": {"split": "test"},
        },
    ]
    records = load_annotations(_jsonl(tmp_path / "a.jsonl", rows))
    terms = {t.text: t for t in module.consistency(records, "DIAGNOSIS")}
    insult = terms["tissue insult"]
    assert insult.tagged == {"train": 1} and insult.untagged == {"test": 1}  # "tissue\ninsult"
    assert insult.minority == 1 and insult.places[0][2:] == (12, 25)
    chronic = terms["chronic pain"]
    assert chronic.tagged == {"test": 1} and chronic.inside_other == 1 and not chronic.untagged


def test_policy_warnings_name_a_filter_chosen_from_few_letters() -> None:
    from imrnlp.train import FILTER_MIN_LETTERS, policy_warnings

    few = FILTER_MIN_LETTERS - 1
    (warning,) = policy_warnings({"PROCEDURE": "filter", "MEDICATION": "add"}, few)
    assert warning.startswith("PROCEDURE:") and "config.cfg" in warning and str(few) in warning
    assert policy_warnings({"PROCEDURE": "filter"}, FILTER_MIN_LETTERS) == []
    assert policy_warnings({"MEDICATION": "add", "GUIDELINE": "boundaries"}, 5) == []
