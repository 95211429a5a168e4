"""Property lists with positions: bytes → :class:`PlistDocument`.

The stdlib's ``plistlib`` returns values only, silently keeps the last of duplicate
keys and expands no positions. We parse XML plists with expat ourselves so every key
and value knows its byte range (for messages and exact fixes), duplicates survive,
comments are seen, and document type declarations with entity definitions are
refused before anything is expanded. Binary plists go through ``plistlib`` and get
key paths instead of positions.
"""

from __future__ import annotations

import binascii
import bisect
import re
from xml.parsers import expat

from entitlements_lint.errors import InputError

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any
    import datetime

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 512

_SCALARS = frozenset({"string", "integer", "real", "date", "data", "key"})
_EMPTY = frozenset({"true", "false"})
_CONTAINERS = frozenset({"dict", "array"})
_DATE = re.compile(
    r"(?P<year>\d\d\d\d)(?:-(?P<month>\d\d)(?:-(?P<day>\d\d)"
    r"(?:T(?P<hour>\d\d)(?::(?P<minute>\d\d)(?::(?P<second>\d\d))?)?)?)?)?Z",
    re.ASCII,
)


class Node:
    """One value of the plist and where it stands in the file.

    ``start``/``end`` are byte offsets of the whole element (``<string>x</string>``);
    ``inner_start``/``inner_end`` of its text. Dicts hold :class:`Entry` objects in file
    order (duplicates included), arrays hold nodes. Binary plists have no offsets
    (all zero) and rely on :attr:`path`.
    """

    __slots__ = ("kind", "value", "start", "end", "inner_start", "inner_end", "path")

    def __init__(self, kind: str, start: int = 0, path: str = "") -> None:
        self.kind = kind
        self.value: Any = [] if kind in _CONTAINERS else None
        self.start = start
        self.end = start
        self.inner_start = start
        self.inner_end = start
        self.path = path

    def __repr__(self) -> str:
        return f"Node({self.kind}, {self.value!r} @ {self.start}:{self.end})"

    @property
    def entries(self) -> list[Entry]:
        """The entries of a dict, in file order (empty for other kinds)."""
        return self.value if self.kind == "dict" else []

    def get(self, key: str) -> Node | None:
        """The value of the last entry named ``key``, as plistlib would keep it."""
        for entry in reversed(self.entries):
            if entry.key == key:
                return entry.value
        return None

    def to_python(self) -> Any:
        """The plain Python value, exactly as ``plistlib`` returns it."""
        if self.kind == "dict":
            return {e.key: e.value.to_python() for e in self.value}
        if self.kind == "array":
            return [n.to_python() for n in self.value]
        return self.value


class Entry:
    """A ``<key>`` and its value inside a dict."""

    __slots__ = ("key", "key_node", "value")

    def __init__(self, key: str, key_node: Node, value: Node) -> None:
        self.key = key
        self.key_node = key_node
        self.value = value

    @property
    def start(self) -> int:
        return self.key_node.start

    @property
    def end(self) -> int:
        return self.value.end


