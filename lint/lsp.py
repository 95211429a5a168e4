"""`entlint lsp`: the language server, a thin shell over the engine.

Handlers turn LSP positions into byte offsets, ask the engine (diagnostics, fixes) or
the database (hover, completion) exactly as `entlint check` and `entlint db` do, and
turn the answer back into LSP types. Nothing here decides what a finding is.

pygls and lsprotocol are imported by this module only: `entlint check` never pays for
them. Positions are counted in the unit negotiated with the client (UTF-16 code units
unless the client offers UTF-8 or UTF-32), over the same bytes the engine saw.
"""

from __future__ import annotations

import bisect
import copy
import functools
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from entitlements_lint import __version__
from entitlements_lint.limits import LSP_MAX_DOCUMENT_BYTES
from entitlements_lint.rules.base import ENTITLEMENTS, INFO_PLIST
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

if TYPE_CHECKING:
    from entitlements_lint.config import Settings
    from entitlements_lint.engine import FileResult
    from entitlements_lint.findings import Finding
    from entitlements_lint.plist import PlistDocument

    from entitlements_db.database import Database

logger = logging.getLogger("entlint.lsp")

SOURCE = "entlint"
FIX_ALL = "source.fixAll.entlint"
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
#: Rules whose findings editors may render struck through.
DEPRECATED_RULES = frozenset({"deprecated-entitlement"})
#: What LSP counts as a line break (and expat too, so syntax-error lines agree).
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
#: The text between ``<key>``/``<string>`` and the cursor, for completion.
_OPEN_ELEMENT = re.compile(rb"<(key|string)>([^<>\r\n]*)\Z")
_REST_OF_TEXT = re.compile(rb"[^<>\r\n]*")
#: The key a ``<string>`` being typed belongs to, directly or as an array element.
_VALUE_OF = re.compile(rb"<key>([^<]*)</key>\s*(<array>\s*(?:<string>[^<]*</string>\s*)*)?\Z")
_KEY_ELEMENT = re.compile(rb"<key>([^<]*)</key>")
_WINDOW = 8192
DOC_FORMATS = "text_document.completion.completion_item.documentation_format"
#: Seconds of quiet after the last ``didChange`` before the document is linted.
DEBOUNCE_SECONDS = 0.1
#: What a request about a position outside the document gets: nothing, at once.
EMPTY_RESULTS: dict[str, Any] = {
    types.TEXT_DOCUMENT_HOVER: None,
    types.TEXT_DOCUMENT_COMPLETION: types.CompletionList(is_incomplete=False, items=[]),
    types.TEXT_DOCUMENT_CODE_ACTION: [],
}
_UINTEGER_MAX = 2**31 - 1

T = TypeVar("T")


# -- positions ---------------------------------------------------------------------------
def _decode(segment: bytes) -> str:
    try:
        return segment.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return segment.decode("utf-8", "replace")


def _units(text: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


class LineIndex:
    """Byte offsets of one UTF-8 document ↔ LSP positions (line, character).

    ``character`` is counted in ``encoding`` units: UTF-16 code units by default (so
    ``é`` is 1 and an emoji 2), bytes for UTF-8, code points for UTF-32. Lines end at
    ``\\r\\n``, ``\\r`` or ``\\n``, as the LSP specification and expat count them.
    """

    def __init__(self, data: bytes, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.data = data
        self.encoding = encoding
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(data)]

    def _line_end(self, line: int) -> int:
        """The offset where ``line``'s text ends (before its line break)."""
        if line + 1 >= len(self.starts):
            return len(self.data)
        end = self.starts[line + 1]
        if self.data[end - 2 : end] == b"\r\n":
            return end - 2
        return end - 1

    def contains(self, *positions: types.Position) -> bool:
        """Whether every position is on a line of the document (past a line's end is its end)."""
        return all(0 <= p.line < len(self.starts) and p.character >= 0 for p in positions)

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.data)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        return types.Position(line, _units(_decode(self.data[start:offset]), self.encoding))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(self.position(start), self.position(end))

    def position_of_column(self, line: int, column: int) -> types.Position:
        """The position of a 1-based line and 1-based column in characters (code points)."""
        index = max(0, min(line - 1, len(self.starts) - 1))
        text = _decode(self.data[self.starts[index] : self._line_end(index)])
        return types.Position(index, _units(text[: max(0, column - 1)], self.encoding))

    def offset(self, position: types.Position) -> int:
        """The byte offset of a position; past the end of a line means its end."""
        if position.line >= len(self.starts):
            return len(self.data)
        start = self.starts[position.line]
        line = self.data[start : self._line_end(position.line)]
        if self.encoding == types.PositionEncodingKind.Utf8:
            return start + min(position.character, len(line))
        count = 0
        used = 0
        for char in _decode(line):
            if count >= position.character:
                break
            count += _units(char, self.encoding)
            used += len(char.encode("utf-8", "surrogatepass"))
        return start + used


