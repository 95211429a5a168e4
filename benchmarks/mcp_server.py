"""Speed of `entlint mcp`, measured through the SDK's stdio client as an agent meets it.

    python benchmarks/mcp_server.py           # needs pip install 'entlint[mcp]'

Targets (issue 13): the server is ready (spawn → initialize answered) in < 1.5 s;
each tool answers in < 20 ms after start (median of repeated calls, round trip included).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "MyApp" / "MyApp" / "MyApp.entitlements"
PARAMS = StdioServerParameters(command=sys.executable, args=["-m", "entitlements_lint.main", "mcp"])
CALLS = {
    "lookup_entitlement": {"key": "com.apple.developer.push-notifications", "platform": "macOS"},
    "find_entitlement": {"description": "let users sign in with their Apple ID", "platform": "iOS"},
    "check_entitlements": {"content": EXAMPLE.read_text(encoding="utf-8"), "platforms": ["iOS"]},
    "capability_requirements": {"capability": "App Groups", "platform": "macOS"},
}


async def ready_time() -> float:
    start = time.perf_counter()
    async with stdio_client(PARAMS) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        return (time.perf_counter() - start) * 1000


async def tool_times(repeat: int) -> dict[str, float]:
    async with stdio_client(PARAMS) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        times: dict[str, float] = {}
        for name, arguments in CALLS.items():
            await session.call_tool(name, arguments)  # first call warms lazily built indexes
            samples = []
            for _ in range(repeat):
                start = time.perf_counter()
                await session.call_tool(name, arguments)
                samples.append((time.perf_counter() - start) * 1000)
            times[name] = statistics.median(samples)
        return times


def main() -> int:
    ready = statistics.median(anyio.run(ready_time) for _ in range(5))
    ok = ready < 1500
    print(f"server ready: {ready:7.1f} ms  (target < 1500 ms)  {'ok' if ok else 'SLOW'}")
    for name, ms in anyio.run(tool_times, 30).items():
        ok &= ms < 20
        print(f"{name:<24} {ms:6.2f} ms  (target < 20 ms)  {'ok' if ms < 20 else 'SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
