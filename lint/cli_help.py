"""The words every `entlint` command's help shares, so `check` (argparse, for a fast start)
and the typer commands speak with one voice.

Conventions: placeholders in capitals (``PATH``, ``NAME``, ``KEY``, ``FORMAT``); help texts
are sentences; each option with a fixed set of values lists them; each command ends with
examples. This module imports nothing, so `entlint check` can use it without slowing down.
"""

from __future__ import annotations

PLATFORMS = "iOS, iPadOS, macOS, macCatalyst, tvOS, watchOS or visionOS"
#: Xcode's $(PLATFORM_NAME) values, accepted wherever a platform is.
XCODE_PLATFORMS = "iphoneos, macosx, appletvos, watchos, xros and their simulators"
PLATFORM_HELP = f"{PLATFORMS}; Xcode's {XCODE_PLATFORMS} are accepted too."
DISTRIBUTIONS = "development, ad-hoc, app-store, in-house or developer-id"

EXIT_CODES = """\
Exit codes:
  0  no finding at or above the failing severity
     (--fail-level, default: warning)
  1  a finding at or above it (or, with --diff, a fix to show)
  2  an input or usage error: a file that cannot be read or parsed, a bad
     option or bad configuration
"""

CHECK_EXAMPLES = """\
Examples:
  entlint check                                  # the current folder, recursively
  entlint check App/App.entitlements App/Info.plist
  entlint check --platform macOS --distribution developer-id Mac/
  entlint check --fix                            # apply safe fixes
  entlint check --unsafe-fixes --diff | git apply
  entlint check --stdin-filename App.entitlements < App.entitlements
  entlint check --format sarif -o entlint.sarif --exit-zero .
"""

MAIN_EPILOG = """\
Run `entlint COMMAND -h` for a command's options and examples.

Examples:
  entlint check .
  entlint rule ENT001
  entlint db show com.apple.developer.family-controls --platform iOS

""" + EXIT_CODES


def click_block(text: str) -> str:
    """Keep ``text``'s line breaks in click's help (``\\b`` stops rewrapping a paragraph)."""
    return "\n\n".join("\b\n" + part for part in text.strip("\n").split("\n\n"))
