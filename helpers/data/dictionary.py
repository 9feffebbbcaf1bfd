"""The data dictionary (``data/dictionary.yaml``) and the Frictionless Data
Package built from it.

The YAML is the one place a column is described; ``datapackage.json`` is
generated from it (``python -m helpers.data.dictionary``) so that any Frictionless
tool can read the tables, and a test fails when the committed copy drifts.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import yaml

from helpers.data.provenance import DATA_DIR

DICTIONARY_PATH = DATA_DIR / "dictionary.yaml"
DATAPACKAGE_PATH = DATA_DIR / "datapackage.json"
CONSTRAINT_KEYS = ("required", "enum", "pattern", "maxLength", "minimum", "maximum")
# Columns that must name a row of sources.csv.
SOURCE_COLUMNS = ("source_id", "source_a", "source_b")


@lru_cache(maxsize=1)
def dictionary() -> dict:
    """The parsed dictionary with every shared enum name replaced by its values."""
    # libyaml's safe loader when PyYAML has it: the same document, about 5x faster (every kernel imports this)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(DICTIONARY_PATH.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    for name, field in spec["fields"].items():
        enum = field.get("enum")
        if isinstance(enum, str):
            if enum not in spec["enums"]:
                raise KeyError(f"dictionary.yaml: field {name!r} names unknown enum {enum!r}")
            field["enum"] = list(spec["enums"][enum])
    for table, info in spec["tables"].items():
        unknown = [f for f in info["fields"] if f not in spec["fields"]]
        if unknown:
            raise KeyError(f"dictionary.yaml: table {table!r} lists undescribed fields {unknown}")
    return spec


def table_names() -> list[str]:
    """Every table in the dictionary, in dictionary order."""
    return list(dictionary()["tables"])


def family_names() -> list[str]:
    """The figure families (tables of figures with quotes), in dictionary order."""
    return [name for name, info in dictionary()["tables"].items() if info.get("family")]


def field_spec(name: str) -> dict:
    """One column's description, type, unit and constraints."""
    return dictionary()["fields"][name]


def table_fields(table: str) -> list[str]:
    """The columns of a table, in file order."""
    try:
        return list(dictionary()["tables"][table]["fields"])
    except KeyError:
        raise KeyError(f"unknown table {table!r}; choose one of: {', '.join(table_names())}") from None


def _frictionless_field(name: str) -> dict:
    spec = field_spec(name)
    field = {"name": name, "type": spec["type"], "description": spec["description"].strip()}
    if spec.get("unit"):
        field["unit"] = spec["unit"]
    if spec["type"] == "boolean":
        field["trueValues"] = ["true"]
        field["falseValues"] = ["false"]
    constraints = {key: spec[key] for key in CONSTRAINT_KEYS if key in spec}
    if constraints:
        field["constraints"] = constraints
    return field


def datapackage() -> dict:
    """The Frictionless Data Package descriptor for every table."""
    spec = dictionary()
    resources = []
    for table, info in spec["tables"].items():
        fields = info["fields"]
        schema: dict = {"fields": [_frictionless_field(f) for f in fields], "missingValues": [""]}
        if info.get("primary_key"):
            schema["primaryKey"] = [info["primary_key"]]
        elif "id" in fields:
            schema["primaryKey"] = ["id"]
        if table != "sources":
            keys = [
                {"fields": [col], "reference": {"resource": "sources", "fields": ["source_id"]}}
                for col in fields
                if col in SOURCE_COLUMNS
            ]
            if keys:
                schema["foreignKeys"] = keys
        resources.append(
            {
                "name": table,
                "path": f"{table}.csv",
                "title": info["title"],
                "description": info["description"].strip(),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": "ketamine-evidence",
        "title": spec["title"],
        "description": spec["description"].strip(),
        "licenses": spec["licenses"],
        "resources": resources,
    }


def datapackage_json() -> str:
    """The descriptor as committed: stable key order, two-space indent, final newline."""
    return json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n"


def write_datapackage(path: Path = DATAPACKAGE_PATH) -> Path:
    """Regenerate datapackage.json (written to a temporary file, then renamed)."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(datapackage_json(), encoding="utf-8")
    tmp.replace(path)
    return path


if __name__ == "__main__":
    print(f"wrote {write_datapackage()}")
