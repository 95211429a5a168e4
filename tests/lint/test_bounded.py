"""Bounded work on hostile input (issue 11, the reading half): one regression test per case.

Work is asserted as counted steps (nodes built, typo lookups and candidates scored, bytes
decoded, bytes allocated), never as wall time; timings live in benchmarks/hostile.py.
"""

from __future__ import annotations

import plistlib
import random
import tracemalloc
import zipfile
from pathlib import Path

import entitlements_db
import pytest
from entitlements_db import features, suggest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile_inputs as hostile
from entitlements_lint import lint_artefact, lint_text, limits, plist
from entitlements_lint.artefacts import bundles, xcodeproj
from entitlements_lint.errors import InputError
from lint_helpers import cli

# -- the budgets -----------------------------------------------------------------------


def test_budgets_live_in_one_module_and_agree() -> None:
    assert limits.MAX_SUGGESTION_INPUT == features.MAX_QUERY == suggest.MAX_QUERY
    assert limits.LSP_MAX_DOCUMENT_BYTES < limits.MAX_DOCUMENT_BYTES
    assert plist.MAX_BYTES == limits.MAX_DOCUMENT_BYTES
    assert plist.MAX_NODES == limits.MAX_NODES
    assert xcodeproj.MAX_EXPANDED_LENGTH == limits.MAX_EXPANDED_SETTING
    assert bundles.MAX_EXECUTABLE_SIZE == limits.MAX_ARCHIVE_MEMBER_BYTES


def test_readme_lists_every_budget() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Limits", 1)[1].split("\n## ", 1)[0]
    for name in (n for n in dir(limits) if n.isupper()):
        assert f"`{name}`" in section, name


# -- 1. shared references (binary "billion laughs") -------------------------------------


class _Counted(plist.Node):
    """A Node that counts how many were built: the reader's work."""

    built = 0

    def __init__(self, *args: object, **kwargs: object) -> None:
        _Counted.built += 1
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> type[_Counted]:
    monkeypatch.setattr(plist, "Node", _Counted)
    _Counted.built = 0
    return _Counted


def test_billion_laughs_is_one_syntax_error_after_a_bounded_number_of_nodes(counted: type[_Counted]) -> None:
    data = hostile.laughs(40)
    assert len(data) < 500
    result = lint_text(data, path="Laughs.entitlements")
    assert [(f.code, f.message) for f in result.findings] == [
        ("ENT101", "property list has more than 200,000 values (counting shared references)")
    ]
    assert counted.built <= limits.MAX_NODES + 2


def test_shared_references_inside_a_mach_o_and_an_ipa(tmp_path: Path) -> None:
    image = hostile.macho(hostile.laughs(40))
    (tmp_path / "X").write_bytes(image)
    archive = hostile.ipa(tmp_path / "X.ipa", image)
    for target in (tmp_path / "X", archive):
        results = lint_artefact(str(target))
        assert [[f.code for f in r.findings] for r in results] == [["ENT101"]]
        assert "more than 200,000 values" in results[0].findings[0].message


def test_plistlib_values_are_checked_before_anyone_walks_them() -> None:
    data = hostile.laughs(40)
    with pytest.raises(InputError, match="X: property list has more than 200,000 values"):
        plist.load_dict(data, "X")


def test_a_shared_but_small_graph_is_read_whole() -> None:
    value: list[object] = ["group.a"]
    for _ in range(5):
        value = [value, value]
    document = plist.parse(plistlib.dumps({"k": value}, fmt=plistlib.FMT_BINARY))
    assert document.root.to_python() == {"k": value}
    assert document.nodes == 1 + 1 + (3 * 2 ** 5 - 1)  # the root, its key, and the expanded tree


def test_key_paths_of_deep_shared_long_keys_stay_short() -> None:
    key = "k" * 100_000  # stored once in the binary plist, referenced at every level
    value: object = True
    for _ in range(limits.MAX_DEPTH - 2):
        value = {key: value}
    document = plist.parse(plistlib.dumps(value, fmt=plistlib.FMT_BINARY))
    node, longest = document.root, 0
    while node.kind == "dict":
        (entry,) = node.entries
        longest = max(longest, len(entry.key_node.path), len(entry.value.path))
        node = entry.value
    assert longest == plist.MAX_PATH + 1  # cut, with an ellipsis


