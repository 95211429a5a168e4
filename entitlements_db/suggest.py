"""Ranked suggestions for a key that is wrong: what the user most likely meant.

Evidence is ranked from strongest to weakest:

1. the curated catalogue of non-existent keys (a person checked the replacement);
2. the platform counterpart of a real key used on the wrong platform; for a Mac-only
   App Sandbox or Hardened Runtime key with no counterpart, "no entitlement" and the
   Info.plist purpose strings it names (other platforms sandbox every app);
3. an Info.plist key written into an entitlements file, also misspelt by one letter or
   differing in case, separators or plural (``NSCameraUsageDescripton``);
4. a real key that differs only in case, or only in ``_``/``-``, plural endings and
   words run together (``readonly`` for ``read-only``); a key that differs from a
   catalogued non-existent key in those ways gets the catalogue's replacements;
5. similarity that understands the dotted structure of keys: keys are split into
   words (segments, ``-``/``_`` parts, camelCase humps), namespace words such as
   ``com``, ``apple``, ``developer`` weigh little, and words match exactly, as
   singular/plural, or within one edit (typos), looked up in a deletion index so a
   query costs microseconds rather than a scan with edit distances.

The result is deterministic: ties break on the key.
"""

from __future__ import annotations

import math
import re

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Sequence
    from entitlements_db.database import Database, Entitlement, NonExistentKey

#: Words that say where a key lives rather than what it is.
NAMESPACE_WORDS = frozenset({"com", "apple", "developer", "security"})
_HUMPS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|[A-Z]+|\d+")
_THRESHOLD = 0.5
#: Words that say "a background mode" around a mode's name (``background-audio``, ``voip-background-mode``).
_BACKGROUND = frozenset({"background", "bg", "backgroundmode", "backgroundmodes", "uibackgroundmodes"})
_MODE_WORDS = frozenset({"mode", "modes", "ui", "enabled", "enable", "allowed"})
#: Info.plist keys shorter than this are not matched with a typo: too many would be one edit apart.
_INFO_TYPO_MIN = 12
#: Platforms where App Sandbox and Hardened Runtime keys exist.
_MAC = frozenset({"macOS", "macCatalyst"})
#: Keys past this get no suggestions. The same value as entitlements_db.features.MAX_QUERY and
#: entitlements_lint.limits.MAX_SUGGESTION_INPUT (not imported: the feature index costs 5 ms to
#: import and the linter imports this module at start-up); tests/lint/test_bounded.py keeps them equal.
MAX_QUERY = 128


class Suggestion:
    """One candidate replacement.

    ``kind`` is ``entitlement``, ``info-plist-key`` or ``none`` (no entitlement is
    needed, or the key is Apple's own); ``key`` and ``value`` say what to write;
    ``note`` says why, in a few words.
    """

    __slots__ = ("kind", "key", "value", "note", "score")

    def __init__(
        self, kind: str, key: str | None, note: str, score: float, value: str | None = None
    ) -> None:
        self.kind = kind
        self.key = key
        self.value = value
        self.note = note
        self.score = score

    def as_dict(self) -> dict[str, str | None]:
        data = {"kind": self.kind, "key": self.key, "note": self.note}
        if self.value is not None:
            data["value"] = self.value
        return data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Suggestion) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash((self.kind, self.key, self.value))

    def __repr__(self) -> str:
        value = f", value={self.value!r}" if self.value is not None else ""
        return f"Suggestion({self.kind!r}, {self.key!r}{value}, note={self.note!r})"


def words(key: str) -> list[str]:
    """Lower-case words of a key: segments split at ``.``, ``-``, ``_`` and camelCase."""
    found: list[str] = []
    for part in re.split(r"[.\-_:\s]+", key):
        found.extend(h.lower() for h in _HUMPS.findall(part))
    return found


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _normalised(key: str) -> str:
    return ".".join("-".join(_singular(w) for w in re.split(r"[-_]", seg.lower())) for seg in key.split("."))


