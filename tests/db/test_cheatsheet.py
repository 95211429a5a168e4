"""`entlint db export --format markdown`: a cheat sheet an agent can be given."""

from __future__ import annotations

import re

from entitlements_db import load
from entitlements_db.cheatsheet import render
from entitlements_lint.main import main

LINE = re.compile(r"^- `([^`]+)` ")


def _keys(section: str) -> list[str]:
    return [m.group(1) for line in section.splitlines() if (m := LINE.match(line))]


def test_lists_every_real_developer_key_once_and_every_invented_key_with_a_replacement() -> None:
    db = load()
    real, invented = render(db).split("## Keys that do not exist")
    assert _keys(real) == [e.key for e in db if e.owner == "developer"]
    assert _keys(invented) == [n.key for n in db.non_existent_keys()]
    assert all("→" in line for line in invented.splitlines() if line.startswith("- "))
    assert "application-identifier`" not in real, "profile-owned keys are never offered"


def test_platform_filter_keeps_only_keys_documented_there() -> None:
    db = load()
    tvos = _keys(render(db, "tvOS").split("## Keys that do not exist")[0])
    assert tvos and all(db[k].available_on("tvOS") for k in tvos)
    assert "com.apple.security.app-sandbox" not in tvos


def test_managed_and_value_types_are_on_each_line() -> None:
    text = render(load(), "iOS")
    assert re.search(r"^- `com\.apple\.developer\.healthkit` \(boolean[^)]*\)", text, re.M)
    carplay = [line for line in text.splitlines() if "Apple must approve" in line]
    assert carplay, "managed keys are marked"


def test_cli_prints_it_and_rejects_bad_options(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["db", "export", "--format", "markdown", "--platform", "xros"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Apple entitlements for visionOS")
    assert main(["db", "export", "--format", "yaml"]) == 2
    assert main(["db", "export", "--platform", "iOS"]) == 2
    assert "only with --format markdown" in capsys.readouterr().err