@st.composite
def shared_graphs(draw: st.DrawFn) -> object:
    """A random DAG of arrays and dicts: each level's containers refer to earlier ones."""
    levels: list[object] = [draw(st.sampled_from([True, 1, "s", 2.5]))]
    for _ in range(draw(st.integers(1, 30))):
        refs = draw(st.lists(st.integers(0, len(levels) - 1), min_size=1, max_size=4))
        children = [levels[i] for i in refs]
        if draw(st.booleans()):
            levels.append(children)
        else:
            levels.append({f"k{i}": child for i, child in enumerate(children)})
    return levels[-1]


def _tree_size(value: object, memo: dict[int, int]) -> int:
    """Nodes of the expanded tree (a dict's keys count), computed on the shared graph."""
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, list):
        size = 1 + sum(_tree_size(v, memo) for v in value)
    elif isinstance(value, dict):
        size = 1 + sum(1 + _tree_size(v, memo) for v in value.values())
    else:
        size = 1
    memo[id(value)] = size
    return size


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=shared_graphs(), budget=st.integers(1, 3000))
def test_shared_reference_graphs_cost_at_most_the_budget(graph: object, budget: int) -> None:
    value = plistlib.loads(plistlib.dumps({"root": graph}, fmt=plistlib.FMT_BINARY))
    size = _tree_size(value, {})
    built = 0
    original = plist.Node

    class Counting(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            nonlocal built
            built += 1
            super().__init__(*args, **kwargs)

    plist.Node = Counting  # hypothesis does not mix with function-scoped fixtures
    try:
        try:
            root, count = plist._node_from_value(value, "", budget=budget)
        except InputError as error:
            assert size > budget
            assert "more than" in str(error)
        else:
            assert size <= budget
            assert count == size
            assert root.to_python() == value
    finally:
        plist.Node = original
    assert built <= budget + 2  # never more nodes than the budget (plus the holder)


# -- 2. long keys -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(key=st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC.-_", min_size=1, max_size=5000))
def test_suggestion_work_does_not_grow_with_the_key(key: str) -> None:
    db = entitlements_db.load()
    index = db.feature_index()
    before = index.work
    db.suggest(key)
    work = index.work - before
    if len(key) > limits.MAX_SUGGESTION_INPUT:
        assert work == 0
    # each query word: its deletions twice (compound and typo lookups), plus every answer once
    assert work <= 2 * features.MAX_WORDS * 2 * (features.MAX_TYPO_WORD + 1) + len(index.answers)


def test_a_million_letter_key_gets_no_suggestions_and_no_work() -> None:
    db = entitlements_db.load()
    index = db.feature_index()
    before = index.work
    assert db.suggest("a" * 1_000_000) == []
    assert db.search("a" * 1_000_000) == []
    assert index.work == before


def test_a_hundred_thousand_letter_key_is_one_finding_without_suggestions() -> None:
    result = lint_text(hostile.long_key(100_000), path="Long.entitlements")
    assert [(f.code, f.suggestions) for f in result.findings] == [("ENT001", [])]


# -- 3. findings past their caps ---------------------------------------------------------


def test_findings_per_value_are_capped_with_one_summary() -> None:
    count = 5_000
    result = lint_text(hostile.many_true(count), path="Groups.entitlements")
    codes = [f.code for f in result.findings]
    assert codes == ["ENT004"] * (limits.MAX_FINDINGS_PER_VALUE + 1)
    summary = result.findings[-1]
    left = count - limits.MAX_FINDINGS_PER_VALUE
    assert summary.message == (
        f"{left:,} more `invalid-value-type` findings on `{hostile.GROUPS}` are not shown (at most 100 per value)"
    )
    assert summary.omitted == left
    assert summary.line == 5 + limits.MAX_FINDINGS_PER_VALUE + 1  # at the first one left out


def test_findings_without_a_key_count_for_the_file_only() -> None:
    comments = 3 * limits.MAX_FINDINGS_PER_VALUE  # ENT104 findings name no key
    result = lint_text(hostile.xml(b"<!-- x -->\n" * comments), path="Comments.entitlements")
    assert [f.code for f in result.findings] == ["ENT104"] * comments


def test_findings_per_file_are_capped_and_left_out_ones_skip_suggestions(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    db = entitlements_db.load()
    asked = []
    real = db.suggest
    monkeypatch.setattr(db, "suggest", lambda key, *a, **k: asked.append(key) or real(key, *a, **k))
    count = 2_500
    result = lint_text(hostile.unknown_keys(count), path="Typos.entitlements")
    assert len(result.findings) == limits.MAX_FINDINGS_PER_FILE + 1
    assert result.findings[-1].message.startswith(f"{count - limits.MAX_FINDINGS_PER_FILE:,} more `unknown-entitlement`")
    assert len(asked) == limits.MAX_FINDINGS_PER_FILE
    # --statistics still counts every finding
    path = tmp_path / "Typos.entitlements"
    path.write_bytes(hostile.unknown_keys(count))
    proc = cli(["--isolated", "--statistics", path])
    assert proc.stdout.splitlines()[0] == f" {count}  ENT001  unknown-entitlement"


# -- 4. positions on one long line --------------------------------------------------------


def test_positions_on_one_long_line_decode_a_bounded_amount(monkeypatch: pytest.MonkeyPatch) -> None:
    data = hostile.one_line(5_000)
    document = plist.parse(data)
    decoded = 0
    original = plist._characters

    def counting(chunk: bytes) -> int:
        nonlocal decoded
        decoded += len(chunk)
        return original(chunk)

    monkeypatch.setattr(plist, "_characters", counting)
    offsets = [entry.key_node.start for entry in document.root.entries]
    positions = [document.position(offset) for offset in offsets]
    # the block index is built once (every byte), then each position decodes at most a block
    assert decoded <= len(data) + len(offsets) * plist._Lines.BLOCK
    line_start = data.rfind(b"\n", 0, offsets[0]) + 1
    for offset, position in zip(offsets[::97], positions[::97]):
        assert position == (4, len(data[line_start:offset].decode()) + 1)


def test_cr_only_line_endings_give_the_right_lines() -> None:
    body = b"<key>com.apple.developer.push-notifications</key>\n<true/>\n<key>bogus.key</key>\n<true/>\n"
    lf = lint_text(hostile.xml(body), path="A.entitlements")
    cr = lint_text(hostile.xml(body).replace(b"\n", b"\r"), path="A.entitlements")
    crlf = lint_text(hostile.xml(body).replace(b"\n", b"\r\n"), path="A.entitlements")
    where = [(f.code, f.line, f.column, f.end_line, f.end_column) for f in lf.findings]
    assert [f.line for f in lf.findings] == [4, 6]
    assert [(f.code, f.line, f.column, f.end_line, f.end_column) for f in cr.findings] == where
    assert [(f.code, f.line, f.column, f.end_line, f.end_column) for f in crlf.findings] == where


def test_syntax_errors_in_cr_only_files_have_the_right_line() -> None:
    data = hostile.xml(b"<key>a</key>\n<true/>\n<key>b</key>\n<foo/>\n").replace(b"\n", b"\r")
    (finding,) = lint_text(data, path="A.entitlements").findings
    assert (finding.code, finding.line) == ("ENT101", 7)


# -- 5. text encodings ---------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "name"), [
    ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-16", "UTF-16"),
    ("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32"), ("utf-32", "UTF-32"),
])
def test_wide_encodings_are_refused_with_or_without_a_bom(encoding: str, name: str) -> None:
    text = hostile.xml(b"<key>aps-environment</key>\n<string>development</string>\n").decode()
    result = lint_text(text.encode(encoding), path="Wide.entitlements")
    assert [(f.code, f.message) for f in result.findings] == [
        ("ENT101", f"{name} property lists are not supported: save the file as UTF-8")
    ]


