"""Helpers for the language-server tests: paths, URIs, and waiting for diagnostics."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from lsprotocol import types
from lsprotocol.converters import get_converter
from pytest_lsp import LanguageClient

_CONVERTER = get_converter()

FIXTURES = Path(__file__).parent / "fixtures"
SERVER_COMMAND = [sys.executable, "-m", "entitlements_lint.main", "lsp"]
PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
TIMEOUT = 10


def uri_of(relative: str) -> str:
    return (FIXTURES / relative).resolve().as_uri()


def text_of(relative: str) -> str:
    return (FIXTURES / relative).read_text(encoding="utf-8")


def rng(start_line: int, start_character: int, end_line: int, end_character: int) -> types.Range:
    return types.Range(types.Position(start_line, start_character), types.Position(end_line, end_character))


async def published(client: LanguageClient, send, uri: str, version: int | None) -> types.PublishDiagnosticsParams:
    """Call ``send`` and wait for the diagnostics the server then publishes for ``uri`` at ``version``.

    Every publication is seen: the listener re-registers from inside the callback, which
    runs as the notification is handled, before the next message is read.
    """
    loop = asyncio.get_running_loop()
    found: asyncio.Future[types.PublishDiagnosticsParams] = loop.create_future()

    def listen() -> None:
        client.protocol.wait_for_notification(PUBLISH, callback=seen)

    def seen(params: types.PublishDiagnosticsParams) -> None:
        if params.uri == uri and params.version == version:
            loop.call_soon_threadsafe(lambda: found.done() or found.set_result(params))
        else:
            listen()

    listen()
    send()
    return await asyncio.wait_for(found, TIMEOUT)


async def open_document(client: LanguageClient, uri: str, text: str, version: int = 1) -> list[types.Diagnostic]:
    item = types.TextDocumentItem(uri=uri, language_id="xml", version=version, text=text)
    params = types.DidOpenTextDocumentParams(text_document=item)
    return list((await published(client, lambda: client.text_document_did_open(params), uri, version)).diagnostics)


async def change_document(client: LanguageClient, uri: str, text: str, version: int) -> list[types.Diagnostic]:
    params = types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    )
    return list((await published(client, lambda: client.text_document_did_change(params), uri, version)).diagnostics)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply single-line TextEdits given in UTF-16 units (what the test client negotiated)."""
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = edit.range.start, edit.range.end
        assert start.line == end.line, "the tests only apply single-line edits"
        line = lines[start.line].encode("utf-16-le")
        new = line[: start.character * 2] + edit.new_text.encode("utf-16-le") + line[end.character * 2 :]
        lines[start.line] = new.decode("utf-16-le")
    return "\n".join(lines)


def as_json(value: object) -> object:
    """LSP objects as the JSON the wire carries (tuples and lists compare equal then)."""
    return _CONVERTER.unstructure(value)
