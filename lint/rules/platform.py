"""Does the entitlement exist on the target's platforms, and is it still current?"""

from __future__ import annotations

from entitlements_db.database import Entitlement
from entitlements_db.suggest import Suggestion
from entitlements_lint.findings import Finding, Fix
from entitlements_lint.rules.base import ENTITLEMENTS, Context, Rule, Target
from entitlements_lint.rules.values import value_fits

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator

#: A Mac Catalyst app runs as a macOS process: macOS-only keys such as App Sandbox's
#: apply to it, so a key documented for macOS is acceptable in a Catalyst target.
ALSO_ACCEPTS = {"macCatalyst": ("macOS",)}
#: Platforms that run no macOS process: App Sandbox and Hardened Runtime keys mean nothing there.
NOT_MAC = ("iOS", "iPadOS", "tvOS", "watchOS", "visionOS")
MAC = ("macOS", "macCatalyst")


def available(entitlement: Entitlement, platform: str) -> bool:
    return entitlement.available_on(platform) or any(
        entitlement.available_on(other) for other in ALSO_ACCEPTS.get(platform, ())
    )


def ignored_on(entitlement: Entitlement, platform: str) -> bool:
    """An App Sandbox or Hardened Runtime key (``com.apple.security.*``, macOS only) on a
    platform that has neither: the system there ignores it, and Xcode writes such keys into
    files shared with a Mac Catalyst or macOS build."""
    return (
        platform in NOT_MAC
        and entitlement.key.startswith("com.apple.security.")
        and set(entitlement.platforms) <= set(MAC)
    )


def provisioned_on(entitlement: Entitlement, platform: str) -> bool:
    """Whether the platform's provisioning profile must carry the key for signing to succeed.

    On the iOS family every claimed entitlement must be in the profile, except the keys the
    platform ignores (:func:`ignored_on`). On macOS only restricted keys need a profile: the
    data's ``restricted_on_macos`` when it says, else every key outside ``com.apple.security.*``
    (TN3125: App Sandbox and Hardened Runtime keys need no profile). Keys written by code
    signing itself are never checked against a profile.
    """
    if entitlement.owner == "signing":
        return False
    if platform in MAC:
        restricted = entitlement.restricted_on_macos
        return bool(restricted) if restricted is not None else not entitlement.key.startswith("com.apple.security.")
    return not ignored_on(entitlement, platform)


def known_absent(entitlement: Entitlement, platform: str) -> bool:
    """The data records evidence that the key does not exist on the platform. iPadOS shares
    iOS's provisioning profile, so absence recorded for iOS covers iPadOS too."""
    return entitlement.known_absent_on(platform) or (platform == "iPadOS" and entitlement.known_absent_on("iOS"))


def severity_for(entitlement: Entitlement, target: Target) -> str:
    """ENT006's severity policy (see the rule's page): error only when certain, info when ignored."""
    platforms = target.platforms or ()
    if all(ignored_on(entitlement, p) for p in platforms):
        return "info"
    certain = target.certain and all(
        provisioned_on(entitlement, p) and known_absent(entitlement, p) for p in platforms
    )
    return "error" if certain else "warning"


def platform_words(platforms: tuple[str, ...]) -> str:
    """``iOS`` for (iOS, iPadOS): they share one binary and one profile; otherwise the names."""
    shown = [p for p in platforms if not (p == "iPadOS" and "iOS" in platforms)]
    if len(shown) <= 2:
        return " and ".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


