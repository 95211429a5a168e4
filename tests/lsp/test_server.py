"""The language server end to end: a real `entlint lsp` process driven by a VS Code-like client."""

from __future__ import annotations

import pytest
from lsp_helpers import (
    apply_edits,
    as_json,
    change_document,
    open_document,
    published,
    rng,
    text_of,
    uri_of,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

from entitlements_db import load
from entitlements_db.cards import card

pytestmark = pytest.mark.asyncio(loop_scope="module")

DOCS = "https://github.com/entlint/entlint/blob/main/docs/rules/"
DB = load()
RELEASE = f"entlint data {DB.meta['version']}, {len(DB)} keys"
GRANTED = ("If Apple added this key after entlint's data release, or granted it to your team, "
           "list it under `granted` in the configuration.")


def markdown(text: str) -> types.MarkupContent:
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)


def diagnostic(range_: types.Range, code: str, message: str,
               severity: types.DiagnosticSeverity = types.DiagnosticSeverity.Error) -> types.Diagnostic:
    return types.Diagnostic(
        range=range_,
        message=message,
        severity=severity,
        code=code,
        code_description=types.CodeDescription(href=f"{DOCS}{code}.md"),
        source="entlint",
    )


async def test_a_document_that_is_not_open_is_not_an_error(client: LanguageClient):
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri_of("nowhere/Not.opened.entitlements")),
        position=types.Position(0, 0),
    ))
    assert result is None


async def test_invented_key_then_a_fix_clears_it(client: LanguageClient):
    uri, text = uri_of("invented/App.entitlements"), text_of("invented/App.entitlements")
    diagnostics = await open_document(client, uri, text)
    assert diagnostics == [
        diagnostic(rng(6, 1, 6, 45), "ENT001",
                   f"`com.apple.developer.made-up-thing` is not a known entitlement ({RELEASE})\n{GRANTED}"),
    ]
    fixed = text.replace("com.apple.developer.made-up-thing", "com.apple.developer.healthkit")
    assert await change_document(client, uri, fixed, version=2) == []
    broken_again = fixed.replace("com.apple.developer.healthkit", "com.apple.developer.made-up-thing")
    assert await change_document(client, uri, broken_again, version=3) == diagnostics


async def test_hover_on_a_real_key(client: LanguageClient):
    uri = uri_of("invented/App.entitlements")  # opened by the previous test; open it again to be independent
    await open_document(client, uri, text_of("invented/App.entitlements"), version=10)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(4, 10),
    ))
    expected = card(DB, "aps-environment")
    assert expected.startswith("**aps-environment**: APS Environment Entitlement\n")
    assert hover == types.Hover(contents=markdown(expected), range=rng(4, 1, 4, 27))


async def test_hover_on_a_non_existent_key(client: LanguageClient):
    uri = uri_of("app-groups/App.entitlements")
    await open_document(client, uri, text_of("app-groups/App.entitlements"))
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(4, 30),
    ))
    expected = card(DB, "com.apple.developer.app-groups")
    assert expected.startswith("**com.apple.developer.app-groups** is not an entitlement Apple defines.\n")
    assert "Use instead:\n- `com.apple.security.application-groups`: the real entitlement" in expected
    assert hover == types.Hover(contents=markdown(expected), range=rng(4, 1, 4, 42))
    # Between elements there is nothing to say.
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(3, 2),
    ))
    assert nothing is None


async def test_code_action_renames_app_groups(client: LanguageClient):
    uri, text = uri_of("app-groups/App.entitlements"), text_of("app-groups/App.entitlements")
    diagnostics = await open_document(client, uri, text, version=5)
    assert [(d.code, d.range) for d in diagnostics] == [("ENT001", rng(4, 1, 4, 42))]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=rng(4, 10, 4, 10),
        context=types.CodeActionContext(diagnostics=diagnostics, only=[types.CodeActionKind.QuickFix]),
    ))
    edit = types.TextEdit(range=rng(4, 6, 4, 36), new_text="com.apple.security.application-groups")
    document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=5)
    assert as_json(actions) == as_json([
        types.CodeAction(
            title="Rename to `com.apple.security.application-groups`",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=diagnostics,
            is_preferred=True,
            edit=types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=[edit])]),
        )
    ])
    # The source action applies every safe fix as one edit, as `entlint check --fix` would.
    fix_all = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=rng(0, 0, 0, 0),
        context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
    ))
    assert as_json(fix_all) == as_json([
        types.CodeAction(
            title="Fix all safe entlint problems",
            kind="source.fixAll.entlint",
            edit=types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=document,
                edits=[types.TextEdit(range=rng(4, 16, 4, 29), new_text="security.application")],
            )]),
        )
    ])
    # Applying the quick fix leaves nothing to report.
    fixed = apply_edits(text, [edit])
    assert "<key>com.apple.security.application-groups</key>" in fixed
    assert await change_document(client, uri, fixed, version=6) == []
    none_left = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=rng(4, 10, 4, 10),
        context=types.CodeActionContext(diagnostics=[]),
    ))
    assert list(none_left or ()) == []