def _compact(key: str) -> str:
    """The normalised key with ``-`` and ``_`` dropped: ``read-only`` and ``readonly`` meet."""
    return _normalised(key).replace("-", "")


_NAMESPACE = re.compile(r"^com\.apple\.(developer\.|security\.)?")


def _bare(compact: str) -> str:
    """A compact key without ``com.apple.developer.`` or ``com.apple.security.``."""
    return _NAMESPACE.sub("", compact)


class Suggester:
    """Exact-form indexes of the database, built on the first suggestion asked for; the
    similarity step is the feature index of :mod:`entitlements_db.features`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._by_normal: dict[str, str] = {}
        self._by_compact: dict[str, str] = {}
        #: Catalogued non-existent keys by compact form, to catch near misses of them too.
        self._catalogue_compact: dict[str, str] = {}
        #: … and by that form without the namespace: a catalogued com.apple.security.x answers
        #: com.apple.developer.x as well, since both name the same feature.
        self._catalogue_bare: dict[str, str] = {}
        for entry in db.non_existent_keys():
            self._catalogue_compact.setdefault(_compact(entry.key), entry.key)
            self._catalogue_bare.setdefault(_bare(_compact(entry.key)), entry.key)
        #: Info.plist keys by compact, lower-case form, and by that form with one letter deleted
        #: (built on first use): an Info.plist key misspelt in an entitlements file.
        self._info_compact: dict[str, str] | None = None
        self._info_deletions: dict[str, set[str]] = {}
        #: Real keys by compact form without the namespace: agents swap com.apple.developer.
        #: and com.apple.security. (``com.apple.developer.app-sandbox``).
        self._by_bare: dict[str, list[str]] = {}
        for key in db.keys():
            self._by_normal.setdefault(_normalised(key), key)
            self._by_compact.setdefault(_compact(key), key)
            self._by_bare.setdefault(_bare(_compact(key)), []).append(key)

    # -- public --------------------------------------------------------------
    def suggest(self, key: str, platforms: Sequence[str], limit: int) -> list[Suggestion]:
        found: list[Suggestion] = []
        entry = self.db.non_existent(key)
        if entry is not None:
            found.extend(_catalogued(entry, platforms, 100.0))
        real = self.db.get(key)
        if real is not None:
            for platform in platforms:
                other = real.counterparts.get(platform)
                if other and not real.available_on(platform):
                    found.append(Suggestion("entitlement", other, f"the {platform} name of this entitlement", 97.0))
            if not any(real.available_on(p) or real.counterparts.get(p) for p in platforms):
                found.extend(_sandbox_elsewhere(real, key, platforms))
        info = self.db.info_plist_key(key)
        if info is not None:
            found.append(Suggestion("info-plist-key", key, "an Info.plist key: move it to Info.plist", 98.0))
        elif real is None and entry is None and len(key) <= MAX_QUERY:
            found.extend(self._near_info_plist(key))
        if real is None and entry is None and len(key) <= MAX_QUERY:
            normal = _normalised(key)
            compact = normal.replace("-", "")
            near = self._catalogue_compact.get(compact) or self._catalogue_bare.get(_bare(compact))
            near_entry = self.db.non_existent(near) if near else None
            if near_entry is not None:
                found.extend(_catalogued(near_entry, platforms, 94.0, f"as for {near}"))
            found.extend(self._similar(key, platforms, normal, compact))
            found.extend(self._background_mode(key, platforms))
        return _ranked(found, limit)

    # -- similarity ----------------------------------------------------------
    def _similar(self, key: str, platforms: Sequence[str], normal: str, compact: str) -> list[Suggestion]:
        found: list[Suggestion] = []
        same_case = self.db.case_insensitive(key)
        if same_case:
            found.append(Suggestion("entitlement", same_case, "differs only in letter case", 96.0))
        respelled = self._by_normal.get(normal) or self._by_compact.get(compact)
        if respelled and respelled != same_case:
            found.append(Suggestion("entitlement", respelled, "differs only in separators or plural", 95.0))
        elif not same_case and key.startswith("com.apple."):
            moved = self._by_bare.get(_bare(compact), [])
            here = [k for k in moved if any(self._exists(k, p) for p in platforms)]
            for real in sorted(here or moved)[:1]:
                if real == key:
                    continue
                prefix = _NAMESPACE.match(real)
                where = f"with the {prefix.group(0).rstrip('.')} prefix" if prefix else "without a com.apple prefix"
                # Ranked above similarity, but below a misspelling: Apple does keep parallel keys in
                # both namespaces (com.apple.developer.cs.allow-jit is BrowserEngineKit's JIT key),
                # so an unknown key here may be a real one newer than the data.
                found.append(self._on_platform(Suggestion("entitlement", real, f"the same key {where}", 93.0), platforms))
        for match in self.db.feature_index().rank(key, platforms, key_query=True, limit=6, threshold=_THRESHOLD):
            answer = match.answer
            score = 50.0 + 40.0 * min(max(match.score, 0.0), 1.0)
            if answer.kind == "entitlement":
                # "key" means the words of the key itself: the note already says so
                note = _similar_note(match.similarity) + ("" if match.why == "key" else f" ({match.why})")
                found.append(self._on_platform(Suggestion("entitlement", answer.key, note, score), platforms))
            elif answer.feature is not None:
                found.extend(_no_entitlement(answer.feature, platforms, score))
        return found

    def _background_mode(self, key: str, platforms: Sequence[str]) -> list[Suggestion]:
        """A background mode's name written as a key: it is a value of Info.plist UIBackgroundModes."""
        said = [w for w in words(key) if w not in NAMESPACE_WORDS]
        if not _BACKGROUND.intersection(said):
            return []
        rest = "".join(_singular(w) for w in said if w not in _BACKGROUND and w not in _MODE_WORDS)
        for mode in self.db.background_modes():
            if rest == _singular(mode.value.replace("-", "")) and (
                not platforms or any(p in mode.platforms for p in platforms)
            ):
                note = f"the {mode.value} background mode: a value of Info.plist UIBackgroundModes"
                return [Suggestion("info-plist-key", "UIBackgroundModes", note, 94.5, mode.value)]
        return []

    def _near_info_plist(self, key: str) -> list[Suggestion]:
        """An Info.plist key written with other case, separators or plural, or one letter off."""
        if self._info_compact is None:
            self._info_compact = {}
            for info in self.db.info_plist_keys():
                form = _compact(info.key).lower()
                self._info_compact.setdefault(form, info.key)
                if len(form) >= _INFO_TYPO_MIN:
                    for i in range(len(form)):
                        self._info_deletions.setdefault(form[:i] + form[i + 1 :], set()).add(info.key)
        form = _compact(key).lower()
        same = self._info_compact.get(form)
        if same is not None:
            return [Suggestion("info-plist-key", same, "an Info.plist key, spelled differently: move it to Info.plist", 96.0)]
        if len(form) < _INFO_TYPO_MIN:
            return []
        # One letter missing or added: one side loses a letter. Changed or two swapped: both
        # sides lose one, and the two forms then differ in one place or one adjacent swap.
        near: set[str] = set(self._info_deletions.get(form, ()))
        for i in range(len(form)):
            shorter = form[:i] + form[i + 1 :]
            if len(shorter) >= _INFO_TYPO_MIN and shorter in self._info_compact:
                near.add(self._info_compact[shorter])
            near.update(k for k in self._info_deletions.get(shorter, ()) if _changed_or_swapped(form, _compact(k).lower()))
        return [Suggestion("info-plist-key", k, "an Info.plist key with a typo: move it to Info.plist", 92.0)
                for k in sorted(near)[:2]]

    def _exists(self, key: str, platform: str) -> bool:
        real = self.db.get(key)
        return real is not None and real.available_on(platform)

    def _on_platform(self, suggestion: Suggestion, platforms: Sequence[str]) -> Suggestion:
        """Swap a suggestion for its counterpart when it does not exist on the platform."""
        if not platforms or suggestion.key is None:
            return suggestion
        real = self.db.get(suggestion.key)
        if real is None or any(real.available_on(p) for p in platforms):
            return suggestion
        for platform in platforms:
            other = real.counterparts.get(platform)
            if other:
                note = f"{suggestion.note}; the {platform} name of {suggestion.key}"
                return Suggestion("entitlement", other, note, suggestion.score)
        return suggestion


