"""The bundle reader that skips importing ``json`` must read exactly what json reads."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entitlements_db.database import _read_bundle, parse_json

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def test_the_shipped_bundle_reads_as_json_reads_it() -> None:
    raw = _read_bundle()
    assert parse_json(raw) == json.loads(raw)


@given(JSON_VALUES)
def test_any_json_document_round_trips(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert parse_json(f" {text}\n".encode()) == json.loads(text)


@pytest.mark.parametrize("bad", [b"", b"{", b'{"a": 1} x', b"[1,]", b"NaN"])
def test_malformed_input_is_a_value_error(bad: bytes) -> None:
    with pytest.raises(ValueError):
        parse_json(bad)


def test_profile_keys_are_neither_real_nor_unknown() -> None:
    from entitlements_db import load
    from entitlements_lint import lint_text

    db = load()
    assert "beta-reports-active" not in db
    assert db.profile_key("beta-reports-active")
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>'
        "<key>beta-reports-active</key><true/></dict></plist>"
    )
    assert [f.code for f in lint_text(xml, platforms=["iOS"]).findings] == ["ENT009"]
