"""Every rule, registered in one place; codes and names are a public contract, never reused."""

from __future__ import annotations

from entitlements_lint.rules import (
    distribution,
    existence,
    file_format,
    info_plist,
    platform,
    profile,
    values,
)
from entitlements_lint.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *existence.RULES,
            *values.RULES,
            *platform.RULES,
            *distribution.RULES,
            *file_format.RULES,
            *info_plist.RULES,
            *profile.RULES,
        ),
        key=lambda rule: rule.code,
    )
)
BY_CODE = {rule.code: rule for rule in ALL_RULES}
BY_NAME = {rule.name: rule for rule in ALL_RULES}


def find(code_or_name: str) -> Rule | None:
    """A rule by its code (`ENT001`, any case) or its name (`unknown-entitlement`)."""
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())
