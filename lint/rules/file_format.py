"""The file itself: readable, well formed, XML, no duplicates, no comments."""

from __future__ import annotations

from entitlements_lint.findings import Finding, Fix
from entitlements_lint.plist import Node
from entitlements_lint.rules.base import ENTITLEMENTS, INFO_PLIST, Context, Rule

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator

# io-error and syntax-error have no check: the engine reports them when a file cannot
# be read or parsed, and then no other rule runs on that file.
io_error = Rule(
    code="ENT100",
    name="io-error",
    severity="error",
    summary="The file cannot be read (or, with --fix, written).",
    applies_to=(ENTITLEMENTS, INFO_PLIST),
    why=(
        "A file that cannot be read cannot be checked; entlint exits with code 2 so CI notices. "
        "With --fix, a file that cannot be replaced safely is left untouched and reported the same way: "
        "one you may not write, or one with several hard links (a rename would split them)."
    ),
    example="(a path that does not exist, a file without read permission, or with --fix a read-only file)",
    use_instead="Fix the path or the permissions; fix a file with several hard links by hand.",
)

syntax_error = Rule(
    code="ENT101",
    name="syntax-error",
    severity="error",
    summary="The file is not a valid property list.",
    applies_to=(ENTITLEMENTS, INFO_PLIST),
    why=(
        "Xcode and codesign refuse a malformed property list, often with a message that does "
        "not name the line. Entity declarations are refused outright: they are never needed in "
        "a property list and can expand to gigabytes. So are files past entlint's input limits "
        "(64 MiB, 200,000 values counting each reference of a binary plist's shared objects, "
        "128 levels of nesting) and UTF-16 or UTF-32 text: see the README's Limits section."
    ),
    example="<dict>\n\t<key>aps-environment</key>\n\t<string>development</string>\n<!-- </dict> missing -->",
    use_instead="A well-formed XML property list whose root is a dictionary.",
)


@Rule(
    code="ENT102",
    name="duplicate-key",
    severity="error",
    summary="The same key appears twice in one dictionary.",
    applies_to=(ENTITLEMENTS, INFO_PLIST),
    why=(
        "Property list readers keep only the last of duplicate keys, so the first value is "
        "silently ignored; which one wins is rarely what the author meant."
    ),
    example="<key>aps-environment</key>\n<string>development</string>\n<key>aps-environment</key>\n<string>production</string>",
    use_instead="<key>aps-environment</key>\n<string>production</string>",
)
def duplicate_key(ctx: Context) -> Iterator[Finding]:
    stack: list[Node] = [ctx.document.root]
    while stack:
        node = stack.pop()
        if node.kind == "array":
            stack.extend(node.value)
            continue
        seen: dict[str, int] = {}
        for entry in node.entries:
            stack.append(entry.value)
            if entry.key in seen:
                line = ctx.document.position(seen[entry.key])[0] if ctx.document.has_positions else None
                earlier = f" (first at line {line})" if line else ""
                message = f"`{entry.key}` appears more than once{earlier}; only the last value counts"
                yield ctx.finding(duplicate_key, entry.key_node, message, entry.key)
            else:
                seen[entry.key] = entry.key_node.start


@Rule(
    code="ENT103",
    name="binary-entitlements-file",
    severity="warning",
    summary="The entitlements file is a binary property list.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "codesign embeds the entitlements as XML, and review tools, diffs and notarization "
        "expect the XML form. A binary file cannot be reviewed or merged, and positions "
        "cannot be reported."
    ),
    example="bplist00… (binary)",
    use_instead="Convert it: `plutil -convert xml1 App.entitlements`.",
)
def binary_entitlements_file(ctx: Context) -> Iterator[Finding]:
    if ctx.document.format == "binary":
        yield ctx.finding(
            binary_entitlements_file,
            None,
            "entitlements file is a binary property list; convert it to XML (plutil -convert xml1)",
        )


@Rule(
    code="ENT104",
    name="xml-comment-in-entitlements",
    severity="warning",
    summary="An XML comment in an entitlements file.",
    applies_to=(ENTITLEMENTS,),
    why=(
        "A third-party report (see sources) says codesign may drop an entitlements file that contains XML "
        "comments, so the app ships without its entitlements. Keep notes elsewhere; entlint "
        "itself reads suppressions from configuration, never from comments, for this reason."
    ),
    example="<!-- push for the beta -->\n<key>aps-environment</key>\n<string>development</string>",
    use_instead="<key>aps-environment</key>\n<string>development</string>",
    fix_safety="Removing the comment is an unsafe fix: its text is lost.",
    sources=("https://github.com/maxkle1nz/m1nd/pull/469",),
)
def xml_comment_in_entitlements(ctx: Context) -> Iterator[Finding]:
    for start, end in ctx.document.comments:
        fix = Fix("Remove the comment", [ctx.remove(start, end)], safe=False)
        yield ctx.finding(
            xml_comment_in_entitlements,
            (start, end),
            "XML comment in an entitlements file: codesign may drop files with comments",
            fix=fix,
        )


RULES = (io_error, syntax_error, duplicate_key, binary_entitlements_file, xml_comment_in_entitlements)
