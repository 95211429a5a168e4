"""Signing artefacts as inputs: profiles, built products and Xcode projects → FileResults.

A pipeline stage between the readers (:mod:`profiles`, :mod:`bundles`, :mod:`xcodeproj`)
and the engine: it turns each artefact into the documents it holds and lints them with
:func:`engine.lint_bytes`, the same function every other input goes through.

* A built product (``.app``, ``.appex``, ``.xcarchive``, ``.ipa`` or a Mach-O file):
  each signed executable's XML entitlements blob is linted as a document named
  ``X.app/X (signature, arm64)`` (architectures with identical blobs are listed together).
  Positions are within the blob, not a file on disk. The DER blob enables ENT304, the
  bundle's embedded profile the profile rules, the bundle's Info.plist the platforms.
* An Xcode project: each target's configurations, deduplicated by entitlements file
  (Release first), lint their entitlements file and Info.plist with the target's platforms.

Reader failures become an ``io-error`` result for that path (exit 2); other inputs go on.
Imported lazily: plain ``.entitlements`` linting never loads this module.
"""

from __future__ import annotations

import copy
import os

from entitlements_lint import engine
from entitlements_lint import limits
from entitlements_lint.errors import InputError
from entitlements_lint.rules.base import ENTITLEMENTS, INFO_PLIST, Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from entitlements_lint.config import Settings
    from entitlements_lint.engine import FileResult
    from entitlements_lint.plist import PlistDocument
    from entitlements_lint.artefacts.profiles import Profile
    from entitlements_lint.artefacts.xcodeproj import Project

    from entitlements_db.database import Database

MAX_PROFILE_SIZE = limits.MAX_PROFILE_BYTES
PRODUCT = "product"
PROJECT = "project"
PRODUCT_SUFFIXES = (".app", ".appex", ".xcarchive")
PROFILE_PLATFORMS = {
    "iOS": ("iOS", "iPadOS"),
    "OSX": ("macOS",),
    "macOS": ("macOS",),
    "tvOS": ("tvOS",),
    "watchOS": ("watchOS",),
    "xrOS": ("visionOS",),
    "visionOS": ("visionOS",),
}


