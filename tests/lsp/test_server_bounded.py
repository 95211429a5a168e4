"""The language server on hostile traffic: a burst of changes is linted once, a position outside
the document is answered with an empty result, and an oversized document gets one diagnostic.

Most tests drive the server in-process, message by message, with the debounce timer replaced by
a list of pending callbacks: lints are counted, never timed. The last tests use the real server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from entitlements_lint import engine, lsp
from entitlements_lint.limits import LSP_MAX_DOCUMENT_BYTES
from lsp_helpers import change_document, open_document, text_of, uri_of
from lsprotocol import types
from pytest_lsp import LanguageClient

INVENTED = text_of("invented/App.entitlements")


class Wire:
    """What the server sends, as JSON objects."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        self.sent.append(json.loads(data))

    def close(self) -> None:
        pass

    def answer(self, request_id: int) -> dict[str, Any]:
        (found,) = [m for m in self.sent if m.get("id") == request_id and "method" not in m]
        return found

    def diagnostics(self) -> list[dict[str, Any]]:
        return [m["params"] for m in self.sent if m.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]


class Timer:
    """Stands in for ``loop.call_later``: callbacks wait in a list until the test runs them."""

    class Handle:
        def __init__(self, callback) -> None:  # type: ignore[no-untyped-def]
            self.callback = callback
            self.cancelled = False

        def cancel(self) -> None:
            self.cancelled = True

    def __init__(self) -> None:
        self.handles: list[Timer.Handle] = []

    def __call__(self, delay: float, callback) -> Handle:  # type: ignore[no-untyped-def]
        assert delay == lsp.DEBOUNCE_SECONDS
        handle = Timer.Handle(callback)
        self.handles.append(handle)
        return handle

    def live(self) -> list[Timer.Handle]:
        return [h for h in self.handles if not h.cancelled]

    def fire(self) -> None:
        for handle in self.live():
            handle.cancelled = True
            handle.callback()


