"""Unit tests of the mapping between the engine's currency and LSP types (no server process)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from entitlements_lint.config import ConfigError, Settings
from entitlements_lint.engine import lint_bytes
from entitlements_lint.findings import Edit, Finding, Fix
from entitlements_lint.lsp import (
    LineIndex,
    guarded,
    key_at,
    to_code_action,
    to_diagnostic,
    with_options,
)
from entitlements_lint.plist import parse
from lsp_helpers import FIXTURES, rng
from lsprotocol.types import (
    CodeAction,
    CodeActionKind,
    CodeDescription,
    Diagnostic,
    DiagnosticSeverity,
    DiagnosticTag,
    OptionalVersionedTextDocumentIdentifier,
    Position,
    PositionEncodingKind,
    TextDocumentEdit,
    TextEdit,
    WorkspaceEdit,
)

from entitlements_db import load

UTF8, UTF16, UTF32 = PositionEncodingKind.Utf8, PositionEncodingKind.Utf16, PositionEncodingKind.Utf32
#: é is 2 bytes / 1 UTF-16 unit; 😀 is 4 bytes / 2 UTF-16 units (a surrogate pair) / 1 code point.
DATA = "aé😀b\r\nx\ry\nz".encode()
URL = "https://github.com/entlint/entlint/blob/main/docs/rules/"
DB = load()


# -- positions -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("offset", "utf16", "utf8", "utf32"),
    [
        (0, (0, 0), (0, 0), (0, 0)),  # a
        (1, (0, 1), (0, 1), (0, 1)),  # é
        (3, (0, 2), (0, 3), (0, 2)),  # 😀
        (7, (0, 4), (0, 7), (0, 3)),  # b
        (8, (0, 5), (0, 8), (0, 4)),  # \r of \r\n
        (10, (1, 0), (1, 0), (1, 0)),  # x, after \r\n
        (12, (2, 0), (2, 0), (2, 0)),  # y, after a lone \r
        (14, (3, 0), (3, 0), (3, 0)),  # z, after \n
        (15, (3, 1), (3, 1), (3, 1)),  # the end
        (99, (3, 1), (3, 1), (3, 1)),  # clamped
    ],
)
def test_offset_to_position(offset, utf16, utf8, utf32):
    for encoding, expected in ((UTF16, utf16), (UTF8, utf8), (UTF32, utf32)):
        assert LineIndex(DATA, encoding).position(offset) == Position(*expected)


@pytest.mark.parametrize(
    ("position", "utf16", "utf8"),
    [
        ((0, 0), 0, 0),
        ((0, 2), 3, 2),  # UTF-16: after é; UTF-8: inside é stays a byte offset
        ((0, 4), 7, 4),  # UTF-16: after the emoji
        ((0, 3), 7, 3),  # UTF-16: inside the surrogate pair rounds to the character's end
        ((0, 99), 8, 8),  # past the end of a line: its end, before \r\n
        ((1, 1), 11, 11),
        ((3, 1), 15, 15),
        ((7, 0), 15, 15),  # past the last line: the end of the document
    ],
)
def test_position_to_offset(position, utf16, utf8):
    assert LineIndex(DATA, UTF16).offset(Position(*position)) == utf16
    assert LineIndex(DATA, UTF8).offset(Position(*position)) == utf8


def test_round_trip_at_every_character_boundary():
    text = "<key>é😀 ça 𝄞 x</key>\n\t<string>日本</string>\r\n"
    data = text.encode()
    boundaries = {len(text[:i].encode()) for i in range(len(text) + 1)}
    for encoding in (UTF8, UTF16, UTF32):
        index = LineIndex(data, encoding)
        for offset in boundaries:
            if data[offset - 1 : offset + 1] == b"\r\n":
                continue  # between \r and \n is not a place a client can name
            assert index.offset(index.position(offset)) == offset, (encoding, offset)


def test_line_and_column_in_code_points_to_position():
    index = LineIndex(DATA, UTF16)
    assert index.position_of_column(1, 4) == Position(0, 4)  # b: after a, é and the emoji
    assert index.position_of_column(3, 2) == Position(2, 1)
    assert LineIndex(DATA, UTF8).position_of_column(1, 4) == Position(0, 7)
    assert index.position_of_column(9, 1) == Position(3, 0)  # clamped to the last line


# -- findings → diagnostics ---------------------------------------------------------------
def finding(severity: str = "error", note: str | None = None, fix: Fix | None = None, rule: str = "some-rule") -> Finding:
    return Finding("ENT999", rule, severity, "a message", "App.entitlements", 1, 2, 1, 3,
                   fix=fix, start=1, end=3, note=note)


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("error", DiagnosticSeverity.Error),
        ("warning", DiagnosticSeverity.Warning),
        ("info", DiagnosticSeverity.Information),
    ],
)
def test_severity_mapping(severity, expected):
    assert to_diagnostic(finding(severity), LineIndex(DATA)) == Diagnostic(
        range=rng(0, 1, 0, 2),  # bytes 1..3 are é: one UTF-16 unit
        message="a message",
        severity=expected,
        code="ENT999",
        code_description=CodeDescription(href=f"{URL}ENT999.md"),
        source="entlint",
    )


def test_note_and_deprecated_tag():
    diagnostic = to_diagnostic(finding("warning", note="Why.", rule="deprecated-entitlement"), LineIndex(DATA))
    assert diagnostic.message == "a message\nWhy."
    assert diagnostic.tags == [DiagnosticTag.Deprecated]


NON_ASCII = (
    '<plist version="1.0">\n<dict>\n'
    "\t<!-- café 😀 --><key>com.apple.developer.made-up-thing</key>\n\t<true/>\n"
    "</dict>\n</plist>\n"
).encode()


def test_finding_after_non_ascii_on_the_same_line():
    result = lint_bytes(NON_ASCII, "App.entitlements", Settings(ignore=("ENT104",)), DB)
    [unknown] = result.findings
    assert (unknown.code, unknown.start, unknown.end) == ("ENT001", 49, 93)
    assert to_diagnostic(unknown, LineIndex(NON_ASCII, UTF16)).range == rng(2, 17, 2, 61)
    assert to_diagnostic(unknown, LineIndex(NON_ASCII, UTF8)).range == rng(2, 20, 2, 64)
    assert to_diagnostic(unknown, LineIndex(NON_ASCII, UTF32)).range == rng(2, 16, 2, 60)


def test_syntax_error_after_an_emoji():
    data = "<plist><dict><key>😀</key><foo/></dict></plist>".encode()
    result = lint_bytes(data, "App.entitlements", Settings(), DB)
    [error] = result.findings
    assert (error.code, error.line, error.column, error.start, error.end) == ("ENT101", 1, 26, 0, 0)
    assert to_diagnostic(error, LineIndex(data, UTF16)) == Diagnostic(
        range=rng(0, 26, 0, 26),  # 25 code points before <foo/>, one of them two UTF-16 units
        message="unknown element <foo>",
        severity=DiagnosticSeverity.Error,
        code="ENT101",
        code_description=CodeDescription(href=f"{URL}ENT101.md"),
        source="entlint",
    )


# -- fixes → code actions -----------------------------------------------------------------
def test_safe_fix_is_a_preferred_quick_fix():
    fixed = finding(fix=Fix("Rename", [Edit(1, 3, "e"), Edit(7, 8, "")], safe=True))
    index = LineIndex(DATA)
    edits = [TextEdit(range=rng(0, 1, 0, 2), new_text="e"), TextEdit(range=rng(0, 4, 0, 5), new_text="")]
    assert to_code_action(fixed, index, "file:///App.entitlements", 3) == CodeAction(
        title="Rename",
        kind=CodeActionKind.QuickFix,
        diagnostics=[to_diagnostic(fixed, index)],
        edit=WorkspaceEdit(changes={"file:///App.entitlements": edits}),
        is_preferred=True,
    )
    versioned = to_code_action(fixed, index, "file:///App.entitlements", 3, versioned=True)
    assert versioned is not None and versioned.edit == WorkspaceEdit(document_changes=[TextDocumentEdit(
        text_document=OptionalVersionedTextDocumentIdentifier(uri="file:///App.entitlements", version=3),
        edits=edits,
    )])


def test_unsafe_fix_is_offered_but_not_preferred():
    unsafe = finding(fix=Fix("Remove the comment", [Edit(0, 1, "")], safe=False))
    action = to_code_action(unsafe, LineIndex(DATA), "file:///App.entitlements", 1)
    assert action is not None
    assert (action.title, action.is_preferred) == ("Remove the comment (unsafe fix)", False)
    assert to_code_action(finding(), LineIndex(DATA), "file:///App.entitlements", 1) is None


# -- keys under the cursor ---------------------------------------------------------------------
def test_key_at_in_parsed_and_broken_documents():
    text = b"<plist><dict><key>a&amp;b</key><dict><key>nested</key><true/></dict></dict></plist>"
    document = parse(text)
    assert key_at(text, 20, document) == ("a&b", 13, 31)
    assert key_at(text, 45, document) is None  # a nested key is not an entitlement
    assert key_at(text, 10, document) is None
    broken = text.replace(b"</plist>", b"")
    assert key_at(broken, 20, None) == ("a&b", 13, 31)
    assert key_at(broken, 45, None) == ("nested", 37, 54)  # as text, any key will do


# -- configuration -------------------------------------------------------------------------
def test_initialization_options_replace_what_they_name():
    base = Settings(platforms=("iOS",), select=("ENT0",), ignore=("ENT104",), granted=("x",), root="/r", source="/r/.entlint.toml")
    merged = with_options(base, {"platforms": "macos", "extend-select": ["ENT1"], "ignore": []}, "/ws")
    assert (merged.platforms, merged.select, merged.ignore, merged.granted) == (("macOS",), ("ENT0", "ENT1"), (), frozenset({"x"}))
    assert (merged.root, merged.source) == ("/r", "/r/.entlint.toml")
    assert (base.platforms, base.select, base.ignore) == (("iOS",), ("ENT0",), ("ENT104",))  # not mutated
    with pytest.raises(ConfigError, match="initializationOptions: unknown setting"):
        with_options(base, {"platfroms": ["iOS"]}, "/ws")


# -- robustness and isolation -------------------------------------------------------------------
def test_guarded_handlers_log_instead_of_raising():
    logged: list[str] = []

    class Server:
        def log_error(self, message: str) -> None:
            logged.append(message)

        @guarded("fallback")
        def handler(self, value: int) -> str:
            raise ValueError(f"bad {value}")

    assert Server().handler(3) == "fallback"
    assert logged[0].startswith("internal error in handler, please report: ValueError: bad 3\nTraceback")


def test_the_check_path_does_not_import_pygls():
    code = (
        "import sys; from entitlements_lint.main import main; "
        f"main(['check', '-q', {str(FIXTURES / 'info' / 'Info.plist')!r}]); "
        "print(sorted(m for m in ('pygls', 'lsprotocol', 'entitlements_lint.lsp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False).stdout
    assert out.splitlines()[-1] == "[]"
