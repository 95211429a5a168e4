"""The seed cases: keys Apple DTS lists as commonly invented ("Determining if an entitlement
is real", developer forums thread 799000), each written into an entitlements file.

The expectations below were written from the ``seed`` list of
``shared/reference/hallucinations.json`` (its ``replacement`` field), not from the
linter's output: ``none`` means the seed says no entitlement is needed.
"""

from __future__ import annotations

import json

import pytest
from lint_helpers import REPO, plist

SEED_FILE = REPO.parent / "shared" / "reference" / "hallucinations.json"

BOOL = "<true/>"
GROUPS = "<array>\n\t<string>group.com.example.shared</string>\n</array>"
MODES = "<array>\n\t<string>remote-notification</string>\n</array>"

#: wrong key → (value written, {platform: (rule, first suggestion kind, key, value)})
UNKNOWN = "unknown-entitlement"
SEEDS: dict[str, tuple[str, dict[str, tuple[str, str, str | None, str | None]]]] = {
    # "aps-environment (com.apple.developer.aps-environment on macOS)"
    "com.apple.developer.push-notifications": (BOOL, {
        "iOS": (UNKNOWN, "entitlement", "aps-environment", None),
        "macOS": (UNKNOWN, "entitlement", "com.apple.developer.aps-environment", None),
    }),
    # "none: In-App Purchase needs no entitlement"
    "com.apple.developer.in-app-purchase": (BOOL, {
        "iOS": (UNKNOWN, "none", None, None),
        "macOS": (UNKNOWN, "none", None, None),
    }),
    "com.apple.InAppPurchase": (BOOL, {
        "iOS": (UNKNOWN, "none", None, None),
        "macOS": (UNKNOWN, "none", None, None),
    }),
    # "com.apple.security.application-groups"
    "com.apple.developer.app-groups": (GROUPS, {
        "iOS": (UNKNOWN, "entitlement", "com.apple.security.application-groups", None),
        "macOS": (UNKNOWN, "entitlement", "com.apple.security.application-groups", None),
    }),
    # "Info.plist key UIBackgroundModes"
    "com.apple.developer.background-modes": (MODES, {
        "iOS": (UNKNOWN, "info-plist-key", "UIBackgroundModes", None),
    }),
    # "belongs in Info.plist, not in the entitlements file"
    "UIBackgroundModes": (MODES, {
        "iOS": ("misplaced-key", "info-plist-key", "UIBackgroundModes", None),
    }),
    # "none: VoIP is the voip value of Info.plist UIBackgroundModes"
    "com.apple.developer.voip-push-notification": (BOOL, {
        "iOS": (UNKNOWN, "info-plist-key", "UIBackgroundModes", "voip"),
    }),
    # "com.apple.developer.family-controls"
    "com.apple.developer.family-controls.user-authorization": (BOOL, {
        "iOS": (UNKNOWN, "entitlement", "com.apple.developer.family-controls", None),
    }),
    "com.apple.developer.device-activity": (BOOL, {
        "iOS": (UNKNOWN, "entitlement", "com.apple.developer.family-controls", None),
    }),
    # "com.apple.developer.family-controls for ManagedSettings; the ManagedApp framework needs no entitlement"
    "com.apple.developer.managed-settings": (BOOL, {
        "iOS": (UNKNOWN, "entitlement", "com.apple.developer.family-controls", None),
    }),
    # "none: the Call Directory extension needs no entitlement"
    "com.apple.developer.callkit.call-directory": (BOOL, {
        "iOS": (UNKNOWN, "none", None, None),
    }),
    # "none: Nearby Interaction needs no entitlement"
    "com.apple.developer.nearby-interaction": (BOOL, {
        "iOS": (UNKNOWN, "none", None, None),
    }),
    # "none on iOS and its child platforms; on macOS any program with access to the data
    # protection keychain can use the Secure Enclave"
    "com.apple.developer.secure-enclave": (BOOL, {
        "iOS": (UNKNOWN, "none", None, None),
        "macOS": (UNKNOWN, "none", None, None),
    }),
    # "com.apple.developer.networking.HotspotConfiguration (to configure Wi-Fi networks on iOS)"
    "com.apple.developer.networking.configuration": (BOOL, {
        "iOS": (UNKNOWN, "entitlement", "com.apple.developer.networking.HotspotConfiguration", None),
    }),
}
PLATFORMS = ("iOS", "macOS")


def test_expectations_cover_exactly_the_seed_file() -> None:
    if not SEED_FILE.is_file():
        pytest.skip(f"run the tests from a checkout with ../shared beside it, as CI does ({SEED_FILE} is missing)")
    seeds = json.loads(SEED_FILE.read_text(encoding="utf-8"))["seed"]
    assert len(seeds) == 14
    assert [s["wrong_key"] for s in seeds] == list(SEEDS)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[dict]]]:
    """One `entlint check --format json` run per platform over one file per seed key."""
    from entitlements_lint.cli_check import main

    root = tmp_path_factory.mktemp("seeds")
    out: dict[str, dict[str, list[dict]]] = {}
    for platform in PLATFORMS:
        folder = root / platform
        folder.mkdir()
        for i, (key, (value, _)) in enumerate(SEEDS.items()):
            body = f"<key>{key}</key>\n{value}"
            (folder / f"Seed{i:02}.entitlements").write_bytes(plist(body))
        report = folder / "report.json"
        code = main(["--isolated", "--platform", platform, "--format", "json", "-o", str(report), str(folder)])
        assert code == 1
        findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
        by_key: dict[str, list[dict]] = {}
        for f in findings:
            by_key.setdefault(f["key"], []).append(f)
        out[platform] = by_key
    return out


CASES = [
    pytest.param(key, platform, expected, id=f"{platform}:{key}")
    for key, (_, per_platform) in SEEDS.items()
    for platform, expected in per_platform.items()
]


@pytest.mark.parametrize(("key", "platform", "expected"), CASES)
def test_seed(reports: dict, key: str, platform: str, expected: tuple) -> None:
    rule, kind, suggested, value = expected
    findings = [f for f in reports[platform].get(key, []) if f["rule"] == rule]
    assert len(findings) == 1, reports[platform].get(key)
    finding = findings[0]
    assert finding["code"] == {"unknown-entitlement": "ENT001", "misplaced-key": "ENT003"}[rule]
    assert finding["severity"] == "error"
    assert (finding["line"], finding["column"]) == (5, 2)  # the <key> element
    first = finding["suggestions"][0]
    assert first["kind"] == kind
    assert first["key"] == suggested
    if value is not None:
        assert first["value"] == value
    if kind == "entitlement":
        assert f"`{suggested}`" in finding["message"]
    # A seed key is invented, never reported as unknown *and* misplaced, or as private.
    other = {f["rule"] for f in reports[platform][key]} - {rule}
    assert not other & {"unknown-entitlement", "misplaced-key", "private-entitlement"}


def test_push_notifications_also_points_at_the_separate_background_mode(reports: dict) -> None:
    """The seed: "the Info.plist UIBackgroundModes value remote-notification is separate"."""
    finding = reports["iOS"]["com.apple.developer.push-notifications"][0]
    rest = [(s["kind"], s["key"], s.get("value")) for s in finding["suggestions"][1:]]
    assert ("info-plist-key", "UIBackgroundModes", "remote-notification") in rest
