"""Find every signed executable in a built product and what it was signed with.

Accepts a ``.app``/``.appex`` bundle, an ``.xcarchive``, an ``.ipa`` or a bare Mach-O
file. For each bundle it follows ``CFBundleExecutable`` (iOS layout ``X.app/X``, macOS
layout ``X.app/Contents/MacOS/X``), reads the code signature's entitlements through
:mod:`entitlements_lint.artefacts.macho`, picks up the embedded profile (``embedded.mobileprovision``,
or ``Contents/embedded.provisionprofile`` on macOS, TN3125), and descends into nested
bundles: app extensions, ExtensionKit extensions, watch apps, App Clips, and on macOS
login items, XPC services and system extensions.

An ``.ipa`` is a zip archive and is never extracted: members are streamed into one
buffer of their declared size, with caps on each member's size (lint.limits), the total
read and the compression ratio (zip bombs), only
stored or deflated members are read (bzip2/LZMA decompress unbounded in one call), and
an archive holding an absolute or ``..`` member path is refused whole.
"""

from __future__ import annotations

import mmap
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from entitlements_lint import limits
from entitlements_lint.artefacts import macho
from entitlements_lint.errors import InputError, excerpt
from entitlements_lint.plist import load_dict

MAX_EXECUTABLE_SIZE = limits.MAX_ARCHIVE_MEMBER_BYTES
MAX_PLIST_SIZE = limits.MAX_ARCHIVE_PLIST_BYTES
_CHUNK = 1024 * 1024
MAX_ZIP_TOTAL_READ = limits.MAX_ARCHIVE_TOTAL_BYTES
MAX_ZIP_RATIO = limits.MAX_ARCHIVE_RATIO
RATIO_FLOOR = 1024 * 1024
MAX_ZIP_MEMBERS = limits.MAX_ARCHIVE_MEMBERS
MAX_NESTING = limits.MAX_BUNDLE_NESTING

_NESTED = (
    ("PlugIns", ".appex"),
    ("Extensions", ".appex"),
    ("Watch", ".app"),
    ("AppClips", ".app"),
    ("Library/LoginItems", ".app"),
    ("XPCServices", ".xpc"),
    ("Library/SystemExtensions", ".systemextension"),
)


@dataclass(frozen=True, slots=True)
class SignedExecutable:
    """One executable: where it is, what its signature claims, and the profile beside it.

    ``display_path`` is relative to the folder holding the input (``X.app/X``) or to the
    archive root (``Payload/X.app/X``); ``bundle_path`` is its bundle ("" for a bare file).
    """

    display_path: str
    bundle_path: str
    bundle_identifier: str | None
    architectures: tuple[macho.ArchEntitlements, ...]
    profile: bytes | None
    profile_path: str | None


class _Tree(Protocol):
    """Read-only access to a folder or an archive by relative POSIX path."""

    def kind(self, rel: str) -> str | None: ...

    def names(self, rel: str) -> list[str]: ...

    def read(self, rel: str, limit: int) -> bytes | bytearray: ...

    def executable(self, rel: str) -> tuple[macho.ArchEntitlements, ...]: ...


def find_executables(path: str | os.PathLike[str]) -> list[SignedExecutable]:
    """Every signed executable in the product at ``path``, the outermost first."""
    target = Path(os.path.abspath(path))
    try:
        if target.is_dir():
            return _from_folder(target)
        if target.is_file():
            with open(target, "rb") as handle:
                head = handle.read(4)
            if head.startswith(b"PK"):
                return _from_archive(target)
            if macho.is_macho(head):
                tree = _DirTree(target.parent)
                return [
                    SignedExecutable(
                        target.name, "", None, tree.executable(target.name), None, None
                    )
                ]
            raise InputError(f"{path}: not a bundle, an .ipa or a Mach-O file")
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error})") from None
    raise InputError(f"{path}: no such file or folder")


def _from_folder(target: Path) -> list[SignedExecutable]:
    tree = _DirTree(target.parent)
    found: list[SignedExecutable] = []
    if target.suffix == ".xcarchive":
        folder = f"{target.name}/Products/Applications"
        apps = [name for name in tree.names(folder) if name.endswith(".app")]
        if not apps:
            raise InputError(f"{target.name}: archive has no Products/Applications/*.app")
        for app in apps:
            _walk(tree, f"{folder}/{app}", 0, found)
        return found
    _walk(tree, target.name, 0, found)
    return found


