"""Every budget entlint keeps, in one place.

A pre-commit hook and a language server read files that anyone can put in a pull
request, so work and memory must be bounded by explicit numbers, not by luck. There
are two kinds:

* **input limits** refuse the file: one ENT101 (syntax-error) or ENT100 (io-error)
  line for it, exit code 2, and the other files are still linted;
* **output limits** keep the file but cap the work: findings past a count are summed
  up in one finding, and keys too long to be a typo get no suggestions.

The modules that enforce a budget import it from here (some keep a module-level alias
that tests can patch); the README's "Limits" section lists them for users.
"""

from __future__ import annotations

# -- input limits ------------------------------------------------------------------

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""Bytes of one property list (a file, stdin or a signature blob). Real entitlements files
are a few kilobytes and the largest Info.plists a few hundred; past this, a file is refused
before it is parsed."""

LSP_MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
"""Bytes of one document open in the language server. Smaller than
:data:`MAX_DOCUMENT_BYTES` because the server lints on every change while the user types."""

MAX_NODES = 200_000
"""Values (keys, strings, containers…) in one document, counting every reference of a
binary plist's shared objects. A binary plist can reference one array from many places
(a "billion laughs" of 459 bytes stands for 2^40 values); counting references while the
tree is built refuses such a graph after at most this many steps, in linear time."""

MAX_DEPTH = 128
"""Nesting of dictionaries and arrays. Real files nest three or four levels; the rules that
compare values with a profile walk them recursively, and 128 levels keep them far from
Python's recursion limit (at 512, a value nested 510 deep ended in a RecursionError)."""

MAX_EXPANDED_SETTING = 64 * 1024
"""Characters of one build setting of a ``.pbxproj`` once its ``$(VAR)`` references are
expanded. Checked while expanding, so a setting that refers to a long one many times is
refused before the long string is built."""

MAX_EXPANDED_SETTINGS_TOTAL = 16 * 1024 * 1024
"""Characters of all expanded build settings of one project (every target and
configuration): thousands of short settings may each name the same long one."""

MAX_ARCHIVE_MEMBER_BYTES = 1024 * 1024 * 1024
"""Bytes read from one member of an ``.ipa`` (an executable), streamed into one buffer of
the declared size and refused as soon as the stream passes it."""

MAX_ARCHIVE_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
"""Bytes decompressed from one ``.ipa`` in all (each member's buffer is freed once its
signature is read, so this bounds time, not memory)."""

MAX_ARCHIVE_PLIST_BYTES = 8 * 1024 * 1024
"""Bytes read from an Info.plist or an embedded profile inside a bundle or an archive."""

MAX_ARCHIVE_RATIO = 200
"""Compression ratio past which an archive member larger than 1 MiB is refused as a zip bomb
(executables deflate about 3:1)."""

MAX_ARCHIVE_MEMBERS = 200_000
"""Members of one ``.ipa`` (its central directory is read whole)."""

MAX_BUNDLE_NESTING = 6
"""Levels of bundles inside bundles (app, extension, watch app, its extension …) followed."""

MAX_PROFILE_BYTES = 8 * 1024 * 1024
"""Bytes of a provisioning profile given with ``--profile``; real ones are tens of kilobytes."""

MAX_DER_BYTES = 32 * 1024 * 1024
"""Bytes of a DER (CMS) structure decoded: profiles and DER entitlements are far smaller."""

MAX_DER_DEPTH = 64
"""Nesting of DER elements: deeper than any certificate or profile needs, so a recursion bomb
stops here."""

MAX_MACHO_LOAD_COMMANDS = 4096
"""Load commands read from one Mach-O slice."""

MAX_FAT_ARCHES = 64
"""Architectures read from one universal (fat) binary."""

MAX_SIGNATURE_BLOBS = 1024
"""Blobs read from one code signature superblob."""

MAX_PROJECT_NESTING = 128
"""Nesting of a ``project.pbxproj`` (dictionaries and arrays inside each other)."""

MAX_WORKSPACE_BYTES = 1 << 20
"""Bytes of a workspace's ``contents.xcworkspacedata``."""

MAX_FIX_ROUNDS = 10
"""Rounds of ``--fix``: a fix that makes another applicable is applied in the next round, and
the loop stops here even if fixes keep producing fixes."""

# -- output limits -----------------------------------------------------------------

MAX_FINDINGS_PER_VALUE = 100
"""Findings of one rule on one key's value (the elements of one array). Past this, one
finding of that rule says how many more there were."""

MAX_FINDINGS_PER_FILE = 1000
"""Findings of one file. Past this, one finding per rule says how many more of that rule
there were."""

MAX_KEY_PATH = 200
"""Characters of the key path that locates a binary plist's value in messages
(``/com.apple.security.application-groups[3]``), cut with an ellipsis past this. A path
repeats every key above the value: uncapped, a shared 100 KB key nested 128 deep would
cost megabytes per value."""

MAX_SUGGESTION_INPUT = 128
"""Characters of a key or a search query that still gets suggestions: nobody types a
129-character key by hand, and typo matching must stay bounded. The same value as
``entitlements_db.features.MAX_QUERY`` (the database cannot import the linter; a test
keeps the two equal)."""
