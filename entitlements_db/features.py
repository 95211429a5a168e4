"""The feature index: one ranking behind suggestions, `entlint db search`, completion and the agent tools.

People and coding agents name features, not keys: the Xcode capability ("Apple Pay"), the
framework ("WeatherKit"), the App Sandbox option label ("Outgoing Connections (Client)"), or
a feature that needs no entitlement at all (WidgetKit). The index treats names and keys
alike: both become words, and a query (an invented key or a phrase) is matched against every
name of every answer.

Words are lower-cased, split at separators and camelCase humps, reduced to a crude stem
(plurals and -ation/-ed/-ing endings), and joined or split against the vocabulary, so
``time_sensitive``, ``TimeSensitive`` and ``timesensitive`` meet, as do ``pushnotifications``
and "push notifications". A word with no exact match may match with one typo (a deletion
index) or as a prefix.

Each answer (a real entitlement, or a feature that needs none) has fields: its key's words,
its page title, its capability, the names of the features it is the main key of, and the
editorial synonyms of data/search-synonyms.yaml. A field scores by how much of the query it
covers and how much of it the query explains, both weighted by how rare each word is; the
answer takes its best field. Small priors break near ties: a family's base key before its
children, a capability's main key, how often the key is seen in real projects
(``Database.usage``), and the document's platforms.

Cost is bounded: input past :data:`MAX_QUERY` characters gets no answers, a query keeps at
most :data:`MAX_WORDS` words, and typo matching looks up one deletion per letter of words
up to :data:`MAX_TYPO_WORD` letters, so no step is quadratic in the input. The index is
built on first use from ``features.json``; a lint run that meets no unknown key never
reads it.
"""

from __future__ import annotations

import math
import os
import re

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any
    from entitlements_db.database import Database

#: Longer input gets no answers: nobody types a 129-character feature, and the work must stay bounded.
MAX_QUERY = 128
#: At most this many words of a query are used.
MAX_WORDS = 12
#: A run-together word is read as at most this many words.
MAX_PARTS = 4
#: Words longer than this match exactly only (no typo or prefix matching).
MAX_TYPO_WORD = 32

_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_HUMPS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|[A-Z]+|\d+")
_NAMESPACE = re.compile(r"^com\.apple\.(developer\.|security\.)?")
#: Words that say nothing about which feature is meant.
STOP_WORDS = frozenset(
    "a an and the for to of or with in on by my our your i we want need needs how do does can "
    "use using enable add allow allows access key keys entitlement entitlements capability "
    "capabilities support app apps ios macos com developer".split()
)
#: Words that weigh little even though they are not stop words (every key family has them).
_LIGHT = frozenset({"apple", "security", "kit", "core", "allow", "access", "app"})

#: Weights of the fields of an answer.
W_KEY, W_NAME, W_MAIN, W_OTHER, W_SYNONYM, W_UNION = 1.0, 1.0, 1.0, 0.86, 0.96, 0.88
#: Share of the query that the best field leaves out but other fields of the answer explain.
W_SPREAD = 0.15
#: An invented key's namespace hints at what is meant: ``com.apple.security.`` keys are the Mac's
#: App Sandbox and Hardened Runtime, ``com.apple.developer.`` keys the capabilities. A key from
#: the other of the two ranks a little lower.
W_NAMESPACE = 0.03
_SPACES = ("com.apple.developer.", "com.apple.security.")


def stem(word: str) -> str:
    """A crude stem, the same on both sides: plurals and common endings go, so ``share``,
    ``sharing`` and ``shared`` meet, as do ``emulate`` and ``emulation``, ``debug`` and ``debugging``."""
    w = word
    for suffix, keep in (("ations", 4), ("ation", 4), ("ings", 4), ("ing", 4), ("ies", 3), ("ed", 4),
                         ("ates", 4), ("ate", 4)):
        if w.endswith(suffix) and len(w) - len(suffix) >= keep:
            w = w[: -len(suffix)] + ("y" if suffix == "ies" else "")
            if suffix in ("ings", "ing", "ed") and len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # debugging → debug, not debugg
            return _without_final_e(w)
    if len(w) > 3 and w.endswith("es") and w[-3] in "sxz":
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return _without_final_e(w)


