"""SARIF 2.1.0, the format code-scanning services (GitHub, Azure DevOps) ingest."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from entitlements_lint import __version__
from entitlements_lint.engine import FileResult
from entitlements_lint.findings import DOCS_BASE
from entitlements_lint.rules import ALL_RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    """Relative to the checkout where the file lies in it (code scanning needs that), else a file: URI."""
    import os
    from pathlib import Path
    from urllib.parse import quote

    from entitlements_lint.workspace_paths import workspace_path

    relative = workspace_path(path)
    if relative is not None:
        return quote(relative)
    return Path(os.path.abspath(path)).as_uri()


def render(results: Sequence[FileResult]) -> str:
    index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.why},
            "helpUri": f"{DOCS_BASE}{rule.code}.md",
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
        }
        for rule in ALL_RULES
    ]
    out: list[dict[str, Any]] = []
    for result in results:
        for f in result.findings:
            entry: dict[str, Any] = {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": LEVELS[f.severity],
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(f.path)},
                            "region": {
                                "startLine": f.line,
                                "startColumn": f.column,
                                "endLine": f.end_line,
                                "endColumn": max(f.end_column, f.column),
                            },
                        }
                    }
                ],
            }
            out.append(entry)
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "entlint",
                        "version": __version__,
                        "informationUri": "https://github.com/entlint/entlint",
                        "rules": rules,
                    }
                },
                "results": out,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
