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

from entitlements_lint import limits
from entitlements_lint.errors import InputError

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any
    import datetime

MAX_BYTES = limits.MAX_DOCUMENT_BYTES
MAX_DEPTH = limits.MAX_DEPTH
MAX_NODES = limits.MAX_NODES

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
        """The plain Python value, exactly as ``plistlib`` returns it (iteratively: a
        document may nest :data:`MAX_DEPTH` levels, past Python's recursion limit)."""
        root = _empty(self)
        if root is None:
            return self.value
        stack: list[tuple[Node, Any]] = [(self, root)]
        while stack:
            node, out = stack.pop()
            pairs = ((e.key, e.value) for e in node.value) if node.kind == "dict" else enumerate(node.value)
            for key, child in pairs:
                value = _empty(child)
                if value is None:
                    value = child.value
                else:
                    stack.append((child, value))
                if node.kind == "dict":
                    out[key] = value
                else:
                    out.append(value)
        return root


def _empty(node: Node) -> dict[str, Any] | list[Any] | None:
    return {} if node.kind == "dict" else [] if node.kind == "array" else None


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
    """A parsed property list: its root, comments, and a map from offsets to lines.

    ``nodes`` is how many values were built (keys included): the work the reader did.
    """

    def __init__(self, data: bytes, root: Node, fmt: str, comments: list[tuple[int, int]],
                 nodes: int = 0) -> None:
        self.data = data
        self.root = root
        self.format = fmt
        self.comments = comments
        self.nodes = nodes
        self._lines: _Lines | None = None

    @property
    def has_positions(self) -> bool:
        return self.format == "xml"

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of a byte offset, in O(log n)."""
        if self._lines is None:
            self._lines = _Lines(self.data)
        return self._lines.position(offset)


_NOT_CONTINUATION = bytes(range(0x80)) + bytes(range(0xC0, 0x100))
_LINE_BREAK = re.compile(rb"\r\n?|\n")


class _Lines:
    """Line starts and decoded column offsets of a document, computed once.

    Lines end at LF, CR LF or a lone CR, as XML reads them. A column counts characters,
    so it needs the UTF-8 text from the line start; decoding from there for every finding
    is quadratic on a long line, so the character count at every :data:`BLOCK` bytes is
    remembered and a column costs a binary search plus at most one block.
    """

    BLOCK = 4096

    def __init__(self, data: bytes) -> None:
        self.data = data
        if b"\r" in data:
            self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(data))]
        else:
            starts = [0]
            find = data.find
            index = find(b"\n")
            while index != -1:
                starts.append(index + 1)
                index = find(b"\n", index + 1)
            self.starts = starts
        self.ascii = data.isascii()
        self._blocks: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        line_start = self.starts[line]
        if self.ascii:
            return line + 1, offset - line_start + 1
        if offset - line_start <= self.BLOCK:
            return line + 1, _characters(self.data[line_start:offset]) + 1
        return line + 1, self._before(offset) - self._before(line_start) + 1

    def _before(self, offset: int) -> int:
        """Characters in ``data[:offset]``."""
        blocks = self._blocks
        if blocks is None:
            data, size = self.data, self.BLOCK
            blocks = [0]
            for start in range(0, len(data), size):
                blocks.append(blocks[-1] + _characters(data[start:start + size]))
            self._blocks = blocks
        block = offset // self.BLOCK
        return blocks[block] + _characters(self.data[block * self.BLOCK:offset])


def _characters(chunk: bytes) -> int:
    """Characters in UTF-8 bytes: every byte that does not continue a sequence starts one."""
    return len(chunk) - len(chunk.translate(None, _NOT_CONTINUATION))


def parse(data: bytes) -> PlistDocument:
    """Parse XML or binary plist bytes; raise :class:`InputError` with a clear reason."""
    if len(data) > MAX_BYTES:
        raise InputError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    if not data.strip():
        raise InputError("file is empty")
    if data.startswith(b"bplist"):
        return _parse_binary(data)
    wide = _wide_encoding(data)
    if wide:
        raise InputError(f"{wide} property lists are not supported: save the file as UTF-8")
    return _XMLReader(data).read()


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32, with or without a byte order mark, judged by the first bytes.

    Expat would read them, but every offset, column and fix assumes UTF-8 bytes. An XML
    document starts with ``<`` (after an optional BOM), so a NUL among the first four
    bytes can only mean a wide encoding (XML 1.0, appendix F).
    """
    head = data[:4]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) or head in (b"<\x00\x00\x00", b"\x00\x00\x00<"):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        return "UTF-16"
    return None


