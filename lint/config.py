"""Configuration: ``[tool.entlint]`` in pyproject.toml, or ``.entlint.toml``, found upward.

Suppressions live here and never in the linted files: a comment inside an
``.entitlements`` file can break signing (see rule ENT104).
"""

from __future__ import annotations

import fnmatch
import os

from entitlements_db.database import DISTRIBUTIONS, PLATFORM_ALIASES
from entitlements_lint.findings import SEVERITIES
from entitlements_lint.rules import ALL_RULES
from entitlements_lint.rules.base import Rule

TYPE_CHECKING = False  # typing costs milliseconds at start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

CONFIG_FILES = (".entlint.toml", "pyproject.toml")
KNOWN_KEYS = {
    "platforms",
    "distribution",
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "granted",
    "severity",
    "fail-level",
}


#: Each key of ``[tool.entlint]`` and the Settings attribute it sets (extend-select adds to select).
SETTING_ATTRIBUTES = {
    "platforms": "platforms",
    "distribution": "distribution",
    "select": "select",
    "ignore": "ignore",
    "per-file-ignores": "per_file_ignores",
    "granted": "granted",
    "severity": "severity",
    "fail-level": "fail_level",
}


class ConfigError(ValueError):
    """Bad configuration or options; shown as is, exit code 2 (a ValueError for the Python API)."""


class Settings:
    """Resolved settings for one file: what to check and what we know of its target."""

    def __init__(
        self,
        platforms: tuple[str, ...] | None = None,
        distribution: str | None = None,
        select: Sequence[str] = ("ALL",),
        ignore: Sequence[str] = (),
        per_file_ignores: Sequence[tuple[str, tuple[str, ...]]] = (),
        granted: Iterable[str] = (),
        severity: dict[str, str] | None = None,
        fail_level: str = "warning",
        root: str = "",
        source: str | None = None,
    ) -> None:
        self.platforms = platforms
        self.distribution = distribution
        self.select = tuple(select)
        self.ignore = tuple(ignore)
        self.per_file_ignores = tuple(per_file_ignores)
        self.granted = frozenset(granted)
        self.severity = severity or {}
        self.fail_level = fail_level
        self.root = root
        self.source = source
        self._rules_cache: tuple[tuple[tuple[str, ...], tuple[str, ...]], list[Rule]] | None = None

    def rules_for(self, path: str) -> list[Rule]:
        """The rules enabled for ``path``, after select, ignore and per-file-ignores."""
        if not self.per_file_ignores:
            key = (self.select, self.ignore)
            if self._rules_cache is None or self._rules_cache[0] != key:
                self._rules_cache = (key, self._enabled(list(self.ignore)))
            return self._rules_cache[1]
        ignored = list(self.ignore)
        relative = os.path.relpath(os.path.abspath(path), self.root or os.getcwd()).replace(os.sep, "/")
        for pattern, selectors in self.per_file_ignores:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern):
                ignored.extend(selectors)
        return self._enabled(ignored)

    def _enabled(self, ignored: list[str]) -> list[Rule]:
        return [rule for rule in ALL_RULES if _matches(rule, self.select) and not _matches(rule, ignored)]

    def severity_of(self, code: str, name: str, default: str) -> str:
        return self.severity.get(code) or self.severity.get(name) or default


def _matches(rule: Rule, selectors: Iterable[str]) -> bool:
    for selector in selectors:
        if selector == "ALL" or selector == rule.name or rule.code.startswith(selector.upper()):
            return True
    return False


def validate_selector(selector: str, origin: str) -> str:
    if selector == "ALL" or any(r.name == selector or r.code.startswith(selector.upper()) for r in ALL_RULES):
        return selector
    raise ConfigError(f"{origin}: unknown rule code, prefix or name {selector!r} (see `entlint rules`)")


def platform_name(text: str, origin: str) -> str:
    name = PLATFORM_ALIASES.get(text.lower())
    if name is None:
        choices = ", ".join(sorted(set(PLATFORM_ALIASES.values())))
        raise ConfigError(f"{origin}: unknown platform {text!r} (one of {choices})")
    return name


def distribution_name(text: str, origin: str) -> str:
    name = text.lower().replace("_", "-").replace("adhoc", "ad-hoc").replace("enterprise", "in-house")
    if name not in DISTRIBUTIONS:
        raise ConfigError(f"{origin}: unknown distribution {text!r} (one of {', '.join(DISTRIBUTIONS)})")
    return name


