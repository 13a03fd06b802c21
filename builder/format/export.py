"""Publish the format for other tools: JSON Schema for the YAML files, Table Schema for the CSVs.

Both are derived from the one declaration in `schema.py`, so they cannot drift from the
validator. Note that every YAML scalar is text to Sunlight (see FORMAT.md), so the JSON Schema
describes the values as strings with patterns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from builder.format import opendata, schema

BASE_URL = "https://sunlight.invalid/schema/v" + schema.FORMAT_VERSION + "/"


def json_type(typ: Any) -> dict[str, Any]:
    """JSON Schema for one field type."""
    if isinstance(typ, schema.Obj):
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                f.key: {
                    "title": f.zh,
                    **({"description": f.doc} if f.doc else {}),
                    **json_type(f.type),
                }
                for f in typ.fields
            },
            "required": [f.key for f in typ.fields if f.required],
        }
    if isinstance(typ, schema.ListOf):
        out: dict[str, Any] = {"type": "array", "items": json_type(typ.item)}
        if typ.min_items:
            out["minItems"] = typ.min_items
        return out
    if type(typ) is schema.Scalar:
        return {"type": ["string", "null"]}
    return dict(typ.json)


def json_schema(record_schema: schema.RecordSchema) -> dict[str, Any]:
    """A JSON Schema (2020-12) document for one YAML file kind."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE_URL + record_schema.name + ".schema.json",
        "title": f"{record_schema.filename}: {record_schema.title}",
        **json_type(record_schema.obj),
    }


def table_schema(record_schema: schema.RecordSchema) -> dict[str, Any]:
    """A Frictionless Table Schema document for one CSV file kind."""
    fields = []
    for field_spec in record_schema.fields:
        desc = dict(field_spec.type.table)
        constraints = dict(desc.pop("constraints", {}))
        if field_spec.required:
            constraints["required"] = True
        entry: dict[str, Any] = {"name": field_spec.key, "title": field_spec.zh, **desc}
        if field_spec.doc:
            entry["description"] = field_spec.doc
        if constraints:
            entry["constraints"] = constraints
        fields.append(entry)
    return {"fields": fields, "missingValues": [""]}


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every schema file; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for record_schema in schema.YAML_SCHEMAS:
        path = out_dir / f"{record_schema.name}.schema.json"
        path.write_text(_dump(json_schema(record_schema)), encoding="utf-8")
        written.append(path)
    for record_schema in schema.CSV_SCHEMAS:
        path = out_dir / f"{record_schema.name}.tableschema.json"
        path.write_text(_dump(table_schema(record_schema)), encoding="utf-8")
        written.append(path)
    for table in opendata.TABLES:  # the open-data downloads, at versioned paths
        path = out_dir / table.schema_path.removeprefix("schema/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_dump(opendata.table_schema(table)), encoding="utf-8")
        written.append(path)
    return written


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
