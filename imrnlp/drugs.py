"""The drug vocabulary: ingredients and products with their composition and provenance.

Source data (compact, hand-kept, each row with a `source` column) lives in `patterns/drugs/`:
`ingredients.tsv` (generic names with ATC code, classes and synonyms) and `products.tsv` (brands,
combination products, compounded kits, medical foods: ingredients, form, compounded flag, extra
classes). At load time it is expanded into the entity ruler's MEDICATION phrase patterns (each name
alone, with a release modifier and with a dose form) and into a name -> `Drug` lookup that the
record assembler uses to resolve a tagged name to ingredients and classes. No spaCy import.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import labels as L
from .errors import PatternError
from .labels import DRUG_CLASSES, MEDICATION
from .resources import patterns_dir


@dataclass(frozen=True)
class Drug:
    """What the vocabulary knows of one name."""

    key: str  # the ingredient or product name, lower case
    ingredients: tuple[str, ...]
    classes: tuple[str, ...]
    form: str | None
    compounded: bool
    product: bool  # a product row (brand, combination, kit), not an ingredient
    source: str


@dataclass(frozen=True)
class Vocabulary:
    by_name: dict[str, Drug]
    ingredient_classes: dict[str, tuple[str, ...]]
    commercial_sets: frozenset[frozenset[str]]  # ingredient sets of non-compounded products
    dose: dict[str, Any]

    noise: frozenset[str]  # salt and release words a name may carry ('hcl', 'er')

    def lookup(self, name: str) -> Drug | None:
        """The drug a name (as written) stands for: exact, then without salts/release words."""
        key = normalize_name(name)
        if key in self.by_name:
            return self.by_name[key]
        bare = " ".join(w for w in key.split() if w not in self.noise)
        return self.by_name.get(bare)


def normalize_name(name: str) -> str:
    """'Ms - Contin' -> 'ms-contin'; lower case, one space, hyphens closed up."""
    t = " ".join(name.lower().split())
    return re.sub(r"\s*-\s*", "-", t).strip(" .,;:")


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in value.split(";") if v.strip())


def _read_tsv(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    path = patterns_dir() / "drugs" / name
    with path.open(encoding="utf8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        if tuple(reader.fieldnames or ()) != columns:
            raise PatternError(f"{path}: columns must be {', '.join(columns)}")
        rows = list(reader)
    for n, row in enumerate(rows, start=2):
        if None in row or any(row[c] is None for c in columns):
            raise PatternError(f"{path}:{n}: expected {len(columns)} tab-separated columns")
        for c in _split(row.get("classes", "")):
            if c not in DRUG_CLASSES:
                raise PatternError(f"{path}:{n}: unknown drug class '{c}'")
    return rows


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary, read once per process."""
    dose = json.loads((patterns_dir() / "drugs" / "dose.json").read_text(encoding="utf8"))
    by_name: dict[str, Drug] = {}
    ingredient_classes: dict[str, tuple[str, ...]] = {}
    for row in _read_tsv("ingredients.tsv", ("ingredient", "atc", "classes", "synonyms", "source")):
        key = normalize_name(row["ingredient"])
        classes = _split(row["classes"])
        ingredient_classes[key] = classes
        drug = Drug(key, (key,), (), None, False, False, row["source"])
        for name in (key, *_split(row["synonyms"])):
            by_name.setdefault(normalize_name(name), drug)
    commercial: set[frozenset[str]] = set()
    columns = ("name", "ingredients", "form", "compounded", "classes", "source")
    for n, row in enumerate(_read_tsv("products.tsv", columns), start=2):
        ingredients = tuple(normalize_name(i) for i in _split(row["ingredients"]))
        unknown = [i for i in ingredients if i not in ingredient_classes]
        if unknown:
            raise PatternError(
                f"products.tsv:{n}: ingredient(s) {unknown} of '{row['name']}' are not in "
                "ingredients.tsv"
            )
        compounded = row["compounded"].strip().lower() == "true"
        drug = Drug(
            normalize_name(row["name"]),
            ingredients,
            _split(row["classes"]),
            row["form"].strip() or None,
            compounded,
            True,
            row["source"],
        )
        by_name[drug.key] = drug  # a product name wins over an ingredient synonym
        if not compounded and len(ingredients) > 1:
            commercial.add(frozenset(ingredients))
    noise = frozenset(dose["salts"]) | frozenset(dose["release"])
    return Vocabulary(by_name, ingredient_classes, frozenset(commercial), dose, noise)


def entity_patterns() -> list[dict[str, Any]]:
    """MEDICATION phrase patterns, one for every name of the vocabulary. Phrase patterns (matched
    by spaCy's PhraseMatcher, which the ruler tokenizes as it tokenizes letters) cost far less per
    token than a token pattern over the same names; a release modifier or form written after a
    name ("Norco ER", "Lidoderm patch") is joined to it by a suffix rule of
    `patterns/joins.jsonl` (the affix rules of `filters.RulerFilter`)."""
    return [
        {"label": MEDICATION, "id": L.RULE_MEDICATION_NAME, "pattern": name}
        for name in sorted(vocabulary().by_name)
    ]
