"""The engine: a file's bytes + settings + the database → findings (and fixed bytes).

The CLI, the pre-commit hook, the language server and the Python API all lint
through :func:`lint_bytes`; nothing else decides what a finding is.
"""

from __future__ import annotations

import os

from entitlements_lint.errors import InputError
from entitlements_lint.findings import Finding
from entitlements_lint.plist import PlistDocument, parse
from entitlements_lint.rules import file_format
from entitlements_lint.rules.base import ENTITLEMENTS, INFO_PLIST, Context, Rule, Target

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from entitlements_db.database import Database
    from entitlements_lint.config import Settings
    from entitlements_lint.artefacts.profiles import Profile

SKIPPED_DIRS = frozenset({"node_modules", "DerivedData", "Pods", "Carthage", "build", "__pycache__"})
BUNDLE_SUFFIXES = (".app", ".appex", ".xcarchive", ".framework", ".bundle")
EXPLICIT_INPUT_SUFFIXES = (*BUNDLE_SUFFIXES, ".xcodeproj")
DEVICE_FAMILIES = {1: "iOS", 2: "iPadOS", 3: "tvOS", 4: "watchOS", 6: "macCatalyst", 7: "visionOS"}
SUPPORTED_PLATFORMS = {
    "iPhoneOS": ("iOS", "iPadOS"),
    "MacOSX": ("macOS",),
    "AppleTVOS": ("tvOS",),
    "WatchOS": ("watchOS",),
    "XROS": ("visionOS",),
}


class FileResult:
    """What linting one file produced. ``failed`` means it could not be read or parsed."""

    __slots__ = ("path", "kind", "findings", "failed", "document", "fixed", "fail_level")

    def __init__(self, path: str, kind: str, findings: list[Finding], failed: bool = False,
                 document: PlistDocument | None = None) -> None:
        self.path = path
        self.kind = kind
        self.findings = findings
        self.failed = failed
        self.document = document
        self.fixed = 0
        self.fail_level = "warning"


def file_kind(path: str) -> str | None:
    """What a path holds, judged by its name: entitlements, Info.plist, or neither."""
    name = path.rsplit("/", 1)[-1].rsplit(os.sep, 1)[-1]
    if not name.endswith((".entitlements", ".plist")):
        return None
    lower = name.lower()
    if lower.endswith(".entitlements") or (lower.endswith(".plist") and "entitlements" in lower):
        return ENTITLEMENTS
    if name == "Info.plist" or name.endswith("-Info.plist") or lower == "info.plist":
        return INFO_PLIST
    return None


def discover(paths: Iterable[str], notes: list[str] | None = None) -> Iterator[tuple[str, str | None]]:
    """Files to lint, with an error message for paths that cannot be listed.

    Explicit files are linted whatever their name (as entitlements unless named like an
    Info.plist); directories are searched for entitlements files and Info.plists,
    skipping hidden folders, build products and dependency folders. Bundles and
    ``.xcodeproj`` folders named explicitly are yielded as they are: the caller lints
    their signatures or project (see :mod:`entitlements_lint.artefacts.signing`).

    Each file is yielded once, by identity (device and inode, so by real path): a path
    given twice, a file given directly and reached through its folder, or two symbolic
    links to one file are linted once, under the name first met. (One ``stat`` per file:
    a third of the cost of ``os.path.realpath``.)

    A walk stays inside the paths given: a symbolic link found in a folder that leads
    outside all of them (``x.entitlements -> /etc/passwd``) is skipped, and ``notes`` gets
    a line saying so. Paths named explicitly are read wherever they lead.
    """
    paths = list(paths)
    seen: set[object] = set()
    for path, error in _discover(paths, notes if notes is not None else []):
        identity: object = path
        if error is None:
            try:
                st = os.stat(path)
                identity = (st.st_dev, st.st_ino)
            except OSError:
                pass  # reported when read
        if identity in seen:
            continue
        seen.add(identity)
        yield path, error


