"""Compare every data/entitlements entry with the reference facts in ../shared/reference/.

    python scripts/verify_data.py [--reference DIR]

Issue 8 asked that the dataset be re-verified against all of Apple's sources, not only each
key's own page, and stay verified. This script is that check, offline and reproducible: it
reads the reference files (the entitlement pages, the "Supported capabilities" tables joined
to keys through the Xcode capabilities, the managed-capability facts) and prints one line per
disagreement with an entry: platforms present and absent, value type, allowed values, managed
status and distribution. A disagreement that stands on purpose is recorded, with its reason,
in data/source-disagreements.yaml; a recorded one that no longer occurs is reported too.

Exit status: 0 when nothing disagrees, 1 when something does, 2 when the reference is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from entitlements_db import build, models

REFERENCE = build.REPO_ROOT.parent / "shared" / "reference"
DISAGREEMENTS = build.DATA_DIR / "source-disagreements.yaml"

#: The capability tables whose every row is stored: a capability missing from one is absent
#: on that platform (the stored macOS table stops at "Personal VPN").
COMPLETE_TABLES = ("iOS", "tvOS", "watchOS", "visionOS")
#: The platforms each table speaks for: Apple's iOS table covers iPadOS apps too.
TABLE_PLATFORMS = {
    "iOS": ("iOS", "iPadOS"),
    "macOS": ("macOS",),
    "tvOS": ("tvOS",),
    "watchOS": ("watchOS",),
    "visionOS": ("visionOS",),
}
#: Table row names that differ from the Xcode capability name beyond case and parentheses.
ROW_ALIASES = {
    "nfc tag reading": "near field communication tag reading",
    "hotspot": "hotspot configuration",
    "sim inserted for wireless carriers": "sim inserted",
}
#: iCloud has one row per service; each key belongs to some of them (visionOS has one row).
ICLOUD_ROWS = {
    "com.apple.developer.icloud-container-identifiers": (
        "icloud: cloudkit",
        "icloud: icloud documents",
        "icloud",
    ),
    "com.apple.developer.icloud-services": (
        "icloud: cloudkit",
        "icloud: icloud documents",
        "icloud",
    ),
    "com.apple.developer.ubiquity-container-identifiers": ("icloud: icloud documents", "icloud"),
    "com.apple.developer.ubiquity-kvstore-identifier": (
        "icloud: icloud key-value storage",
        "icloud",
    ),
}
VALUE_TYPES = {
    "boolean": {"boolean"},
    "string": {"string", "string-or-array-of-strings"},
    "number": {"number"},
    "array_of_strings": {"array-of-strings", "string-or-array-of-strings"},
    "dictionary": {"dictionary"},
    "array_of_dictionaries": {"array-of-dictionaries"},
}
PAGE_PLATFORM = {"Mac Catalyst": "macCatalyst"}
#: Rows of data/source-disagreements.yaml that tests/data/test_evidence.py judges, not this script.
NOT_COMPARED = ("sub-key-platforms",)


@dataclass(frozen=True)
class Disagreement:
    """One fact on which an entry and a reference source differ."""

    key: str
    check: str  # platform-missing | platform-unsupported | platform-source | absence | value-type |
    # allowed-values | managed | distribution | free-account | recorded
    platform: str | None
    message: str

    def __str__(self) -> str:
        where = f" [{self.platform}]" if self.platform else ""
        return f"{self.key}: {self.check}{where}: {self.message}"


def _name(capability: str) -> str:
    """A capability name as tables and Xcode both spell it: lower case, no '*' or '(…)'."""
    name = re.sub(r"\s*\([^)]*\)|\s*\*", "", capability).strip().lower()
    return ROW_ALIASES.get(name, name)


@dataclass(frozen=True)
class Row:
    platform: str  # the table's platform
    capability: str
    support: dict[str, bool] | None  # None: the row exists but its checkmarks are unknown
    development_only: bool
    absent: bool  # a stored note says the capability is not in this table
    url: str


class Reference:
    """The reference files, indexed by key and by capability."""

    def __init__(self, folder: Path) -> None:
        def read(name: str) -> Any:
            return json.loads((folder / name).read_text(encoding="utf-8"))

        self.pages = {r["key"]: r for r in read("apple-entitlements.json")}
        distribution = read("capabilities-distribution.json")
        capabilities = read("capability-entitlements.json")
        self.rows: dict[tuple[str, str], Row] = {}
        self.table_urls: dict[str, str] = {}
        for table in distribution["tables"]:
            platform = table["platform"]
            self.table_urls[platform] = table["url"]
            rows = table.get("rows_complete") or table.get("rows", [])
            for raw in [*rows, *table.get("rows_supplement", [])]:
                name = raw["capability"]
                row = Row(
                    platform=platform,
                    capability=name,
                    support=raw.get("support"),
                    development_only=bool(raw.get("development_only"))
                    or name.endswith("*")
                    or "(development)" in name,
                    absent=raw.get("support") is None
                    and str(raw.get("note", "")).startswith("not in"),
                    url=table["url"],
                )
                self.rows[(platform, _name(name))] = row
        self.capabilities_of: dict[str, set[str]] = {}
        #: Platforms the capability file copies from each key's page ("Mac Catalyst 10+").
        self.listed_platforms: dict[str, set[str]] = {}
        for capability in capabilities["capabilities"]:
            for entry in capability.get("entitlements", []):
                key = entry["key"].split(" (", 1)[0]
                self.capabilities_of.setdefault(key, set()).add(
                    _name(capability["xcode_capability"])
                )
                for text in entry.get("platforms") or []:
                    name = re.sub(r"\s*[\d.]+\+?$", "", text)
                    self.listed_platforms.setdefault(key, set()).add(PAGE_PLATFORM.get(name, name))

    def rows_for(self, entry: models.Entitlement) -> dict[str, Row]:
        """The table row of the entry's capability on each platform that has one."""
        names = set(ICLOUD_ROWS.get(entry.key, ()))
        if not names:
            names = set(self.capabilities_of.get(entry.key, set()))
            if entry.capability:
                names.add(_name(entry.capability))
        found: dict[str, Row] = {}
        for (platform, name), row in self.rows.items():
            if name in names and not (platform in found and not found[platform].absent):
                found[platform] = row
        return found

    def has_capability(self, entry: models.Entitlement) -> bool:
        return bool(
            ICLOUD_ROWS.get(entry.key) or self.capabilities_of.get(entry.key) or entry.capability
        )


