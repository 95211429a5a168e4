"""The answers behind `entlint mcp`, called directly (the transport is tested in tests/agents)."""

from __future__ import annotations

import pytest

from entitlements_db import load
from entitlements_lint import agent_tools as tools

PLIST = '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>\n{}\n</dict></plist>\n'


def test_lookup_classifies_each_kind_of_key() -> None:
    assert tools.lookup_entitlement("com.apple.developer.push-notifications")["status"] == "non-existent"
    assert tools.lookup_entitlement("application-identifier")["real"] is True
    assert tools.lookup_entitlement("NSCameraUsageDescription")["status"] == "info-plist"
    unknown = tools.lookup_entitlement("com.example.never.seen")
    assert unknown["status"] == "unknown" and "not in entlint's data" in unknown["why"]


def test_lookup_of_a_real_key_off_its_platforms_says_so() -> None:
    data = tools.lookup_entitlement("com.apple.security.app-sandbox", "tvOS")
    assert data["real"] is True and data["entitlement"]["available_on_platform"] is False
    assert "not documented on tvOS" in data["why"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: tools.lookup_entitlement(None), "key must be a non-empty string"),
        (lambda: tools.lookup_entitlement("k" * 300), "longer than"),
        (lambda: tools.lookup_entitlement("aps-environment", 3), "platform must be a string"),
        (lambda: tools.find_entitlement("nfc", limit=True), "limit"),
        (lambda: tools.check_entitlements(b"<plist/>"), "text of a property list"),
        (lambda: tools.check_entitlements("<plist/>", platforms=[1]), "list of platform names"),
        (lambda: tools.check_entitlements("<plist/>", "Info.plist", info_plist="<plist/>"), "companion"),
        (lambda: tools.capability_requirements("App Groups", None), "platform is required"),
    ],
)
def test_bad_arguments_raise_a_plain_error(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(tools.ToolArgumentError, match=message):
        call()


def test_check_returns_fixed_text_only_when_a_safe_fix_applies() -> None:
    broken = PLIST.format("<key>com.apple.developer.app-groups</key><array><string>group.a</string></array>")
    data = tools.check_entitlements(broken, "A.entitlements", "iOS")
    assert data["platforms"] == ["iOS"]
    assert data["fixes_applied"] == 1
    assert "com.apple.security.application-groups" in data["fixed_content"]
    assert "<string>group.a</string>" in data["fixed_content"]
    clean = tools.check_entitlements(PLIST.format("<key>aps-environment</key><string>development</string>"), platforms=["iOS"])
    assert clean["fixed_content"] is None and clean["fixes_applied"] == 0


def test_capability_names_match_without_case_or_the_word_capability() -> None:
    data = tools.capability_requirements("push notifications capability", "iphoneos")
    assert [e["key"] for e in data["entitlements"]] == ["aps-environment"]
    assert data["not_on_platform"] == ["com.apple.developer.aps-environment"]


def test_an_unknown_capability_names_close_ones() -> None:
    with pytest.raises(tools.ToolArgumentError, match="Close names: .*App Groups"):
        tools.capability_requirements("Groups of apps", "iOS")


def test_keys_for_platform_are_developer_keys_on_that_platform() -> None:
    db = load()
    keys = tools.keys_for_platform("watchOS")
    assert keys and all(db[k].available_on("watchOS") and db[k].owner == "developer" for k in keys)
