"""Paths as tools that apply or attach our output read them: relative to the current folder.

`git apply`, GitHub annotations and SARIF code scanning all resolve a path against the
repository checkout; they refuse, or silently drop, an absolute path or one with `..`.
A path that lies inside the current folder is therefore written relative to it, in `/` form.
"""

from __future__ import annotations

import os


def workspace_path(path: str) -> str | None:
    """`App/App.entitlements` for any spelling of a path inside the current folder, else None."""
    try:
        relative = os.path.relpath(os.path.abspath(path))
    except ValueError:  # another drive on Windows
        return None
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative.replace(os.sep, "/")
