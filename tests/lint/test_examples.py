"""Per-rule example files: every file (or target folder) under ``examples/<rule>/positive``
must produce at least one finding of that rule, every one under ``negative`` none.

See ``examples/README.md`` for the layout and the file-name hints.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from entitlements_lint import engine
from entitlements_lint.config import Settings
from entitlements_lint.rules import ALL_RULES, BY_NAME

from entitlements_db import load
from entitlements_db.database import DISTRIBUTIONS, PLATFORM_ALIASES

EXAMPLES = Path(__file__).parent / "examples"
#: Rules the engine reports itself when a file cannot be read or parsed (tested in
#: test_hostile.py and test_reader.py), so they have no example folders.
ENGINE_RULES = {"io-error", "syntax-error"}
#: Rules that need a provisioning profile or a signature's DER blob, which example files
#: cannot carry; tested end to end in tests/signing/test_cli_signing.py.
SIGNING_RULES = {
    "not-in-profile", "profile-value-mismatch", "profile-expired",
    "beta-reports-active-mismatch", "signature-der-mismatch",
}
SUFFIXES = (".entitlements", ".plist")


def parse_hint(name: str) -> tuple[tuple[str, ...] | None, str | None]:
    """``iOS+macCatalyst+app-store__x.entitlements`` → (("iOS", "macCatalyst"), "app-store")."""
    if "__" not in name:
        return None, None
    hint = name.split("__", 1)[0]
    platforms: list[str] = []
    distribution = None
    for token in hint.split("+"):
        if token.lower() in PLATFORM_ALIASES:
            platforms.append(PLATFORM_ALIASES[token.lower()])
        elif token in DISTRIBUTIONS:
            assert distribution is None, f"{name}: two distributions in the hint"
            distribution = token
        else:
            raise AssertionError(f"{name}: {token!r} is neither a platform nor a distribution")
    return tuple(platforms) or None, distribution


def collect() -> list[pytest.param]:
    cases = []
    for rule_dir in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        for polarity in ("positive", "negative"):
            folder = rule_dir / polarity
            if not folder.is_dir():
                continue
            for case in sorted(folder.iterdir()):
                if case.is_dir() or case.name.endswith(SUFFIXES):
                    cases.append(pytest.param(rule_dir.name, polarity, case,
                                              id=f"{rule_dir.name}/{polarity}/{case.name}"))
    return cases


CASES = collect()


def lint_case(case: Path) -> list:
    """Findings for one example: a single file alone, or every file of a target folder together."""
    platforms, distribution = parse_hint(case.name)
    settings = Settings(platforms=platforms, distribution=distribution, root=str(EXAMPLES))
    db = load()
    if case.is_dir():
        findings = []
        for path in sorted(case.iterdir()):
            result = engine.lint_path(str(path), settings, db)
            assert not result.failed, [f.message for f in result.findings]
            findings.extend(result.findings)
        return findings
    result = engine.lint_bytes(case.read_bytes(), str(case), settings, db)  # no companion
    assert not result.failed, [f.message for f in result.findings]
    return result.findings


@pytest.mark.parametrize(("rule", "polarity", "case"), CASES)
def test_example(rule: str, polarity: str, case: Path) -> None:
    assert rule in BY_NAME, f"examples/{rule} is not a rule name"
    findings = lint_case(case)
    mine = [f for f in findings if f.rule == rule]
    if polarity == "positive":
        assert mine, f"expected a {rule} finding, got {[(f.rule, f.message) for f in findings]}"
        assert all(f.code == BY_NAME[rule].code for f in mine)
    else:
        assert not mine, [f.message for f in mine]


def test_every_rule_with_a_check_has_positive_and_negative_examples() -> None:
    for rule in ALL_RULES:
        if rule.name in ENGINE_RULES:
            assert rule.check is None
            continue
        assert rule.check is not None, rule
        if rule.name in SIGNING_RULES:
            continue
        for polarity in ("positive", "negative"):
            folder = EXAMPLES / rule.name / polarity
            files = [p for p in folder.iterdir() if p.is_dir() or p.name.endswith(SUFFIXES)] if folder.is_dir() else []
            assert files, f"no {polarity} example for {rule.code} {rule.name}"


def test_hint_parser() -> None:
    assert parse_hint("macOS__aps.entitlements") == (("macOS",), None)
    assert parse_hint("app-store__debug.entitlements") == (None, "app-store")
    assert parse_hint("iOS+macCatalyst+ad-hoc__x.entitlements") == (("iOS", "macCatalyst"), "ad-hoc")
    assert parse_hint("plain.entitlements") == (None, None)
    with pytest.raises(AssertionError):
        parse_hint("macOS11__typo.entitlements")


def test_mac_catalyst_target_may_carry_app_sandbox_keys() -> None:
    """An iOS app that also runs on the Mac legitimately has App Sandbox keys."""
    case = EXAMPLES / "unavailable-on-platform" / "negative" / "iOS+macCatalyst__catalyst-sandbox.entitlements"
    assert not [f for f in lint_case(case) if f.severity == "error"]
    # The same keys in a plain iOS target are reported, as info: iOS ignores them.
    db = load()
    result = engine.lint_bytes(case.read_bytes(), str(case), Settings(platforms=("iOS",)), db)
    flagged = {f.key for f in result.findings if f.rule == "unavailable-on-platform"}
    assert flagged == {
        "com.apple.security.app-sandbox",
        "com.apple.security.network.client",
        "com.apple.security.files.user-selected.read-only",
    }
    assert all(f.severity == "info" for f in result.findings if f.rule == "unavailable-on-platform")
