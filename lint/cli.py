"""The typer application: every `entlint` command except the hot path of `check`."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer

from typer.core import TyperGroup

from entitlements_lint import __version__, cli_help
from entitlements_lint.cli_db import register as register_db_commands


class Group(TyperGroup):
    """Lists each command with its whole one-line summary (click cuts it at the terminal's width)."""

    def format_commands(self, ctx, formatter):  # type: ignore[no-untyped-def]
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _one_placeholder_style() -> None:
    """Arguments as placeholders in capitals, as `entlint check` (argparse) shows them:
    ``KEY`` rather than typer's ``{key}`` in the usage line and ``key <str>`` below it."""
    from typer.core import TyperArgument

    def placeholder(self):  # type: ignore[no-untyped-def]
        return self.metavar or (self.name or "").upper()

    if hasattr(TyperArgument, "_usage_display_name"):
        def usage(self):  # type: ignore[no-untyped-def]
            name = placeholder(self)
            return (name if self.required else f"[{name}]") + ("..." if self.nargs != 1 else "")

        TyperArgument._usage_display_name = usage  # type: ignore[method-assign]
    if hasattr(TyperArgument, "_rich_display_name"):
        TyperArgument._rich_display_name = placeholder  # type: ignore[method-assign]
    if hasattr(TyperArgument, "display_type_rich"):
        TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]


_one_placeholder_style()
CONTEXT = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(
    name="entlint",
    help="Catch Apple entitlement mistakes before code signing does.",
    epilog=cli_help.click_block(cli_help.MAIN_EPILOG),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    cls=Group,
    context_settings=CONTEXT,
)
db_app = typer.Typer(help="Query the entitlement knowledge base.", no_args_is_help=True, cls=Group)
app.add_typer(db_app, name="db")
profile_app = typer.Typer(help="Read provisioning profiles.", no_args_is_help=True, cls=Group)
app.add_typer(profile_app, name="profile")


def _version(value: bool) -> None:
    if value:
        from entitlements_db import load

        typer.echo(f"entlint {__version__} (dataset {load().meta['version']})")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                     help="Show the version and the dataset's version.")
    ] = None,
) -> None:
    """Catch Apple entitlement mistakes before code signing does."""


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def check(ctx: typer.Context) -> None:
    """Lint entitlements, Info.plists, built products and Xcode projects."""
    from entitlements_lint.cli_check import main

    raise typer.Exit(main(ctx.args))