# -- 6. build settings ----------------------------------------------------------------------


def test_a_setting_naming_a_long_one_many_times_is_refused_before_it_is_built(tmp_path: Path) -> None:
    bundle = hostile.expanding_project(tmp_path, 60_000, 2_000)  # would be 120 MB
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="a build setting expands past 65,536 characters"):
            xcodeproj.read_project(bundle)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


def test_many_settings_naming_a_long_one_are_refused_in_all(tmp_path: Path) -> None:
    bundle = hostile.expanding_project(tmp_path, 60_000, 1, settings=400)  # 400 × 60 KB = 24 MB
    with pytest.raises(InputError, match="build settings expand past 16,777,216 characters in all"):
        xcodeproj.read_project(bundle)


def test_inherited_values_are_measured_before_they_are_joined(tmp_path: Path) -> None:
    bundle = tmp_path / "App.xcodeproj"
    bundle.mkdir()
    text = hostile.pbxproj({"X": "$(inherited)" * 5_000}).replace(
        "buildSettings = {};", 'buildSettings = {X = "' + "y" * 60_000 + '";};')
    (bundle / "project.pbxproj").write_text(text)
    with pytest.raises(InputError, match="expands past"):
        xcodeproj.read_project(bundle)


# -- 7. archive members ----------------------------------------------------------------------


