"""Rule documentation, rendered from the rules themselves (`entlint rule`, docs/rules/)."""

from __future__ import annotations

from entitlements_lint.rules import ALL_RULES
from entitlements_lint.rules.base import Rule

KINDS = {"entitlements": ".entitlements files", "info-plist": "Info.plist files"}


def render_rule(rule: Rule) -> str:
    """A Markdown page: title, what it does, why, problematic code, correct code, fix safety."""
    applies = " and ".join(KINDS[k] for k in rule.applies_to)
    lines = [
        f"# {rule.code} {rule.name}",
        "",
        f"Default severity: **{rule.severity}**. Checks {applies}.",
        "",
        "## What it does",
        "",
        rule.summary,
        "",
        "## Why is this bad?",
        "",
        rule.why,
        "",
        "## Problematic code",
        "",
        "```xml",
        rule.example,
        "```",
        "",
        "## Use instead",
        "",
        "```xml" if rule.use_instead.lstrip().startswith("<") else "",
        rule.use_instead,
        "```" if rule.use_instead.lstrip().startswith("<") else "",
        "",
        *(["## Severity", "", rule.severity_policy, ""] if rule.severity_policy else []),
        "## Fix safety",
        "",
        rule.fix_safety,
        "",
        "## Configuration",
        "",
        f"Disable it with `ignore = [\"{rule.code}\"]` (or `\"{rule.name}\"`) under `[tool.entlint]`; "
        "never with a comment in the file (see ENT104).",
    ]
    if rule.sources:
        lines += ["", "## Sources", ""] + [f"- <{s}>" for s in rule.sources]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"


def render_index() -> str:
    lines = ["# Rules", "", "| Code | Name | Severity | What it catches |", "|---|---|---|---|"]
    for rule in ALL_RULES:
        lines.append(f"| [{rule.code}]({rule.code}.md) | `{rule.name}` | {rule.severity} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def render_all() -> dict[str, str]:
    """Every page of docs/rules/, keyed by file name."""
    pages = {f"{rule.code}.md": render_rule(rule) for rule in ALL_RULES}
    pages["README.md"] = render_index()
    return pages


if __name__ == "__main__":
    import pathlib
    import sys

    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render_all().items():
        (out / name).write_text(text, encoding="utf-8")