def severity_name(text: str, origin: str) -> str:
    if text not in SEVERITIES:
        raise ConfigError(f"{origin}: unknown severity {text!r} (one of {', '.join(SEVERITIES)})")
    return text


def _strings(value: Any, origin: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ConfigError(f"{origin}: expected a string or a list of strings")


def _with_guess(key: str) -> str:
    """`platform` (did you mean `platforms`?): the setting a typo or a singular most likely meant."""
    import difflib

    close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.7)
    return f"{key} (did you mean {close[0]}?)" if close else key


def settings_from_table(table: dict[str, Any], source: str, root: str) -> Settings:
    """Validate a ``[tool.entlint]`` table; every mistake is a ConfigError naming the file."""
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(_with_guess(k) for k in sorted(unknown))}"
                          f" (known: {', '.join(sorted(KNOWN_KEYS))})")
    platforms = None
    if "platforms" in table:
        platforms = tuple(platform_name(p, f"{source}: platforms") for p in _strings(table["platforms"], f"{source}: platforms"))
    distribution = None
    if "distribution" in table:
        if not isinstance(table["distribution"], str):
            raise ConfigError(f"{source}: distribution: expected a string")
        distribution = distribution_name(table["distribution"], source)
    select = [validate_selector(s, f"{source}: select") for s in _strings(table.get("select", ["ALL"]), f"{source}: select")]
    select += [validate_selector(s, f"{source}: extend-select") for s in _strings(table.get("extend-select", []), f"{source}: extend-select")]
    ignore = [validate_selector(s, f"{source}: ignore") for s in _strings(table.get("ignore", []), f"{source}: ignore")]
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{source}: per-file-ignores: expected a table of pattern = [rules]")
    per_file_ignores = [
        (pattern, tuple(validate_selector(s, f"{source}: per-file-ignores") for s in _strings(v, f"{source}: per-file-ignores")))
        for pattern, v in per_file.items()
    ]
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{source}: severity: expected a table of rule = severity")
    overrides = {}
    for selector, level in severity.items():
        rule = next((r for r in ALL_RULES if selector in (r.code, r.name)), None)
        if rule is None:
            raise ConfigError(f"{source}: severity: unknown rule {selector!r}")
        overrides[rule.code] = severity_name(str(level), f"{source}: severity")
    fail_level = severity_name(str(table.get("fail-level", "warning")), f"{source}: fail-level")
    granted = _strings(table.get("granted", []), f"{source}: granted")
    return Settings(platforms, distribution, select, ignore, per_file_ignores, granted, overrides, fail_level, root, source)


def read_toml(path: str) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def load_config_file(path: str) -> Settings:
    data = read_toml(path)
    root = os.path.dirname(os.path.abspath(path))
    if os.path.basename(path) == "pyproject.toml":
        table = data.get("tool", {}).get("entlint")
        if table is None:  # named with --config (discovery skips such files): surely a mistake
            raise ConfigError(f"{path}: no [tool.entlint] table")
    else:
        table = data.get("tool", {}).get("entlint", data)
    return settings_from_table(table, path, root)


class ConfigFinder:
    """Finds the configuration that governs each file, reading each file once."""

    def __init__(self) -> None:
        self._by_dir: dict[str, Settings] = {}

    def for_path(self, path: str) -> Settings:
        directory = os.path.dirname(os.path.abspath(path))
        visited = []
        found: Settings | None = None
        current = directory
        while True:
            if current in self._by_dir:
                found = self._by_dir[current]
                break
            visited.append(current)
            found = self._in_directory(current)
            if found is not None:
                break
            parent = os.path.dirname(current)
            if parent == current:
                found = Settings(root=os.getcwd())
                break
            current = parent
        for seen in visited:
            self._by_dir[seen] = found
        return found

    @staticmethod
    def _in_directory(directory: str) -> Settings | None:
        for name in CONFIG_FILES:
            candidate = os.path.join(directory, name)
            if not os.path.isfile(candidate):
                continue
            if name == "pyproject.toml":
                if b"entlint" not in _head(candidate):  # most pyproject.toml files: no need to parse them
                    continue
                if not isinstance(read_toml(candidate).get("tool", {}).get("entlint"), dict):
                    continue  # `entlint` elsewhere, such as a dependency; `[tool]` with `entlint = {...}` counts
            return load_config_file(candidate)
        return None


def _head(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(1 << 20)
    except OSError:
        return b""