def load_dict(data: bytes, what: str) -> dict[str, Any]:
    """A plist's value through ``plistlib`` (no positions), which must be a dictionary.

    For signing artefacts (profiles, bundle Info.plists) where positions do not matter.
    """
    import plistlib

    try:
        value = plistlib.loads(data)
    except Exception as error:  # noqa: BLE001 - plistlib raises many types
        raise InputError(f"{what}: not a valid property list ({reason(error)})") from None
    if not isinstance(value, dict):
        raise InputError(f"{what}: not a dictionary")
    check_size(value, what)
    return value


def reason(error: BaseException) -> str:
    """Why ``plistlib`` refused a file, without echoing the file's content.

    Its parser errors name a position; other exceptions (``int()``, codecs) quote the
    text they choked on, which may be anything the path pointed at, so only their type
    is shown.
    """
    import plistlib

    name = error.__class__.__name__
    if isinstance(error, (expat.ExpatError, plistlib.InvalidFileException)):
        return f"{name}: {error}"
    return name


def check_size(value: Any, what: str, budget: int | None = None) -> int:
    """How many values ``value`` holds, counting each reference of a shared object.

    ``plistlib`` shares the objects a binary plist references many times, so a small file
    can stand for 2^40 values; whoever walks it (comparing, printing) would expand them
    all. Counting stops at ``budget`` (:data:`MAX_NODES`), so the check is linear.
    """
    budget = MAX_NODES if budget is None else budget
    count = 1
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
            more = 2 * len(children)  # keys count, as in the reader
        elif isinstance(item, list):
            children = item
            more = len(children)
        else:
            continue
        try:
            count = _reserve(count, more, budget, depth)
        except InputError as error:
            raise InputError(f"{what}: {error.message}") from None
        stack.extend((child, depth + 1) for child in children)
    return count


def _parse_binary(data: bytes) -> PlistDocument:
    import plistlib  # only binary files pay for its import

    try:
        value = plistlib.loads(data, fmt=plistlib.FMT_BINARY)
    except RecursionError:
        raise InputError("binary property list is nested too deeply") from None
    except Exception as exc:  # plistlib raises many types on corrupt input
        raise InputError(f"not a valid binary property list ({reason(exc)})") from None
    root, count = _node_from_value(value, "")
    return PlistDocument(data, root, "binary", [], count)


def _node_from_value(value: Any, path: str, budget: int | None = None) -> tuple[Node, int]:
    """The node tree of a value ``plistlib`` returned, and how many nodes it took.

    A binary plist may reference one object from many places; ``plistlib`` shares it,
    but the tree gives each reference its own node (with its own path). Every node is
    counted as it is built, so a shared-reference graph that stands for more than
    ``budget`` values is refused after that many steps (linear time), not expanded.
    Iterative, so nesting is limited by :data:`MAX_DEPTH`, not by Python's stack.
    """
    import datetime

    budget = MAX_NODES if budget is None else budget
    holder = Entry("", Node("key"), Node("string"))  # its value becomes the root
    count = 1  # nodes built or promised to the stack: never more than the budget
    # (value, path, depth, where the node goes: an Entry (index -1), or a list and an index)
    stack: list[tuple[Any, str, int, Any, int]] = [(value, path, 0, holder, -1)]
    while stack:
        value, path, depth, into, index = stack.pop()
        if isinstance(value, dict):
            node = Node("dict", path=path)
            count = _reserve(count, 2 * len(value), budget, depth)  # a key node and a value node each
            for key, item in value.items():
                if not isinstance(key, str):  # a corrupt key reference: plistlib returns any object
                    raise InputError("not a valid binary property list (a dictionary key is not a string)")
                child_path = _child_path(path, "/" + key)
                entry = Entry(key, Node("key", path=child_path), node)  # value set when popped
                node.value.append(entry)
                stack.append((item, child_path, depth + 1, entry, -1))
        elif isinstance(value, list):
            node = Node("array", path=path)
            count = _reserve(count, len(value), budget, depth)
            node.value = [node] * len(value)  # each slot set when popped
            for i in range(len(value) - 1, -1, -1):
                stack.append((value[i], _child_path(path, f"[{i}]"), depth + 1, node.value, i))
        else:
            kind = _BINARY_KINDS.get(type(value))
            if value is False:
                kind = "false"
            if isinstance(value, datetime.datetime):
                kind = "date"
            if kind is None:  # UID and other rarities of NSKeyedArchiver files
                kind = "string"
                value = str(value)
            node = Node(kind, path=path)
            node.value = value
        if index < 0:
            into.value = node
        else:
            into[index] = node
    return holder.value, count


