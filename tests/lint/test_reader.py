"""The position-aware plist reader: same values as plistlib, exact positions, duplicates
kept, entity declarations refused without expansion, syntax errors located."""

from __future__ import annotations

import datetime
import plistlib
import time
from typing import Any
from xml.sax.saxutils import escape

import biplist
import pytest
from entitlements_lint.errors import InputError
from entitlements_lint.plist import MAX_DEPTH, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lint_helpers import plist

# -- strategies ------------------------------------------------------------------------

#: Text without control characters (XML normalises CR, forbids most C0 controls), without
#: surrogates, and without the two code points XML forbids outright.
TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
    max_size=20,
)
INTS = st.integers(min_value=-(2**63), max_value=2**64 - 1)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
DATES = st.datetimes(
    min_value=datetime.datetime(1000, 1, 1), max_value=datetime.datetime(9999, 12, 31, 23, 59, 59)
).map(lambda d: d.replace(microsecond=0))
SCALARS = TEXT | INTS | FLOATS | st.booleans() | st.binary(max_size=40) | DATES


def values(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
        max_leaves=12,
    )


ROOTS = st.dictionaries(TEXT, values(SCALARS), max_size=6)


def same(a: Any, b: Any) -> bool:
    """Equality that also compares types (True == 1 and 1 == 1.0 in plain Python)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


# -- values are exactly plistlib's -----------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROOTS)
def test_xml_values_equal_plistlib(value: dict) -> None:
    data = plistlib.dumps(value, fmt=plistlib.FMT_XML)
    document = parse(data)
    assert document.format == "xml"
    result = document.root.to_python()
    assert same(result, value)
    assert same(result, plistlib.loads(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROOTS)
def test_binary_plists_written_by_biplist_read_identically(value: dict) -> None:
    # biplist (an independent writer) handles every type generated here, datetimes included.
    data = biplist.writePlistToString(value, binary=True)
    assert data.startswith(b"bplist00")
    document = parse(data)
    assert document.format == "binary"
    assert not document.has_positions
    assert same(document.root.to_python(), value)
    assert same(document.root.to_python(), plistlib.loads(data))


@settings(max_examples=60, deadline=None)
@given(ROOTS)
def test_binary_plists_written_by_plistlib_read_identically(value: dict) -> None:
    data = plistlib.dumps(value, fmt=plistlib.FMT_BINARY)
    assert same(parse(data).root.to_python(), value)


# -- positions ------------------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(ROOTS)
def test_every_key_and_value_span_is_its_element(value: dict) -> None:
    data = plistlib.dumps(value)
    document = parse(data)
    stack = [document.root]
    while stack:
        node = stack.pop()
        assert data[node.start:node.end].startswith(b"<" + node.kind.encode())
        assert data[node.start:node.end].endswith(b">")
        if node.kind == "array":
            stack.extend(node.value)
        for entry in node.entries:
            key = entry.key_node
            assert data[key.start:key.end] == b"<key>" + escape(entry.key).encode() + b"</key>"
            assert data[key.inner_start:key.inner_end] == escape(entry.key).encode()
            line, column = document.position(key.start)
            text_line = data.decode("utf-8").split("\n")[line - 1]
            assert text_line[column - 1:].startswith("<key>")
            stack.append(entry.value)


def test_key_positions_are_exact_lines_and_character_columns() -> None:
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<plist version="1.0">\n'
        "<dict>\n"
        "\t<key>aps-environment</key>\n"
        "\t<string>development</string>\n"
        "\t<key>NSCameraUsageDescription</key><string>Caméra ünd Fotos</string><key>after</key>\n"
        "\t<true/>\n"
        "</dict>\n"
        "</plist>\n"
    ).encode()
    document = parse(data)
    entries = document.root.entries
    assert [e.key for e in entries] == ["aps-environment", "NSCameraUsageDescription", "after"]
    assert document.position(entries[0].key_node.start) == (4, 2)
    assert document.position(entries[0].key_node.end) == (4, 28)
    assert document.position(entries[0].value.start) == (5, 2)
    assert document.position(entries[1].key_node.start) == (6, 2)
    assert document.position(entries[1].value.start) == (6, 37)
    # Columns count characters, not bytes: é and ü are two bytes each in UTF-8.
    assert document.position(entries[2].key_node.start) == (6, 37 + len("<string>Caméra ünd Fotos</string>"))
    assert document.position(entries[2].value.start) == (7, 2)
    assert (entries[2].value.kind, entries[2].value.start, entries[2].value.end) == ("true", data.index(b"<true/>"), data.index(b"<true/>") + 7)


def test_positions_with_crlf_line_endings() -> None:
    data = plist("<key>a</key>\n<string>x</string>\n<key>b</key>\n<false/>", newline="\r\n")
    document = parse(data)
    assert [document.position(e.key_node.start) for e in document.root.entries] == [(5, 2), (7, 2)]


def test_duplicate_keys_are_kept_in_order_and_the_last_wins() -> None:
    data = plist("""
        <key>aps-environment</key>
        <string>development</string>
        <key>aps-environment</key>
        <string>production</string>
        <key>nested</key>
        <dict>
        	<key>x</key>
        	<integer>1</integer>
        	<key>x</key>
        	<integer>2</integer>
        </dict>
    """)
    document = parse(data)
    entries = document.root.entries
    assert [e.key for e in entries] == ["aps-environment", "aps-environment", "nested"]
    assert [e.value.value for e in entries[:2]] == ["development", "production"]
    assert [document.position(e.key_node.start)[0] for e in entries[:2]] == [5, 7]
    assert document.root.get("aps-environment").value == "production"
    assert [e.value.value for e in entries[2].value.entries] == [1, 2]
    assert document.root.to_python() == plistlib.loads(data) == {"aps-environment": "production", "nested": {"x": 2}}


def test_duplicate_keys_are_reported_by_the_linter() -> None:
    from entitlements_lint import lint_text

    result = lint_text(plist("""
        <key>com.apple.security.app-sandbox</key>
        <true/>
        <key>com.apple.security.app-sandbox</key>
        <false/>
    """), platforms=["macOS"])
    duplicates = [f for f in result.findings if f.rule == "duplicate-key"]
    assert [(f.code, f.line, f.column, f.end_line, f.end_column) for f in duplicates] == [("ENT102", 7, 2, 7, 2 + len("<key>com.apple.security.app-sandbox</key>"))]
    assert "first at line 5" in duplicates[0].message


# -- refusals --------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<plist version="1.0"><dict><key>a</key><string>&lol9;</string></dict></plist>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE plist [
<!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<plist version="1.0"><dict><key>a</key><string>&xxe;</string></dict></plist>
"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE plist [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>
<plist version="1.0"><dict/></plist>
"""
EXTERNAL_SUBSET_REFERENCE = b"""<?xml version="1.0"?>
<!DOCTYPE plist SYSTEM "file:///etc/passwd">
<plist version="1.0"><dict><key>a</key><string>&xxe;</string></dict></plist>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY],
                         ids=["billion-laughs", "external-entity", "parameter-entity"])
def test_entity_declarations_are_refused_before_expansion(data: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        parse(data)
    assert time.perf_counter() - started < 1.0
    message = info.value.message
    assert "internal subset" in message or "entit" in message
    assert (info.value.line, info.value.column) == (2, data.split(b"\n")[1].index(b"[") + 1)
    assert "root:" not in message  # nothing of /etc/passwd


def test_entity_reference_resolved_through_an_external_subset_is_refused() -> None:
    """An external DTD is never loaded, so `&xxe;` cannot be resolved: refuse it rather
    than silently reading the value as an empty string."""
    with pytest.raises(InputError) as info:
        parse(EXTERNAL_SUBSET_REFERENCE)
    assert "entit" in info.value.message
    assert info.value.line == 3


def test_the_standard_apple_doctype_is_accepted() -> None:
    document = parse(plist("<key>a</key>\n<true/>"))
    assert document.root.to_python() == {"a": True}


def test_predefined_and_character_entities_and_cdata_are_read() -> None:
    data = b"<plist><dict><key>a&amp;b</key><string>&lt;&#65;&#x42;<![CDATA[<x>]]></string></dict></plist>"
    assert parse(data).root.to_python() == plistlib.loads(data) == {"a&b": "<AB<x>"}


@pytest.mark.parametrize(("data", "message", "line", "column"), [
    (b'<?xml version="1.0"?>\n<plist>\n<dict>\n\t<key>a</key>\n\t<string>x', "not well formed", 5, 11),
    (b"<plist><dict><key>a</key></dict></plist>", "has no value", 1, 14),
    (b"<plist><dict><key>a</key><integer>x</integer></dict></plist>", "invalid <integer>", 1, 26),
    (b"<plist><dict><string>x</string></dict></plist>", "where a <key> was expected", 1, 14),
    (b"<plist><dict/><dict/></plist>", "more than one root", 1, 15),
    (b"<plist><dict><key>a</key><key>b</key></dict></plist>", "two <key> elements", 1, 26),
    (b"<plist><dict><key>a</key><foo/></dict></plist>", "unknown element <foo>", 1, 26),
    # stray text between elements (a script that wrote a literal backslash-n): plutil refuses it
    (b"<plist>\n<dict>\n\t<key>a</key>\\n\t<true/>\n</dict>\n</plist>", "text `\\n` inside <dict>", 3, 14),
    (b"<plist>\n<array>\n  x&#65;<!-- c --><true/>\n</array>\n</plist>", "text `xA` inside <array>", 3, 3),
    (b"<plist>\n  junk<dict/></plist>", "text `junk` inside <plist>", 2, 3),
])
def test_syntax_errors_are_located(data: bytes, message: str, line: int, column: int) -> None:
    with pytest.raises(InputError) as info:
        parse(data)
    assert message in info.value.message
    assert (info.value.line, info.value.column) == (line, column)


def test_whitespace_and_comments_between_elements_are_accepted() -> None:
    data = b"<plist>\r\n <dict>\t<!-- c -->\n <key>a</key> \t<array>\n </array>\r\n</dict>\n</plist>"
    assert parse(data).root.to_python() == {"a": []}


def test_nesting_deeper_than_the_limit_is_refused_without_recursion() -> None:
    depth = MAX_DEPTH + 10
    data = b"<plist>" + b"<array>" * depth + b"</array>" * depth + b"</plist>"
    with pytest.raises(InputError, match="nested deeper"):
        parse(data)
    ok = b"<plist><dict><key>k</key>" + b"<array>" * 100 + b"</array>" * 100 + b"</dict></plist>"
    assert parse(ok).root.to_python() == plistlib.loads(ok)


@pytest.mark.parametrize("data", [b"", b"  \n\t", b"\xff\xfe<\x00p\x00", b"bplist00garbage"])
def test_empty_utf16_and_corrupt_binary_inputs_raise_input_error(data: bytes) -> None:
    with pytest.raises(InputError):
        parse(data)
