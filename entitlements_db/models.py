"""The authoring schema of the dataset, as frozen pydantic models.

These models validate every YAML file in ``data/`` at build time and generate the
JSON Schema in ``data/schema/``. They are never imported on the lint path: pydantic
costs more to import than a whole lint run may take, so the runtime reads the built
JSON bundle through the light views in :mod:`entitlements_db.database`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Platform = Literal["iOS", "iPadOS", "macOS", "macCatalyst", "tvOS", "watchOS", "visionOS"]
PLATFORMS: tuple[Platform, ...] = (
    "iOS",
    "iPadOS",
    "macOS",
    "macCatalyst",
    "tvOS",
    "watchOS",
    "visionOS",
)

Distribution = Literal["development", "ad-hoc", "app-store", "in-house", "developer-id"]
DISTRIBUTIONS: tuple[Distribution, ...] = (
    "development",
    "ad-hoc",
    "app-store",
    "in-house",
    "developer-id",
)

ValueType = Literal[
    "boolean",
    "string",
    "number",
    "array-of-strings",
    "string-or-array-of-strings",  # a single string is accepted in place of a one-element array
    "dictionary",
    "array-of-dictionaries",
]

SourceKind = Literal[
    "apple-docs",  # a page of Apple's developer documentation
    "apple-archive",  # Apple's documentation archive (retired guides)
    "technote",  # an Apple technote (TN3125 …)
    "wwdc",  # a WWDC session (video or transcript)
    "xcode-capability",  # Apple's page on what an Xcode capability writes
    "xcode-definitions",  # a faithful public copy of Xcode's own capability definitions
    "account-help",  # Apple Developer Account Help (capability tables, managed capabilities)
    "app-store-validation",  # an App Store Connect or notarization message naming the key
    "apple-forums",  # a post by Apple staff (DTS) on the Apple Developer Forums
    "provisioning-profile",  # the key is known from the contents of provisioning profiles
    "apple-binary",  # the key appears in Apple's own signed binaries or open source
    "third-party",  # evidence outside Apple (used for non-existent keys seen in the wild)
]

#: How much a source can prove (docs/data-guide.md, "Evidence tiers"). The first five
#: establish a fact on their own; ``supporting`` (third-party tools, observed profiles)
#: only corroborates one.
Tier = Literal["apple-page", "apple-doc", "apple-staff", "xcode", "os", "supporting"]
ESTABLISHING_TIERS: tuple[Tier, ...] = ("apple-page", "apple-doc", "apple-staff", "xcode", "os")
#: The tiers each kind of source may have.
KIND_TIERS: dict[str, tuple[Tier, ...]] = {
    "apple-docs": ("apple-page", "apple-doc"),
    "apple-archive": ("apple-doc",),
    "technote": ("apple-doc",),
    "wwdc": ("apple-doc",),
    "xcode-capability": ("xcode", "apple-doc"),
    "xcode-definitions": ("xcode",),
    "account-help": ("apple-doc",),
    "app-store-validation": ("apple-doc", "supporting"),
    "apple-forums": ("apple-staff",),
    "provisioning-profile": ("supporting",),
    "apple-binary": ("os",),
    "third-party": ("supporting",),
}
#: Where a key's own Bundle Resources page lives: only such a URL has the tier apple-page.
ENTITLEMENT_PAGE = "https://developer.apple.com/documentation/bundleresources/entitlements/"

_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")


def _https(url: str) -> str:
    if not re.match(r"^https://[A-Za-z0-9.\-]+\.[A-Za-z]{2,}(/\S*)?$", url):
        raise ValueError(f"not a well-formed https URL: {url!r}")
    return url


def _version(text: str) -> str:
    if not _VERSION.match(text):
        raise ValueError(f"not a version such as 17.0: {text!r}")
    return text


def _key(text: str) -> str:
    if not _KEY.match(text):
        raise ValueError(f"not an entitlement-shaped key: {text!r}")
    return text


Url = Annotated[str, AfterValidator(_https)]
Version = Annotated[str, AfterValidator(_version)]
Key = Annotated[str, AfterValidator(_key)]
Prose = Annotated[str, Field(min_length=12, max_length=600)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Model):
    """One source, how much it can prove (its tier), and the facts it supports."""

    url: Url
    kind: SourceKind
    tier: Tier
    supports: str = Field(min_length=3, description="Which facts of the entry this source supports.")

    @model_validator(mode="after")
    def _tier_fits_kind(self) -> Source:
        if self.tier not in KIND_TIERS[self.kind]:
            raise ValueError(f"a {self.kind} source cannot have the tier {self.tier} (one of {KIND_TIERS[self.kind]})")
        if self.tier == "apple-page" and not self.url.lower().startswith(ENTITLEMENT_PAGE):
            raise ValueError(f"tier apple-page is for an entitlement's own Bundle Resources page, not {self.url}")
        return self

    @property
    def establishes(self) -> bool:
        return self.tier in ESTABLISHING_TIERS


class ValueSchema(Model):
    """What a value of the entitlement may be."""

    type: ValueType | None = Field(
        default=None, description="Value type; absent when no primary source states it."
    )
    allowed: list[str | int | bool] | None = Field(
        default=None,
        description="The only values (or array elements) Apple documents; case-sensitive.",
    )
    prefixes: list[str] | None = Field(
        default=None,
        description="A string value or each array element must start with one of these.",
    )
    patterns: list[str] | None = Field(
        default=None,
        description="Regular expressions an element may match instead of a prefix.",
    )
    min_items: int | None = Field(default=None, ge=0, description="Fewest array elements.")
    build_settings: bool = Field(
        default=False,
        description="Build-setting references such as $(AppIdentifierPrefix) are normal in values.",
    )
    note: str | None = None

    @model_validator(mode="after")
    def _patterns_compile(self) -> ValueSchema:
        for pattern in self.patterns or ():
            re.compile(pattern)
        return self


class Availability(Model):
    """The key exists on a platform: since when, and which source of the entry says so."""

    introduced: Version | None = Field(default=None, description="First OS version; absent if unknown.")
    deprecated: Version | None = Field(default=None, description="OS version that deprecated it.")
    source: Url = Field(
        description="The URL of the entry's source that puts the key on this platform "
        "(the key's page, the platform's capability table, or an Apple statement)."
    )


AbsenceReason = Literal["capability-table", "apple-statement", "validation-error"]


class Absence(Model):
    """Evidence that the key does not exist on a platform (not merely that no page lists it)."""

    reason: AbsenceReason = Field(
        description="capability-table: the capability is missing from that platform's complete table; "
        "apple-statement: Apple says it is unsupported there; validation-error: an App Store or "
        "install error names the key on that platform."
    )
    source: Url = Field(description="The URL of the entry's source that shows the absence.")
    note: str | None = None


class Managed(Model):
    """Apple must approve the entitlement before a profile may carry it."""

    distributions: list[Distribution] = Field(
        description="Distribution models for which approval is needed (development is often free)."
    )
    request_url: Url | None = Field(default=None, description="Where to ask Apple for it.")
    note: str | None = None


class Deprecation(Model):
    replacement: Key | None = None
    note: str = Field(min_length=3)


class InfoPlistNeed(Model):
    """An Info.plist key an entitlement needs. Most are needed outright; some are alternatives
    (HealthKit needs the reading or the writing purpose string, not both) and some only
    document a key a few apps add, so a linter must not ask every app for them."""

    key: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9]*$")
    when: str | None = Field(default=None, description="When the key is needed, if not always.")
    one_of: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9-]*$",
        description="A group name: the needs of one entitlement sharing it are alternatives, at least one is needed.",
    )
    optional: bool | None = Field(
        default=None, description="True when only some apps need the key; it is named, never asked for."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> "InfoPlistNeed":
        if self.optional is False:
            raise ValueError("write optional: true or leave it out")
        if self.optional and self.one_of:
            raise ValueError("an optional key belongs to no one_of group")
        return self


class Entitlement(Model):
    """A real entitlement key, one YAML file per key."""

    key: Key
    name: str = Field(min_length=2, description="The capability or Apple page title.")
    summary: Prose = Field(description="One or two sentences in our own words.")
    value: ValueSchema
    platforms: dict[Platform, Availability] = Field(
        min_length=1, description="Platforms where the key exists."
    )
    absent: dict[Platform, Absence] = Field(
        default_factory=dict,
        description="Platforms where a source shows the key does not exist; a platform in neither "
        "platforms nor absent is merely undocumented.",
    )
    counterparts: dict[Platform, Key] | None = Field(
        default=None, description="The key to use instead on platforms where this one does not exist."
    )
    owner: Literal["developer", "profile", "signing"] = Field(
        default="developer",
        description="Who writes the key: the developer, the provisioning profile, or code signing.",
    )
    managed: Managed | None = None
    distribution: list[Distribution] | None = Field(
        default=None, description="Distribution models that may use it; absent when unknown."
    )
    free_account: bool | None = Field(
        default=None, description="Whether free Apple Account (Personal Team) teams may use it."
    )
    restricted_on_macos: bool | None = Field(
        default=None,
        description="On macOS, whether a provisioning profile must authorise the key.",
    )
    capability: str | None = Field(default=None, description="The Xcode capability that writes it.")
    info_plist: list[InfoPlistNeed] = Field(default_factory=list)
    requires: list[Key] = Field(
        default_factory=list, description="Other entitlements that must accompany this one."
    )
    deprecated: Deprecation | None = None
    beta: bool = Field(default=False, description="Apple marks the page as beta software.")
    docs: Url
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _evidence_is_cited(self) -> Entitlement:
        establishing = {s.url for s in self.sources if s.establishes}
        if not establishing:
            raise ValueError("a real key needs at least one source of an Apple tier (not only supporting)")
        by_url = {s.url for s in self.sources}
        for platform, availability in self.platforms.items():
            if availability.source not in by_url:
                raise ValueError(f"platform {platform}: source {availability.source} is not among the sources")
            if availability.source not in establishing:
                raise ValueError(f"platform {platform}: a supporting source cannot establish a platform")
        for platform, absence in self.absent.items():
            if platform in self.platforms:
                raise ValueError(f"{platform} is both a platform and absent")
            if absence.source not in by_url:
                raise ValueError(f"absent {platform}: source {absence.source} is not among the sources")
        groups = [n.one_of for n in self.info_plist if n.one_of]
        for group in set(groups):
            if groups.count(group) < 2:
                raise ValueError(f"info_plist: the one_of group {group!r} needs at least two keys")
        return self


ReplacementKind = Literal["entitlement", "info-plist-key", "none", "apple-internal"]


class Replacement(Model):
    """What to write instead of a non-existent key."""

    kind: ReplacementKind
    key: str | None = Field(default=None, description="The entitlement or Info.plist key.")
    value: str | None = Field(default=None, description="The Info.plist value, e.g. a UIBackgroundModes entry.")
    platforms: list[Platform] | None = Field(
        default=None, description="Platforms the replacement applies to; absent means all."
    )
    note: str | None = None

    @model_validator(mode="after")
    def _key_matches_kind(self) -> Replacement:
        if self.kind in ("entitlement", "info-plist-key") and not self.key:
            raise ValueError(f"a {self.kind} replacement needs a key")
        if self.kind in ("none", "apple-internal") and self.key:
            raise ValueError(f"a {self.kind} replacement has no key")
        return self


class NonExistent(Model):
    """A key that Apple never defined, yet people and agents write it."""

    key: str = Field(pattern=r"^\S+$")
    explanation: Prose
    replacements: list[Replacement] = Field(min_length=1)
    evidence: Literal["apple-dts", "apple-docs", "seen-in-the-wild"] = Field(
        description="apple-dts: Apple staff named it; apple-docs: Apple's documentation shows the "
        "right key; seen-in-the-wild: found in public projects, with the reason it is not real."
    )
    sources: list[Source] = Field(min_length=1)


class InternalPrefix(Model):
    prefix: str = Field(pattern=r"^[A-Za-z0-9._\-]+$")
    note: Prose
    sources: list[Source] = Field(min_length=1)


class InternalKey(Model):
    key: Key
    note: Prose
    sources: list[Source] = Field(min_length=1)


class ProfileKey(Model):
    """A key that Apple's provisioning profiles carry but Apple does not document as an
    entitlement to write. Not a real-entitlement entry: the linter only uses it to say
    "the profile sets this; do not write it by hand" instead of "this key does not exist"."""

    key: Key
    note: Prose
    sources: list[Source] = Field(min_length=1)


class ProfileKeys(Model):
    keys: list[ProfileKey]


class AppleInternal(Model):
    """Entitlements that only Apple's own software can hold."""

    prefixes: list[InternalPrefix]
    keys: list[InternalKey]