def _discover(paths: list[str], notes: list[str]) -> Iterator[tuple[str, str | None]]:
    roots: list[str] | None = None  # real paths of the folders given, computed on the first link met
    for path in paths:
        if os.path.isdir(path) and path.rstrip("/" + os.sep).endswith(".xcworkspace"):
            yield from _workspace(path)
        elif os.path.isdir(path) and not path.rstrip("/" + os.sep).endswith(EXPLICIT_INPUT_SUFFIXES):
            # a folder holding one Xcode project: its targets first (they know each file's
            # platform), then the walk, whose files the caller skips if the project covered them
            projects = [n for n in _listdir(path) if n.endswith(".xcodeproj")]
            if len(projects) == 1:
                yield os.path.normpath(os.path.join(path, projects[0])), None
            errors: list[OSError] = []
            found: list[str] = []
            for root, files in _walk(path, errors):
                for name, is_link in files:
                    if not file_kind(name):
                        continue
                    file = os.path.normpath(os.path.join(root, name))
                    if is_link:
                        if roots is None:
                            roots = [os.path.realpath(p) for p in paths if os.path.isdir(p)]
                        if not _inside(os.path.realpath(file), roots):
                            notes.append(f"{file}: skipped, a symbolic link that leads outside "
                                         f"the folders given (name the file to lint it)")
                            continue
                    found.append(file)
            yield from ((f, None) for f in sorted(found))
            for error in errors:
                yield error.filename or path, f"cannot read directory: {error.strerror}"
        elif os.path.exists(path) or os.path.islink(path):
            yield path, None
        else:
            yield path, "no such file or directory"


def _workspace(path: str) -> Iterator[tuple[str, str | None]]:
    """Each project a workspace lists, as if named on the command line (shown relative when inside).

    Dependency projects (``Pods/Pods.xcodeproj``) are skipped as the folder walk skips them:
    they are not the user's targets, and before ``pod install`` they do not exist yet.
    """
    from entitlements_lint.artefacts.xcworkspace import workspace_projects

    try:
        projects = workspace_projects(path)
    except InputError as exc:
        yield path, exc.message
        return
    name = os.path.basename(path.rstrip("/" + os.sep))
    for project in projects:
        if SKIPPED_DIRS.intersection(project.split(os.sep)[:-1]):
            continue
        relative = os.path.relpath(project)
        shown = project if relative.startswith(os.pardir) else relative
        yield (shown, None) if os.path.isdir(project) else (shown, f"no such Xcode project (listed by {name})")


def _walk(top: str, errors: list[OSError]) -> Iterator[tuple[str, list[tuple[str, bool]]]]:
    """Like ``os.walk`` (top-down, sorted folders, links to folders not followed), but each
    file comes with whether it is a symbolic link, which ``scandir`` knows for free."""
    stack = [top]
    while stack:
        root = stack.pop()
        try:
            with os.scandir(root) as entries:
                listed = list(entries)
        except OSError as error:
            errors.append(error)
            continue
        folders: list[str] = []
        files: list[tuple[str, bool]] = []
        for entry in listed:
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()
            except OSError:  # a link loop: a file whose read will say so
                is_link, is_dir = True, False
            if is_dir and not is_link:
                name = entry.name
                if not name.startswith(".") and name not in SKIPPED_DIRS and not name.endswith(BUNDLE_SUFFIXES):
                    folders.append(name)
            elif not is_dir:  # a link to a folder is not followed, as in os.walk
                files.append((entry.name, is_link))
        yield root, files
        stack.extend(os.path.join(root, name) for name in sorted(folders, reverse=True))


