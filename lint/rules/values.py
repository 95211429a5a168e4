"""Is the value of a real entitlement of the right type and among the values Apple allows?"""

from __future__ import annotations

import re

from entitlements_db.database import Entitlement
from entitlements_lint.findings import Finding, Fix
from entitlements_lint.plist import Node
from entitlements_lint.rules.base import ENTITLEMENTS, Context, Rule

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator

#: Plist element kinds that satisfy each value type of the dataset.
KINDS = {
    "boolean": ("true", "false"),
    "string": ("string",),
    "number": ("integer", "real"),
    "array-of-strings": ("array",),
    "string-or-array-of-strings": ("string", "array"),
    "dictionary": ("dict",),
    "array-of-dictionaries": ("array",),
}
ELEMENT_KINDS = {
    "array-of-strings": "string",
    "string-or-array-of-strings": "string",
    "array-of-dictionaries": "dict",
}
TYPE_NAMES = {
    "boolean": "a Boolean",
    "string": "a string",
    "number": "a number",
    "array-of-strings": "an array of strings",
    "string-or-array-of-strings": "a string or an array of strings",
    "dictionary": "a dictionary",
    "array-of-dictionaries": "an array of dictionaries",
}
KIND_NAMES = {
    "true": "a Boolean",
    "false": "a Boolean",
    "string": "a string",
    "integer": "an integer",
    "real": "a real number",
    "array": "an array",
    "dict": "a dictionary",
    "date": "a date",
    "data": "data",
}
#: Parts of a value that something fills in later, so the value is not judged: Xcode build
#: settings (`$(TeamIdentifierPrefix)`, `${PRODUCT_BUNDLE_IDENTIFIER}`, with modifiers),
#: template placeholders (`__APP_GROUP__`, `{{group}}`) and CMake/autoconf substitutions
#: (`@APP_GROUP@`, from `configure_file`).
UNRESOLVED = re.compile(
    r"\$\([^()]*\)|\$\{[^{}]*\}"
    r"|__[A-Za-z][A-Za-z0-9_]*__"
    r"|\{\{[^{}]*\}\}"
    r"|@[A-Z][A-Z0-9_]*@"
)
BUILD_SETTING = UNRESOLVED  # the old name, kept for importers

APP_GROUPS = "com.apple.security.application-groups"
#: A Team ID is ten upper-case letters and digits (TN3125's `SKMME9E2Y8`).
TEAM_PREFIX = re.compile(r"^[A-Z0-9]{10}\.")
#: Platforms where an app group must be `group.…`; the Mac (macOS, Mac Catalyst) also takes `<Team ID>.…`.
GROUP_ONLY = ("iOS", "iPadOS", "tvOS", "watchOS", "visionOS")
ALL_PLATFORMS = ("iOS", "iPadOS", "macOS", "macCatalyst", "tvOS", "watchOS", "visionOS")


def unresolved(text: str) -> bool:
    """True when a build or a template fills in part of the value: it cannot be judged yet."""
    return UNRESOLVED.search(text) is not None


def value_fits(entitlement: Entitlement, node: Node) -> bool:
    """True when ``node`` has the type the entitlement takes (or the type is unknown)."""
    expected = entitlement.value.type
    if expected is None:
        return True
    if node.kind not in KINDS[expected]:
        return False
    element = ELEMENT_KINDS.get(expected)
    return element is None or node.kind != "array" or all(child.kind == element for child in node.value)


def strings(node: Node) -> list[Node]:
    """The string nodes of a string value, or of an array's elements."""
    if node.kind == "string":
        return [node]
    if node.kind == "array":
        return [child for child in node.value if child.kind == "string"]
    return []


def is_wildcard(text: str) -> bool:
    return text == "*" or text.endswith(".*") or text.endswith(":*")


