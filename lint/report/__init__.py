"""Reporters: findings → text for people, editors, CI systems. A reporter never decides severity."""

from __future__ import annotations

from entitlements_lint import __version__
from entitlements_lint.engine import FileResult
from entitlements_lint.findings import Finding

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    Reporter = Callable[[Sequence[FileResult], bool], str]



def all_findings(results: Sequence[FileResult]) -> list[Finding]:
    return [f for r in results for f in r.findings]


#: ANSI escapes, applied only when :func:`use_color` says so.
BOLD, RED, YELLOW, CYAN, DIM, RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[2m", "\x1b[0m"
TINT = {"error": RED, "warning": YELLOW, "info": CYAN}


def use_color(choice: str, stream: object, environ: Mapping[str, str]) -> bool:
    """Colour or not, by precedence: ``--color always|never``; ``NO_COLOR`` (non-empty, see
    no-color.org); ``FORCE_COLOR`` (non-empty and not ``0``, as CI systems set it); a terminal."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _head(f: Finding, color: bool) -> str:
    """``path:line:col: CODE [severity] message``: the one line both text and concise start with."""
    if not color:
        return f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}"
    tint = TINT[f.severity]
    return (
        f"{BOLD}{f.path}:{f.line}:{f.column}:{RESET} {tint}{BOLD}{f.code}{RESET} "
        f"{tint}[{f.severity}]{RESET} {f.message}"
    )


def concise(results: Sequence[FileResult], color: bool) -> str:
    """One line per finding, ``path:line:col: CODE [severity] message``, for grep and editors."""
    return "".join(_head(f, color) + "\n" for f in all_findings(results))


def text(results: Sequence[FileResult], color: bool) -> str:
    """The concise line, then ``note:``, ``help:``, ``fix:`` and the rule's docs link."""
    cyan, dim, reset = (CYAN, DIM, RESET) if color else ("", "", "")
    lines = []
    for f in all_findings(results):
        lines.append(_head(f, color))
        if f.note:
            lines.append(f"  {dim}note:{reset} {f.note}")
        if f.suggestions:
            best = f.suggestions[0]
            what = f"`{best.key}`" if best.key else "no entitlement"
            if best.value:
                what += f" with value `{best.value}`"
            others = ", ".join(f"`{s.key}`" for s in f.suggestions[1:3] if s.key)
            more = f" (or {others})" if others else ""
            lines.append(f"  {cyan}help:{reset} {what}: {best.note}{more}")
        if f.fix is not None:
            how = "--fix" if f.fix.safe else "--unsafe-fixes"
            lines.append(f"  {cyan}fix:{reset} {f.fix.description} ({how})")
        lines.append(f"  {dim}see: {f.url}{reset}")
    return "\n".join(lines) + ("\n" if lines else "")


def xcode(results: Sequence[FileResult], color: bool) -> str:
    """``path:line:col: error: message [CODE]``: Xcode shows these inline from a Run Script phase."""
    level = {"error": "error", "warning": "warning", "info": "note"}
    return "".join(
        f"{f.path}:{f.line}:{f.column}: {level[f.severity]}: {f.message} [{f.code}]\n" for f in all_findings(results)
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(results: Sequence[FileResult], color: bool) -> str:
    """GitHub Actions workflow commands, which become annotations on the pull request."""
    from entitlements_lint.workspace_paths import workspace_path

    level = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
    for f in all_findings(results):
        path = workspace_path(f.path) or f.path  # annotations attach only to paths in the checkout
        props = (
            f"file={_escape_property(path)},line={f.line},col={f.column},"
            f"endLine={f.end_line},endColumn={f.end_column},title={_escape_property(f.code + ' ' + f.rule)}"
        )
        out.append(f"::{level[f.severity]} {props}::{_escape_data(f.message)}\n")
    return "".join(out)


def json_report(results: Sequence[FileResult], color: bool) -> str:
    import json

    from entitlements_db import load

    document = {
        "version": __version__,
        "dataset": load().meta["version"],
        "findings": [f.as_dict() for f in all_findings(results)],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def sarif(results: Sequence[FileResult], color: bool) -> str:
    from entitlements_lint.report.sarif import render

    return render(results)


REPORTERS: dict[str, Reporter] = {
    "text": text,
    "concise": concise,
    "xcode": xcode,
    "json": json_report,
    "sarif": sarif,
    "github": github,
}


def _statistics_rows(results: Sequence[FileResult]) -> list[tuple[str, str, int, int]]:
    """(code, name, count, safely fixable), most frequent first."""
    counts: dict[tuple[str, str], list[Finding]] = {}
    for f in all_findings(results):
        counts.setdefault((f.code, f.rule), []).append(f)
    # a summary finding stands for the findings it says were left out (lint.limits)
    totals = {group: sum(f.omitted or 1 for f in found) for group, found in counts.items()}
    rows = sorted(counts.items(), key=lambda item: (-totals[item[0]], item[0]))
    return [
        (code, name, totals[(code, name)], sum(1 for f in found if f.fix is not None and f.fix.safe))
        for (code, name), found in rows
    ]


def statistics(results: Sequence[FileResult]) -> str:
    """One line per rule: count, code, name, how many are fixable."""
    lines = []
    for code, name, count, fixable in _statistics_rows(results):
        mark = f" [{fixable} fixable]" if fixable else ""
        lines.append(f"{count:5}  {code}  {name}{mark}")
    return "\n".join(lines) + ("\n" if lines else "")


def statistics_json(results: Sequence[FileResult]) -> str:
    """``--statistics --format json``: an object with ``version``, ``dataset``, ``files`` and
    ``statistics`` (one ``{code, name, count, fixable}`` per rule, most frequent first)."""
    import json

    from entitlements_db import load

    document = {
        "version": __version__,
        "dataset": load().meta["version"],
        "files": len(results),
        "statistics": [
            {"code": code, "name": name, "count": count, "fixable": fixable}
            for code, name, count, fixable in _statistics_rows(results)
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


#: ``--statistics`` replaces the findings in these formats; in the others (read by tools:
#: sarif, github, xcode) the report stays as it is and the table goes to standard error.
STATISTICS: dict[str, Callable[[Sequence[FileResult]], str]] = {
    "text": statistics,
    "concise": statistics,
    "json": statistics_json,
}


def summary(results: Sequence[FileResult], fixed: int) -> str:
    findings = all_findings(results)
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    files = len(results)
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    fixable = sum(1 for f in findings if f.fix is not None and f.fix.safe)
    line = f"Checked {files} file{'s' if files != 1 else ''}: "
    line += ", ".join(parts) if parts else "no problems found"
    if fixed:
        line += f"; fixed {fixed}"
    if fixable:
        line += f"; {fixable} fixable with --fix"
    return line + ".\n"
