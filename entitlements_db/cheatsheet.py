"""A compact Markdown cheat sheet of the dataset, sized for agent instruction files (AGENTS.md).

One line per real key and per commonly invented key: enough for an agent to pick the
right key, and to recognise the wrong ones, without the full cards.
"""

from __future__ import annotations

from entitlements_db.database import Database, Entitlement, NonExistentKey

_SUFFIX = " Entitlement"


def _value(entitlement: Entitlement) -> str:
    value = entitlement.value
    text = value.type or "?"
    if value.allowed:
        text += ": " + " | ".join(str(a).lower() if isinstance(a, bool) else str(a) for a in value.allowed)
    elif value.prefixes:
        text += ", starts with " + " or ".join(value.prefixes)
    return text


def _real_line(entitlement: Entitlement) -> str:
    name = entitlement.name.removesuffix(_SUFFIX)
    flags = []
    if entitlement.managed is not None:
        flags.append("Apple must approve")
    if entitlement.deprecated:
        flags.append("deprecated")
    extra = f"; {', '.join(flags)}" if flags else ""
    label = f": {name}" if name != entitlement.key else ""
    return f"- `{entitlement.key}` ({_value(entitlement)}{extra}){label}"


def _invented_line(entry: NonExistentKey, platform: str | None) -> str:
    replacements = [r for r in entry.replacements if r.applies_to([platform] if platform else None)]
    if not replacements:
        replacements = entry.replacements
    uses = []
    for r in replacements:
        if r.key is None:
            uses.append(r.note or "no entitlement needed")
        else:
            where = "Info.plist " if r.kind == "info-plist-key" else ""
            uses.append(f"{where}`{r.key}`" + (f" = `{r.value}`" if r.value else ""))
    return f"- `{entry.key}` → {'; '.join(uses)}"


def render(db: Database, platform: str | None = None) -> str:
    """The cheat sheet; with ``platform``, only keys documented there."""
    where = f" for {platform}" if platform else ""
    real = [e for e in db if e.owner == "developer" and (platform is None or e.available_on(platform))]
    lines = [
        f"# Apple entitlements{where} (entlint dataset {db.meta['version']})",
        "",
        "Use only these keys in .entitlements files; never invent one. Keys the provisioning profile sets",
        "(application-identifier, team identifier) are not written by hand. Check files with `entlint check`.",
        "",
        f"## Real keys ({len(real)}): `key` (value type): name",
        "",
        *(_real_line(e) for e in real),
        "",
        "## Keys that do not exist, and what to write instead",
        "",
        *(_invented_line(n, platform) for n in db.non_existent_keys()),
        "",
    ]
    return "\n".join(lines)
