"""Completion and hover served by the feature index (issue 9), through the real server."""

from __future__ import annotations

import pytest
from lsp_helpers import open_document, rng, text_of, uri_of
from lsprotocol import types
from pytest_lsp import LanguageClient

from entitlements_db import load

pytestmark = pytest.mark.asyncio(loop_scope="module")

DB = load()
TEMPLATE = text_of("invented/App.entitlements")


async def _complete(client: LanguageClient, name: str, typed: str) -> types.CompletionList:
    uri = uri_of(f"virtual/{name}.entitlements")
    await open_document(client, uri, TEMPLATE.replace("com.apple.developer.made-up-thing", typed))
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(6, 6 + len(typed)),
    ))
    assert isinstance(result, types.CompletionList)
    return result


def _in_editor_order(result: types.CompletionList) -> list[types.CompletionItem]:
    return sorted(result.items, key=lambda i: i.sort_text or i.label)


async def test_a_typed_feature_name_completes_to_its_key_first(client: LanguageClient):
    result = await _complete(client, "Feature", "apple pay")
    first = _in_editor_order(result)[0]
    assert first.label == "com.apple.developer.in-app-payments"
    # The editor keeps the item although "apple pay" starts no key, and asks again as the words change.
    assert first.filter_text == "apple pay" and first.preselect is True
    assert first.text_edit == types.TextEdit(range=rng(6, 6, 6, 15), new_text="com.apple.developer.in-app-payments")
    assert result.is_incomplete is True
    # Every other key the developer writes is still offered, after the index's answers.
    assert len(result.items) == sum(1 for e in DB if e.owner == "developer") - 1


async def test_an_invented_key_being_typed_completes_to_the_real_one(client: LanguageClient):
    result = await _complete(client, "Invented", "com.apple.developer.sign-in-with-apple")
    assert _in_editor_order(result)[0].label == "com.apple.developer.applesignin"


async def test_a_key_prefix_completes_by_prefix_as_before(client: LanguageClient):
    result = await _complete(client, "Prefix", "com.apple.developer.health")
    assert result.is_incomplete is False
    assert all(item.filter_text == item.label and not item.preselect for item in result.items)


async def test_hover_on_an_unknown_key_shows_the_best_answer(client: LanguageClient):
    uri = uri_of("virtual/Hover.entitlements")
    await open_document(client, uri, TEMPLATE.replace("com.apple.developer.made-up-thing",
                                                      "com.apple.security.network.outgoing-connections"))
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(6, 10),
    ))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert text.startswith("**com.apple.security.network.outgoing-connections** is not in entlint's data (entlint data ")
    assert "Closest matches, best first:\n- `com.apple.security.network.client`: " in text
