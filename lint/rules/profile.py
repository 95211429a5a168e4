"""Entitlements against what signs them: the provisioning profile and the signature itself.

These rules run only when the context carries a profile (``entlint check --profile``, or
a built product with an embedded profile) or a DER signature blob (built products); for
a plain ``.entitlements`` file they do nothing. The comparison itself lives in
:mod:`entitlements_lint.artefacts.profile_compare`, imported lazily so plain linting never pays for it.
"""

from __future__ import annotations

from entitlements_lint.findings import Finding
from entitlements_lint.rules.base import ENTITLEMENTS, Context, Rule

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator

    from entitlements_lint.plist import Entry
    from entitlements_lint.artefacts.profile_compare import Mismatch

TN3125 = "https://developer.apple.com/documentation/technotes/tn3125-inside-code-signing-provisioning-profiles"
MANAGED = "https://developer.apple.com/help/account/reference/provisioning-with-managed-capabilities/"
PLISTTOOL = "https://github.com/bazelbuild/rules_apple/blob/master/tools/plisttool/plisttool.py"
DER_ENTITLEMENTS = "https://developer.apple.com/documentation/xcode/using-the-latest-code-signature-format"


def mismatches(ctx: Context) -> list[Mismatch]:
    """Every disagreement between the document and ``ctx.profile``, computed once per context."""
    if ctx.profile is None or ctx.kind != ENTITLEMENTS:
        return []
    cached = getattr(ctx, "_profile_mismatches", None)
    if cached is None:
        from entitlements_lint.artefacts.profile_compare import compare

        cached = compare(ctx.document.root.to_python(), ctx.profile, bundle_identifier=ctx.bundle_identifier)
        ctx._profile_mismatches = cached  # type: ignore[attr-defined]
    return cached


def _entry(ctx: Context, key: str | None) -> Entry | None:
    """The last entry named ``key`` (the one plistlib and codesign keep)."""
    if key is None:
        return None
    for entry in reversed(ctx.entries()):
        if entry.key == key:
            return entry
    return None


def _report(ctx: Context, rule: Rule, kind: str, on_value: bool = True) -> Iterator[Finding]:
    for mismatch in mismatches(ctx):
        if mismatch.kind != kind:
            continue
        entry = _entry(ctx, mismatch.key)
        at = None if entry is None else (entry.value if on_value else entry.key_node)
        yield ctx.finding(rule, at, mismatch.message, mismatch.key)


@Rule(
    code="ENT300",
    name="not-in-profile",
    severity="error",
    summary="The entitlement is claimed but the provisioning profile does not include it.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "A profile's entitlements are an allowlist: every entitlement the app claims must be in "
        "it (TN3125). A claim the profile lacks fails at signing (\"Provisioning profile … doesn't "
        "include the X entitlement\") or at launch. Usually the capability is not enabled on the "
        "App ID, or, for a managed capability, Apple granted it for one distribution type (often "
        "development) and not the one this profile is for. Runs only with `--profile` or on a "
        "built product that embeds a profile."
    ),
    example=(
        "<!-- profile: App Store, without Push Notifications -->\n"
        "<key>aps-environment</key>\n<string>production</string>"
    ),
    use_instead=(
        "Enable the capability on the App ID (or request the managed capability for this "
        "distribution) and download the regenerated profile; or remove the claim."
    ),
    sources=(TN3125, MANAGED, PLISTTOOL),
)
def not_in_profile(ctx: Context) -> Iterator[Finding]:
    profile = ctx.profile
    for mismatch in mismatches(ctx):
        if mismatch.kind != "not-in-profile" or mismatch.key is None:
            continue
        key = mismatch.key
        name = f"profile {profile.name!r}" if profile.name else "the profile"
        app_id = profile.app_id_name or profile.application_identifier or "its App ID"
        real = ctx.db.get(key)
        managed = real.managed if real is not None else None
        distribution = profile.distribution
        if managed is not None and (not managed.distributions or distribution in managed.distributions):
            message = (
                f"`{key}` is not in {name} ({distribution}): it is a managed capability, so Apple "
                f"must grant it to your team for {distribution} distribution before the profile "
                "can carry it"
            )
            if managed.request_url:
                message += f"; request it at {managed.request_url}"
            message += ", then regenerate the profile"
        else:
            message = (
                f"`{key}` is not in {name} ({distribution}): enable the capability on the App ID "
                f"{app_id!r} and regenerate the profile"
            )
        entry = _entry(ctx, key)
        yield ctx.finding(not_in_profile, entry.key_node if entry else None, message, key)


