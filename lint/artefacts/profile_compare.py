"""Compare claimed entitlements with a provisioning profile, as signing would.

The profile's entitlements are an allowlist: every entitlement the app claims must be
in it, not the reverse (TN3125). The checks follow rules_apple's ``plisttool.py``
(``EntitlementsTask._validate_entitlements_against_profile``, read at commit 75805e08):

* ``com.apple.developer.team-identifier`` must be one of the profile's ``TeamIdentifier``.
* ``application-identifier`` must match the profile's, where a trailing ``*`` in the
  profile (``TEAMID.*``, ``TEAMID.com.example.*``) matches any suffix, and a claimed
  trailing ``*`` is accepted when the profile's value starts with it (``_does_id_match``).
* ``beta-reports-active``, when claimed, must equal the profile's value.
* Arrays (``keychain-access-groups``, app groups, associated domains, NFC formats, and
  here every other array) must be subsets of the profile's array, each claimed item
  matched exactly or by a profile entry ending in ``*`` (``_check_entitlements_array``);
  a wildcard in a claimed keychain group, app group or NFC format is itself an error,
  while associated domains may claim ``*.example.com``. plisttool skips app groups for
  macOS-only profiles; here every ``com.apple.security.*`` key is skipped for them,
  because TN3125 lists App Groups, App Sandbox, Hardened Runtime and
  ``com.apple.security.get-task-allow`` as unrestricted on macOS.
* A string must equal the profile's string, or be in the profile's list
  (``_check_entitlement_matches_profile_value``); a profile value of ``*`` allows any
  value (``associated-domains``, ``icloud-services``) and ``TEAMID.*`` any suffix
  (``ubiquity-kvstore-identifier``, TN3125's wildcard allowlist entries).

Beyond plisttool: any claimed key absent from the profile is ``not-in-profile`` (TN3125's
allowlist rule; plisttool checks only its 17 listed keys), the profile's expiry date
(plisttool's ``_sanity_check_profile``), and ``get-task-allow`` against a profile that is
not a development one. Wildcards are shown as the profile's patterns, never offered as
values to copy (a wildcard in a signature is rejected, ITMS-90046).

Build-setting references in the claimed values are expanded first where the profile
knows them (``$(AppIdentifierPrefix)``, ``$(TeamIdentifierPrefix)``, and the bundle
identifier when given); a value that keeps an unknown reference is not compared.

Pure: no files, no output; the caller turns mismatches into findings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from entitlements_lint.artefacts.macho import same_value
from entitlements_lint.artefacts.profiles import Profile

MismatchKind = Literal[
    "not-in-profile", "value-mismatch", "expired", "debug-in-distribution", "beta-reports-active"
]

TEAM_ID = "com.apple.developer.team-identifier"
APP_ID_KEYS = ("application-identifier", "com.apple.application-identifier")
DEBUG_KEYS = ("get-task-allow", "com.apple.security.get-task-allow")
BETA_REPORTS = "beta-reports-active"
NO_WILDCARD_CLAIMS = frozenset(
    {
        "keychain-access-groups",
        "com.apple.security.application-groups",
        "com.apple.developer.nfc.readersession.formats",
    }
)
"""plisttool reports a ``*`` in these claimed arrays ("wildcards are not expected")."""
MACOS_UNRESTRICTED_PREFIX = "com.apple.security."


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One disagreement between the claimed entitlements and the profile.

    ``key`` is None for profile-wide problems (expiry). ``details`` holds the values
    involved (``claimed``, ``allowed``, ``profile``, ``distribution`` …) for reporters.
    """

    kind: MismatchKind
    key: str | None
    message: str
    details: dict[str, object] = field(hash=False)


def compare(
    entitlements: Mapping[str, object],
    profile: Profile,
    *,
    now: datetime | None = None,
    bundle_identifier: str | None = None,
) -> list[Mismatch]:
    """Every way the claimed ``entitlements`` disagree with ``profile``, in key order.

    ``bundle_identifier`` (the CFBundleIdentifier), when given, must be covered by the
    profile's App ID, as plisttool's ``_validate_bundle_id_covered`` checks.
    """
    found: list[Mismatch] = []
    label = f"profile {profile.name!r}" if profile.name else "the profile"
    allowed = profile.entitlements
    if profile.is_expired(now):
        expiry = profile.expiration_date.isoformat() if profile.expiration_date else "?"
        found.append(
            Mismatch("expired", None, f"{label} expired on {expiry}", {"expiration": expiry})
        )
    if bundle_identifier and "$" not in bundle_identifier:  # unresolved build settings: unknown
        found.extend(_bundle_identifier(bundle_identifier, profile, label))
    variables = _variables(profile, bundle_identifier)
    for key, written in entitlements.items():
        claimed = _substitute(written, variables)
        if claimed is _UNKNOWN:
            continue
        if profile.is_macos and key.startswith(MACOS_UNRESTRICTED_PREFIX):
            if key in DEBUG_KEYS:
                found.extend(_debug(key, claimed, profile, label))
            continue
        if key in DEBUG_KEYS:
            debug = _debug(key, claimed, profile, label)
            if debug:
                found.extend(debug)
                continue
        if key == BETA_REPORTS:
            found.extend(_beta_reports(claimed, allowed.get(key), label))
            continue
        if key not in allowed:
            found.append(_not_in_profile(key, profile, label))
            continue
        if key == TEAM_ID:
            found.extend(_team(claimed, profile, label))
            continue
        if key in APP_ID_KEYS:
            found.extend(_application_identifier(key, claimed, allowed[key], profile, label))
            continue
        found.extend(_value(key, claimed, allowed[key], label))
    return found


