"""`entlint db show`, `db list` and `db search`: the knowledge base for people and for scripts.

Cards are rendered by :mod:`entitlements_db.cards` (one module for text, Markdown and JSON);
platforms and distributions are validated with the same names as `entlint check`.
"""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from entitlements_lint import cli_help

DB_FORMATS = ("text", "json", "markdown")
FORMAT_HELP = "text, json or markdown (default: text)."


def _fail(message: str) -> typer.Exit:
    typer.echo(f"entlint: error: {message}", err=True)
    return typer.Exit(2)


def _format(value: str) -> str:
    if value not in DB_FORMATS:
        raise _fail(f"--format: unknown format {value!r} (one of {', '.join(DB_FORMATS)})")
    return value


def _platform(value: str | None) -> str | None:
    from entitlements_lint.config import ConfigError, platform_name

    try:
        return platform_name(value, "--platform") if value else None
    except ConfigError as exc:
        raise _fail(str(exc)) from None


SHOW_EPILOG = cli_help.click_block("""\
Exit codes:
  0  KEY is a real entitlement
  1  anything else: a key that does not exist (its replacement is still shown),
     a profile or Info.plist key, an Apple-internal or an unknown key
  2  a usage error

Examples:
  entlint db show com.apple.developer.family-controls
  entlint db show com.apple.developer.push-notifications --platform iphoneos
  entlint db show aps-environment --format json
""")

LIST_EPILOG = cli_help.click_block("""\
Examples:
  entlint db list --platform visionOS --managed
  entlint db list --distribution developer-id --format json
  entlint db list --format markdown > entitlements.md
""")

SEARCH_EPILOG = cli_help.click_block("""\
Answers are real keys and features that need no entitlement (with what to do
instead), best first, from the same index as ENT001's suggestions.

Exit codes:
  0  at least one answer
  1  no answer
  2  a usage error

Examples:
  entlint db search "app groups"
  entlint db search "outgoing network connections" --platform macOS
  entlint db search WidgetKit --format json --limit 3
""")
MAX_LIMIT = 50


def register(db_app: typer.Typer) -> None:
    @db_app.command("show", epilog=SHOW_EPILOG)
    def db_show(
        key: Annotated[str, typer.Argument(metavar="KEY", help="An entitlement key, real or not.")],
        platform: Annotated[Optional[str], typer.Option(
            metavar="NAME", help=f"Suggest what works on this platform: {cli_help.PLATFORM_HELP}")] = None,
        output_format: Annotated[str, typer.Option("--format", metavar="FORMAT", help=FORMAT_HELP,
                                                   show_default=False)] = "text",
    ) -> None:
        """Show an entitlement's card, or what to use instead of a key that is not one."""
        from entitlements_db import load
        from entitlements_db.cards import render

        output_format = _format(output_format)
        platform_value = _platform(platform)
        db = load()
        typer.echo(render(db, key, platform_value, output_format))
        if db.get(key) is None:
            raise typer.Exit(1)

    @db_app.command("list", epilog=LIST_EPILOG)
    def db_list(
        platform: Annotated[Optional[str], typer.Option(
            metavar="NAME", help=f"Only keys available on this platform: {cli_help.PLATFORM_HELP}")] = None,
        managed: Annotated[bool, typer.Option("--managed", help="Only keys Apple must approve.")] = False,
        distribution: Annotated[Optional[str], typer.Option(
            metavar="NAME", help=f"Only keys usable with this distribution: {cli_help.DISTRIBUTIONS}.")] = None,
        output_format: Annotated[str, typer.Option("--format", metavar="FORMAT", help=FORMAT_HELP,
                                                   show_default=False)] = "text",
    ) -> None:
        """List entitlements, optionally only those of one platform, distribution or managed."""
        from entitlements_db import load
        from entitlements_db.cards import entitlement_table
        from entitlements_lint.config import ConfigError, distribution_name

        output_format = _format(output_format)
        platform_value = _platform(platform)
        try:
            distribution_value = distribution_name(distribution, "--distribution") if distribution else None
        except ConfigError as exc:
            raise _fail(str(exc)) from None
        found = load().filter(platform_value, True if managed else None, distribution_value)
        if output_format == "json":
            typer.echo(json.dumps([e.raw for e in found], indent=2, ensure_ascii=False))
        elif output_format == "markdown":
            typer.echo(entitlement_table(found))
        else:
            for entitlement in found:
                typer.echo(entitlement.key)

    @db_app.command("search", epilog=SEARCH_EPILOG)
    def db_search(
        text: Annotated[str, typer.Argument(metavar="TEXT", help=(
            "A feature in words: a capability, framework, App Sandbox option or key."))],
        platform: Annotated[Optional[str], typer.Option(
            metavar="NAME", help=f"Prefer keys available on this platform: {cli_help.PLATFORM_HELP}")] = None,
        output_format: Annotated[str, typer.Option("--format", metavar="FORMAT", help=FORMAT_HELP,
                                                   show_default=False)] = "text",
        limit: Annotated[int, typer.Option(metavar="N", help=f"At most N answers, 1 to {MAX_LIMIT} (default: 10).",
                                           show_default=False)] = 10,
    ) -> None:
        """Find the entitlement (or the feature that needs none) for a feature described in words."""
        from entitlements_db import load
        from entitlements_db.cards import render_search

        output_format = _format(output_format)
        platform_value = _platform(platform)
        if not 1 <= limit <= MAX_LIMIT:
            raise _fail(f"--limit: {limit} is not from 1 to {MAX_LIMIT}")
        found = load().search(text, platform=platform_value, limit=limit)
        if not found and output_format != "json":
            typer.echo(f"nothing found for {text!r}", err=True)
            raise typer.Exit(1)
        typer.echo(render_search(found, output_format))
        if not found:
            raise typer.Exit(1)
