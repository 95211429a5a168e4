"""The Python API checks its arguments: paths as str or os.PathLike, text as str or bytes-like,
one platform as a plain string, and a plain TypeError or ValueError for anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from entitlements_lint import lint_artefact, lint_file, lint_text
from lint_helpers import plist

from entitlements_db import load

APS = plist("<key>aps-environment</key>\n<string>development</string>")


def rules(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.rule for f in result.findings]


# -- paths ----------------------------------------------------------------------------

def test_lint_file_takes_a_pathlib_path(isolated_cwd: Path) -> None:
    path = isolated_cwd / "App.entitlements"
    path.write_bytes(APS)
    as_path = lint_file(path, platforms="macOS")
    assert as_path.path == str(path) and not as_path.failed
    assert rules(as_path) == rules(lint_file(str(path), platforms="macOS")) == ["unavailable-on-platform"]


def test_lint_text_takes_a_pathlib_path_for_its_name(isolated_cwd: Path) -> None:
    info = plist("<key>UIBackgroundModes</key>\n<array>\n\t<string>background-fetch</string>\n</array>")
    result = lint_text(info, path=Path("App") / "Info.plist")
    assert result.kind == "info-plist" and result.path == "App/Info.plist"


def test_lint_artefact_takes_pathlib_paths(isolated_cwd: Path) -> None:
    (result,) = lint_artefact(isolated_cwd / "Missing.app", profile=isolated_cwd / "Missing.mobileprovision")
    assert result.failed and rules(result) == ["io-error"]


@pytest.mark.parametrize("call", [lint_file, lint_artefact])
@pytest.mark.parametrize(("value", "error", "message"), [
    (None, TypeError, "path must be a str or os.PathLike, not NoneType"),
    (42, TypeError, "path must be a str or os.PathLike, not int"),
    (b"App.entitlements", TypeError, "path must be a str or os.PathLike, not bytes"),
    ("", ValueError, "path must not be empty"),
    ("App\0.entitlements", ValueError, "path must not contain a NUL character"),
])
def test_a_bad_path_is_a_plain_error(isolated_cwd: Path, call, value: object, error: type, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as caught:
        call(value)
    assert str(caught.value) == message


def test_a_bad_profile_path_is_a_plain_error(isolated_cwd: Path) -> None:
    with pytest.raises(TypeError, match="^profile must be a str or os.PathLike, not int$"):
        lint_artefact(isolated_cwd / "X.app", profile=7)


# -- text -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [str, bytes, bytearray, memoryview])
def test_lint_text_takes_str_and_bytes_like(isolated_cwd: Path, kind: type) -> None:
    text = APS.decode() if kind is str else kind(APS)
    assert rules(lint_text(text, platforms="macOS")) == ["unavailable-on-platform"]


@pytest.mark.parametrize(("value", "name"), [(None, "NoneType"), (7, "int"), (["<plist/>"], "list")])
def test_lint_text_refuses_other_text(isolated_cwd: Path, value: object, name: str) -> None:
    with pytest.raises(TypeError) as caught:
        lint_text(value)  # type: ignore[arg-type]
    assert str(caught.value) == f"text must be str, bytes, bytearray or memoryview, not {name}"


def test_lint_text_refuses_a_lone_surrogate(isolated_cwd: Path) -> None:
    with pytest.raises(ValueError, match="lone surrogates"):
        lint_text(APS.decode().replace("development", "\ud800"))


# -- platforms and distribution --------------------------------------------------------

def test_one_platform_as_a_string_is_one_platform(isolated_cwd: Path) -> None:
    assert rules(lint_text(APS, platforms="macOS")) == rules(lint_text(APS, platforms=["macOS"]))
    assert rules(lint_text(APS, platforms="macOS")) == ["unavailable-on-platform"]
    assert rules(lint_text(APS, platforms="iOS")) == []  # not the letters i, O, S
    assert rules(lint_text(APS, platforms=("iOS", "iPadOS"))) == []
    assert rules(lint_text(APS, platforms="macosx")) == ["unavailable-on-platform"]  # Xcode's name


@pytest.mark.parametrize(("platforms", "error", "message"), [
    (7, TypeError, "platforms must be a platform name (str) or a list of them, not int"),
    (b"iOS", TypeError, "platforms must be a platform name (str) or a list of them, not bytes"),
    (["iOS", None], TypeError, "platforms must hold platform names (str), not NoneType"),
    ("Symbian", ValueError, "platforms: unknown platform 'Symbian' (one of iOS, iPadOS, macOS, macCatalyst, tvOS, watchOS, visionOS)"),
])
def test_bad_platforms_are_plain_errors(isolated_cwd: Path, platforms: object, error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        lint_text(APS, platforms=platforms)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_bad_distribution_is_a_plain_error(isolated_cwd: Path) -> None:
    with pytest.raises(TypeError, match="^distribution must be a str or None, not list$"):
        lint_text(APS, distribution=["app-store"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown distribution 'store'"):
        lint_text(APS, distribution="store")


# -- the database ----------------------------------------------------------------------

def test_suggest_takes_one_platform_or_several() -> None:
    db = load()
    key = "com.apple.developer.push-notifications"
    assert db.suggest(key, "macOS") == db.suggest(key, ["macOS"]) == db.suggest(key, ("macosx",))
    assert db.suggest(key, "macOS")[0].key == "com.apple.developer.aps-environment"


@pytest.mark.parametrize(("args", "error", "message"), [
    ((None,), TypeError, "key must be a str, not NoneType"),
    (("x", 7), TypeError, "platform must be a platform name (str) or a list of them, not int"),
    (("x", "Symbian"), ValueError, "platform: unknown platform 'Symbian'"),
    (("x", None, -1), ValueError, "limit must be a whole number, 0 or more"),
])
def test_suggest_checks_its_arguments(args: tuple[object, ...], error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        load().suggest(*args)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_filter_checks_its_arguments() -> None:
    db = load()
    assert db.filter(platform="macosx") == db.filter(platform="macOS")
    with pytest.raises(TypeError, match="^platform must be one platform name"):
        db.filter(platform=["macOS"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown platform 'Symbian'"):
        db.filter(platform="Symbian")
    with pytest.raises(ValueError, match="unknown distribution 'store'"):
        db.filter(distribution="store")
    with pytest.raises(TypeError, match="^managed must be True, False or None"):
        db.filter(managed="yes")  # type: ignore[arg-type]


def test_search_checks_its_platform() -> None:
    db = load()
    assert [r.as_dict() for r in db.search("app groups", platform="Mac Catalyst")] == [
        r.as_dict() for r in db.search("app groups", platform="macCatalyst")]
    with pytest.raises(TypeError, match="^platform must be one platform name"):
        db.search("app groups", platform=7)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown platform 'Symbian'"):
        db.search("app groups", platform="Symbian")


def test_a_replacement_takes_one_platform_as_a_string() -> None:
    db = load()
    only_mac = next((r for n in db.non_existent_keys() for r in n.replacements if r.platforms == ["macOS"]), None)
    assert only_mac is not None, "the catalogue has macOS-only replacements (e.g. the macOS push key)"
    assert only_mac.applies_to("macOS") and only_mac.applies_to(["macOS"])
    assert not only_mac.applies_to("iOS")  # "iOS" is not the letters i, O and S