_UNKNOWN = object()
"""A value that still holds a build-setting reference entlint cannot expand."""
_REFERENCE = re.compile(r"\$(?:\(([A-Za-z0-9_]+)\)|\{([A-Za-z0-9_]+)\})")


def _variables(profile: Profile, bundle_identifier: str | None) -> dict[str, str]:
    """What Xcode substitutes in an entitlements file before signing, as far as known here.

    ``$(AppIdentifierPrefix)`` and ``$(TeamIdentifierPrefix)`` come from the profile
    (plisttool does the same for the former); the bundle identifier when given.
    """
    variables: dict[str, str] = {}
    if profile.application_identifier_prefixes:
        variables["AppIdentifierPrefix"] = profile.application_identifier_prefixes[0] + "."
    if profile.team_identifiers:
        variables["TeamIdentifierPrefix"] = profile.team_identifiers[0] + "."
    if bundle_identifier:
        variables["PRODUCT_BUNDLE_IDENTIFIER"] = bundle_identifier
        variables["CFBundleIdentifier"] = bundle_identifier
    return variables


def _substitute(value: object, variables: dict[str, str]) -> object:
    """The value with known references expanded; ``_UNKNOWN`` for a scalar that keeps one.

    Array items that keep an unknown reference are dropped: they cannot be checked, and
    reporting them would blame the profile for a build setting.
    """
    if isinstance(value, str):
        if "$" not in value:
            return value
        expanded = _REFERENCE.sub(
            lambda m: variables.get(m.group(1) or m.group(2), m.group(0)), value
        )
        return _UNKNOWN if _REFERENCE.search(expanded) else expanded
    if isinstance(value, list):
        items = [_substitute(item, variables) for item in value]
        return [item for item in items if item is not _UNKNOWN]
    if isinstance(value, dict):
        pairs = {k: _substitute(v, variables) for k, v in value.items()}
        return {k: v for k, v in pairs.items() if v is not _UNKNOWN}
    return value


def does_id_match(
    claimed: str,
    allowed: str,
    allowed_supports_wildcards: bool = True,
    id_supports_wildcards: bool = False,
) -> bool:
    """plisttool's ``_does_id_match``: a trailing ``*`` in ``allowed`` matches any suffix."""
    if allowed_supports_wildcards and allowed.endswith("*"):
        if claimed.startswith(allowed[:-1]):
            return True
    elif claimed == allowed:
        return True
    if id_supports_wildcards and claimed.endswith("*"):
        if allowed.endswith("*"):
            return claimed[:-1].startswith(allowed[:-1])
        return allowed.startswith(claimed[:-1])
    return False


def _matches_any(claimed: object, allowed: list[object]) -> bool:
    for candidate in allowed:
        if isinstance(claimed, str) and isinstance(candidate, str):
            if does_id_match(claimed, candidate):
                return True
        elif same_value(claimed, candidate):
            return True
    return False


def _show(values: object) -> str:
    if isinstance(values, list):
        return ", ".join(_show(value) for value in values) or "none"
    return f"`{values}`" if isinstance(values, str) else f"`{values!r}`"


def _not_in_profile(key: str, profile: Profile, label: str) -> Mismatch:
    app_id = profile.app_id_name or profile.application_identifier or "the App ID"
    message = (
        f"{label} does not include `{key}`: enable the capability on {app_id} and regenerate "
        f"the profile, or, if Apple manages this capability, request it for "
        f"{profile.distribution} distribution"
    )
    return Mismatch(
        "not-in-profile",
        key,
        message,
        {"profile": profile.name, "distribution": profile.distribution},
    )


def _debug(key: str, claimed: object, profile: Profile, label: str) -> list[Mismatch]:
    if claimed is not True or profile.distribution == "development":
        return []
    message = (
        f"`{key}` is true but {label} is for {profile.distribution} distribution: "
        "only development builds may be debuggable"
    )
    return [
        Mismatch(
            "debug-in-distribution",
            key,
            message,
            {"claimed": True, "distribution": profile.distribution},
        )
    ]


