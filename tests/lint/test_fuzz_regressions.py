"""Inputs a fuzzer built from the fixtures that once escaped as exceptions (a traceback, or
"internal error" on the command line). Each is now one syntax-error or io-error finding."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest
from lint_helpers import check, plist

from entitlements_lint import lint_artefact, lint_text

GOOD = plist("<key>com.apple.developer.push-notifications</key>\n<true/>")


def _binary_with_integer_key() -> bytes:
    """``{"k": true}`` whose key object, a one-letter ASCII string, is rewritten as integer 1."""
    data = plistlib.dumps({"k": True}, fmt=plistlib.FMT_BINARY)
    assert data.count(b"\x51k") == 1
    return data.replace(b"\x51k", b"\x10\x01")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(GOOD.replace(b'encoding="UTF-8"', b'encoding="UTF-9"'),
                     "the XML declaration names an unknown encoding", id="unknown-xml-encoding"),
        pytest.param(_binary_with_integer_key(), "a dictionary key is not a string", id="binary-non-string-key"),
    ],
)
def test_one_syntax_error_and_no_echo(data: bytes, message: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    result = lint_text(data)
    assert result.failed
    assert [(f.rule, f.message) for f in result.findings] == [("syntax-error", result.findings[0].message)]
    assert message in result.findings[0].message
    assert "UTF-9" not in result.findings[0].message
    (tmp_path / "Bad.entitlements").write_bytes(data)
    (tmp_path / "Good.entitlements").write_bytes(GOOD)
    code, out, _ = check(["--isolated", tmp_path / "Bad.entitlements", tmp_path / "Good.entitlements"], capsys)
    assert code == 2
    assert "internal error" not in out
    assert out.count("Bad.entitlements") == 1


PBXPROJ = """// !$*UTF8*$!
{
	objects = {
		P = { isa = PBXProject; buildConfigurationList = PL; targets = ( T ); };
		PL = { isa = XCConfigurationList; buildConfigurations = ( PC ); };
		PC = { isa = XCBuildConfiguration; name = Release; buildSettings = { SDKROOT = iphoneos; }; };
		T = { isa = PBXNativeTarget; name = App; productType = "com.apple.product-type.application";
		      buildConfigurationList = TL; };
		TL = { isa = XCConfigurationList; buildConfigurations = ( TC ); };
		TC = { isa = XCBuildConfiguration; name = Release; buildSettings = {
			CODE_SIGN_ENTITLEMENTS = "App/A\\U0000pp.entitlements";
			PRODUCT_BUNDLE_IDENTIFIER = com.example.app; }; };
	};
	rootObject = P;
}
"""


def test_project_naming_a_path_with_a_nul_character(tmp_path: Path) -> None:
    project = tmp_path / "App.xcodeproj"
    project.mkdir()
    (project / "project.pbxproj").write_text(PBXPROJ.replace("\\U0000", "\0"), encoding="utf-8")
    results = lint_artefact(project)
    messages = [f.message for r in results for f in r.findings if f.rule == "io-error"]
    # one clear message, which also says where the project names the path (trial 3)
    (message,) = messages
    assert message.startswith("cannot read: the path holds a NUL character")
    assert "CODE_SIGN_ENTITLEMENTS" in message


# -- properties: any bytes give findings or one syntax error, never an exception ----------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FIXTURE = (Path(__file__).resolve().parents[1] / "fixtures" / "real-world").rglob("*.entitlements")
SEED = next(iter(sorted(FIXTURE))).read_bytes()

_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)  # what XML can hold
_scalars = st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1), _text,
                     st.binary(max_size=8), st.floats(allow_nan=False))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(_text, inner, max_size=3), max_leaves=8)
_keys = st.sampled_from(["aps-environment", "com.apple.security.application-groups",
                         "com.apple.developer.associated-domains", "UIBackgroundModes",
                         "com.apple.security.app-sandbox", "keychain-access-groups"]) | _text


def _one_clear_outcome(data: bytes, path: str) -> None:
    result = lint_text(data, path=path)
    if result.failed:
        assert [f.rule for f in result.findings] == ["syntax-error"]
        assert "internal error" not in result.findings[0].message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from(["App.entitlements", "Info.plist"]))
def test_random_bytes(data: bytes, path: str) -> None:
    _one_clear_outcome(data, path)
    _one_clear_outcome(b"bplist00" + data, path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=5), st.booleans(), st.sampled_from(["App.entitlements", "Info.plist"]))
def test_random_small_plists(value: dict, binary: bool, path: str) -> None:  # type: ignore[type-arg]
    fmt = plistlib.FMT_BINARY if binary else plistlib.FMT_XML
    result = lint_text(plistlib.dumps(value, fmt=fmt), path=path)
    assert not result.failed, [f.message for f in result.findings]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255)), min_size=1, max_size=6),
       st.integers(0, len(SEED)))
def test_a_real_file_with_bytes_changed_and_cut(changes: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(SEED)
    for offset, byte in changes:
        data[offset] = byte
    _one_clear_outcome(bytes(data[:cut] if cut else data), "App.entitlements")


# -- messages quote file content only cut short --------------------------------------------


def test_an_invalid_value_names_a_long_key_cut_short() -> None:
    key = "com.example." + "x" * 100_000
    result = lint_text(plist(f"<key>{key}</key>\n<real>not a number</real>"))
    (finding,) = result.findings
    assert finding.rule == "syntax-error"
    assert finding.message.startswith("invalid <real> value for `com.example.xxx")
    assert len(finding.message) < 100


def test_a_missing_object_reference_is_cut_short(tmp_path: Path) -> None:
    from entitlements_lint.artefacts.xcodeproj import read_project
    from entitlements_lint.errors import InputError

    project = tmp_path / "X.xcodeproj"
    project.mkdir()
    missing = "T" * 50_000
    (project / "project.pbxproj").write_text(
        f"{{ objects = {{ P = {{ isa = PBXProject; targets = ( {missing} ); }}; }}; rootObject = P; }}")
    with pytest.raises(InputError, match="does not name an object") as raised:
        read_project(project)
    assert len(raised.value.message) < len(str(project)) + 200


def test_a_bundle_executable_name_of_the_wrong_kind_is_named_by_its_type(tmp_path: Path) -> None:
    from entitlements_lint.artefacts.bundles import find_executables
    from entitlements_lint.errors import InputError

    app = tmp_path / "X.app"
    app.mkdir()
    (app / "Info.plist").write_bytes(plistlib.dumps({"CFBundleExecutable": ["x" * 1000] * 1000}))
    with pytest.raises(InputError, match="CFBundleExecutable a list is not a file name") as raised:
        find_executables(app)
    assert len(raised.value.message) < 100
    (app / "Info.plist").write_bytes(plistlib.dumps({"CFBundleExecutable": "y" * 100_000}))
    with pytest.raises(InputError, match="executable 'y+'… named by CFBundleExecutable is missing") as raised:
        find_executables(app)
    assert len(raised.value.message) < len(str(app)) + 120
