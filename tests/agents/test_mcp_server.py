"""End-to-end: `entlint mcp` as a subprocess, through the SDK's stdio client."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from mcp_helpers import Server

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "mcp-results.schema.json").read_text(encoding="utf-8"))
EXAMPLE = ROOT / "examples" / "MyApp" / "MyApp" / "MyApp.entitlements"
TOOLS = {"lookup_entitlement", "find_entitlement", "check_entitlements", "capability_requirements"}


def call(server: Server, tool: str, arguments: dict) -> dict:
    result = server.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    assert result.content and result.content[0].text.strip(), "every answer has a short text summary"
    data = result.structured_content
    jsonschema.validate(data, {"$ref": f"#/$defs/{tool}", "$defs": SCHEMA["$defs"]})
    return data


def test_lists_the_four_tools_with_descriptions_and_input_schemas(server: Server) -> None:
    tools = {tool.name: tool for tool in server.list_tools().tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert len(tool.description or "") > 80, tool.name
        assert tool.input_schema["type"] == "object"
        for name, prop in tool.input_schema["properties"].items():
            assert prop.get("description"), f"{tool.name}.{name} has no description"
    assert tools["check_entitlements"].input_schema["required"] == ["content"]
    assert set(tools["capability_requirements"].input_schema["required"]) == {"capability", "platform"}


def test_find_push_notifications_on_macos_puts_the_mac_key_first(server: Server) -> None:
    data = call(server, "find_entitlement", {"description": "push notifications", "platform": "macOS"})
    assert data["results"][0]["key"] == "com.apple.developer.aps-environment"


def test_lookup_of_an_invented_key_says_it_is_not_real_and_names_the_real_one(server: Server) -> None:
    data = call(server, "lookup_entitlement", {"key": "com.apple.developer.push-notifications"})
    assert data["real"] is False
    assert data["status"] == "non-existent"
    assert "aps-environment" in [r["key"] for r in data["replacements"]]


def test_lookup_of_a_real_key_returns_its_facts_and_evidence(server: Server) -> None:
    data = call(server, "lookup_entitlement", {"key": "com.apple.developer.healthkit", "platform": "iphoneos"})
    facts = data["entitlement"]
    assert data["real"] is True and facts["value"]["type"] == "boolean"
    assert facts["available_on_platform"] is True
    assert facts["docs"].startswith("https://developer.apple.com/")
    assert {e["tier"] for e in facts["evidence"]} - {"supporting"}


def test_check_matches_the_cli_on_the_example_file(server: Server, tmp_path: Path) -> None:
    content = EXAMPLE.read_text(encoding="utf-8")
    data = call(server, "check_entitlements", {"content": content, "filename": EXAMPLE.name, "platforms": ["iOS"]})
    alone = tmp_path / EXAMPLE.name
    shutil.copyfile(EXAMPLE, alone)
    cli = subprocess.run(
        [sys.executable, "-m", "entitlements_lint.main", "check", "--isolated", "--platform", "iOS", "--format", "json", alone.name],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    expected = [(f["code"], f["key"], f["line"], f["column"]) for f in json.loads(cli.stdout)["findings"]]
    got = [(f["code"], f["key"], f["line"], f["column"]) for f in data["findings"]]
    assert expected and got == expected
    assert data["fixes_applied"] > 0 and data["fixed_content"] != content


def test_check_with_companion_info_plist_sees_what_it_lacks(server: Server) -> None:
    entitlements = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>\n'
        "<key>com.apple.developer.healthkit</key><true/>\n</dict></plist>\n"
    )
    info = '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>\n<key>CFBundleName</key><string>A</string>\n</dict></plist>\n'
    without = call(server, "check_entitlements", {"content": entitlements, "platforms": ["iOS"]})
    with_info = call(server, "check_entitlements", {"content": entitlements, "platforms": ["iOS"], "info_plist": info})
    assert "ENT201" not in {f["code"] for f in without["findings"]}
    assert "ENT201" in {f["code"] for f in with_info["findings"]}


def test_capability_requirements_for_app_groups(server: Server) -> None:
    data = call(server, "capability_requirements", {"capability": "App Groups", "platform": "macOS"})
    assert [e["key"] for e in data["entitlements"]] == ["com.apple.security.application-groups"]
    assert data["needs_apple_approval"] is False


@pytest.mark.parametrize(
    ("tool", "arguments", "words"),
    [
        ("lookup_entitlement", {"key": "aps-environment", "platform": "Windows"}, "unknown platform 'Windows'"),
        ("lookup_entitlement", {"key": 5}, "valid string"),
        ("lookup_entitlement", {}, "key"),
        ("find_entitlement", {"description": " "}, "non-empty"),
        ("find_entitlement", {"description": "nfc", "limit": 500}, "limit"),
        ("check_entitlements", {"content": "<plist"}, ""),
        ("check_entitlements", {"content": "x" * (4 * 1024 * 1024 + 1)}, "larger than 4 MiB"),
        ("check_entitlements", {"content": "<plist/>", "distribution": "store"}, "unknown distribution"),
        ("capability_requirements", {"capability": "Teleportation", "platform": "iOS"}, "no Xcode capability"),
    ],
)
def test_bad_arguments_get_a_plain_tool_error_and_the_server_survives(
    server: Server, tool: str, arguments: dict, words: str
) -> None:
    result = server.call_tool(tool, arguments)
    text = result.content[0].text
    if tool == "check_entitlements" and not words:
        # unparsable content is a syntax-error finding (ENT101), as on the command line, not a tool error
        assert not result.is_error and result.structured_content["findings"][0]["code"] == "ENT101"
    else:
        assert result.is_error and words in text
        assert "Traceback" not in text
    assert call(server, "lookup_entitlement", {"key": "aps-environment"})["real"] is True


def test_resources_give_the_dataset_version_and_keys_per_platform(server: Server) -> None:
    dataset = json.loads(server.read_resource("entlint://dataset").contents[0].text)
    assert dataset["version"] == (ROOT / "data" / "VERSION").read_text().strip()
    tvos = json.loads(server.read_resource("entlint://keys/tvOS").contents[0].text)
    macos = json.loads(server.read_resource("entlint://keys/macOS").contents[0].text)
    assert "com.apple.security.app-sandbox" in macos and "com.apple.security.app-sandbox" not in tvos
    assert "application-identifier" not in macos, "profile-owned keys are not offered"


def test_the_prompt_steers_to_the_tools(server: Server) -> None:
    prompts = {p.name for p in server.list_prompts().prompts}
    assert prompts == {"write_entitlements"}
    text = server.get_prompt("write_entitlements", {"capabilities": "iCloud, Push", "platform": "macOS"}).messages[0].content.text
    assert "capability_requirements" in text and "check_entitlements" in text and "macOS" in text


def test_without_the_sdk_the_command_says_how_to_install_it_and_exits_2() -> None:
    hide_sdk = "import sys; sys.modules['mcp'] = None; from entitlements_lint.main import main; sys.exit(main(['mcp']))"
    done = subprocess.run([sys.executable, "-c", hide_sdk], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "pip install 'entlint[mcp]'" in done.stderr
    assert "Traceback" not in done.stderr
