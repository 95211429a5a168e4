"""Entitlements that depend on how the app is distributed and who provisions it."""

from __future__ import annotations

from entitlements_lint.findings import Finding, Fix
from entitlements_lint.rules.base import ENTITLEMENTS, Context, Rule

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator

TN3125 = "https://developer.apple.com/documentation/technotes/tn3125-inside-code-signing-provisioning-profiles"
MANAGED = "https://developer.apple.com/help/account/reference/provisioning-with-managed-capabilities/"
DEBUG_KEYS = ("get-task-allow", "com.apple.security.get-task-allow")


@Rule(
    code="ENT008",
    name="managed-entitlement",
    severity="info",
    summary="Apple must approve the entitlement before a profile can carry it.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "Managed capabilities (Family Controls, CarPlay, Critical Alerts, multicast networking …) "
        "are granted per team and often per distribution model: a key may be in the development "
        "profile and missing from the ad hoc or App Store one. Knowing early avoids a late "
        "\"Provisioning profile doesn't include the entitlement\" error. Without a configured "
        "distribution the note lists the distributions that need approval on the target's "
        "platforms: Developer ID only for a Mac target, ad hoc only for a device target (a Mac "
        "app, Mac Catalyst included, has no ad hoc distribution). With a provisioning profile "
        "that carries the key, Apple has approved it and nothing is said."
    ),
    example="<key>com.apple.developer.family-controls</key>\n<true/>",
    use_instead="Request the capability from Apple for each distribution you need, then regenerate the profiles.",
    sources=(MANAGED,),
)
def managed_entitlement(ctx: Context) -> Iterator[Finding]:
    distribution = ctx.target.distribution
    for entry in ctx.entries():
        real = ctx.db.get(entry.key)
        managed = real.managed if real else None
        if managed is None or entry.key in ctx.target.granted or _in_profile(ctx, entry.key):
            continue
        if distribution and distribution not in managed.distributions:
            continue
        listed = [d for d in managed.distributions if _offered(d, ctx.target.platforms)]
        if not distribution and not listed:
            if ctx.target.certain:
                continue  # managed only for distributions these platforms do not have
            listed = list(managed.distributions)
        scope = distribution or ", ".join(listed)
        message = f"`{entry.key}` needs Apple's approval for {scope} distribution"
        if managed.request_url:
            message += f"; request it at {managed.request_url}"
        if not distribution and len(listed) < len(managed.distributions):
            message += ctx.target.assumption()  # the list depends on the platforms
        yield ctx.finding(managed_entitlement, entry.key_node, message, entry.key)


def _development_only(ctx: Context, key: str) -> bool:
    """Apple's data grants the key to development builds alone (a testing aid)."""
    real = ctx.db.get(key)
    return real is not None and real.distribution == ["development"]


def _in_profile(ctx: Context, key: str) -> bool:
    """The profile that signs the file carries the key: Apple has already approved it for
    this team and distribution, so the note would only be noise."""
    return ctx.profile is not None and key in ctx.profile.entitlements


_MAC = frozenset({"macOS", "macCatalyst"})
_DEVICES = frozenset({"iOS", "iPadOS", "tvOS", "watchOS", "visionOS"})


def _offered(distribution: str, platforms: tuple[str, ...] | None) -> bool:
    """Whether any of the target's platforms has this distribution: Developer ID is for Mac
    apps only, and Mac apps have no ad hoc distribution. Unknown platforms have them all."""
    if not platforms:
        return True
    if distribution == "developer-id":
        return not _MAC.isdisjoint(platforms)
    if distribution == "ad-hoc":
        return not _DEVICES.isdisjoint(platforms)
    return True


@Rule(
    code="ENT009",
    name="profile-owned-key",
    severity="warning",
    summary="The key is written by the provisioning profile or code signing, not by hand.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "`application-identifier`, `com.apple.developer.team-identifier`, `beta-reports-active` "
        "and `get-task-allow` come from the provisioning profile at signing time (and "
        "`com.apple.security.get-task-allow` from Xcode). A hand-written copy goes stale when "
        "the team, App ID or profile changes, and then signing or the App Store check fails. "
        "A built product's signature is not checked: code signing writes these keys there."
    ),
    example="<key>com.apple.developer.team-identifier</key>\n<string>ABCDE12345</string>",
    use_instead="Remove the key; Xcode copies the value from the provisioning profile when it signs.",
    fix_safety="Removing the key is an unsafe fix: check first that nothing in your build reads the file for it.",
    sources=(TN3125,),
)
def profile_owned_key(ctx: Context) -> Iterator[Finding]:
    if ctx.signed:
        return  # code signing put them there, as it should
    for entry in ctx.entries():
        real = ctx.db.get(entry.key)
        if real is None and ctx.db.profile_key(entry.key):
            who = "the provisioning profile"
        elif real is None or real.owner == "developer":
            continue
        else:
            who = "the provisioning profile" if real.owner == "profile" else "code signing"
        message = f"`{entry.key}` is set by {who}; do not write it by hand"
        fix = Fix(f"Remove `{entry.key}`", [ctx.remove(entry.start, entry.end)], safe=False)
        yield ctx.finding(profile_owned_key, entry.key_node, message, entry.key, fix=fix)


@Rule(
    code="ENT010",
    name="debug-entitlement-in-distribution",
    severity="error",
    summary="`get-task-allow`, or another development-only key, is true in a build meant for distribution.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "`get-task-allow` lets a debugger attach to the app. Only development profiles allow it; "
        "an ad hoc, App Store, in-house or Developer ID build that claims it fails the profile "
        "check, App Store validation or notarization. The distribution is the configured one; "
        "with a provisioning profile (`--profile`, or a built product's embedded profile) the "
        "profile's type decides, and a non-development profile is reported even when the "
        "configured distribution says development. Keys Apple allows in development builds only "
        "(File Provider testing mode) are reported the same way."
    ),
    example="<!-- distribution: app-store -->\n<key>get-task-allow</key>\n<true/>",
    use_instead="Remove the key and let the profile decide (Xcode sets it for debug builds only).",
    fix_safety="Removing the key is an unsafe fix.",
    sources=(TN3125, "https://developer.apple.com/documentation/security/resolving-common-notarization-issues"),
)
def debug_entitlement_in_distribution(ctx: Context) -> Iterator[Finding]:
    distribution = ctx.target.distribution
    against_profile: dict[str, str] = {}
    if ctx.profile is not None:  # the profile decides, whatever distribution is configured
        from entitlements_lint.rules.profile import mismatches

        against_profile = {m.key or "": m.message for m in mismatches(ctx) if m.kind == "debug-in-distribution"}
    if distribution in (None, "development") and not against_profile:
        return
    for entry in ctx.entries():
        if entry.value.kind != "true":
            continue
        if entry.key in DEBUG_KEYS:
            if entry.key in against_profile:
                message = against_profile[entry.key]
            elif distribution in (None, "development"):
                continue
            else:
                message = f"`{entry.key}` is true, but the distribution is {distribution}: debuggable builds cannot be distributed"
        elif distribution not in (None, "development") and _development_only(ctx, entry.key):
            message = (f"`{entry.key}` is for development builds only, but the distribution is {distribution}: "
                       "remove it from the entitlements of distributed builds")
        else:
            continue
        fix = Fix(f"Remove `{entry.key}`", [ctx.remove(entry.start, entry.end)], safe=False)
        yield ctx.finding(debug_entitlement_in_distribution, entry.value, message, entry.key, fix=fix)


RULES = (managed_entitlement, profile_owned_key, debug_entitlement_in_distribution)