def _without_final_e(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def raw_words(text: str) -> list[str]:
    """Lower-case words of a key or phrase, split at separators and camelCase humps."""
    found: list[str] = []
    for part in _SPLIT.split(text):
        found.extend(h.lower() for h in _HUMPS.findall(part))
    return found


def key_text(key: str) -> str:
    """The part of a key that names the feature: ``com.apple.developer.`` and the like go."""
    return _NAMESPACE.sub("", key)


def namespace(key: str) -> str:
    """``com.apple.developer.``, ``com.apple.security.``, ``com.apple.`` or ``""``: where a key lives."""
    match = _NAMESPACE.match(key)
    return match.group(0) if match else ""


def family(key: str) -> str:
    """The key's family: its namespace and first segment (``com.apple.security.files``)."""
    match = _NAMESPACE.match(key)
    rest = key[match.end():] if match else key
    return key[: len(key) - len(rest)] + rest.split(".", 1)[0]


def _better(parts: list[str], other: list[str]) -> bool:
    """Fewer parts first; then longer leading parts (``keychain`` + ``sharing``, not ``key`` + …)."""
    return (len(parts), [-len(p) for p in parts]) < (len(other), [-len(p) for p in other])


def _deletions(word: str) -> Iterable[str]:
    return (word[:i] + word[i + 1 :] for i in range(len(word)))


class Answer:
    """One thing the index can answer with: a real key, or a feature that needs no entitlement."""

    __slots__ = ("kind", "key", "feature", "name", "note", "fields", "sets", "totals", "prior", "family",
                 "space", "platforms", "special_platforms")

    def __init__(self, kind: str, key: str | None, feature: dict[str, Any] | None, name: str, note: str | None) -> None:
        self.kind = kind
        self.key = key
        self.feature = feature
        self.name = name
        self.note = note
        #: (words, weight, why) per field; words are stems, in order, without repeats.
        self.fields: list[tuple[tuple[str, ...], float, str]] = []
        self.prior = 0.0
        self.family = family(key) if key else ""
        self.space = namespace(key) if key else ""
        #: Per field: its words as a set, and the sum of their rarity (filled once the index knows it).
        self.sets: list[frozenset[str]] = []
        self.totals: list[float] = []
        self.platforms: frozenset[str] | None = None
        #: For a feature needing no entitlement: platforms where a special case has a real key.
        self.special_platforms: frozenset[str] = frozenset(
            p for case in (feature or {}).get("special_cases", ()) for p in case.get("platforms") or ()
        )


class Match:
    """A scored answer: ``similarity`` in 0…1 before priors, ``score`` after them."""

    __slots__ = ("answer", "similarity", "score", "why")

    def __init__(self, answer: Answer, similarity: float, score: float, why: str) -> None:
        self.answer = answer
        self.similarity = similarity
        self.score = score
        self.why = why


def _read_features() -> dict[str, Any]:
    from entitlements_db.database import parse_json

    path = os.path.join(os.path.dirname(__file__), "features.json")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        from importlib.resources import files

        data = files("entitlements_db").joinpath("features.json").read_bytes()
    return parse_json(data)


class FeatureIndex:
    """Built once per database, on the first search or suggestion."""

    def __init__(self, db: Database, document: dict[str, Any] | None = None) -> None:
        document = document if document is not None else _read_features()
        self.db = db
        self.features: dict[str, dict[str, Any]] = {f["id"]: f for f in document["features"]}
        synonyms: dict[str, list[str]] = {}
        for phrase, targets in document["synonyms"]:
            for target in targets:
                synonyms.setdefault(target, []).append(phrase)
        #: Abbreviations and regional spellings (``bg``, ``centre``), replaced before matching.
        self.variants: dict[str, tuple[str, ...]] = {
            word: tuple(means.split()) for word, means in document.get("words", ())
        }
        self.answers: list[Answer] = []
        by_key: dict[str, Answer] = {}
        raw_fields: list[tuple[Answer, str, float, str]] = []
        main_of: dict[str, list[dict[str, Any]]] = {}
        other_of: dict[str, list[dict[str, Any]]] = {}
        for feature in self.features.values():
            for rank, (key, _platforms) in enumerate(feature["keys"]):
                (main_of if rank == 0 else other_of).setdefault(key, []).append(feature)
        keys = db.keys()
        key_set = set(keys)
        parents = {k for k in keys for other in keys if other != k and other.startswith((k + ".", k + "-"))}
        for key in sorted(keys):
            entitlement = db.get(key)
            assert entitlement is not None
            answer = Answer("entitlement", key, None, entitlement.name, entitlement.summary)
            answer.platforms = frozenset(entitlement.platforms)
            by_key[key] = answer
            self.answers.append(answer)
            raw_fields.append((answer, key_text(key), W_KEY, "key"))
            if entitlement.name and entitlement.name != key:
                raw_fields.append((answer, entitlement.name, W_NAME, f"name “{entitlement.name}”"))
            if entitlement.capability:
                # Many keys share a capability (App Sandbox): only its main key takes the full weight.
                named = {n.lower() for f in main_of.get(key, ()) for n, _kind in f["names"]}
                weight = W_NAME if entitlement.capability.lower() in named else W_OTHER
                raw_fields.append((answer, entitlement.capability, weight, f"capability “{entitlement.capability}”"))
            for feature in main_of.get(key, ()):
                for name, kind in feature["names"]:
                    raw_fields.append((answer, name, W_MAIN, f"{kind.replace('-', ' ')} “{name}”"))
                for phrase in synonyms.get(feature["id"], ()):
                    raw_fields.append((answer, phrase, W_SYNONYM, f"also called “{phrase}”"))
            for feature in other_of.get(key, ()):
                for name, kind in feature["names"]:
                    raw_fields.append((answer, name, W_OTHER, f"part of {kind.replace('-', ' ')} “{name}”"))
            for phrase in synonyms.get(key, ()):
                raw_fields.append((answer, phrase, W_SYNONYM, f"also called “{phrase}”"))
            prior = -0.004 * len(raw_words(key_text(key)))
            if key in parents:
                prior += 0.02
            if key in main_of:
                prior += 0.02
            if entitlement.deprecated:
                prior -= 0.05
            if entitlement.owner != "developer":
                prior -= 0.15
            usage = db.usage(key)
            if usage:
                prior += 0.03 * min(1.0, math.log10(1 + usage) / 4)
            answer.prior = prior
        for feature in self.features.values():
            if "no_entitlement" not in feature:
                continue
            answer = Answer("no-entitlement", None, feature, feature["names"][0][0], feature["no_entitlement"])
            self.answers.append(answer)
            for name, kind in feature["names"]:
                raw_fields.append((answer, name, W_MAIN, f"{kind.replace('-', ' ')} “{name}”"))
            for phrase in synonyms.get(feature["id"], ()):
                raw_fields.append((answer, phrase, W_SYNONYM, f"also called “{phrase}”"))
            answer.prior = 0.01
        self._by_key = by_key
        self._key_set = key_set
        # Vocabulary: words of names (spelled as English) and of keys (often run together).
        self.name_vocab: set[str] = set()
        self.key_vocab: set[str] = set()
        for _answer, text, _weight, why in raw_fields:
            stems = [stem(w) for w in raw_words(text)]
            (self.key_vocab if why == "key" else self.name_vocab).update(stems)
        self.vocab = self.name_vocab | self.key_vocab
        #: No part of a run-together word is longer than this (bounds the splitting work).
        self.longest_word = max((len(w) for w in self.vocab), default=0)
        per_answer: dict[int, list[tuple[tuple[str, ...], float, str]]] = {}
        for answer, text, weight, why in raw_fields:
            words = self.normalise(text, index_side=True)
            if words:
                per_answer.setdefault(id(answer), []).append((words, weight, why))
        self.by_word: dict[str, set[int]] = {}
        for number, answer in enumerate(self.answers):
            fields = per_answer.get(id(answer), [])
            union = tuple(dict.fromkeys(w for words, weight, _ in fields if weight >= W_MAIN for w in words))
            if len(fields) > 1 and union:
                fields.append((union, W_UNION, "words of its names and key"))
            answer.fields = fields
            for words, _weight, _why in fields:
                for word in words:
                    self.by_word.setdefault(word, set()).add(number)
        total = len(self.answers) or 1
        self.idf = {w: 1.0 + math.log(total / len(ids)) for w, ids in self.by_word.items()}
        for word in _LIGHT:
            if word in self.idf:
                self.idf[word] = min(self.idf[word], 1.0)
        self.max_idf = max(self.idf.values(), default=1.0)
        for answer in self.answers:
            answer.sets = [frozenset(words) for words, _weight, _why in answer.fields]
            answer.totals = [sum(self.idf[w] for w in words) for words, _weight, _why in answer.fields]
        self.by_deletion: dict[str, set[str]] = {}
        for word in self.by_word:
            if 4 <= len(word) <= MAX_TYPO_WORD:
                for variant in _deletions(word):
                    self.by_deletion.setdefault(variant, set()).add(word)
        self.sorted_vocab = sorted(self.by_word)
        #: Counted work since the index was built: typo lookups plus candidates scored. Tests
        #: assert it stays bounded whatever the input's length (speed is never timed in tests).
        self.work = 0

    # -- words -----------------------------------------------------------------------
    def normalise(self, text: str, index_side: bool = False) -> tuple[str, ...]:
        """Stems of ``text``, with run-together words split and split words joined."""
        # Each word with its unstemmed spelling: a run-together word is cut before its ending is
        # stemmed away (``corelocation`` is ``core`` + ``location``, although it stems to ``coreloc``).
        words = [(stem(w), w) for raw in raw_words(text)[: MAX_WORDS * 2] for w in self.variants.get(raw, (raw,))]
        vocab = self.name_vocab if index_side else getattr(self, "_known", None) or set(self.by_word)
        joined: list[tuple[str, str]] = []
        for word, spelled in words:
            if joined and (len(word) <= 3 or len(joined[-1][0]) <= 3):
                both = joined[-1][0] + word
                if both in (self.key_vocab if index_side else vocab) and (joined[-1][0] not in vocab or word not in vocab):
                    joined[-1] = (both, joined[-1][1] + spelled)
                    continue
            joined.append((word, spelled))
        found: list[str] = []
        for word, spelled in joined:
            if index_side:
                known = self.name_vocab
            else:
                known = set(self.by_word) if not hasattr(self, "_known") else self._known
                self._known = known
            parts = self._split(word, known) if word not in known else None
            if parts is None and word not in known and spelled != word:
                parts = self._split(spelled, known)
            if parts is None and word not in known and not index_side:
                parts = self._corrected(word, known)
            found.extend(parts or (word,))
        return tuple(dict.fromkeys(w for w in found if w not in STOP_WORDS))[:MAX_WORDS]

    def _split(self, word: str, vocab: set[str]) -> list[str] | None:
        """``word`` as up to :data:`MAX_PARTS` words run together (``signinwithapple``).

        A part is a vocabulary word (or its stem) or a stop word; at least two parts are
        vocabulary words or stop words of three letters or more. Fewest parts win, then the longest first part.
        Dynamic programming over cut points: at most 32² look-ups per word.
        """
        n = len(word)
        if n < 5 or n > MAX_TYPO_WORD:
            return None
        # best[i]: (parts, content) for word[:i], or None when word[:i] cannot be cut.
        best: list[tuple[list[str], int] | None] = [None] * (n + 1)
        best[0] = ([], 0)
        longest = self.longest_word
        for end in range(2, n + 1):
            choice: tuple[list[str], int] | None = None
            for begin in range(end - 2, max(-1, end - longest - 4), -1):  # + 4: a plural or -ing ending
                before = best[begin]
                if before is None or len(before[0]) >= MAX_PARTS:
                    continue
                piece = word[begin:end]
                if piece in vocab:
                    part, content = piece, 1
                elif len(piece) >= 3 and stem(piece) in vocab:
                    part, content = stem(piece), 1
                elif piece in STOP_WORDS:
                    part, content = piece, int(len(piece) >= 3)  # "app" counts, "by" does not
                else:
                    continue
                parts = [*before[0], part]
                if choice is None or _better(parts, choice[0]):
                    choice = (parts, before[1] + content)
            best[end] = choice
        found = best[n]
        if found is None or found[1] < 2:  # "appattest" is "app" + "attest"; "bypass" is not "by" + "pass"
            return None
        return found[0]

    def _corrected(self, word: str, known: set[str]) -> list[str] | None:
        """``word`` read as vocabulary words run together (a compound) with one typo.

        ``healthkti`` is ``healthkit`` (the key's own spelling, run together) with two
        letters swapped; the index knows it as ``health`` + ``kit``.
        """
        if not 5 <= len(word) <= MAX_TYPO_WORD:
            return None
        deletions = getattr(self, "_vocab_deletions", None)
        if deletions is None:
            deletions = {}
            for candidate in self.vocab:
                if 5 <= len(candidate) <= MAX_TYPO_WORD:
                    deletions.setdefault(candidate, set()).add(candidate)
                    for variant in _deletions(candidate):
                        deletions.setdefault(variant, set()).add(candidate)
            self._vocab_deletions = deletions
        found: set[str] = set(deletions.get(word, ()))
        self.work += len(word) + 1
        for variant in _deletions(word):
            found |= deletions.get(variant, set())
        # A plain word with a typo is matched later, at typo strength; only compounds are corrected here.
        for candidate in sorted(found, key=lambda c: (abs(len(c) - len(word)), c)):
            parts = None if candidate in known else self._split(candidate, known)
            if parts:
                return parts
        return None

    def _matches(self, word: str) -> dict[str, float]:
        """Index words that ``word`` matches, with how well (1 exact, 0.8 one typo, 0.7 prefix)."""
        if word in self.by_word:
            return {word: 1.0}
        found: dict[str, float] = {}
        if 4 <= len(word) <= MAX_TYPO_WORD:
            self.work += len(word) + 1
            for candidate in self.by_deletion.get(word, ()):
                found[candidate] = 0.8
            for deleted in _deletions(word):
                if deleted in self.by_word and len(deleted) >= 4:
                    found.setdefault(deleted, 0.8)
                for candidate in self.by_deletion.get(deleted, ()):
                    found.setdefault(candidate, 0.8)
            if not found:
                from bisect import bisect_left

                start = bisect_left(self.sorted_vocab, word)
                for candidate in self.sorted_vocab[start : start + 8]:
                    if candidate.startswith(word) and len(word) >= 0.6 * len(candidate):
                        found[candidate] = 0.7
        return found

    # -- ranking ---------------------------------------------------------------------
    def rank(
        self,
        text: str,
        platforms: Sequence[str] = (),
        key_query: bool = False,
        limit: int = 10,
        threshold: float = 0.3,
    ) -> list[Match]:
        """Answers for ``text`` (an invented key when ``key_query``, else a phrase), best first."""
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_QUERY:
            return []
        query = self.normalise(key_text(text) if key_query else text)
        if not query:
            return []
        rare = self.max_idf
        weights = {q: self.idf.get(q, rare) for q in query}
        matches = {q: self._matches(q) for q in query}
        if not any(1.0 in matched.values() for matched in matches.values()) and not all(matches.values()):
            # Nothing recognised exactly and some words mean nothing: any answer would be a guess.
            return []
        candidates: set[int] = set()
        matched_words: set[str] = set()
        for matched in matches.values():
            matched_words.update(matched)
            for word in matched:
                candidates |= self.by_word.get(word, set())
        total = sum(weights.values())
        self.work += len(candidates)
        query_family = family(text) if key_query and "." in text else ""
        query_space = namespace(text) if key_query else None
        results: list[Match] = []
        for number in candidates:
            answer = self.answers[number]
            best, why, best_covered = 0.0, "", 0.0
            anywhere = dict.fromkeys(query, 0.0)
            for (words, weight, field_why), word_set, field_total in zip(answer.fields, answer.sets, answer.totals):
                if word_set.isdisjoint(matched_words):
                    continue
                covered = 0.0
                explained: dict[str, float] = {}
                for q in query:
                    quality = 0.0
                    for candidate, how in matches[q].items():
                        if candidate in word_set and how > quality:
                            quality = how
                            if how > explained.get(candidate, 0.0):
                                explained[candidate] = how
                    covered += weights[q] * quality
                    if quality > anywhere[q]:
                        anywhere[q] = quality
                precision = sum(self.idf[w] * how for w, how in explained.items()) / field_total if field_total else 0.0
                score = weight * (0.6 * covered / total + 0.4 * precision)
                if score > best:
                    best, why, best_covered = score, field_why, covered
            if best <= 0.0:
                continue
            # Words the best field leaves out but another field explains ("hardened runtime" in
            # the capability, "jit" in the key) count a little.
            spread = sum(weights[q] * anywhere[q] for q in query) - best_covered
            best = min(1.0, best + W_SPREAD * spread / total)
            final = best + answer.prior
            if answer.key is not None:
                if query_family and answer.family == query_family:
                    final += 0.03
                elif query_space in _SPACES and answer.space in _SPACES and answer.space != query_space:
                    final -= W_NAMESPACE
                if platforms and answer.platforms is not None and not any(p in answer.platforms for p in platforms):
                    final -= 0.03 if query_family and answer.family == query_family else 0.2
            elif platforms and answer.special_platforms and all(p in answer.special_platforms for p in platforms):
                # On these platforms the feature's special case is the answer, not "no entitlement".
                final -= 0.2
            results.append(Match(answer, best, final, why))
        if key_query:
            _level_children(text, results)
        results = [m for m in results if m.similarity >= threshold]
        results.sort(key=lambda m: (-m.score, m.answer.kind, m.answer.key or "", m.answer.name))
        return results[:limit]


def _level_children(key: str, results: list[Match]) -> None:
    """Real keys under an invented parent (``files.user-selected`` → ``….read-only``, ``….executable``)
    are equally close to it by their keys: they share the best such child's similarity, so priors
    (usage) decide, not how few words each child adds. A child matched by a name keeps its lead."""
    children = [m for m in results
                if m.why == "key" and m.answer.key and m.answer.key.startswith((key + ".", key + "-"))]
    if len(children) < 2:
        return
    top = max(m.similarity for m in children)
    for m in children:
        m.score += top - m.similarity
        m.similarity = top


class SearchResult:
    """One answer of :meth:`Database.search`, ready for JSON through :meth:`as_dict`."""

    __slots__ = ("kind", "key", "value", "name", "score", "why", "note")

    def __init__(self, kind: str, key: str | None, value: str | None, name: str, score: float, why: str,
                 note: str | None) -> None:
        self.kind = kind
        self.key = key
        self.value = value
        self.name = name
        self.score = score
        self.why = why
        self.note = note

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "value": self.value, "name": self.name,
                "score": self.score, "why": self.why, "note": self.note}

    def __repr__(self) -> str:
        return f"SearchResult({self.kind!r}, {self.key!r}, score={self.score})"


def search(index: FeatureIndex, text: str, platform: str | None, limit: int) -> list[SearchResult]:
    """Ranked answers for a feature described in words (``Database.search``)."""
    platforms = [platform] if platform else []
    found: list[SearchResult] = []
    for match in index.rank(text, platforms, key_query=False, limit=limit):
        answer = match.answer
        score = round(min(1.0, max(0.0, match.score)), 3)
        if answer.kind == "entitlement":
            found.append(SearchResult("entitlement", answer.key, None, answer.name, score, match.why, answer.note))
        else:
            feature = answer.feature or {}
            found.append(SearchResult("no-entitlement", None, None, answer.name, score, match.why,
                                      feature.get("no_entitlement")))
    return found
