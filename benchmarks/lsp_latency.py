"""How fast does `entlint lsp` answer? Run: python benchmarks/lsp_latency.py [--changes N] [--starts N]

Two figures, against the targets of issue 4:

- start → `initialize` answered (target ≤ 1 s), the median of several fresh processes;
- `didChange` → `publishDiagnostics` for a 30-key entitlements file: the server waits for the
  edits to pause (``DEBOUNCE_SECONDS``, 100 ms, issue 11), and the lint after that pause must
  take ≤ 50 ms at the median (issue 4's budget), so the target is the debounce plus 50 ms.

The client is a few lines of JSON-RPC over the server's stdio, so the figures are the
server's, not a client library's. Not a test: pytest does not collect this folder.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

INITIALIZE_TARGET = 1.0
LINT_TARGET = 0.050


class Server:
    """A server process and a thread that reads its messages into a queue."""

    def __init__(self, command: list[str]) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = stream.read(length)
            self.messages.put((time.perf_counter(), json.loads(body)))

    def send(self, method: str, params: Any, request: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        msg_id = None
        if request:
            self.next_id += 1
            msg_id = message["id"] = self.next_id
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()
        return msg_id

    def wait(self, predicate: Any, timeout: float = 30.0) -> tuple[float, dict[str, Any]]:
        deadline = time.perf_counter() + timeout
        while True:
            received, message = self.messages.get(timeout=max(0.0, deadline - time.perf_counter()))
            if predicate(message):
                return received, message

    def initialize(self, root: Path, options: dict[str, Any] | None = None) -> float:
        """Send `initialize` at once (the server reads it when it is ready); seconds from start to answer."""
        msg_id = self.send("initialize", {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
            "initializationOptions": options or {},
        }, request=True)
        received, _ = self.wait(lambda m: m.get("id") == msg_id)
        self.send("initialized", {})
        return received - self.started

    def close(self) -> None:
        try:
            msg_id = self.send("shutdown", None, request=True)
            self.wait(lambda m: m.get("id") == msg_id, timeout=5)
            self.send("exit", None)
            self.process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - a benchmark cleans up whatever happened
            self.process.kill()


def document(db: Any, invented: bool) -> str:
    """A 30-key entitlements file: 29 real Boolean entitlements and one key that changes
    between an invented key (one diagnostic) and a 30th real one (none)."""
    keys = [e.key for e in db if e.value.type == "boolean" and e.owner == "developer"
            and "iOS" in e.platforms and not e.deprecated and not e.managed and not e.info_plist][:30]
    keys, real = keys[:29], keys[29]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
             '<plist version="1.0">', "<dict>"]
    for key in keys:
        lines += [f"\t<key>{key}</key>", "\t<true/>"]
    last = "com.apple.developer.made-up-thing" if invented else real
    lines += [f"\t<key>{last}</key>", "\t<true/>", "</dict>", "</plist>", ""]
    assert len(keys) == 29
    return "\n".join(lines)


def measure_changes(command: list[str], changes: int) -> list[float]:
    from entitlements_db import load

    db = load()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        uri = (root / "App.entitlements").as_uri()
        server = Server(command)
        try:
            server.initialize(root, {"platforms": ["iOS"]})
            server.send("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "xml", "version": 1, "text": document(db, True)}})
            server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
            latencies = []
            for version in range(2, changes + 2):
                text = document(db, invented=version % 2 == 1)
                sent = time.perf_counter()
                server.send("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": text}],
                })
                received, message = server.wait(
                    lambda m, v=version: m.get("method") == "textDocument/publishDiagnostics"
                    and m["params"].get("version") == v
                )
                expected = 1 if version % 2 == 1 else 0
                assert len(message["params"]["diagnostics"]) == expected, message
                latencies.append(received - sent)
        finally:
            server.close()
    return latencies


def measure_starts(command: list[str], starts: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(starts):
            server = Server(command)
            try:
                times.append(server.initialize(Path(folder)))
            finally:
                server.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200, help="didChange round trips (default 200)")
    parser.add_argument("--starts", type=int, default=5, help="fresh processes to time initialize (default 5)")
    args = parser.parse_args()
    script = shutil.which("entlint", path=os.path.dirname(sys.executable))
    commands = {"python -m entitlements_lint.main lsp": [sys.executable, "-m", "entitlements_lint.main", "lsp"]}
    if script:
        commands["entlint lsp"] = [script, "lsp"]
    # The same server without the typer CLI in front, to show what the CLI costs at start.
    commands["serve() without typer"] = [sys.executable, "-c", "from entitlements_lint.lsp import serve; serve()"]

    ok = True
    timings: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.starts):  # interleaved, so a busy moment does not favour one command
        for name, command in commands.items():
            timings[name] += measure_starts(command, 1)
    for name, starts in timings.items():
        median = statistics.median(starts)
        if "typer" not in name:  # the informational variant is not what editors run
            ok &= median <= INITIALIZE_TARGET
        print(f"initialize answered after start ({name}): median {median * 1000:.0f} ms, "
              f"min {min(starts) * 1000:.0f} ms, max {max(starts) * 1000:.0f} ms over {len(starts)} starts "
              f"(target ≤ {INITIALIZE_TARGET * 1000:.0f} ms)")
    from entitlements_lint.lsp import DEBOUNCE_SECONDS

    change_target = DEBOUNCE_SECONDS + LINT_TARGET
    latencies = sorted(measure_changes(commands["python -m entitlements_lint.main lsp"], args.changes))
    median = statistics.median(latencies)
    p90 = latencies[int(len(latencies) * 0.9) - 1]
    ok &= median <= change_target
    print(f"didChange → publishDiagnostics, 30 keys: median {median * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms over {len(latencies)} changes (target ≤ "
          f"{DEBOUNCE_SECONDS * 1000:.0f} ms debounce + {LINT_TARGET * 1000:.0f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