def _from_archive(target: Path) -> list[SignedExecutable]:
    try:
        archive = zipfile.ZipFile(target)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise InputError(f"{target.name}: not a readable zip archive ({error})") from None
    with archive:
        tree = _ZipTree(archive, target.name)
        apps = [name for name in tree.names("Payload") if name.endswith(".app")]
        if not apps:
            raise InputError(f"{target.name}: archive has no Payload/*.app")
        found: list[SignedExecutable] = []
        for app in apps:
            _walk(tree, f"Payload/{app}", 0, found)
        return found


def _walk(tree: _Tree, bundle: str, depth: int, found: list[SignedExecutable]) -> None:
    """Add the bundle's executable, then its nested bundles in name order."""
    if depth > MAX_NESTING:
        raise InputError(f"{bundle}: bundles nested more than {MAX_NESTING} deep")
    if tree.kind(f"{bundle}/Contents/Info.plist") == "file":
        contents, executable_folder = f"{bundle}/Contents", f"{bundle}/Contents/MacOS"
        profile_path = f"{bundle}/Contents/embedded.provisionprofile"
    elif tree.kind(f"{bundle}/Info.plist") == "file":
        contents, executable_folder = bundle, bundle
        profile_path = f"{bundle}/embedded.mobileprovision"
    else:
        raise InputError(f"{bundle}: not a bundle (no Info.plist or Contents/Info.plist)")
    info_path = f"{contents}/Info.plist"
    info = load_dict(tree.read(info_path, MAX_PLIST_SIZE), info_path)
    name = info.get("CFBundleExecutable", PurePosixPath(bundle).stem)
    if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\0" in name:
        raise InputError(f"{info_path}: CFBundleExecutable {excerpt(name)} is not a file name")
    executable = f"{executable_folder}/{name}"
    kind = tree.kind(executable)
    if kind != "file":
        problem = "is missing" if kind is None else "is not a regular file"
        raise InputError(f"{bundle}: executable {excerpt(name)} named by CFBundleExecutable {problem}")
    identifier = info.get("CFBundleIdentifier")
    has_profile = tree.kind(profile_path) == "file"
    found.append(
        SignedExecutable(
            display_path=executable,
            bundle_path=bundle,
            bundle_identifier=identifier if isinstance(identifier, str) else None,
            architectures=tree.executable(executable),
            profile=bytes(tree.read(profile_path, MAX_PLIST_SIZE)) if has_profile else None,
            profile_path=profile_path if has_profile else None,
        )
    )
    for folder, suffix in _NESTED:
        parent = f"{contents}/{folder}"
        for child in tree.names(parent):
            if child.endswith(suffix) and tree.kind(f"{parent}/{child}") == "dir":
                _walk(tree, f"{parent}/{child}", depth + 1, found)


