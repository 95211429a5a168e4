"""The database: the built JSON bundle behind small read-only views.

Loading must stay cheap (a lint run starts a fresh interpreter every time), so this
module uses only ``json`` and plain classes: no pydantic, no dataclasses, no YAML.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import Any
    from entitlements_db.suggest import Suggestion

PLATFORMS = ("iOS", "iPadOS", "macOS", "macCatalyst", "tvOS", "watchOS", "visionOS")
DISTRIBUTIONS = ("development", "ad-hoc", "app-store", "in-house", "developer-id")

#: Lower-case spellings users type, mapped to our platform names.
PLATFORM_ALIASES = {p.lower(): p for p in PLATFORMS} | {
    "mac-catalyst": "macCatalyst",
    "catalyst": "macCatalyst",
    "ipados": "iPadOS",
    "xros": "visionOS",
    "osx": "macOS",
    # Xcode's $(PLATFORM_NAME) values, so a Run Script phase can pass them through
    "iphoneos": "iOS",
    "iphonesimulator": "iOS",
    "macosx": "macOS",
    "appletvos": "tvOS",
    "appletvsimulator": "tvOS",
    "watchsimulator": "watchOS",
    "xrsimulator": "visionOS",
}



def platform_names(value: object, argument: str = "platforms") -> tuple[str, ...]:
    """Platforms given to the Python API, checked and spelled as in the dataset.

    One name or an iterable of names; ``None`` or an empty list is none. A string is one
    platform, never its letters (``"iOS"`` is a sequence too). Raises TypeError for anything
    but strings and ValueError for a name that is no platform, each naming ``argument``.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        items: tuple[object, ...] = (value,)
    elif isinstance(value, (bytes, bytearray, memoryview)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{argument} must be a platform name (str) or a list of them, not {type(value).__name__}")
    else:
        items = tuple(value)  # type: ignore[call-overload]
    names = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{argument} must hold platform names (str), not {type(item).__name__}")
        name = PLATFORM_ALIASES.get(item.strip().lower().replace(" ", "-"))
        if name is None:
            raise ValueError(f"{argument}: unknown platform {item!r} (one of {', '.join(PLATFORMS)})")
        names.append(name)
    return tuple(dict.fromkeys(names))


def _one_platform(value: object, argument: str = "platform") -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{argument} must be one platform name (str) or None, not {type(value).__name__}")
    names = platform_names(value, argument)
    return names[0] if names else None


def _key_text(value: object, argument: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    return value

class _View:
    """A read-only wrapper around one record of the bundle."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.raw == self.raw  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.raw.get("key")))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.raw.get('key')!r})"


class Source(_View):
    __slots__ = ()

    @property
    def url(self) -> str:
        return self.raw["url"]

    @property
    def kind(self) -> str:
        return self.raw["kind"]

    @property
    def tier(self) -> str:
        """apple-page, apple-doc, apple-staff, xcode, os, or supporting (docs/data-guide.md)."""
        return self.raw["tier"]

    @property
    def supports(self) -> str:
        return self.raw["supports"]


class ValueSchema(_View):
    """What values an entitlement takes (any field may be unknown: None)."""

    __slots__ = ()

    @property
    def type(self) -> str | None:
        return self.raw.get("type")

    @property
    def allowed(self) -> list[str | int | bool] | None:
        return self.raw.get("allowed")

    @property
    def prefixes(self) -> list[str] | None:
        return self.raw.get("prefixes")

    @property
    def patterns(self) -> list[str] | None:
        return self.raw.get("patterns")

    @property
    def min_items(self) -> int | None:
        return self.raw.get("min_items")

    @property
    def build_settings(self) -> bool:
        return self.raw.get("build_settings", False)

    @property
    def note(self) -> str | None:
        return self.raw.get("note")


class Managed(_View):
    __slots__ = ()

    @property
    def distributions(self) -> list[str]:
        return self.raw["distributions"]

    @property
    def request_url(self) -> str | None:
        return self.raw.get("request_url")

    @property
    def note(self) -> str | None:
        return self.raw.get("note")


class Entitlement(_View):
    """A real entitlement key and what Apple documents about it."""

    __slots__ = ("_value",)

    def __init__(self, raw: dict[str, Any]) -> None:
        super().__init__(raw)
        self._value: ValueSchema | None = None

    key = property(lambda self: self.raw["key"])
    name = property(lambda self: self.raw["name"])
    summary = property(lambda self: self.raw["summary"])
    owner = property(lambda self: self.raw.get("owner", "developer"))
    capability = property(lambda self: self.raw.get("capability"))
    docs = property(lambda self: self.raw["docs"])
    beta = property(lambda self: self.raw.get("beta", False))
    free_account = property(lambda self: self.raw.get("free_account"))
    restricted_on_macos = property(lambda self: self.raw.get("restricted_on_macos"))

    @property
    def value(self) -> ValueSchema:
        if self._value is None:
            self._value = ValueSchema(self.raw["value"])
        return self._value

    @property
    def platforms(self) -> dict[str, dict[str, str]]:
        """Platform name → {"introduced", "deprecated" (optional), "source": URL}."""
        return self.raw["platforms"]

    @property
    def absent(self) -> dict[str, dict[str, str]]:
        """Platforms a source shows the key does not exist on → {"reason", "source", "note"}.

        A platform in neither :attr:`platforms` nor here is merely undocumented.
        """
        return self.raw.get("absent", {})

    def known_absent_on(self, platform: str) -> bool:
        return platform in self.raw.get("absent", ())

    @property
    def counterparts(self) -> dict[str, str]:
        return self.raw.get("counterparts", {})

    @property
    def managed(self) -> Managed | None:
        managed = self.raw.get("managed")
        return Managed(managed) if managed else None

    @property
    def distribution(self) -> list[str] | None:
        return self.raw.get("distribution")

    @property
    def info_plist(self) -> list[dict[str, str]]:
        return self.raw.get("info_plist", [])

    @property
    def requires(self) -> list[str]:
        return self.raw.get("requires", [])

    @property
    def deprecated(self) -> dict[str, str] | None:
        return self.raw.get("deprecated")

    @property
    def sources(self) -> list[Source]:
        return [Source(s) for s in self.raw["sources"]]

    def available_on(self, platform: str) -> bool:
        return platform in self.raw["platforms"]

    def needs_approval_for(self, distribution: str) -> bool:
        managed = self.raw.get("managed")
        return managed is not None and distribution in managed["distributions"]


class Replacement(_View):
    __slots__ = ()

    kind = property(lambda self: self.raw["kind"])
    key = property(lambda self: self.raw.get("key"))
    value = property(lambda self: self.raw.get("value"))
    note = property(lambda self: self.raw.get("note"))

    @property
    def platforms(self) -> list[str] | None:
        return self.raw.get("platforms")

    def applies_to(self, platforms: str | Sequence[str] | None) -> bool:
        own = self.raw.get("platforms")
        if isinstance(platforms, str):
            platforms = (platforms,)  # one platform, not its letters
        return not platforms or not own or any(p in own for p in platforms)


class NonExistentKey(_View):
    """A key Apple never defined, with what to write instead."""

    __slots__ = ()

    key = property(lambda self: self.raw["key"])
    explanation = property(lambda self: self.raw["explanation"])
    evidence = property(lambda self: self.raw["evidence"])

    @property
    def replacements(self) -> list[Replacement]:
        return [Replacement(r) for r in self.raw["replacements"]]

    @property
    def sources(self) -> list[Source]:
        return [Source(s) for s in self.raw["sources"]]


class InternalMatch:
    """Why a key is considered private to Apple: the matching key or prefix and its note."""

    __slots__ = ("key", "matched", "note", "sources")

    def __init__(self, key: str, matched: str, note: str, sources: list[Source]) -> None:
        self.key = key
        self.matched = matched
        self.note = note
        self.sources = sources

    def __repr__(self) -> str:
        return f"InternalMatch({self.key!r}, matched={self.matched!r})"


class BackgroundMode(_View):
    __slots__ = ()

    value = property(lambda self: self.raw["value"])
    label = property(lambda self: self.raw["label"])

    @property
    def platforms(self) -> list[str]:
        return self.raw["platforms"]

    @property
    def usage_descriptions(self) -> list[str]:
        return self.raw.get("usage_descriptions", [])


class InfoPlistKey(_View):
    __slots__ = ()

    key = property(lambda self: self.raw["key"])
    usage_description = property(lambda self: self.raw.get("usage_description", False))
    deprecated = property(lambda self: self.raw.get("deprecated", False))
    docs = property(lambda self: self.raw["docs"])


class Database:
    """Every fact of the dataset, indexed for the questions the linter asks."""

    def __init__(self, bundle: Mapping[str, Any]) -> None:
        self.meta: dict[str, Any] = bundle["meta"]
        self._entitlements = {e["key"]: e for e in bundle["entitlements"]}
        self._non_existent = {n["key"]: n for n in bundle["non_existent"]}
        internal = bundle["apple_internal"]
        self._internal_keys = {k["key"]: k for k in internal["keys"]}
        self._internal_prefixes = sorted(internal["prefixes"], key=lambda p: -len(p["prefix"]))
        self._profile_keys = {k["key"]: k for k in bundle["profile_keys"]["keys"]}
        info = bundle["info_plist"]
        self.background_modes_docs: str = info["background_modes"]["docs"]
        self._background_modes = {m["value"]: m for m in info["background_modes"]["modes"]}
        self._info_keys = {k["key"]: k for k in info["keys"]["keys"]}
        self.info_plist_prefixes: tuple[str, ...] = tuple(info["keys"]["prefixes"])
        #: How many public repositories were seen writing each key (data/wild-keys.yaml).
        self._usage: dict[str, int] = bundle.get("usage", {})
        self._views: dict[str, Entitlement] = {}  # rules ask for the same keys over and over
        self._lower: dict[str, str] | None = None
        self._suggester: Any = None
        self._feature_index: Any = None

    # -- real entitlements -------------------------------------------------
    def __contains__(self, key: object) -> bool:
        # Plist values reach this as well: an unhashable list is simply not a key.
        return isinstance(key, str) and key in self._entitlements

    def __len__(self) -> int:
        return len(self._entitlements)

    def __iter__(self) -> Iterator[Entitlement]:
        return (Entitlement(raw) for raw in self._entitlements.values())

    def keys(self) -> list[str]:
        return list(self._entitlements)

    def get(self, key: str) -> Entitlement | None:
        view = self._views.get(key)
        if view is None:
            raw = self._entitlements.get(key)
            if raw is None:
                return None
            view = self._views[key] = Entitlement(raw)
        return view

    def __getitem__(self, key: str) -> Entitlement:
        return Entitlement(self._entitlements[key])

    def case_insensitive(self, key: str) -> str | None:
        """The real key that equals ``key`` but for case, if any."""
        if self._lower is None:
            self._lower = {k.lower(): k for k in self._entitlements}
        match = self._lower.get(key.lower())
        return match if match != key else None

    def filter(
        self,
        platform: str | None = None,
        managed: bool | None = None,
        distribution: str | None = None,
    ) -> list[Entitlement]:
        """Entitlements available on ``platform``, (not) managed, usable for ``distribution``.

        An entitlement whose distribution is unknown is kept by a distribution filter:
        absence of data is not evidence of absence. Raises TypeError or ValueError for
        an argument that is not one of the accepted names (see :func:`platform_names`).
        """
        platform = _one_platform(platform)
        if managed is not None and not isinstance(managed, bool):
            raise TypeError(f"managed must be True, False or None, not {type(managed).__name__}")
        if distribution is not None and distribution not in DISTRIBUTIONS:
            if not isinstance(distribution, str):
                raise TypeError(f"distribution must be a str or None, not {type(distribution).__name__}")
            raise ValueError(f"distribution: unknown distribution {distribution!r} (one of {', '.join(DISTRIBUTIONS)})")
        found = []
        for entitlement in self:
            if platform and not entitlement.available_on(platform):
                continue
            if managed is not None and (entitlement.managed is not None) != managed:
                continue
            allowed = entitlement.distribution
            if distribution and allowed is not None and distribution not in allowed:
                continue
            found.append(entitlement)
        return found

    # -- keys that are not real -------------------------------------------
    def non_existent(self, key: str) -> NonExistentKey | None:
        raw = self._non_existent.get(key)
        return NonExistentKey(raw) if raw is not None else None

    def non_existent_keys(self) -> list[NonExistentKey]:
        return [NonExistentKey(raw) for raw in self._non_existent.values()]

    def apple_internal(self, key: str) -> InternalMatch | None:
        """Why ``key`` is private to Apple, or None. A documented key is never internal."""
        if key in self._entitlements:
            return None
        entry = self._internal_keys.get(key)
        if entry is not None:
            return InternalMatch(key, key, entry["note"], [Source(s) for s in entry["sources"]])
        for prefix in self._internal_prefixes:
            if key.startswith(prefix["prefix"]):
                sources = [Source(s) for s in prefix["sources"]]
                return InternalMatch(key, prefix["prefix"], prefix["note"], sources)
        return None

    def profile_key(self, key: str) -> str | None:
        """Why ``key`` is set by provisioning profiles though Apple does not document it, or None."""
        entry = self._profile_keys.get(key)
        return entry["note"] if entry is not None else None

    def usage(self, key: str) -> int:
        """How many public repositories the classification sweep saw writing ``key`` (0 if none).

        A ranking prior for suggestions and search, never evidence that a key is real.
        """
        return self._usage.get(key, 0)

    # -- Info.plist --------------------------------------------------------
    def background_mode(self, value: str) -> BackgroundMode | None:
        raw = self._background_modes.get(value)
        return BackgroundMode(raw) if raw is not None else None

    def background_modes(self) -> list[BackgroundMode]:
        return [BackgroundMode(raw) for raw in self._background_modes.values()]

    def info_plist_key(self, key: str) -> InfoPlistKey | None:
        raw = self._info_keys.get(key)
        return InfoPlistKey(raw) if raw is not None else None

    def info_plist_keys(self) -> list[InfoPlistKey]:
        return [InfoPlistKey(raw) for raw in self._info_keys.values()]

    def looks_like_info_plist_key(self, key: str) -> bool:
        """True for a known Info.plist key, or a dotless CamelCase key in an Apple family."""
        if key in self._info_keys:
            return True
        if "." in key or "-" in key or key in self._entitlements:
            return False
        for prefix in self.info_plist_prefixes:
            rest = key[len(prefix) :]
            if key.startswith(prefix) and rest[:1].isupper() and any(c.islower() for c in rest):
                return True
        return False

    # -- suggestions -------------------------------------------------------
    def suggest(
        self, key: str, platform: str | Sequence[str] | None = None, limit: int = 5
    ) -> list[Suggestion]:
        """Ranked replacements for ``key`` (best first); see :mod:`entitlements_db.suggest`.

        ``platform`` is one platform name or several (Xcode's names, such as iphoneos, are
        aliases). Raises TypeError or ValueError for arguments of the wrong kind.
        """
        key = _key_text(key, "key")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise ValueError("limit must be a whole number, 0 or more")
        platforms = list(platform_names(platform, "platform"))
        if self._suggester is None:
            from entitlements_db.suggest import Suggester

            self._suggester = Suggester(self)
        return self._suggester.suggest(key, platforms, limit)


    # -- the feature index -------------------------------------------------
    def feature_index(self) -> Any:
        """The index behind suggestions and search, built on first use (entitlements_db.features)."""
        if self._feature_index is None:
            from entitlements_db.features import FeatureIndex

            self._feature_index = FeatureIndex(self)
        return self._feature_index

    def search(self, text: str, platform: str | None = None, limit: int = 10) -> list[Any]:
        """Answers for a feature described in words ("app groups", "outgoing network connections").

        Returns :class:`entitlements_db.features.SearchResult` objects, best first: real keys
        (kind ``entitlement``) and features that need no entitlement (kind ``no-entitlement``).
        ``platform`` takes the names ``entlint check`` takes (iOS, macOS, Mac Catalyst, Xcode's
        iphoneos …); keys that do not exist there rank lower. Raises ValueError for an unknown
        platform and TypeError for text that is not a string.
        """
        if not isinstance(text, str):
            raise TypeError(f"search text must be a str, not {type(text).__name__}")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError("limit must be a positive whole number")
        where = _one_platform(platform)
        from entitlements_db.features import search

        return search(self.feature_index(), text, where, limit)


_DATABASE: Database | None = None


def _read_bundle() -> bytes:
    # A plain file next to this module is the common case; importlib.resources costs
    # ~15 ms to import, so it is only the fallback for zipped or unusual installs.
    path = os.path.join(os.path.dirname(__file__), "bundle.json")
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        from importlib.resources import files

        return files("entitlements_db").joinpath("bundle.json").read_bytes()


def parse_json(data: bytes) -> Any:
    """``json.loads`` through the C scanner directly.

    Importing the ``json`` package pulls in ``re``, ``enum`` and ``collections``: about
    10 ms, twice the parse itself, on every cold start of a linter that runs in each
    commit and build. The scanner behind ``json.loads`` lives in the ``_json`` extension
    and needs only a context object; without it (another Python) we use ``json``.
    """
    text = data.decode("utf-8")
    try:
        from _json import make_scanner
    except ImportError:
        import json

        return json.loads(text)

    def constant(name: str) -> float:
        raise ValueError(f"unexpected JSON constant {name}")

    class Context:
        strict = True
        object_hook = None
        object_pairs_hook = None
        parse_float = float
        parse_int = int
        parse_constant = staticmethod(constant)
        memo: dict[str, str] = {}

    start = len(text) - len(text.lstrip())
    try:
        value, end = make_scanner(Context())(text, start)  # type: ignore[arg-type]
    except StopIteration as stop:  # the scanner's way of saying "no value here"
        raise ValueError(f"invalid JSON at character {stop.value}") from None
    if text[end:].strip():
        raise ValueError("extra data after the JSON document")
    return value


def load() -> Database:
    """The shipped database, read once per process."""
    global _DATABASE
    if _DATABASE is None:
        _DATABASE = Database(parse_json(_read_bundle()))
    return _DATABASE
