"""Build step: validate ``data/`` and write the JSON bundle the library ships.

Run ``python -m entitlements_db.build`` (or ``entlint db build``) after editing data.
This is the only module that parses YAML; the lint path reads the bundle.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from entitlements_db import models

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
BUNDLE_PATH = Path(__file__).resolve().parent / "bundle.json"
#: The feature index's data, read only when a search or suggestion is first asked for.
FEATURES_PATH = Path(__file__).resolve().parent / "features.json"
SCHEMA_DIR = DATA_DIR / "schema"
BUNDLE_FORMAT = 1

#: JSON Schema files generated into data/schema/, one per kind of data file.
SCHEMAS: dict[str, type[BaseModel]] = {
    "entitlement.json": models.Entitlement,
    "non-existent.json": models.NonExistent,
    "apple-internal.json": models.AppleInternal,
    "profile-keys.json": models.ProfileKeys,
    "background-modes.json": models.BackgroundModes,
    "info-plist-keys.json": models.InfoPlistKeys,
    "wild-keys.json": models.WildKeys,
    "features.json": models.Features,
    "search-synonyms.json": models.Synonyms,
    "source-disagreements.json": models.SourceDisagreements,
}

#: Classes of data/wild-keys.yaml whose counts go into the bundle's usage prior. Only keys
#: that are real entitlements: the prior ranks suggestions and search results among real
#: keys, and a count on an invented key would only ever be read as a hint that it works.
USAGE_CLASSES = ("real", "deprecated")


class DataError(Exception):
    """The data folder holds a file that does not validate; the message names it."""


@dataclass(frozen=True)
class Dataset:
    version: str
    entitlements: list[models.Entitlement]
    non_existent: list[models.NonExistent]
    apple_internal: models.AppleInternal
    profile_keys: models.ProfileKeys
    background_modes: models.BackgroundModes
    info_plist_keys: models.InfoPlistKeys
    wild_keys: models.WildKeys
    features: list[models.Feature] = ()  # type: ignore[assignment]
    synonyms: models.Synonyms | None = None


def _read_yaml(path: Path) -> Any:
    try:
        return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from exc


def _validate(path: Path, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise DataError(f"{path}: {exc}") from exc


def _keyed_folder(folder: Path, model: type[BaseModel]) -> list[Any]:
    """Load a folder of one-key-per-file YAML, checking each file is named after its key."""
    entries = []
    for path in sorted(folder.glob("*.yaml")):
        entry = _validate(path, model)
        if path.stem != entry.key:  # type: ignore[attr-defined]
            raise DataError(f"{path}: file name does not match key {entry.key!r}")  # type: ignore[attr-defined]
        entries.append(entry)
    return sorted(entries, key=lambda e: e.key)


def load_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    """Read and validate every data file (raises DataError naming the first bad file)."""
    return Dataset(
        version=(data_dir / "VERSION").read_text(encoding="utf-8").strip(),
        entitlements=_keyed_folder(data_dir / "entitlements", models.Entitlement),
        non_existent=_keyed_folder(data_dir / "non-existent", models.NonExistent),
        apple_internal=_validate(data_dir / "apple-internal.yaml", models.AppleInternal),
        profile_keys=_validate(data_dir / "profile-keys.yaml", models.ProfileKeys),
        background_modes=_validate(
            data_dir / "info-plist" / "background-modes.yaml", models.BackgroundModes
        ),
        info_plist_keys=_validate(data_dir / "info-plist" / "keys.yaml", models.InfoPlistKeys),
        wild_keys=_validate(data_dir / "wild-keys.yaml", models.WildKeys),
        features=_features(data_dir / "features"),
        synonyms=_validate(data_dir / "search-synonyms.yaml", models.Synonyms)
        if (data_dir / "search-synonyms.yaml").exists() else None,
    )


def usage(dataset: Dataset) -> dict[str, int]:
    """The usage prior: how many public projects write each real key (data/wild-keys.yaml).

    Only keys that are real entries of ``data/entitlements`` count, so a key the wild-key
    list classes real before its entry lands stays out of the prior until it does."""
    real = {e.key for e in dataset.entitlements}
    return {
        k.key: k.count
        for k in dataset.wild_keys.keys
        if k.class_ in USAGE_CLASSES and k.key in real
    }


def _features(folder: Path) -> list[models.Feature]:
    """Every feature of data/features/*.yaml; ids are unique across the files."""
    found: dict[str, models.Feature] = {}
    for path in sorted(folder.glob("*.yaml")):
        for feature in _validate(path, models.Features).features:
            if feature.id in found:
                raise DataError(f"{path}: feature id {feature.id!r} is used twice")
            found[feature.id] = feature
    return [found[k] for k in sorted(found)]


def features_document(dataset: Dataset) -> dict[str, Any]:
    """The compact JSON the feature index reads (entitlements_db/features.json).

    Keys a feature names that the dataset does not hold are left out here, so the index never
    offers an unknown key; tests/data/test_data_integrity.py fails until their entries land.
    """
    real = {e.key for e in dataset.entitlements}
    ids = set()
    features = []
    for feature in dataset.features:
        ids.add(feature.id)
        item: dict[str, Any] = {
            "id": feature.id,
            "names": [[n.name, n.kind] for n in feature.names],
            "keys": [[k.key, k.platforms] for k in feature.keys if k.key in real],
        }
        if feature.info_plist:
            item["info_plist"] = [_dump(i) for i in feature.info_plist]
        if feature.no_entitlement is not None:
            item["no_entitlement"] = feature.no_entitlement
            item["special_cases"] = [
                {"key": k.key, "platforms": k.platforms, "note": k.note} for k in feature.special_cases if k.key in real
            ]
        elif not feature.keys and feature.info_plist:
            # A capability that writes only Info.plist keys (Game Controllers) needs no entitlement:
            # say so, or an invented key for it is matched to a real key that merely looks alike.
            item["no_entitlement"] = _info_plist_only(feature)
            item["special_cases"] = []
        if feature.keys and not item["keys"] and feature.no_entitlement is None:
            continue  # every key it names is still missing from data/entitlements
        features.append(item)
    synonyms = []
    for synonym in dataset.synonyms.synonyms if dataset.synonyms else ():
        unknown = [t for t in synonym.targets if t not in ids and t not in real]
        if unknown:
            raise DataError(f"search-synonyms.yaml: {synonym.phrase!r} names no feature or key: {unknown}")
        synonyms.append([synonym.phrase, synonym.targets])
    words = [[w.word, w.means] for w in dataset.synonyms.words] if dataset.synonyms else []
    return {"version": dataset.version, "features": features, "synonyms": synonyms, "words": words}


def _info_plist_only(feature: models.Feature) -> str:
    """What to do instead of an entitlement, for a feature whose only set-up is Info.plist keys."""
    keys = list(dict.fromkeys(i.key + (f" ({i.value})" if i.value else "") for i in feature.info_plist))
    listed = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]
    return f"{feature.names[0].name} needs no entitlement: add {listed} to Info.plist."


def render_features(dataset: Dataset) -> str:
    return json.dumps(features_document(dataset), ensure_ascii=False, separators=(",", ":")) + "\n"


def _dump(model: BaseModel) -> Any:
    return model.model_dump(mode="json", exclude_none=True, by_alias=True)


def bundle(dataset: Dataset) -> dict[str, Any]:
    """The JSON document shipped in the package (deterministic: no timestamps)."""
    body: dict[str, Any] = {
        "entitlements": [_dump(e) for e in dataset.entitlements],
        "non_existent": [_dump(n) for n in dataset.non_existent],
        "apple_internal": _dump(dataset.apple_internal),
        "profile_keys": _dump(dataset.profile_keys),
        "info_plist": {
            "background_modes": _dump(dataset.background_modes),
            "keys": _dump(dataset.info_plist_keys),
        },
        "usage": usage(dataset),
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    meta = {
        "format": BUNDLE_FORMAT,
        "version": dataset.version,
        "digest": f"sha256:{digest}",
        "counts": {
            "entitlements": len(dataset.entitlements),
            "non_existent": len(dataset.non_existent),
            "apple_internal_keys": len(dataset.apple_internal.keys),
            "apple_internal_prefixes": len(dataset.apple_internal.prefixes),
            "profile_keys": len(dataset.profile_keys.keys),
            "background_modes": len(dataset.background_modes.modes),
            "info_plist_keys": len(dataset.info_plist_keys.keys),
            "usage_keys": len(body["usage"]),
        },
    }
    return {"meta": meta, **body}


def render_bundle(dataset: Dataset) -> str:
    return json.dumps(bundle(dataset), ensure_ascii=False, separators=(",", ":")) + "\n"


def render_schemas() -> dict[str, str]:
    """JSON Schema text for each kind of data file, keyed by file name."""
    return {
        name: json.dumps(TypeAdapter(model).json_schema(), indent=2, sort_keys=True) + "\n"
        for name, model in SCHEMAS.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m entitlements_db.build",
        description="Validate data/ and write the bundled JSON and the JSON Schema.",
    )
    parser.add_argument("--check", action="store_true", help="fail if the outputs are stale")
    args = parser.parse_args(argv)
    if not (DATA_DIR / "VERSION").is_file():
        print(f"error: no dataset at {DATA_DIR}: the build step runs from a source checkout", file=sys.stderr)
        return 2
    try:
        dataset = load_dataset()
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    outputs = {BUNDLE_PATH: render_bundle(dataset), FEATURES_PATH: render_features(dataset)}
    outputs.update({SCHEMA_DIR / name: text for name, text in render_schemas().items()})
    stale = [path for path, text in outputs.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(REPO_ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(outputs[path], encoding="utf-8")
    counts = json.loads(outputs[BUNDLE_PATH])["meta"]["counts"]
    print(f"dataset {dataset.version}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