class _DirTree:
    """A folder on disk; symlinks are followed but only regular files are read."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _stat(self, rel: str) -> os.stat_result | None:
        try:
            return os.stat(self._root / rel)
        except (OSError, ValueError):
            return None

    def kind(self, rel: str) -> str | None:
        info = self._stat(rel)
        if info is None:
            return None
        if stat.S_ISDIR(info.st_mode):
            return "dir"
        return "file" if stat.S_ISREG(info.st_mode) else "other"

    def names(self, rel: str) -> list[str]:
        if self.kind(rel) != "dir":
            return []
        try:
            return sorted(os.listdir(self._root / rel))
        except OSError as error:
            raise InputError(f"{rel}: cannot list ({error.strerror or error})") from None

    def _open(self, rel: str, limit: int) -> tuple[int, int]:
        try:
            fd = os.open(self._root / rel, os.O_RDONLY)
        except OSError as error:
            raise InputError(f"{rel}: cannot be read ({error.strerror or error})") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise InputError(f"{rel}: not a regular file")
        if info.st_size > limit:
            os.close(fd)
            raise InputError(f"{rel}: {info.st_size} bytes, more than the {limit} limit")
        return fd, info.st_size

    def read(self, rel: str, limit: int) -> bytes:
        fd, _size = self._open(rel, limit)
        try:
            with os.fdopen(fd, "rb") as handle:
                return handle.read(limit + 1)[:limit]
        except OSError as error:
            raise InputError(f"{rel}: cannot be read ({error.strerror or error})") from None

    def executable(self, rel: str) -> tuple[macho.ArchEntitlements, ...]:
        fd, size = self._open(rel, MAX_EXECUTABLE_SIZE)
        try:
            if size == 0:
                raise InputError(f"{rel}: empty file, not a Mach-O executable")
            mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except OSError as error:
            raise InputError(f"{rel}: cannot be read ({error.strerror or error})") from None
        finally:
            os.close(fd)
        try:
            return _with_context(rel, mapped)
        finally:
            mapped.close()


def _with_context(rel: str, data: macho.Buffer) -> tuple[macho.ArchEntitlements, ...]:
    try:
        return macho.read_macho(data)
    except InputError as error:
        raise InputError(f"{rel}: {error.message}") from None


class _ZipTree:
    """An archive read in memory; member names are checked once, when it is opened."""

    def __init__(self, archive: zipfile.ZipFile, label: str) -> None:
        self._archive = archive
        self._label = label
        self._read_so_far = 0
        self._files: dict[str, zipfile.ZipInfo] = {}
        self._children: dict[str, set[str]] = {}
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise InputError(f"{label}: {len(members)} members, more than {MAX_ZIP_MEMBERS}")
        for info in members:
            name = info.filename
            parts = name.replace("\\", "/").split("/")
            if (
                name.startswith(("/", "\\"))
                or (len(name) > 1 and name[1] == ":")
                or ".." in parts
                or "\0" in name
            ):
                raise InputError(f"{label}: unsafe member path {name!r} (absolute or '..')")
            parts = [part for part in parts if part not in ("", ".")]
            if not parts:
                continue
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth])
                self._children.setdefault(parent, set()).add(parts[depth])
            if not info.is_dir():
                self._files["/".join(parts)] = info

    def kind(self, rel: str) -> str | None:
        if rel in self._files:
            return "file"
        return "dir" if rel in self._children else None

    def names(self, rel: str) -> list[str]:
        return sorted(self._children.get(rel, ()))

    def read(self, rel: str, limit: int) -> bytearray:
        """The member's bytes, streamed into one buffer of its declared size: never more
        than ``limit`` bytes, and never a second copy (as joining chunks would make)."""
        info = self._files.get(rel)
        where = f"{self._label}: {rel}"
        if info is None:
            raise InputError(f"{where}: no such member")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise InputError(f"{where}: is a symbolic link")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InputError(f"{where}: compression method {info.compress_type} is not supported")
        if info.file_size > limit:
            raise InputError(f"{where}: {info.file_size} bytes, more than the {limit} limit")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_ZIP_RATIO * max(
            info.compress_size, 1
        ):
            raise InputError(
                f"{where}: compression ratio above {MAX_ZIP_RATIO}:1, refusing a possible zip bomb"
            )
        if self._read_so_far + info.file_size > MAX_ZIP_TOTAL_READ:
            raise InputError(f"{self._label}: more than {MAX_ZIP_TOTAL_READ} bytes to decompress")
        buffer = bytearray(info.file_size)  # the declared size, checked against the limit above
        view = memoryview(buffer)
        total = 0
        try:
            with self._archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    end = total + len(chunk)
                    if end > info.file_size:
                        raise InputError(f"{where}: decompresses past its declared size")
                    view[total:end] = chunk
                    total = end
        except InputError:
            raise
        except Exception as error:  # noqa: BLE001 - BadZipFile, zlib.error, RuntimeError…
            raise InputError(f"{where}: cannot be decompressed ({error})") from None
        finally:
            view.release()
        if total != info.file_size:
            raise InputError(f"{where}: decompresses short of its declared size")
        self._read_so_far += total
        return buffer

    def executable(self, rel: str) -> tuple[macho.ArchEntitlements, ...]:
        return _with_context(rel, self.read(rel, MAX_EXECUTABLE_SIZE))
