"""A Neovim-like client: UTF-8 positions negotiated, configuration from initializationOptions."""

from __future__ import annotations

import pytest
import pytest_lsp
from entitlements_lint.rules.platform import available
from lsp_helpers import (
    FIXTURES,
    SERVER_COMMAND,
    as_json,
    open_document,
    published,
    rng,
    text_of,
    uri_of,
)
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from entitlements_db import load
from entitlements_db.cards import card

pytestmark = pytest.mark.asyncio(loop_scope="module")

DB = load()
OPTIONS = {"platforms": ["macOS"], "ignore": ["ENT104"]}
INITIALIZED: dict[str, types.InitializeResult] = {}
#: An XML comment with é and an emoji in front of an invented key, on one line.
TEXT = text_of("invented/App.entitlements").replace(
    "\t<key>com.apple.developer.made-up-thing", "\t<!-- café 😀 --><key>com.apple.developer.made-up-thing"
).replace("<key>aps-environment</key>", "<key>com.apple.developer.aps-environment</key>")


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER_COMMAND))
async def nvim(lsp_client: LanguageClient):
    params = types.InitializeParams(
        capabilities=client_capabilities("neovim@v0.11"),  # offers utf-8 first
        root_uri=FIXTURES.as_uri(),
        initialization_options=OPTIONS,
    )
    INITIALIZED["result"] = await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def test_initialize_result(nvim: LanguageClient):
    result = INITIALIZED["result"]
    assert result.server_info is not None and result.server_info.name == "entlint"
    capabilities = result.capabilities
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf8
    assert capabilities.text_document_sync == types.TextDocumentSyncOptions(
        open_close=True, change=types.TextDocumentSyncKind.Full, will_save=False,
        will_save_wait_until=False, save=types.SaveOptions(include_text=False),
    )
    assert capabilities.hover_provider is True
    assert as_json(capabilities.completion_provider) == as_json(types.CompletionOptions(
        trigger_characters=[">", "."], resolve_provider=True,
    ))
    assert as_json(capabilities.code_action_provider) == as_json(types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, "source.fixAll.entlint"],
    ))


async def test_options_and_utf8_positions(nvim: LanguageClient):
    uri = uri_of("virtual/Options.entitlements")
    diagnostics = await open_document(nvim, uri, TEXT)
    # ENT104 (the comment) is ignored by the options; the key starts after 19 bytes of the line
    # (a tab, then `<!-- café 😀 -->`: é is 2 bytes, the emoji 4).
    assert [(d.code, d.range) for d in diagnostics] == [("ENT001", rng(6, 20, 6, 64))]
    hover = await nvim.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(6, 30),
    ))
    assert hover is not None and hover.range == rng(6, 20, 6, 64)
    assert hover.contents.value == card(DB, "com.apple.developer.made-up-thing", "macOS")


async def test_completion_follows_the_configured_platforms(nvim: LanguageClient):
    uri = uri_of("virtual/Options.entitlements")
    result = await nvim.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(6, 58),
    ))
    assert result is not None
    labels = [i.label for i in result.items]
    on_macos = [e.key for e in DB if available(e, "macOS") and e.owner == "developer"]
    assert sorted(labels) == sorted(k for k in on_macos if k != "com.apple.developer.aps-environment")
    assert "aps-environment" not in labels  # iOS-family only
    assert all(i.text_edit.range == rng(6, 25, 6, 58) for i in result.items)


async def test_did_change_configuration_replaces_the_options(nvim: LanguageClient):
    uri = uri_of("virtual/Options.entitlements")
    settings = {"entlint": {"platforms": ["iOS"], "ignore": ["ENT001"]}}

    def send() -> None:
        nvim.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))

    diagnostics = (await published(nvim, send, uri, 1)).diagnostics
    assert [(d.code, d.severity, d.range) for d in diagnostics] == [
        ("ENT006", types.DiagnosticSeverity.Warning, rng(4, 1, 4, 47)),  # the macOS spelling on iOS
        ("ENT104", types.DiagnosticSeverity.Warning, rng(6, 1, 6, 20)),  # no longer ignored
    ]
