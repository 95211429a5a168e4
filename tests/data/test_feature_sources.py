"""data/features: a feature's names come from Apple (issue 9), so every name cites an Apple
page, and a source of an Apple tier is on Apple's site."""

from __future__ import annotations

from urllib.parse import urlparse

from entitlements_db import build

APPLE_HOSTS = ("apple.com",)
APPLE_TIERS = {"apple-page", "apple-doc", "apple-staff", "xcode"}


def _apple(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return any(host == h or host.endswith("." + h) for h in APPLE_HOSTS)


def test_feature_names_and_apple_tier_sources_are_apples(dataset: build.Dataset) -> None:
    wrong = []
    for feature in dataset.features:
        wrong += [f"{feature.id}: name {n.name!r} from {n.source}" for n in feature.names if not _apple(n.source)]
        wrong += [f"{feature.id}: {s.tier} source {s.url}" for s in feature.sources
                  if s.tier in APPLE_TIERS and not _apple(s.url)]
    assert wrong == []
