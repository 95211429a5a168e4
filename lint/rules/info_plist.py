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
REVIEW = "https://developer.apple.com/app-store/review/guidelines/#data-collection-and-storage"
INFO_PLIST_REFERENCE = "https://developer.apple.com/documentation/bundleresources/information-property-list"


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
    # an empty string in the file is present: empty-usage-description (ENT202) reports it at its line
    present = {k for k, v in (generated or {}).items() if v.strip()}
    if info_root is not None:
        present |= {e.key for e in info_root.entries}
    if ctx.kind == ENTITLEMENTS:
        for entry in ctx.document.root.entries:
            real = ctx.db.get(entry.key)
            if real is None or entry.value.kind == "false" or _claims_nothing(entry.value):
                continue
            for needs in _missing_needs(real.info_plist, present):
                if len(needs) == 1:
                    when = f" ({needs[0]['when']})" if needs[0].get("when") else ""
                    message = f"`{entry.key}` needs `{needs[0]['key']}` in Info.plist{when}"
                else:  # alternatives: each with its condition
                    named = " or ".join(f"`{n['key']}`" + (f" ({n['when']})" if n.get("when") else "") for n in needs)
                    message = f"`{entry.key}` needs {named} in Info.plist"
                if generated is not None:
                    settings = " or ".join(f"`INFOPLIST_KEY_{n['key']}`" for n in needs)
                    message += f", or the build setting {settings}"
                yield ctx.finding(missing_usage_description, entry.key_node, message, needs[0]["key"])
        return
    modes = ctx.document.root.get("UIBackgroundModes")
    for item in modes.value if modes is not None and modes.kind == "array" else ():
        mode = ctx.db.background_mode(item.value) if item.kind == "string" else None
        missing = [k for k in (mode.usage_descriptions if mode else ()) if k not in present]
        if missing:
            message = f"background mode `{item.value}` needs {' and '.join(f'`{k}`' for k in missing)} in Info.plist"
            yield ctx.finding(missing_usage_description, item, message, missing[0])


def _missing_needs(needs: list[dict], present: set[str]) -> Iterator[list[dict]]:
    """The unmet needs, each a list of alternatives: a key on its own, or a ``one_of`` group
    none of whose keys is present (one finding for the group). Optional keys are never asked for."""
    groups: dict[str, list[dict]] = {}
    for need in needs:
        if need.get("one_of"):
            groups.setdefault(need["one_of"], []).append(need)
    for need in needs:
        if need.get("optional"):
            continue
        group = need.get("one_of")
        if group is None:
            if need["key"] not in present:
                yield [need]
        elif groups[group][0] is need and not any(n["key"] in present for n in groups[group]):
            yield groups[group]


def _is_purpose_string(ctx: Context, key: str) -> bool:
    info = ctx.db.info_plist_key(key)
    return info.usage_description if info is not None else key.endswith("UsageDescription")


@Rule(
    code="ENT202",
    name="empty-usage-description",
    severity="error",
    summary="An Info.plist purpose string that is empty or only whitespace.",
    applies_to=(INFO_PLIST,),
    why=(
        "The system shows the purpose string when it asks the user for access. An empty one "
        "explains nothing: App Review rejects apps whose purpose strings do not say why the "
        "app needs the data (guideline 5.1.1). entlint reports it here rather than as a missing "
        "string (ENT201), because the key is there and only its text is wrong."
    ),
    example="<key>NSCameraUsageDescription</key>\n<string></string>",
    use_instead="<key>NSCameraUsageDescription</key>\n<string>Scans the QR code on your ticket.</string>",
    sources=(PROTECTED, REVIEW),
)
def empty_usage_description(ctx: Context) -> Iterator[Finding]:
    for entry in ctx.entries():
        value = entry.value
        if value.kind != "string" or value.value.strip() or not _is_purpose_string(ctx, entry.key):
            continue
        what = "empty" if not value.value else "only whitespace"
        message = f"purpose string `{entry.key}` is {what}: say why the app needs this access"
        yield ctx.finding(empty_usage_description, value, message, entry.key)


@Rule(
    code="ENT203",
    name="misspelled-info-plist-key",
    severity="warning",
    summary="An unknown Info.plist key one letter away from a known one.",
    applies_to=(INFO_PLIST,),
    why=(
        "The system reads Info.plist keys by their exact names: a misspelled purpose string or "
        "setting is ignored, and the feature behaves as if the key were missing (for a purpose "
        "string, the app crashes when it asks for access). Apps may add keys of their own, so "
        "entlint reports only a key that differs from a known Info.plist key by letter case or "
        "by one letter added, dropped, changed or swapped."
    ),
    example="<key>NSPhotoLibraryUsageDescriptions</key>\n<string>Picks a photo for your profile.</string>",
    use_instead="<key>NSPhotoLibraryUsageDescription</key>\n<string>Picks a photo for your profile.</string>",
    fix_safety="Renaming is unsafe: the dataset does not list every Info.plist key Apple defines.",
    sources=(INFO_PLIST_REFERENCE,),
)
def misspelled_info_plist_key(ctx: Context) -> Iterator[Finding]:
    db = ctx.db
    known = [info.key for info in db.info_plist_keys()]
    present = {entry.key for entry in ctx.entries()}
    for entry in ctx.entries():
        key = entry.key.split("~", 1)[0]  # UISupportedInterfaceOrientations~ipad: a device modifier
        if db.info_plist_key(key) is not None or key in db or key in ctx.target.granted or len(key) < MIN_LENGTH:
            continue
        close = [k for k in known if k not in present and _one_edit_apart(key, k)]
        if len(close) != 1:
            continue  # none, or too many to say which was meant
        (meant,) = close
        suffix = entry.key[len(key):]
        message = f"`{entry.key}` is not an Info.plist key; did you mean `{meant}{suffix}`?"
        suggestion = Suggestion("info-plist-key", meant + suffix, "a known Info.plist key", 90.0)
        fix = Fix(f"Rename to `{meant}{suffix}`", [ctx.rename_key(entry, meant + suffix)], safe=False)
        yield ctx.finding(misspelled_info_plist_key, entry.key_node, message, entry.key, [suggestion], fix)


#: Short keys are too close to each other for one letter to mean a typo.
MIN_LENGTH = 8


def _one_edit_apart(a: str, b: str) -> bool:
    """Equal ignoring case, or one insertion, deletion, substitution or adjacent swap apart."""
    if a.lower() == b.lower():
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        swapped = a[i:i + 2] == b[i + 1:i + 2] + b[i:i + 1] and a[i + 2:] == b[i + 2:]
        return a[i + 1:] == b[i + 1:] or swapped
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1:] == shorter[i:]


def _claims_nothing(value: Node) -> bool:
    """An empty array turns nothing on: Xcode's HealthKit capability writes
    ``com.apple.developer.healthkit.access`` as ``<array/>`` until clinical records are
    ticked, and such a file needs no clinical-records purpose string."""
    return value.kind == "array" and not value.value


RULES = (invalid_background_mode, missing_usage_description, empty_usage_description, misspelled_info_plist_key)
