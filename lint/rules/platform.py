"""Does the entitlement exist on the target's platforms, and is it still current?"""

from __future__ import annotations

from entitlements_db.database import Entitlement
from entitlements_db.suggest import Suggestion
from entitlements_lint.findings import Finding, Fix
from entitlements_lint.rules.base import ENTITLEMENTS, Context, Rule
from entitlements_lint.rules.values import value_fits

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator

#: A Mac Catalyst app runs as a macOS process: macOS-only keys such as App Sandbox's
#: apply to it, so a key documented for macOS is acceptable in a Catalyst target.
ALSO_ACCEPTS = {"macCatalyst": ("macOS",)}


def available(entitlement: Entitlement, platform: str) -> bool:
    return entitlement.available_on(platform) or any(
        entitlement.available_on(other) for other in ALSO_ACCEPTS.get(platform, ())
    )


@Rule(
    code="ENT006",
    name="unavailable-on-platform",
    severity="error",
    summary="The entitlement does not exist on the target's platform.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "Some capabilities have a different key per platform: push notifications use "
        "`aps-environment` on iOS and `com.apple.developer.aps-environment` on macOS. A key "
        "for another platform is not in the profile, so signing fails or the feature is off. "
        "Mac Catalyst targets legitimately carry macOS keys such as App Sandbox's."
    ),
    example="<!-- macOS target -->\n<key>aps-environment</key>\n<string>development</string>",
    use_instead="<key>com.apple.developer.aps-environment</key>\n<string>development</string>",
    fix_safety="Safe when the entitlement has a documented counterpart on the platform and the value fits it.",
    sources=(
        "https://developer.apple.com/documentation/bundleresources/entitlements/aps-environment",
        "https://developer.apple.com/documentation/bundleresources/entitlements/com.apple.developer.aps-environment",
    ),
)
def unavailable_on_platform(ctx: Context) -> Iterator[Finding]:
    target = ctx.target
    if not target.platforms:
        return
    for entry in ctx.entries():
        real = ctx.db.get(entry.key)
        if real is None or any(available(real, p) for p in target.platforms):
            continue
        where = ", ".join(target.platforms)
        exists = ", ".join(real.platforms)
        message = f"`{entry.key}` does not exist on {where} (only on {exists})"
        suggestions, fix = [], None
        counterpart = next((real.counterparts[p] for p in target.platforms if p in real.counterparts), None)
        if counterpart:
            message += f"; use `{counterpart}`"
            suggestions = [Suggestion("entitlement", counterpart, f"the {where} name of this entitlement", 97.0)]
            other = ctx.db.get(counterpart)
            taken = any(e.key == counterpart for e in ctx.entries())
            if other is not None and value_fits(other, entry.value) and not taken:
                fix = Fix(f"Rename to `{counterpart}`", [ctx.rename_key(entry, counterpart)], safe=target.certain)
        severity = "warning" if target.platform_origin else None
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