async def test_completion_of_keys_and_values(client: LanguageClient):
    uri = uri_of("virtual/Complete.entitlements")  # never written to disk: the editor's text is linted
    text = text_of("invented/App.entitlements").replace(
        "com.apple.developer.made-up-thing", "com.apple.security.app"
    )
    await open_document(client, uri, text)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(6, 28),
    ))
    assert result is not None and result.is_incomplete is False
    labels = [item.label for item in result.items]
    developer_owned = [e.key for e in DB if e.owner == "developer"]
    # every key a developer writes but aps-environment, already in the file
    assert sorted(labels) == sorted(k for k in developer_owned if k != "aps-environment")
    item = next(i for i in result.items if i.label == "com.apple.security.application-groups")
    assert as_json(item) == as_json(types.CompletionItem(
        label="com.apple.security.application-groups",
        kind=types.CompletionItemKind.Property,
        detail=DB["com.apple.security.application-groups"].name,
        text_edit=types.TextEdit(range=rng(6, 6, 6, 28), new_text="com.apple.security.application-groups"),
        filter_text="com.apple.security.application-groups",
        sort_text=item.sort_text,
        data={"key": "com.apple.security.application-groups"},
    ))
    resolved = await client.completion_item_resolve_async(item)
    assert resolved.documentation == markdown(card(DB, "com.apple.security.application-groups"))
    # Inside the <string> of an enumerated key: its allowed values.
    values = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(5, 9),
    ))
    assert values is not None
    assert [(i.label, i.text_edit) for i in values.items] == [
        ("development", types.TextEdit(range=rng(5, 9, 5, 20), new_text="development")),
        ("production", types.TextEdit(range=rng(5, 9, 5, 20), new_text="production")),
    ]
    # Outside any <key> or <string>: nothing.
    outside = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(7, 1),
    ))
    assert outside is None


async def test_completion_ranks_developer_keys_and_never_offers_profile_keys(client: LanguageClient):
    """Why: completion offered `application-identifier` first, a profile-owned key that ENT009 then flags."""
    uri = uri_of("virtual/Rank.entitlements")
    text = text_of("invented/App.entitlements").replace("com.apple.developer.made-up-thing", "")
    await open_document(client, uri, text)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(6, 6),
    ))
    assert result is not None
    ranked = [i.label for i in sorted(result.items, key=lambda i: i.sort_text)]  # as an editor shows them
    for key in ("application-identifier", "com.apple.developer.team-identifier", "get-task-allow"):
        assert DB[key].owner != "developer" and key not in ranked
    assert all(DB[k].owner == "developer" for k in ranked)
    # the keys apps write most come first; deprecated keys after every current one
    assert ranked[0] == "com.apple.security.application-groups"
    assert [DB.usage(k) for k in ranked[:10]] == sorted((DB.usage(k) for k in ranked[:10]), reverse=True)
    deprecated = [bool(DB[k].deprecated) for k in ranked]
    assert deprecated == sorted(deprecated) and any(deprecated)


