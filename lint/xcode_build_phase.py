"""`entlint xcode-build-phase`: lint the target Xcode is building, from its Run Script environment.

Xcode runs a Run Script phase with every build setting of the target in the environment,
already expanded. This command reads them and lints exactly the target's files, once:

* ``CODE_SIGN_ENTITLEMENTS``: the entitlements file signed in this build (Xcode has already
  applied any ``[sdk=…]`` condition), relative to ``PROJECT_DIR`` (else ``SRCROOT``);
* ``INFOPLIST_FILE``: the Info.plist, when the target has one; with
  ``GENERATE_INFOPLIST_FILE = YES`` the ``INFOPLIST_KEY_*`` settings are part of the
  target's Info.plist too (merged with the file when both exist), so purpose-string checks
  work for targets without any Info.plist file;
* the file's platforms: every platform the target builds for, not only the one being built
  now (``SUPPORTED_PLATFORMS``, else ``SDKROOT``; ``SUPPORTS_MACCATALYST``; plus
  ``PLATFORM_NAME``, as Mac Catalyst when ``IS_MACCATALYST = YES`` or
  ``EFFECTIVE_PLATFORM_NAME = -maccatalyst``). A multiplatform target's iOS build therefore
  does not fail on its macOS keys. "Designed for iPhone/iPad" on Mac or Vision Pro adds no
  platform: it runs the iOS binary with the iOS entitlements;
* the distribution, only when the signing identity tells it (see :func:`distribution_of`).
  ``CONFIGURATION`` does not: a Release build may be signed for development, and an
  archive is re-signed when exported.

Xcode's environment wins over configured ``platforms``: it is the truth about this target.
Everything else (rules, severities, ``fail-level``, ``granted``) comes from the
configuration found upward from the entitlements file, as for ``entlint check``. Findings
are printed as ``path:line:column: error: message [CODE]``, which Xcode shows inline.
Exit codes are those of ``entlint check``; a build with no file to lint passes.
"""

from __future__ import annotations

import argparse
import os
import sys

from entitlements_lint.findings import SEVERITIES, SEVERITY_RANK

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

FORMATS = ("xcode", "text", "json", "github")
#: Signing identities (certificate common-name prefixes) and the distribution they mean.
DEVELOPMENT_IDENTITIES = ("Apple Development", "iPhone Developer", "Mac Developer")
DEVELOPER_ID_IDENTITIES = ("Developer ID Application",)


class BuildPhaseError(Exception):
    """The environment is not a usable Xcode build (exit code 2)."""


class BuildTarget:
    """What Xcode's environment says about the target being built."""

    __slots__ = ("entitlements", "info_plist", "platforms", "generated_info", "distribution", "bundle_identifier")

    def __init__(self, entitlements: str | None, info_plist: str | None, platforms: tuple[str, ...],
                 generated_info: dict[str, str] | None, distribution: str | None,
                 bundle_identifier: str | None) -> None:
        self.entitlements = entitlements
        self.info_plist = info_plist
        self.platforms = platforms
        self.generated_info = generated_info
        self.distribution = distribution
        self.bundle_identifier = bundle_identifier


def distribution_of(environ: Mapping[str, str]) -> str | None:
    """The distribution a build's signing identity implies, or None when it cannot be told.

    ``Developer ID Application`` → developer-id. A development identity (``Apple
    Development``, ``iPhone Developer``, ``Mac Developer``) → development, except when
    archiving (``ACTION = install``): Xcode signs archives for development and re-signs
    them for the chosen distribution on export. ``Apple Distribution`` could be App Store,
    ad hoc or in-house, and ``-`` (sign to run locally) is none of them: None.
    """
    identity = (environ.get("EXPANDED_CODE_SIGN_IDENTITY_NAME") or environ.get("CODE_SIGN_IDENTITY") or "").strip()
    if identity.startswith(DEVELOPER_ID_IDENTITIES):
        return "developer-id"
    if identity.startswith(DEVELOPMENT_IDENTITIES) and environ.get("ACTION") != "install":
        return "development"
    return None


