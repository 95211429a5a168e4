"""Applying fixes: text edits on the original bytes, planned, verified, then written atomically.

Only the edited byte ranges change; everything else stays byte-identical. Each round is
planned first: a fix that touches a key another fix of the round touches waits for the
next round (where it is recomputed on the new text), and fixes that would leave one
dictionary with a key twice are withheld, with a note, because merging values is the
user's call. After each round the result is parsed again: if it no longer parses,
nothing is written. Rounds repeat until no fix applies, so a second run changes nothing.
"""

from __future__ import annotations

import bisect
import os

from entitlements_lint import limits
from entitlements_lint.errors import InputError
from entitlements_lint.findings import Edit, Finding
from entitlements_lint.plist import Node, parse

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Callable

    from entitlements_lint.plist import Entry, PlistDocument

MAX_ROUNDS = limits.MAX_FIX_ROUNDS


class FixWriteError(Exception):
    """A fixed file that could not be written; the message is shown to the user as is."""


def applicable(findings: list[Finding], unsafe: bool) -> list[Finding]:
    return [f for f in findings if f.fix is not None and (f.fix.safe or unsafe)]


class _Entries:
    """Every dictionary entry of a document in file order, to find the key an edit touches."""

    def __init__(self, root: Node) -> None:
        self.entries: list[Entry] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.parents: list[int] = []  # the enclosing entry's index, -1 at the top
        self.owners: list[int] = []  # id() of the dict holding the entry
        self.by_key_text: dict[tuple[int, int], int] = {}
        self.members: dict[int, list[int]] = {}
        # pre-order (an entry, then everything inside its value, then the next entry),
        # so that starts are sorted and an entry's descendants follow it
        stack: list[tuple[Node | Entry, int, int]] = [(root, -1, 0)]
        while stack:
            item, parent, owner = stack.pop()
            if not isinstance(item, Node):  # an Entry of the dict ``owner``
                index = len(self.entries)
                self.entries.append(item)
                self.starts.append(item.start)
                self.ends.append(item.end)
                self.parents.append(parent)
                self.owners.append(owner)
                self.members.setdefault(owner, []).append(index)
                self.by_key_text[(item.key_node.inner_start, item.key_node.inner_end)] = index
                stack.append((item.value, index, 0))
            elif item.kind == "dict":
                stack.extend((entry, parent, id(item)) for entry in reversed(item.value))
            elif item.kind == "array":
                stack.extend((child, parent, 0) for child in reversed(item.value))

    def touched(self, edit: Edit) -> list[int]:
        """The entries an edit changes: those it removes whole, else the innermost around it."""
        if not edit.text:
            first = bisect.bisect_left(self.starts, edit.start)
            removed = [i for i in range(first, bisect.bisect_left(self.starts, edit.end))
                       if self.ends[i] <= edit.end]
            inside = set(removed)
            outermost = [i for i in removed if self.parents[i] not in inside]
            if outermost:
                return outermost
        i = bisect.bisect_right(self.starts, edit.start) - 1
        while i >= 0 and self.ends[i] < edit.end:
            i = self.parents[i]
        return [i] if i >= 0 else []

    def removed(self, edit: Edit) -> list[int]:
        if edit.text:
            return []
        return [i for i in self.touched(edit) if self.starts[i] >= edit.start and self.ends[i] <= edit.end]

    def renamed(self, edit: Edit) -> int | None:
        """The entry whose key text the edit replaces, if it is a rename."""
        index = self.by_key_text.get((edit.start, edit.end))
        return index if index is not None and edit.text else None


