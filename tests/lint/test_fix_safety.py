"""`--fix` safe by construction: no duplicate keys, no lost values, atomic writes that keep
links, owner and mode, clear messages when a file cannot be written, and `--fix -` that
always gives the document back.

Permission cases run the CLI as an unprivileged user (uid 65534 through ``setpriv``) when
the suite runs as root, as it does in CI: root may write any file.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from entitlements_lint import engine, fixes
from entitlements_lint.config import Settings
from entitlements_lint.findings import Edit, Finding, Fix
from entitlements_lint.plist import parse
from lint_helpers import check, plist

from entitlements_db import load

FIXABLE = plist("<key>aps-environment</key>\n<string>Production</string>")
FIXED = FIXABLE.replace(b"Production", b"production")
NOBODY = 65534
TWO_ONTO_ONE = plist("""
    <key>com.apple.developer.app-groups</key>
    <array>
    \t<string>group.a</string>
    </array>
    <key>com.apple.security.Application-Groups</key>
    <array>
    \t<string>group.b</string>
    </array>
""")


def lint_with(settings: Settings):  # type: ignore[no-untyped-def]
    db = load()
    return lambda data: engine.lint_bytes(data, "App.entitlements", settings, db).findings


# -- one round: no duplicate key, no key touched twice ---------------------------------

def test_two_renames_onto_one_key_are_withheld_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "App.entitlements"
    path.write_bytes(TWO_ONTO_ONE)
    code, out, _ = check(["--isolated", "--platform", "iOS", "--fix", "--format", "json", path], capsys)
    assert path.read_bytes() == TWO_ONTO_ONE  # neither value lost, no duplicate written
    assert code == 1
    import json

    findings = json.loads(out)["findings"]
    assert [f["key"] for f in findings] == ["com.apple.developer.app-groups", "com.apple.security.Application-Groups"]
    for finding in findings:
        assert "fix" not in finding  # --fix tried it: it is not offered again
        assert ("Fix withheld: `com.apple.developer.app-groups` and `com.apple.security.Application-Groups` "
                "would both become `com.apple.security.application-groups`") in finding["note"]


def test_withheld_renames_do_not_stop_other_fixes() -> None:
    data = TWO_ONTO_ONE.replace(b"<dict>\n", b"<dict>\n\t<key>aps-environment</key>\n\t<string>Production</string>\n")
    new, count, remaining = fixes.fix_bytes(data, lint_with(Settings(platforms=("iOS",))), unsafe=False)
    assert new == TWO_ONTO_ONE.replace(b"<dict>\n", b"<dict>\n\t<key>aps-environment</key>\n\t<string>production</string>\n")
    assert count == 1
    assert [f.code for f in remaining] == ["ENT001", "ENT001"]
    assert parse(new).root.to_python()["com.apple.developer.app-groups"] == ["group.a"]


def _finding(key: str, edit: Edit) -> Finding:
    return Finding("ENT999", "test", "error", "m", "App.entitlements", key=key, fix=Fix("f", [edit], safe=True))


def test_two_fixes_on_one_key_are_not_applied_in_the_same_round() -> None:
    data = plist("<key>aps-environment</key>\n<string>Production</string>")
    document = parse(data)
    entry = document.root.entries[0]
    rename = _finding("aps-environment", Edit(entry.key_node.inner_start, entry.key_node.inner_end, "other"))
    value = _finding("aps-environment", Edit(entry.value.inner_start, entry.value.inner_end, "production"))
    chosen, withheld = fixes.plan(document, [value, rename])
    assert chosen == [rename]  # the value fix waits for the next round, recomputed on the new text
    assert withheld == {}


def test_fixes_of_several_values_of_one_key_go_in_one_round() -> None:
    data = plist("<key>k</key>\n<array>\n\t<string>A</string>\n\t<string>B</string>\n\t<string>C</string>\n</array>")
    document = parse(data)
    entry = document.root.entries[0]
    values = [_finding("k", Edit(item.inner_start, item.inner_end, item.value.lower())) for item in entry.value.value]
    chosen, withheld = fixes.plan(document, values)
    assert chosen == values and withheld == {}
    rename = _finding("k", Edit(entry.key_node.inner_start, entry.key_node.inner_end, "K"))
    chosen, _ = fixes.plan(document, [*values, rename])
    assert chosen == [rename]  # the key first; its values are judged again under the new key


def test_a_rename_onto_a_key_removed_in_the_same_round_is_allowed() -> None:
    data = plist("<key>a</key>\n<true/>\n<key>b</key>\n<true/>")
    document = parse(data)
    first, second = document.root.entries
    remove = _finding("a", Edit(first.start, first.end, ""))
    rename = _finding("b", Edit(second.key_node.inner_start, second.key_node.inner_end, "a"))
    chosen, withheld = fixes.plan(document, [remove, rename])
    assert chosen == [remove, rename] and withheld == {}


def test_a_chain_of_renames_that_ends_in_a_duplicate_is_withheld() -> None:
    # a → b is fine only while b is renamed away; withholding b → a brings b back, so a → b goes too
    data = plist("<key>a</key>\n<true/>\n<key>b</key>\n<true/>\n<key>c</key>\n<true/>")
    document = parse(data)
    a, b, c = document.root.entries
    a_to_b = _finding("a", Edit(a.key_node.inner_start, a.key_node.inner_end, "b"))
    b_to_c = _finding("b", Edit(b.key_node.inner_start, b.key_node.inner_end, "c"))
    chosen, withheld = fixes.plan(document, [a_to_b, b_to_c])
    assert chosen == []
    assert set(withheld) == {id(a_to_b), id(b_to_c)}


def test_a_key_already_written_twice_may_be_renamed_as_a_whole() -> None:
    data = plist("<key>a</key>\n<true/>\n<key>a</key>\n<false/>")
    document = parse(data)
    first, second = document.root.entries
    renames = [_finding("a", Edit(e.key_node.inner_start, e.key_node.inner_end, "b")) for e in (first, second)]
    chosen, withheld = fixes.plan(document, renames)
    assert chosen == renames and withheld == {}  # the duplicate was there; no new one is made


def test_a_fix_waiting_behind_a_withheld_one_is_applied() -> None:
    data = plist("<key>a</key>\n<string>X</string>\n<key>b</key>\n<true/>")
    document = parse(data)
    a, b = document.root.entries
    a_to_b = _finding("a", Edit(a.key_node.inner_start, a.key_node.inner_end, "b"))
    value = _finding("a", Edit(a.value.inner_start, a.value.inner_end, "x"))
    chosen, withheld = fixes.plan(document, [a_to_b, value])
    assert chosen == [value] and set(withheld) == {id(a_to_b)}


def test_keys_after_a_nested_dictionary_are_found() -> None:
    data = plist("<key>x</key>\n<dict>\n\t<key>a</key>\n\t<string>A</string>\n\t<key>b</key>\n\t<string>B</string>\n</dict>\n"
                 "<key>y</key>\n<string>Y</string>")
    document = parse(data)
    x, y = document.root.entries
    inner_a = x.value.entries[0]
    rename_y = _finding("y", Edit(y.key_node.inner_start, y.key_node.inner_end, "z"))
    value_y = _finding("y", Edit(y.value.inner_start, y.value.inner_end, "y"))
    value_a = _finding("a", Edit(inner_a.value.inner_start, inner_a.value.inner_end, "a"))
    chosen, _ = fixes.plan(document, [rename_y, value_y, value_a])
    assert chosen == [value_a, rename_y]  # y's value waits for y's new name; a's value is another key's
    rename_x_onto_y = _finding("x", Edit(x.key_node.inner_start, x.key_node.inner_end, "y"))
    chosen, withheld = fixes.plan(document, [rename_x_onto_y])
    assert chosen == [] and set(withheld) == {id(rename_x_onto_y)}


def test_renames_in_different_dictionaries_do_not_clash() -> None:
    data = plist("<key>x</key>\n<dict>\n\t<key>a</key>\n\t<true/>\n</dict>\n<key>y</key>\n<dict>\n\t<key>b</key>\n\t<true/>\n</dict>")
    document = parse(data)
    a = document.root.entries[0].value.entries[0]
    b = document.root.entries[1].value.entries[0]
    to_k1 = _finding("a", Edit(a.key_node.inner_start, a.key_node.inner_end, "k"))
    to_k2 = _finding("b", Edit(b.key_node.inner_start, b.key_node.inner_end, "k"))
    chosen, withheld = fixes.plan(document, [to_k1, to_k2])
    assert chosen == [to_k1, to_k2] and withheld == {}


# -- atomic writes that keep links, mode and owner --------------------------------------

def test_a_symlink_is_kept_and_its_target_fixed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "App.entitlements"
    real.write_bytes(FIXABLE)
    link = tmp_path / "Link.entitlements"
    link.symlink_to(real)
    code, out, _ = check(["--isolated", "--fix", link], capsys)
    assert code == 0, out
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == FIXED
    assert sorted(os.listdir(real_dir)) == ["App.entitlements"]  # the temporary file was renamed
    assert sorted(os.listdir(tmp_path)) == ["Link.entitlements", "real"]


def test_a_file_with_several_hard_links_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "App.entitlements"
    path.write_bytes(FIXABLE)
    os.link(path, tmp_path / "Other.entitlements")
    code, out, _ = check(["--isolated", "--fix", path], capsys)
    assert code == 2
    assert f"ENT100 [error] {path} has 2 hard links; fix it by hand or pass the real path" in out
    assert "ENT005" in out  # what is in the file is still reported
    assert path.read_bytes() == FIXABLE
    assert os.stat(path).st_nlink == 2  # the links are not split
    assert sorted(os.listdir(tmp_path)) == ["App.entitlements", "Other.entitlements"]


def test_mode_owner_and_group_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "App.entitlements"
    path.write_bytes(FIXABLE)
    path.chmod(0o604)
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)  # owned by someone else: root must give it back
    before = os.stat(path)
    code, out, _ = check(["--isolated", "--fix", path], capsys)
    assert code == 0, out
    after = os.stat(path)
    assert path.read_bytes() == FIXED
    assert after.st_ino != before.st_ino  # a new file was renamed over the old one
    assert (after.st_mode, after.st_uid, after.st_gid) == (before.st_mode, before.st_uid, before.st_gid)


def test_a_failed_write_leaves_the_file_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "App.entitlements"
    path.write_bytes(FIXABLE)

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fixes.os, "fsync", full_disk)
    code, out, _ = check(["--isolated", "--fix", path], capsys)
    assert code == 2
    assert f"ENT100 [error] cannot write {path} (no space left on device)" in out
    assert "internal error" not in out
    assert path.read_bytes() == FIXABLE
    assert sorted(os.listdir(tmp_path)) == ["App.entitlements"]  # the temporary file is gone


# -- files the user may not write (as an unprivileged user) -----------------------------

@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder outside pytest's private temporary root, which other users cannot enter."""
    folder = Path(tempfile.mkdtemp(prefix="entlint-fix-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_user(args: list[object], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `entlint check` as uid 65534 when the tests run as root, else as ourselves."""
    command = [sys.executable, "-m", "entitlements_lint.main", "check", *map(str, args)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("install setpriv (util-linux) to run this as an unprivileged user; the tests run as root")
        command = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    env = dict(os.environ, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=120, check=False)


def _give_away(path: Path) -> None:
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)


def test_a_read_only_file_in_a_writable_folder_is_left_untouched(shared_dir: Path) -> None:
    _give_away(shared_dir)  # the folder would let a rename replace the file
    path = shared_dir / "App.entitlements"
    path.write_bytes(FIXABLE)
    _give_away(path)
    path.chmod(0o444)
    done = as_user(["--isolated", "--fix", "App.entitlements"], shared_dir)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "ENT100 [error] cannot write App.entitlements (permission denied)" in done.stdout
    assert "internal error" not in done.stdout + done.stderr
    assert path.read_bytes() == FIXABLE
    assert os.stat(path).st_mode & 0o777 == 0o444
    assert sorted(os.listdir(shared_dir)) == ["App.entitlements"]


def test_a_writable_file_in_a_read_only_folder_is_reported(shared_dir: Path) -> None:
    path = shared_dir / "App.entitlements"
    path.write_bytes(FIXABLE)
    _give_away(path)
    path.chmod(0o644)
    shared_dir.chmod(0o555)  # no temporary file can be made beside it
    done = as_user(["--isolated", "--fix", "App.entitlements"], shared_dir)
    shared_dir.chmod(0o755)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "ENT100 [error] cannot write App.entitlements (permission denied)" in done.stdout
    assert "internal error" not in done.stdout + done.stderr
    assert path.read_bytes() == FIXABLE


# -- `--fix -` gives the whole document back ------------------------------------------

def _run_stdin(data: bytes, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple[int, bytes]:
    from entitlements_lint.cli_check import main

    class FakeStdin:
        buffer = io.BytesIO(data)

    out = io.BytesIO()
    wrapper = io.TextIOWrapper(out, encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", FakeStdin)
    monkeypatch.setattr(sys, "stdout", wrapper)
    code = main(["--isolated", "--stdin-filename", "App.entitlements", *args, "-"])
    wrapper.flush()
    return code, out.getvalue()


def test_stdin_fix_with_nothing_to_fix_writes_the_document(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    clean = plist("<key>aps-environment</key>\n<string>production</string>")
    code, out = _run_stdin(clean, monkeypatch, ["--fix"])
    assert (code, out) == (0, clean)


def test_stdin_fix_with_findings_but_no_fix_writes_the_document(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    unfixable = plist("<key>com.apple.developer.made-up-thing</key>\n<true/>")
    code, out = _run_stdin(unfixable, monkeypatch, ["--fix"])
    assert (code, out) == (1, unfixable)
    assert "ENT001" in capsys.readouterr().err


def test_stdin_fix_of_a_broken_document_writes_it_back(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    broken = FIXABLE[:-20]
    code, out = _run_stdin(broken, monkeypatch, ["--unsafe-fixes"])
    assert (code, out) == (2, broken)


def test_stdin_without_fix_writes_only_the_report(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run_stdin(FIXABLE, monkeypatch, [])
    assert code == 1 and out.startswith(b"App.entitlements:") and FIXABLE not in out
