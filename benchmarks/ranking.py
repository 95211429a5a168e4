"""How often the feature index puts an acceptable answer first (issue 9).

    python benchmarks/ranking.py             # shares and timings
    python benchmarks/ranking.py --misses    # also every entry whose first answer is wrong
    python benchmarks/ranking.py --set benchmarks/heldout/invented-keys-2026-12.yaml
                                             # score another set of invented keys (held out)

Reads the development sets in tests/data/ (invented-keys.yaml: invented keys with the
replacements accepted first; feature-phrases.yaml: search phrases with the answers accepted
first) and prints, for ENT001 suggestions and for `Database.search`: the share reported (keys
only: an ENT001/ENT002/ENT003 finding), the share right first, the share right in the top 3,
and the median time per query after load. Targets (issue 9): keys ≥ 97 % reported and ≥ 90 %
right first; phrases ≥ 85 % right first and ≥ 95 % in the top 3; suggest() < 1 ms and
search < 5 ms per query, also for random keys up to the 128-character limit (bounded work).
tests/db/test_ranking_floor.py imports the judging functions here
and keeps the right-first shares from falling; timing is measured only here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
KEYS_FILE = REPO / "tests" / "data" / "invented-keys.yaml"
PHRASES_FILE = REPO / "tests" / "data" / "feature-phrases.yaml"
REPORTING = frozenset({"ENT001", "ENT002", "ENT003"})


def read_set(path: Path, field: str) -> list[dict[str, Any]]:
    from ruamel.yaml import YAML

    with path.open(encoding="utf-8") as fh:
        return list(YAML(typ="safe").load(fh)[field])


def _accepts_key(accepted: str, key: str | None) -> bool:
    if key is None:
        return False
    return key.startswith(accepted[:-1]) if accepted.endswith("*") else key == accepted


def suggestion_fits(accept: list[str], suggestion: Any) -> bool:
    """Whether a :class:`entitlements_db.suggest.Suggestion` is one of the accepted answers."""
    for accepted in accept:
        if accepted == "none" and suggestion.kind == "none":
            return True
        if accepted.startswith("info-plist:"):
            if suggestion.kind == "info-plist-key" and suggestion.key == accepted.split(":", 1)[1]:
                return True
        elif suggestion.kind == "entitlement" and _accepts_key(accepted, suggestion.key):
            return True
    return False


def result_fits(accept: list[str], result: Any) -> bool:
    """Whether a :class:`entitlements_db.features.SearchResult` is one of the accepted answers."""
    for accepted in accept:
        if accepted.startswith("none:"):
            if result.kind == "no-entitlement" and result.name == accepted.split(":", 1)[1]:
                return True
        elif result.kind == "entitlement" and _accepts_key(accepted, result.key):
            return True
    return False


def first_fit(fits: list[bool]) -> int | None:
    """Position of the first acceptable answer (0 = first), or None."""
    return next((i for i, ok in enumerate(fits) if ok), None)


def judge_key(db: Any, entry: dict[str, Any]) -> int | None:
    platform = entry.get("platform")
    found = db.suggest(entry["key"], platform, limit=3)
    return first_fit([suggestion_fits(entry["accept"], s) for s in found])


def judge_phrase(db: Any, entry: dict[str, Any]) -> int | None:
    found = db.search(entry["phrase"], platform=entry.get("platform"), limit=3)
    return first_fit([result_fits(entry["accept"], r) for r in found])


def reported(db: Any, entry: dict[str, Any]) -> bool:
    """Whether `entlint check` reports the invented key at all (ENT001, ENT002 or ENT003)."""
    from entitlements_lint import engine
    from entitlements_lint.config import Settings

    key = entry["key"].replace("&", "&amp;").replace("<", "&lt;")
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
        f"\t<key>{key}</key>\n\t<true/>\n</dict>\n</plist>\n"
    ).encode()
    platform = entry.get("platform")
    settings = Settings(platforms=(platform,) if platform else None)
    result = engine.lint_bytes(data, "App.entitlements", settings, db)
    return any(f.code in REPORTING for f in result.findings)


def shares(ranks: list[int | None]) -> tuple[float, float]:
    """(share right first, share right in the top 3)."""
    total = len(ranks) or 1
    return sum(r == 0 for r in ranks) / total, sum(r is not None and r < 3 for r in ranks) / total


def _times_us(function: Any, items: list[Any], repeat: int) -> tuple[float, float]:
    """(median, 95th percentile) of one call, in microseconds."""
    times = []
    for _ in range(repeat):
        for item in items:
            start = time.perf_counter()
            function(item)
            times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times) * 1e6, times[int(len(times) * 0.95)] * 1e6


def hostile_keys(count: int = 200) -> list[str]:
    """Invented keys of up to 128 characters that match nothing: the bounded-work case."""
    import random

    rng = random.Random(9)
    letters = "abcdefghijklmnopqrstuvwxyz.-_"
    return [
        "com.apple.developer." + "".join(rng.choice(letters) for _ in range(rng.choice((12, 40, 108))))
        for _ in range(count)
    ]


def score_set(db: Any, path: Path, misses: bool) -> int:
    """Print the shares for one set of invented keys, such as a held-out set, without timings."""
    keys = read_set(path, "keys")
    ranks = [judge_key(db, e) for e in keys]
    first, top3 = shares(ranks)
    share_reported = sum(reported(db, e) for e in keys) / (len(keys) or 1)
    print(f"{path.name}: {len(keys)} invented keys")
    print(f"  reported            {share_reported:6.1%}")
    print(f"  right first         {first:6.1%}   ({sum(r == 0 for r in ranks)} of {len(keys)})")
    print(f"  right in the top 3  {top3:6.1%}")
    if misses:
        for entry, rank in zip(keys, ranks):
            if rank != 0:
                got = [(s.kind, s.key) for s in db.suggest(entry["key"], entry.get("platform"), limit=3)]
                print(f"MISS key {entry['key']} [{entry.get('platform', '-')}] → {got}  (want {entry['accept']})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list every entry not right first")
    parser.add_argument("--repeat", type=int, default=5, help="timing repetitions (default: 5)")
    parser.add_argument("--set", type=Path, metavar="PATH",
                        help="score only this set of invented keys (same format as the development set)")
    args = parser.parse_args(argv)
    import entitlements_db

    db = entitlements_db.load()
    if args.set is not None:
        return score_set(db, args.set, args.misses)
    keys, phrases = read_set(KEYS_FILE, "keys"), read_set(PHRASES_FILE, "phrases")
    db.suggest("com.apple.developer.warm-up")  # the index is built on first use: not timed
    key_ranks = [judge_key(db, e) for e in keys]
    phrase_ranks = [judge_phrase(db, e) for e in phrases]
    catalogued = [db.non_existent(e["key"]) is not None for e in keys]
    fresh = [r for r, c in zip(key_ranks, catalogued) if not c]
    share_reported = sum(reported(db, e) for e in keys) / len(keys)
    first, top3 = shares(key_ranks)
    fresh_first, _ = shares(fresh)
    p_first, p_top3 = shares(phrase_ranks)
    suggest_us = _times_us(lambda e: db.suggest(e["key"], e.get("platform")), keys, args.repeat)
    search_us = _times_us(lambda e: db.search(e["phrase"], platform=e.get("platform")), phrases, args.repeat)
    hostile = hostile_keys()
    hostile_us = _times_us(lambda k: (db.suggest(k), db.search(k)), hostile, args.repeat)
    print(f"invented keys: {len(keys)} ({sum(catalogued)} also in the catalogue)")
    print(f"  reported            {share_reported:6.1%}   target ≥ 97 %")
    print(f"  right first         {first:6.1%}   target ≥ 90 %   (not catalogued: {fresh_first:.1%} of {len(fresh)})")
    print(f"  right in the top 3  {top3:6.1%}")
    print(f"  suggest() median    {suggest_us[0]:6.0f} µs  target < 1000 µs   (95th percentile {suggest_us[1]:.0f} µs)")
    print(f"feature phrases: {len(phrases)}")
    print(f"  right first         {p_first:6.1%}   target ≥ 85 %")
    print(f"  right in the top 3  {p_top3:6.1%}   target ≥ 95 %")
    print(f"  search() median     {search_us[0]:6.0f} µs  target < 5000 µs   (95th percentile {search_us[1]:.0f} µs)")
    print(f"hostile keys (random, up to 128 characters): suggest() + search() median {hostile_us[0]:.0f} µs, "
          f"95th percentile {hostile_us[1]:.0f} µs")
    if args.misses:
        for entry, rank in zip(keys, key_ranks):
            if rank != 0:
                got = [(s.kind, s.key) for s in db.suggest(entry["key"], entry.get("platform"), limit=3)]
                print(f"MISS key {entry['key']} [{entry.get('platform', '-')}] → {got}  (want {entry['accept']})")
        for entry, rank in zip(phrases, phrase_ranks):
            if rank != 0:
                got = [(r.kind, r.key or r.name) for r in db.search(entry["phrase"], entry.get("platform"), limit=3)]
                print(f"MISS phrase {entry['phrase']!r} [{entry.get('platform', '-')}] → {got}  (want {entry['accept']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
