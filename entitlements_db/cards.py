"""Readable cards: what `entlint db show` and the language server's hover display."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from entitlements_db.database import Database, Entitlement


def _value_line(entitlement: Entitlement) -> str:
    value = entitlement.value
    parts = [value.type or "type not documented"]
    if value.allowed:
        parts.append("one of " + ", ".join(f"`{a}`" if isinstance(a, str) else str(a).lower() for a in value.allowed))
    if value.prefixes:
        parts.append("starting with " + " or ".join(f"`{p}`" for p in value.prefixes))
    if value.min_items:
        parts.append(f"at least {value.min_items} entr{'y' if value.min_items == 1 else 'ies'}")
    if value.build_settings:
        parts.append("build-setting references such as `$(AppIdentifierPrefix)` are normal")
    return "; ".join(parts)


def entitlement_card(entitlement: Entitlement) -> str:
    """Markdown for one real entitlement."""
    lines = [f"**{entitlement.key}**: {entitlement.name}", "", entitlement.summary, ""]
    lines.append(f"- Value: {_value_line(entitlement)}")
    platforms = []
    for platform, info in entitlement.platforms.items():
        text = platform + (f" {info['introduced']}+" if "introduced" in info else "")
        if "deprecated" in info:
            text += f" (deprecated {info['deprecated']})"
        platforms.append(text)
    lines.append(f"- Platforms: {', '.join(platforms)}")
    if entitlement.counterparts:
        lines.append("- On other platforms: " + ", ".join(f"{p}: `{k}`" for p, k in entitlement.counterparts.items()))
    managed = entitlement.managed
    if managed:
        ask = f"; request at {managed.request_url}" if managed.request_url else ""
        lines.append(f"- Managed: Apple must approve it for {', '.join(managed.distributions)}{ask}")
    if entitlement.distribution:
        lines.append(f"- Distribution: {', '.join(entitlement.distribution)}")
    if entitlement.owner != "developer":
        who = "the provisioning profile" if entitlement.owner == "profile" else "code signing"
        lines.append(f"- Written by {who}, not by hand")
    if entitlement.restricted_on_macos is not None:
        lines.append(f"- macOS: {'needs' if entitlement.restricted_on_macos else 'does not need'} a provisioning profile")
    if entitlement.capability:
        lines.append(f"- Xcode capability: {entitlement.capability}")
    if entitlement.info_plist:
        lines.append(f"- Info.plist: {_info_plist_needs(entitlement.info_plist)}")
    if entitlement.requires:
        lines.append(f"- Requires: {', '.join(f'`{k}`' for k in entitlement.requires)}")
    if entitlement.deprecated:
        replacement = entitlement.deprecated.get("replacement")
        lines.append(f"- Deprecated: {entitlement.deprecated['note']}" + (f" Use `{replacement}`." if replacement else ""))
    lines.append(f"- Docs: {entitlement.docs}")
    return "\n".join(lines)


def unknown_key_headline(key: str, db: Database | None = None) -> str:
    """What `entlint db show` says first about a key entlint knows nothing about (Markdown).

    Only what the data knows: Apple may have added the key after the data release.
    """
    release = f" (entlint data {db.meta.get('version', '?')}, {len(db)} keys)" if db is not None else ""
    return f"**{key}** is not in entlint's data{release}."


UNKNOWN_EXPLANATION = (
    "If Apple added it after this data release, or granted it to your team, list it under "
    "`granted` in entlint's configuration."
)

#: What a key is, in the order `describe` checks them; ``entitlement`` is the only real one.
KINDS = ("entitlement", "info-plist-key", "apple-internal", "profile-key", "non-existent", "unknown")


def describe(db: Database, key: str, platform: str | Sequence[str] | None = None) -> dict[str, Any]:
    """Everything `entlint db show` knows about ``key``, as data: ``key``, ``kind`` (one of
    :data:`KINDS`), ``headline`` and ``explanation`` (Markdown; `--format json` prints the
    headline plain), ``entitlement`` (the dataset
    record of a real key, else None) and ``suggestions`` (what to use instead)."""
    real = db.get(key)
    if real is not None:
        return {"key": key, "kind": "entitlement", "headline": f"**{key}**: {real.name}",
                "explanation": real.summary, "entitlement": real.raw, "suggestions": []}
    kind, headline, explanation = "unknown", unknown_key_headline(key, db), UNKNOWN_EXPLANATION
    catalogued = db.non_existent(key)
    if catalogued is not None:
        kind, headline = "non-existent", f"**{key}** is not an entitlement Apple defines."
        explanation = catalogued.explanation
    profile_note = db.profile_key(key)
    if profile_note is not None:
        kind, headline = "profile-key", f"**{key}** is set by the provisioning profile, not written by hand."
        explanation = profile_note
    internal = db.apple_internal(key)
    if internal is not None:
        kind, headline, explanation = "apple-internal", f"**{key}** is private to Apple: {internal.note}", None
    if db.info_plist_key(key) is not None:
        kind, explanation = "info-plist-key", None
        headline = f"**{key}** is an Info.plist key: it belongs in Info.plist, not in an entitlements file."
    suggestions = [s.as_dict() for s in db.suggest(key, platform)]  # Xcode's platform names are aliases there
    return {"key": key, "kind": kind, "headline": headline, "explanation": explanation,
            "entitlement": None, "suggestions": suggestions}


def card(db: Database, key: str, platform: str | Sequence[str] | None = None) -> str:
    """A Markdown card for any key: real, non-existent, Apple-internal, Info.plist, or unknown."""
    real = db.get(key)
    if real is not None:
        return entitlement_card(real)
    found = describe(db, key, platform)
    lines = [found["headline"]]
    if found["explanation"]:
        lines += ["", found["explanation"]]
    if found["suggestions"]:
        lines += ["", "Use instead:" if found["kind"] != "unknown" else "Closest matches, best first:"]
        for s in found["suggestions"]:
            what = f"`{s['key']}`" if s["key"] else "nothing"
            if s.get("value"):
                what += f" = `{s['value']}`"
            lines.append(f"- {what}: {s['note']}")
    return "\n".join(lines)


def plain(markdown: str) -> str:
    """A card for a terminal: the Markdown markers (``**``, backticks) removed, the rest kept."""
    return markdown.replace("**", "").replace("`", "")


def render(db: Database, key: str, platform: str | None, output_format: str) -> str:
    """`entlint db show` output: ``text`` (plain), ``markdown`` or ``json``."""
    if output_format == "json":
        import json

        found = describe(db, key, platform)
        found["headline"] = plain(found["headline"])
        return json.dumps(found, indent=2, ensure_ascii=False)
    markdown = card(db, key, platform)
    return markdown if output_format == "markdown" else plain(markdown)


def entitlement_table(entitlements: list[Entitlement]) -> str:
    """`entlint db list --format markdown`: a table of key, name and platforms."""
    lines = ["| Key | Name | Platforms |", "|---|---|---|"]
    for e in entitlements:
        lines.append(f"| `{e.key}` | {e.name.replace('|', '/')} | {', '.join(e.platforms)} |")
    return "\n".join(lines)



def render_search(results: list[Any], output_format: str) -> str:
    """`entlint db search` output: ``text`` (one answer a line, what to do instead indented),
    ``markdown`` (a table) or ``json`` (key, name, score and why it matched, per answer)."""
    if output_format == "json":
        import json

        return json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False)
    if output_format == "markdown":
        lines = ["| Key | Name | Score | Why it matched |", "|---|---|---|---|"]
        for r in results:
            key = f"`{r.key}`" if r.key else f"no entitlement: {r.note}"
            lines.append(f"| {key.replace('|', '/')} | {r.name.replace('|', '/')} | {r.score:.2f} | {r.why} |")
        return "\n".join(lines)
    lines = []
    for r in results:
        if r.key:
            name = f"  {r.name}" if r.name and r.name != r.key else ""
            lines.append(f"{r.key}{name}  [{r.score:.2f}: {r.why}]")
        else:
            lines.append(f"(no entitlement)  {r.name}  [{r.score:.2f}: {r.why}]")
            lines.append(f"    {r.note}")
    return "\n".join(lines)


def _info_plist_needs(needs: list[dict]) -> str:
    """Needs as a reader checks them: alternatives joined by "or", optional keys marked."""
    def one(n: dict) -> str:
        notes = [n["when"]] if n.get("when") else []
        if n.get("optional"):
            notes.append("optional")
        return n["key"] + (f" ({'; '.join(notes)})" if notes else "")

    parts: list[str] = []
    seen: set[str] = set()
    for n in needs:
        group = n.get("one_of")
        if group is None:
            parts.append(one(n))
        elif group not in seen:
            seen.add(group)
            parts.append(" or ".join(one(m) for m in needs if m.get("one_of") == group))
    return ", ".join(parts)
