"""Files generated from code stay in sync with it, and the README lists every rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from entitlements_lint import docs, hooks
from entitlements_lint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(docs.render_all()))
def test_rule_pages_are_generated_from_the_rules(name: str) -> None:
    page = ROOT / "docs" / "rules" / name
    assert page.read_text(encoding="utf-8") == docs.render_all()[name], (
        f"docs/rules/{name} is stale: run `python -m entitlements_lint.docs docs/rules`"
    )


def test_no_stray_rule_pages() -> None:
    on_disk = {p.name for p in (ROOT / "docs" / "rules").glob("*.md")}
    assert on_disk == set(docs.render_all())


def test_pre_commit_hooks_file_is_generated_from_the_catalogue() -> None:
    assert (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8") == hooks.render()


def test_readme_lists_every_rule_with_code_and_name() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert f"| {rule.code} | {rule.name} |" in readme, rule.code


def test_rule_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [r.code for r in ALL_RULES]
    names = [r.name for r in ALL_RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    for rule in ALL_RULES:
        assert rule.code.startswith("ENT") and rule.code[3:].isdigit() and len(rule.code) == 6
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.severity in ("error", "warning", "info")
        assert rule.why and rule.example and rule.use_instead and rule.summary.endswith(".")