def _beta_reports(claimed: object, in_profile: object, label: str) -> list[Mismatch]:
    if same_value(claimed, in_profile):
        return []
    if in_profile is None:
        message = (
            f"`{BETA_REPORTS}` is claimed but {label} does not have it (only App Store profiles do)"
        )
    else:
        message = f"`{BETA_REPORTS}` is {_show(claimed)} but {label} says {_show(in_profile)}"
    return [
        Mismatch(
            "beta-reports-active",
            BETA_REPORTS,
            message,
            {"claimed": claimed, "profile": in_profile},
        )
    ]


def _team(claimed: object, profile: Profile, label: str) -> list[Mismatch]:
    if isinstance(claimed, str) and claimed in profile.team_identifiers:
        return []
    message = (
        f"`{TEAM_ID}` is {_show(claimed)} but {label} belongs to team "
        f"{_show(list(profile.team_identifiers))}"
    )
    return [
        Mismatch(
            "value-mismatch", TEAM_ID, message,
            {"claimed": claimed, "allowed": list(profile.team_identifiers)},
        )
    ]  # fmt: skip


def _application_identifier(
    key: str, claimed: object, in_profile: object, profile: Profile, label: str
) -> list[Mismatch]:
    if isinstance(claimed, str) and isinstance(in_profile, str):
        if does_id_match(claimed, in_profile, id_supports_wildcards=True):
            return []
        prefix = claimed.split(".", 1)[0]
        if (
            profile.application_identifier_prefixes
            and prefix not in profile.application_identifier_prefixes
        ):
            message = (
                f"`{key}` starts with the prefix `{prefix}`, but {label} is for prefix "
                f"{_show(list(profile.application_identifier_prefixes))}"
            )
        else:
            message = f"`{key}` is {_show(claimed)}, but {label} is for App ID {_show(in_profile)}"
    else:
        message = f"`{key}` is {_show(claimed)}, but {label} says {_show(in_profile)}"
    return [Mismatch("value-mismatch", key, message, {"claimed": claimed, "allowed": in_profile})]


def _bundle_identifier(bundle_identifier: str, profile: Profile, label: str) -> list[Mismatch]:
    app_id = profile.application_identifier
    if app_id is None or "." not in app_id:
        return []
    provisioned = app_id.split(".", 1)[1]
    if does_id_match(bundle_identifier, provisioned):
        return []
    key = next(k for k in APP_ID_KEYS if k in profile.entitlements)
    message = (
        f"bundle identifier `{bundle_identifier}` is not covered by {label}'s App ID `{app_id}`"
    )
    return [
        Mismatch(
            "value-mismatch",
            key,
            message,
            {"bundle_identifier": bundle_identifier, "allowed": app_id},
        )
    ]


def _value(key: str, claimed: object, in_profile: object, label: str) -> list[Mismatch]:
    """Equal, in the profile's list, or (arrays) a subset of it; ``*`` patterns honoured."""
    if in_profile == "*":
        return []
    details: dict[str, object] = {"claimed": claimed, "allowed": in_profile}
    if isinstance(claimed, list):
        found: list[Mismatch] = []
        if key in NO_WILDCARD_CLAIMS:
            for item in claimed:
                if isinstance(item, str) and "*" in item:
                    message = (
                        f"`{key}` claims the wildcard `{item}`: wildcards are not expected here"
                    )
                    found.append(
                        Mismatch("value-mismatch", key, message, {**details, "wildcard": item})
                    )
        pool = in_profile if isinstance(in_profile, list) else [in_profile]
        missing = [item for item in claimed if not _matches_any(item, pool)]
        if missing:
            message = (
                f"`{key}` claims {_show(missing)}, not allowed by {label} (it allows {_show(pool)})"
            )
            found.append(Mismatch("value-mismatch", key, message, {**details, "missing": missing}))
        return found
    if isinstance(in_profile, list):
        if _matches_any(claimed, in_profile):
            return []
        message = f"`{key}` is {_show(claimed)}, not one of {label}'s values ({_show(in_profile)})"
        return [Mismatch("value-mismatch", key, message, details)]
    if isinstance(claimed, str) and isinstance(in_profile, str):
        if does_id_match(claimed, in_profile):
            return []
    elif in_profile is True and isinstance(claimed, bool):
        return []  # the profile allows it; claiming false is narrower
    elif same_value(claimed, in_profile):
        return []
    message = f"`{key}` is {_show(claimed)}, but {label} has {_show(in_profile)}"
    return [Mismatch("value-mismatch", key, message, details)]
