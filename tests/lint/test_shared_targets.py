"""Shared targets: ENT006's severity policy and the platforms inferred for a shared file.

Issue 10: a correct file signed for several platforms (iOS with Mac Catalyst, a SwiftUI
multiplatform target, iOS beside tvOS) must pass at the default fail level; an error is
kept for keys that certainly break signing on every platform of the file.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from entitlements_lint import engine
from entitlements_lint.config import Settings
from entitlements_lint.rules.base import Target
from entitlements_lint.rules.platform import ignored_on, provisioned_on, severity_for

from entitlements_db import load
from entitlements_db.database import Database, _read_bundle

from lint_helpers import cli, plist

SANDBOX = plist("""
    <key>com.apple.security.app-sandbox</key>
    <true/>
    <key>com.apple.security.network.client</key>
    <true/>
""")
APS_ON_MAC = plist("<key>aps-environment</key>\n<string>development</string>")
ABSENCE_SOURCE = "https://developer.apple.com/help/account/reference/supported-capabilities-macos"


def with_absence(key: str, *platforms: str) -> Database:
    """The shipped data plus absence evidence for ``key`` (what the data-verify work records)."""
    bundle: dict[str, Any] = copy.deepcopy(json.loads(_read_bundle()))
    entry = next(e for e in bundle["entitlements"] if e["key"] == key)
    entry.setdefault("sources", []).append({"url": ABSENCE_SOURCE, "kind": "account-help", "tier": "apple-doc"})
    entry["absent"] = {p: {"reason": "capability-table", "source": ABSENCE_SOURCE} for p in platforms}
    return Database(bundle)


def ent006(data: bytes, db: Database, platforms: tuple[str, ...] | None = None, **target: Any) -> list:
    settings = Settings(platforms=None if target else platforms)
    explicit = Target(platforms, **target) if target else None
    result = engine.lint_bytes(data, "App.entitlements", settings, db, target=explicit)
    return [f for f in result.findings if f.rule == "unavailable-on-platform"]


# -- severity policy --------------------------------------------------------------------

def test_app_sandbox_keys_in_an_ios_file_are_info_with_the_reason() -> None:
    found = ent006(SANDBOX, load(), ("iOS", "iPadOS"))
    assert [(f.key, f.severity) for f in found] == [
        ("com.apple.security.app-sandbox", "info"),
        ("com.apple.security.network.client", "info"),
    ]
    assert found[0].message == (
        "`com.apple.security.app-sandbox` has no effect on iOS; kept for the Mac Catalyst or macOS build of this target"
    )


@pytest.mark.parametrize("platform", ["tvOS", "watchOS", "visionOS"])
def test_other_platforms_name_themselves_and_only_macos(platform: str) -> None:
    (first, _) = ent006(SANDBOX, load(), (platform,))
    assert first.severity == "info"
    assert first.message.endswith(f"has no effect on {platform}; kept for the macOS build of this target")


def test_hardened_runtime_keys_are_ignored_too_but_not_keys_that_exist_on_ios() -> None:
    db = load()
    assert ignored_on(db["com.apple.security.cs.allow-jit"], "iOS")
    assert not ignored_on(db["com.apple.security.cs.allow-jit"], "macOS")
    assert not ignored_on(db["com.apple.developer.aps-environment"], "iOS")  # not a sandbox key


def test_error_needs_known_platforms_a_provisioned_key_and_absence_evidence() -> None:
    plain = load()
    absent = with_absence("aps-environment", "macOS")
    # no absence evidence: merely undocumented → warning
    (finding,) = ent006(APS_ON_MAC, plain, ("macOS",))
    assert finding.severity == "warning" and finding.message.startswith("`aps-environment` is not documented on macOS")
    # evidence + configured platform → error, with the reason
    (finding,) = ent006(APS_ON_MAC, absent, ("macOS",))
    assert finding.severity == "error"
    assert "does not exist on macOS" in finding.message and "profile cannot carry it" in finding.message
    # evidence, but the platform was only inferred → warning
    (finding,) = ent006(APS_ON_MAC, absent, platforms=("macOS",), platform_origin="from the Info.plist")
    assert finding.severity == "warning" and "assuming macOS" in finding.message
    # a second platform without evidence → not certain on every one of them → warning
    both = with_absence("com.apple.developer.aps-environment", "tvOS")
    data = plist("<key>com.apple.developer.aps-environment</key>\n<string>development</string>")
    (finding,) = ent006(data, both, ("tvOS", "watchOS"))
    assert finding.severity == "warning"
    (finding,) = ent006(data, both, ("tvOS",))
    assert finding.severity == "error"


def test_ios_absence_covers_ipados_which_shares_the_profile() -> None:
    db = with_absence("com.apple.developer.aps-environment", "iOS")
    data = plist("<key>com.apple.developer.aps-environment</key>\n<string>development</string>")
    (finding,) = ent006(data, db, ("iOS", "iPadOS"))
    assert finding.severity == "error"
    assert finding.message.startswith("`com.apple.developer.aps-environment` does not exist on iOS (only on macOS)")


def test_unrestricted_macos_keys_are_not_provisioned() -> None:
    db = load()
    assert not provisioned_on(db["com.apple.security.app-sandbox"], "macOS")
    assert provisioned_on(db["com.apple.developer.aps-environment"], "macOS")  # restricted
    assert provisioned_on(db["aps-environment"], "macOS")  # unknown there: com.apple.developer.* rule
    assert provisioned_on(db["com.apple.developer.healthkit"], "tvOS")


def test_ignored_keys_stay_info_even_with_absence_evidence() -> None:
    db = with_absence("com.apple.security.app-sandbox", "iOS", "iPadOS")
    target = Target(("iOS", "iPadOS"))
    assert severity_for(db["com.apple.security.app-sandbox"], target) == "info"


# -- platforms inferred from the keys ---------------------------------------------------

def test_disjoint_keys_make_a_shared_file_instead_of_a_macos_one() -> None:
    data = plist("""
        <key>com.apple.security.app-sandbox</key>
        <true/>
        <key>com.apple.developer.healthkit</key>
        <true/>
        <key>com.apple.developer.siri</key>
        <true/>
    """)
    platforms, origin = engine.platforms_from_keys(engine.parse(data), load())
    assert platforms == ("iOS", "iPadOS", "macOS")
    assert origin.startswith("inferred as shared by iOS and macOS from")
    assert "`com.apple.security.app-sandbox` (macOS)" in origin
    assert ent006(data, load()) == []  # every key exists on one of the file's platforms


def test_keys_with_a_common_macos_platform_still_mean_macos() -> None:
    data = plist("<key>com.apple.security.app-sandbox</key>\n<true/>\n"
                 "<key>com.apple.developer.icloud-services</key>\n<array/>")
    platforms, origin = engine.platforms_from_keys(engine.parse(data), load())
    assert platforms == ("macOS", "macCatalyst")
    assert origin == "inferred from `com.apple.security.app-sandbox`, which exists only on macOS"


def test_keys_that_exist_everywhere_say_nothing() -> None:
    data = plist("<key>com.apple.security.application-groups</key>\n<array/>")
    assert engine.platforms_from_keys(engine.parse(data), load()) is None


def test_a_shared_file_with_ios_and_tvos_keys() -> None:
    data = plist("<key>com.apple.developer.healthkit</key>\n<true/>\n"
                 "<key>com.apple.developer.homekit</key>\n<true/>")
    # healthkit and homekit share iOS: the keys agree, nothing is inferred, nothing reported
    assert engine.platforms_from_keys(engine.parse(data), load()) is None
    assert ent006(data, load(), ("iOS", "tvOS")) == []  # healthkit exists on iOS


# -- through the real CLI ---------------------------------------------------------------

def test_cli_app_sandbox_keys_in_an_ios_file_pass_at_the_default_fail_level(tmp_path: Path) -> None:
    (tmp_path / "App.entitlements").write_bytes(SANDBOX)
    run = cli(["--isolated", "--platform", "iOS", "--format", "json", "App.entitlements"], cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    found = json.loads(run.stdout)["findings"]
    assert {(f["code"], f["severity"]) for f in found} == {("ENT006", "info")}
    # and --fail-level info still lets a user be strict
    strict = cli(["--isolated", "--platform", "iOS", "--fail-level", "info", "App.entitlements"], cwd=tmp_path)
    assert strict.returncode == 1


def test_cli_shared_file_without_flags_passes(tmp_path: Path) -> None:
    (tmp_path / "App.entitlements").write_bytes(plist("""
        <key>com.apple.security.app-sandbox</key>
        <true/>
        <key>com.apple.security.files.user-selected.read-only</key>
        <true/>
        <key>com.apple.developer.healthkit</key>
        <true/>
        <key>com.apple.developer.healthkit.access</key>
        <array/>
    """))
    run = cli(["--isolated", "App.entitlements"], cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_cli_shared_file_with_both_platforms_given_passes(tmp_path: Path) -> None:
    (tmp_path / "App.entitlements").write_bytes(plist("""
        <key>com.apple.security.app-sandbox</key>
        <true/>
        <key>aps-environment</key>
        <string>development</string>
        <key>com.apple.developer.aps-environment</key>
        <string>development</string>
    """))
    run = cli(["--isolated", "--platform", "iOS", "--platform", "macOS", "App.entitlements"], cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


# -- every real key where Apple's data allows it -----------------------------------------

#: Platform sets real targets sign one file for: single platforms, Mac Catalyst, SwiftUI
#: multiplatform targets, iOS beside tvOS or visionOS.
TARGET_PLATFORMS = (
    ("iOS", "iPadOS"), ("macOS",), ("macCatalyst",), ("tvOS",), ("watchOS",), ("visionOS",),
    ("iOS", "iPadOS", "macCatalyst"), ("iOS", "iPadOS", "macOS"), ("iOS", "iPadOS", "macOS", "visionOS"),
    ("iOS", "iPadOS", "tvOS"), ("iOS", "iPadOS", "visionOS"),
)


def conforming_value(entitlement: Any) -> str:
    """A value of the entitlement's type that its allowed values, prefixes and minimum size accept."""
    schema = entitlement.value
    if entitlement.key == "com.apple.security.application-groups":
        return "<array><string>group.com.example.app</string></array>"
    text = next((a for a in schema.allowed or () if isinstance(a, str)), None)
    if text is None:
        text = (schema.prefixes or ["value."])[0] + "example.com"
    strings = "<array>" + f"<string>{text}</string>" * max(schema.min_items or 1, 1) + "</array>"
    return {
        None: "<true/>", "boolean": "<true/>", "string": f"<string>{text}</string>",
        "number": "<integer>1</integer>", "array-of-strings": strings, "string-or-array-of-strings": strings,
        "dictionary": "<dict/>", "array-of-dictionaries": "<array><dict/></array>",
    }[schema.type]


