"""One-off: seed data/entitlements/*.yaml from ../shared/reference/apple-entitlements.json.

Kept for provenance. It copies only mechanical facts (key, title, URL, availability,
value type, allowed values, request link) and leaves `summary` for a person to write
in their own words. Existing files are never overwritten.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "apple-entitlements.json"
TYPES = {
    "boolean": "boolean",
    "string": "string",
    "number": "number",
    "array_of_strings": "array-of-strings",
    "dictionary": "dictionary",
    "array_of_dictionaries": "array-of-dictionaries",
}


def version(text: str | None) -> str | None:
    if not text:
        return None
    parts = text.split(".")
    while len(parts) > 2 and parts[-1] == "0":
        parts.pop()
    return ".".join(parts)


def main() -> int:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    out = ROOT / "data" / "entitlements"
    for record in json.loads(REFERENCE.read_text()):
        path = out / f"{record['key']}.yaml"
        if path.exists():
            continue
        value: dict = {}
        if record["value_type"] in TYPES:
            value["type"] = TYPES[record["value_type"]]
        if record["allowed_values"]:
            value["allowed"] = record["allowed_values"]
        platforms = {}
        for a in record["availability"]:
            entry = {}
            if version(a["introduced"]):
                entry["introduced"] = version(a["introduced"])
            if version(a["deprecated"]):
                entry["deprecated"] = version(a["deprecated"])
            platforms[a["platform"]] = entry
        doc = {
            "key": record["key"],
            "name": record["title"],
            "summary": "TODO",
            "value": value,
            "platforms": platforms,
        }
        if record["request_hint"]:
            managed = {"distributions": ["development", "ad-hoc", "app-store", "in-house", "developer-id"]}
            if record["request_url"]:
                managed["request_url"] = record["request_url"]
            doc["managed"] = managed
        if record["deprecated"]:
            doc["deprecated"] = {"note": "TODO"}
        if record["beta"]:
            doc["beta"] = True
        doc["docs"] = record["url"]
        doc["sources"] = [
            {
                "url": record["url"],
                "kind": "apple-docs",
                "supports": "key, name, platforms and value type",
            }
        ]
        with path.open("w") as fh:
            yaml.dump(doc, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
