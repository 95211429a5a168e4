"""The `entlint` console script: `check` and `lsp` take fast paths; everything else goes to typer."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "check":
        from entitlements_lint.cli_check import main as check

        return check(args[1:])
    if args and args[0] == "xcode-build-phase":  # runs in every Xcode build: no typer
        from entitlements_lint.xcode_build_phase import main as build_phase

        return build_phase(args[1:])
    if args[:1] == ["lsp"] and (len(args) == 1 or (len(args) == 3 and args[1] == "--tcp")):
        # editors start the server often: skip typer's ~250 ms of imports
        from entitlements_lint.lsp import serve

        serve(args[2] if len(args) == 3 else None)
        return 0
    if args == ["mcp"]:
        # agents start the server often: skip typer's imports, the SDK is heavy enough
        from entitlements_lint.mcp_server import serve as serve_mcp

        return serve_mcp()
    from entitlements_lint.cli import app

    try:
        app(args, prog_name="entlint", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