def _changed_or_swapped(a: str, b: str) -> bool:
    """Whether two forms of equal length differ in one letter or in two adjacent letters swapped."""
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _sandbox_elsewhere(real: Entitlement, key: str, platforms: Sequence[str]) -> list[Suggestion]:
    """A Mac-only App Sandbox or Hardened Runtime key in a file for another platform.

    Apps on the other platforms are always sandboxed and have no such option: nothing replaces
    the key, and the resource it opened is asked for with the purpose string it names.
    """
    if not key.startswith("com.apple.security.") or not platforms or not set(real.platforms) <= _MAC:
        return []
    if any(p in _MAC for p in platforms):
        return []
    found = [Suggestion("none", None, "a Mac App Sandbox or Hardened Runtime key: other platforms need none", 96.0)]
    for rank, need in enumerate(real.info_plist):
        found.append(Suggestion("info-plist-key", need["key"], f"the purpose string for {need.get('when') or 'this'}",
                                95.0 - rank))
    return found


def _no_entitlement(feature: dict, platforms: Sequence[str], score: float) -> list[Suggestion]:
    """A feature that needs no entitlement: what to do instead, and its real special cases.

    A special case limited to platforms that cover the whole target (Bluetooth in a Mac-only
    file) is the answer there; elsewhere it follows the "no entitlement" answer.
    """
    text = feature["no_entitlement"]
    marker = "no entitlement: "
    advice = text.split(marker, 1)[1] if marker in text else text
    advice = advice.split(". ", 1)[0].rstrip(".")
    name = feature["names"][0][0]
    found = [Suggestion("none", None, f"{name}: {advice}", score)]
    for case in feature.get("special_cases", ()):
        own = case.get("platforms")
        covers = bool(platforms) and own is not None and all(p in own for p in platforms)
        note = f"the real entitlement for {case.get('note') or name}"
        found.append(Suggestion("entitlement", case["key"], note, score + 1.0 if covers else score - 8.0))
    return found