class BackgroundMode(Model):
    value: str = Field(pattern=r"^[a-z][a-z\-]*$")
    label: str = Field(description="Xcode's label for the mode.")
    platforms: list[Platform] = Field(min_length=1)
    usage_descriptions: list[str] = Field(
        default_factory=list, description="Info.plist purpose strings the mode needs."
    )
    sources: list[Source] = Field(min_length=1)


class BackgroundModes(Model):
    key: Literal["UIBackgroundModes"]
    docs: Url
    modes: list[BackgroundMode]


class InfoPlistKey(Model):
    key: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    usage_description: bool = Field(default=False, description="A privacy purpose string.")
    deprecated: bool = False
    docs: Url
    note: str | None = Field(
        default=None, description="Why the key is recorded here, when that is not obvious "
        "(for example a key Apple's entitlement index lists that belongs in Info.plist)."
    )
    sources: list[Source] = Field(default_factory=list)


class InfoPlistKeys(Model):
    """Info.plist keys we recognise, to catch them in entitlements files."""

    prefixes: list[str] = Field(description="Prefixes of Apple's Info.plist key families.")
    prefixes_source: Source
    keys: list[InfoPlistKey]


WildClass = Literal[
    "real",
    "deprecated",
    "profile-owned",
    "info-plist",
    "apple-internal",
    "non-existent",
    "unresolved",
]
#: Classes of a key seen in the wild (docs/data-guide.md, "Keys seen in the wild").
WILD_CLASSES: tuple[WildClass, ...] = (
    "real",
    "deprecated",
    "profile-owned",
    "info-plist",
    "apple-internal",
    "non-existent",
    "unresolved",
)


