"""Does the key exist, and is it in the right file?"""

from __future__ import annotations

from entitlements_lint.findings import Finding, Fix
from entitlements_lint.rules.base import ENTITLEMENTS, INFO_PLIST, Context, Rule
from entitlements_lint.rules.platform import available
from entitlements_lint.rules.values import value_fits

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator
    from entitlements_db.database import Database, NonExistentKey
    from entitlements_db.suggest import Suggestion
    from entitlements_lint.plist import Entry

DTS_POST = "https://developer.apple.com/forums/thread/799000"


@Rule(
    code="ENT001",
    name="unknown-entitlement",
    severity="error",
    summary="The key is not an entitlement Apple defines, or not one entlint's data knows.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "A provisioning profile can only authorise entitlements Apple defines. An invented "
        "key (often written by a coding agent, or guessed from a capability's name) makes "
        "automatic signing fail with \"Provisioning profile doesn't include the X "
        "entitlement\", or is silently useless. Many features need no entitlement at all, "
        "or an Info.plist key instead. A key the data has never seen, and that is no misspelling "
        "of a known one, is reported as not known to the data release, with the closest feature; "
        "a key Apple added after the release goes under `granted` in the configuration."
    ),
    example="<key>com.apple.developer.push-notifications</key>\n<true/>",
    use_instead="<key>aps-environment</key>\n<string>development</string>",
    fix_safety=(
        "Safe when the curated catalogue names exactly one real replacement for the target's "
        "platforms and the current value is valid for it (com.apple.developer.app-groups → "
        "com.apple.security.application-groups), and when the key differs from a real one only in "
        "letter case. Removing a key that needs no entitlement is "
        "an unsafe fix (--unsafe-fixes)."
    ),
    sources=(DTS_POST, "https://developer.apple.com/documentation/bundleresources/entitlements"),
)
def unknown_entitlement(ctx: Context) -> Iterator[Finding]:
    db, target = ctx.db, ctx.target
    for entry in ctx.entries():
        key = entry.key
        if key in db or key in target.granted or db.looks_like_info_plist_key(key) or db.profile_key(key):
            continue
        catalogued = db.non_existent(key)
        if catalogued is None and db.apple_internal(key) is not None:
            continue
        suggestions = ctx.suggest(key)
        if catalogued is not None or _near_miss(key, suggestions):
            message = f"`{key}` is not an entitlement" + _advice(suggestions, catalogued is not None)
            note = catalogued.explanation if catalogued is not None else None
        else:
            # Never seen and not a misspelling: say what the data knows, not what Apple never did.
            message = f"`{key}` is not a known entitlement ({data_release(db)})" + _advice(suggestions, False)
            note = GRANTED_NOTE
        fix = _fix(ctx, entry, catalogued)
        if fix is None and suggestions and suggestions[0].kind == "entitlement" and any(
                e.key == suggestions[0].key for e in ctx.entries()):
            # what --fix would do if the right key were not there already: say why it does not
            merge = f"Not fixed: `{suggestions[0].key}` is also in this file; merge the two by hand."
            note = f"{note} {merge}" if note else merge
        if any(s.kind == "entitlement" and s.note.startswith("the real entitlement on") for s in suggestions):
            message += target.assumption()
        yield ctx.finding(unknown_entitlement, entry.key_node, message, key, suggestions, fix, note=note)


GRANTED_NOTE = (
    "If Apple added this key after entlint's data release, or granted it to your team, "
    "list it under `granted` in the configuration."
)


def data_release(db: Database) -> str:
    """``entlint data 2026.12.0, 289 keys``: which data a "not known" verdict comes from."""
    return f"entlint data {db.meta.get('version', '?')}, {len(db)} keys"


def _near_miss(key: str, suggestions: list[Suggestion]) -> bool:
    """Whether ``key`` misspells a real or catalogued key: ``healthkti``, ``Network.Client``.

    Near misses are respellings (case, separators, plurals), a catalogued key's near miss,
    or a real key at most two edits away (a swap of neighbours counts as one).
    """
    for s in suggestions[:1]:
        if s.score >= 94.0 or (s.kind == "entitlement" and s.key and osa_within(key, s.key, 2)):
            return True
    return False


def osa_within(a: str, b: str, limit: int) -> bool:
    """Optimal string alignment distance of ``a`` and ``b`` (case and ``_``/``-`` ignored) ≤ ``limit``."""
    a, b = a.lower().replace("_", "-"), b.lower().replace("_", "-")
    if abs(len(a) - len(b)) > limit:
        return False
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return False
        before, previous = previous, current
    return previous[-1] <= limit


def _advice(suggestions: list[Suggestion], certain: bool) -> str:
    if not suggestions:
        return ""
    best = suggestions[0]
    if best.kind == "none":
        return "; no entitlement is needed" + ("" if best.note.startswith("no entitlement") else f" ({best.note})")
    if best.kind == "info-plist-key":
        value = f" value `{best.value}`" if best.value else ""
        return f"; use the Info.plist key `{best.key}`{value} instead"
    return f"; use `{best.key}`" if certain else f"; did you mean `{best.key}`?"