# -- findings → LSP types ----------------------------------------------------------------
def finding_range(finding: Finding, index: LineIndex) -> types.Range:
    """The exact range of a finding: its byte span, or its line/column when it has none.

    Syntax errors carry only the line and column where the parser stopped.
    """
    if finding.start or finding.end:
        return index.range(finding.start, finding.end)
    return types.Range(
        index.position_of_column(finding.line, finding.column),
        index.position_of_column(finding.end_line, finding.end_column),
    )


def to_diagnostic(finding: Finding, index: LineIndex) -> types.Diagnostic:
    message = finding.message if not finding.note else f"{finding.message}\n{finding.note}"
    return types.Diagnostic(
        range=finding_range(finding, index),
        message=message,
        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Information),
        code=finding.code,
        code_description=types.CodeDescription(href=finding.url),
        source=SOURCE,
        tags=[types.DiagnosticTag.Deprecated] if finding.rule in DEPRECATED_RULES else None,
    )


def text_edits(finding: Finding, index: LineIndex) -> list[types.TextEdit]:
    assert finding.fix is not None
    return [types.TextEdit(range=index.range(e.start, e.end), new_text=e.text) for e in finding.fix.edits]


def workspace_edit(uri: str, version: int | None, edits: list[types.TextEdit], versioned: bool) -> types.WorkspaceEdit:
    """A WorkspaceEdit for one document, pinned to its version when the client allows it."""
    if versioned:
        document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)])
    return types.WorkspaceEdit(changes={uri: edits})


def to_code_action(finding: Finding, index: LineIndex, uri: str, version: int | None,
                   versioned: bool = False) -> types.CodeAction | None:
    """The finding's fix as a quick fix; safe fixes are the preferred action."""
    fix = finding.fix
    if fix is None or not fix.edits:
        return None
    return types.CodeAction(
        title=fix.description if fix.safe else f"{fix.description} (unsafe fix)",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[to_diagnostic(finding, index)],
        edit=workspace_edit(uri, version, text_edits(finding, index), versioned),
        is_preferred=fix.safe,
    )


def _wanted(kind: str, only: Iterable[str] | None) -> bool:
    return only is None or any(kind == o or kind.startswith(f"{o}.") for o in only)


def _unescape(raw: bytes) -> str:
    text = _decode(raw)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


# -- the server --------------------------------------------------------------------------
class Linted:
    """The last lint of one open document: what the diagnostics and code actions refer to."""

    __slots__ = ("data", "index", "kind", "path", "refused", "result", "version")

    def __init__(self, version: int | None, path: str, kind: str, data: bytes,
                 result: FileResult, index: LineIndex, refused: bool = False) -> None:
        self.version = version
        self.path = path
        self.kind = kind
        self.data = data
        self.result = result
        self.index = index
        self.refused = refused  # past LSP_MAX_DOCUMENT_BYTES: not linted, one diagnostic says so


class Debouncer:
    """Runs an action once per key, ``delay`` seconds after the last request for that key.

    A burst of ``didChange`` notifications (an editor sends one per keystroke) then costs
    one lint, of the newest text, not one per version. ``schedule`` has the shape of
    ``loop.call_later``; tests pass their own to count lints without waiting.
    """

    def __init__(self, delay: float, schedule: Callable[[float, Callable[[], None]], Any] | None = None) -> None:
        self.delay = delay
        self.schedule = schedule or _call_later
        self.pending: dict[str, Any] = {}

    def request(self, key: str, action: Callable[[], None]) -> None:
        self.cancel(key)
        handle = self.schedule(self.delay, functools.partial(self._run, key, action))
        if handle is not None:
            self.pending[key] = handle

    def cancel(self, key: str) -> None:
        handle = self.pending.pop(key, None)
        if handle is not None:
            handle.cancel()

    def _run(self, key: str, action: Callable[[], None]) -> None:
        self.pending.pop(key, None)
        action()


