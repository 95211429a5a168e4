"""Seed data/features/capabilities.yaml from the reference tables, reproducibly.

    python scripts/seed_features.py            # rewrite data/features/capabilities.yaml
    python scripts/seed_features.py --check    # exit 1 if the file is stale

Input: ``../shared/reference/capability-entitlements.json`` (Xcode capability → keys it
writes and Info.plist keys it needs, with the Apple page that says so) and
``capabilities-distribution.json`` (Apple's "Supported capabilities" table per platform,
whose row names are another spelling users meet). Rows whose capability-to-key mapping is
a third party's or a researcher's name match are left out: a feature name must come from
Apple. Other features (frameworks, App Sandbox options, features that need no
entitlement) are written by hand in the other files of ``data/features/``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference"
OUT = ROOT / "data" / "features" / "capabilities.yaml"
PAGE = "https://developer.apple.com/documentation/bundleresources/entitlements/"
_CONTAINS = re.compile(r"^(\w+) contains '([^']+)'$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _clean(name: str) -> str:
    name = re.sub(r"\s*\*$", "", name)
    return re.sub(r"\s*\((managed|macOS|unverified|development)\)$", "", name).strip()


#: Table rows spelled differently from the Xcode capability they are (checked by hand).
TABLE_JOIN = {
    "Hotspot": "Hotspot Configuration",
    "NFC Tag Reading": "Near Field Communication Tag Reading",
    "Near Field Communication (NFC) Tag Reading": "Near Field Communication Tag Reading",
    "iCloud: CloudKit": "iCloud",
    "iCloud: iCloud documents": "iCloud",
    "iCloud: iCloud key-value storage": "iCloud",
}


def _data_capabilities() -> dict[str, tuple[str, list[str], str]]:
    """Capability name (normalised) → (name, keys, the key's page) from data/entitlements."""
    yaml = YAML(typ="safe", pure=True)
    found: dict[str, tuple[str, list[str], str]] = {}
    for path in sorted((ROOT / "data" / "entitlements").glob("*.yaml")):
        entry = yaml.load(path.read_text())
        if entry.get("capability"):
            name, keys, url = found.get(_normal(entry["capability"]), (entry["capability"], [], entry["docs"]))
            found[_normal(entry["capability"])] = (name, [*keys, entry["key"]], url)
    return found


def _source(url: str, supports: str) -> dict[str, str]:
    if url.lower().startswith(PAGE):
        return {"url": url, "kind": "apple-docs", "tier": "apple-page", "supports": supports}
    if "/documentation/xcode/" in url.lower():
        return {"url": url, "kind": "xcode-capability", "tier": "xcode", "supports": supports}
    if "/help/account/" in url or "/support/app-capabilities" in url:
        return {"url": url, "kind": "account-help", "tier": "apple-doc", "supports": supports}
    return {"url": url, "kind": "apple-docs", "tier": "apple-doc", "supports": supports}


def features() -> list[dict]:
    mapping = json.loads((REFERENCE / "capability-entitlements.json").read_text())
    tables = json.loads((REFERENCE / "capabilities-distribution.json").read_text())["tables"]
    table_names: dict[str, list[tuple[str, str]]] = {}
    for table in tables:
        for row in table.get("rows", []) + table.get("rows_complete", []) + table.get("rows_supplement", []):
            name = row.get("capability")
            if name:
                joined = TABLE_JOIN.get(_clean(name), _clean(name))
                table_names.setdefault(_normal(joined), []).append((_clean(name), table["url"]))
    found: dict[str, dict] = {}
    for row in mapping["capabilities"]:
        basis = row.get("mapping_basis") or ""
        if "third-party" in basis or "researcher" in basis:
            continue
        name = _clean(row["xcode_capability"])
        keys = [e["key"].replace(" (deprecated)", "") for e in row["entitlements"]]
        xcode_pages = [u for u in row.get("sources", []) if "/documentation/xcode/" in u.lower()]
        if xcode_pages:
            name_url = xcode_pages[0]
        elif row["entitlements"]:
            name_url = row["entitlements"][0]["source_url"]
        else:
            continue  # no Apple page names it here (In-App Purchase is catalogued by hand)
        if not name_url.startswith("https://developer.apple.com/"):
            # the key was seen elsewhere (an App Store error quoted in an issue): name the
            # capability from Apple's table instead, or leave the row out
            tabled = table_names.get(_normal(name), [])
            if not tabled:
                continue
            name_url = tabled[0][1]
        what = ("the capability's name in the platform's capability table" if "/help/account/" in name_url
                else "the capability name and the keys it writes")
        sources = {name_url: _source(name_url, what)}
        names = [{"name": name, "kind": "capability", "source": name_url}]
        seen = {name.lower()}
        for spelled, url in table_names.get(_normal(name), []):
            if spelled.lower() not in seen:
                seen.add(spelled.lower())
                names.append({"name": spelled, "kind": "capability-table", "source": url})
            sources.setdefault(url, _source(url, "the capability's name in the platform's capability table"))
        info = []
        for need in row.get("info_plist_keys", []):
            key, value = need["key"], None
            contains = _CONTAINS.match(key)
            if contains:
                key, value = contains.groups()
            if not re.match(r"^[A-Za-z][A-Za-z0-9_.\-]*$", key) or key.startswith("com.apple."):
                continue
            item = {"key": key}
            if value:
                item["value"] = value
            if need.get("when"):
                item["when"] = need["when"]
            info.append(item)
        feature = {"id": _slug(name), "names": names}
        if keys:
            feature["keys"] = [{"key": k} for k in dict.fromkeys(keys)]
        if info:
            feature["info_plist"] = info
        if not keys and not info:
            continue
        feature["sources"] = list(sources.values())
        if feature["id"] in found:  # two rows of one capability (5G Network Slicing): merge them
            old = found[feature["id"]]
            old.setdefault("keys", []).extend(k for k in feature.get("keys", []) if k not in old["keys"])
            continue
        found[feature["id"]] = feature
    # Table rows no mapping row covers: join them with the capability our entries record.
    by_capability = _data_capabilities()
    for normal, spellings in sorted(table_names.items()):
        if any(f["id"] == _slug(spellings[0][0]) for f in found.values()) or normal not in by_capability:
            continue
        name, keys, page = by_capability[normal]
        names, sources, seen = [], {}, set()
        for spelled, url in spellings:
            if spelled.lower() not in seen:
                seen.add(spelled.lower())
                names.append({"name": spelled, "kind": "capability-table", "source": url})
            sources.setdefault(url, _source(url, "the capability's name in the platform's capability table"))
        sources[page] = _source(page, "the keys the capability writes")
        found[_slug(name)] = {"id": _slug(name), "names": names, "keys": [{"key": k} for k in keys],
                              "sources": list(sources.values())}
    return [found[k] for k in sorted(found)]


def render() -> str:
    import io

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 200
    out = io.StringIO()
    out.write(
        "# GENERATED by scripts/seed_features.py from ../shared/reference/capability-entitlements.json\n"
        "# and capabilities-distribution.json. Do not edit by hand: edit the script or the other files here.\n"
    )
    yaml.dump({"about": "Xcode capabilities: their names as Xcode and Apple's capability tables spell them, "
               "the keys they write and the Info.plist keys they need.", "features": features()}, out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render()
    if args.check:
        stale = not OUT.exists() or OUT.read_text() != text
        if stale:
            print(f"stale: {OUT.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
