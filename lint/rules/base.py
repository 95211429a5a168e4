"""What a rule is, and the context it checks: one parsed file plus what we know of its target."""

from __future__ import annotations

from entitlements_lint.findings import Edit, Finding, Fix

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from entitlements_db.database import Database
    from entitlements_db.suggest import Suggestion
    from entitlements_lint.plist import Entry, Node, PlistDocument
    from entitlements_lint.artefacts.profiles import Profile

ENTITLEMENTS = "entitlements"
INFO_PLIST = "info-plist"


class Target:
    """What we know of the build target a file belongs to, and where that came from.

    ``platforms`` is None when nothing says; ``platform_origin`` explains an inferred
    value so findings can say what was assumed instead of guessing silently.
    ``generated_info`` holds the Info.plist keys Xcode generates from the target's
    ``INFOPLIST_KEY_*`` build settings (``GENERATE_INFOPLIST_FILE = YES``): part of the
    target's Info.plist though no file holds them. None when the build generates none.
    """

    __slots__ = ("platforms", "platform_origin", "distribution", "granted", "generated_info")

    def __init__(
        self,
        platforms: tuple[str, ...] | None = None,
        platform_origin: str | None = None,
        distribution: str | None = None,
        granted: frozenset[str] = frozenset(),
        generated_info: dict[str, str] | None = None,
    ) -> None:
        self.platforms = platforms
        self.platform_origin = platform_origin
        self.distribution = distribution
        self.granted = granted
        self.generated_info = generated_info

    @property
    def certain(self) -> bool:
        """Platforms were configured, not inferred: fixes that depend on them may be safe."""
        return bool(self.platforms) and not self.platform_origin

    def assumption(self) -> str:
        """A suffix for messages that depend on an inferred platform."""
        if self.platform_origin:
            return f" (assuming {', '.join(self.platforms or ())}: {self.platform_origin}; set --platform to be sure)"
        return ""


class Context:
    """One document being checked; rules read it and report through :meth:`report`."""

    def __init__(
        self,
        path: str,
        kind: str,
        document: PlistDocument,
        db: Database,
        target: Target,
        companion: PlistDocument | None = None,
        profile: Profile | None = None,
        signature_der: bytes | None = None,
        bundle_identifier: str | None = None,
        signed: bool = False,
    ) -> None:
        self.path = path
        self.kind = kind
        self.document = document
        self.db = db
        self.target = target
        self.companion = companion
        # What signs this document, when known: the provisioning profile (``--profile`` or
        # a bundle's embedded one) and, for a built product, the signature's DER blob.
        # None for plain files; the rules that need them then do nothing.
        self.profile = profile
        self.signature_der = signature_der
        # The target's bundle identifier when a project or a built product says it:
        # the profile's App ID must cover it.
        self.bundle_identifier = bundle_identifier
        # True for the entitlements of a built product's code signature: code signing wrote
        # the profile's keys into it, and there is no file to fix.
        self.signed = signed
        #: Findings kept so far; the engine updates it (see :meth:`has_room`).
        self.reported = 0

    def has_room(self) -> bool:
        """False once the file's findings are past their cap (lint.limits): a finding made now
        is only counted, so a rule may skip costly work for it, such as suggestions."""
        from entitlements_lint.limits import MAX_FINDINGS_PER_FILE

        return self.reported < MAX_FINDINGS_PER_FILE

    def suggest(self, key: str) -> list[Suggestion]:
        """Suggestions for ``key`` on the target's platforms, or none once past the cap."""
        return self.db.suggest(key, self.target.platforms) if self.has_room() else []

    def entries(self) -> list[Entry]:
        return self.document.root.entries

    def finding(
        self,
        rule: Rule,
        at: Node | Entry | tuple[int, int] | None,
        message: str,
        key: str | None = None,
        suggestions: list[Suggestion] | None = None,
        fix: Fix | None = None,
        severity: str | None = None,
        note: str | None = None,
    ) -> Finding:
        start, end = _span(at)
        doc = self.document
        if doc.has_positions:
            line, column = doc.position(start)
            end_line, end_column = doc.position(end)
        else:
            line = column = end_line = end_column = 1
            path_hint = getattr(getattr(at, "key_node", at), "path", "")
            if path_hint:
                message = f"{message} (at {path_hint})"
        return Finding(
            rule.code,
            rule.name,
            severity or rule.severity,
            message,
            self.path,
            line,
            column,
            end_line,
            end_column,
            key,
            suggestions,
            fix if doc.has_positions else None,
            start,
            end,
            note,
        )

    # -- edits for fixes ------------------------------------------------------
    def rename_key(self, entry: Entry, new_key: str) -> Edit:
        node = entry.key_node
        return Edit(node.inner_start, node.inner_end, _escape(new_key))

    def replace_text(self, node: Node, text: str) -> Edit:
        return Edit(node.inner_start, node.inner_end, _escape(text))

    def remove(self, start: int, end: int) -> Edit:
        """Remove ``start:end``, and the whole line when nothing else stands on it."""
        data = self.document.data
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", end)
        line_end = len(data) if line_end == -1 else line_end
        if not data[line_start:start].strip() and not data[end:line_end].strip():
            return Edit(line_start, min(line_end + 1, len(data)), "")
        return Edit(start, end, "")


class Rule:
    """A registered check with its code, name, default severity and documentation.

    The documentation fields feed ``entlint rule CODE`` and the generated pages in
    ``docs/rules/``: what it does, why it matters, a problematic example, what to
    write instead, how safe its fix is, the sources behind it, and, for a rule whose
    findings do not all have its default severity, the policy that sets each one.
    """

    def __init__(
        self,
        code: str,
        name: str,
        severity: str,
        summary: str,
        applies_to: tuple[str, ...],
        why: str,
        example: str,
        use_instead: str,
        fix_safety: str = "This rule has no automatic fix.",
        sources: tuple[str, ...] = (),
        check: Callable[[Context], Iterable[Finding]] | None = None,
        severity_policy: str = "",
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.summary = summary
        self.applies_to = applies_to
        self.why = why
        self.example = example
        self.use_instead = use_instead
        self.fix_safety = fix_safety
        self.sources = sources
        self.check = check
        self.severity_policy = severity_policy

    def __call__(self, check: Callable[[Context], Iterable[Finding]]) -> Rule:
        """Used as a decorator: ``@Rule(...)`` attaches the check function."""
        self.check = check
        return self

    def run(self, ctx: Context) -> Iterator[Finding]:
        if self.check is not None:
            yield from self.check(ctx)

    def __repr__(self) -> str:
        return f"Rule({self.code}, {self.name})"


def _span(at: object) -> tuple[int, int]:
    if at is None:
        return 0, 0
    if isinstance(at, tuple):
        return at
    return at.start, at.end  # type: ignore[attr-defined]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