def _inside(real: str, roots: list[str]) -> bool:
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _listdir(path: str) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def read(path: str, limit: int | None = None) -> bytes:
    """The bytes of ``path``, at most ``limit`` (the document limit by default); every failure
    is an InputError with a plain message."""
    from entitlements_lint.plist import MAX_BYTES

    if limit is None:
        limit = MAX_BYTES
    try:
        with _open_for_reading(path) as fh:
            import stat

            info = os.fstat(fh.fileno())
            if stat.S_ISREG(info.st_mode):
                if info.st_size > limit:
                    raise InputError(f"file is larger than {_size(limit)}")
                data = fh.read()
            else:  # a pipe or device: read in chunks, never more than the limit
                chunks, total = [], 0
                while total <= limit:
                    chunk = fh.read(1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    total += len(chunk)
                data = b"".join(chunks)
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL in a path a project file names; the OS cannot even look it up
        raise InputError("cannot read: the path holds a NUL character") from None
    return data


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit:,} bytes"


def _open_for_reading(path: str):  # type: ignore[no-untyped-def]
    """Open without blocking on a FIFO that has no writer (a named pipe found in a folder
    would otherwise hang the run): such a pipe reads as empty. A pipe with a writer, as
    from `entlint check <(cat App.entitlements)`, is read as usual."""
    nonblock = getattr(os, "O_NONBLOCK", 0)
    if not nonblock:
        return open(path, "rb")
    import fcntl

    fd = os.open(path, os.O_RDONLY | nonblock)
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~nonblock)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class Siblings:
    """Finds the other file of a target in the same folder, listing each folder once per run."""

    def __init__(self) -> None:
        self._kinds: dict[str, dict[str, list[str]]] = {}
        self._documents: dict[str, PlistDocument | None] = {}

    def companion_path(self, path: str, kind: str) -> str | None:
        """The target's other file in the same folder, when there is exactly one."""
        directory = os.path.dirname(path) or "."
        kinds = self._kinds.get(directory)
        if kinds is None:
            kinds = {ENTITLEMENTS: [], INFO_PLIST: []}
            try:
                names = os.listdir(directory)
            except OSError:
                names = []
            for name in names:
                found = file_kind(name)
                if found:
                    kinds[found].append(name)
            self._kinds[directory] = kinds
        matches = kinds[INFO_PLIST if kind == ENTITLEMENTS else ENTITLEMENTS]
        return os.path.join(directory, matches[0]) if len(matches) == 1 else None

    def companion(self, path: str, kind: str) -> PlistDocument | None:
        """The companion parsed once per run (linting and fixing a file both ask for it)."""
        other = self.companion_path(path, kind)
        if other is None:
            return None
        if other not in self._documents:
            try:
                document: PlistDocument | None = parse(read(other))
            except InputError:
                document = None
            self._documents[other] = document if document is not None and document.root.kind == "dict" else None
        return self._documents[other]

    def forget(self, path: str) -> None:
        """Drop a file whose bytes were just rewritten (by --fix)."""
        directory = os.path.dirname(path) or "."
        self._documents.pop(os.path.join(directory, os.path.basename(path)), None)


def infer_target(settings: Settings, kind: str, document: PlistDocument,
                 companion: PlistDocument | None, db: Database) -> Target:
    """Platforms and distribution: configured, or inferred with the reason recorded."""
    granted = settings.granted
    if settings.platforms:
        return Target(settings.platforms, None, settings.distribution, granted)
    info = document if kind == INFO_PLIST else companion
    if info is not None:
        platforms = _platforms_from_info(info)
        if platforms:
            origin = "from the Info.plist" if kind == INFO_PLIST else "from the Info.plist next to it"
            return Target(platforms, origin, settings.distribution, granted)
    entitlements = document if kind == ENTITLEMENTS else companion
    if entitlements is not None:
        found = platforms_from_keys(entitlements, db)
        if found is not None:
            return Target(found[0], found[1], settings.distribution, granted)
    return Target(None, None, settings.distribution, granted)


#: Platform order for inferred platform lists (and to break ties between equal choices).
PLATFORM_ORDER = ("iOS", "iPadOS", "macOS", "macCatalyst", "tvOS", "watchOS", "visionOS")


