"""Read an Xcode project's targets and the signing-related build settings of each.

``project.pbxproj`` is an old-style (OpenStep/NeXT) property list. A parser of ~120
lines is kept here instead of a dependency: ``openstep-parser`` (PyPI) is maintained
but would be a runtime dependency for this one job, and our own parser reports line
and column in an :class:`InputError`.

Resolution follows Xcode's layering for the settings entlint needs: a target's
configuration (``PBXNativeTarget`` → ``buildConfigurationList`` → ``XCBuildConfiguration``)
is merged over the project's configuration of the same name, ``$(inherited)`` takes the
project value, and ``$(VAR)`` / ``${VAR}`` references (with ``:rfc1034identifier``,
``:c99extidentifier``, ``:lower``, ``:upper``) are expanded from the merged settings
plus ``SRCROOT``, ``PROJECT_DIR``, ``SOURCE_ROOT``, ``PROJECT_NAME``, ``TARGET_NAME``,
``PRODUCT_NAME`` and ``CONFIGURATION``. A variable that cannot be resolved stays as
written and is listed in ``Configuration.unresolved``, so a message can name it.
``.xcconfig`` files (``baseConfigurationReference``) are not read.

The same functions read a Run Script phase's environment (:mod:`entitlements_lint.xcode_build_phase`),
where Xcode has already expanded every setting: :func:`platforms_for`,
:func:`generated_info_plist` and :func:`entitlements_platforms` take a plain settings dict.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from entitlements_lint import limits
from entitlements_lint.errors import InputError, excerpt

MAX_PROJECT_SIZE = limits.MAX_DOCUMENT_BYTES
MAX_NESTING = limits.MAX_PROJECT_NESTING
MAX_EXPANDED_LENGTH = limits.MAX_EXPANDED_SETTING
MAX_EXPANDED_TOTAL = limits.MAX_EXPANDED_SETTINGS_TOTAL

PLATFORM_ORDER = ("iOS", "iPadOS", "macOS", "macCatalyst", "tvOS", "watchOS", "visionOS")
_SDK_PLATFORMS = (
    ("iphonesimulator", ("iOS", "iPadOS")),
    ("iphoneos", ("iOS", "iPadOS")),
    ("macosx", ("macOS",)),
    ("appletvsimulator", ("tvOS",)),
    ("appletvos", ("tvOS",)),
    ("watchsimulator", ("watchOS",)),
    ("watchos", ("watchOS",)),
    ("xrsimulator", ("visionOS",)),
    ("xros", ("visionOS",)),
)


@dataclass(frozen=True, slots=True)
class Configuration:
    """One build configuration of one target, with paths made absolute.

    ``conditional_entitlements`` maps a condition such as ``sdk=macosx*`` (from
    ``CODE_SIGN_ENTITLEMENTS[sdk=macosx*]``) to its entitlements path: Mac Catalyst
    targets often sign the Mac build with a different file.
    """

    name: str
    entitlements_path: str | None
    info_plist_path: str | None
    platforms: tuple[str, ...]
    bundle_identifier: str | None
    conditional_entitlements: dict[str, str] = field(hash=False)
    settings: dict[str, str] = field(hash=False)
    unresolved: tuple[str, ...]
    #: The Info.plist keys Xcode generates from ``INFOPLIST_KEY_*`` build settings when
    #: ``GENERATE_INFOPLIST_FILE = YES`` (merged with ``INFOPLIST_FILE`` when both are set);
    #: None when the target does not generate its Info.plist.
    generated_info: dict[str, str] | None = field(default=None, hash=False)

    def entitlements_files(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each entitlements file of the configuration with the platforms that sign with it."""
        return entitlements_platforms(self.entitlements_path, self.conditional_entitlements, self.platforms)


@dataclass(frozen=True, slots=True)
class Target:
    """A native target; ``default_configuration`` is the one ``xcodebuild`` uses by default."""

    name: str
    product_type: str
    configurations: tuple[Configuration, ...]
    default_configuration: str | None


@dataclass(frozen=True, slots=True)
class Project:
    """A parsed ``.xcodeproj``: where it is and its native targets in project order."""

    path: str
    name: str
    project_dir: str
    targets: tuple[Target, ...]


