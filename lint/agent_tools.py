"""The answers behind `entlint mcp`: plain functions from JSON-ready arguments to JSON-ready results.

They live apart from the MCP transport so that they are tested and benchmarked without
the SDK, and so that every surface (CLI, language server, agents) shares one database
and one lint engine. Bad arguments raise :class:`ToolArgumentError` with a plain message.
"""

from __future__ import annotations

import re

from entitlements_db import load
from entitlements_db.database import Database, Entitlement
from entitlements_lint.config import ConfigError, Settings, distribution_name, platform_name
from entitlements_lint.engine import ENTITLEMENTS, INFO_PLIST, file_kind, lint_bytes
from entitlements_lint.errors import InputError
from entitlements_lint.fixes import fix_bytes
from entitlements_lint.limits import LSP_MAX_DOCUMENT_BYTES
from entitlements_lint.plist import parse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from entitlements_lint.findings import Finding

#: Documents an agent sends are held whole in memory: the language server's limit applies.
MAX_DOCUMENT_BYTES = LSP_MAX_DOCUMENT_BYTES
MAX_TEXT = 256  # keys, descriptions and capability names longer than this are not looked up
MAX_RESULTS = 20


class ToolArgumentError(ValueError):
    """An argument an agent can correct; the message says how."""


def _text(value: object, name: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ToolArgumentError(f"{name} must be a non-empty string")
    if len(value) > limit:
        raise ToolArgumentError(f"{name} is longer than {limit} characters")
    return value.strip()


def _platform(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ToolArgumentError("platform must be a string such as iOS or macOS")
    try:
        return platform_name(value, "platform")
    except ConfigError as exc:
        raise ToolArgumentError(str(exc)) from None


def _platforms(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ToolArgumentError("platforms must be a list of platform names such as [\"iOS\", \"macOS\"]")
    return tuple(dict.fromkeys(p for p in (_platform(v) for v in value) if p)) or None


def entitlement_facts(entitlement: Entitlement, platform: str | None = None) -> dict[str, Any]:
    """Everything an agent needs to write the key correctly, with how it is known."""
    value = entitlement.value
    managed = entitlement.managed
    facts: dict[str, Any] = {
        "key": entitlement.key,
        "name": entitlement.name,
        "summary": entitlement.summary,
        "value": {
            "type": value.type,
            "allowed": value.allowed,
            "prefixes": value.prefixes,
            "build_settings": value.build_settings,
        },
        "platforms": entitlement.platforms,
        "managed": None
        if managed is None
        else {"distributions": managed.distributions, "request_url": managed.request_url},
        "distribution": entitlement.distribution,
        "owner": entitlement.owner,
        "capability": entitlement.capability,
        "info_plist": entitlement.info_plist,
        "requires": entitlement.requires,
        "deprecated": entitlement.deprecated,
        "docs": entitlement.docs,
        "evidence": [{"url": s.url, "kind": s.kind, "tier": s.tier} for s in entitlement.sources],
    }
    if platform is not None:
        facts["available_on_platform"] = entitlement.available_on(platform)
    return facts


def _replacements(db: Database, key: str, platform: str | None) -> list[dict[str, Any]]:
    return [s.as_dict() for s in db.suggest(key, platform)]


def lookup_entitlement(key: object, platform: object = None, db: Database | None = None) -> dict[str, Any]:
    """Is ``key`` a real entitlement; its facts if so, otherwise why not and what to write."""
    db = db or load()
    key = _text(key, "key")
    where = _platform(platform)
    real = db.get(key)
    if real is not None:
        result: dict[str, Any] = {"key": key, "real": True, "status": "real", "entitlement": entitlement_facts(real, where)}
        if where is not None and not real.available_on(where):
            result["why"] = f"{key} is real but not documented on {where}"
            result["replacements"] = _replacements(db, key, where)
        return result
    status, why = _status(db, key)
    return {"key": key, "real": False, "status": status, "why": why, "replacements": _replacements(db, key, where)}


def _status(db: Database, key: str) -> tuple[str, str]:
    catalogued = db.non_existent(key)
    if catalogued is not None:
        return "non-existent", catalogued.explanation
    profile_note = db.profile_key(key)
    if profile_note is not None:
        return "profile-owned", profile_note
    internal = db.apple_internal(key)
    if internal is not None:
        return "apple-internal", f"private to Apple: {internal.note}"
    if db.info_plist_key(key) is not None or db.looks_like_info_plist_key(key):
        return "info-plist", f"{key} is an Info.plist key: it belongs in Info.plist, not in an entitlements file"
    return "unknown", f"{key} is not in entlint's data (dataset {db.meta['version']}, {len(db)} keys)"


def find_entitlement(
    description: object, platform: object = None, limit: object = 5, db: Database | None = None
) -> dict[str, Any]:
    """Ranked answers for a feature described in words, from the feature index of `db search`."""
    db = db or load()
    text = _text(description, "description")
    where = _platform(platform)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_RESULTS:
        raise ToolArgumentError(f"limit must be a whole number from 1 to {MAX_RESULTS}")
    results = [r.as_dict() for r in db.search(text, platform=where, limit=limit)]
    return {"description": text, "platform": where, "results": results}


def _finding_dict(finding: Finding) -> dict[str, Any]:
    data = finding.as_dict()
    del data["path"]
    return data


def check_entitlements(
    content: object,
    filename: object = None,
    platforms: object = None,
    distribution: object = None,
    info_plist: object = None,
    db: Database | None = None,
) -> dict[str, Any]:
    """Lint a document given as text, as `entlint check --isolated` lints a file alone in a folder."""
    db = db or load()
    data = _document(content, "content")
    name = "App.entitlements" if filename is None else _text(filename, "filename")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kind = file_kind(name) or ENTITLEMENTS
    try:
        settings = Settings(
            platforms=_platforms(platforms),
            distribution=distribution_name(distribution, "distribution") if distribution else None,
        )
    except ConfigError as exc:
        raise ToolArgumentError(str(exc)) from None
    companion = None
    if info_plist is not None:
        if kind != ENTITLEMENTS:
            raise ToolArgumentError("info_plist is the companion of an entitlements file; content is already an Info.plist")
        try:
            companion = parse(_document(info_plist, "info_plist"))
        except InputError as exc:
            raise ToolArgumentError(f"info_plist: {exc.message}") from None

    def lint(document: bytes) -> list[Finding]:
        return lint_bytes(document, name, settings, db, kind, companion).findings

    findings = lint(data)
    fixed, applied, _ = fix_bytes(data, lint, unsafe=False) if any(f.fix and f.fix.safe for f in findings) else (data, 0, [])
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    return {
        "filename": name,
        "kind": "info-plist" if kind == INFO_PLIST else "entitlements",
        "platforms": list(settings.platforms or ()),
        "findings": [_finding_dict(f) for f in findings],
        "counts": counts,
        "fixed_content": fixed.decode("utf-8", "replace") if applied else None,
        "fixes_applied": applied,
    }


def _document(value: object, name: str) -> bytes:
    if not isinstance(value, str):
        raise ToolArgumentError(f"{name} must be the text of a property list")
    # a character is at least one byte: a text with too many is refused before it is copied
    data = value.encode("utf-8") if len(value) <= MAX_DOCUMENT_BYTES else None
    if data is None or len(data) > MAX_DOCUMENT_BYTES:
        limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
        raise ToolArgumentError(f"{name} is larger than {limit} MiB, the limit for documents sent by editors and agents")
    return data


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD.findall(text.lower()) if w not in ("capability", "the"))


def capability_requirements(capability: object, platform: object, db: Database | None = None) -> dict[str, Any]:
    """The keys, values and Info.plist entries an Xcode capability writes on one platform."""
    db = db or load()
    name = _text(capability, "capability")
    where = _platform(platform)
    if where is None:
        raise ToolArgumentError("platform is required: the keys a capability writes differ between platforms")
    wanted = _words(name)
    matching = [e for e in db if e.capability and _words(e.capability) == wanted]
    if not matching:
        matching = [e for e in db if e.capability and set(wanted) <= set(_words(e.capability))]
    if not matching:
        known = sorted({e.capability for e in db if e.capability})
        close = [c for c in known if set(wanted) & set(_words(c))][:8]
        hint = f" Close names: {', '.join(close)}." if close else " Use find_entitlement to search by description."
        raise ToolArgumentError(f"no Xcode capability named {name!r}.{hint}")
    names = sorted({e.capability for e in matching})
    here = [e for e in matching if e.available_on(where)]
    entitlements = [
        {
            "key": e.key,
            "type": e.value.type,
            "allowed": e.value.allowed,
            "prefixes": e.value.prefixes,
            "managed": e.managed is not None,
            "owner": e.owner,
        }
        for e in here
    ]
    info_plist = [need for e in here for need in e.info_plist]
    return {
        "capability": names[0] if len(names) == 1 else names,
        "platform": where,
        "available": bool(here),
        "entitlements": entitlements,
        "info_plist": info_plist,
        "needs_apple_approval": any(e.managed is not None for e in here),
        "not_on_platform": [e.key for e in matching if not e.available_on(where)],
    }


def keys_for_platform(platform: object, db: Database | None = None) -> list[str]:
    """Real, developer-written keys documented on ``platform``."""
    db = db or load()
    where = _platform(platform)
    return [e.key for e in db if e.owner == "developer" and (where is None or e.available_on(where))]