def _catalogued(entry: NonExistentKey, platforms: Sequence[str], top: float, why: str = "") -> list[Suggestion]:
    """The catalogue's replacements for ``entry`` that fit ``platforms``, best first."""
    replacements = entry.replacements
    fitting = [r for r in replacements if r.applies_to(platforms)] or replacements
    found = []
    for rank, r in enumerate(fitting):
        kind = r.kind if r.kind in ("entitlement", "info-plist-key") else "none"
        note = r.note or _catalogue_note(r.kind, r.platforms)
        found.append(Suggestion(kind, r.key, f"{note} ({why})" if why else note, top - rank, r.value))
    return found


def _catalogue_note(kind: str, platforms: list[str] | None) -> str:
    where = f" on {', '.join(platforms)}" if platforms else ""
    return {
        "entitlement": f"the real entitlement{where}",
        "info-plist-key": f"an Info.plist setting{where}, not an entitlement",
        "none": f"no entitlement is needed{where}",
        "apple-internal": "reserved for Apple's own software",
    }[kind]


def _similar_note(score: float) -> str:
    return "closely matches a real key" if score >= 0.8 else "resembles a real key"


def _ranked(found: list[Suggestion], limit: int) -> list[Suggestion]:
    best: dict[tuple[str, str | None, str | None], Suggestion] = {}
    for s in found:
        ident = (s.kind, s.key, s.value)
        if ident not in best or s.score > best[ident].score:
            best[ident] = s
    return sorted(best.values(), key=lambda s: (-s.score, s.kind, s.key or "", s.value or ""))[:limit]