def platforms_from_keys(entitlements: PlistDocument, db: Database) -> tuple[tuple[str, ...], str] | None:
    """Platforms an entitlements file's own keys imply, with the reason; None when they say nothing.

    Keys that exist everywhere say nothing. When every other key shares a platform and that
    is macOS only, the file is a macOS (or Mac Catalyst) file. When the keys belong to
    disjoint platform sets (App Sandbox keys beside iOS-only ones), the file is shared: its
    platforms are a smallest cover found greedily, so every known key exists on one of them.
    A macOS key counts for Mac Catalyst too, and iPadOS goes with iOS (one binary, one profile).
    """
    sets: list[tuple[str, frozenset[str]]] = []
    for entry in entitlements.root.entries:
        real = db.get(entry.key)
        if real is None:
            continue
        platforms = set(real.platforms)
        if "macOS" in platforms:
            platforms.add("macCatalyst")
        if platforms >= set(PLATFORM_ORDER):
            continue
        sets.append((entry.key, frozenset(platforms)))
    if not sets:
        return None
    common = frozenset.intersection(*(s for _, s in sets))
    if common:
        if common <= {"macOS", "macCatalyst"}:
            key = next(k for k, s in sets if s <= {"macOS", "macCatalyst"})
            return ("macOS", "macCatalyst"), f"inferred from `{key}`, which exists only on macOS"
        return None
    chosen: dict[str, str] = {}  # platform -> a key that needs it
    remaining = sets
    while remaining:
        best = max(PLATFORM_ORDER, key=lambda p: (sum(p in s for _, s in remaining), -PLATFORM_ORDER.index(p)))
        chosen[best] = next(k for k, s in remaining if best in s)
        remaining = [(k, s) for k, s in remaining if best not in s]
    if "iOS" in chosen:
        chosen.setdefault("iPadOS", chosen["iOS"])
    platforms = tuple(p for p in PLATFORM_ORDER if p in chosen)
    shown = [p for p in platforms if not (p == "iPadOS" and "iOS" in chosen)]
    because = ", ".join(f"`{chosen[p]}` ({p})" for p in shown)
    return platforms, f"inferred as shared by {' and '.join(shown)} from {because}"


def _platforms_from_info(info: PlistDocument) -> tuple[str, ...] | None:
    root = info.root
    found: list[str] = []
    supported = root.get("CFBundleSupportedPlatforms")
    for item in supported.value if supported is not None and supported.kind == "array" else ():
        found.extend(SUPPORTED_PLATFORMS.get(item.value, ()) if item.kind == "string" else ())
    families = root.get("UIDeviceFamily")
    for item in families.value if families is not None and families.kind == "array" else ():
        if item.kind == "integer" and item.value in DEVICE_FAMILIES:
            found.append(DEVICE_FAMILIES[item.value])
    if not found and (root.get("WKApplication") or root.get("WKWatchKitApp")):
        found.append("watchOS")
    if not found and root.get("LSMinimumSystemVersion") is not None:
        found.append("macOS")
    return tuple(dict.fromkeys(found)) or None


def lint_bytes(data: bytes, path: str, settings: Settings, db: Database, kind: str | None = None,
               companion: PlistDocument | None = None, target: Target | None = None,
               profile: Profile | None = None, signature_der: bytes | None = None,
               bundle_identifier: str | None = None, signed: bool = False) -> FileResult:
    """Lint one file's bytes. Never raises for bad input: it becomes a syntax-error finding.

    ``profile`` (a provisioning profile) and ``signature_der`` (a signature's DER
    entitlements) enable the profile and signature rules (ENT300–ENT304). ``signed`` marks
    the entitlements of a code signature: findings there carry no fix (there is no file to edit).
    """
    kind = kind or file_kind(path) or ENTITLEMENTS
    try:
        document = parse(data)
        if document.root.kind != "dict":
            raise InputError(f"the root of the property list must be a dictionary, not <{document.root.kind}>")
    except InputError as exc:
        return FileResult(path, kind, [_input_finding(file_format.syntax_error, path, exc)], failed=True)
    if target is None:
        target = infer_target(settings, kind, document, companion, db)
    ctx = Context(path, kind, document, db, target, companion, profile, signature_der, bundle_identifier, signed)
    findings = _collect(ctx, [rule for rule in settings.rules_for(path) if kind in rule.applies_to], settings)
    if signed:
        for finding in findings:
            finding.fix = None
    findings.sort(key=Finding.sort_key)
    return FileResult(path, kind, findings, document=document)


