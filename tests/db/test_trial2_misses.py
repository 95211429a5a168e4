"""Search and suggestion misses found by the second real-world trial (login items, XPC
services, app extensions, Game Mode): features that need no entitlement were answered with
unrelated keys (`login item` → Sign in with Apple, `keyboard full access` → Wallet passes)."""

from __future__ import annotations

import pytest

import entitlements_db


@pytest.fixture(scope="module")
def db() -> entitlements_db.Database:
    return entitlements_db.load()


@pytest.mark.parametrize(("phrase", "name"), [
    ("login item", "Service Management"),
    ("privileged helper", "Service Management"),
    ("launch daemon", "Service Management"),
    ("xpc service", "XPC"),
    ("safari web extension", "Safari web extensions"),
    ("keyboard full access", "Custom keyboard"),
    ("message filter", "Message Filter app extension"),
    ("game mode", "Game Mode"),
])
def test_a_feature_that_needs_no_entitlement_is_said_first(db: entitlements_db.Database, phrase: str,
                                                           name: str) -> None:
    [first, *_] = db.search(phrase)
    assert (first.kind, first.name) == ("no-entitlement", name)


@pytest.mark.parametrize(("key", "platform"), [
    ("com.apple.developer.login-item", "macOS"),
    ("com.apple.security.xpc-service", "macOS"),
    ("com.apple.developer.safari-web-extension", "iOS"),
    ("com.apple.developer.keyboard.full-access", "iOS"),
    ("com.apple.developer.game-mode", "macOS"),  # not Game Center
    ("com.apple.developer.message-filter", "iOS"),  # not the default messaging app
])
def test_an_invented_key_for_such_a_feature_says_no_entitlement(db: entitlements_db.Database, key: str,
                                                                platform: str) -> None:
    [first, *_] = db.suggest(key, platform)
    assert first.kind == "none"


def test_the_message_filter_answer_names_the_associated_domains_service(db: entitlements_db.Database) -> None:
    [first, *_] = db.search("message filter extension", "iOS")
    assert first.kind == "no-entitlement" and "messagefilter:" in (first.note or "")
