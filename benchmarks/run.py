"""Speed figures the issues ask for, measured the way a user meets them.

    python benchmarks/run.py            # all figures
    python benchmarks/run.py --quick    # fewer repetitions

Targets: cold `entlint check` of one small file ≤ 2.5× a cold plistlib load; 2,000 files
in one run ≤ 3× plistlib parsing them; `import entitlements_db; load()` adds ≤ 15 ms to a
cold start; `suggest()` < 1 ms per key. Each figure is a median of repeated runs.
Run it on an installed (not editable) package: an editable install adds an import hook.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
#: The console script users run (no runpy); `python -m` when it is not installed here.
_SCRIPT = Path(PY).with_name("entlint")
ENTLINT = [str(_SCRIPT)] if _SCRIPT.exists() else [PY, "-m", "entitlements_lint.main"]
#: A typical small, correct entitlements file: the common case a hook or build phase meets.
SMALL_TEXT = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>aps-environment</key>
\t<string>development</string>
\t<key>com.apple.developer.associated-domains</key>
\t<array>
\t\t<string>applinks:example.com</string>
\t</array>
\t<key>com.apple.security.application-groups</key>
\t<array>
\t\t<string>group.com.example.shared</string>
\t</array>
\t<key>keychain-access-groups</key>
\t<array>
\t\t<string>$(AppIdentifierPrefix)com.example.shared</string>
\t</array>
</dict>
</plist>
"""


def median_run(cmd: list[str], runs: int, cwd: str | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def paired_difference(cmd: list[str], baseline: list[str], runs: int) -> float:
    """Median of (cmd - baseline) over back-to-back pairs: machine load drifts, pairs cancel it."""
    differences = []
    for _ in range(runs):
        pair = []
        for command in (baseline, cmd):
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            pair.append(time.perf_counter() - start)
        differences.append(pair[1] - pair[0])
    return statistics.median(differences) * 1000


def report(name: str, value: float, unit: str, target: str, ok: bool) -> None:
    print(f"{name:<52} {value:8.1f} {unit:<3} target {target:<12} {'ok' if ok else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 7 if args.quick else 25
    workdir = tempfile.mkdtemp(prefix="entlint-bench-")
    small = os.path.join(workdir, "App.entitlements")
    Path(small).write_bytes(SMALL_TEXT)

    bare = median_run([PY, "-c", "pass"], runs)
    plist = median_run([PY, "-c", f"import plistlib; plistlib.load(open({small!r}, 'rb'))"], runs)
    check = median_run([*ENTLINT, "check", "--isolated", small], runs)
    report("cold start (python -c pass)", bare, "ms", "-", True)
    report("cold plistlib.load of one file", plist, "ms", "-", True)
    report("cold entlint check of one file", check, "ms", "-", True)
    report("  ratio check / plistlib", check / plist, "x", "<= 2.5", check / plist <= 2.5)

    added = paired_difference([PY, "-c", "import entitlements_db; entitlements_db.load()"], [PY, "-c", "pass"], runs * 2)
    report("import entitlements_db + load(), over bare start", added, "ms", "<= 15", added <= 15)

    with tempfile.TemporaryDirectory() as tmp:
        data = SMALL_TEXT
        for i in range(2000):
            Path(tmp, f"T{i:04}.entitlements").write_bytes(data)
        parse_all = (
            "import plistlib, os\n"
            f"d = {tmp!r}\n"
            "for n in sorted(os.listdir(d)):\n"
            "    plistlib.load(open(os.path.join(d, n), 'rb'))\n"
        )
        many_runs = max(3, runs // 5)
        plist_many = median_run([PY, "-c", parse_all], many_runs)
        check_many = median_run([*ENTLINT, "check", "--isolated", "-q", tmp], many_runs)
        report("plistlib parsing 2,000 files", plist_many, "ms", "-", True)
        report("entlint check of 2,000 files", check_many, "ms", "-", True)
        report("  ratio check / plistlib", check_many / plist_many, "x", "<= 3", check_many / plist_many <= 3)

    sys.path.insert(0, str(HERE.parent))
    import entitlements_db

    db = entitlements_db.load()
    keys = [
        "com.apple.developer.push-notifications",
        "com.apple.developer.healthkti",
        "com.apple.security.application-group",
        "com.apple.developer.networking.hotspotconfiguration",
        "com.example.totally.unknown",
        "com.apple.developer.icloud_services",
    ]
    db.suggest(keys[0])  # build the indexes once
    rounds = 200
    start = time.perf_counter()
    for _ in range(rounds):
        for key in keys:
            db.suggest(key, "iOS")
    per_key = (time.perf_counter() - start) / (rounds * len(keys)) * 1000
    report("suggest() per key", per_key, "ms", "< 1", per_key < 1)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    sys.exit(main())