@Rule(
    code="ENT004",
    name="invalid-value-type",
    severity="error",
    summary="The value has a different type than the entitlement takes.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "The system reads each entitlement as one type. A string where a Boolean is expected, "
        "or a single string where an array is expected (app groups, associated domains), makes "
        "the entitlement invalid: the feature silently does not work, or the profile check fails."
    ),
    example="<key>com.apple.security.application-groups</key>\n<string>group.com.example</string>",
    use_instead="<key>com.apple.security.application-groups</key>\n<array>\n\t<string>group.com.example</string>\n</array>",
    severity_policy=(
        "Always an error: the system reads the entitlement as one type and treats any other as "
        "absent or invalid (a `<string>YES</string>` App Sandbox is no sandbox, which App Store "
        "upload rejects), so the feature cannot work as written. Values that a build fills in "
        "do not change the type and are judged like any other."
    ),
    sources=("https://developer.apple.com/documentation/bundleresources/entitlements",),
)
def invalid_value_type(ctx: Context) -> Iterator[Finding]:
    for entry in ctx.entries():
        real = ctx.db.get(entry.key)
        expected = real.value.type if real else None
        if expected is None:
            continue
        node = entry.value
        if node.kind not in KINDS[expected]:
            message = f"`{entry.key}` takes {TYPE_NAMES[expected]}, not {KIND_NAMES.get(node.kind, node.kind)}"
            yield ctx.finding(invalid_value_type, node, message, entry.key)
            continue
        element = ELEMENT_KINDS.get(expected)
        for child in node.value if element is not None and node.kind == "array" else ():
            if element is not None and child.kind != element:
                message = (
                    f"every element of `{entry.key}` must be {KIND_NAMES[element]}, "
                    f"not {KIND_NAMES.get(child.kind, child.kind)}"
                )
                yield ctx.finding(invalid_value_type, child, message, entry.key)


@Rule(
    code="ENT005",
    name="invalid-value",
    severity="error",
    summary="The value is not one Apple documents for the entitlement.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "Values are compared exactly: `Production` is not `production`, an associated domain "
        "starts with a service such as `applinks:`. A wrong value fails the profile check or "
        "leaves the feature off.\n\n"
        "App group identifiers follow each platform's rule: `group.<name>` on iOS, iPadOS, "
        "tvOS, watchOS and visionOS; on macOS (and Mac Catalyst, a macOS process) either "
        "`group.<name>` or the Team ID prefix `<TEAMID>.<name>`. In a file shared by several "
        "platforms an identifier must be valid on every platform that reads it, so a Team ID "
        "group in an iOS and macOS file is reported for iOS.\n\n"
        "Values that a build or a template fills in are unresolved and not judged: build "
        "settings (`$(TeamIdentifierPrefix)`, `${PRODUCT_BUNDLE_IDENTIFIER}`), placeholders "
        "(`__APP_GROUP__`, `{{group}}`) and CMake substitutions (`@APP_GROUP@`)."
    ),
    example="<key>aps-environment</key>\n<string>Production</string>",
    use_instead="<key>aps-environment</key>\n<string>production</string>",
    fix_safety="Safe when the value differs from an allowed value only in letter case.",
    severity_policy=(
        "An error only when it is certain that signing, installation or upload rejects the "
        "value, or that the feature cannot work; otherwise a warning.\n\n"
        "- **error**: a value outside a closed list Apple enumerates (`aps-environment`, "
        "`icloud-container-environment` …): the OS compares it exactly and a profile carries "
        "only the enumerated values. An app group without `group.` when every platform of the "
        "file is known (not inferred) and it is invalid on all of them, at least one being of "
        "the iOS family: the developer portal registers only `group.` identifiers there, so no "
        "profile can carry it and signing fails.\n"
        "- **warning**: a value that misses a documented prefix or format (the documented list "
        "may be incomplete, as services such as `authsrv:` show); an app group that is wrong on "
        "macOS only (neither `group.` nor a Team ID prefix; unprovisioned Mac groups need the "
        "Team ID), wrong on some of a shared file's platforms only, or judged against inferred "
        "or unknown platforms; an array with fewer entries than the entitlement needs."
    ),
    sources=(
        "https://developer.apple.com/documentation/bundleresources/entitlements",
        "https://developer.apple.com/documentation/bundleresources/entitlements/com.apple.security.application-groups",
        "https://developer.apple.com/documentation/technotes/tn3125-inside-code-signing-provisioning-profiles",
    ),
)
def invalid_value(ctx: Context) -> Iterator[Finding]:
    for entry in ctx.entries():
        real = ctx.db.get(entry.key)
        if real is None or not value_fits(real, entry.value):
            continue
        schema = real.value
        node = entry.value
        if schema.min_items and node.kind == "array" and len(node.value) < schema.min_items:
            message = f"`{entry.key}` needs at least {schema.min_items} entr{'y' if schema.min_items == 1 else 'ies'}"
            yield ctx.finding(invalid_value, node, message, entry.key, severity="warning")
        for item in strings(node):
            text = item.value
            if unresolved(text) or is_wildcard(text):
                continue  # filled in by Xcode or a template / reported by wildcard-in-entitlements
            if entry.key == APP_GROUPS:
                judged = app_group_problem(text, ctx.target.platforms, ctx.target.certain)
                if judged is not None:
                    message, severity = judged
                    yield ctx.finding(invalid_value, item, f"`{entry.key}`: {message}{ctx.target.assumption()}",
                                      entry.key, severity=severity)
                continue
            problem = _problem(schema.allowed, schema.prefixes, schema.patterns, text)
            if problem is None:
                continue
            closed = schema.allowed is not None and any(isinstance(a, str) for a in schema.allowed)
            fix = None
            allowed = [a for a in schema.allowed or () if isinstance(a, str)]
            same_case = [a for a in allowed if a.lower() == text.lower()]
            if same_case:
                fix = Fix(f"Replace with `{same_case[0]}`", [ctx.replace_text(item, same_case[0])], safe=True)
            yield ctx.finding(invalid_value, item, f"`{entry.key}`: {problem}", entry.key, fix=fix,
                              severity=None if closed else "warning")