@app.command(
    "xcode-build-phase",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def xcode_build_phase(ctx: typer.Context) -> None:
    """Lint the target Xcode is building, from a Run Script phase (see `entlint xcode-build-phase --help`)."""
    from entitlements_lint.xcode_build_phase import main

    raise typer.Exit(main(ctx.args))


@app.command(epilog=cli_help.click_block("""\
Examples:
  entlint rule ENT001
  entlint rule unknown-entitlement
"""))
def rule(code: Annotated[str, typer.Argument(metavar="RULE", help="A rule code (ENT001) or name (unknown-entitlement).")]) -> None:
    """Explain a rule: what it does, why, an example, what to write instead."""
    from entitlements_lint.docs import render_rule
    from entitlements_lint.rules import find

    found = find(code)
    if found is None:
        typer.echo(f"entlint: error: no rule {code!r} (see `entlint rules`)", err=True)
        raise typer.Exit(2)
    typer.echo(render_rule(found))


@app.command(epilog=cli_help.click_block("""\
Examples:
  entlint rules
  entlint rules --format json
"""))
def rules(
    output_format: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text or json (default: text).",
                                               show_default=False)] = "text",
) -> None:
    """List every rule with its code, name and default severity."""
    from entitlements_lint.rules import ALL_RULES

    if output_format not in ("text", "json"):
        typer.echo(f"entlint: error: --format must be text or json, not {output_format!r}", err=True)
        raise typer.Exit(2)
    if output_format == "json":
        rows = [{"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary} for r in ALL_RULES]
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in ALL_RULES:
        typer.echo(f"{r.code}  {r.name:<36} {r.severity:<8} {r.summary}")


register_db_commands(db_app)  # show, list, search


@db_app.command("export", epilog=cli_help.click_block("""\
Examples:
  entlint db export > entitlements.json
  entlint db export --format markdown --platform iOS >> AGENTS.md
"""))
def db_export(
    output_format: Annotated[str, typer.Option("--format", metavar="FORMAT", help="json (the whole dataset) or markdown (a cheat sheet for AGENTS.md); default: json.", show_default=False)] = "json",
    platform: Annotated[Optional[str], typer.Option(metavar="PLATFORM", help="With markdown: only keys documented on this platform (iOS, iPadOS, macOS, macCatalyst, tvOS, watchOS, visionOS).")] = None,
) -> None:
    """Print the whole dataset as JSON (docs/export-format.md), or a Markdown cheat sheet for AGENTS.md."""
    from entitlements_lint.config import ConfigError, platform_name

    try:
        if output_format not in ("json", "markdown"):
            raise ConfigError(f"--format: unknown format {output_format!r} (one of json, markdown)")
        platform_value = platform_name(platform, "--platform") if platform else None
        if platform_value and output_format == "json":
            raise ConfigError("--platform: only with --format markdown; `db list --platform` filters keys as JSON")
    except ConfigError as exc:
        typer.echo(f"entlint: error: {exc}", err=True)
        raise typer.Exit(2) from None
    if output_format == "markdown":
        from entitlements_db import load
        from entitlements_db.cheatsheet import render

        typer.echo(render(load(), platform_value), nl=False)
        return
    from entitlements_db.database import _read_bundle

    sys.stdout.buffer.write(_read_bundle())


@db_app.command("build", epilog=cli_help.click_block("""\
Examples (in a checkout, with `pip install -e '.[data]'`):
  entlint db build
  entlint db build --check
"""))
def db_build(check_only: Annotated[bool, typer.Option("--check", help="Fail if the bundle is stale.")] = False) -> None:
    """Validate data/ and rebuild the bundle and JSON Schema.

    Needs the `data` extra and a checkout of the repository.
    """
    from entitlements_db.build import main

    raise typer.Exit(main(["--check"] if check_only else []))


@app.command(epilog=cli_help.click_block("""\
Examples:
  entlint lsp
  entlint lsp --tcp 127.0.0.1:2087
"""))
def lsp(
    tcp: Annotated[Optional[str], typer.Option(metavar="HOST:PORT", help="Listen on HOST:PORT instead of stdio.")] = None,
) -> None:
    """Start the language server (stdio by default)."""
    from entitlements_lint.lsp import serve

    serve(tcp)


@app.command()
def mcp() -> None:
    """Start the MCP server on stdio for coding agents (needs `pip install 'entlint[mcp]'`)."""
    from entitlements_lint.mcp_server import serve

    raise typer.Exit(serve())


@profile_app.command("show", epilog=cli_help.click_block("""\
Examples:
  entlint profile show App.mobileprovision
  entlint profile show App.provisionprofile --format json
"""))
def profile_show(
    path: Annotated[str, typer.Argument(metavar="PATH", help="A .mobileprovision or .provisionprofile file.")],
    output_format: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text or json (default: text).",
                                               show_default=False)] = "text",
) -> None:
    """Summarise a provisioning profile: who, what, until when, which entitlements."""
    from entitlements_lint.errors import InputError
    from entitlements_lint.artefacts.signing import load_profile, profile_summary

    if output_format not in ("text", "json"):
        typer.echo(f"entlint: error: --format must be text or json, not {output_format!r}", err=True)
        raise typer.Exit(2)
    try:
        profile = load_profile(path)
    except InputError as exc:
        typer.echo(f"entlint: error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    summary = profile_summary(profile)
    if output_format == "json":
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    labels = (
        ("name", "Name"), ("uuid", "UUID"), ("team", "Team"), ("app_id", "App ID"),
        ("platforms", "Platforms"), ("distribution", "Distribution"), ("created", "Created"),
        ("expires", "Expires"), ("expired", "Expired"), ("devices", "Devices"),
    )
    for key, label in labels:
        value = summary[key]
        if isinstance(value, list):
            value = ", ".join(value) or "-"
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        typer.echo(f"{label + ':':<14}{value if value not in (None, '') else '-'}")
    typer.echo("Entitlements:")
    for key, value in summary["entitlements"].items():
        typer.echo(f"  {key} = {json.dumps(value, ensure_ascii=False)}")
