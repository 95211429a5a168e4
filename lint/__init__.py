"""entlint's linter: checks entitlements files and Info.plist files against the database.

The Python API::

    from entitlements_lint import lint_file, lint_text
    for finding in lint_file("App/App.entitlements", platforms=["iOS"]).findings:
        print(finding.code, finding.message)

Arguments are checked, because a wrong kind would otherwise fail deep inside with an
unhelpful message: paths are ``str`` or ``os.PathLike``; text is ``str``, ``bytes``,
``bytearray`` or ``memoryview``; ``platforms`` is one name (``"iOS"``) or a list of
names. Anything else raises TypeError (wrong kind) or ValueError (unknown name, empty
path), with a message that names the argument.
"""

from __future__ import annotations

__version__ = "0.2.0"

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    from entitlements_lint.engine import FileResult

__all__ = ["__version__", "lint_artefact", "lint_file", "lint_text"]


def _path(value: object, argument: str = "path") -> str:
    """A path given as ``str`` or ``os.PathLike`` (such as ``pathlib.Path``), as a str."""
    import os

    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{argument} must be a str or os.PathLike, not {type(value).__name__}")
    path = os.fsdecode(os.fspath(value))
    if not path:
        raise ValueError(f"{argument} must not be empty")
    if "\0" in path:
        raise ValueError(f"{argument} must not contain a NUL character")
    return path


def _bytes(text: object) -> bytes:
    """A document given as ``str`` (encoded as UTF-8), ``bytes``, ``bytearray`` or ``memoryview``."""
    if isinstance(text, bytes):
        return text
    if isinstance(text, (bytearray, memoryview)):
        return bytes(text)
    if isinstance(text, str):
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text holds characters UTF-8 cannot encode (lone surrogates)") from None
    raise TypeError(f"text must be str, bytes, bytearray or memoryview, not {type(text).__name__}")


def _settings(path: str, platforms: object, distribution: object):  # type: ignore[no-untyped-def]
    from entitlements_db.database import platform_names
    from entitlements_lint.config import ConfigFinder, distribution_name

    names = platform_names(platforms, "platforms")
    if distribution is not None and not isinstance(distribution, str):
        raise TypeError(f"distribution must be a str or None, not {type(distribution).__name__}")
    settings = ConfigFinder().for_path(path)
    if names:
        settings.platforms = names
    if distribution:
        settings.distribution = distribution_name(distribution, "distribution")
    return settings


def lint_file(
    path: str | os.PathLike[str],
    platforms: str | Sequence[str] | None = None,
    distribution: str | None = None,
) -> FileResult:
    """Lint one file on disk with the configuration found above it.

    Raises TypeError or ValueError for arguments of the wrong kind (see the README's
    "Python API"); a file that cannot be read is an io-error result, never an exception.
    """
    from entitlements_db import load
    from entitlements_lint.engine import lint_path

    path = _path(path)
    return lint_path(path, _settings(path, platforms, distribution), load())


def lint_text(
    text: str | bytes | bytearray | memoryview,
    path: str | os.PathLike[str] = "App.entitlements",
    platforms: str | Sequence[str] | None = None,
    distribution: str | None = None,
) -> FileResult:
    """Lint a document held in memory; ``path`` decides its kind and configuration."""
    from entitlements_db import load
    from entitlements_lint.engine import lint_bytes

    data = _bytes(text)
    path = _path(path)
    return lint_bytes(data, path, _settings(path, platforms, distribution), load())


def lint_artefact(
    path: str | os.PathLike[str],
    platforms: str | Sequence[str] | None = None,
    distribution: str | None = None,
    profile: str | os.PathLike[str] | None = None,
) -> list[FileResult]:
    """Lint a built product (.app, .appex, .ipa, .xcarchive, Mach-O) or an Xcode project.

    Each signature (or each target's file) gives one result. ``profile`` is the path of
    a provisioning profile to compare with, instead of a bundle's embedded one.
    Unreadable input becomes an io-error result, as on the command line.
    """
    from entitlements_db import load
    from entitlements_lint.artefacts import signing
    from entitlements_lint.engine import input_error
    from entitlements_lint.errors import InputError

    path = _path(path)
    profile = _path(profile, "profile") if profile is not None else None
    settings = _settings(path, platforms, distribution)
    try:
        loaded = signing.load_profile(profile) if profile else None
    except InputError as exc:
        return [input_error(profile or path, exc.message)]
    if signing.artefact_kind(path) == signing.PROJECT:
        return signing.lint_project(path, settings, load(), loaded)
    return signing.lint_product(path, settings, load(), loaded)[0]