def artefact_kind(path: str) -> str | None:
    """``product``, ``project`` or None (a plist to lint as usual), judged cheaply by name.

    Only a file whose name says nothing (not ``.entitlements``/``.plist``) is opened, to
    look for a Mach-O magic number.
    """
    bare = path.rstrip("/" + os.sep) or path
    if bare.endswith(".xcodeproj") or os.path.basename(bare) == "project.pbxproj":
        return PROJECT
    if bare.endswith(PRODUCT_SUFFIXES) and os.path.isdir(bare):
        return PRODUCT
    if bare.endswith(".ipa"):
        return PRODUCT
    if path == "-" or engine.file_kind(bare) or not os.path.isfile(bare):
        return None
    from entitlements_lint.artefacts.macho import is_macho

    try:
        with open(bare, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return None
    return PRODUCT if is_macho(head) else None


def load_profile(path: str) -> Profile:
    """Read a ``.mobileprovision`` / ``.provisionprofile``; every failure is an InputError."""
    from entitlements_lint.artefacts.profiles import read_profile

    try:
        data = engine.read(path, MAX_PROFILE_SIZE)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    if len(data) > MAX_PROFILE_SIZE:  # a pipe or device, read up to the limit
        raise InputError(f"{path}: more than {MAX_PROFILE_SIZE} bytes, not a provisioning profile")
    return read_profile(data, path)


def with_profile_distribution(settings: Settings, profile: Profile | None) -> tuple[Settings, str | None]:
    """Settings whose distribution is the profile's when none is configured, and a note saying so."""
    if profile is None or settings.distribution:
        return settings, None
    derived = copy.copy(settings)
    derived.distribution = profile.distribution
    name = f" {profile.name!r}" if profile.name else ""
    return derived, f"distribution {profile.distribution} from the profile{name}"


def lint_product(
    path: str, settings: Settings, db: Database, profile: Profile | None = None
) -> tuple[list[FileResult], list[str]]:
    """Lint every signature in a built product; returns results and notes for the user.

    ``profile`` (from ``--profile``) replaces each bundle's embedded profile.
    """
    from entitlements_lint.artefacts.bundles import find_executables

    bare = path.rstrip("/" + os.sep) or path
    try:
        executables = find_executables(bare)
    except InputError as exc:
        return [engine.input_error(path, _without_prefix(exc.message, bare))], []
    archive = os.path.isfile(bare) and not _is_bare_macho(executables)
    base = bare if archive else os.path.dirname(bare)
    results: list[FileResult] = []
    notes: list[str] = []
    for executable in executables:
        shown = os.path.join(base, executable.display_path)
        bundle_profile = profile
        if bundle_profile is None and executable.profile is not None:
            from entitlements_lint.artefacts.profiles import read_profile

            profile_shown = os.path.join(base, executable.profile_path or "embedded.mobileprovision")
            try:
                bundle_profile = read_profile(executable.profile, profile_shown)
            except InputError as exc:
                results.append(engine.input_error(profile_shown, _without_prefix(exc.message, profile_shown)))
        info = None if archive or not executable.bundle_path else _bundle_info(base, executable.bundle_path)
        local, note = with_profile_distribution(settings, bundle_profile)
        if note:
            notes.append(f"{shown}: {note}")
        target = None
        if info is None and not local.platforms and bundle_profile is not None:
            platforms = tuple(dict.fromkeys(
                name for p in bundle_profile.platforms for name in PROFILE_PLATFORMS.get(p, ())
            ))
            if platforms:
                target = Target(platforms, "from the provisioning profile", local.distribution, local.granted)
        groups: dict[tuple[bytes | None, bytes | None], list[str]] = {}
        for arch in executable.architectures:
            if not arch.signed:
                notes.append(f"{shown} ({arch.arch}) is not code signed: no entitlements to lint")
                continue
            if arch.xml is None and arch.der is None:
                continue  # signed without entitlements: nothing claimed, nothing to check
            groups.setdefault((arch.xml, arch.der), []).append(arch.arch)
        for (xml, der), archs in groups.items():
            label = f"{shown} (signature, {', '.join(archs)})"
            if xml is None:
                try:
                    import plistlib

                    from entitlements_lint.artefacts.macho import decode_der_entitlements

                    xml = plistlib.dumps(decode_der_entitlements(der or b""))
                except (InputError, TypeError, ValueError, OverflowError) as exc:
                    results.append(engine.input_error(label, f"DER entitlements cannot be read: {exc}"))
                    continue
                label = f"{shown} (signature DER, {', '.join(archs)})"
                der = None
            results.append(engine.lint_bytes(
                xml, label, local, db, ENTITLEMENTS, companion=info, target=target,
                profile=bundle_profile, signature_der=der, bundle_identifier=executable.bundle_identifier,
                signed=True,
            ))
    if not executables:
        notes.append(f"{path}: no executables found")
    return results, notes


def _is_bare_macho(executables: list) -> bool:  # type: ignore[type-arg]
    return len(executables) == 1 and not executables[0].bundle_path


def _without_prefix(message: str, path: str) -> str:
    """Readers start messages with the path; the report already shows it."""
    for prefix in (f"{path}: ", f"{os.path.basename(path)}: ", f"{os.path.abspath(path)}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def _bundle_info(base: str, bundle_path: str) -> PlistDocument | None:
    for rel in ("Contents/Info.plist", "Info.plist"):
        candidate = os.path.join(base, bundle_path, rel)
        if os.path.isfile(candidate):
            try:
                document = engine.parse(engine.read(candidate))
            except InputError:
                return None
            return document if document.root.kind == "dict" else None
    return None


def lint_project(
    path: str, settings: Settings, db: Database, profile: Profile | None = None
) -> list[FileResult]:
    """Lint the entitlements files and Info.plist of each target configuration of a project.

    Each file is linted once, Release configurations first. Its platforms are the union of
    the platforms of every target and configuration that uses it (a file shared by an iOS
    and a macOS target is both); ``CODE_SIGN_ENTITLEMENTS[sdk=…]`` files get the platforms
    of their SDK. Configured platforms win over the project's; the configured distribution
    applies to Release only (or everywhere, when it comes from ``--profile``). The
    ``INFOPLIST_KEY_*`` settings of a target that generates its Info.plist count as part of
    its Info.plist.
    """
    from entitlements_lint.artefacts.xcodeproj import read_project

    try:
        project = read_project(path.rstrip("/" + os.sep) or path)
    except InputError as exc:
        return [engine.input_error(path, exc.message)]
    ordered = [
        configuration
        for xtarget in project.targets
        for configuration in sorted(xtarget.configurations, key=lambda c: c.name != "Release")
    ]
    union: dict[str, set[str]] = {}
    for configuration in ordered:
        files = configuration.entitlements_files()
        if configuration.info_plist_path:
            files.append((configuration.info_plist_path, configuration.platforms))
        for file_path, platforms in files:
            union.setdefault(file_path, set()).update(platforms)
    named_by = _named_by(project)
    results: list[FileResult] = []
    seen: set[str] = set()
    for configuration in ordered:
        info_path = configuration.info_plist_path
        every = [p for p, _ in configuration.entitlements_files()]
        entitlements = [p for p in every if p not in seen]
        linted_info = info_path if info_path and info_path not in seen else None
        if not entitlements and linted_info is None:
            continue
        seen.update(entitlements)
        seen.update([linted_info] if linted_info else [])
        distribution = settings.distribution if configuration.name == "Release" else None
        if profile is not None and not distribution:
            distribution = profile.distribution

        def target_for(file_path: str) -> Target:
            if settings.platforms:
                platforms: tuple[str, ...] | None = settings.platforms
            else:
                platforms = tuple(p for p in engine.PLATFORM_ORDER if p in union.get(file_path, ())) or None
            return Target(platforms, None, distribution, settings.granted, configuration.generated_info)

        results.extend(lint_target_files(
            [(p, target_for(p)) for p in entitlements],
            (linted_info, target_for(linted_info)) if linted_info else None,
            info_path, every[0] if every else None, settings, db, profile, configuration.bundle_identifier,
            named_by=named_by,
        ))
    return results


def _named_by(project: Project) -> dict[str, str]:
    """For each file path, which setting of which target names it: a missing file's message says
    where to look, and names a build setting the project does not define (an .xcconfig is not read)."""
    named: dict[str, str] = {}
    for xtarget in project.targets:
        for configuration in xtarget.configurations:
            settings = [("CODE_SIGN_ENTITLEMENTS", configuration.entitlements_path)]
            settings += [(f"CODE_SIGN_ENTITLEMENTS[{c}]", p) for c, p in configuration.conditional_entitlements.items()]
            settings.append(("INFOPLIST_FILE", configuration.info_plist_path))
            for setting, file_path in settings:
                if not file_path or file_path in named:
                    continue
                text = f"named by {setting} of target {xtarget.name} ({configuration.name}) in {project.name}.xcodeproj"
                unset = [v for v in configuration.unresolved if f"$({v})" in file_path or f"${{{v}}}" in file_path]
                if unset:
                    text += f"; {', '.join(f'$({v})' for v in unset)} is not set in the project (.xcconfig files are not read)"
                named[file_path] = text
    return named


def lint_target_files(entitlements: list[tuple[str, Target]], info: tuple[str, Target] | None,
                      info_path: str | None, main_entitlements: str | None, settings: Settings,
                      db: Database, profile: Profile | None = None, bundle_identifier: str | None = None,
                      shown: Callable[[str], str] | None = None,
                      named_by: dict[str, str] | None = None) -> list[FileResult]:
    """Lint a configuration's entitlements files and Info.plist, each with the other as companion.

    ``entitlements`` and ``info`` are the files still to lint; ``info_path`` and
    ``main_entitlements`` are the configuration's own files, companions even when they were
    linted already with another configuration. ``shown`` turns a path into the one the
    report prints (relative to the working directory by default).
    """
    shown = shown or _shown
    results: list[FileResult] = []
    data: dict[str, bytes] = {}
    documents: dict[str, PlistDocument | None] = {}
    to_lint = {p for p, _ in entitlements} | ({info[0]} if info else set())
    wanted = [p for p, _ in entitlements] + [p for p in (info_path, main_entitlements) if p]
    for file_path in dict.fromkeys(wanted):
        try:
            data[file_path] = engine.read(file_path)
        except InputError as exc:
            if file_path not in to_lint:
                continue  # a companion only: reported where it is linted
            kind = INFO_PLIST if file_path == info_path else ENTITLEMENTS
            origin = (named_by or {}).get(file_path)
            message = f"{exc.message} ({origin})" if origin else exc.message
            results.append(engine.input_error(shown(file_path), message, kind))
            continue
        try:
            document = engine.parse(data[file_path])
            documents[file_path] = document if document.root.kind == "dict" else None
        except InputError:
            documents[file_path] = None
    info_document = documents.get(info_path) if info_path else None
    for file_path, target in entitlements:
        if file_path not in data:
            continue
        results.append(engine.lint_bytes(
            data[file_path], shown(file_path), settings, db, ENTITLEMENTS, companion=info_document,
            target=target, profile=profile, bundle_identifier=bundle_identifier,
        ))
    if info is not None and info[0] in data:
        companion = documents.get(main_entitlements) if main_entitlements else None
        results.append(engine.lint_bytes(
            data[info[0]], shown(info[0]), settings, db, INFO_PLIST, companion=companion, target=info[1],
        ))
    return results


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def profile_summary(profile: Profile) -> dict[str, object]:
    """What ``entlint profile show`` prints: JSON-ready facts of one profile."""
    import base64
    import datetime

    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("ascii")
        return value

    team = ", ".join(profile.team_identifiers)
    if profile.team_name:
        team = f"{profile.team_name} ({team})" if team else profile.team_name
    return {
        "path": profile.path,
        "name": profile.name,
        "uuid": profile.uuid,
        "team": team,
        "team_identifiers": list(profile.team_identifiers),
        "app_id": profile.application_identifier,
        "app_id_name": profile.app_id_name,
        "platforms": list(profile.platforms),
        "distribution": profile.distribution,
        "created": profile.creation_date.isoformat() if profile.creation_date else None,
        "expires": profile.expiration_date.isoformat() if profile.expiration_date else None,
        "expired": profile.is_expired(),
        "devices": "all" if profile.provisions_all_devices else len(profile.devices),
        "xcode_managed": profile.is_xcode_managed,
        "entitlements": plain(profile.entitlements),
    }