def read_project(path: str | os.PathLike[str]) -> Project:
    """Read ``X.xcodeproj``, its ``project.pbxproj``, or a folder holding one ``.xcodeproj``."""
    location = Path(os.path.abspath(path))
    if location.is_dir() and location.suffix != ".xcodeproj":
        found = sorted(p for p in location.iterdir() if p.suffix == ".xcodeproj")
        if len(found) != 1:
            names = ", ".join(p.name for p in found) or "none"
            raise InputError(f"{path}: expected one .xcodeproj in the folder, found {names}")
        location = found[0]
    pbxproj = location / "project.pbxproj" if location.suffix == ".xcodeproj" else location
    bundle = pbxproj.parent
    try:
        size = pbxproj.stat().st_size
        if size > MAX_PROJECT_SIZE:
            raise InputError(f"{pbxproj}: {size} bytes, more than the {MAX_PROJECT_SIZE} limit")
        text = pbxproj.read_bytes().decode("utf-8")
    except OSError as error:
        raise InputError(f"{pbxproj}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{pbxproj}: not UTF-8 ({error.reason})") from None
    root = parse_openstep(text, str(pbxproj))
    return _resolve_project(root, pbxproj, bundle)


def parse_openstep(text: str, where: str = "project.pbxproj") -> object:
    """Parse an old-style property list: ``{ k = v; }``, ``( a, b, )``, strings, ``<hex>``.

    Values become ``dict``, ``list``, ``str`` and ``bytes``.
    """
    parser = _Parser(text, where)
    value = parser.value(0)
    parser.skip()
    if parser.pos != len(text):
        parser.fail("unexpected text after the property list")
    return value


_UNQUOTED = re.compile(r"[A-Za-z0-9_$+/:.\-~]+")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


