"""The dataset as a whole: cross-references, uniqueness, order, URLs, versions, sources.

These read the validated models of ``build.load_dataset()`` and the shipped bundle, never the
runtime library, so a bug in ``entitlements_db.database`` cannot hide a data error.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from entitlements_db import build, models

#: First versions that exist for each platform: an earlier "introduced" is a typo.
FIRST_VERSION = {
    "iOS": (2, 0),
    "iPadOS": (2, 0),  # Apple's pages give iPadOS the iOS numbering for older keys
    "macOS": (10, 0),
    "macCatalyst": (13, 0),
    "tvOS": (9, 0),
    "watchOS": (1, 0),
    "visionOS": (1, 0),
}
#: Keys of ../shared/reference/apple-entitlements.json deliberately left out of data/,
#: each with the reason. Keep it empty unless a key truly cannot be sourced.
INTENTIONALLY_ABSENT: dict[str, str] = {
    "com.apple.developer.memory.transfer_send": (
        "the OS checks transfer-send (XNU vm_memory_entry.c): the dash form is the real entry and "
        "this spelling is catalogued in data/non-existent/"
    ),
    "com.apple.developer.memory.transfer_accept": (
        "the OS checks transfer-accept (XNU vm_memory_entry.c): the dash form is the real entry and "
        "this spelling is catalogued in data/non-existent/"
    ),
    "com.apple.developer.nfc.readersession.iso7816.select-identifiers": (
        "Core NFC reads it from Info.plist: recorded in data/info-plist/keys.yaml"
    ),
    "com.apple.developer.nfc.readersession.felica.systemcodes": (
        "Core NFC reads it from Info.plist: recorded in data/info-plist/keys.yaml"
    ),
}
#: Real keys whose Apple page spells the key differently from what the OS checks: their
#: docs link is that page all the same, because it is the documentation users can read.
PAGE_SPELLING_DIFFERS: dict[str, str] = {
    "com.apple.developer.memory.transfer-send": "com.apple.developer.memory.transfer_send",
    "com.apple.developer.memory.transfer-accept": "com.apple.developer.memory.transfer_accept",
}
#: Platforms Apple's page lists that data/ leaves out on purpose: the platform-missing rows of
#: data/source-disagreements.yaml, each with its reason (docs/data-guide.md, "Verifying the data").
PLATFORMS_CORRECTED = {
    (d.key, d.platform)
    for d in build._validate(
        build.DATA_DIR / "source-disagreements.yaml", models.SourceDisagreements
    ).disagreements
    if d.check == "platform-missing"
}
#: A summary this close to Apple's abstract is a paraphrase too near to a copy.
SIMILARITY_LIMIT = 0.8


def _listing(items: list[str], why: str = "") -> str:
    return "\n".join([why, *map(str, items)] if why else map(str, items))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower().replace("’", "'")).split())


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


# -- keys: unique, disjoint, ordered ------------------------------------------
def test_keys_are_unique_within_each_list(dataset: build.Dataset) -> None:
    lists = {
        "entitlements": [e.key for e in dataset.entitlements],
        "non-existent": [n.key for n in dataset.non_existent],
        "apple-internal keys": [k.key for k in dataset.apple_internal.keys],
        "apple-internal prefixes": [p.prefix for p in dataset.apple_internal.prefixes],
        "background modes": [m.value for m in dataset.background_modes.modes],
        "Info.plist keys": [k.key for k in dataset.info_plist_keys.keys],
    }
    for name, keys in lists.items():
        assert [k for k, n in Counter(keys).items() if n > 1] == [], f"duplicates in {name}"


def test_real_keys_differ_by_more_than_case(dataset: build.Dataset) -> None:
    # Database.case_insensitive() maps a lower-cased key back to one real key.
    lowered = Counter(e.key.lower() for e in dataset.entitlements)
    assert [k for k, n in lowered.items() if n > 1] == []


def test_real_non_existent_and_internal_keys_are_disjoint(
    dataset: build.Dataset, real_keys: set[str]
) -> None:
    non_existent = {n.key for n in dataset.non_existent}
    internal = {k.key for k in dataset.apple_internal.keys}
    assert real_keys & non_existent == set(), "a key cannot be both real and non-existent"
    assert real_keys & internal == set(), "a documented key is not Apple-internal"
    assert non_existent & internal == set(), "catalogue an internal key in one place only"


def test_no_real_key_falls_under_an_apple_internal_prefix(
    dataset: build.Dataset, real_keys: set[str]
) -> None:
    prefixes = [p.prefix for p in dataset.apple_internal.prefixes]
    clashes = sorted(k for k in real_keys for p in prefixes if k.startswith(p))
    assert not clashes, _listing(clashes)


def test_apple_internal_prefixes_end_at_a_segment(dataset: build.Dataset) -> None:
    # "com.apple.private" without the dot would also claim "com.apple.privateX".
    assert [p.prefix for p in dataset.apple_internal.prefixes if not p.prefix.endswith(".")] == []


@pytest.mark.parametrize("section", ["entitlements", "non_existent"])
def test_bundle_lists_are_sorted_by_key(shipped_bundle: dict[str, Any], section: str) -> None:
    keys = [entry["key"] for entry in shipped_bundle[section]]
    assert keys == sorted(keys)


def test_bundle_internal_and_info_plist_keys_are_sorted(shipped_bundle: dict[str, Any]) -> None:
    internal = [k["key"] for k in shipped_bundle["apple_internal"]["keys"]]
    info = [k["key"] for k in shipped_bundle["info_plist"]["keys"]["keys"]]
    assert internal == sorted(internal)
    assert info == sorted(info)


# -- cross-references -----------------------------------------------------------
def test_entitlement_references_name_real_keys(dataset: build.Dataset, real_keys: set[str]) -> None:
    broken = []
    for e in dataset.entitlements:
        for platform, other in (e.counterparts or {}).items():
            if other not in real_keys:
                broken.append(f"{e.key}: counterpart on {platform} {other!r}")
        for other in e.requires:
            if other not in real_keys:
                broken.append(f"{e.key}: requires {other!r}")
        if e.deprecated and e.deprecated.replacement and e.deprecated.replacement not in real_keys:
            broken.append(f"{e.key}: deprecation replacement {e.deprecated.replacement!r}")
    assert not broken, _listing(broken)


def test_counterparts_exist_where_they_are_given_and_the_key_does_not(
    dataset: build.Dataset,
) -> None:
    by_key = {e.key: e for e in dataset.entitlements}
    wrong = []
    for e in dataset.entitlements:
        for platform, other in (e.counterparts or {}).items():
            if other in by_key and platform not in by_key[other].platforms:
                wrong.append(f"{e.key}: {other} does not exist on {platform}")
            if platform in e.platforms:
                wrong.append(f"{e.key}: exists on {platform}, so needs no counterpart there")
            if other == e.key:
                wrong.append(f"{e.key}: is its own counterpart")
    assert not wrong, _listing(wrong)


def test_no_entitlement_requires_or_replaces_itself(dataset: build.Dataset) -> None:
    assert [e.key for e in dataset.entitlements if e.key in e.requires] == []
    assert [
        e.key for e in dataset.entitlements if e.deprecated and e.deprecated.replacement == e.key
    ] == []


def test_non_existent_replacements_point_to_real_things(
    dataset: build.Dataset, real_keys: set[str]
) -> None:
    by_key = {e.key: e for e in dataset.entitlements}
    info_keys = {k.key for k in dataset.info_plist_keys.keys} | {"UIBackgroundModes"}
    modes = {m.value: m for m in dataset.background_modes.modes}
    broken = []
    for n in dataset.non_existent:
        for r in n.replacements:
            where = f"{n.key} → {r.kind} {r.key}"
            if r.kind == "entitlement":
                if r.key not in real_keys:
                    broken.append(f"{where}: not a real key")
                elif r.platforms:
                    missing = [p for p in r.platforms if p not in by_key[r.key].platforms]
                    if missing:
                        broken.append(f"{where}: absent on {missing}")
                if r.value is not None:
                    broken.append(f"{where}: an entitlement replacement takes no value")
            elif r.kind == "info-plist-key":
                if r.key not in info_keys:
                    broken.append(f"{where}: not a known Info.plist key")
                if r.key == "UIBackgroundModes" and r.value is not None and r.value not in modes:
                    broken.append(f"{where}: {r.value!r} is not a background mode")
    assert not broken, _listing(broken)


def test_catalogued_replacements_are_not_repeated(dataset: build.Dataset) -> None:
    repeated = []
    for n in dataset.non_existent:
        seen = [(r.kind, r.key, r.value) for r in n.replacements]
        if len(seen) != len(set(seen)):
            repeated.append(n.key)
    assert not repeated, _listing(repeated)


def test_info_plist_needs_name_known_info_plist_keys(dataset: build.Dataset) -> None:
    known = {k.key for k in dataset.info_plist_keys.keys}
    unknown = sorted(
        f"{e.key}: {need.key}"
        for e in dataset.entitlements
        for need in e.info_plist
        if need.key not in known
    )
    assert not unknown, _listing(unknown)


#: macOS entitlements that unlock a resource the user must approve (TCC), with the purpose
#: strings that can explain the request: macOS 10.14 and later show one before granting access,
#: and the app cannot get access without it (the keys' pages say they are required).
MACOS_PROTECTED_RESOURCES: dict[str, set[str]] = {
    "com.apple.security.device.camera": {"NSCameraUsageDescription"},
    "com.apple.security.device.audio-input": {"NSMicrophoneUsageDescription"},
    "com.apple.security.device.microphone": {"NSMicrophoneUsageDescription"},
    "com.apple.security.personal-information.photos-library": {"NSPhotoLibraryUsageDescription"},
    "com.apple.security.personal-information.addressbook": {"NSContactsUsageDescription"},
    "com.apple.security.personal-information.calendars": {
        "NSCalendarsFullAccessUsageDescription",
        "NSCalendarsWriteOnlyAccessUsageDescription",
        "NSCalendarsUsageDescription",
    },
    "com.apple.security.personal-information.location": {"NSLocationUsageDescription"},
}


def test_macos_protected_resources_name_their_purpose_string(dataset: build.Dataset) -> None:
    # the audit of 2026-12 found five of these seven without one: ENT201 could not warn
    by_key = {e.key: e for e in dataset.entitlements}
    wrong = [
        f"{key}: needs one of {sorted(purposes)}"
        for key, purposes in MACOS_PROTECTED_RESOURCES.items()
        if not purposes & {need.key for need in by_key[key].info_plist if not need.optional}
    ]
    assert not wrong, _listing(wrong)


def test_driverkit_families_need_apple_approval(dataset: build.Dataset) -> None:
    # Apple DTS (forums/thread/809202): every DriverKit entitlement has a development variant any
    # paid team may use; the entitlement itself is approved by Apple. Two families lacked it.
    wrong = [
        e.key
        for e in dataset.entitlements
        if e.key.startswith("com.apple.developer.driverkit.family.") and e.managed is None
    ]
    assert not wrong, _listing(wrong, "a DriverKit family entitlement needs a managed field")


def test_background_mode_usage_descriptions_are_known_keys(dataset: build.Dataset) -> None:
    known = {k.key for k in dataset.info_plist_keys.keys if k.usage_description}
    unknown = sorted(
        f"{m.value}: {d}"
        for m in dataset.background_modes.modes
        for d in m.usage_descriptions
        if d not in known
    )
    assert not unknown, _listing(unknown)


# -- facts: platforms, versions, distribution ------------------------------------
def test_platform_names_and_versions_are_valid(dataset: build.Dataset) -> None:
    bad = []
    for e in dataset.entitlements:
        assert set(e.platforms) <= set(models.PLATFORMS)
        for platform, availability in e.platforms.items():
            for field in ("introduced", "deprecated"):
                version = getattr(availability, field)
                if version is None:
                    continue
                # major.minor[.patch], trailing .0 of a patch trimmed ("10.0", "13.1", "17.4.1")
                if not re.fullmatch(r"\d+\.\d+(\.[1-9]\d*)?", version):
                    bad.append(f"{e.key}: {platform} {field} {version!r}")
                elif _version(version)[:2] < FIRST_VERSION[platform]:
                    bad.append(f"{e.key}: {platform} {field} {version} predates {platform}")
            introduced, deprecated = availability.introduced, availability.deprecated
            if introduced and deprecated and _version(deprecated) < _version(introduced):
                bad.append(f"{e.key}: {platform} deprecated before it was introduced")
    assert not bad, _listing(bad)


def test_replacement_platforms_are_platform_names(dataset: build.Dataset) -> None:
    for n in dataset.non_existent:
        for r in n.replacements:
            assert set(r.platforms or ()) <= set(models.PLATFORMS), n.key
    for m in dataset.background_modes.modes:
        assert set(m.platforms) <= set(models.PLATFORMS), m.value


def test_managed_distributions_are_a_subset_of_distribution(dataset: build.Dataset) -> None:
    wrong = [
        e.key
        for e in dataset.entitlements
        if e.managed
        and e.distribution is not None
        and not set(e.managed.distributions) <= set(e.distribution)
    ]
    assert not wrong, _listing(wrong)


def test_distribution_lists_have_no_repeats(dataset: build.Dataset) -> None:
    for e in dataset.entitlements:
        for values in (e.distribution or [], e.managed.distributions if e.managed else []):
            assert len(values) == len(set(values)), e.key


def test_developer_id_only_for_keys_that_exist_on_macos(dataset: build.Dataset) -> None:
    # Developer ID is a macOS distribution model.
    wrong = [
        e.key
        for e in dataset.entitlements
        if "developer-id" in (e.distribution or [])
        and not {"macOS", "macCatalyst"} & set(e.platforms)
    ]
    assert not wrong, _listing(wrong)


# -- URLs ------------------------------------------------------------------------
def _documents(dataset: build.Dataset) -> Iterator[tuple[str, Any]]:
    for e in dataset.entitlements:
        yield f"entitlements/{e.key}.yaml", e.model_dump()
    for n in dataset.non_existent:
        yield f"non-existent/{n.key}.yaml", n.model_dump()
    yield "apple-internal.yaml", dataset.apple_internal.model_dump()
    yield "info-plist/background-modes.yaml", dataset.background_modes.model_dump()
    yield "info-plist/keys.yaml", dataset.info_plist_keys.model_dump()


def test_every_url_is_well_formed_https(dataset: build.Dataset) -> None:
    # Every string of every file, notes included: a http:// link hides in prose too.
    bad = []
    for name, document in _documents(dataset):
        for text in _strings(document):
            for url in re.findall(r"\b[a-z]+://\S+", text):
                parts = urlsplit(url)
                if (
                    parts.scheme != "https"
                    or not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", parts.netloc)
                    or parts.netloc.startswith(("-", "."))
                ):
                    bad.append(f"{name}: {url}")
    assert not bad, _listing(bad)


def test_docs_links_of_apple_pages_match_the_key(dataset: build.Dataset) -> None:
    # Apple's entitlement pages are the lower-cased key under bundleresources/entitlements/.
    base = "https://developer.apple.com/documentation/bundleresources/entitlements/"
    wrong = [
        e.key
        for e in dataset.entitlements
        if e.docs.startswith(base)
        and e.docs[len(base) :].rstrip("/") != PAGE_SPELLING_DIFFERS.get(e.key, e.key).lower()
    ]
    assert not wrong, _listing(wrong)


def test_non_existent_evidence_matches_its_sources(dataset: build.Dataset) -> None:
    # Third-party pages show a key is written, never what Apple defines: an Apple source
    # must back the replacement, and "apple-dts" needs the Apple staff post itself.
    wrong = []
    for n in dataset.non_existent:
        kinds = {s.kind for s in n.sources}
        if kinds <= {"third-party"}:
            wrong.append(f"{n.key}: no Apple source")
        if n.evidence == "apple-dts" and "apple-forums" not in kinds:
            wrong.append(f"{n.key}: evidence apple-dts without an apple-forums source")
    assert not wrong, _listing(wrong)


# -- summaries in our own words -------------------------------------------------
def test_summaries_are_not_apple_abstracts(
    dataset: build.Dataset, apple_reference: list[dict[str, Any]]
) -> None:
    abstracts = {r["key"]: r["abstract"] for r in apple_reference if r.get("abstract")}
    too_close = []
    for e in dataset.entitlements:
        abstract = abstracts.get(e.key)
        if not abstract:
            continue
        theirs = _normalised(abstract)
        ours = _normalised(e.summary)
        first = _normalised(re.split(r"(?<=[.!?])\s", e.summary.strip(), maxsplit=1)[0])
        ratio = max(difflib.SequenceMatcher(None, text, theirs).ratio() for text in (ours, first))
        if ratio >= SIMILARITY_LIMIT or (len(theirs.split()) >= 6 and theirs in ours):
            too_close.append(f"{e.key}: {ratio:.2f}")
    assert not too_close, _listing(
        too_close, "summaries that copy Apple's abstract; rewrite them in our words"
    )


def test_similarity_check_catches_a_near_copy() -> None:
    # The check above must be able to fail: a lightly edited abstract is caught.
    abstract = "A Boolean value that indicates whether the app may use the camera."
    copy = "A Boolean that indicates whether the app may use the camera."
    ratio = difflib.SequenceMatcher(None, _normalised(copy), _normalised(abstract)).ratio()
    assert ratio >= SIMILARITY_LIMIT


# -- coverage of the reference ----------------------------------------------------
def test_every_documented_key_of_the_reference_is_covered(
    apple_reference: list[dict[str, Any]], real_keys: set[str]
) -> None:
    reference_keys = {r["key"] for r in apple_reference}
    missing = sorted(reference_keys - real_keys - set(INTENTIONALLY_ABSENT))
    assert not missing, _listing(
        missing, "keys of apple-entitlements.json missing from data/entitlements/"
    )
    # The exemption list stays honest: each entry is in the reference and really absent.
    assert set(INTENTIONALLY_ABSENT) <= reference_keys
    assert set(INTENTIONALLY_ABSENT) & real_keys == set()


def test_every_key_a_feature_names_is_a_real_entry(dataset: build.Dataset, real_keys: set[str]) -> None:
    # The feature index drops a key it cannot find, so a feature naming a key without an entry
    # would point people to a key that ENT001 then calls unknown (Foundation Models' adapter key did).
    named = {k.key for feature in dataset.features for k in (*feature.keys, *feature.special_cases)}
    missing = sorted(named - real_keys)
    assert not missing, _listing(missing, "keys named in data/features/ with no entry in data/entitlements/")


def test_reference_platforms_are_all_recorded(
    apple_reference: list[dict[str, Any]], dataset: build.Dataset
) -> None:
    # A platform Apple's page lists may be dropped only with a recorded reason.
    by_key = {e.key: e for e in dataset.entitlements}
    missing = []
    for record in apple_reference:
        entry = by_key.get(record["key"])
        if entry is None:
            continue
        for availability in record.get("availability") or []:
            platform = availability["platform"]
            if (record["key"], platform) in PLATFORMS_CORRECTED:
                assert platform not in entry.platforms, "drop the stale source-disagreements row"
            elif platform in models.PLATFORMS and platform not in entry.platforms:
                missing.append(f"{record['key']}: {availability['platform']}")
    assert not missing, _listing(missing)


def test_every_known_hallucination_is_catalogued(
    hallucinations: dict[str, Any], dataset: build.Dataset, real_keys: set[str]
) -> None:
    catalogued = {n.key for n in dataset.non_existent}
    missing = []
    for section in ("seed", "dts_summary", "wild"):
        for case in hallucinations.get(section, []):
            key = case["wrong_key"].split(" (", 1)[0]  # "key (user attempt)" → key
            if key not in catalogued and key not in real_keys:
                missing.append(f"{section}: {key}")
    assert not missing, _listing(missing)


def test_seed_cases_cite_apple_dts(hallucinations: dict[str, Any], dataset: build.Dataset) -> None:
    by_key = {n.key: n for n in dataset.non_existent}
    for case in hallucinations["seed"]:
        entry = by_key[case["wrong_key"]]
        assert entry.evidence == "apple-dts", entry.key
        assert case["source_url"] in {s.url for s in entry.sources}, entry.key


# -- the built outputs -------------------------------------------------------------
def test_bundle_is_fresh(dataset: build.Dataset) -> None:
    shipped = build.BUNDLE_PATH.read_text(encoding="utf-8")
    assert shipped == build.render_bundle(dataset), "run `python -m entitlements_db.build`"


def test_json_schema_is_in_sync() -> None:
    expected = build.render_schemas()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in build.SCHEMA_DIR.glob("*.json")}
    assert sorted(on_disk) == sorted(expected), "data/schema/ has missing or extra files"
    stale = [name for name, text in expected.items() if on_disk[name] != text]
    assert not stale, _listing(stale, "run `python -m entitlements_db.build`")


def test_bundle_meta_counts_match_its_lists(shipped_bundle: dict[str, Any]) -> None:
    meta = shipped_bundle["meta"]
    counts = meta["counts"]
    assert counts["entitlements"] == len(shipped_bundle["entitlements"])
    assert counts["non_existent"] == len(shipped_bundle["non_existent"])
    assert counts["apple_internal_keys"] == len(shipped_bundle["apple_internal"]["keys"])
    assert counts["apple_internal_prefixes"] == len(shipped_bundle["apple_internal"]["prefixes"])
    assert counts["background_modes"] == len(
        shipped_bundle["info_plist"]["background_modes"]["modes"]
    )
    assert counts["info_plist_keys"] == len(shipped_bundle["info_plist"]["keys"]["keys"])
    assert meta["format"] == build.BUNDLE_FORMAT
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", meta["digest"])


def test_version_matches_bundle_and_changelog(shipped_bundle: dict[str, Any]) -> None:
    version = (build.DATA_DIR / "VERSION").read_text(encoding="utf-8").strip()
    assert shipped_bundle["meta"]["version"] == version
    changelog = build.REPO_ROOT / "CHANGELOG.md"
    assert re.search(
        rf"(?<![\d.]){re.escape(version)}(?![\d.])", changelog.read_text(encoding="utf-8")
    ), f"CHANGELOG.md does not mention dataset version {version}"


def test_every_real_entitlement_cites_an_apple_page(shipped_bundle: dict[str, Any]) -> None:
    """Third-party evidence may support a detail, never the existence of a real key."""
    lacking = [
        e["key"]
        for e in shipped_bundle["entitlements"]
        if not any(
            s["url"].startswith("https://developer.apple.com/") and s["kind"] != "third-party"
            for s in e["sources"]
        )
    ]
    assert lacking == []


#: macOS entitlements that open a resource the user must allow (TCC), and the purpose strings
#: Apple requires for it (any one of a group will do): without the string ENT201 stays silent
#: and the app is stopped when it asks. Apple's privacy keys' pages are the source.
MACOS_PRIVACY_ENTITLEMENTS = {
    "com.apple.security.device.camera": {"NSCameraUsageDescription"},
    "com.apple.security.device.microphone": {"NSMicrophoneUsageDescription"},
    "com.apple.security.device.audio-input": {"NSMicrophoneUsageDescription"},
    "com.apple.security.personal-information.addressbook": {"NSContactsUsageDescription"},
    "com.apple.security.personal-information.location": {"NSLocationUsageDescription"},
    "com.apple.security.personal-information.photos-library": {"NSPhotoLibraryUsageDescription"},
    "com.apple.security.personal-information.calendars": {
        "NSCalendarsFullAccessUsageDescription",
        "NSCalendarsWriteOnlyAccessUsageDescription",
        "NSCalendarsUsageDescription",
    },
}


@pytest.mark.parametrize("key", sorted(MACOS_PRIVACY_ENTITLEMENTS))
def test_macos_privacy_entitlements_name_their_purpose_strings(dataset: build.Dataset, key: str) -> None:
    entry = next((e for e in dataset.entitlements if e.key == key), None)
    assert entry is not None, f"{key} has no entry"
    named = {need.key for need in entry.info_plist if not need.optional}
    missing = MACOS_PRIVACY_ENTITLEMENTS[key] - named
    assert not missing, f"{key}: info_plist must name {sorted(missing)}"


def test_driverkit_family_and_transport_keys_are_managed(dataset: build.Dataset) -> None:
    """Apple DTS (forum thread 809202): only the development variants of DriverKit entitlements
    come without approval, so a family or transport key without `managed` would let ENT008 pass
    a distribution profile that cannot carry it."""
    prefixes = ("com.apple.developer.driverkit.family.", "com.apple.developer.driverkit.transport.")
    keys = [e for e in dataset.entitlements if e.key.startswith(prefixes)]
    assert len(keys) >= 10
    unmanaged = sorted(e.key for e in keys if e.managed is None)
    assert not unmanaged, f"DriverKit keys without managed: {unmanaged}"
    with_development = sorted(e.key for e in keys if "development" in e.managed.distributions)
    assert not with_development, f"development builds need no approval: {with_development}"