@pytest.mark.parametrize("platforms", TARGET_PLATFORMS, ids="+".join)
def test_no_real_key_errs_where_it_exists_or_is_ignored(platforms: tuple[str, ...]) -> None:
    """Issue 10's promise, over the whole dataset: a real key with a valid value, in a file of
    platforms it exists on (on one of them) or that ignore it (on all of them), gets no error and
    no ENT006 above info, with the platforms configured or inferred from the keys."""
    from entitlements_lint.rules.platform import available

    db = load()
    wrong, checked = [], 0
    for entitlement in db:
        exists = any(available(entitlement, p) for p in platforms)
        if not exists and not all(ignored_on(entitlement, p) for p in platforms):
            continue
        checked += 1
        data = plist(f"<key>{entitlement.key}</key>\n{conforming_value(entitlement)}")
        for configured in (platforms, None):
            result = engine.lint_bytes(data, "App.entitlements", Settings(platforms=configured), db)
            for f in result.findings:
                if f.severity == "error" or (f.code == "ENT006" and (exists or f.severity != "info")):
                    wrong.append(f"{entitlement.key} ({configured or 'inferred'}): {f.code} {f.severity} {f.message}")
    assert checked > 40
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("platform", "keys"), [
    ("watchOS", ("com.apple.developer.healthkit", "com.apple.developer.healthkit.access",
                 "com.apple.developer.game-center", "com.apple.security.application-groups")),
    ("tvOS", ("com.apple.developer.game-center", "com.apple.developer.siri")),
    ("visionOS", ("com.apple.security.application-groups", "com.apple.developer.weatherkit",
                  "com.apple.developer.ubiquity-kvstore-identifier")),
    ("macOS", ("com.apple.developer.in-app-payments",)),
])
def test_capabilities_apples_tables_list_pass_on_that_platform(platform: str, keys: tuple[str, ...]) -> None:
    """Keys whose pages omit a platform that Apple's capability table lists (a watch workout
    app's HealthKit, a tvOS game's Game Center) are not reported there."""
    db = load()
    body = "".join(f"<key>{k}</key>\n{conforming_value(db[k])}\n" for k in keys)
    assert ent006(plist(body), db, (platform,)) == []


def test_an_empty_healthkit_access_array_needs_no_clinical_purpose_string() -> None:
    """Xcode's HealthKit capability writes `healthkit.access` as an empty array: nothing to explain."""
    info = engine.parse(plist("<key>NSHealthShareUsageDescription</key>\n<string>Steps.</string>\n"
                              "<key>NSHealthUpdateUsageDescription</key>\n<string>Workouts.</string>"))

    def ent201(access: str) -> list[str | None]:
        data = plist(f"<key>com.apple.developer.healthkit</key>\n<true/>\n"
                     f"<key>com.apple.developer.healthkit.access</key>\n{access}")
        result = engine.lint_bytes(data, "App.entitlements", Settings(platforms=("watchOS",)), load(), companion=info)
        return [f.key for f in result.findings if f.code == "ENT201"]

    assert ent201("<array/>") == []
    assert "NSHealthClinicalHealthRecordsShareUsageDescription" in ent201("<array><string>health-records</string></array>")