def _page_platforms(page: dict[str, Any]) -> set[str]:
    platforms = {
        PAGE_PLATFORM.get(a["platform"], a["platform"]) for a in page.get("availability") or []
    }
    return platforms & set(models.PLATFORMS)


def _check_platforms(entry: models.Entitlement, ref: Reference) -> list[Disagreement]:
    found: list[Disagreement] = []
    key = entry.key
    page = ref.pages.get(key)
    page_platforms = (_page_platforms(page) if page else set()) | (
        ref.listed_platforms.get(key, set()) & set(models.PLATFORMS)
    )
    rows = ref.rows_for(entry)
    # Where the reference puts the key, and why.
    present: dict[str, str] = {p: "its page" for p in page_platforms}
    absent: dict[str, str] = {}
    for table, row in rows.items():
        for platform in TABLE_PLATFORMS[table]:
            if row.absent:
                absent[platform] = f"the {table} table has no {row.capability} row"
            else:
                present.setdefault(platform, f"the {table} table ({row.capability} row)")
    if ref.has_capability(entry) and rows:
        for table in COMPLETE_TABLES:
            if table not in rows:
                for platform in TABLE_PLATFORMS[table]:
                    absent.setdefault(
                        platform, f"the complete {table} table has no row for its capability"
                    )
    for platform, why in sorted(present.items()):
        if platform in entry.platforms:
            continue
        absence = entry.absent.get(platform)
        if absence is not None and absence.reason == "capability-table":
            # A table's silence cannot outweigh a source that names the platform.
            message = f"{why} lists it; the entry's absence rests only on a table's silence"
            found.append(Disagreement(key, "absence", platform, message))
            continue
        if absence is not None:
            continue  # an Apple statement or a validation error shows it is not there
        if platform in (entry.counterparts or {}):
            continue  # the capability writes another key there (aps-environment on iOS)
        found.append(
            Disagreement(key, "platform-missing", platform, f"{why} lists it; the entry does not")
        )
    for platform, why in sorted(absent.items()):
        if platform in entry.platforms and platform not in present:
            found.append(
                Disagreement(
                    key, "platform-unsupported", platform, f"{why}, yet the entry lists it"
                )
            )
        elif platform in entry.platforms and platform in present:
            found.append(
                Disagreement(
                    key,
                    "platform-unsupported",
                    platform,
                    f"{why}, but {present[platform]} lists it",
                )
            )
    # Each platform's cited source must say so.
    for platform, availability in entry.platforms.items():
        url = availability.source
        if (
            page
            and url.lower().rstrip("/") == page["url"].lower().rstrip("/")
            and platform not in page_platforms
        ):
            found.append(
                Disagreement(
                    key, "platform-source", platform, "cites the key's page, which does not list it"
                )
            )
        for table, table_url in ref.table_urls.items():
            if url == table_url and (
                platform not in TABLE_PLATFORMS[table] or table not in rows or rows[table].absent
            ):
                found.append(
                    Disagreement(
                        key,
                        "platform-source",
                        platform,
                        f"cites the {table} table, which has no row for it",
                    )
                )
    for platform, absence in entry.absent.items():
        if absence.reason == "capability-table":
            table = next((t for t, ps in TABLE_PLATFORMS.items() if platform in ps), None)
            complete = table in COMPLETE_TABLES or (table in rows and rows[table].absent)
            if (
                table is None
                or absence.source != ref.table_urls.get(table)
                or not complete
                or (table in rows and not rows[table].absent)
            ):
                found.append(
                    Disagreement(
                        key,
                        "absence",
                        platform,
                        "the capability-table absence is not shown by a complete table",
                    )
                )
    return found