def read_environment(environ: Mapping[str, str]) -> BuildTarget:
    """The target's files and platforms from a Run Script phase's environment."""
    from entitlements_lint.artefacts.xcodeproj import generated_info_plist, platforms_for

    base = environ.get("PROJECT_DIR") or environ.get("SRCROOT") or ""
    if not base and not environ.get("PLATFORM_NAME"):
        raise BuildPhaseError(
            "xcode-build-phase reads Xcode's build settings from the environment "
            "(PROJECT_DIR, CODE_SIGN_ENTITLEMENTS, …): run it from a Run Script build phase, "
            "or use `entlint check`"
        )

    def path_of(name: str) -> str | None:
        value = environ.get(name, "").strip()
        if not value:
            return None
        return os.path.normpath(os.path.join(base or os.getcwd(), value))

    return BuildTarget(
        entitlements=path_of("CODE_SIGN_ENTITLEMENTS"),
        info_plist=path_of("INFOPLIST_FILE"),
        platforms=platforms_for(dict(environ)),
        generated_info=generated_info_plist(dict(environ)),
        distribution=distribution_of(environ),
        bundle_identifier=environ.get("PRODUCT_BUNDLE_IDENTIFIER") or None,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="entlint xcode-build-phase",
        description="Lint the entitlements file and Info.plist of the target Xcode is building, "
                    "from the build settings in a Run Script phase's environment.",
    )
    parser.add_argument("--distribution", metavar="MODEL",
                        help="development, ad-hoc, app-store, in-house or developer-id "
                             "(default: from the configuration, else the signing identity)")
    parser.add_argument("--format", choices=FORMATS, default="xcode", help="output format (default: xcode)")
    parser.add_argument("--fail-level", choices=SEVERITIES,
                        help="lowest severity that fails the build (default: the configuration's, else warning)")
    parser.add_argument("--exit-zero", action="store_true", help="never fail the build for findings")
    parser.add_argument("--isolated", action="store_true", help="ignore configuration files")
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    environ = os.environ if environ is None else environ
    from entitlements_db import load
    from entitlements_lint import config as cfg
    from entitlements_lint import report
    from entitlements_lint.artefacts.signing import lint_target_files
    from entitlements_lint.rules.base import Target

    try:
        build = read_environment(environ)
        anchor = build.entitlements or build.info_plist or environ.get("PROJECT_DIR") or os.getcwd()
        settings = cfg.Settings(root=os.getcwd()) if args.isolated else cfg.ConfigFinder().for_path(anchor)
        distribution = (
            cfg.distribution_name(args.distribution, "--distribution") if args.distribution
            else settings.distribution or build.distribution
        )
        if args.fail_level:
            settings.fail_level = args.fail_level
    except (BuildPhaseError, cfg.ConfigError) as exc:
        print(f"entlint: error: {exc}", file=sys.stderr)
        return 2
    platforms = build.platforms or settings.platforms
    target = Target(platforms, None, distribution, settings.granted, build.generated_info)
    if build.entitlements is None and build.info_plist is None:
        return 0  # nothing signed with entitlements and no Info.plist file: nothing to lint
    results = lint_target_files(
        [(build.entitlements, target)] if build.entitlements else [],
        (build.info_plist, target) if build.info_plist else None,
        build.info_plist, build.entitlements, settings, load(),
        bundle_identifier=build.bundle_identifier, shown=os.path.abspath,
    )
    for result in results:
        result.fail_level = settings.fail_level
    output = report.REPORTERS[args.format](results, False)
    if args.format == "text":
        output += report.summary(results, 0)
    sys.stdout.write(output)
    if any(r.failed for r in results):
        return 2
    if args.exit_zero:
        return 0
    failing = any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[r.fail_level] for r in results for f in r.findings)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