def app_group_problem(text: str, platforms: tuple[str, ...] | None, certain: bool) -> tuple[str, str] | None:
    """What is wrong with an app group identifier on the platforms that read it, and how sure.

    ``group.`` is valid everywhere; a Team ID prefix only on the Mac (macOS, Mac Catalyst).
    Returns (message, severity) or None when the identifier is valid on every platform.
    """
    if text.startswith("group."):
        return None
    team = TEAM_PREFIX.match(text) is not None
    readers = platforms or ALL_PLATFORMS
    group_only = [p for p in readers if p in GROUP_ONLY]
    invalid = group_only if team else list(readers)
    if not invalid or (team and not platforms):
        return None  # a Team ID group with unknown platforms is a Mac app's
    words = _platform_words(invalid)
    # certain only when every platform of the file is known and rejects the identifier
    severity = "error" if certain and platforms and len(invalid) == len(readers) else "warning"
    if team:
        return f"`{_short(text)}` has a Team ID prefix, which only macOS accepts; {words} needs `group.` identifiers", severity
    if not group_only:
        return (f"`{_short(text)}` is neither `group.<name>` nor prefixed with the Team ID (`<TEAMID>.<name>`), "
                f"the two forms {words} accepts"), "warning"
    message = f"`{_short(text)}` must start with `group.`"
    if len(group_only) < len(readers) or not platforms:
        message += " (or, on macOS only, with the Team ID)"
    if platforms:
        message += f" on {words}"
    return message, severity


def _short(text: str) -> str:
    """A value as a message shows it: a value can be megabytes long, a message should not be."""
    return text if len(text) <= 80 else text[:79] + "…"


def _platform_words(platforms: list[str] | tuple[str, ...]) -> str:
    shown = [p for p in platforms if not (p == "iPadOS" and "iOS" in platforms)]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _problem(
    allowed: list[str | int | bool] | None,
    prefixes: list[str] | None,
    patterns: list[str] | None,
    text: str,
) -> str | None:
    if allowed is not None and any(isinstance(a, str) for a in allowed):
        if text in allowed:
            return None
        choices = ", ".join(f"`{a}`" for a in allowed)
        return f"`{_short(text)}` is not an allowed value (one of {choices}; values are case-sensitive)"
    if prefixes or patterns:
        if any(text.startswith(p) for p in prefixes or ()):
            return None
        if any(re.match(p, text) for p in patterns or ()):
            return None
        if prefixes:
            return f"`{_short(text)}` must start with {' or '.join(f'`{p}`' for p in prefixes)}"
        return f"`{_short(text)}` does not have the documented format"
    return None


@Rule(
    code="ENT011",
    name="wildcard-in-entitlements",
    severity="error",
    summary="A wildcard value copied from a provisioning profile.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "Provisioning profiles use `*` and `TEAMID.*` to allow a family of values; a signature "
        "must claim concrete values. App Store Connect rejects a wildcard in the signed "
        "entitlements (ITMS-90046), and the device ignores it."
    ),
    example="<key>com.apple.developer.associated-domains</key>\n<string>*</string>",
    use_instead="<key>com.apple.developer.associated-domains</key>\n<array>\n\t<string>applinks:example.com</string>\n</array>",
    severity_policy=(
        "Always an error: upload rejects it (ITMS-90046) and the device grants nothing for it. "
        "A wildcard that the entitlement's own allowed values list is not reported."
    ),
    sources=("https://developer.apple.com/documentation/technotes/tn3125-inside-code-signing-provisioning-profiles",),
)
def wildcard_in_entitlements(ctx: Context) -> Iterator[Finding]:
    for entry in ctx.entries():
        real = ctx.db.get(entry.key)
        allowed = (real.value.allowed or []) if real else []
        for item in strings(entry.value):
            if is_wildcard(item.value) and item.value not in allowed:
                message = f"`{entry.key}` claims the wildcard `{item.value}`: list the concrete values your app uses"
                yield ctx.finding(wildcard_in_entitlements, item, message, entry.key)


RULES = (invalid_value_type, invalid_value, wildcard_in_entitlements)