class WildKey(Model):
    """One key that public projects write in entitlements files, how often, and what it is."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    key: Key
    count: int = Field(
        ge=1, description="Distinct repositories (or, where no repository is named, files) seen writing it."
    )
    class_: WildClass = Field(alias="class", description="Where the key stands in the dataset.")
    note: str | None = Field(
        default=None, min_length=3, description="Why, in a few words; required for every class but real."
    )

    @model_validator(mode="after")
    def _note_for_non_real(self) -> WildKey:
        if self.class_ != "real" and not self.note:
            raise ValueError(f"{self.key}: a {self.class_} key needs a note")
        return self


class WildKeys(Model):
    """The classified list of keys seen in public entitlements files (data/wild-keys.yaml).

    Appearing in public files is never evidence that a key is real: the list only says which
    keys need a class, and gives the linter a usage prior for ranking suggestions."""

    source: str = Field(min_length=12, description="How, when and from what the list was collected.")
    keys: list[WildKey] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted_and_unique(self) -> WildKeys:
        keys = [k.key for k in self.keys]
        if keys != sorted(set(keys)):
            raise ValueError("keys must be sorted and unique")
        return self


# -- features: what people call a capability, and what it writes -------------------------

NameKind = Literal[
    "capability",  # the capability as Xcode's Signing & Capabilities editor shows it
    "capability-table",  # the row name in Apple's "Supported capabilities" tables
    "page-title",  # an Apple documentation page title
    "sandbox-option",  # an App Sandbox option label in Xcode ("Outgoing Connections (Client)")
    "hardened-runtime-option",  # a Hardened Runtime option label in Xcode
    "framework",  # a framework or App Service name (SiriKit, WeatherKit, ActivityKit)
    "feature",  # the feature's name in Apple's documentation when none of the above fits
]


class FeatureName(Model):
    """One name a feature goes by, and the source (among the feature's) that shows it."""

    name: str = Field(min_length=2, max_length=120)
    kind: NameKind
    source: Url


class FeatureKey(Model):
    """A real entitlement the feature writes (its platforms are the key's own unless narrowed here)."""

    key: Key
    platforms: list[Platform] | None = Field(
        default=None, description="Only on these platforms; absent means wherever the key exists."
    )
    note: str | None = None


class FeatureInfoPlist(Model):
    """An Info.plist key (or one value of it, such as a UIBackgroundModes entry) the feature needs."""

    key: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    value: str | None = None
    platforms: list[Platform] | None = None
    when: str | None = None


class Feature(Model):
    """A feature people name (a capability, framework or sandbox option) and the keys behind it.

    ``no_entitlement`` marks a feature whose usual use needs no entitlement; it says what to
    do instead. ``special_cases`` lists real keys for narrower uses of such a feature (Core ML's
    Neural Engine access on visionOS); they are real, never "fake".
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    names: list[FeatureName] = Field(min_length=1)
    keys: list[FeatureKey] = Field(default_factory=list, description="Keys the feature writes, main key first.")
    info_plist: list[FeatureInfoPlist] = Field(default_factory=list)
    no_entitlement: str | None = Field(
        default=None, min_length=12, max_length=600,
        description="Present when the usual use needs no entitlement: what to do instead, in our words.",
    )
    special_cases: list[FeatureKey] = Field(
        default_factory=list, description="Real keys for narrower uses of a feature that usually needs none."
    )
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_are_sourced(self) -> Feature:
        urls = {s.url for s in self.sources}
        for name in self.names:
            if name.source not in urls:
                raise ValueError(f"name {name.name!r}: source {name.source} is not among the sources")
        if not self.keys and self.no_entitlement is None and not self.info_plist:
            raise ValueError("a feature writes keys, needs Info.plist keys, or says it needs no entitlement")
        if self.no_entitlement is not None and self.keys:
            raise ValueError("a no-entitlement feature lists its real keys under special_cases, not keys")
        return self


class Features(Model):
    """One file of features (data/features/*.yaml)."""

    about: str | None = None
    features: list[Feature]


class Synonym(Model):
    """An everyday phrase for a feature or key: editorial ranking data, not a fact about Apple."""

    phrase: str = Field(min_length=2, max_length=80)
    targets: list[str] = Field(min_length=1, description="Feature ids or entitlement keys the phrase means.")
    origin: str = Field(min_length=3, description="Where the phrase came from (a thread, an agent's output, usage).")


class WordVariant(Model):
    """A short or regional spelling of one word (``bg`` for background): editorial ranking data."""

    word: str = Field(min_length=2, max_length=20, pattern=r"^[a-z0-9]+$")
    means: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9 ]+$",
                       description="The word (or words) the index knows it by.")
    origin: str = Field(min_length=3, description="Where the spelling came from.")


class Synonyms(Model):
    about: str
    synonyms: list[Synonym]
    words: list[WordVariant] = Field(default_factory=list,
                                     description="Abbreviations and regional spellings, read before matching.")


#: What scripts/verify_data.py compares with the reference (docs/data-guide.md, "Verifying the
#: data"), and sub-key-platforms, the consistency rule of tests/data/test_evidence.py that a
#: sub-key exists only where its parent does.
VerifyCheck = Literal[
    "platform-missing",
    "platform-unsupported",
    "platform-source",
    "absence",
    "value-type",
    "allowed-values",
    "managed",
    "distribution",
    "free-account",
    "sub-key-platforms",
]


class SourceDisagreement(Model):
    """A disagreement between an entry and a reference source that stands on purpose."""

    key: Key
    check: VerifyCheck
    platform: Platform | None = None
    reason: Prose = Field(description="Why the entry is right and the reference is not, in our words.")
    source: Url | None = Field(default=None, description="The source that settles it, when not already in the entry.")


class SourceDisagreements(Model):
    """data/source-disagreements.yaml: the allow-list of scripts/verify_data.py."""

    disagreements: list[SourceDisagreement]

    @model_validator(mode="after")
    def _unique(self) -> SourceDisagreements:
        seen = [(d.key, d.check, d.platform) for d in self.disagreements]
        if len(seen) != len(set(seen)):
            raise ValueError("a disagreement is recorded twice")
        return self
