"""Info.plist: background modes, and purpose strings the target's entitlements need."""

from __future__ import annotations

from entitlements_db.suggest import Suggestion
from entitlements_lint.findings import Finding, Fix
from entitlements_lint.rules.base import ENTITLEMENTS, INFO_PLIST, Context, Rule

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator
    from entitlements_lint.plist import Node

BACKGROUND_MODES = "https://developer.apple.com/documentation/bundleresources/information-property-list/uibackgroundmodes"
PROTECTED = "https://developer.apple.com/documentation/bundleresources/protected-resources"


@Rule(
    code="ENT200",
    name="invalid-background-mode",
    severity="error",
    summary="A `UIBackgroundModes` value Apple does not define.",
    applies_to=(INFO_PLIST,),
    why=(
        "Background modes are a fixed list (`audio`, `fetch`, `processing`, `remote-notification`, "
        "`voip` …). An invented or misspelled value (`background-fetch`, `push`) grants nothing, "
        "and App Store validation may reject it."
    ),
    example="<key>UIBackgroundModes</key>\n<array>\n\t<string>background-fetch</string>\n</array>",
    use_instead="<key>UIBackgroundModes</key>\n<array>\n\t<string>fetch</string>\n</array>",
    fix_safety="Safe when exactly one valid mode is a close match.",
    sources=(BACKGROUND_MODES,),
)
def invalid_background_mode(ctx: Context) -> Iterator[Finding]:
    node = ctx.document.root.get("UIBackgroundModes")
    if node is None or node.kind != "array":
        return
    values = [m.value for m in ctx.db.background_modes()]
    platforms = ctx.target.platforms
    for item in node.value:
        if item.kind != "string":
            continue
        mode = ctx.db.background_mode(item.value)
        if mode is not None:
            # a Mac Catalyst app is an iOS app: it takes the iOS background modes
            supported = set(mode.platforms) | ({"macCatalyst"} if "iOS" in mode.platforms else set())
            if platforms and not supported.intersection(platforms):
                message = (
                    f"background mode `{item.value}` is not available on {', '.join(platforms)} "
                    f"(only on {', '.join(mode.platforms)})"
                )
                yield ctx.finding(invalid_background_mode, item, message, "UIBackgroundModes", severity="warning")
            continue
        close = _closest(item.value, values)
        suggestions = [Suggestion("info-plist-key", "UIBackgroundModes", "a valid background mode", 80.0, c) for c in close]
        message = f"`{item.value}` is not a background mode"
        fix = None
        if close:
            message += f"; did you mean `{close[0]}`?"
            if len(close) == 1:
                fix = Fix(f"Replace with `{close[0]}`", [ctx.replace_text(item, close[0])], safe=True)
        yield ctx.finding(invalid_background_mode, item, message, "UIBackgroundModes", suggestions, fix)


def _closest(value: str, values: list[str]) -> list[str]:
    """Modes that match after dropping a `background-` prefix, or that read alike."""
    import difflib

    stripped = value.lower().replace("_", "-").removeprefix("background-").removeprefix("bg-")
    exact = [v for v in values if v == stripped]
    if exact:
        return exact
    return difflib.get_close_matches(stripped, values, n=3, cutoff=0.75)


@Rule(
    code="ENT201",
    name="missing-usage-description",
    severity="warning",
    summary="A capability or background mode needs an Info.plist purpose string that is missing.",
    applies_to=(ENTITLEMENTS, INFO_PLIST),
    why=(
        "HealthKit, HomeKit, background location and other features need a purpose string in "
        "Info.plist. Without it the app crashes when it asks for access, and App Store Connect "
        "rejects the upload (ITMS-90683). entlint checks this when it knows the target's "
        "Info.plist: the file next to the entitlements file, the target's `INFOPLIST_FILE` in "
        "an Xcode project, and the `INFOPLIST_KEY_*` build settings Xcode turns into Info.plist "
        "keys when `GENERATE_INFOPLIST_FILE = YES` (merged with the file when both exist). An "
        "entitlement set to `false` or to an empty array turns nothing on and needs no purpose "
        "string (Xcode's HealthKit capability writes `com.apple.developer.healthkit.access` as "
        "an empty array until clinical records are chosen)."
    ),
    example="<!-- App.entitlements -->\n<key>com.apple.developer.healthkit</key>\n<true/>\n<!-- Info.plist has no NSHealthShareUsageDescription -->",
    use_instead="<!-- Info.plist -->\n<key>NSHealthShareUsageDescription</key>\n<string>Shows your daily steps.</string>",
    sources=(PROTECTED,),
)
def missing_usage_description(ctx: Context) -> Iterator[Finding]:
    generated = ctx.target.generated_info
    if ctx.kind == ENTITLEMENTS:
        info_root = ctx.companion.root if ctx.companion is not None else None
    elif ctx.companion is None:
        return  # background modes are checked beside the target's entitlements, as before
    else:
        info_root = ctx.document.root
    if info_root is None and generated is None:
        return  # the target's Info.plist is unknown
    present = {k for k, v in (generated or {}).items() if v.strip()}
    if info_root is not None:
        present |= {e.key for e in info_root.entries if not (e.value.kind == "string" and not e.value.value.strip())}
    if ctx.kind == ENTITLEMENTS:
        for entry in ctx.document.root.entries:
            real = ctx.db.get(entry.key)
            if real is None or entry.value.kind == "false" or _claims_nothing(entry.value):
                continue
            for need in real.info_plist:
                if need["key"] not in present:
                    when = f" ({need['when']})" if need.get("when") else ""
                    message = f"`{entry.key}` needs `{need['key']}` in Info.plist{when}"
                    if generated is not None:
                        message += f", or the build setting `INFOPLIST_KEY_{need['key']}`"
                    yield ctx.finding(missing_usage_description, entry.key_node, message, need["key"])
        return
    modes = ctx.document.root.get("UIBackgroundModes")
    for item in modes.value if modes is not None and modes.kind == "array" else ():
        mode = ctx.db.background_mode(item.value) if item.kind == "string" else None
        missing = [k for k in (mode.usage_descriptions if mode else ()) if k not in present]
        if missing:
            message = f"background mode `{item.value}` needs {' or '.join(f'`{k}`' for k in missing)} in Info.plist"
            yield ctx.finding(missing_usage_description, item, message, missing[0])


def _claims_nothing(value: Node) -> bool:
    """An empty array turns nothing on: Xcode's HealthKit capability writes
    ``com.apple.developer.healthkit.access`` as ``<array/>`` until clinical records are
    ticked, and such a file needs no clinical-records purpose string."""
    return value.kind == "array" and not value.value


RULES = (invalid_background_mode, missing_usage_description)