@Rule(
    code="ENT006",
    name="unavailable-on-platform",
    severity="error",
    summary="The entitlement does not exist on any of the target's platforms.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "Some capabilities have a different key per platform: push notifications use "
        "`aps-environment` on iOS and `com.apple.developer.aps-environment` on macOS. A key "
        "for another platform is not in the profile, so signing fails or the feature is off.\n\n"
        "A file is often shared by several platforms (an iOS app with Mac Catalyst or Designed "
        "for iPad, a SwiftUI multiplatform target, an iOS and tvOS pair), so a key is reported "
        "only when it exists on none of the file's platforms: those given by `--platform`, the "
        "configuration or the Xcode project, or else inferred (a file whose keys belong to "
        "disjoint platforms is taken as shared by them). Mac Catalyst targets legitimately "
        "carry macOS keys such as App Sandbox's."
    ),
    example="<!-- macOS target -->\n<key>aps-environment</key>\n<string>development</string>",
    use_instead="<key>com.apple.developer.aps-environment</key>\n<string>development</string>",
    fix_safety="Safe when the entitlement has a documented counterpart on the platform and the value fits it.",
    severity_policy=(
        "A linter that cries wolf on correct shared files gets switched off, so the level "
        "says how sure the rule is:\n\n"
        "- **error** only when all three hold: the platforms are known (from `--platform`, "
        "configuration or the Xcode project, not inferred); the key is one the platform's "
        "provisioning profile must carry (every key on the iOS family; on macOS a restricted "
        "key: the data's `restricted_on_macos`, else any key outside `com.apple.security.*`), "
        "so signing, installation or upload fails on every one of those platforms; and "
        "the data records evidence that the key is absent there (the `absent` field: a "
        "complete capability table without it, an Apple statement, or a validation error). "
        "Absence recorded for iOS also covers iPadOS, which uses the same profile.\n"
        "- **warning** when the key is merely not documented on the file's platforms, or the "
        "platforms were inferred.\n"
        "- **info** for keys the platform ignores: App Sandbox and Hardened Runtime keys "
        "(`com.apple.security.*`, macOS only) in an iOS, iPadOS, tvOS, watchOS or visionOS "
        "file. Xcode writes them into files shared with a Mac Catalyst or macOS build, and "
        "the other platforms ignore them.\n\n"
        "With the default `--fail-level warning`, a correct shared file therefore passes."
    ),
    sources=(
        "https://developer.apple.com/documentation/bundleresources/entitlements/aps-environment",
        "https://developer.apple.com/documentation/bundleresources/entitlements/com.apple.developer.aps-environment",
        "https://developer.apple.com/documentation/technotes/tn3125-inside-code-signing-provisioning-profiles",
        "https://developer.apple.com/documentation/xcode/configuring-the-macos-app-sandbox",
    ),
)
def unavailable_on_platform(ctx: Context) -> Iterator[Finding]:
    target = ctx.target
    if not target.platforms:
        return
    where = platform_words(target.platforms)
    for entry in ctx.entries():
        real = ctx.db.get(entry.key)
        if real is None or any(available(real, p) for p in target.platforms):
            continue
        severity = severity_for(real, target)
        if severity == "info":
            kept = "Mac Catalyst or macOS" if {"iOS", "iPadOS"} & set(target.platforms) else "macOS"
            message = f"`{entry.key}` has no effect on {where}; kept for the {kept} build of this target"
            yield ctx.finding(unavailable_on_platform, entry.key_node, message + target.assumption(),
                              entry.key, severity=severity)
            continue
        exists = ", ".join(real.platforms)
        if severity == "error":
            message = (f"`{entry.key}` does not exist on {where} (only on {exists}): "
                       f"the {where} provisioning profile cannot carry it")
        else:
            message = f"`{entry.key}` is not documented on {where} (only on {exists})"
        suggestions, fix = [], None
        counterpart = next((real.counterparts[p] for p in target.platforms if p in real.counterparts), None)
        if counterpart:
            message += f"; use `{counterpart}`"
            suggestions = [Suggestion("entitlement", counterpart, f"the {where} name of this entitlement", 97.0)]
            other = ctx.db.get(counterpart)
            taken = any(e.key == counterpart for e in ctx.entries())
            if other is not None and value_fits(other, entry.value) and not taken:
                fix = Fix(f"Rename to `{counterpart}`", [ctx.rename_key(entry, counterpart)], safe=target.certain)
        yield ctx.finding(
            unavailable_on_platform,
            entry.key_node,
            message + target.assumption(),
            entry.key,
            suggestions,
            fix,
            severity,
        )


@Rule(
    code="ENT007",
    name="deprecated-entitlement",
    severity="warning",
    summary="Apple has deprecated the entitlement.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "A deprecated entitlement may stop working in a later OS release, and new profiles "
        "may no longer carry it. Move to the replacement while both still work."
    ),
    example="<key>com.apple.developer.playable-content</key>\n<true/>",
    use_instead="Adopt the replacement API and its entitlement (for playable content: the CarPlay audio entitlement).",
    sources=("https://developer.apple.com/documentation/bundleresources/entitlements",),
)
def deprecated_entitlement(ctx: Context) -> Iterator[Finding]:
    platforms = ctx.target.platforms
    for entry in ctx.entries():
        real = ctx.db.get(entry.key)
        if real is None:
            continue
        note = real.deprecated
        versions = {
            p: a["deprecated"]
            for p, a in real.platforms.items()
            if "deprecated" in a and (not platforms or p in platforms)
        }
        if note is None and (not versions or (not platforms and len(versions) < len(real.platforms))):
            continue
        message = f"`{entry.key}` is deprecated"
        if versions:
            message += " (" + ", ".join(f"{p} {v}" for p, v in versions.items()) + ")"
        suggestions = []
        if note and note.get("replacement"):
            message += f"; use `{note['replacement']}`"
            suggestions = [Suggestion("entitlement", note["replacement"], "Apple's replacement", 90.0)]
        elif note:
            message += f": {note['note']}"
        yield ctx.finding(deprecated_entitlement, entry.key_node, message, entry.key, suggestions)


RULES = (unavailable_on_platform, deprecated_entitlement)