class Session:
    """One in-process server, fed raw JSON-RPC messages the way pygls reads them."""

    def __init__(self, root: Path) -> None:
        self.server = lsp.create_server()
        self.wire = Wire()
        self.server.protocol.set_writer(self.wire, include_headers=False)
        self.timer = Timer()
        self.server.debouncer.schedule = self.timer
        self.next_id = 0
        self.request("initialize", {"capabilities": {}, "rootUri": root.as_uri()})
        self.notify("initialized", {})

    def feed(self, message: dict[str, Any]) -> None:
        protocol = self.server.protocol
        protocol.handle_message(json.loads(json.dumps(message), object_hook=protocol.structure_message))

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.feed({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        self.feed({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.wire.answer(self.next_id)

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "xml", "version": version, "text": text}})

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange",
                    {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return Session(tmp_path)


@pytest.fixture
def lints(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every document the engine lints, in order."""
    seen: list[bytes] = []
    original = engine.lint_bytes

    def counting(data: bytes, *args: Any, **kwargs: Any) -> engine.FileResult:
        seen.append(data)
        return original(data, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_bytes", counting)
    return seen


# -- debounce -------------------------------------------------------------------------

def test_a_burst_of_changes_is_linted_once_at_its_newest_version(session: Session, lints: list[bytes],
                                                                  tmp_path: Path) -> None:
    uri = (tmp_path / "App.entitlements").as_uri()
    session.open(uri, INVENTED)
    assert len(lints) == 1  # opening lints at once
    burst = 200
    for version in range(2, burst + 2):
        session.change(uri, INVENTED.replace("made-up-thing", f"made-up-{version}"), version)
    assert len(lints) == 1  # nothing linted while the changes keep coming
    assert len(session.timer.live()) == 1  # one pending lint, whatever the number of changes
    session.timer.fire()
    assert len(lints) == 2
    assert b"made-up-201" in lints[-1]  # the newest text, and only it
    last = session.wire.diagnostics()[-1]
    assert last["version"] == burst + 1
    (message,) = [d["message"] for d in last["diagnostics"]]
    assert message.startswith("`com.apple.developer.made-up-201` is not a known entitlement")
    assert [d["version"] for d in session.wire.diagnostics()] == [1, burst + 1]


def test_a_request_during_a_burst_sees_the_newest_text_and_the_timer_adds_no_lint(
        session: Session, lints: list[bytes], tmp_path: Path) -> None:
    uri = (tmp_path / "App.entitlements").as_uri()
    session.open(uri, INVENTED)
    session.change(uri, INVENTED.replace("made-up-thing", "healthkit"), 2)
    answer = session.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": []}})
    assert answer["result"] == []
    assert len(lints) == 2  # the request linted version 2 on demand
    session.timer.fire()
    assert len(lints) == 2  # the pending publication reuses that lint
    assert session.wire.diagnostics()[-1] == {"uri": uri, "version": 2, "diagnostics": []}


def test_closing_or_saving_a_document_cancels_its_pending_lint(session: Session, lints: list[bytes],
                                                              tmp_path: Path) -> None:
    uri = (tmp_path / "App.entitlements").as_uri()
    session.open(uri, INVENTED)
    session.change(uri, INVENTED, 2)
    session.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert session.timer.live() == []
    session.open(uri, INVENTED, 3)
    session.change(uri, INVENTED, 4)
    session.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert session.timer.live() == []
    assert [d.get("version") for d in session.wire.diagnostics()] == [1, None, 3, 4]  # closing clears


def test_without_an_event_loop_a_change_is_linted_at_once() -> None:
    ran: list[str] = []
    debouncer = lsp.Debouncer(lsp.DEBOUNCE_SECONDS)  # the real scheduler; no loop runs here
    debouncer.request("a", lambda: ran.append("a"))
    assert ran == ["a"] and debouncer.pending == {}


# -- positions outside the document -----------------------------------------------------

POSITION_REQUESTS = {
    "textDocument/hover": (lambda p: {"position": p}, None),
    "textDocument/completion": (lambda p: {"position": p}, {"isIncomplete": False, "items": []}),
    "textDocument/codeAction": (lambda p: {"range": {"start": p, "end": p}, "context": {"diagnostics": []}}, []),
}


@pytest.mark.parametrize("method", sorted(POSITION_REQUESTS))
@pytest.mark.parametrize("position", [
    {"line": 10**6, "character": 0},  # a line past the end of the document
    {"line": 2**31 - 1, "character": 2**31 - 1},
    {"line": -1, "character": 0},  # not even an LSP position: pygls alone never answers these
    {"line": 0, "character": -5},
    {"line": 2**31, "character": 0},
    {"line": 2**40, "character": 2**40},
    {"line": "x", "character": 0},
])
def test_a_position_outside_the_document_gets_an_empty_result(session: Session, tmp_path: Path,
                                                              method: str, position: dict[str, Any]) -> None:
    uri = (tmp_path / "App.entitlements").as_uri()
    session.open(uri, INVENTED + "<key>com.ap")  # completion at the very end would offer keys
    params, empty = POSITION_REQUESTS[method]
    answer = session.request(method, {"textDocument": {"uri": uri}, **params(position)})
    assert answer == {"jsonrpc": "2.0", "id": session.next_id, "result": empty}


def test_a_code_action_range_ending_outside_the_document_gets_an_empty_result(session: Session, tmp_path: Path) -> None:
    uri = (tmp_path / "App.entitlements").as_uri()
    session.open(uri, INVENTED)
    answer = session.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 6, "character": 0}, "end": {"line": 500, "character": 0}},
        "context": {"diagnostics": []}})
    assert answer["result"] == []


def test_other_bad_parameters_get_the_invalid_params_error(session: Session, tmp_path: Path) -> None:
    answer = session.request("textDocument/hover", {"position": {"line": 0, "character": 0}})  # no textDocument
    assert answer["error"]["code"] == -32602


def test_the_server_still_answers_after_bad_requests(session: Session, tmp_path: Path) -> None:
    uri = (tmp_path / "App.entitlements").as_uri()
    session.open(uri, INVENTED)
    session.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}})
    answer = session.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 10}})
    assert answer["result"]["contents"]["value"].startswith("**aps-environment**")


# -- the document size limit ------------------------------------------------------------

def big_document(size: int) -> str:
    filler = "x" * (size - len(INVENTED) - len("<!--  -->"))
    return INVENTED.replace("<dict>", f"<dict><!-- {filler} -->", 1)


def test_a_document_past_the_limit_gets_one_diagnostic_and_no_lint(session: Session, lints: list[bytes],
                                                                   tmp_path: Path) -> None:
    uri = (tmp_path / "App.entitlements").as_uri()
    text = big_document(LSP_MAX_DOCUMENT_BYTES + 1)
    assert len(text.encode()) == LSP_MAX_DOCUMENT_BYTES + 1
    session.open(uri, text)
    assert lints == []  # the engine never sees it
    (published,) = session.wire.diagnostics()
    (diagnostic,) = published["diagnostics"]
    assert diagnostic["code"] == "ENT100"
    assert diagnostic["message"] == ("the document is larger than 4 MiB, the limit in the editor; "
                                     "not checked (run `entlint check` on the file)")
    assert diagnostic["range"] == {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    hover = session.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 10}})
    assert hover["result"] is None
    actions = session.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": []}})
    assert actions["result"] == []


def test_the_limit_counts_utf8_bytes(session: Session, lints: list[bytes], tmp_path: Path) -> None:
    uri = (tmp_path / "App.entitlements").as_uri()
    text = big_document(LSP_MAX_DOCUMENT_BYTES - 1)
    session.open(uri, text.replace("x", "é", 2))  # two characters of two bytes each: one byte past the limit
    assert lints == []
    session.change(uri, text, 2)  # at the limit: linted
    session.timer.fire()
    assert len(lints) == 1
    assert [d["code"] for d in session.wire.diagnostics()[-1]["diagnostics"]] == ["ENT104", "ENT001"]  # the filler is a comment


# -- the real server ---------------------------------------------------------------------

pytest_asyncio_mark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio_mark
async def test_after_a_burst_the_published_diagnostics_are_the_newest_versions(client: LanguageClient) -> None:
    uri = uri_of("invented/Burst.entitlements")
    await open_document(client, uri, INVENTED)
    for version in range(2, 30):
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=INVENTED)],
        ))
    fixed = INVENTED.replace("com.apple.developer.made-up-thing", "com.apple.developer.healthkit")
    assert await change_document(client, uri, fixed, version=30) == []


@pytest_asyncio_mark
async def test_the_real_server_answers_a_line_past_the_end(client: LanguageClient) -> None:
    uri = uri_of("invented/App.entitlements")
    await open_document(client, uri, INVENTED, version=50)
    where = types.TextDocumentIdentifier(uri=uri)
    assert await client.text_document_hover_async(types.HoverParams(where, types.Position(10**6, 0))) is None
    completion = await client.text_document_completion_async(types.CompletionParams(where, types.Position(10**6, 0)))
    assert isinstance(completion, types.CompletionList) and not completion.is_incomplete and not completion.items