class PlistDocument:
    """A parsed property list: its root, comments, and a map from offsets to lines."""

    def __init__(self, data: bytes, root: Node, fmt: str, comments: list[tuple[int, int]]):
        self.data = data
        self.root = root
        self.format = fmt
        self.comments = comments
        self._line_starts: list[int] | None = None

    @property
    def has_positions(self) -> bool:
        return self.format == "xml"

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of a byte offset."""
        if self._line_starts is None:
            starts = [0]
            find = self.data.find
            index = find(b"\n")
            while index != -1:
                starts.append(index + 1)
                index = find(b"\n", index + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset) - 1
        line_start = self._line_starts[line]
        column = len(self.data[line_start:offset].decode("utf-8", "replace"))
        return line + 1, column + 1


def parse(data: bytes) -> PlistDocument:
    """Parse XML or binary plist bytes; raise :class:`InputError` with a clear reason."""
    if len(data) > MAX_BYTES:
        raise InputError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    if not data.strip():
        raise InputError("file is empty")
    if data.startswith(b"bplist"):
        return _parse_binary(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("UTF-16 property lists are not supported: save the file as UTF-8")
    return _XMLReader(data).read()


def load_dict(data: bytes, what: str) -> dict[str, Any]:
    """A plist's value through ``plistlib`` (no positions), which must be a dictionary.

    For signing artefacts (profiles, bundle Info.plists) where positions do not matter.
    """
    import plistlib

    try:
        value = plistlib.loads(data)
    except Exception as error:  # noqa: BLE001 - plistlib raises many types
        raise InputError(f"{what}: not a valid property list ({error})") from None
    if not isinstance(value, dict):
        raise InputError(f"{what}: not a dictionary")
    return value


def _parse_binary(data: bytes) -> PlistDocument:
    import plistlib  # only binary files pay for its import

    try:
        value = plistlib.loads(data, fmt=plistlib.FMT_BINARY)
    except RecursionError:
        raise InputError("binary property list is nested too deeply") from None
    except Exception as exc:  # plistlib raises many types on corrupt input
        raise InputError(f"not a valid binary property list ({exc.__class__.__name__}: {exc})") from None
    try:
        root = _node_from_value(value, "")
    except RecursionError:
        raise InputError("binary property list is nested too deeply") from None
    return PlistDocument(data, root, "binary", [])


def _node_from_value(value: Any, path: str) -> Node:
    import datetime
    if isinstance(value, dict):
        node = Node("dict", path=path)
        for key, item in value.items():
            child_path = f"{path}/{key}"
            node.value.append(Entry(key, Node("key", path=child_path), _node_from_value(item, child_path)))
        return node
    if isinstance(value, list):
        node = Node("array", path=path)
        node.value = [_node_from_value(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return node
    kind = {bool: "true", int: "integer", float: "real", str: "string", bytes: "data"}.get(type(value))
    if value is False:
        kind = "false"
    if isinstance(value, datetime.datetime):
        kind = "date"
    if kind is None:  # UID and other rarities of NSKeyedArchiver files
        kind = "string"
        value = str(value)
    node = Node(kind, path=path)
    node.value = value
    return node


class _XMLReader:
    """Builds the node tree from expat events with an explicit stack (no recursion)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.stack: list[Node] = []
        self.pending_keys: list[Node | None] = []
        self.text: list[str] = []
        self.root: Node | None = None
        self.comments: list[tuple[int, int]] = []
        self.seen_plist = False
        self.error_at: int | None = None  # byte offset an InputError raised by a handler points at
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.ordered_attributes = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        parser.CommentHandler = self.comment
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.entity
        parser.ExternalEntityRefHandler = self.external
        parser.SkippedEntityHandler = self.skipped
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser = parser

    def read(self) -> PlistDocument:
        try:
            self.parser.Parse(self.data, True)
        except expat.ExpatError as exc:
            message = expat.ErrorString(exc.code)
            raise InputError(f"XML is not well formed: {message}", exc.lineno, exc.offset + 1) from None
        except InputError as exc:
            if exc.line is None:
                if self.error_at is not None:  # expat's position has moved past the event by now
                    exc.line, exc.column = _locate(self.data, self.error_at)
                else:
                    exc.line = self.parser.CurrentLineNumber
                    exc.column = self.parser.CurrentColumnNumber + 1
            raise
        if self.root is None:
            raise InputError("no property list value found")
        return PlistDocument(self.data, self.root, "xml", self.comments)

    # -- refusals -----------------------------------------------------------
    def doctype(self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: int) -> None:
        self.error_at = self.parser.CurrentByteIndex
        if has_internal_subset:
            raise InputError("document type declaration with an internal subset is not allowed")

    def entity(self, *args: Any) -> None:
        self.error_at = self.parser.CurrentByteIndex
        raise InputError("entity declarations are not allowed in a property list")

    def external(self, *args: Any) -> int:
        raise InputError("external entities are not allowed in a property list")

    def skipped(self, name: str, is_parameter_entity: int) -> None:
        self.error_at = self.parser.CurrentByteIndex
        # An entity the document type refers to but we never load (an external DTD):
        # refuse it rather than silently reading the value as an empty string.
        raise InputError(f"entity reference &{name}; cannot be resolved: entities are not allowed in a property list")

    # -- structure ----------------------------------------------------------
    def comment(self, text: str) -> None:
        start = self.parser.CurrentByteIndex
        end = self.data.find(b"-->", start)
        self.comments.append((start, end + 3 if end != -1 else start))

    def chars(self, text: str) -> None:
        self.text.append(text)

    def start(self, tag: str, attrs: list[str]) -> None:
        offset = self.error_at = self.parser.CurrentByteIndex
        if tag == "plist":
            if self.seen_plist or self.stack:
                raise InputError("unexpected <plist> element")
            self.seen_plist = True
            return
        if self.root is not None and not self.stack:
            raise InputError(f"more than one root value (<{tag}> after the root)")
        if tag not in _SCALARS and tag not in _EMPTY and tag not in _CONTAINERS:
            raise InputError(f"unknown element <{tag}>")
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.kind not in _CONTAINERS:
            raise InputError(f"<{tag}> inside <{parent.kind}>: only <dict> and <array> contain elements")
        if parent is not None and parent.kind == "dict":
            expecting_key = self.pending_keys[-1] is None
            if expecting_key and tag != "key":
                raise InputError(f"<{tag}> in a dict where a <key> was expected")
            if not expecting_key and tag == "key":
                raise InputError("two <key> elements in a row: the first has no value")
        elif tag == "key":
            raise InputError("<key> outside a dict")
        if len(self.stack) >= MAX_DEPTH:
            raise InputError(f"property list is nested deeper than {MAX_DEPTH} levels")
        node = Node(tag, offset)
        node.inner_start = self.data.index(b">", offset) + 1
        self.stack.append(node)
        if tag == "dict":
            self.pending_keys.append(None)
        self.text.clear()

    def end(self, tag: str) -> None:
        if tag == "plist":
            return
        node = self.stack.pop()
        self.error_at = node.start
        offset = self.parser.CurrentByteIndex
        if self.data.startswith(b"</", offset):
            node.inner_end = offset
            node.end = self.data.index(b">", offset) + 1
        else:  # a self-closing element (<true/>): expat reports the offset after it
            node.end = node.inner_start = node.inner_end = offset
        if tag == "dict":
            dangling = self.pending_keys.pop()
            if dangling is not None:
                self.error_at = dangling.start
                raise InputError("the last <key> of a dict has no value")
        elif tag in _SCALARS:
            node.value = self._scalar(tag, "".join(self.text))
        elif tag in _EMPTY:
            node.value = tag == "true"
        self.text.clear()
        self._attach(node)

    def _attach(self, node: Node) -> None:
        if not self.stack:
            if node.kind == "key":
                raise InputError("<key> outside a dict")
            self.root = node
            return
        parent = self.stack[-1]
        if parent.kind == "array":
            parent.value.append(node)
        elif node.kind == "key":
            self.pending_keys[-1] = node
        else:
            key_node = self.pending_keys[-1]
            assert key_node is not None
            parent.value.append(Entry(key_node.value, key_node, node))
            self.pending_keys[-1] = None

    def _scalar(self, tag: str, text: str) -> Any:
        if tag in ("string", "key"):
            return text
        try:
            if tag == "integer":
                raw = text.strip()
                return int(raw, 16) if raw.startswith(("0x", "0X")) else int(raw)
            if tag == "real":
                return float(text)
            if tag == "data":
                return binascii.a2b_base64(text.encode("ascii"))
            return _date(text)
        except (ValueError, binascii.Error, UnicodeEncodeError):
            raise InputError(f"invalid <{tag}> value {text.strip()[:40]!r}") from None


def _locate(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset, for error messages."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace"))
    return data.count(b"\n", 0, offset) + 1, column + 1


def _date(text: str) -> datetime.datetime:
    import datetime

    match = _DATE.match(text)
    if match is None:
        raise ValueError(text)
    parts = match.groupdict()
    year, month, day, hour, minute, second = (
        int(parts[k] or d) for k, d in (("year", 0), ("month", 1), ("day", 1), ("hour", 0), ("minute", 0), ("second", 0))
    )
    return datetime.datetime(year, month, day, hour, minute, second)  # naive UTC, as plistlib returns it