def _collect(ctx: Context, rules: list[Rule], settings: Settings) -> list[Finding]:
    """Every rule's findings, in rule order, capped per value and per file.

    Past :data:`~entitlements_lint.limits.MAX_FINDINGS_PER_VALUE` findings of one rule on
    one key, or :data:`~entitlements_lint.limits.MAX_FINDINGS_PER_FILE` in the file, the
    rest are only counted, and one finding of that rule (at the first one left out) says
    how many more there were. Rules ask :meth:`Context.has_room` before costly work such
    as suggestions, so a file of 100,000 unknown keys does not pay for 100,000 of them.
    """
    from entitlements_lint.limits import MAX_FINDINGS_PER_FILE, MAX_FINDINGS_PER_VALUE

    kept: list[Finding] = []
    per_value: dict[tuple[str, str | None], int] = {}
    left_out: dict[tuple[str, str | None], list] = {}  # group -> [first left out, count, per value?]
    for rule in rules:
        for finding in rule.run(ctx):
            group = (rule.code, finding.key)  # findings without a key count for the file only
            seen = per_value[group] = per_value.get(group, 0) + 1 if finding.key is not None else 0
            if seen > MAX_FINDINGS_PER_VALUE or len(kept) >= MAX_FINDINGS_PER_FILE:
                by_value = seen > MAX_FINDINGS_PER_VALUE
                summary_group = group if by_value else (rule.code, None)
                record = left_out.get(summary_group)
                if record is None:
                    finding.severity = settings.severity_of(rule.code, rule.name, finding.severity)
                    left_out[summary_group] = [finding, 1, by_value]
                else:
                    record[1] += 1
                continue
            finding.severity = settings.severity_of(rule.code, rule.name, finding.severity)
            kept.append(finding)
            ctx.reported = len(kept)
    for (code, key), (first, count, by_value) in left_out.items():
        where = f"on `{key}`" if by_value else "in this file"
        cap = f"at most {MAX_FINDINGS_PER_VALUE} per value" if by_value else f"at most {MAX_FINDINGS_PER_FILE:,} per file"
        first.message = f"{count:,} more `{first.rule}` findings {where} are not shown ({cap})"
        first.suggestions = []
        first.fix = None
        first.note = None
        first.omitted = count
        first.key = key
        kept.append(first)
    return kept


def lint_path(path: str, settings: Settings, db: Database, kind: str | None = None,
              siblings: Siblings | None = None, profile: Profile | None = None) -> FileResult:
    """Read and lint one file, pairing it with its target's other file when there is one."""
    kind = kind or file_kind(path) or ENTITLEMENTS
    try:
        data = read(path)
    except InputError as exc:
        return FileResult(path, kind, [_input_finding(file_format.io_error, path, exc)], failed=True)
    companion = (siblings or Siblings()).companion(path, kind)
    return lint_bytes(data, path, settings, db, kind, companion, profile=profile)


def input_error(path: str, message: str, kind: str = ENTITLEMENTS) -> FileResult:
    """A result for a path that could not even be opened or listed."""
    return FileResult(path, kind, [_input_finding(file_format.io_error, path, InputError(message))], failed=True)


def _input_finding(rule: Rule, path: str, exc: InputError) -> Finding:
    line = exc.line or 1
    column = exc.column or 1
    return Finding(rule.code, rule.name, rule.severity, exc.message, path, line, column)
