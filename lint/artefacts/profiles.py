"""Read provisioning profiles (``.mobileprovision``, ``.provisionprofile``) into a typed Profile.

A profile is a CMS SignedData wrapping a property list (TN3125, "Inside Code Signing:
Provisioning Profiles"); :mod:`entitlements_lint.artefacts.der` unwraps it without ``security``
or ``openssl``. The entitlements it lists are an allowlist: every entitlement the app
claims must be in it, not the reverse (TN3125). This module only reads; comparing lives
in :mod:`entitlements_lint.artefacts.profile_compare`.

Imported lazily: plain ``.entitlements`` linting never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

from entitlements_lint.artefacts import der
from entitlements_lint.errors import InputError
from entitlements_lint.plist import load_dict

Distribution = Literal["development", "ad-hoc", "app-store", "in-house", "developer-id"]

TN3125 = (
    "https://developer.apple.com/documentation/Technotes/"
    "tn3125-inside-code-signing-provisioning-profiles"
)

_DEBUG_KEYS = ("get-task-allow", "com.apple.security.get-task-allow")
_APS_KEYS = ("aps-environment", "com.apple.developer.aps-environment")
_MACOS_PLATFORMS = frozenset({"OSX", "macOS"})


@dataclass(frozen=True, slots=True)
class Profile:
    """The facts of one provisioning profile; dates are timezone-aware UTC.

    ``platforms`` is the profile's ``Platform`` array as written (``iOS``, ``OSX``,
    ``tvOS``, ``xrOS``/``visionOS``, …). ``plist`` is the raw embedded property list.
    """

    path: str
    name: str
    uuid: str
    team_identifiers: tuple[str, ...]
    team_name: str
    app_id_name: str
    application_identifier_prefixes: tuple[str, ...]
    platforms: tuple[str, ...]
    creation_date: datetime | None
    expiration_date: datetime | None
    devices: tuple[str, ...]
    provisions_all_devices: bool
    entitlements: dict[str, object] = field(hash=False)
    is_xcode_managed: bool
    plist: bytes
    signer_common_name: str | None

    @property
    def is_macos(self) -> bool:
        """A Mac profile (``Platform`` is only ``OSX``); Mac Catalyst profiles say ``OSX`` too."""
        return bool(self.platforms) and all(p in _MACOS_PLATFORMS for p in self.platforms)

    @property
    def get_task_allow(self) -> bool:
        """Whether the profile lets a debugger attach (``get-task-allow`` true)."""
        return any(self.entitlements.get(key) is True for key in _DEBUG_KEYS)

    @property
    def application_identifier(self) -> str | None:
        """The App ID the profile is for (``TEAMID.bundle.id`` or a ``TEAMID.*`` wildcard)."""
        for key in ("application-identifier", "com.apple.application-identifier"):
            value = self.entitlements.get(key)
            if isinstance(value, str):
                return value
        return None

    @property
    def distribution(self) -> Distribution:
        """The distribution method this profile signs for, derived from its contents.

        Apple writes no "type" field, so the type is inferred, in this order:

        1. ``ProvisionsAllDevices`` true: ``developer-id`` for a Mac profile, else
           ``in-house`` (TN3125: Developer ID and In-House profiles provision all devices).
        2. ``get-task-allow`` true, or ``aps-environment`` = ``development``: ``development``
           (TN3125: get-task-allow is granted by development profiles; Apple's
           aps-environment page: development profiles get the development environment).
        3. ``ProvisionedDevices`` present: ``development`` on macOS (there is no Mac ad hoc
           distribution), else ``ad-hoc`` (a device list without get-task-allow).
        4. Otherwise ``app-store``, which includes TestFlight; such profiles usually carry
           ``beta-reports-active`` true.
        """
        if self.provisions_all_devices:
            return "developer-id" if self.is_macos else "in-house"
        aps = next((self.entitlements.get(k) for k in _APS_KEYS if k in self.entitlements), None)
        if self.get_task_allow or aps == "development":
            return "development"
        if self.devices:
            return "development" if self.is_macos else "ad-hoc"
        return "app-store"

    def is_expired(self, now: datetime | None = None) -> bool:
        """True when ``ExpirationDate`` is at or before ``now`` (default: the current time).

        A naive ``now`` is taken as UTC, as plist dates are.
        """
        if self.expiration_date is None:
            return False
        moment = now or datetime.now(timezone.utc)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return self.expiration_date <= moment


def read_profile(data: bytes, path: str = "") -> Profile:
    """Parse a signed profile; a bare property list (``security cms -D`` output) works too."""
    label = path or "provisioning profile"
    stripped = data.lstrip()
    if stripped.startswith((b"<?xml", b"<plist", b"bplist00")):
        plist_bytes, signer = data, None
    else:
        try:
            signed = der.read_signed_data(data)
        except InputError as error:
            raise InputError(f"{label}: not a provisioning profile ({error.message})") from None
        plist_bytes, signer = signed.content, signed.signer_common_name
    root = load_dict(plist_bytes, f"{label} (signed content)")
    entitlements = root.get("Entitlements")
    if not isinstance(entitlements, dict):
        raise InputError(f"{label}: not a provisioning profile (no Entitlements dictionary)")
    fields = _Fields(root, label)
    return Profile(
        path=path,
        name=fields.text("Name"),
        uuid=fields.text("UUID"),
        team_identifiers=fields.texts("TeamIdentifier"),
        team_name=fields.text("TeamName"),
        app_id_name=fields.text("AppIDName"),
        application_identifier_prefixes=fields.texts("ApplicationIdentifierPrefix"),
        platforms=fields.texts("Platform"),
        creation_date=fields.date("CreationDate"),
        expiration_date=fields.date("ExpirationDate"),
        devices=fields.texts("ProvisionedDevices"),
        provisions_all_devices=fields.flag("ProvisionsAllDevices"),
        entitlements=entitlements,
        is_xcode_managed=fields.flag("IsXcodeManaged"),
        plist=bytes(plist_bytes),
        signer_common_name=signer,
    )


class _Fields:
    """Typed access to the profile dictionary; a wrong type is an InputError naming the key."""

    def __init__(self, root: dict[str, object], label: str) -> None:
        self._root = root
        self._label = label

    def _wrong(self, key: str, expected: str) -> InputError:
        return InputError(f"{self._label}: {key} should be {expected}")

    def text(self, key: str) -> str:
        value = self._root.get(key, "")
        if not isinstance(value, str):
            raise self._wrong(key, "a string")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._root.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._wrong(key, "an array of strings")
        return tuple(value)

    def flag(self, key: str) -> bool:
        value = self._root.get(key, False)
        if not isinstance(value, bool):
            raise self._wrong(key, "a boolean")
        return value

    def date(self, key: str) -> datetime | None:
        value = self._root.get(key)
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise self._wrong(key, "a date")
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
