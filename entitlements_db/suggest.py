"""Ranked suggestions for a key that is wrong: what the user most likely meant.

Evidence is ranked from strongest to weakest:

1. the curated catalogue of non-existent keys (a person checked the replacement);
2. the platform counterpart of a real key used on the wrong platform;
3. an Info.plist key written into an entitlements file;
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
    from entitlements_db.database import Database, NonExistentKey

#: Words that say where a key lives rather than what it is.
NAMESPACE_WORDS = frozenset({"com", "apple", "developer", "security"})
_HUMPS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|[A-Z]+|\d+")
_THRESHOLD = 0.5


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


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _normalised(key: str) -> str:
    return ".".join("-".join(_singular(w) for w in re.split(r"[-_]", seg.lower())) for seg in key.split("."))


def _compact(key: str) -> str:
    """The normalised key with ``-`` and ``_`` dropped: ``read-only`` and ``readonly`` meet."""
    return _normalised(key).replace("-", "")


class Suggester:
    """Indexes of the database built once, on the first suggestion asked for."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._words: dict[str, tuple[str, ...]] = {}
        self._by_word: dict[str, set[str]] = {}
        self._by_deletion: dict[str, set[str]] = {}
        self._by_normal: dict[str, str] = {}
        self._by_compact: dict[str, str] = {}
        #: Catalogued non-existent keys by compact form, to catch near misses of them too.
        self._catalogue_compact: dict[str, str] = {}
        for entry in db.non_existent_keys():
            self._catalogue_compact.setdefault(_compact(entry.key), entry.key)
        for key in db.keys():
            key_words = tuple(dict.fromkeys(w for w in words(key) if w not in NAMESPACE_WORDS))
            self._words[key] = key_words
            self._by_normal.setdefault(_normalised(key), key)
            self._by_compact.setdefault(_compact(key), key)
            for word in key_words:
                self._by_word.setdefault(word, set()).add(key)
        vocabulary = list(self._by_word)
        for word in vocabulary:
            for variant in {_singular(word)} | (_deletions(word) if len(word) >= 4 else set()):
                self._by_deletion.setdefault(variant, set()).add(word)
        total = len(self._words) or 1
        self._idf = {w: 1.0 + math.log(total / len(keys)) for w, keys in self._by_word.items()}
        self._max_idf = max(self._idf.values(), default=1.0)

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
        info = self.db.info_plist_key(key)
        if info is not None:
            found.append(Suggestion("info-plist-key", key, "an Info.plist key: move it to Info.plist", 98.0))
        if real is None and entry is None:
            normal = _normalised(key)
            compact = normal.replace("-", "")
            near = self._catalogue_compact.get(compact)
            near_entry = self.db.non_existent(near) if near else None
            if near_entry is not None:
                found.extend(_catalogued(near_entry, platforms, 94.0, f"as for {near}"))
            found.extend(self._similar(key, platforms, normal, compact))
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
        query = tuple(dict.fromkeys(w for w in words(key) if w not in NAMESPACE_WORDS))
        if not query:
            return found
        matches = {w: self._matching_words(w) for w in query}
        candidates: set[str] = set()
        for matched in matches.values():
            for word in matched:
                candidates |= self._by_word[word]
        namespace = key.rsplit(".", 1)[0] if "." in key else ""
        for candidate in candidates:
            score = self._score(query, matches, candidate)
            if candidate.startswith(namespace + ".") and namespace:
                score += 0.05
            if score >= _THRESHOLD:
                found.append(Suggestion("entitlement", candidate, _similar_note(score), 50.0 + 40.0 * min(score, 1.0)))
        return [self._on_platform(s, platforms) for s in found]

    def _matching_words(self, word: str) -> dict[str, float]:
        """Vocabulary words that match ``word``, with how well (1 exact … 0.75 one edit)."""
        found: dict[str, float] = {}
        if word in self._by_word:
            found[word] = 1.0
        single = _singular(word)
        for variant, weight in ((single, 0.9), (word, 0.75)):
            for candidate in self._by_deletion.get(variant, ()):
                found.setdefault(candidate, weight)
        if len(word) >= 4:
            for deleted in _deletions(word):
                for candidate in self._by_deletion.get(deleted, ()):
                    found.setdefault(candidate, 0.75)
                if deleted in self._by_word:
                    found.setdefault(deleted, 0.75)
        return found

    def _score(self, query: tuple[str, ...], matches: dict[str, dict[str, float]], candidate: str) -> float:
        """A Dice coefficient over words, weighted by how rare each word is."""
        target = self._words[candidate]
        idf = self._idf
        rare = self._max_idf  # a word no key has weighs as much as the rarest word
        matched = 0.0
        for word in query:
            best = max((w for t, w in matches[word].items() if t in target), default=0.0)
            matched += best * idf.get(word, rare)
        query_weight = sum(idf.get(w, rare) for w in query)
        target_weight = sum(idf[w] for w in target)
        return 2.0 * matched / (query_weight + target_weight) if query_weight + target_weight else 0.0

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
        return Suggestion(suggestion.kind, suggestion.key, suggestion.note, suggestion.score - 30.0)


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