def _unescape(text: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def _first_start(finding: Finding) -> int:
    return finding.fix.edits[0].start if finding.fix and finding.fix.edits else 0


def plan(document: PlistDocument, findings: list[Finding]) -> tuple[list[Finding], dict[int, str]]:
    """This round's fixes, and the fixes withheld (by ``id`` of the finding) with their note.

    Skipped for this round (and recomputed in the next): a fix whose edits overlap those
    of a fix already taken, and a fix that renames or removes a key another fix changes
    (its key or its value); fixes of several values of one key go together. Withheld:
    fixes that would give one dictionary one key from two different keys (merging their
    values is the user's call).
    Keys already duplicated and renamed together create no new duplicate.
    """
    entries = _Entries(document.root)
    withheld: dict[int, str] = {}
    while True:
        chosen = _select(entries, [f for f in findings if id(f) not in withheld])
        clashes = _clashes(entries, chosen)
        if not clashes:
            return chosen, withheld
        for name, (olds, renamers) in clashes.items():
            shown = [f"`{old}`" for old in olds]
            both = "both" if len(shown) == 2 else "all"
            note = (f"Fix withheld: {', '.join(shown[:-1])} and {shown[-1]} would {both} become `{name}`, "
                    "a duplicate key; merge their values by hand.")
            for finding in renamers:
                withheld[id(finding)] = note


def _select(entries: _Entries, findings: list[Finding]) -> list[Finding]:
    """Fixes that share no byte and no key, in file order."""
    chosen: list[Finding] = []
    taken_spans: list[tuple[int, int]] = []  # sorted and disjoint: a new edit meets at most two
    renamed: set[int] = set()  # entries whose key a taken fix renames or removes
    valued: set[int] = set()  # entries a taken fix edits inside their value
    for finding in sorted(findings, key=_first_start):
        assert finding.fix is not None
        edits = finding.fix.edits
        if any(_overlaps(taken_spans, e) for e in edits):
            continue
        keys: set[int] = set()
        values: set[int] = set()
        for edit in edits:
            index = entries.renamed(edit)
            if index is not None:
                keys.add(index)
            elif not edit.text and entries.removed(edit):
                keys.update(entries.removed(edit))
            else:
                values.update(entries.touched(edit))
        # a value fix was computed for the key as it is: never with a change of that key
        if not (keys.isdisjoint(renamed) and keys.isdisjoint(valued) and values.isdisjoint(renamed)):
            continue
        chosen.append(finding)
        for e in edits:
            bisect.insort(taken_spans, (e.start, e.end))
        renamed |= keys
        valued |= values
    return chosen


def _overlaps(spans: list[tuple[int, int]], edit: Edit) -> bool:
    """Whether ``edit`` shares a byte with a taken span, or inserts where one starts."""
    after = bisect.bisect_right(spans, (edit.start, edit.end))
    for start, end in spans[max(0, after - 2) : after + 1]:
        if edit.start < end and start < edit.end or edit.start == edit.end == start:
            return True
    return False


def _clashes(entries: _Entries, chosen: list[Finding]) -> dict[str, tuple[list[str], list[Finding]]]:
    """Key names that chosen renames would give to entries of different names in one dict:
    for each, the names they had and the fixes that rename onto it."""
    names: dict[int, str] = {}  # entry index -> its key after the round
    renamers: dict[int, Finding] = {}
    gone: set[int] = set()
    for finding in chosen:
        assert finding.fix is not None
        for edit in finding.fix.edits:
            index = entries.renamed(edit)
            if index is not None:
                names[index] = _unescape(edit.text)
                renamers[index] = finding
            gone.update(entries.removed(edit))
    clashes: dict[str, tuple[list[str], list[Finding]]] = {}
    for owner in {entries.owners[i] for i in renamers}:
        after: dict[str, list[int]] = {}
        for i in entries.members[owner]:
            if i not in gone:
                after.setdefault(names.get(i, entries.entries[i].key), []).append(i)
        for name, found in after.items():
            olds = list(dict.fromkeys(entries.entries[i].key for i in found))
            fixers = [renamers[i] for i in found if i in renamers]
            if len(olds) > 1 and fixers:
                clash = clashes.setdefault(name, ([], []))
                clash[0].extend(o for o in olds if o not in clash[0])
                clash[1].extend(fixers)
    return clashes


def apply_edits(data: bytes, findings: list[Finding]) -> tuple[bytes, int]:
    """Apply each finding's edits (planned not to overlap)."""
    chosen = [e for f in findings if f.fix is not None for e in f.fix.edits]
    out = bytearray(data)
    for edit in sorted(chosen, key=lambda e: e.start, reverse=True):
        out[edit.start : edit.end] = edit.text.encode("utf-8")
    return bytes(out), len(findings)


def _note_withheld(findings: list[Finding], withheld: dict[int, str]) -> None:
    """Say why a fix was not applied, and stop offering it (--fix already tried)."""
    for finding in findings:
        note = withheld.get(id(finding))
        if note is not None:
            finding.note = f"{finding.note} {note}" if finding.note else note
            finding.fix = None


def fix_bytes(
    data: bytes, lint: Callable[[bytes], list[Finding]], unsafe: bool
) -> tuple[bytes, int, list[Finding]]:
    """Fix until stable. Returns the new bytes, how many fixes applied, and what remains."""
    total = 0
    findings = lint(data)
    document: PlistDocument | None = None
    for _ in range(MAX_ROUNDS):
        todo = applicable(findings, unsafe)
        if not todo:
            break
        if document is None:
            try:
                document = parse(data)
            except InputError:
                break
        chosen, withheld = plan(document, todo)
        if not chosen:
            _note_withheld(findings, withheld)
            break
        candidate, count = apply_edits(data, chosen)
        try:
            document = parse(candidate)
        except InputError:
            break  # never produce a file that does not parse
        data, total = candidate, total + count
        findings = lint(data)
    return data, total, findings


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """A diff that `git apply` and `patch -p1` accept as it is.

    Lines are split at ``\n`` only (a form feed or U+2028 inside a string is no line end),
    a last line without a newline is marked as diff marks it, and a path inside the current
    folder is written relative to it, since both tools refuse absolute and ``..`` paths.
    """
    import difflib

    name = diff_path(path)
    old = _diff_lines(before)
    new = _diff_lines(after)
    out = []
    for line in difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _diff_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", "surrogateescape")
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]  # what follows the last newline: a line without one, or nothing
    return lines if lines[-1] else lines[:-1]