def _call_later(delay: float, callback: Callable[[], None]) -> Any:
    """``callback`` after ``delay`` on the running event loop; at once when there is none."""
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        callback()
        return None
    return loop.call_later(delay, callback)


_ANSWERED = object()  # a request answered while its message was read


def _valid_positions(params: Any) -> bool:
    """Whether the ``position`` and ``range`` of raw request parameters are LSP positions."""
    if not isinstance(params, dict):
        return True
    found = [params.get("position")]
    if isinstance(params.get("range"), dict):
        found += [params["range"].get("start"), params["range"].get("end")]
    for position in found:
        if position is None:
            continue
        if not isinstance(position, dict):
            return False
        for field in ("line", "character"):
            value = position.get(field)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _UINTEGER_MAX:
                return False
    return True


class EntlintProtocol(LanguageServerProtocol):
    """pygls's protocol, except that a request whose parameters do not parse is answered.

    pygls logs such a request and drops it, so the client waits for ever. A position that
    is no LSP position (negative, or past 2**31 - 1) gets the empty result, as a position
    past the end of the document does; other bad parameters get JSON-RPC's invalid-params error.
    """

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if not ("jsonrpc" in data and "id" in data and "method" in data):
                raise
            method = data["method"]
            if method in EMPTY_RESULTS and not _valid_positions(data.get("params")):
                self._send_response(data["id"], result=self._converter.unstructure(EMPTY_RESULTS[method]))
            else:
                self._send_response(data["id"], error=exc.to_response_error())
            return _ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is _ANSWERED:
            return
        super().handle_message(message)


