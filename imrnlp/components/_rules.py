"""Shared plumbing for components whose rules are JSONL rows saved inside the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

import srsly

from ..resources import read_jsonl, write_jsonl


class RuleStore:
    """Named lists of rule rows that a component writes to and reads from its own folder."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.rows: dict[str, list[dict[str, Any]]] = {n: [] for n in names}

    def to_disk(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name in self.names:
            write_jsonl(path / f"{name}.jsonl", self.rows[name])

    def from_disk(self, path: str | Path) -> None:
        path = Path(path)
        for name in self.names:
            file = path / f"{name}.jsonl"
            self.rows[name] = read_jsonl(file) if file.exists() else []

    # JSON, not msgpack: medspaCy registers msgpack decoders that take rule rows for its objects
    def to_bytes(self) -> bytes:
        return srsly.json_dumps({n: self.rows[n] for n in self.names}).encode("utf8")

    def from_bytes(self, data: bytes) -> None:
        rows = srsly.json_loads(data)
        self.rows = {n: list(rows.get(n) or []) for n in self.names}


class StoredRules:
    """A component whose rules live in a `RuleStore`: saved with the pipeline by `to_disk` and
    `to_bytes` (so a pipeline copied or pickled keeps them), and re-read by `_rules_loaded`."""

    _store: RuleStore

    def _rules_loaded(self) -> None:
        """Rebuild whatever the component derives from its rules (compiled patterns ...)."""

    def to_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> None:
        self._store.to_disk(path)

    def from_disk(self, path: str | Path, *, exclude: tuple[str, ...] = ()) -> Self:
        self._store.from_disk(path)
        self._rules_loaded()
        return self

    def to_bytes(self, *, exclude: tuple[str, ...] = ()) -> bytes:
        return self._store.to_bytes()

    def from_bytes(self, data: bytes, *, exclude: tuple[str, ...] = ()) -> Self:
        self._store.from_bytes(data)
        self._rules_loaded()
        return self


class RuleList(StoredRules):
    """A `StoredRules` component with one list of rules, given to `initialize(rules=...)`."""

    def initialize(
        self,
        get_examples: Any = None,
        *,
        nlp: Any = None,
        rules: list[dict[str, Any]] | None = None,
    ) -> None:
        """Take the rule rows (`nlp.initialize` or the pipeline builder passes them) for the
        component's one list of rules."""
        (name,) = self._store.names
        self._store.rows[name] = list(rules or [])
        self._rules_loaded()