def _check_value(entry: models.Entitlement, ref: Reference) -> list[Disagreement]:
    page = ref.pages.get(entry.key)
    if not page:
        return []
    found = []
    expected = VALUE_TYPES.get(page.get("value_type") or "unknown")
    if expected and entry.value.type not in expected:
        found.append(
            Disagreement(
                entry.key,
                "value-type",
                None,
                f"the page says {page['value_type']}, the entry {entry.value.type}",
            )
        )
    allowed = page.get("allowed_values")
    if allowed:
        ours = set(map(str, entry.value.allowed or []))
        theirs = set(map(str, allowed))
        if entry.value.allowed is None:
            found.append(
                Disagreement(
                    entry.key,
                    "allowed-values",
                    None,
                    f"the page lists {sorted(theirs)}; the entry has no list",
                )
            )
        elif ours != theirs:
            found.append(
                Disagreement(
                    entry.key,
                    "allowed-values",
                    None,
                    f"the page lists {sorted(theirs)}; the entry adds {sorted(ours - theirs)} and lacks {sorted(theirs - ours)}",
                )
            )
    return found


def _check_managed(entry: models.Entitlement, ref: Reference) -> list[Disagreement]:
    page = ref.pages.get(entry.key)
    requested = bool(page and (page.get("request_hint") or page.get("request_url")))
    if requested and entry.managed is None:
        return [
            Disagreement(
                entry.key,
                "managed",
                None,
                "the page says to request it from Apple; the entry has no managed field",
            )
        ]
    if (
        entry.managed
        and not requested
        and not any(
            re.search(r"manag|request|approv", source.supports, re.IGNORECASE)
            for source in entry.sources
        )
    ):
        return [
            Disagreement(
                entry.key,
                "managed",
                None,
                "managed, but neither the reference nor a source of the entry says so",
            )
        ]
    return []


