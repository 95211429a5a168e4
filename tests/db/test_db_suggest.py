"""Database.suggest: Apple DTS's seed cases, similarity for keys nobody catalogued, and
properties that hold for any input (hypothesis).

Expected first suggestions are written from the ``replacement`` text of the seed list in
``../shared/reference/hallucinations.json`` (Apple DTS, forum thread 799000), not from
what the code returns.
"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import entitlements_db
from entitlements_db.database import PLATFORMS, Database, _read_bundle

HOTSPOT = "com.apple.developer.networking.HotspotConfiguration"
FAMILY = "com.apple.developer.family-controls"

#: wrong key → (platform, kind, key, value) of the expected first suggestion, per seed case.
SEED_EXPECTED: dict[str, list[tuple[str | None, str, str | None, str | None]]] = {
    # "aps-environment (com.apple.developer.aps-environment on macOS)"
    "com.apple.developer.push-notifications": [
        (None, "entitlement", "aps-environment", None),
        ("iOS", "entitlement", "aps-environment", None),
        ("macOS", "entitlement", "com.apple.developer.aps-environment", None),
    ],
    # "none: In-App Purchase needs no entitlement"
    "com.apple.developer.in-app-purchase": [
        (None, "none", None, None),
        ("macOS", "none", None, None),
    ],
    "com.apple.InAppPurchase": [(None, "none", None, None)],
    "com.apple.developer.app-groups": [
        (None, "entitlement", "com.apple.security.application-groups", None),
        ("macOS", "entitlement", "com.apple.security.application-groups", None),
    ],
    # "Info.plist key UIBackgroundModes"
    "com.apple.developer.background-modes": [(None, "info-plist-key", "UIBackgroundModes", None)],
    # "belongs in Info.plist, not in the entitlements file"
    "UIBackgroundModes": [(None, "info-plist-key", "UIBackgroundModes", None)],
    # "none: VoIP is the voip value of Info.plist UIBackgroundModes": no entitlement; what
    # to write is the voip value of UIBackgroundModes.
    "com.apple.developer.voip-push-notification": [
        (None, "info-plist-key", "UIBackgroundModes", "voip"),
        ("iOS", "info-plist-key", "UIBackgroundModes", "voip"),
    ],
    "com.apple.developer.family-controls.user-authorization": [(None, "entitlement", FAMILY, None)],
    # "DeviceActivity has the same restrictions as Family Controls"
    "com.apple.developer.device-activity": [(None, "entitlement", FAMILY, None)],
    # "com.apple.developer.family-controls for ManagedSettings"
    "com.apple.developer.managed-settings": [(None, "entitlement", FAMILY, None)],
    "com.apple.developer.callkit.call-directory": [(None, "none", None, None)],
    "com.apple.developer.nearby-interaction": [
        (None, "none", None, None),
        ("iOS", "none", None, None),
    ],
    # "none on iOS and its child platforms; on macOS ... the data protection keychain"
    "com.apple.developer.secure-enclave": [
        (None, "none", None, None),
        ("iOS", "none", None, None),
        ("macOS", "none", None, None),
    ],
    # "to configure Wi-Fi networks on iOS"
    "com.apple.developer.networking.configuration": [
        (None, "entitlement", HOTSPOT, None),
        ("iOS", "entitlement", HOTSPOT, None),
    ],
}
SEED_CASES = [(key, *expected) for key, cases in SEED_EXPECTED.items() for expected in cases]


def _first(
    db: Database, key: str, platform: str | None = None
) -> tuple[str, str | None, str | None]:
    found = db.suggest(key, platform)
    assert found, f"no suggestion for {key!r}"
    return found[0].kind, found[0].key, found[0].value


def test_the_table_covers_exactly_the_seed_list(hallucinations: dict) -> None:
    assert sorted(SEED_EXPECTED) == sorted(case["wrong_key"] for case in hallucinations["seed"])
    assert len(SEED_EXPECTED) == 14


@pytest.mark.parametrize(("key", "platform", "kind", "expected", "value"), SEED_CASES)
def test_seed_case_first_suggestion(
    db: Database, key: str, platform: str | None, kind: str, expected: str | None, value: str | None
) -> None:
    assert key not in db
    assert _first(db, key, platform) == (kind, expected, value)


def test_push_notifications_on_macos_does_not_offer_the_ios_key(db: Database) -> None:
    keys = [s.key for s in db.suggest("com.apple.developer.push-notifications", "macOS")]
    assert "aps-environment" not in keys
    ios = [s.key for s in db.suggest("com.apple.developer.push-notifications", "iOS")]
    assert "com.apple.developer.aps-environment" not in ios


def test_every_catalogued_key_suggests_its_first_fitting_replacement(db: Database) -> None:
    for entry in db.non_existent_keys():
        first = entry.replacements[0]
        kind = first.kind if first.kind in ("entitlement", "info-plist-key") else "none"
        assert _first(db, entry.key) == (kind, first.key, first.value), entry.key


# -- real keys, Info.plist keys ---------------------------------------------------
def test_a_real_key_on_its_platform_needs_no_suggestion(db: Database) -> None:
    assert db.suggest("aps-environment", "iOS") == []
    assert db.suggest("com.apple.security.app-sandbox") == []


def test_a_real_key_on_the_wrong_platform_suggests_its_counterpart(db: Database) -> None:
    assert _first(db, "aps-environment", "macOS") == (
        "entitlement",
        "com.apple.developer.aps-environment",
        None,
    )
    assert _first(db, "com.apple.developer.aps-environment", "iOS") == (
        "entitlement",
        "aps-environment",
        None,
    )


def test_an_info_plist_key_is_sent_to_info_plist(db: Database) -> None:
    assert _first(db, "NSCameraUsageDescription") == (
        "info-plist-key",
        "NSCameraUsageDescription",
        None,
    )


# -- similarity for keys nobody catalogued -------------------------------------------
SIMILAR = [
    # a typo
    ("com.apple.developer.healthkti", None, "com.apple.developer.healthkit"),
    ("com.apple.developer.homekti", None, "com.apple.developer.homekit"),
    # letter case
    (HOTSPOT.lower(), None, HOTSPOT),
    ("com.apple.developer.Healthkit", None, "com.apple.developer.healthkit"),
    # _ instead of -
    ("com.apple.security.app_sandbox", None, "com.apple.security.app-sandbox"),
    ("com.apple.developer.associated_domains", None, "com.apple.developer.associated-domains"),
    # singular / plural
    ("com.apple.security.application-group", None, "com.apple.security.application-groups"),
    ("com.apple.developer.icloud-service", None, "com.apple.developer.icloud-services"),
    (
        "com.apple.security.cs.disable-library-validations",
        None,
        "com.apple.security.cs.disable-library-validation",
    ),
    # a wrong namespace
    ("com.apple.developer.application-groups", None, "com.apple.security.application-groups"),
    ("com.apple.security.network.clients", None, "com.apple.security.network.client"),
    ("com.apple.developer.network.client", None, "com.apple.security.network.client"),
    ("com.apple.developer.app-sandbox", None, "com.apple.security.app-sandbox"),
    ("com.apple.security.keychain-access-groups", None, "keychain-access-groups"),
    # a missing segment
    ("com.apple.developer.vpn.api", None, "com.apple.developer.networking.vpn.api"),
    ("com.apple.security.allow-jit", None, "com.apple.security.cs.allow-jit"),
    ("com.apple.developer.HotspotConfiguration", None, HOTSPOT),
    (
        "com.apple.security.temporary-exception.absolute-path.read-only",
        None,
        "com.apple.security.temporary-exception.files.absolute-path.read-only",
    ),
    # an extra segment
    ("com.apple.security.app-sandbox.enabled", None, "com.apple.security.app-sandbox"),
    ("com.apple.developer.healthkit.enabled", None, "com.apple.developer.healthkit"),
    # words run together or split apart
    (
        "com.apple.security.files.downloads.readonly",
        None,
        "com.apple.security.files.downloads.read-only",
    ),
    ("com.apple.developer.apsenvironment", "macOS", "com.apple.developer.aps-environment"),
    (
        "com.apple.developer.networking.network-extension",
        None,
        "com.apple.developer.networking.networkextension",
    ),
    # a near miss of the wrong platform's key is swapped for this platform's key
    ("com.apple.security.aps-environment", "iOS", "aps-environment"),
    ("com.apple.security.aps-environment", "macOS", "com.apple.developer.aps-environment"),
    # a near miss of a catalogued key gets the catalogue's answer
    ("com.apple.developer.push-notification", "iOS", "aps-environment"),
    ("com.apple.developer.app-group", None, "com.apple.security.application-groups"),
]


@pytest.mark.parametrize(("key", "platform", "expected"), SIMILAR)
def test_similar_key_first_suggestion(
    db: Database, key: str, platform: str | None, expected: str
) -> None:
    assert key not in db and db.non_existent(key) is None  # not a catalogued case
    assert _first(db, key, platform) == ("entitlement", expected, None)


def test_similarity_does_not_invent_matches(db: Database) -> None:
    assert db.suggest("com.example.totally-unrelated-thing") == []
    assert db.suggest("zzzz") == []
    # "invented" is one letter from "intent", but "thing" means nothing: no guess at Siri.
    assert db.suggest("com.apple.developer.invented-thing") == []


def test_limit_is_respected(db: Database) -> None:
    assert len(db.suggest("com.apple.security.files", limit=2)) <= 2
    assert db.suggest("com.apple.developer.healthkti", limit=0) == []


# -- properties for any input --------------------------------------------------------
_DB = entitlements_db.load()
#: A second, independent instance: its indexes are built from scratch, in its own order.
_FRESH = Database(json.loads(_read_bundle()))
_KEYS = sorted(_DB.keys())
_SEPARATORS = ".-_"


@st.composite
def mangled_keys(draw: st.DrawFn) -> str:
    """A real key with a few edits: typos, case, separators, dropped or added segments."""
    key = list(draw(st.sampled_from(_KEYS)))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "insert", "replace", "case", "separator", "segment"]))
        i = draw(st.integers(0, max(len(key) - 1, 0)))
        if op == "delete" and len(key) > 1:
            del key[i]
        elif op == "insert":
            key.insert(i, draw(st.sampled_from(string.ascii_letters + _SEPARATORS)))
        elif op == "replace":
            key[i] = draw(st.sampled_from(string.ascii_lowercase))
        elif op == "case":
            key[i] = key[i].swapcase()
        elif op == "separator" and key[i] in _SEPARATORS:
            key[i] = draw(st.sampled_from(_SEPARATORS))
        elif op == "segment":
            parts = "".join(key).split(".")
            if len(parts) > 1 and draw(st.booleans()):
                del parts[draw(st.integers(0, len(parts) - 1))]
            else:
                parts.insert(
                    draw(st.integers(0, len(parts))), draw(st.sampled_from(["enabled", "kit", "x"]))
                )
            key = list(".".join(parts))
    return "".join(key)


any_key = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=string.ascii_letters + string.digits + _SEPARATORS + " :$()", max_size=60),
    mangled_keys(),
    st.sampled_from(_KEYS + [n.key for n in _DB.non_existent_keys()]),
)
any_platform = st.one_of(
    st.none(), st.sampled_from(PLATFORMS), st.lists(st.sampled_from(PLATFORMS), max_size=3)
)

_FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(key=any_key, platform=any_platform)
def test_suggest_is_well_formed_for_any_text(key: str, platform: object) -> None:
    found = _DB.suggest(key, platform)  # type: ignore[arg-type]
    assert len(found) <= 5
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True), "best first"
    idents = [(s.kind, s.key, s.value) for s in found]
    assert len(idents) == len(set(idents)), "no suggestion twice"
    for s in found:
        assert s.kind in ("entitlement", "info-plist-key", "none")
        assert s.note
        if s.kind == "entitlement":
            assert s.key in _DB, f"suggested {s.key!r}, which is not a real key"
            assert s.key != key
            assert _DB.non_existent(s.key) is None
        elif s.kind == "info-plist-key":
            assert s.key and _DB.looks_like_info_plist_key(s.key)
        else:
            assert s.key is None


@_FAST
@given(key=any_key, platform=any_platform)
def test_suggest_is_deterministic(key: str, platform: object) -> None:
    first = _DB.suggest(key, platform)  # type: ignore[arg-type]
    again = _DB.suggest(key, platform)  # type: ignore[arg-type]
    fresh = _FRESH.suggest(key, platform)  # type: ignore[arg-type]
    assert (
        [s.as_dict() for s in first] == [s.as_dict() for s in again] == [s.as_dict() for s in fresh]
    )
    assert [s.score for s in first] == [s.score for s in fresh]


def _spelling(key: str) -> str:
    return key.lower().replace("_", "-")


_BY_SPELLING: dict[str, list[str]] = {}
for _key in _KEYS:
    _BY_SPELLING.setdefault(_spelling(_key), []).append(_key)


@_FAST
@given(key=mangled_keys())
def test_a_case_or_separator_variant_of_a_real_key_finds_it(key: str) -> None:
    # A real key respelled with other letter case or "_" for "-" is suggested first.
    originals = _BY_SPELLING.get(_spelling(key), [])
    if len(originals) != 1 or originals[0] == key or _DB.non_existent(key) is not None:
        return
    assert _DB.suggest(key)[0].key == originals[0]


def test_variants_of_every_real_key_find_it() -> None:
    # The same, exhaustively, for two respellings of every key.
    for original in _KEYS:
        for variant in (original.upper(), original.replace("-", "_")):
            if variant != original and _DB.non_existent(variant) is None:
                assert _DB.suggest(variant)[0].key == original, variant


def test_a_catalogued_key_answers_its_spelling_in_the_other_namespace(db: Database) -> None:
    # com.apple.developer.x and com.apple.security.x name the same feature: the checked
    # replacement of the catalogued one is the best answer for both.
    for key in ("com.apple.developer.hardened-runtime", "com.apple.security.app-groups"):
        assert db.non_existent(key) is None and key not in db
        first = db.suggest(key, ["macOS"])[0]
        assert "as for com.apple." in first.note
    assert db.suggest("com.apple.developer.hardened-runtime", ["macOS"])[0].kind == "none"
    assert db.suggest("com.apple.security.app-groups", ["macOS"])[0].key == "com.apple.security.application-groups"


def test_a_capability_name_weighs_fully_only_for_the_capabilitys_own_key(db: Database) -> None:
    # Every Hardened Runtime exception names the capability; none of them is "the" Hardened
    # Runtime key, so a query naming only the capability prefers its main key over the others.
    (first,) = db.search("hardened runtime", platform="macOS", limit=1)
    assert first.key == "com.apple.security.cs.allow-jit"


@pytest.mark.parametrize(("key", "expected"), [
    ("com.apple.developer.app-sandbox", "com.apple.security.app-sandbox"),
    ("com.apple.developer.cs.disable-library-validation", "com.apple.security.cs.disable-library-validation"),
    ("com.apple.security.game-center", "com.apple.developer.game-center"),
    ("com.apple.app-sandbox", "com.apple.security.app-sandbox"),
    ("com.apple.security.keychain-access-groups", "keychain-access-groups"),
])
def test_a_key_in_the_wrong_namespace_gets_the_real_one_first(db: Database, key: str, expected: str) -> None:
    assert key not in db and db.non_existent(key) is None
    first = db.suggest(key, ["macOS"])[0]
    assert first.key == expected and first.note.startswith("the same key ")


@pytest.mark.parametrize(("key", "expected"), [
    ("NSMicrophoneUsageDescripiton", "NSMicrophoneUsageDescription"),   # a letter added
    ("NSContactsUsageDescriptio", "NSContactsUsageDescription"),        # a letter missing
    ("NSFaceIdUsageDescription", "NSFaceIDUsageDescription"),           # letter case
    ("NSPhotoLibraryUsageDescriptions", "NSPhotoLibraryUsageDescription"),  # plural
    ("NSHomeKitUsgaeDescription", "NSHomeKitUsageDescription"),         # two letters swapped
])
def test_a_misspelt_info_plist_key_is_sent_to_info_plist(db: Database, key: str, expected: str) -> None:
    assert key not in db and db.info_plist_key(key) is None
    first = db.suggest(key)[0]
    assert (first.kind, first.key) == ("info-plist-key", expected)


def test_a_short_or_entitlement_shaped_key_is_not_read_as_a_misspelt_info_plist_key(db: Database) -> None:
    # Short keys are too close to each other; a misspelt entitlement stays an entitlement.
    assert all(s.kind != "info-plist-key" for s in db.suggest("NSExtensio"))
    first = db.suggest("com.apple.developer.healthkti")[0]
    assert (first.kind, first.key) == ("entitlement", "com.apple.developer.healthkit")


def test_a_mac_sandbox_key_elsewhere_needs_no_entitlement_and_names_its_purpose_string(db: Database) -> None:
    key = "com.apple.security.device.audio-input"
    assert key in db and not db.get(key).available_on("iOS")
    found = db.suggest(key, ["iOS"], limit=3)
    assert found[0].kind == "none"
    assert ("info-plist-key", "NSMicrophoneUsageDescription") in [(s.kind, s.key) for s in found]
    assert db.suggest("com.apple.security.device.usb", ["visionOS"])[0].kind == "none"
    # On the Mac the key is real: nothing to replace.
    assert db.suggest(key, ["macOS"]) == []


def test_only_sandbox_and_hardened_runtime_keys_are_said_to_need_nothing_elsewhere(db: Database) -> None:
    mac_only = [k for k in db.keys() if k.startswith("com.apple.developer.")
                and set(db.get(k).platforms) == {"macOS"} and not db.get(k).counterparts]
    assert mac_only
    for key in mac_only[:10]:
        assert all("Mac App Sandbox" not in s.note for s in db.suggest(key, ["iOS"]))


@pytest.mark.parametrize(("key", "mode"), [
    ("com.apple.developer.workout-processing-background", "workout-processing"),
    ("com.apple.developer.background-modes.bluetooth-central", "bluetooth-central"),
    ("com.apple.developer.bg.external-accessory", "external-accessory"),
    ("UIBackgroundModes.remote-notifications", "remote-notification"),
])
def test_a_background_mode_written_as_a_key_is_its_uibackgroundmodes_value(db: Database, key: str, mode: str) -> None:
    assert db.background_mode(mode) is not None
    first = db.suggest(key, ["iOS"] if mode != "workout-processing" else ["watchOS"])[0]
    assert (first.kind, first.key, first.value) == ("info-plist-key", "UIBackgroundModes", mode)


def test_a_mode_name_alone_or_on_the_wrong_platform_is_not_a_background_mode(db: Database) -> None:
    # Location needs no background mode unless the key says "background".
    assert all(s.value != "location" for s in db.suggest("com.apple.developer.location-updates"))
    # underwater-depth is a watchOS mode only.
    assert db.suggest("com.apple.developer.background-underwater-depth", ["watchOS"])[0].value == "underwater-depth"
    assert all(s.value != "underwater-depth" for s in db.suggest("com.apple.developer.background-underwater-depth", ["macOS"]))


def test_two_letters_changed_is_not_a_misspelt_info_plist_key(db: Database) -> None:
    # NSCameraUsageDescription with "er" written "oe": two letters changed side by side, not
    # swapped (each side with one letter dropped reads the same, so a deletion match alone passes it).
    assert all(s.kind != "info-plist-key" for s in db.suggest("NSCamoeaUsageDescription"))
    assert db.suggest("NSCamreaUsageDescription")[0].key == "NSCameraUsageDescription"  # swapped: a typo
