"""The `entlint` console script: `check` takes a fast path; everything else goes to typer."""

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
    from entitlements_lint.cli import app

    try:
        app(args, prog_name="entlint", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
