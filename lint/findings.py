"""Finding, Fix and Edit: the one currency every stage of the pipeline speaks."""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any

    from entitlements_db.suggest import Suggestion

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
#: Rule pages are generated into docs/rules/ of the repository (see `entlint rule CODE`).
DOCS_BASE = "https://github.com/entlint/entlint/blob/main/docs/rules/"


class Edit:
    """Replace bytes ``start:end`` of the original file with ``text`` (UTF-8)."""

    __slots__ = ("start", "end", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    def __repr__(self) -> str:
        return f"Edit({self.start}, {self.end}, {self.text!r})"


class Fix:
    """Edits that resolve a finding; ``safe`` fixes keep the file's meaning certain."""

    __slots__ = ("description", "edits", "safe")

    def __init__(self, description: str, edits: list[Edit], safe: bool) -> None:
        self.description = description
        self.edits = edits
        self.safe = safe

    def as_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "applicability": "safe" if self.safe else "unsafe",
            "edits": [e.as_dict() for e in self.edits],
        }


class Finding:
    """One problem at one place of one file. Lines and columns are 1-based."""

    __slots__ = (
        "code",
        "rule",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "key",
        "suggestions",
        "fix",
        "start",
        "end",
        "note",
        "omitted",
    )

    def __init__(
        self,
        code: str,
        rule: str,
        severity: str,
        message: str,
        path: str,
        line: int = 1,
        column: int = 1,
        end_line: int | None = None,
        end_column: int | None = None,
        key: str | None = None,
        suggestions: list[Suggestion] | None = None,
        fix: Fix | None = None,
        start: int = 0,
        end: int = 0,
        note: str | None = None,
    ) -> None:
        self.code = code
        self.rule = rule
        self.severity = severity
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line if end_line is not None else line
        self.end_column = end_column if end_column is not None else column
        self.key = key
        self.suggestions = suggestions or []
        self.fix = fix
        self.start = start
        self.end = end
        self.note = note
        #: For a summary finding that stands for findings left out (lint.limits): how many.
        self.omitted = 0

    @property
    def url(self) -> str:
        return f"{DOCS_BASE}{self.code}.md"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "note": self.note,
            "key": self.key,
            "suggestions": [s.as_dict() for s in self.suggestions],
            "url": self.url,
        }
        if self.fix is not None:
            data["fix"] = self.fix.as_dict()
        return data

    def __repr__(self) -> str:
        return f"Finding({self.code} {self.path}:{self.line}:{self.column} {self.message!r})"