def _fix(ctx: Context, entry: Entry, catalogued: NonExistentKey | None) -> Fix | None:
    """Rename when exactly one real key replaces this one for the target; else remove if nothing is needed."""
    if catalogued is None:
        return _case_fix(ctx, entry)
    fitting = [r for r in catalogued.replacements if r.applies_to(ctx.target.platforms)]
    if len(fitting) == 1 and fitting[0].kind == "entitlement":
        only = fitting[0]
        real = ctx.db.get(only.key)
        certain = ctx.target.certain or only.platforms is None
        taken = any(e.key == only.key for e in ctx.entries())
        # Renaming to a key the target's platforms lack would trade one error for another.
        platforms = ctx.target.platforms or ()
        there = real is not None and (not platforms or any(available(real, p) for p in platforms))
        if certain and there and value_fits(real, entry.value) and not taken:
            return Fix(f"Rename to `{only.key}`", [ctx.rename_key(entry, only.key)], safe=True)
    if fitting and all(r.kind == "none" for r in fitting):
        return Fix(f"Remove `{entry.key}`", [ctx.remove(entry.start, entry.end)], safe=False)
    return None


def _case_fix(ctx: Context, entry: Entry) -> Fix | None:
    """A key that differs from a real one only in letter case has one certain spelling."""
    real_key = ctx.db.case_insensitive(entry.key)
    real = ctx.db.get(real_key) if real_key else None
    if real is None or not value_fits(real, entry.value) or any(e.key == real.key for e in ctx.entries()):
        return None
    return Fix(f"Rename to `{real.key}`", [ctx.rename_key(entry, real.key)], safe=True)


@Rule(
    code="ENT002",
    name="private-entitlement",
    severity="error",
    summary="The key is reserved for Apple's own software.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "Entitlements such as `com.apple.private.*` or `task_for_pid-allow` are granted only "
        "to Apple's binaries. No provisioning profile for a third-party app carries them, so "
        "the app fails to sign or is killed at launch. They are often copied from logs or from "
        "Apple's own apps."
    ),
    example="<key>com.apple.private.security.no-sandbox</key>\n<true/>",
    use_instead="Remove the key, and use the public API or entitlement for the feature.",
    fix_safety="No automatic fix. If Apple granted your team the key, list it under `granted` in the configuration.",
    sources=("https://developer.apple.com/documentation/bundleresources/entitlements",),
)
def private_entitlement(ctx: Context) -> Iterator[Finding]:
    for entry in ctx.entries():
        if entry.key in ctx.target.granted or ctx.db.non_existent(entry.key) is not None:
            continue
        match = ctx.db.apple_internal(entry.key)
        if match is not None:
            via = "" if match.matched == entry.key else f" (prefix `{match.matched}`)"
            message = f"`{entry.key}` is private to Apple{via}: {match.note}"
            yield ctx.finding(private_entitlement, entry.key_node, message, entry.key)


@Rule(
    code="ENT003",
    name="misplaced-key",
    severity="error",
    summary="An Info.plist key in an entitlements file, or an entitlement in Info.plist.",
    applies_to=(ENTITLEMENTS, INFO_PLIST),
    why=(
        "Entitlements and Info.plist keys live in different files and are read by different "
        "parts of the system. `UIBackgroundModes` or a usage description in an entitlements "
        "file has no effect (and may break signing); an entitlement in Info.plist grants nothing."
    ),
    example="<!-- App.entitlements -->\n<key>UIBackgroundModes</key>\n<array><string>remote-notification</string></array>",
    use_instead="<!-- Info.plist -->\n<key>UIBackgroundModes</key>\n<array><string>remote-notification</string></array>",
    fix_safety="Removing the key is an unsafe fix: move its value to the other file by hand first.",
    sources=(DTS_POST,),
)
def misplaced_key(ctx: Context) -> Iterator[Finding]:
    db = ctx.db
    for entry in ctx.entries():
        key = entry.key
        if ctx.kind == ENTITLEMENTS:
            if key in db or key in ctx.target.granted or not db.looks_like_info_plist_key(key):
                continue
            message = f"`{key}` is an Info.plist key, not an entitlement: move it to the target's Info.plist"
            suggestion = ctx.suggest(key)
        else:
            if key not in db or db.info_plist_key(key) is not None:
                continue
            message = f"`{key}` is an entitlement: it belongs in the target's .entitlements file, not Info.plist"
            suggestion = []
        fix = Fix(f"Remove `{key}`", [ctx.remove(entry.start, entry.end)], safe=False)
        yield ctx.finding(misplaced_key, entry.key_node, message, key, suggestion, fix)


RULES = (unknown_entitlement, private_entitlement, misplaced_key)