def _expected_distribution(
    entry: models.Entitlement, ref: Reference
) -> tuple[set[str], bool, bool | None]:
    """What the tables grant on the entry's platforms, whether every such platform has a row,
    and the free-account column (None when no row says)."""
    granted: set[str] = set()
    complete = True
    free: bool | None = None
    rows = ref.rows_for(entry)
    for table, platforms in TABLE_PLATFORMS.items():
        if not set(platforms) & set(entry.platforms):
            continue
        row = rows.get(table)
        if row is None or row.absent or row.support is None:
            complete = False
            continue
        support = row.support
        # A development-only row ('*') grants the rest once Apple approves (the entry's managed).
        development_only = row.development_only and entry.managed is None
        if support.get("ADP"):
            granted |= {"development"} if development_only else {"development", "app-store"}
            if table != "macOS" and not development_only:
                granted.add("ad-hoc")
        if support.get("ADEP"):
            granted |= {"development"} if development_only else {"development", "in-house"}
        if support.get("Developer ID"):
            granted.add("developer-id")
        if "Apple Developer" in support:
            free = bool(free) or support["Apple Developer"]
        columns = {"ADP", "Developer ID" if table == "macOS" else "ADEP"}
        if not columns <= set(support):
            complete = False  # a row quoted with some columns only
    if "macCatalyst" in entry.platforms and "macOS" not in entry.platforms:
        complete = False
    return granted, complete, free


def _check_distribution(entry: models.Entitlement, ref: Reference) -> list[Disagreement]:
    granted, complete, free = _expected_distribution(entry, ref)
    ours = set(entry.distribution or [])
    found = []
    if entry.distribution is None:
        if granted and complete:
            found.append(
                Disagreement(
                    entry.key,
                    "distribution",
                    None,
                    f"the tables grant {sorted(granted)}; the entry has none",
                )
            )
    elif granted - ours:
        found.append(
            Disagreement(
                entry.key, "distribution", None, f"the tables grant {sorted(granted - ours)} too"
            )
        )
    if entry.distribution is not None:
        extra = ours - granted
        # Without a row for every platform, only the models the tables cannot grant are judged.
        if not complete:
            extra = {d for d in extra if d in ("ad-hoc", "developer-id")}
        if extra:
            found.append(
                Disagreement(
                    entry.key, "distribution", None, f"{sorted(extra)} has no table row behind it"
                )
            )
    if free and entry.free_account is None:
        # One ticked free column is enough to know; a False needs every row, so it may stay out.
        found.append(
            Disagreement(
                entry.key, "free-account", None, "the tables say True; the entry has none"
            )
        )
    if free is not None and entry.free_account is not None and free != entry.free_account:
        found.append(
            Disagreement(
                entry.key,
                "free-account",
                None,
                f"the tables say {free}, the entry {entry.free_account}",
            )
        )
    return found


def recorded_disagreements(path: Path = DISAGREEMENTS) -> list[models.SourceDisagreement]:
    return build._validate(path, models.SourceDisagreements).disagreements


def disagreements(dataset: build.Dataset, reference: Path = REFERENCE) -> list[Disagreement]:
    """Every disagreement between the dataset and the reference not recorded as standing."""
    ref = Reference(reference)
    found: list[Disagreement] = []
    for entry in dataset.entitlements:
        for check in (_check_platforms, _check_value, _check_managed, _check_distribution):
            found.extend(check(entry, ref))
    recorded = recorded_disagreements()
    matched: set[int] = set()
    standing = []
    for item in found:
        hit = next(
            (
                i
                for i, r in enumerate(recorded)
                if r.key == item.key and r.check == item.check and r.platform == item.platform
            ),
            None,
        )
        if hit is None:
            standing.append(item)
        else:
            matched.add(hit)
    for i, r in enumerate(recorded):
        if i not in matched and r.check not in NOT_COMPARED:
            standing.append(
                Disagreement(
                    r.key, "recorded", r.platform, f"{r.check} is recorded but no longer occurs"
                )
            )
    return sorted(standing, key=lambda d: (d.key, d.check, d.platform or "", d.message))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=REFERENCE,
        help="the reference folder (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if not (args.reference / "apple-entitlements.json").is_file():
        print(f"error: no reference facts at {args.reference}", file=sys.stderr)
        return 2
    found = disagreements(build.load_dataset(), args.reference)
    for item in found:
        print(item)
    print(f"{len(found)} disagreement(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
