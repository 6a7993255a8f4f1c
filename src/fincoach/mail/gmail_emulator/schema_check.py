"""A small validator for the JSON schemas of a Google discovery document.

Checks what the Gmail client relies on: types, formats (int64/uint64 travel as decimal strings,
`byte` as base64url), `$ref`, enums, required properties, and no property the schema does not
declare. Used by the tests to hold the emulator's answers to the schemas shipped with
google-api-python-client.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

_BASE64URL = re.compile(r"^[A-Za-z0-9_\-]*={0,2}$")
_INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
}
_STRING_INTS = {"int64": re.compile(r"^-?\d+$"), "uint64": re.compile(r"^\d+$")}


def load_discovery(name: str = "gmail.v1.json") -> dict[str, Any]:
    """The discovery document shipped inside googleapiclient (static discovery)."""
    package = resources.files("googleapiclient") / "discovery_cache" / "documents"
    document: dict[str, Any] = json.loads((package / name).read_text(encoding="utf-8"))
    return document


class SchemaValidator:
    def __init__(self, document: dict[str, Any]) -> None:
        self.schemas: dict[str, dict[str, Any]] = document["schemas"]

    def validate(self, schema_name: str, value: Any) -> list[str]:
        """Every violation as "path: problem"; an empty list means the value conforms."""
        problems: list[str] = []
        self._check({"$ref": schema_name}, value, schema_name, problems)
        return problems

    def _check(self, schema: dict[str, Any], value: Any, path: str, out: list[str]) -> None:
        if "$ref" in schema:
            schema = self.schemas[schema["$ref"]]
        kind = schema.get("type")
        if "enum" in schema and value not in schema["enum"]:
            out.append(f"{path}: {value!r} not in enum")
        if kind == "object":
            self._object(schema, value, path, out)
        elif kind == "array":
            if not isinstance(value, list):
                out.append(f"{path}: expected array")
                return
            for i, item in enumerate(value):
                self._check(schema.get("items", {}), item, f"{path}[{i}]", out)
        elif kind == "string":
            self._string(schema.get("format"), value, path, out)
        elif kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                out.append(f"{path}: expected integer")
                return
            low, high = _INT_RANGES.get(schema.get("format", ""), (None, None))
            if low is not None and high is not None and not low <= value <= high:
                out.append(f"{path}: {value} out of range for {schema['format']}")
        elif kind == "boolean" and not isinstance(value, bool):
            out.append(f"{path}: expected boolean")
        elif kind == "number" and (not isinstance(value, int | float) or isinstance(value, bool)):
            out.append(f"{path}: expected number")

    def _object(self, schema: dict[str, Any], value: Any, path: str, out: list[str]) -> None:
        if not isinstance(value, dict):
            out.append(f"{path}: expected object")
            return
        properties: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                self._check(properties[key], item, f"{path}.{key}", out)
            elif extra is not None:
                self._check(extra, item, f"{path}.{key}", out)
            else:
                out.append(f"{path}.{key}: not declared by the schema")
        for key, prop in properties.items():
            if prop.get("required") is True and key not in value:
                out.append(f"{path}.{key}: required but absent")

    @staticmethod
    def _string(fmt: str | None, value: Any, path: str, out: list[str]) -> None:
        if not isinstance(value, str):
            out.append(f"{path}: expected string")
            return
        if fmt in _STRING_INTS and not _STRING_INTS[fmt].match(value):
            out.append(f"{path}: {fmt} must be a decimal string")
        elif fmt == "byte" and not _BASE64URL.match(value):
            out.append(f"{path}: byte must be base64url")