MAX_PATH = limits.MAX_KEY_PATH


def _child_path(path: str, part: str) -> str:
    if len(path) > MAX_PATH:
        return path  # already cut, and shared: no copy per node
    child = path + part
    return child if len(child) <= MAX_PATH else child[:MAX_PATH] + "…"


def _reserve(count: int, more: int, budget: int, depth: int) -> int:
    if depth >= MAX_DEPTH:
        raise InputError(f"property list is nested deeper than {MAX_DEPTH} levels")
    if count + more > budget:
        raise InputError(f"property list has more than {budget:,} values (counting shared references)")
    return count + more


_BINARY_KINDS = {bool: "true", int: "integer", float: "real", str: "string", bytes: "data"}


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
        self.nodes = 0
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
        except LookupError:  # pyexpat asks Python's codecs for an encoding it lacks, e.g. "UTF-9"
            raise InputError("the XML declaration names an unknown encoding: save the file as UTF-8", 1, 1) from None
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
        return PlistDocument(self.data, self.root, "xml", self.comments, self.nodes)

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
        if (not self.stack or self.stack[-1].kind in _CONTAINERS) and text.strip(" \t\r\n"):
            # CoreFoundation (plutil, codesign) takes only whitespace between elements. Buffered
            # text is reported at the markup that ends it; the run starts after the previous `>`.
            start = self.data.rfind(b">", 0, self.parser.CurrentByteIndex) + 1
            stray = len(self.data[start:]) - len(self.data[start:].lstrip(b" \t\r\n"))
            self.error_at = start + stray
            where = f"<{self.stack[-1].kind}>" if self.stack else "<plist>"
            shown = text.strip(" \t\r\n")[:20]
            raise InputError(f"text `{shown}` inside {where}: only whitespace may stand between elements")
        self.text.append(text)

    def start(self, tag: str, attrs: list[str]) -> None:
        offset = self.error_at = self.parser.CurrentByteIndex
        if tag == "plist":
            if self.seen_plist or self.stack:
                raise InputError("unexpected <plist> element")
            self.seen_plist = True
            return
        if self.root is not None and not self.stack:
            raise InputError(f"more than one root value (<{_shown(tag)}> after the root)")
        if tag not in _SCALARS and tag not in _EMPTY and tag not in _CONTAINERS:
            raise InputError(f"unknown element <{_shown(tag)}>")
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
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise InputError(f"property list has more than {MAX_NODES:,} values")
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
        """The value of a scalar element; an invalid one names its key, never its text."""
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
            key = self.pending_keys[-1] if self.stack and self.stack[-1].kind == "dict" else None
            where = f" for `{_shown(key.value)}`" if key is not None else ""
            raise InputError(f"invalid <{tag}> value{where}") from None


def _shown(tag: str) -> str:
    """An element name or a key as messages show it: cut short (it is file content)."""
    return tag if len(tag) <= 40 else tag[:40] + "…"


def _locate(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset, for error messages."""
    return _Lines(data).position(offset)


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