def test_an_archive_member_is_streamed_into_one_buffer(tmp_path: Path) -> None:
    size = 24 * 1024 * 1024
    noise = random.Random(7).randbytes(size)  # incompressible: no zip-bomb ratio
    archive = hostile.ipa(tmp_path / "Big.ipa", hostile.macho(b"") + noise)
    tree = bundles._ZipTree(zipfile.ZipFile(archive), "Big.ipa")
    tracemalloc.start()
    try:
        data = tree.read("Payload/X.app/X", bundles.MAX_EXECUTABLE_SIZE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(data) > size
    assert peak < 1.25 * len(data)  # one copy and a few chunks, not chunks plus their join (2x)


def test_a_member_over_the_cap_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundles, "MAX_EXECUTABLE_SIZE", 1000)
    archive = hostile.ipa(tmp_path / "X.ipa", hostile.macho(b"") + b"\0" * 5000)
    (result,) = lint_artefact(str(archive))
    assert [f.code for f in result.findings] == ["ENT100"]
    assert "more than the 1000 limit" in result.findings[0].message


# -- 8. folder walks and what messages show ----------------------------------------------------


def test_a_walk_does_not_follow_a_link_out_of_the_tree(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:TOPSECRET\n")
    tree = tmp_path / "tree"
    link = hostile.outside_link(tree, secret)
    (tree / "inside.entitlements").symlink_to(tree / "real.plist")
    (tree / "real.plist").write_bytes(hostile.xml(b"<key>bogus</key><true/>"))
    proc = cli(["--isolated", "--format", "concise", tree])
    assert "TOPSECRET" not in proc.stdout + proc.stderr
    assert str(link) not in proc.stdout
    assert f"entlint: {link}: skipped, a symbolic link that leads outside the folders given" in proc.stderr
    assert f"{tree / 'inside.entitlements'}:" in proc.stdout  # a link inside the tree is linted
    named = cli(["--isolated", "--format", "concise", link])  # named explicitly, it is read
    assert named.returncode == 2
    assert "TOPSECRET" not in named.stdout + named.stderr


@pytest.mark.parametrize("data", [
    hostile.xml(b"<key>a</key><integer>TOPSECRET</integer>"),
    hostile.xml(b"<key>a</key><date>TOPSECRET</date>"),
    b"bplist00TOPSECRET" + b"\0" * 40,
])
def test_error_messages_do_not_quote_values(data: bytes) -> None:
    (finding,) = lint_text(data, path="A.entitlements").findings
    assert finding.code == "ENT101"
    assert "TOPSECRET" not in finding.message


def test_bad_values_name_their_key() -> None:
    (finding,) = lint_text(hostile.xml(b"<key>count</key><integer>x</integer>"), path="A.entitlements").findings
    assert finding.message == "invalid <integer> value for `count`"
