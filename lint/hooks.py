"""The pre-commit hook catalogue; `.pre-commit-hooks.yaml` is generated from it."""

from __future__ import annotations

#: Files the hook runs on: *.entitlements, Info.plist, Foo-Info.plist, and
#: entitlements plists such as Electron's entitlements.mac.plist.
FILES = r"(\.entitlements$|(^|/)([^/]*-)?Info\.plist$|(^|/)[^/]*[Ee]ntitlements[^/]*\.plist$)"

HOOKS = [
    {
        "id": "entlint",
        "name": "entlint",
        "description": "Lint Apple .entitlements files and Info.plists against the entitlement knowledge base.",
        "entry": "entlint check",
        "language": "python",
        "files": FILES,
        "types": "[file]",
        "require_serial": "false",
    }
]


def render() -> str:
    lines = ["# Generated from entitlements_lint/hooks.py; a test keeps the two in sync."]
    for hook in HOOKS:
        first = True
        for key, value in hook.items():
            lines.append(f"{'- ' if first else '  '}{key}: {value}")
            first = False
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