class _Parser:
    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where
        self.pos = 0

    def fail(self, message: str, at: int | None = None) -> NoReturn:
        offset = self.pos if at is None else at
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        raise InputError(f"{self.where}:{line}:{column}: {message}", line=line, column=column)

    def skip(self) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r\n\f\v":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    self.fail("unterminated /* comment")
                self.pos = end + 2
            else:
                return

    def value(self, depth: int) -> object:
        if depth > MAX_NESTING:
            self.fail(f"nested deeper than {MAX_NESTING} levels")
        self.skip()
        if self.pos >= len(self.text):
            self.fail("unexpected end of file, expected a value")
        char = self.text[self.pos]
        if char == "{":
            return self.dictionary(depth)
        if char == "(":
            return self.array(depth)
        if char in "\"'":
            return self.quoted()
        if char == "<":
            return self.data()
        match = _UNQUOTED.match(self.text, self.pos)
        if not match:
            self.fail(f"unexpected character {char!r}")
        self.pos = match.end()
        return match.group()

    def expect(self, char: str) -> None:
        self.skip()
        if not self.text.startswith(char, self.pos):
            found = self.text[self.pos] if self.pos < len(self.text) else "end of file"
            self.fail(f"expected {char!r}, found {found!r}")
        self.pos += 1

    def dictionary(self, depth: int) -> dict[str, object]:
        self.pos += 1
        result: dict[str, object] = {}
        while True:
            self.skip()
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return result
            start = self.pos
            key = self.value(depth + 1)
            if not isinstance(key, str):
                self.fail("dictionary keys must be strings", start)
            self.expect("=")
            result[str(key)] = self.value(depth + 1)
            self.expect(";")

    def array(self, depth: int) -> list[object]:
        self.pos += 1
        result: list[object] = []
        while True:
            self.skip()
            if self.text.startswith(")", self.pos):
                self.pos += 1
                return result
            result.append(self.value(depth + 1))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif not self.text.startswith(")", self.pos):
                self.fail("expected ',' or ')' in array")

    def quoted(self) -> str:
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        out: list[str] = []
        text = self.text
        while True:
            end = self.pos
            while end < len(text) and text[end] not in (quote, "\\"):
                end += 1
            out.append(text[self.pos : end])
            if end >= len(text):
                self.fail("unterminated quoted string", start)
            self.pos = end + 1
            if text[end] == quote:
                return "".join(out)
            out.append(self.escape())

    def escape(self) -> str:
        text = self.text
        if self.pos >= len(text):
            self.fail("unterminated escape")
        char = text[self.pos]
        self.pos += 1
        if char in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[char]
        if char in "Uu":
            digits = text[self.pos : self.pos + 4]
            if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                self.fail("\\U must be followed by four hex digits", self.pos - 2)
            self.pos += 4
            return chr(int(digits, 16))
        if char in "01234567":
            digits = char
            while len(digits) < 3 and self.pos < len(text) and text[self.pos] in "01234567":
                digits += text[self.pos]
                self.pos += 1
            return chr(int(digits, 8))
        return char

    def data(self) -> bytes:
        start = self.pos
        end = self.text.find(">", self.pos)
        if end < 0:
            self.fail("unterminated <data>", start)
        digits = "".join(self.text[self.pos + 1 : end].split())
        if len(digits) % 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            self.fail("<data> must hold pairs of hex digits", start)
        self.pos = end + 1
        return bytes.fromhex(digits)


def platforms_for(settings: dict[str, str]) -> tuple[str, ...]:
    """Platform names from ``SUPPORTED_PLATFORMS`` (else ``SDKROOT``) and ``SUPPORTS_MACCATALYST``.

    iphoneos → iOS and iPadOS, macosx → macOS, appletvos → tvOS, watchos → watchOS,
    xros → visionOS (simulators map like their devices); ``SUPPORTS_MACCATALYST = YES``
    adds macCatalyst to an iOS target. In a Run Script phase's environment, ``PLATFORM_NAME``
    (the platform being built now) is added, as macCatalyst when ``IS_MACCATALYST = YES``.

    ``SUPPORTS_MAC_DESIGNED_FOR_IPHONE_IPAD`` and ``SUPPORTS_XR_DESIGNED_FOR_IPHONE_IPAD``
    add no platform: "Designed for iPhone/iPad" runs the unmodified iOS binary on a Mac
    with Apple silicon or on Apple Vision Pro (Apple's "Running your iOS apps in macOS";
    DTS on the Apple Vision (Designed for iPad) destination). It is signed with the iOS
    entitlements and profile, so iOS rules apply, and App Sandbox keys still have no
    effect (the system sandboxes such apps itself).
    """
    sdks = settings.get("SUPPORTED_PLATFORMS", "").split() or settings.get("SDKROOT", "").split()
    found: set[str] = set()
    for sdk in sdks:  # in a build's environment SDKROOT is the SDK's path: …/iPhoneOS17.2.sdk
        found.update(sdk_platforms(os.path.basename(sdk)))
    if "iOS" in found and _yes(settings.get("SUPPORTS_MACCATALYST")):
        found.add("macCatalyst")
    building = settings.get("PLATFORM_NAME", "")
    if building:
        if _yes(settings.get("IS_MACCATALYST")) or settings.get("EFFECTIVE_PLATFORM_NAME") == "-maccatalyst":
            found.add("macCatalyst")
        else:
            found.update(sdk_platforms(building))
    return tuple(name for name in PLATFORM_ORDER if name in found)


def sdk_platforms(sdk: str) -> tuple[str, ...]:
    """Platforms of an SDK name such as ``iphoneos17.2``, ``macosx`` or ``xrsimulator``."""
    for prefix, names in _SDK_PLATFORMS:
        if sdk.lower().startswith(prefix):
            return names
    return ()


def _yes(value: str | None) -> bool:
    return (value or "").strip().upper() in ("YES", "TRUE", "1")


#: ``INFOPLIST_KEY_<suffix>`` build settings whose Info.plist key differs from the suffix.
_INFOPLIST_SUFFIXES = (("_Generation", ""), ("_iPad", "~ipad"), ("_iPhone", "~iphone"))


def generated_info_plist(settings: dict[str, str]) -> dict[str, str] | None:
    """The Info.plist keys Xcode writes from ``INFOPLIST_KEY_*`` settings, or None.

    None unless ``GENERATE_INFOPLIST_FILE = YES``. ``INFOPLIST_KEY_NSCameraUsageDescription``
    becomes ``NSCameraUsageDescription``; ``…_iPad`` / ``…_iPhone`` become the ``~ipad`` /
    ``~iphone`` variants and ``…_Generation`` (scene manifest, launch screen) the bare key.
    Values stay the strings the settings hold. A conditional setting
    (``INFOPLIST_KEY_NSCameraUsageDescription[sdk=iphoneos*]``, common in multiplatform
    targets) counts too, so a purpose string given for some SDKs is not reported missing;
    the unconditional value wins when both are set.
    """
    if not _yes(settings.get("GENERATE_INFOPLIST_FILE")):
        return None
    generated: dict[str, str] = {}
    conditional: dict[str, str] = {}
    for name, value in settings.items():
        if not name.startswith("INFOPLIST_KEY_"):
            continue
        key, bracket, _ = name[len("INFOPLIST_KEY_"):].partition("[")
        for suffix, replacement in _INFOPLIST_SUFFIXES:
            if key.endswith(suffix):
                key = key[: -len(suffix)] + replacement
                break
        if key:
            (conditional if bracket else generated)[key] = value
    return {**conditional, **generated}


def entitlements_platforms(
    base: str | None, conditional: dict[str, str], platforms: tuple[str, ...]
) -> list[tuple[str, tuple[str, ...]]]:
    """Each entitlements file a target signs with, and the platforms that use it.

    ``CODE_SIGN_ENTITLEMENTS[sdk=macosx*] = Mac.entitlements`` gives the Mac builds (macOS,
    or Mac Catalyst, which builds against the macOS SDK) their own file; the unconditional
    file keeps the other platforms (all of them when the conditions cover every one). A
    condition on anything but the SDK (``config=``, ``arch=``) may apply to every platform.
    """
    files: dict[str, set[str]] = {}
    claimed: set[str] = set()
    for condition, path in conditional.items():
        covered = set(platforms)
        for part in condition.split(","):
            name, _, pattern = part.partition("=")
            if name.strip() != "sdk":
                continue
            sdk = pattern.strip().rstrip("*")
            covered = set(sdk_platforms(sdk)) & set(platforms)
            if "macOS" in sdk_platforms(sdk) and "macCatalyst" in platforms:
                covered.add("macCatalyst")
        files.setdefault(path, set()).update(covered or platforms)
        claimed.update(covered)
    if base:
        rest = set(platforms) - claimed
        files.setdefault(base, set()).update(rest or platforms)
    return [(path, tuple(p for p in PLATFORM_ORDER if p in found)) for path, found in files.items()]


def _resolve_project(root: object, pbxproj: Path, bundle: Path) -> Project:
    where = str(pbxproj)
    if not isinstance(root, dict):
        raise InputError(f"{where}: not an Xcode project (top level is not a dictionary)")
    objects = root.get("objects")
    project = objects.get(root.get("rootObject", "")) if isinstance(objects, dict) else None
    if not isinstance(objects, dict) or not isinstance(project, dict):
        raise InputError(f"{where}: not an Xcode project (no objects or rootObject)")
    graph = _Graph(objects, where)
    project_dir = bundle.parent
    relative_dir = project.get("projectDirPath")
    if isinstance(relative_dir, str) and relative_dir:
        project_dir = project_dir / relative_dir
    base = {
        "SRCROOT": str(project_dir),
        "PROJECT_DIR": str(project_dir),
        "SOURCE_ROOT": str(project_dir),
        "PROJECT_NAME": bundle.stem,
        "PROJECT_FILE_PATH": str(bundle),
    }
    project_configs, _ = graph.configurations(project.get("buildConfigurationList"))
    budget = _Budget()
    targets: list[Target] = []
    for target_id in graph.ids(project.get("targets")):
        target = graph.get(target_id)
        if target.get("isa") != "PBXNativeTarget":
            continue
        name = graph.text(target, "name")
        configs, default = graph.configurations(target.get("buildConfigurationList"))
        resolved = tuple(
            _configuration(config_name, settings, project_configs.get(config_name, {}), base, name, budget)
            for config_name, settings in configs.items()
        )
        targets.append(Target(name, graph.text(target, "productType"), resolved, default))
    return Project(str(pbxproj), bundle.stem, str(project_dir), tuple(targets))


class _Graph:
    """Typed lookups in the ``objects`` table; a dangling or mistyped reference is an error."""

    def __init__(self, objects: dict[str, object], where: str) -> None:
        self.objects = objects
        self.where = where

    def get(self, object_id: str) -> dict[str, object]:
        value = self.objects.get(object_id)
        if not isinstance(value, dict):
            raise InputError(f"{self.where}: reference {excerpt(object_id, 80)} does not name an object")
        return value

    def ids(self, value: object) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise InputError(f"{self.where}: expected a list of object references")
        return value

    def text(self, entry: dict[str, object], key: str) -> str:
        value = entry.get(key, "")
        if not isinstance(value, str):
            raise InputError(f"{self.where}: {key} should be a string")
        return value

    def configurations(self, list_id: object) -> tuple[dict[str, dict[str, str]], str | None]:
        if not isinstance(list_id, str):
            return {}, None
        config_list = self.get(list_id)
        result: dict[str, dict[str, str]] = {}
        for config_id in self.ids(config_list.get("buildConfigurations")):
            config = self.get(config_id)
            settings = config.get("buildSettings", {})
            if not isinstance(settings, dict):
                raise InputError(f"{self.where}: buildSettings of {excerpt(config_id, 80)} is not a dictionary")
            flat = {
                key: " ".join(v for v in value if isinstance(v, str))
                if isinstance(value, list)
                else value
                for key, value in settings.items()
                if isinstance(value, (str, list))
            }
            result[self.text(config, "name")] = flat
        default = config_list.get("defaultConfigurationName")
        return result, default if isinstance(default, str) else None


_REFERENCE = re.compile(r"\$(?:\(([A-Za-z0-9_:=.\-]+)\)|\{([A-Za-z0-9_:=.\-]+)\})")


def _configuration(
    name: str,
    target_settings: dict[str, str],
    project_settings: dict[str, str],
    base: dict[str, str],
    target_name: str,
    budget: _Budget | None = None,
) -> Configuration:
    project_level = {
        key: _INHERITED.sub("", value).strip() for key, value in project_settings.items()
    }
    merged = dict(project_level)
    for key, value in target_settings.items():
        inherited = project_level.get(key, "")
        parts = _INHERITED.split(value)
        _check_length(len(inherited) * (len(parts) - 1) + sum(map(len, parts)))
        merged[key] = inherited.join(parts).strip()
    context = {
        **base,
        "TARGET_NAME": target_name,
        "CONFIGURATION": name,
        "PRODUCT_NAME": target_name,
        **merged,
    }
    expander = _Expander(context, budget or _Budget())
    resolved = {key: expander.expand(value) for key, value in merged.items()}
    project_dir = base["PROJECT_DIR"]

    def path_of(key: str) -> str | None:
        value = resolved.get(key, "")
        return os.path.normpath(os.path.join(project_dir, value)) if value else None

    conditional = {
        key[len("CODE_SIGN_ENTITLEMENTS[") : -1]: os.path.normpath(os.path.join(project_dir, value))
        for key, value in resolved.items()
        if key.startswith("CODE_SIGN_ENTITLEMENTS[") and key.endswith("]") and value
    }
    return Configuration(
        name=name,
        entitlements_path=path_of("CODE_SIGN_ENTITLEMENTS"),
        info_plist_path=path_of("INFOPLIST_FILE"),
        platforms=platforms_for(resolved),
        bundle_identifier=resolved.get("PRODUCT_BUNDLE_IDENTIFIER") or None,
        conditional_entitlements=conditional,
        settings=resolved,
        unresolved=tuple(sorted(expander.unresolved)),
        generated_info=generated_info_plist(resolved),
    )


_INHERITED = re.compile(r"\$(?:\(inherited\)|\{inherited\})")


def _check_length(length: int) -> None:
    if length > MAX_EXPANDED_LENGTH:
        raise InputError(f"a build setting expands past {MAX_EXPANDED_LENGTH:,} characters")


class _Budget:
    """Characters expanded for one project, over all its targets and configurations.

    Each setting is capped by :data:`MAX_EXPANDED_LENGTH`; this caps their sum, since
    thousands of short settings may each name the same long one.
    """

    def __init__(self) -> None:
        self.left = MAX_EXPANDED_TOTAL

    def spend(self, length: int) -> None:
        self.left -= length
        if self.left < 0:
            raise InputError(f"build settings expand past {MAX_EXPANDED_TOTAL:,} characters in all")


class _Expander:
    """Expands each variable once (memoised); a cycle leaves the reference as written."""

    def __init__(self, context: dict[str, str], budget: _Budget) -> None:
        self.context = context
        self.budget = budget
        self.done: dict[str, str] = {}
        self.active: set[str] = set()
        self.unresolved: set[str] = set()

    def expand(self, value: str) -> str:
        """Expand ``$(VAR)`` and ``${VAR}`` references; unknown ones stay and are recorded.

        The length is checked piece by piece while expanding: a setting that names a long
        one many times is refused before the long result is built.
        """
        pieces: list[str] = []
        length = 0
        position = 0
        for match in _REFERENCE.finditer(value):
            for piece in (value[position:match.start()], self._replace(match)):
                length += len(piece)
                _check_length(length)
                pieces.append(piece)
            position = match.end()
        rest = value[position:]
        _check_length(length + len(rest))
        self.budget.spend(length + len(rest))
        pieces.append(rest)
        return "".join(pieces)

    def _replace(self, match: re.Match[str]) -> str:
        variable, _, modifier = (match.group(1) or match.group(2)).partition(":")
        if variable not in self.context or variable in self.active:
            self.unresolved.add(variable)
            return match.group(0)
        if variable not in self.done:
            self.active.add(variable)
            self.done[variable] = self.expand(self.context[variable])
            self.active.discard(variable)
        return _modify(self.done[variable], modifier)


def _modify(text: str, modifier: str) -> str:
    if modifier == "rfc1034identifier":
        return re.sub(r"[^A-Za-z0-9.\-]", "-", text)
    if modifier in ("c99extidentifier", "identifier"):
        return re.sub(r"[^A-Za-z0-9_]", "_", text)
    if modifier == "lower":
        return text.lower()
    if modifier == "upper":
        return text.upper()
    return text
