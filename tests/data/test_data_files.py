"""Each file of data/ on its own: it parses, validates, and is named after its key.

Parametrised per file, so a failure names the file to fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from entitlements_db import build, models

DATA = build.DATA_DIR

#: Single files and the model each one must validate against.
SINGLE_FILES: dict[str, type[BaseModel]] = {
    "apple-internal.yaml": models.AppleInternal,
    "profile-keys.yaml": models.ProfileKeys,
    "info-plist/background-modes.yaml": models.BackgroundModes,
    "info-plist/keys.yaml": models.InfoPlistKeys,
    "wild-keys.yaml": models.WildKeys,
    "search-synonyms.yaml": models.Synonyms,
    "source-disagreements.yaml": models.SourceDisagreements,
    **{f"features/{path.name}": models.Features for path in sorted((DATA / "features").glob("*.yaml"))},
}
#: Folders of one-key-per-file YAML and their model.
KEYED_FOLDERS: dict[str, type[BaseModel]] = {
    "entitlements": models.Entitlement,
    "non-existent": models.NonExistent,
}


def _files(folder: str) -> list[Path]:
    return sorted((DATA / folder).iterdir())


def _id(path: Path) -> str:
    return str(path.relative_to(DATA))


KEYED = [(path, model) for folder, model in KEYED_FOLDERS.items() for path in _files(folder)]


def test_the_keyed_folders_are_not_empty() -> None:
    assert len(_files("entitlements")) > 200
    assert len(_files("non-existent")) >= 14  # at least Apple DTS's seed list


@pytest.mark.parametrize(("path", "model"), KEYED, ids=[_id(p) for p, _ in KEYED])
def test_keyed_file_validates_and_is_named_after_its_key(
    path: Path, model: type[BaseModel]
) -> None:
    # The build only globs *.yaml: a .yml or stray file would silently drop out of the bundle.
    assert path.is_file() and path.suffix == ".yaml", (
        f"{_id(path)}: only <key>.yaml files belong here"
    )
    entry = model.model_validate(build._read_yaml(path))
    assert path.stem == entry.key, f"{_id(path)}: file name and key {entry.key!r} differ"


@pytest.mark.parametrize("relative", sorted(SINGLE_FILES))
def test_single_file_validates(relative: str) -> None:
    SINGLE_FILES[relative].model_validate(build._read_yaml(DATA / relative))


def test_data_holds_no_file_the_build_would_ignore() -> None:
    known = {DATA / "VERSION"} | {DATA / r for r in SINGLE_FILES}
    known |= {path for path, _ in KEYED}
    known |= {build.SCHEMA_DIR / name for name in build.SCHEMAS}
    stray = sorted(_id(p) for p in DATA.rglob("*") if p.is_file() and p not in known)
    assert stray == [], "files in data/ that no model validates and no build step reads"


@pytest.mark.parametrize("folder", sorted(KEYED_FOLDERS))
def test_file_names_stay_distinct_on_case_insensitive_file_systems(folder: str) -> None:
    # macOS and Windows checkouts would merge two files that differ only in case.
    names = [p.name.lower() for p in _files(folder)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert duplicates == []


def test_version_file_is_a_dataset_version() -> None:
    text = (DATA / "VERSION").read_text(encoding="utf-8")
    assert text.endswith("\n") and text.count("\n") == 1
    match = re.fullmatch(r"(\d{4})\.(\d{2})\.(\d+)", text.strip())
    assert match, f"data/VERSION {text.strip()!r} is not YYYY.MM.PATCH"
    assert 1 <= int(match.group(2)) <= 12
