"""Hostile inputs (issue 11) and the worst inputs still allowed: time and peak memory.

    python benchmarks/hostile.py              # every case
    python benchmarks/hostile.py --quick      # skip the 1 GB .ipa
    python benchmarks/hostile.py laughs ipa   # cases whose name contains a word

Each case runs `entlint check --format concise` (or a short Python snippet) in its own
process under RLIMIT_AS = 1.5 GB, and reports wall time, peak resident memory and the
tool's first line for the input. A hostile input must end in under 20 s with the tool's
own message (exit 1 or 2), never a traceback, "internal error" or MemoryError; a case that
does not is marked FAIL and the script exits 1.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "lint"))
import hostile_inputs as h  # noqa: E402 - the builders the tests use, at full size

PY = sys.executable
ENTLINT = [PY, "-m", "entitlements_lint.main", "check", "--isolated", "--format", "concise"]
ADDRESS_SPACE = 1536 * 1024 * 1024
TIME_LIMIT = 20.0
BAD = ("Traceback", "internal error", "MemoryError")


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run(argv: list[str], cwd: Path) -> tuple[float, int, int, str]:
    """Wall seconds, peak RSS (MiB), exit code and output of one process under the limit."""
    out_path = cwd / "out.txt"
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_limit)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            proc.kill()
            raise
        elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss // 1024, proc.returncode, out_path.read_text(errors="replace")


def first_line(output: str, marker: str) -> str:
    for line in output.splitlines():
        if marker in line:
            return line if len(line) <= 150 else line[:147] + "..."
    lines = output.strip().splitlines()
    return lines[0][:150] if lines else "(no output)"


def cases(folder: Path, quick: bool) -> list[tuple[str, str, list[str], str]]:
    """(name, hostile or allowed, argv, marker of the line to show); inputs are written here."""
    def write(name: str, data: bytes) -> str:
        (folder / name).write_bytes(data)
        return name

    found: list[tuple[str, str, list[str], str]] = []

    def check(name: str, kind: str, file: str, marker: str = "ENT") -> None:
        found.append((name, kind, [*ENTLINT, file], marker))

    # -- hostile: each must be refused or capped, fast and within memory
    check("laughs: 459-byte binary plist, 2^40 shared references", "hostile",
          write("Laughs.entitlements", h.laughs(40)))
    laughs_macho = write("Laughs", h.macho(h.laughs(40)))
    check("laughs inside a Mach-O signature", "hostile", laughs_macho)
    h.ipa(folder / "Laughs.ipa", h.macho(h.laughs(40)))
    check("laughs inside an .ipa", "hostile", "Laughs.ipa")
    check("long key: one unknown key of 100,000 letters", "hostile", write("LongKey.entitlements", h.long_key(100_000)))
    found.append(("suggest('a' * 1_000_000) and search()", "hostile",
                  [PY, "-c", "import entitlements_db as e; d = e.load(); "
                   "print('suggestions:', d.suggest('a' * 1_000_000), 'results:', d.search('a' * 1_000_000))"],
                  "suggestions"))
    check("7,000,000 <true/> in application-groups (56 MB)", "hostile",
          write("Groups7M.entitlements", h.many_true(7_000_000)))
    check("one line of 200,000 keys", "hostile", write("OneLine.entitlements", h.one_line(200_000, "")))
    h.expanding_project(folder / "p140", 60_000, 11_000)
    check("build setting naming a 60 KB one 11,000 times (140 KB project)", "hostile", "p140/App.xcodeproj")
    h.expanding_project(folder / "p860", 60_000, 115_000)
    check("build setting naming a 60 KB one 115,000 times (860 KB project)", "hostile", "p860/App.xcodeproj")
    h.expanding_project(folder / "pmany", 60_000, 1, settings=20_000)
    check("20,000 settings each naming a 60 KB one", "hostile", "pmany/App.xcodeproj")
    text = h.xml(b"<key>aps-environment</key>\n<string>development</string>\n").decode()
    check("UTF-16 without a byte order mark", "hostile", write("Wide.entitlements", text.encode("utf-16-le")))
    check("CR-only line endings", "hostile",
          write("Cr.entitlements", h.xml(b"<key>a</key>\n<true/>\n<key>bogus</key>\n<true/>\n").replace(b"\n", b"\r")))
    secret = folder / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    h.outside_link(folder / "tree", secret)
    check("folder with x.entitlements -> a file outside it", "hostile", "tree", "skipped")

    # -- the worst inputs still allowed: linted whole, with capped output
    check("allowed: 199,990 <true/> in application-groups", "allowed",
          write("Groups.entitlements", h.many_true(199_990)))
    check("allowed: 99,990 unknown keys that look like typos", "allowed",
          write("Typos.entitlements", h.unknown_keys(99_990)), "more")
    check("allowed: one line of 99,990 non-ASCII keys", "allowed",
          write("OneLineAllowed.entitlements", h.one_line(99_990)), "more")
    check("allowed: binary plist of 2^17 shared references", "allowed",
          write("Shared.entitlements", h.laughs(16)))
    check("allowed: a 60 MiB string value", "allowed",
          write("BigString.entitlements", h.xml(b"<key>aps-environment</key><string>" + b"A" * (60 << 20) + b"</string>")))
    h.expanding_project(folder / "pok", 60_000, 1, settings=270)
    check("allowed: 270 settings each naming a 60 KB one (16 MB in all)", "allowed", "pok/App.xcodeproj")
    if not quick:
        h.large_ipa(folder / "Big.ipa", 1000 * 1000 * 1000,
                    h.xml(b"<key>aps-environment</key>\n<string>development</string>\n"))
        size = (folder / "Big.ipa").stat().st_size
        check(f"allowed: 1 GB executable in a {size / 1e6:.1f} MB .ipa", "allowed", "Big.ipa", "Checked")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1 GB .ipa")
    parser.add_argument("only", nargs="*", help="run the cases whose name contains one of these words")
    args = parser.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'case':<66} {'time':>7} {'peak':>8} exit  message")
        for name, kind, argv, marker in cases(folder, args.quick):
            if args.only and not any(word in name for word in args.only):
                continue
            elapsed, peak, code, output = run(argv, folder)
            bad = any(word in output for word in BAD) or elapsed > TIME_LIMIT or code not in (0, 1, 2)
            failed += bad
            mark = "FAIL " if bad else ""
            print(f"{mark}{name:<66} {elapsed:6.2f}s {peak:6d}MiB {code:>4}  {first_line(output, marker)}",
                  flush=True)
    print(f"limits: {ADDRESS_SPACE >> 20} MiB of address space, {TIME_LIMIT:.0f} s; "
          + ("all cases passed" if not failed else f"{failed} case(s) FAILED"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