@Rule(
    code="ENT301",
    name="profile-value-mismatch",
    severity="error",
    summary="The entitlement's value is not one the provisioning profile allows.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "Signing checks values as well as keys: a string must equal the profile's or be in its "
        "list (`aps-environment` development against a production profile), arrays such as "
        "keychain access groups, app groups, associated domains and iCloud containers must be "
        "subsets of the profile's (a profile entry ending in `*` matches any suffix), and the "
        "team ID and application-identifier prefix must be the profile's. Wildcards belong in the "
        "profile only: a claimed `*` in keychain groups or app groups is an error (ITMS-90046). "
        "Build-setting references (`$(AppIdentifierPrefix)`) are expanded from the profile first."
    ),
    example=(
        "<!-- profile: App Store (aps-environment production) -->\n"
        "<key>aps-environment</key>\n<string>development</string>"
    ),
    use_instead="<key>aps-environment</key>\n<string>production</string>",
    sources=(TN3125, PLISTTOOL),
)
def profile_value_mismatch(ctx: Context) -> Iterator[Finding]:
    yield from _report(ctx, profile_value_mismatch, "value-mismatch")


@Rule(
    code="ENT302",
    name="profile-expired",
    severity="error",
    summary="The provisioning profile has expired.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "An expired profile cannot sign, and an app signed with it stops launching on devices. "
        "The finding points at the start of the linted file, since the problem is the profile's."
    ),
    example="<!-- profile: ExpirationDate 2024-01-01 -->",
    use_instead="Download or regenerate the profile (Xcode: Settings → Accounts → Download Manual Profiles).",
    sources=(TN3125, PLISTTOOL),
)
def profile_expired(ctx: Context) -> Iterator[Finding]:
    for mismatch in mismatches(ctx):
        if mismatch.kind == "expired":
            yield ctx.finding(profile_expired, None, mismatch.message)


@Rule(
    code="ENT303",
    name="beta-reports-active-mismatch",
    severity="error",
    summary="`beta-reports-active` differs from the provisioning profile's value.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "`beta-reports-active` (TestFlight) comes from App Store profiles; claiming it with "
        "another profile, or with a different value, fails the profile check as rules_apple's "
        "plisttool does. It is a separate rule from ENT301 so it can be ignored on its own for "
        "pipelines that inject it late."
    ),
    example="<!-- profile: ad hoc -->\n<key>beta-reports-active</key>\n<true/>",
    use_instead="Remove the key: signing copies it from the profile.",
    sources=(TN3125, PLISTTOOL),
)
def beta_reports_active_mismatch(ctx: Context) -> Iterator[Finding]:
    yield from _report(ctx, beta_reports_active_mismatch, "beta-reports-active")


@Rule(
    code="ENT304",
    name="signature-der-mismatch",
    severity="warning",
    summary="The signature's XML and DER entitlements disagree.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "A code signature carries the entitlements twice: as XML (slot 5) and as DER (slot 7), "
        "which iOS 15 and later enforce. Tools that edit one and not the other leave a binary "
        "whose enforced entitlements are not the ones shown by `codesign -d --entitlements`. "
        "Runs only on built products (`entlint check X.app`), against the XML blob."
    ),
    example="<!-- XML: aps-environment production; DER: aps-environment development -->",
    use_instead="Re-sign with a current codesign, which writes both forms from one source.",
    sources=(DER_ENTITLEMENTS,),
)
def signature_der_mismatch(ctx: Context) -> Iterator[Finding]:
    blob = ctx.signature_der
    if blob is None or ctx.kind != ENTITLEMENTS:
        return
    from entitlements_lint.errors import InputError
    from entitlements_lint.artefacts.macho import decode_der_entitlements, entitlements_differences

    try:
        keys = entitlements_differences(ctx.document.data, blob)
        in_der = decode_der_entitlements(blob)
    except InputError as exc:
        yield ctx.finding(signature_der_mismatch, None, f"the DER entitlements cannot be compared: {exc.message}")
        return
    for key in keys:
        entry = _entry(ctx, key)
        if entry is None:
            message = f"`{key}` is in the DER entitlements ({in_der[key]!r}) but not in the XML ones"
        elif key not in in_der:
            message = f"`{key}` is in the XML entitlements but not in the DER ones"
        else:
            message = f"`{key}` differs between the XML and DER entitlements (DER: {in_der[key]!r})"
        yield ctx.finding(signature_der_mismatch, entry.value if entry else None, message, key)


RULES = (not_in_profile, profile_value_mismatch, profile_expired, beta_reports_active_mismatch, signature_der_mismatch)
