"""entlint's linter: checks entitlements files and Info.plist files against the database.

The Python API::

    from entitlements_lint import lint_file, lint_text
    for finding in lint_file("App/App.entitlements", platforms=["iOS"]).findings:
        print(finding.code, finding.message)
"""

from __future__ import annotations

__version__ = "0.2.0"

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Sequence

    from entitlements_lint.engine import FileResult

__all__ = ["__version__", "lint_artefact", "lint_file", "lint_text"]


def _settings(path: str, platforms: Sequence[str] | None, distribution: str | None):  # type: ignore[no-untyped-def]
    from entitlements_lint.config import ConfigFinder, distribution_name, platform_name

    settings = ConfigFinder().for_path(path)
    if platforms:
        settings.platforms = tuple(platform_name(p, "platforms") for p in platforms)
    if distribution:
        settings.distribution = distribution_name(distribution, "distribution")
    return settings


def lint_file(
    path: str, platforms: Sequence[str] | None = None, distribution: str | None = None
) -> FileResult:
    """Lint one file on disk with the configuration found above it."""
    from entitlements_db import load
    from entitlements_lint.engine import lint_path

    return lint_path(path, _settings(path, platforms, distribution), load())


def lint_text(
    text: str | bytes,
    path: str = "App.entitlements",
    platforms: Sequence[str] | None = None,
    distribution: str | None = None,
) -> FileResult:
    """Lint a document held in memory; ``path`` decides its kind and configuration."""
    from entitlements_db import load
    from entitlements_lint.engine import lint_bytes

    data = text.encode("utf-8") if isinstance(text, str) else text
    return lint_bytes(data, path, _settings(path, platforms, distribution), load())


def lint_artefact(
    path: str,
    platforms: Sequence[str] | None = None,
    distribution: str | None = None,
    profile: str | None = None,
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

    settings = _settings(path, platforms, distribution)
    try:
        loaded = signing.load_profile(profile) if profile else None
    except InputError as exc:
        return [input_error(profile or path, exc.message)]
    if signing.artefact_kind(path) == signing.PROJECT:
        return signing.lint_project(path, settings, load(), loaded)
    return signing.lint_product(path, settings, load(), loaded)[0]
