"""`entlint check`: parse options, lint every file, fix, report, choose the exit code.

This command runs in every pre-commit hook and Xcode build, so it starts without
typer (≈120 ms to import) and parses its options with argparse; `entlint --help`
still lists it through the typer application, which hands its arguments here.
Exit codes: 0 nothing at or above the failing severity, 1 findings, 2 input or usage error.
"""

from __future__ import annotations

import argparse
import os
import sys

from entitlements_lint.findings import SEVERITIES, SEVERITY_RANK

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Sequence

FORMATS = ("text", "concise", "xcode", "json", "sarif", "github")
DESCRIPTION = """\
Lint .entitlements files and Info.plists (directories are searched recursively),
the signatures of built products (.app, .appex, .xcarchive, .ipa, Mach-O) and
Xcode projects (.xcodeproj)."""


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help in the typer commands' style: ``Usage:``, capitalised sections."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)

    def _split_lines(self, text, width):  # type: ignore[no-untyped-def]
        import textwrap  # only when help is printed

        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


def build_parser() -> argparse.ArgumentParser:
    from entitlements_lint import cli_help

    parser = argparse.ArgumentParser(
        prog="entlint check", description=DESCRIPTION, add_help=False, formatter_class=_HelpFormatter,
        epilog=cli_help.CHECK_EXAMPLES + "\n" + cli_help.EXIT_CODES,
    )
    parser._positionals.title = "Arguments"
    parser._optionals.title = "Options"
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="Files or directories to lint (default: the current folder); - reads standard input.")
    parser.add_argument("-h", "--help", action="help", help="Show this message and exit.")
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="Read standard input as the file NAME (give no PATH, or -).")
    target = parser.add_argument_group("Target")
    target.add_argument("--platform", action="append", metavar="NAME",
                        help=f"{cli_help.PLATFORM_HELP} Repeatable.")
    target.add_argument("--distribution", metavar="NAME", help=f"{cli_help.DISTRIBUTIONS}.")
    target.add_argument("--profile", metavar="PATH",
                        help="Compare with this .mobileprovision or .provisionprofile (its type is "
                             "the distribution when none is configured).")
    rules = parser.add_argument_group("Rules")
    rules.add_argument("--select", action="append", metavar="RULES",
                       help="Only these codes, prefixes or names (comma-separated; ALL for every rule).")
    rules.add_argument("--extend-select", action="append", metavar="RULES", help="Add to the selected rules.")
    rules.add_argument("--ignore", action="append", metavar="RULES", help="Skip these codes, prefixes or names.")
    rules.add_argument("--config", metavar="PATH", help="Use this .entlint.toml or pyproject.toml instead of discovery.")
    rules.add_argument("--isolated", action="store_true", help="Ignore configuration files.")
    fixes = parser.add_argument_group("Fixes")
    fixes.add_argument("--fix", action="store_true", help="Apply safe fixes.")
    fixes.add_argument("--unsafe-fixes", action="store_true", help="Also apply unsafe fixes (implies --fix).")
    fixes.add_argument("--diff", action="store_true",
                       help="Print the fixes as a unified diff on stdout, the findings on stderr; write nothing.")
    output = parser.add_argument_group("Output")
    output.add_argument("--format", choices=FORMATS, default="text", metavar="FORMAT",
                        help="text, concise, xcode, json, sarif or github (default: text).")
    output.add_argument("--output-file", "-o", metavar="PATH", help="Write the report here instead of stdout.")
    output.add_argument("--statistics", action="store_true",
                        help="Count findings per rule instead of listing them (a JSON object with --format "
                             "json; with sarif, github and xcode the table goes to stderr).")
    output.add_argument("--fail-level", choices=SEVERITIES, metavar="LEVEL",
                        help="The lowest severity that fails the run: info, warning or error (default: warning).")
    output.add_argument("--exit-zero", action="store_true",
                        help="Exit 0 even with findings (input and usage errors still exit 2).")
    output.add_argument("--color", choices=("auto", "always", "never"), default="auto", metavar="WHEN",
                        help="Colour the text: auto, always or never (default: auto, on a terminal unless "
                             "NO_COLOR is set, or where FORCE_COLOR is set).")
    output.add_argument("--quiet", "-q", action="store_true", help="Print the findings only, no summary.")
    return parser


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def _check_inputs(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """As in ruff: ``--stdin-filename`` with no paths (or with ``-``) reads standard input;
    with other paths it is a usage error (exit 2), never a silent lint of the folder."""
    if "-" in args.paths and set(args.paths) != {"-"}:
        parser.error("- (standard input) cannot be combined with other paths")
    if args.stdin_filename is not None:
        if args.paths and set(args.paths) != {"-"}:
            parser.error("--stdin-filename names standard input: give no paths, or -")
        args.paths = ["-"]
    elif not args.paths:
        args.paths = ["."]
    if args.paths != ["-"] and set(args.paths) == {"-"}:
        args.paths = ["-"]  # standard input can be read once


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_inputs(parser, args)
    from entitlements_db import load
    from entitlements_lint import config as cfg
    from entitlements_lint import engine

    try:
        overrides = _overrides(args, cfg)
        finder = cfg.ConfigFinder()
        fixed_settings = None
        if args.isolated:
            fixed_settings = cfg.Settings(root=os.getcwd())
        elif args.config:
            fixed_settings = cfg.load_config_file(args.config)
        profile = None
        if args.profile:
            from entitlements_lint.artefacts import signing
            from entitlements_lint.errors import InputError

            try:
                profile = signing.load_profile(args.profile)
            except InputError as exc:
                print(f"entlint: error: {exc.message}", file=sys.stderr)
                return 2
        db = load()
        siblings = engine.Siblings()
        applied: set[int] = set()
        covered: set[str] = set()
        notes: list[str] = []
        results = []
        total_fixed = 0
        diffs = []
        items = [("-", None)] if args.paths == ["-"] else list(engine.discover(args.paths, notes))
        if not items:  # as ruff says "No Python files found": a clean run over nothing is a mistake
            notes.append(f"warning: no entitlements file, Info.plist or Xcode project found in {', '.join(args.paths)}")
        for path, error in items:
            if error is not None:
                results.append(engine.input_error(path, error))
                continue
            display = args.stdin_filename or "-" if path == "-" else path
            settings = fixed_settings or finder.for_path(display if path == "-" else path)
            if id(settings) not in applied:  # one Settings serves every file below its config
                _apply(settings, overrides)
                applied.add(id(settings))
            if path != "-" and _is_artefact(path):
                found = _lint_artefact(path, settings, db, profile, notes)
                if args.fix or args.unsafe_fixes or args.diff:
                    _note_unapplied_fixes(path, found, notes)
                covered.update(os.path.realpath(r.path) for r in found)
                results.extend(found)
                continue
            if path != "-" and covered and os.path.realpath(path) in covered:
                continue  # already linted as part of an Xcode project's target
            if profile is not None:
                from entitlements_lint.artefacts import signing

                settings, note = signing.with_profile_distribution(settings, profile)
                if note and note not in notes:
                    notes.append(note)
            result, fixed, diff = _lint_one(path, display, settings, db, args, engine, siblings, profile)
            results.append(result)
            total_fixed += fixed
            if diff:
                diffs.append(diff)
    except cfg.ConfigError as exc:
        print(f"entlint: error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        for note in notes:
            print(f"entlint: {note}", file=sys.stderr)
    return _report(args, results, total_fixed, diffs)


_ARTEFACT_SUFFIXES = (".app", ".appex", ".xcarchive", ".ipa", ".xcodeproj", "project.pbxproj")


def _is_artefact(path: str) -> bool:
    """A built product or an Xcode project; cheap for plain plists (no signing module loaded)."""
    from entitlements_lint.engine import file_kind

    if not path.rstrip("/" + os.sep).endswith(_ARTEFACT_SUFFIXES) and file_kind(path):
        return False
    from entitlements_lint.artefacts import signing

    return signing.artefact_kind(path) is not None


def _lint_artefact(path, settings, db, profile, notes):  # type: ignore[no-untyped-def]
    """Lint a built product's signatures or an Xcode project's files; never raises."""
    from entitlements_lint import engine
    from entitlements_lint.artefacts import signing

    try:
        if signing.artefact_kind(path) == signing.PROJECT:
            return signing.lint_project(path, settings, db, profile)
        results, found = signing.lint_product(path, settings, db, profile)
        notes.extend(found)
        return results
    except Exception as exc:  # noqa: BLE001 - one bad input must not stop the others
        return [engine.input_error(path, f"internal error, please report: {type(exc).__name__}: {exc}")]


def _note_unapplied_fixes(path: str, found: list, notes: list[str]) -> None:  # type: ignore[type-arg]
    """--fix through a project or product changes nothing: say so, and name the files to fix."""
    fixable = [r.path for r in found if any(f.fix is not None for f in r.findings)]
    if fixable:
        notes.append(f"{path}: fixes are not applied through a project or built product; "
                     f"run --fix on the files: {', '.join(dict.fromkeys(fixable))}")


def _overrides(args: argparse.Namespace, cfg) -> dict:  # type: ignore[no-untyped-def,type-arg]
    overrides: dict = {}  # type: ignore[type-arg]
    if args.platform:
        overrides["platforms"] = tuple(dict.fromkeys(cfg.platform_name(p, "--platform") for p in _split(args.platform)))
    if args.distribution:
        overrides["distribution"] = cfg.distribution_name(args.distribution, "--distribution")
    if args.select:
        overrides["select"] = tuple(cfg.validate_selector(s, "--select") for s in _split(args.select))
    if args.extend_select:
        overrides["extend_select"] = tuple(cfg.validate_selector(s, "--extend-select") for s in _split(args.extend_select))
    if args.ignore:
        overrides["ignore"] = tuple(cfg.validate_selector(s, "--ignore") for s in _split(args.ignore))
    if args.fail_level:
        overrides["fail_level"] = args.fail_level
    return overrides


def _apply(settings, overrides: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    if "platforms" in overrides:
        settings.platforms = overrides["platforms"]
    if "distribution" in overrides:
        settings.distribution = overrides["distribution"]
    if "select" in overrides:
        settings.select = overrides["select"]
    if "extend_select" in overrides:
        settings.select = settings.select + overrides["extend_select"]
    if "ignore" in overrides:
        settings.ignore = settings.ignore + overrides["ignore"]
    if "fail_level" in overrides:
        settings.fail_level = overrides["fail_level"]


def _lint_one(path, display, settings, db, args, engine, siblings, profile=None):  # type: ignore[no-untyped-def]
    """Lint (and fix) one file; an unexpected exception becomes an internal-error finding.

    ``--fix -`` always writes the whole document to stdout, fixed or not, so that
    ``entlint check --fix - < a > b`` never leaves ``b`` empty.
    """
    echo = None  # the bytes standard input must give back
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
            if (args.fix or args.unsafe_fixes) and not args.diff:
                echo = data
            result = engine.lint_bytes(data, display, settings, db, profile=profile)
        else:
            result = engine.lint_path(path, settings, db, siblings=siblings, profile=profile)
        result.fail_level = settings.fail_level
        if result.failed or not (args.fix or args.unsafe_fixes or args.diff) or result.document is None:
            return result, 0, None
        from entitlements_lint import fixes

        data = result.document.data
        companion = None if path == "-" else siblings.companion(path, result.kind)

        def relint(candidate: bytes) -> list:  # type: ignore[type-arg]
            return engine.lint_bytes(candidate, display, settings, db, result.kind, companion, profile=profile).findings

        new, count, remaining = fixes.fix_bytes(data, relint, args.unsafe_fixes)
        result.findings = remaining
        result.fixed = count
        if count == 0:
            return result, 0, None
        if args.diff:
            result.findings = relint(data)  # nothing written: report what is there
            return result, 0, fixes.unified_diff(display, data, new)
        if path == "-":
            echo = new
        else:
            try:
                fixes.write_atomic(path, new, display)
            except fixes.FixWriteError as exc:  # the file is untouched: report what is in it
                failure = engine.input_error(display, str(exc), result.kind)
                failure.findings.extend(relint(data))
                failure.fail_level = result.fail_level
                return failure, 0, None
            siblings.forget(path)
        return result, count, None
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
        message = f"internal error in {display}, please report: {type(exc).__name__}: {exc}"
        return engine.input_error(display, message), 0, None
    finally:
        if echo is not None:
            sys.stdout.buffer.write(echo)
            sys.stdout.buffer.flush()


def _report(args, results, fixed: int, diffs: list[str]) -> int:  # type: ignore[no-untyped-def]
    """Write the report and choose the exit code.

    Streams: the report goes to stdout (or ``--output-file``), except that with ``--diff``
    stdout carries only the diff and the report goes to stderr, and that a fixed standard
    input is written to stdout, so its report goes to stderr too.
    """
    from entitlements_lint import report

    fixing_stdin = args.paths == ["-"] and (args.fix or args.unsafe_fixes) and not args.diff
    stream = sys.stderr if args.diff or fixing_stdin else sys.stdout
    color = report.use_color(args.color, None if args.output_file else stream, os.environ)
    if diffs:
        sys.stdout.flush()  # the diff keeps the file's own bytes, even those that are not UTF-8
        sys.stdout.buffer.write("".join(diffs).encode("utf-8", "surrogateescape"))
        sys.stdout.buffer.flush()
    out = []
    side = ""  # the statistics of formats that tools read go to stderr
    if args.statistics and args.format in report.STATISTICS:
        out.append(report.STATISTICS[args.format](results))
    else:
        out.append(report.REPORTERS[args.format](results, color))
        if args.statistics:
            side = report.statistics(results)
    if args.format in ("text", "concise") and not args.quiet:
        out.append(report.summary(results, fixed))
    text = "".join(out)
    if args.output_file:
        try:
            with open(args.output_file, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            print(f"entlint: error: cannot write {args.output_file}: {exc.strerror}", file=sys.stderr)
            return 2
    else:
        stream.write(text)
    if side:
        sys.stderr.write(side)
    if any(r.failed for r in results):
        return 2
    if args.exit_zero:
        return 0
    if diffs:
        return 1  # as in ruff: a diff means the files are not as they should be
    failing = any(
        SEVERITY_RANK[f.severity] >= SEVERITY_RANK[r.fail_level] for r in results for f in r.findings
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