async def test_broken_document_then_the_server_keeps_answering(client: LanguageClient):
    uri, text = uri_of("broken/Broken.entitlements"), text_of("broken/Broken.entitlements")
    diagnostics = await open_document(client, uri, text)
    assert diagnostics == [diagnostic(rng(8, 2, 8, 2), "ENT101", "XML is not well formed: mismatched tag")]
    # Hover and completion still work on the text of a broken file.
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(6, 12),
    ))
    assert hover == types.Hover(contents=markdown(card(DB, "com.apple.security.app-sandbox")), range=rng(6, 1, 6, 42))
    half_typed = text.replace("<key>com.apple.security.app-sandbox</key>", "<key>com.apple.security.app")
    assert await change_document(client, uri, half_typed, version=2) == [
        diagnostic(rng(7, 1, 7, 1), "ENT101", "<true> inside <key>: only <dict> and <array> contain elements"),
    ]
    completion = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(6, 28),
    ))
    assert completion is not None and "com.apple.security.app-sandbox" in [i.label for i in completion.items]
    # Garbage is a syntax error too, not a crash.
    assert [d.code for d in await change_document(client, uri, "\x00<<<>>>&&&", version=3)] == ["ENT101"]
    assert [d.code for d in await change_document(client, uri, "", version=4)] == ["ENT101"]
    # Repaired, it is clean again, and the process answered every request above.
    repaired = text.replace("\t<true/>\n</plist>", "\t<true/>\n</dict>\n</plist>")
    assert await change_document(client, uri, repaired, version=5) == []


async def test_info_plist_with_an_invalid_background_mode(client: LanguageClient):
    uri, text = uri_of("info/Info.plist"), text_of("info/Info.plist")
    diagnostics = await open_document(client, uri, text)
    assert diagnostics == [
        diagnostic(rng(9, 2, 9, 35), "ENT200", "`background-fetch` is not a background mode; did you mean `fetch`?"),
    ]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=rng(9, 12, 9, 12),
        context=types.CodeActionContext(diagnostics=diagnostics, only=[types.CodeActionKind.QuickFix]),
    ))
    assert actions is not None
    assert [(a.title, a.is_preferred, as_json(a.edit.document_changes[0].edits)) for a in actions] == [
        ("Replace with `fetch`", True, as_json([types.TextEdit(range=rng(9, 10, 9, 26), new_text="fetch")])),
    ]
    values = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(9, 10),
    ))
    assert values is not None
    assert [i.label for i in values.items] == [m.value for m in DB.background_modes()]
    assert as_json(values.items[0]) == as_json(types.CompletionItem(
        label="audio",
        kind=types.CompletionItemKind.EnumMember,
        detail="Audio, AirPlay, and Picture in Picture",
        text_edit=types.TextEdit(range=rng(9, 10, 9, 26), new_text="audio"),
    ))
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(8, 12),
    ))
    assert hover is not None and hover.range == rng(8, 2, 8, 24)
    assert hover.contents.value.startswith("**audio**: Audio, AirPlay, and Picture in Picture\n\n- Platforms: iOS, iPadOS")
    fixed = apply_edits(text, actions[0].edit.document_changes[0].edits)
    assert await change_document(client, uri, fixed, version=2) == []


async def test_the_other_file_of_the_target_is_read_from_the_editor(client: LanguageClient):
    """App.entitlements needs a HealthKit purpose string; the Info.plist next to it has none on disk."""
    entitlements, info = uri_of("pair/App.entitlements"), uri_of("pair/Info.plist")
    missing = diagnostic(
        rng(4, 1, 4, 41), "ENT201",
        "`com.apple.developer.healthkit` needs `NSHealthShareUsageDescription` (reading health data) or "
        "`NSHealthUpdateUsageDescription` (writing health data) in Info.plist",
        types.DiagnosticSeverity.Warning,
    )
    assert await open_document(client, entitlements, text_of("pair/App.entitlements")) == [missing]

    def open_info() -> None:
        item = types.TextDocumentItem(uri=info, language_id="xml", version=1, text=text_of("pair/Info.plist"))
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))

    # Opening or editing the Info.plist checks the entitlements file again, against the editor's text.
    assert list((await published(client, open_info, entitlements, 1)).diagnostics) == [missing]
    edited = text_of("pair/Info.plist").replace(
        "</dict>", "\t<key>NSHealthUpdateUsageDescription</key>\n\t<string>Records workouts.</string>\n</dict>"
    )

    def edit_info() -> None:
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=info, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
        ))

    assert list((await published(client, edit_info, entitlements, 1)).diagnostics) == []

    # Closed without saving: the file on disk counts again.
    def close_info() -> None:
        client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=info),
        ))

    assert list((await published(client, close_info, entitlements, 1)).diagnostics) == [missing]
