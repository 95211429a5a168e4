"""Value forms real projects use (issue 8, item 6): unresolved references and placeholders,
app group identifiers per platform, and when a value finding is an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from entitlements_lint import engine
from entitlements_lint.config import Settings
from entitlements_lint.rules.base import Target
from entitlements_lint.rules.values import app_group_problem, unresolved
from lint_helpers import cli, plist

from entitlements_db import load


def groups(*values: str) -> bytes:
    items = "\n".join(f"\t<string>{v}</string>" for v in values)
    return plist(f"<key>com.apple.security.application-groups</key>\n<array>\n{items}\n</array>")


def ent005(data: bytes, platforms: tuple[str, ...] | None = None, origin: str | None = None) -> list[tuple[str, str]]:
    target = Target(platforms, origin) if platforms else None
    result = engine.lint_bytes(data, "App.entitlements", Settings(), load(), target=target)
    return [(f.severity, f.message) for f in result.findings if f.code == "ENT005"]


@pytest.mark.parametrize("text", [
    "$(TeamIdentifierPrefix)com.example.shared",
    "${PRODUCT_BUNDLE_IDENTIFIER}",
    "group.$(PRODUCT_BUNDLE_IDENTIFIER:lower)",
    "$(APP_GROUP:default=group.x)",
    "__APP_GROUP__",
    "__app_group__",
    "{{group}}",
    "{{ app_group }}",
    "@APP_GROUP@",
])
def test_unresolved_values(text: str) -> None:
    assert unresolved(text)
    assert ent005(groups(text), ("iOS",)) == []


@pytest.mark.parametrize("text", ["group.com.example", "ABCDE12345.com.example", "user@example.com", "a_b_c", "{group}"])
def test_ordinary_values_are_resolved(text: str) -> None:
    assert not unresolved(text)


def test_ios_group_without_prefix_is_an_error_when_the_platform_is_known() -> None:
    assert ent005(groups("com.example.shared"), ("iOS", "iPadOS")) == [
        ("error", "`com.apple.security.application-groups`: `com.example.shared` must start with `group.` on iOS")]


def test_the_same_value_is_a_warning_when_the_platform_is_inferred_or_unknown() -> None:
    (finding,) = ent005(groups("com.example.shared"), ("iOS",), origin="from the Info.plist")
    assert finding[0] == "warning" and "assuming iOS" in finding[1]
    assert ent005(groups("com.example.shared")) == [(
        "warning",
        "`com.apple.security.application-groups`: `com.example.shared` must start with `group.` "
        "(or, on macOS only, with the Team ID)",
    )]


def test_macos_accepts_a_team_id_prefix_and_says_so_otherwise() -> None:
    assert ent005(groups("ABCDE12345.com.example.shared"), ("macOS",)) == []
    assert ent005(groups("group.com.example.shared"), ("macOS",)) == []
    (finding,) = ent005(groups("com.example.shared"), ("macOS",))
    assert finding == (
        "warning",
        "`com.apple.security.application-groups`: `com.example.shared` is neither `group.<name>` nor "
        "prefixed with the Team ID (`<TEAMID>.<name>`), the two forms macOS accepts",
    )
    assert "iOS" not in finding[1]


def test_mac_catalyst_is_a_mac_for_app_groups() -> None:
    assert ent005(groups("ABCDE12345.com.example.shared"), ("macCatalyst",)) == []


def test_shared_file_must_be_valid_on_every_platform_that_reads_it() -> None:
    (finding,) = ent005(groups("ABCDE12345.com.example.shared"), ("iOS", "iPadOS", "macOS"))
    assert finding == (
        "warning",
        "`com.apple.security.application-groups`: `ABCDE12345.com.example.shared` has a Team ID prefix, "
        "which only macOS accepts; iOS needs `group.` identifiers",
    )
    # a Team ID group in an iOS-only target: no iOS profile can carry it → certain
    (finding,) = ent005(groups("ABCDE12345.com.example.shared"), ("iOS", "iPadOS"))
    assert finding[0] == "error" and "iOS needs `group.` identifiers" in finding[1]
    # neither prefix: wrong on every platform of the file, one of them iOS → certain
    (finding,) = ent005(groups("com.example.shared"), ("iOS", "macOS"))
    assert finding[0] == "error" and finding[1].endswith(
        "must start with `group.` (or, on macOS only, with the Team ID) on iOS and macOS")


def test_team_id_group_with_unknown_platforms_is_not_judged() -> None:
    assert app_group_problem("ABCDE12345.shared", None, False) is None
    assert app_group_problem("abcde12345.shared", ("macOS",), True) is not None  # Team IDs are upper case


def test_value_severities() -> None:
    aps = plist("<key>aps-environment</key>\n<string>staging</string>")
    assert [s for s, _ in ent005(aps, ("iOS",))] == ["error"]  # a closed list
    domains = plist("<key>com.apple.developer.associated-domains</key>\n<array>\n<string>example.com</string>\n</array>")
    assert [s for s, _ in ent005(domains, ("iOS",))] == ["warning"]  # a documented prefix missing


def test_cli_template_file_passes(tmp_path: Path) -> None:
    (tmp_path / "App.entitlements").write_bytes(groups("__APP_GROUP__", "{{group}}", "$(TeamIdentifierPrefix)shared"))
    run = cli(["--isolated", "--platform", "iOS", "--format", "json", "App.entitlements"], cwd=tmp_path)
    assert run.returncode == 0, run.stdout
    assert json.loads(run.stdout)["findings"] == []


# -- value lists and Info.plist needs Apple defines elsewhere (issue 8) ------------------------
DATA_PROTECTION = "com.apple.developer.default-data-protection"


@pytest.mark.parametrize("value", ["NSFileProtectionComplete", "NSFileProtectionCompleteUntilFirstUserAuthentication"])
def test_a_file_protection_class_is_a_data_protection_value(value: str) -> None:
    data = plist(f"<key>{DATA_PROTECTION}</key>\n<string>{value}</string>")
    assert ent005(data, ("iOS",)) == []


def test_xcodes_label_is_not_a_data_protection_value_but_only_a_warning() -> None:
    # The documented classes share the prefix; a newer class must not become an error.
    data = plist(f"<key>{DATA_PROTECTION}</key>\n<string>Complete</string>")
    assert ent005(data, ("iOS",)) == [
        ("warning", f"`{DATA_PROTECTION}`: `Complete` must start with `NSFileProtection`")]


def test_multicast_needs_the_local_network_purpose_string(tmp_path: Path) -> None:
    (tmp_path / "App.entitlements").write_bytes(
        plist("<key>com.apple.developer.networking.multicast</key>\n<true/>"))
    (tmp_path / "Info.plist").write_bytes(plist("<key>CFBundleIdentifier</key>\n<string>com.example.app</string>"))
    done = cli(["--platform", "iOS", "--format", "json", tmp_path / "App.entitlements"])
    needs = [f["message"] for f in json.loads(done.stdout)["findings"] if f["code"] == "ENT201"]
    assert needs == ["`com.apple.developer.networking.multicast` needs `NSLocalNetworkUsageDescription` in Info.plist"]


def domains(*values: str) -> bytes:
    items = "\n".join(f"\t<string>{v}</string>" for v in values)
    return plist(f"<key>com.apple.developer.associated-domains</key>\n<array>\n{items}\n</array>")


def test_a_message_filter_extension_names_its_server_with_the_messagefilter_service() -> None:
    """Why: `messagefilter:` was called a wrong prefix, but Apple's Message Filter extension
    guide sets the server up like shared web credentials with the messagefilter service."""
    assert ent005(domains("messagefilter:filter.example.com"), ("iOS",)) == []
    (finding,) = ent005(domains("messagefiltr:filter.example.com"), ("iOS",))
    assert "`messagefilter:`" in finding[1]


@pytest.mark.parametrize(("mode", "platform"), [
    ("network-authentication", "iOS"), ("underwater-depth", "watchOS"), ("screen-capture", "iOS"),
])
def test_background_modes_apple_documents_outside_xcodes_table_are_known(mode: str, platform: str) -> None:
    data = plist(f"<key>UIBackgroundModes</key>\n<array>\n\t<string>{mode}</string>\n</array>")
    result = engine.lint_bytes(data, "Info.plist", Settings(), load(), target=Target((platform,), "test"))
    assert [f.message for f in result.findings if f.code == "ENT200"] == []
