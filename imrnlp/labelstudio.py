"""Label Studio round trip: tasks with the rules' spans as predictions out, a JSON export in.

Label Studio (https://labelstud.io) labels spans with a `Labels` control over a `Text` object;
`LABEL_CONFIG` is that labelling interface for imrnlp's seven labels. `tasks` turns letters into
tasks whose `predictions` hold the rules' spans (the annotator corrects them rather than starting
from a blank page); `export_rows` turns a Label Studio "JSON" export back into the standard
`{"text", "spans", "meta"}` rows that `imrnlp train` reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import labels as L
from .errors import AnnotationError
from .version import __version__

#: The `from_name` / `to_name` of the labelling interface.
FROM_NAME = "label"
TO_NAME = "text"

LABEL_CONFIG = (
    "<View>\n"
    f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n'
    + "".join(f'    <Label value="{label}"/>\n' for label in L.ENTITY_LABELS)
    + "  </Labels>\n"
    f'  <Text name="{TO_NAME}" value="$text"/>\n'
    "</View>\n"
)


def task(text: str, spans: Iterable[tuple[int, int, str]], source: str) -> dict[str, Any]:
    """One Label Studio task: the letter's text, and the rules' spans as a prediction."""
    result = [
        {
            "id": f"r{n}",
            "from_name": FROM_NAME,
            "to_name": TO_NAME,
            "type": "labels",
            "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
        }
        for n, (start, end, label) in enumerate(sorted(spans))
    ]
    return {
        "data": {"text": text, "source": source},
        "predictions": [{"model_version": f"imrnlp-rules {__version__}", "result": result}],
    }


def is_export(data: object) -> bool:
    """Whether parsed JSON looks like a Label Studio JSON export (a list of tasks)."""
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(t, dict) and isinstance(t.get("data"), dict) for t in data)
    )


def export_rows(tasks: list[dict[str, Any]], path: Path | str) -> list[dict[str, Any]]:
    """Standard annotation rows from a parsed Label Studio JSON export (`is_export`), read from
    `path`: per task, the last annotation that was not cancelled (tasks nobody annotated are left
    out). The split is the task's `data.split` when there is one, else "train"."""
    rows = []
    for n, t in enumerate(tasks):
        where = f"{path}: task {t.get('id', n)}"
        text = t["data"].get(TO_NAME)
        if not isinstance(text, str):
            raise AnnotationError(f"{where}: data has no '{TO_NAME}' string")
        done = [a for a in t.get("annotations") or [] if not a.get("was_cancelled")]
        if not done:
            continue
        spans = [
            {"start": r["value"]["start"], "end": r["value"]["end"], "label": label}
            for r in done[-1].get("result") or []
            if r.get("type") == "labels"
            for label in r["value"].get("labels", [])
        ]
        meta = {
            "source": t["data"].get("source", str(t.get("id", n))),
            "split": t["data"].get("split", "train"),
            "labelstudio_task": t.get("id"),
        }
        rows.append({"text": text, "spans": spans, "meta": meta})
    return rows