def guarded(default: Any) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Never let a handler's exception reach the client: log it and answer ``default``."""

    def decorate(method: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(method)
        def wrapper(self: EntlintServer, *args: Any) -> T:
            try:
                return method(self, *args)
            except Exception as exc:  # noqa: BLE001 - the server must outlive any bug
                self.log_error(f"internal error in {method.__name__}, please report: "
                               f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
                return default

        return wrapper

    return decorate


class EntlintServer(LanguageServer):
    """Lints open ``.entitlements`` and Info.plist documents through the engine."""

    def __init__(self) -> None:
        super().__init__("entlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full,
                         protocol_cls=EntlintProtocol)
        self.options: dict[str, Any] | None = None
        self.linted: dict[str, Linted] = {}
        self._reported: set[str] = set()
        self.debouncer = Debouncer(DEBOUNCE_SECONDS)

    # -- services -------------------------------------------------------------------
    @property
    def db(self) -> Database:
        from entitlements_db import load

        return load()

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def capability(self, field: str, default: Any = None) -> Any:
        from pygls.capabilities import get_capability

        try:
            return get_capability(self.client_capabilities, field, default)  # type: ignore[call-overload]
        except Exception:  # noqa: BLE001 - before initialize, or an unknown field
            return default

    def markup(self, text: str, field: str) -> types.MarkupContent:
        """Markdown, unless the client said it reads only plain text there."""
        formats = self.capability(field)
        markdown = not formats or types.MarkupKind.Markdown in formats
        return types.MarkupContent(kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText, value=text)

    def deprecated_tag(self, deprecated: bool) -> list[types.CompletionItemTag] | None:
        tags = self.capability("text_document.completion.completion_item.tag_support.value_set") or ()
        return [types.CompletionItemTag.Deprecated] if deprecated and types.CompletionItemTag.Deprecated in tags else None

    def log_error(self, message: str) -> None:
        logger.error("%s", message)
        try:
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))
        except Exception:  # no client to tell: stderr has it
            logger.debug("could not send the error to the client", exc_info=True)

    def report_once(self, message: str) -> None:
        """Tell the user about a configuration problem once, not on every keystroke."""
        if message in self._reported:
            return
        self._reported.add(message)
        logger.warning("%s", message)
        self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=f"entlint: {message}"))

    def _root(self) -> str:
        try:
            root = self.workspace.root_path
        except RuntimeError:
            root = None
        return root or os.getcwd()

    def settings_for(self, path: str) -> Settings:
        """The file's configuration, found from its path as `entlint check` finds it, with
        the client's initialization options on top (re-read each time, so edits apply)."""
        from entitlements_lint.config import ConfigError, ConfigFinder, Settings

        try:
            settings = ConfigFinder().for_path(path)
        except ConfigError as exc:
            self.report_once(f"{exc}; using the default configuration")
            settings = Settings(root=os.path.dirname(path))
        if settings.source is None:
            settings = copy.copy(settings)
            settings.root = self._root()
        if self.options:
            try:
                settings = with_options(settings, self.options, self._root())
            except ConfigError as exc:
                self.report_once(f"{exc}; initialization options ignored")
        return settings

    def open_document(self, uri: str) -> Any:
        """The open TextDocument for ``uri`` (pygls keys them by the unquoted URI), or None."""
        documents = self.workspace.text_documents
        return documents.get(uri) or documents.get(_unquote(uri))

    def open_uri_of(self, path: str) -> str | None:
        """The URI the client used for ``path``, if that file is open."""
        wanted = os.path.abspath(path)
        for document in list(self.workspace.text_documents.values()):
            if document.path and os.path.abspath(document.path) == wanted:
                return document.uri
        return None

    def document_of(self, uri: str) -> tuple[str, str, bytes | None, int | None] | None:
        """Path, kind, bytes and version of an open document the server handles.

        The bytes are None for a document past :data:`LSP_MAX_DOCUMENT_BYTES`.
        """
        from entitlements_lint.engine import file_kind

        document = self.open_document(uri)
        if document is None:
            return None
        path = document.path or to_fs_path(uri) or uri.rsplit("/", 1)[-1]
        kind = file_kind(path) or (ENTITLEMENTS if document.language_id == "entitlements" else None)
        if kind is None:
            return None
        return path, kind, _bounded_bytes(document.source), document.version

    def companion(self, path: str, kind: str) -> PlistDocument | None:
        """The target's other file: its open editor text if it is open, else the file on disk."""
        from entitlements_lint.errors import InputError
        from entitlements_lint.plist import parse

        other = _companion_path(path, kind)
        other_uri = self.open_uri_of(other) if other else None
        opened = self.open_document(other_uri) if other_uri else None
        if opened is None:
            from entitlements_lint.engine import Siblings

            return Siblings().companion(path, kind) if other else None
        data = _bounded_bytes(opened.source)
        if data is None:
            return None
        try:
            document = parse(data)
        except InputError:
            return None
        return document if document.root.kind == "dict" else None

    def lint(self, uri: str) -> Linted | None:
        from entitlements_lint.engine import lint_bytes

        found = self.document_of(uri)
        if found is None:
            return None
        path, kind, data, version = found
        cached = self.linted.get(uri)
        if data is None:
            if cached is not None and cached.refused and cached.version == version and version is not None:
                return cached
            return self._refuse(uri, path, kind, version)
        if cached is not None and cached.version == version and cached.data == data and version is not None:
            return cached
        try:
            result = lint_bytes(data, path, self.settings_for(path), self.db, kind, self.companion(path, kind))
        except Exception as exc:  # noqa: BLE001 - as `entlint check` does: report, log, go on
            from entitlements_lint.engine import input_error

            message = f"internal error, please report: {type(exc).__name__}: {exc}"
            self.log_error(f"{message} (linting {path})\n{traceback.format_exc()}")
            result = input_error(path, message, kind)
        linted = Linted(version, path, kind, data, result, LineIndex(data, self.encoding))
        self.linted[uri] = linted
        return linted

    def _refuse(self, uri: str, path: str, kind: str, version: int | None) -> Linted:
        """A document too large to hold and lint on every change: one diagnostic says so."""
        from entitlements_lint.engine import input_error

        limit = LSP_MAX_DOCUMENT_BYTES // (1024 * 1024)
        message = (f"the document is larger than {limit} MiB, the limit in the editor; "
                   "not checked (run `entlint check` on the file)")
        linted = Linted(version, path, kind, b"", input_error(path, message, kind), LineIndex(b"", self.encoding),
                        refused=True)
        self.linted[uri] = linted
        return linted

    def publish(self, uri: str, follow: bool = True) -> None:
        linted = self.lint(uri)
        if linted is None:
            return
        diagnostics = [to_diagnostic(f, linted.index) for f in linted.result.findings]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=linted.version)
        )
        if follow:  # the other file of the target is checked against this one: refresh it
            other = _companion_path(linted.path, linted.kind)
            other_uri = self.open_uri_of(other) if other else None
            if other_uri and other_uri != uri:
                self.linted.pop(other_uri, None)
                self.publish(other_uri, follow=False)

    # -- lifecycle ------------------------------------------------------------------
    @guarded(None)
    def on_initialize(self, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and options:
            from entitlements_lint.config import ConfigError, settings_from_table

            try:
                settings_from_table(options, "initializationOptions", self._root())
                self.options = options
            except ConfigError as exc:
                self.report_once(f"{exc}; initialization options ignored")
        elif options not in (None, {}):
            self.report_once("initializationOptions must be a table like [tool.entlint]; ignored")

    @guarded(None)
    def on_initialized(self, params: types.InitializedParams) -> None:
        # Load the database and the rules now, so the first document opens fast.
        from entitlements_lint import engine  # noqa: F401

        _ = self.db

    @guarded(None)
    def on_change_configuration(self, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("entlint"), dict):
            self.options = None
            self._reported.clear()
            self.on_initialize(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                      initialization_options=settings["entlint"]))
            self.linted.clear()
            for document in list(self.workspace.text_documents.values()):
                self.publish(document.uri, follow=False)

    # -- documents ------------------------------------------------------------------
    @guarded(None)
    def on_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self.debouncer.cancel(params.text_document.uri)
        self.publish(params.text_document.uri)

    @guarded(None)
    def on_change(self, params: types.DidChangeTextDocumentParams) -> None:
        """Lint once the typing pauses, the newest text only (requests lint on demand meanwhile)."""
        uri = params.text_document.uri
        self.debouncer.request(uri, functools.partial(self.publish_pending, uri))

    @guarded(None)
    def publish_pending(self, uri: str) -> None:
        self.publish(uri)

    @guarded(None)
    def on_save(self, params: types.DidSaveTextDocumentParams) -> None:
        self.debouncer.cancel(params.text_document.uri)
        self.linted.pop(params.text_document.uri, None)  # configuration may have changed
        self.publish(params.text_document.uri)

    @guarded(None)
    def on_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        self.debouncer.cancel(uri)
        linted = self.linted.pop(uri, None)
        if linted is None:
            return
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        other = _companion_path(linted.path, linted.kind)
        other_uri = self.open_uri_of(other) if other else None
        if other_uri:  # it was checked against the unsaved text just closed: check it against the file
            self.linted.pop(other_uri, None)
            self.publish(other_uri, follow=False)

    # -- hover ----------------------------------------------------------------------
    @guarded(None)
    def on_hover(self, params: types.HoverParams) -> types.Hover | None:
        from entitlements_db.cards import card

        linted = self.lint(params.text_document.uri)
        if linted is None or not linted.index.contains(params.position):
            return EMPTY_RESULTS[types.TEXT_DOCUMENT_HOVER]
        offset = linted.index.offset(params.position)
        found = key_at(linted.data, offset, linted.result.document)
        db = self.db
        if found is None:
            return self._background_mode_at(linted, offset) if linted.kind == INFO_PLIST else None
        key, start, end = found
        if linted.kind == INFO_PLIST and db.get(key) is None:
            info = db.info_plist_key(key)
            if info is None:
                return None
            text = f"**{key}**: an Info.plist key" + (" (deprecated)" if info.deprecated else "")
            if info.usage_description:
                text += "\n\nA purpose string shown when the app asks for access."
            text += f"\n\n- Docs: {info.docs}"
        else:
            # Unknown keys show the feature index's best answers for the file's platforms.
            text = card(db, key, self._platforms(linted) or None)
        return types.Hover(
            contents=self.markup(text, "text_document.hover.content_format"),
            range=linted.index.range(start, end),
        )

    def _background_mode_at(self, linted: Linted, offset: int) -> types.Hover | None:
        document = linted.result.document
        if document is None or not document.has_positions:
            return None
        modes = document.root.get("UIBackgroundModes")
        for item in modes.value if modes is not None and modes.kind == "array" else ():
            if item.kind == "string" and item.start <= offset <= item.end:
                mode = self.db.background_mode(item.value)
                if mode is None:
                    return None
                text = f"**{mode.value}**: {mode.label}\n\n- Platforms: {', '.join(mode.platforms)}"
                if mode.usage_descriptions:
                    text += f"\n- Info.plist: {' or '.join(mode.usage_descriptions)}"
                text += f"\n- Docs: {self.db.background_modes_docs}"
                return types.Hover(
                    contents=self.markup(text, "text_document.hover.content_format"),
                    range=linted.index.range(item.start, item.end),
                )
        return None

    # -- completion -----------------------------------------------------------------
    @guarded(None)
    def on_completion(self, params: types.CompletionParams) -> types.CompletionList | None:
        linted = self.lint(params.text_document.uri)
        if linted is None:
            return None
        if not linted.index.contains(params.position):
            return EMPTY_RESULTS[types.TEXT_DOCUMENT_COMPLETION]
        data, index = linted.data, linted.index
        offset = index.offset(params.position)
        opened = _OPEN_ELEMENT.search(data, max(0, offset - _WINDOW), offset)
        if opened is None:
            return None
        start = offset - len(opened.group(2))
        rest = _REST_OF_TEXT.match(data, offset)
        end = rest.end() if rest else offset
        replace = index.range(start, end)
        if opened.group(1) == b"key":
            current = _decode(data[start:end])
            items = self._key_items(linted, replace, current)
        else:
            tag_start = opened.start()
            owner = _VALUE_OF.search(data, max(0, tag_start - _WINDOW), tag_start)
            if owner is None:
                return None
            items = self._value_items(linted, _unescape(owner.group(1)), owner.group(2) is not None, replace)
        # Answers found by the feature index depend on the typed words: ask again as they change.
        incomplete = any(item.filter_text is not None and item.filter_text != item.label for item in items)
        return types.CompletionList(is_incomplete=incomplete, items=items)

    def _platforms(self, linted: Linted) -> tuple[str, ...] | None:
        from entitlements_lint.engine import infer_target

        settings = self.settings_for(linted.path)
        document = linted.result.document
        if settings.platforms or document is None:
            return settings.platforms
        companion = self.companion(linted.path, linted.kind)
        return infer_target(settings, linted.kind, document, companion, self.db).platforms

    def _key_items(self, linted: Linted, replace: types.Range, current: str) -> list[types.CompletionItem]:
        from entitlements_lint.rules.platform import available

        present = {_unescape(m.group(1)) for m in _KEY_ELEMENT.finditer(linted.data)} - {current}
        items = []
        if linted.kind == INFO_PLIST:
            for info in self.db.info_plist_keys():
                if info.key in present:
                    continue
                items.append(types.CompletionItem(
                    label=info.key,
                    kind=types.CompletionItemKind.Property,
                    detail="Info.plist key",
                    documentation=self.markup(f"Docs: {info.docs}", DOC_FORMATS),
                    tags=self.deprecated_tag(info.deprecated),
                    text_edit=types.TextEdit(range=replace, new_text=info.key),
                    filter_text=info.key,
                ))
            return items
        platforms = self._platforms(linted)
        candidates = [
            entitlement for entitlement in self.db
            # the profile or code signing writes the others: ENT009 would flag them here
            if entitlement.owner == "developer" and entitlement.key not in present
            and (not platforms or any(available(entitlement, p) for p in platforms))
        ]
        # Current keys first, the ones apps write most at the top; deprecated keys last.
        candidates.sort(key=lambda e: (bool(e.deprecated), -self.db.usage(e.key), e.key))
        ranked = self._ranked_keys(current, platforms or ())
        for order, entitlement in enumerate(candidates):
            item = types.CompletionItem(
                label=entitlement.key,
                kind=types.CompletionItemKind.Property,
                detail=entitlement.name,
                tags=self.deprecated_tag(bool(entitlement.deprecated)),
                text_edit=types.TextEdit(range=replace, new_text=entitlement.key),
                filter_text=entitlement.key,
                sort_text=f"{order:04d}",
                data={"key": entitlement.key},
            )
            if entitlement.key in ranked:
                rank, why = ranked[entitlement.key]
                # Typed words, not a key prefix: keep the item through the editor's filter, first.
                item.filter_text = current
                item.sort_text = f"0{rank:03d}"
                item.detail = f"{entitlement.name} ({why})"
                item.preselect = rank == 0
            elif ranked:
                item.sort_text = f"1{order:04d}"
            items.append(item)
        return items

    def _ranked_keys(self, current: str, platforms: Iterable[str]) -> dict[str, tuple[int, str]]:
        """Keys the feature index finds for text that starts no key (``apple pay``, ``widgetkit``).

        Text that is the start of a real key completes as before, by prefix, in the editor.
        """
        typed = current.strip()
        if len(typed) < 3 or any(key.lower().startswith(typed.lower()) for key in self.db.keys()):
            return {}
        ranked: dict[str, tuple[int, str]] = {}
        for match in self.db.feature_index().rank(typed, tuple(platforms), key_query="." in typed, limit=10):
            key = match.answer.key  # None for a feature that needs no entitlement: nothing to insert
            if key is not None and key not in ranked:
                ranked[key] = (len(ranked), match.why)
        return ranked

    def _value_items(self, linted: Linted, key: str, in_array: bool,
                     replace: types.Range) -> list[types.CompletionItem]:
        if linted.kind == INFO_PLIST:
            if key != "UIBackgroundModes" or not in_array:
                return []
            platforms = self._platforms(linted)
            return [
                types.CompletionItem(
                    label=mode.value,
                    kind=types.CompletionItemKind.EnumMember,
                    detail=mode.label,
                    text_edit=types.TextEdit(range=replace, new_text=mode.value),
                )
                for mode in self.db.background_modes()
                if not platforms or any(p in mode.platforms for p in platforms)
            ]
        entitlement = self.db.get(key)
        if entitlement is None:
            return []
        kind = entitlement.value.type
        if (kind == "string" and in_array) or (kind == "array-of-strings" and not in_array):
            return []
        return [
            types.CompletionItem(
                label=value,
                kind=types.CompletionItemKind.EnumMember,
                detail=f"a value of {key}",
                text_edit=types.TextEdit(range=replace, new_text=value),
            )
            for value in entitlement.value.allowed or ()
            if isinstance(value, str)
        ]

    @guarded(None)
    def on_resolve(self, item: types.CompletionItem) -> types.CompletionItem:
        from entitlements_db.cards import card

        key = item.data.get("key") if isinstance(item.data, dict) else None
        if key:
            item.documentation = self.markup(card(self.db, key), DOC_FORMATS)
        return item

    # -- code actions ---------------------------------------------------------------
    @guarded(None)
    def on_code_action(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        linted = self.lint(uri)
        if linted is None:
            return None
        if not linted.index.contains(params.range.start, params.range.end):
            return EMPTY_RESULTS[types.TEXT_DOCUMENT_CODE_ACTION]
        only = params.context.only
        versioned = bool(self._client_supports_document_changes())
        start = linted.index.offset(params.range.start)
        end = linted.index.offset(params.range.end)
        actions = []
        if _wanted(types.CodeActionKind.QuickFix, only):
            for finding in linted.result.findings:
                if finding.fix is None or finding.start > end or finding.end < start:
                    continue
                action = to_code_action(finding, linted.index, uri, linted.version, versioned)
                if action is not None:
                    actions.append(action)
        if _wanted(FIX_ALL, only):
            fix_all = self._fix_all(uri, linted, versioned)
            if fix_all is not None:
                actions.append(fix_all)
        return actions

    def _client_supports_document_changes(self) -> bool | None:
        workspace = self.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        return edit.document_changes if edit else False

    def _fix_all(self, uri: str, linted: Linted, versioned: bool) -> types.CodeAction | None:
        """Every safe fix, applied and re-checked as `entlint check --fix` does, as one edit."""
        from entitlements_lint import fixes
        from entitlements_lint.engine import lint_bytes

        if not any(f.fix is not None and f.fix.safe for f in linted.result.findings):
            return None
        settings = self.settings_for(linted.path)
        companion = self.companion(linted.path, linted.kind)

        def relint(candidate: bytes) -> list[Finding]:
            return lint_bytes(candidate, linted.path, settings, self.db, linted.kind, companion).findings

        new, count, _ = fixes.fix_bytes(linted.data, relint, unsafe=False)
        if count == 0 or new == linted.data:
            return None
        old_text, new_text = _decode(linted.data), _decode(new)
        prefix = 0
        limit = min(len(old_text), len(new_text))
        while prefix < limit and old_text[prefix] == new_text[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old_text[-1 - suffix] == new_text[-1 - suffix]:
            suffix += 1
        start = len(old_text[:prefix].encode("utf-8", "surrogatepass"))
        end = len(linted.data) - len(old_text[len(old_text) - suffix:].encode("utf-8", "surrogatepass"))
        edit = types.TextEdit(range=linted.index.range(start, end), new_text=new_text[prefix:len(new_text) - suffix])
        return types.CodeAction(
            title="Fix all safe entlint problems",
            kind=FIX_ALL,
            edit=workspace_edit(uri, linted.version, [edit], versioned),
        )


def key_at(data: bytes, offset: int, document: PlistDocument | None) -> tuple[str, int, int] | None:
    """The top-level ``<key>`` element under ``offset``: its text and byte span.

    A parsed document answers exactly (nested keys are not entitlements); a broken one
    is searched as text, so hover keeps working while the file is being edited.
    """
    if document is not None:
        if not document.has_positions:
            return None
        for entry in document.root.entries:
            node = entry.key_node
            if node.start <= offset <= node.end:
                return entry.key, node.start, node.end
        return None
    low = max(0, offset - _WINDOW)
    for match in _KEY_ELEMENT.finditer(data, low, offset + _WINDOW):
        if match.start() <= offset <= match.end():
            return _unescape(match.group(1)), match.start(), match.end()
    return None


def with_options(settings: Settings, table: dict[str, Any], root: str) -> Settings:
    """``settings`` with each key of an ``initializationOptions`` table replacing its value.

    The table has the keys of ``[tool.entlint]``; ``extend-select`` adds to the selection.
    """
    from entitlements_lint.config import SETTING_ATTRIBUTES, settings_from_table

    given = settings_from_table(table, "initializationOptions", root)
    merged = copy.copy(settings)
    for key, attribute in SETTING_ATTRIBUTES.items():
        if key in table:
            setattr(merged, attribute, getattr(given, attribute))
    if "extend-select" in table and "select" not in table:
        merged.select = settings.select + given.select[1:]  # `select` defaulted to ("ALL",)
    return merged


def _bounded_bytes(source: str) -> bytes | None:
    """A document's text as UTF-8, or None past the limit (a character is at least a byte,
    so an oversized text is refused before it is copied)."""
    if len(source) > LSP_MAX_DOCUMENT_BYTES:
        return None
    data = source.encode("utf-8", "surrogatepass")
    return data if len(data) <= LSP_MAX_DOCUMENT_BYTES else None


def _companion_path(path: str, kind: str) -> str | None:
    """The other file of the target, listing the folder afresh (files come and go)."""
    from entitlements_lint.engine import Siblings

    return Siblings().companion_path(path, kind)


def _unquote(uri: str) -> str:
    from urllib.parse import unquote

    return unquote(uri)


def create_server() -> EntlintServer:
    server = EntlintServer()
    features: list[tuple[str, Callable[..., Any], Any]] = [
        (types.INITIALIZE, server.on_initialize, None),
        (types.INITIALIZED, server.on_initialized, None),
        (types.WORKSPACE_DID_CHANGE_CONFIGURATION, server.on_change_configuration, None),
        (types.TEXT_DOCUMENT_DID_OPEN, server.on_open, None),
        (types.TEXT_DOCUMENT_DID_CHANGE, server.on_change, None),
        (types.TEXT_DOCUMENT_DID_SAVE, server.on_save, types.SaveOptions(include_text=False)),
        (types.TEXT_DOCUMENT_DID_CLOSE, server.on_close, None),
        (types.TEXT_DOCUMENT_HOVER, server.on_hover, None),
        (types.TEXT_DOCUMENT_COMPLETION, server.on_completion,
         types.CompletionOptions(trigger_characters=[">", "."], resolve_provider=True)),
        (types.COMPLETION_ITEM_RESOLVE, server.on_resolve, None),
        (types.TEXT_DOCUMENT_CODE_ACTION, server.on_code_action,
         types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL])),
    ]
    for method, handler, options in features:
        # A partial, not the bound method: pygls sets attributes on what it registers.
        server.feature(method, options)(functools.partial(handler))
    return server


def serve(tcp: str | None = None) -> None:
    """Run the server on stdio, or on ``HOST:PORT`` when ``tcp`` is given."""
    server = create_server()
    if tcp is None:
        server.start_io()
        return
    host, _, port = tcp.rpartition(":")
    if not port.isdigit():
        print(f"entlint: error: --tcp expects HOST:PORT, not {tcp!r}", file=sys.stderr)
        raise SystemExit(2)
    server.start_tcp(host or "127.0.0.1", int(port))
