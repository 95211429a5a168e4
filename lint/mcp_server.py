"""`entlint mcp`: the agent tools of :mod:`entitlements_lint.agent_tools` over MCP's stdio transport.

Only the transport lives here. The SDK is an optional extra (``entlint[mcp]``) and the
heaviest import of the command, so nothing else heavy is imported before the server is ready.
"""

# No `from __future__ import annotations`: the SDK reads the tools' annotations at run time
# to build their input schemas, and they name objects local to build_server().
import json
import sys
from typing import Annotated, Any, Callable, Optional

INSTALL_HINT = "entlint mcp needs the MCP SDK: pip install 'entlint[mcp]'"

PLATFORM_HELP = (
    "Apple platform: iOS, iPadOS, macOS, macCatalyst, tvOS, watchOS or visionOS "
    "(Xcode's iphoneos, macosx, appletvos, watchos, xros are accepted too)."
)

INSTRUCTIONS = """\
entlint knows every public Apple entitlement: its exact key, value type, platforms,
whether Apple must approve it, and the keys people invent by mistake.
Before writing an .entitlements file, call find_entitlement or capability_requirements
for each feature, lookup_entitlement for any key you are unsure of, and check_entitlements
on the finished file. Never invent a key: many features need no entitlement at all."""


def build_server():  # type: ignore[no-untyped-def]
    """The configured server; raises ImportError when the SDK is missing."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import CallToolResult, TextContent
    from pydantic import Field

    from entitlements_db import load
    from entitlements_lint import __version__, agent_tools

    db = load()
    server = MCPServer(
        name="entlint",
        title="entlint: Apple entitlements",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level="WARNING",
    )

    def answer(compute: Callable[[], dict[str, Any]], summary: Callable[[dict[str, Any]], str]) -> CallToolResult:
        try:
            data = compute()
        except agent_tools.ToolArgumentError as exc:
            raise ToolError(str(exc)) from None
        return CallToolResult(content=[TextContent(type="text", text=summary(data))], structured_content=data)

    Platform = Annotated[Optional[str], Field(description=PLATFORM_HELP)]

    @server.tool(annotations={"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False})
    def lookup_entitlement(
        key: Annotated[str, Field(description="The exact entitlement key, e.g. com.apple.developer.healthkit.")],
        platform: Platform = None,
    ) -> CallToolResult:
        """Say whether a key is a real Apple entitlement. For a real key: its value type and allowed
        values, platforms and versions, whether Apple must approve it, distribution, Xcode capability,
        Info.plist needs, documentation URL and evidence. For any other key: why it is not one
        (invented, Info.plist key, set by the profile, private to Apple, unknown) and what to write instead."""
        return answer(lambda: agent_tools.lookup_entitlement(key, platform, db), _lookup_summary)

    @server.tool(annotations={"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False})
    def find_entitlement(
        description: Annotated[str, Field(description="The feature in words, e.g. 'sign in with Apple' or 'read NFC tags'.")],
        platform: Platform = None,
        limit: Annotated[int, Field(ge=1, le=agent_tools.MAX_RESULTS, description="How many answers.")] = 5,
    ) -> CallToolResult:
        """Find the entitlement keys for a feature described in words, best first. Answers of kind
        'no-entitlement' mean the feature needs no entitlement and say what to do instead
        (for example an Info.plist key). Prefer these answers over guessing a key."""
        return answer(lambda: agent_tools.find_entitlement(description, platform, limit, db), _find_summary)

    @server.tool(annotations={"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False})
    def check_entitlements(
        content: Annotated[str, Field(description="The full text of an .entitlements file or an Info.plist (XML property list).")],
        filename: Annotated[Optional[str], Field(description="The file's name; Info.plist names make it an Info.plist check.")] = None,
        platforms: Annotated[Optional[list[str]], Field(description="Platforms the target builds for. " + PLATFORM_HELP)] = None,
        distribution: Annotated[
            Optional[str], Field(description="development, ad-hoc, app-store, in-house or developer-id.")
        ] = None,
        info_plist: Annotated[Optional[str], Field(description="The target's Info.plist text, to check the keys entitlements need there.")] = None,
    ) -> CallToolResult:
        """Lint an entitlements file or Info.plist given as text, as `entlint check` would. Returns
        findings with rule code, severity, line and column, message and suggestions, and the fixed
        text when safe fixes exist."""
        return answer(
            lambda: agent_tools.check_entitlements(content, filename, platforms, distribution, info_plist, db),
            _check_summary,
        )

    @server.tool(annotations={"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False})
    def capability_requirements(
        capability: Annotated[str, Field(description="An Xcode capability name, e.g. 'Push Notifications' or 'App Groups'.")],
        platform: Annotated[str, Field(description=PLATFORM_HELP)],
    ) -> CallToolResult:
        """The entitlement keys and values an Xcode capability writes on one platform, the Info.plist
        entries it needs, and whether Apple must approve it first."""
        return answer(lambda: agent_tools.capability_requirements(capability, platform, db), _capability_summary)

    @server.resource("entlint://dataset", mime_type="application/json", title="entlint dataset version")
    def dataset() -> str:
        """The dataset version and how many keys it knows."""
        return json.dumps({"version": db.meta["version"], "entitlements": len(db), "entlint": __version__})

    @server.resource("entlint://keys/{platform}", mime_type="application/json", title="Real keys per platform")
    def keys(platform: str) -> str:
        """Every real, developer-written entitlement key documented on a platform."""
        try:
            return json.dumps(agent_tools.keys_for_platform(platform, db))
        except agent_tools.ToolArgumentError as exc:
            raise ValueError(str(exc)) from None

    @server.prompt(title="Write the entitlements for these capabilities")
    def write_entitlements(capabilities: str, platform: str = "iOS") -> str:
        """Steers an agent to look keys up and check the file instead of guessing them."""
        return (
            f"Write the .entitlements file for a {platform} target with these capabilities: {capabilities}.\n"
            "For each capability call capability_requirements (or find_entitlement when it is not an Xcode "
            "capability name) and use only the keys it returns; note the Info.plist entries it lists. "
            "Do not add keys the provisioning profile sets (application-identifier, team identifier). "
            "Then call check_entitlements on the finished file with the target's platforms and fix every "
            "error and warning before you write it."
        )

    return server


def _lookup_summary(data: dict[str, Any]) -> str:
    if data["real"]:
        facts = data["entitlement"]
        text = f"{data['key']} is a real entitlement ({facts['name']}); value {facts['value']['type']}."
        if data.get("why"):
            text += f" Note: {data['why']}."
        return text
    best = next((r for r in data["replacements"] if r.get("key")), None)
    hint = f" Use {best['key']} instead." if best else ""
    return f"{data['key']} is not a real entitlement ({data['status']}): {data['why']}{hint}"


def _find_summary(data: dict[str, Any]) -> str:
    if not data["results"]:
        return f"No entitlement matches {data['description']!r}."
    lines = [f"{r.get('key') or '(no entitlement)'}: {r.get('name') or r.get('note') or ''}" for r in data["results"]]
    return "\n".join(lines)


def _check_summary(data: dict[str, Any]) -> str:
    counts = data["counts"]
    head = f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notices"
    lines = [head] + [f"{f['line']}:{f['column']} {f['code']} {f['message']}" for f in data["findings"]]
    if data["fixed_content"] is not None:
        lines.append(f"{data['fixes_applied']} safe fixes applied: see fixed_content")
    return "\n".join(lines)


def _capability_summary(data: dict[str, Any]) -> str:
    if not data["available"]:
        return f"{data['capability']} is not documented on {data['platform']}."
    keys = ", ".join(e["key"] for e in data["entitlements"])
    approval = " Apple must approve it first." if data["needs_apple_approval"] else ""
    return f"{data['capability']} on {data['platform']} writes {keys}.{approval}"


def serve() -> int:
    """Run on stdio until the client disconnects; exit 2 with a hint when the SDK is missing."""
    try:
        server = build_server()
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] != "mcp":
            raise
        print(f"entlint: error: {INSTALL_HINT}", file=sys.stderr)
        return 2
    server.run("stdio")
    return 0
