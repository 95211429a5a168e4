"""The Xcode projects an ``.xcworkspace`` lists, so ``entlint check App.xcworkspace`` lints them.

``contents.xcworkspacedata`` is a small XML file of ``<FileRef location="kind:path">``
elements, possibly inside ``<Group location="...">`` elements. ``group:`` paths are relative
to the enclosing group (the workspace's folder at the top), ``container:`` paths to the
workspace's folder, ``absolute:`` paths stand alone; ``self:`` (the workspace inside a
project) names no other project. Only ``.xcodeproj`` references matter here.
"""

from __future__ import annotations

import os

from entitlements_lint import limits
from entitlements_lint.errors import InputError

MAX_WORKSPACE_BYTES = limits.MAX_WORKSPACE_BYTES


def workspace_projects(path: str) -> list[str]:
    """The ``.xcodeproj`` paths the workspace lists, in its order; InputError if it cannot be read."""
    from xml.parsers import expat

    from entitlements_lint.engine import read

    data_path = os.path.join(path, "contents.xcworkspacedata")
    try:
        data = read(data_path, MAX_WORKSPACE_BYTES)
    except InputError as exc:
        raise InputError(f"cannot read {os.path.basename(data_path)}: {str(exc).removeprefix('cannot read: ')}") from None
    if len(data) > MAX_WORKSPACE_BYTES:
        raise InputError("contents.xcworkspacedata is larger than 1 MiB")
    folder = os.path.dirname(os.path.abspath(path))
    groups = [folder]
    projects: list[str] = []

    def resolve(location: str) -> str | None:
        kind, _, rest = location.partition(":")
        if kind == "group":
            return os.path.join(groups[-1], rest)
        if kind == "container":
            return os.path.join(folder, rest)
        if kind == "absolute":
            return rest
        return None

    def start(tag: str, attrs: dict[str, str]) -> None:
        where = resolve(attrs.get("location", ""))
        if tag == "Group":
            groups.append(where or groups[-1])
        elif tag == "FileRef" and where and where.rstrip("/").endswith(".xcodeproj"):
            projects.append(os.path.normpath(where))

    def end(tag: str) -> None:
        if tag == "Group" and len(groups) > 1:
            groups.pop()

    def refuse(*args: object) -> None:
        raise InputError("contents.xcworkspacedata declares entities")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = refuse
    parser.StartDoctypeDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InputError(f"contents.xcworkspacedata is not well formed: {expat.ErrorString(exc.code)}",
                         exc.lineno, exc.offset + 1) from None
    if not projects:
        raise InputError("the workspace lists no Xcode project")
    return projects
