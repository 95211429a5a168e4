"""Hostile and broken inputs through the real command line: one clear message per file,
never a traceback, exit code 2, the other files still linted, nothing written."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from lint_helpers import cli, plist
from test_reader import BILLION_LAUGHS, EXTERNAL_ENTITY

GOOD = plist("<key>com.apple.developer.push-notifications</key>\n<true/>")
TRUNCATED = plist("<key>aps-environment</key>\n<string>development</string>")[:150]

#: name → (bytes, rule, a piece of the message)
BROKEN: dict[str, tuple[bytes, str, str]] = {
    "Empty.entitlements": (b"", "syntax-error", "file is empty"),
    "Random.entitlements": (random.Random(20240611).randbytes(4096).replace(b"bplist", b"xplist"),
                            "syntax-error", "not well formed"),
    "Truncated.entitlements": (TRUNCATED, "syntax-error", "not well formed"),
    "Laughs.entitlements": (BILLION_LAUGHS, "syntax-error", "internal subset"),
    "External.entitlements": (EXTERNAL_ENTITY, "syntax-error", "internal subset"),
    "Deep.entitlements": (b"<plist>" + b"<array>" * 20_000 + b"</array>" * 20_000 + b"</plist>",
                          "syntax-error", "nested deeper than"),
    "RootArray.entitlements": (b'<?xml version="1.0"?>\n<plist version="1.0">\n<array>\n\t<string>aps-environment</string>\n</array>\n</plist>\n',
                               "syntax-error", "root of the property list must be a dictionary"),
    "Latin1.entitlements": (plist("<key>NSCameraUsageDescription</key>\n<string>Caméra</string>").replace("é".encode(), b"\xe9"),
                            "syntax-error", "not well formed"),
    "Nul.entitlements": (plist("<key>aps-environment</key>\n<string>develop\x00ment</string>"),
                         "syntax-error", "not well formed"),
}


def make_tree(root: Path) -> dict[str, tuple[str, str]]:
    """Write the broken files, a folder with entries nobody can read, and a good file.

    Returns path → (rule, message piece) for every input expected to fail.
    """
    expected: dict[str, tuple[str, str]] = {}
    for name, (data, rule, piece) in BROKEN.items():
        (root / name).write_bytes(data)
        expected[str(root / name)] = (rule, piece)
    (root / "Good.entitlements").write_bytes(GOOD)
    folder = root / "Unreadable"
    folder.mkdir()
    (folder / "Good.entitlements").write_bytes(GOOD)
    # Entries that cannot be read even by root (root can read a chmod 000 file).
    os.symlink("Loop2.entitlements", folder / "Loop1.entitlements")
    os.symlink("Loop1.entitlements", folder / "Loop2.entitlements")
    os.symlink("gone.entitlements", folder / "Dangling.entitlements")
    os.mkfifo(folder / "Pipe.entitlements")  # a named pipe nobody writes to must not hang the run
    expected[str(folder / "Loop1.entitlements")] = ("io-error", "Too many levels of symbolic links")
    expected[str(folder / "Loop2.entitlements")] = ("io-error", "Too many levels of symbolic links")
    expected[str(folder / "Dangling.entitlements")] = ("io-error", "No such file or directory")
    expected[str(folder / "Pipe.entitlements")] = ("syntax-error", "file is empty")
    if os.geteuid() != 0:
        locked = folder / "Locked.entitlements"
        locked.write_bytes(GOOD)
        locked.chmod(0)
        expected[str(locked)] = ("io-error", "Permission denied")
    return expected


def snapshot(root: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode) and os.access(path, os.R_OK):
                out[path] = Path(path).read_bytes()
            else:
                out[path] = None
    return out


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str, str]]]:
    root = tmp_path_factory.mktemp("hostile")
    return root, make_tree(root)


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stdout and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "internal error" not in proc.stdout + proc.stderr


def test_one_run_over_everything_writes_nothing(tree: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    root, expected = tree
    before = snapshot(root)
    proc = cli(["--isolated", "--platform", "iOS", "--format", "json", "--unsafe-fixes", str(root)])
    assert_clean(proc)
    assert proc.returncode == 2, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    by_path: dict[str, list[dict]] = {}
    for f in findings:
        by_path.setdefault(f["path"], []).append(f)
    for path, (rule, piece) in expected.items():
        got = by_path.get(path, [])
        assert len(got) == 1, (path, got)
        assert got[0]["rule"] == rule, (path, got)
        assert piece in got[0]["message"], (path, got[0]["message"])
        assert got[0]["severity"] == "error"
    # The good files in the same run are still linted.
    for good in (root / "Good.entitlements", root / "Unreadable" / "Good.entitlements"):
        assert [f["rule"] for f in by_path[str(good)]] == ["unknown-entitlement"]
    assert set(by_path) == set(expected) | {str(root / "Good.entitlements"), str(root / "Unreadable" / "Good.entitlements")}
    # --fix wrote nothing: no broken file changed, and no temporary file is left behind.
    assert snapshot(root) == before


def test_huge_but_valid_files_are_linted(tmp_path: Path) -> None:
    big = tmp_path / "Big.entitlements"  # a 20 MB string value
    big.write_bytes(plist("<key>com.apple.developer.push-notifications</key>\n<string>" + "A" * (20 * 1024 * 1024) + "</string>"))
    many = tmp_path / "Many.entitlements"  # 50,000 keys
    many.write_bytes(plist("\n".join(f"<key>com.example.setting{i:05}</key>\n<true/>" for i in range(50_000))))
    broken = tmp_path / "Broken.entitlements"
    broken.write_bytes(TRUNCATED)
    proc = cli(["--isolated", "--statistics", str(big), str(many), str(broken)])
    assert_clean(proc)
    assert proc.returncode == 2
    assert proc.stdout.splitlines()[:2] == [
        "50001  ENT001  unknown-entitlement",
        "    1  ENT101  syntax-error",
    ]


def test_text_output_names_each_broken_file_once(tree: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    root, expected = tree
    proc = cli(["--isolated", str(root)])
    assert_clean(proc)
    assert proc.returncode == 2
    for path, (rule, piece) in expected.items():
        lines = [line for line in proc.stdout.splitlines() if line.startswith(path + ":")]
        assert len(lines) == 1, (path, lines)
        code = {"io-error": "ENT100", "syntax-error": "ENT101"}[rule]
        assert f": {code} " in lines[0] and piece in lines[0]
    assert f"{root / 'Good.entitlements'}:5:2: ENT001 " in proc.stdout


def test_each_broken_file_alone_with_a_good_one(tree: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    """Every broken input on its own (next to a good file) exits 2 with one message for it."""
    root, expected = tree
    good = str(root / "Good.entitlements")
    env = dict(os.environ, NO_COLOR="1")
    procs = {
        path: subprocess.Popen(
            [sys.executable, "-m", "entitlements_lint.main", "check", "--isolated", "--format", "xcode", path, good],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        for path in expected
    }
    for path, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert "Traceback" not in out + err
        assert proc.returncode == 2, (path, out, err)
        mine = [line for line in out.splitlines() if line.startswith(path + ":")]
        assert len(mine) == 1 and ": error: " in mine[0], (path, out)
        assert f"{good}:5:2: error: " in out


def test_missing_path_and_bad_option(tmp_path: Path) -> None:
    proc = cli(["--isolated", str(tmp_path / "Nope.entitlements")])
    assert_clean(proc)
    assert proc.returncode == 2
    assert f"{tmp_path / 'Nope.entitlements'}:1:1: ENT100 [error] no such file or directory" in proc.stdout
    proc = cli(["--format", "yaml", str(tmp_path)])
    assert proc.returncode == 2 and "invalid choice" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli(["--platform", "Android", str(tmp_path)])
    assert proc.returncode == 2 and "unknown platform 'Android'" in proc.stderr and "Traceback" not in proc.stderr


def test_stdin(tmp_path: Path) -> None:
    proc = cli(["--isolated", "--stdin-filename", "App/App.entitlements", "-"], cwd=tmp_path, stdin=GOOD)
    assert_clean(proc)
    assert proc.returncode == 1
    assert proc.stdout.startswith("App/App.entitlements:5:2: ENT001 ")
    proc = cli(["--isolated", "-"], cwd=tmp_path, stdin=b"\x00\x01garbage")
    assert_clean(proc)
    assert proc.returncode == 2
    assert proc.stdout.startswith("-:1:1: ENT101 ")


def test_unexpected_exception_becomes_an_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from entitlements_lint.cli_check import main
    from entitlements_lint.rules import existence

    def boom(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("kaboom")
        yield

    monkeypatch.setattr(existence.private_entitlement, "check", boom)
    (tmp_path / "A.entitlements").write_bytes(GOOD)
    code = main(["--isolated", str(tmp_path / "A.entitlements")])
    out = capsys.readouterr().out
    assert code == 2
    assert f"internal error in {tmp_path / 'A.entitlements'}, please report: RuntimeError: kaboom" in out
    assert "Traceback" not in out