def diff_path(path: str) -> str:
    """The path as the diff names it: relative to the current folder when it lies inside it."""
    from entitlements_lint.workspace_paths import workspace_path

    return path if path == "-" else workspace_path(path) or path


def write_atomic(path: str, data: bytes, display: str | None = None) -> None:
    """Replace the file's content all at once, or not at all.

    The new bytes go to a temporary file in the same folder, flushed to disk (so a full
    disk fails before the original is touched), which then takes the place of the real
    file: through a symbolic link the link's target is replaced and the link kept. The
    mode, owner and group are kept. Refused, with the file untouched: a file the user
    may not write (the folder's permission would otherwise let the rename replace it), a
    file with several hard links (a rename would split them), and anything but a
    regular file. Every failure raises :class:`FixWriteError` with a plain message.
    """
    import stat
    import tempfile

    shown = display or path
    target = os.path.realpath(path)
    temp = None
    try:
        info = os.stat(target)
        if not stat.S_ISREG(info.st_mode):
            raise FixWriteError(f"cannot write {shown}: not a regular file")
        if info.st_nlink > 1:
            raise FixWriteError(f"{shown} has {info.st_nlink} hard links; fix it by hand or pass the real path")
        effective = os.access in os.supports_effective_ids
        if not os.access(target, os.W_OK, effective_ids=effective):
            raise FixWriteError(f"cannot write {shown} (permission denied)")
        directory = os.path.dirname(target)
        fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.entlint-", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            made = os.fstat(fh.fileno())
            if (made.st_uid, made.st_gid) != (info.st_uid, info.st_gid):
                try:
                    os.fchown(fh.fileno(), info.st_uid if made.st_uid != info.st_uid else -1, info.st_gid)
                except PermissionError:
                    raise FixWriteError(
                        f"cannot write {shown} without changing its owner or group; fix it by hand"
                    ) from None
            os.fchmod(fh.fileno(), stat.S_IMODE(info.st_mode))
            os.fsync(fh.fileno())
        os.replace(temp, target)
        temp = None
        _sync_directory(directory)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise FixWriteError(f"cannot write {shown} ({reason})") from None
    finally:
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass


def _sync_directory(directory: str) -> None:
    """Make the rename durable; some systems cannot open a folder, which is no error."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
