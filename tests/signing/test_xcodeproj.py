"""Old-style property lists and Xcode project targets with their signing settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from entitlements_lint.errors import InputError
from entitlements_lint.artefacts.xcodeproj import (
    Configuration,
    parse_openstep,
    platforms_for,
    read_project,
)
from hypothesis import given, settings
from hypothesis import strategies as st

PBXPROJ = r"""// !$*UTF8*$!
{
	archiveVersion = 1;
	classes = {
	};
	objectVersion = 56;
	objects = {

/* Begin PBXNativeTarget section */
		A1000000000000000000APP /* Example */ = {
			isa = PBXNativeTarget;
			buildConfigurationList = A1000000000000000000ACL /* list for "Example" */;
			name = Example;
			productName = Example;
			productType = "com.apple.product-type.application";
		};
		A1000000000000000000WID /* Widget */ = {
			isa = PBXNativeTarget;
			buildConfigurationList = A1000000000000000000WCL;
			name = Widget;
			productType = "com.apple.product-type.app-extension";
		};
		A1000000000000000000AGG = {
			isa = PBXAggregateTarget;
			name = Scripts;
		};
/* End PBXNativeTarget section */

/* Begin PBXProject section */
		A1000000000000000000PRJ /* Project object */ = {
			isa = PBXProject;
			buildConfigurationList = A1000000000000000000PCL;
			projectDirPath = "";
			projectRoot = "";
			targets = (
				A1000000000000000000APP /* Example */,
				A1000000000000000000AGG,
				A1000000000000000000WID /* Widget */,
			);
		};
/* End PBXProject section */

/* Begin XCBuildConfiguration section */
		A10000000000000000PDBG /* Debug */ = {
			isa = XCBuildConfiguration;
			buildSettings = {
				SDKROOT = iphoneos;
				OTHER_LDFLAGS = "$(inherited) -ObjC";
				TEAM_PREFIX = com.example;
				GCC_PREPROCESSOR_DEFINITIONS = (
					"DEBUG=1",
					"$(inherited)",
				);
			};
			name = Debug;
		};
		A10000000000000000PREL /* Release */ = {
			isa = XCBuildConfiguration;
			buildSettings = {
				SDKROOT = iphoneos;
				TEAM_PREFIX = com.example;
			};
			name = Release;
		};
		A10000000000000000ADBG /* Debug */ = {
			isa = XCBuildConfiguration;
			buildSettings = {
				CODE_SIGN_ENTITLEMENTS = "$(TARGET_NAME)/$(TARGET_NAME).entitlements";
				"CODE_SIGN_ENTITLEMENTS[sdk=macosx*]" = "${SRCROOT}/Example/Example-mac.entitlements";
				INFOPLIST_FILE = "$(SRCROOT)/Example/Info.plist";
				OTHER_LDFLAGS = "$(inherited) -lz";
				PRODUCT_BUNDLE_IDENTIFIER = "$(TEAM_PREFIX).$(PRODUCT_NAME:rfc1034identifier)";
				PRODUCT_NAME = "My App";
				SUPPORTS_MACCATALYST = YES;
				ASSETCATALOG_NAME = "$(UNDEFINED_THING)/x";
			};
			name = Debug;
		};
		A10000000000000000AREL /* Release */ = {
			isa = XCBuildConfiguration;
			buildSettings = {
				CODE_SIGN_ENTITLEMENTS = Example/Example.entitlements;
				INFOPLIST_FILE = Example/Info.plist;
				PRODUCT_BUNDLE_IDENTIFIER = com.example.app;
				SUPPORTED_PLATFORMS = "iphoneos iphonesimulator xros xrsimulator";
				SUPPORTS_MACCATALYST = NO;
			};
			name = Release;
		};
		A10000000000000000WDBG = {
			isa = XCBuildConfiguration;
			buildSettings = {
				CODE_SIGN_ENTITLEMENTS = "../Shared/$(PROJECT_NAME).entitlements";
				PRODUCT_BUNDLE_IDENTIFIER = "com.example.app.${TARGET_NAME:lower}";
				SDKROOT = watchos;
			};
			name = Debug;
		};
/* End XCBuildConfiguration section */

/* Begin XCConfigurationList section */
		A1000000000000000000PCL = {
			isa = XCConfigurationList;
			buildConfigurations = (A10000000000000000PDBG, A10000000000000000PREL);
			defaultConfigurationName = Release;
		};
		A1000000000000000000ACL = {
			isa = XCConfigurationList;
			buildConfigurations = (
				A10000000000000000ADBG /* Debug */,
				A10000000000000000AREL /* Release */,
			);
			defaultConfigurationIsVisible = 0;
			defaultConfigurationName = Release;
		};
		A1000000000000000000WCL = {
			isa = XCConfigurationList;
			buildConfigurations = (A10000000000000000WDBG);
		};
/* End XCConfigurationList section */
	};
	rootObject = A1000000000000000000PRJ /* Project object */;
}
"""


def _write(folder: Path, text: str = PBXPROJ, name: str = "Example") -> Path:
    project = folder / f"{name}.xcodeproj"
    project.mkdir(parents=True)
    (project / "project.pbxproj").write_text(text, encoding="utf-8")
    return project


def test_targets_configurations_and_resolved_settings(tmp_path: Path) -> None:
    project = read_project(_write(tmp_path))
    root = str(tmp_path)
    assert project.name == "Example"
    assert project.path == str(tmp_path / "Example.xcodeproj" / "project.pbxproj")
    assert project.project_dir == root
    assert [t.name for t in project.targets] == ["Example", "Widget"]  # aggregate skipped
    app, widget = project.targets
    assert app.product_type == "com.apple.product-type.application"
    assert app.default_configuration == "Release"
    debug, release = app.configurations
    assert debug == Configuration(
        name="Debug",
        entitlements_path=f"{root}/Example/Example.entitlements",
        info_plist_path=f"{root}/Example/Info.plist",
        platforms=("iOS", "iPadOS", "macCatalyst"),
        bundle_identifier="com.example.My-App",
        conditional_entitlements={"sdk=macosx*": f"{root}/Example/Example-mac.entitlements"},
        settings=debug.settings,
        unresolved=("UNDEFINED_THING",),
    )
    assert debug.settings["OTHER_LDFLAGS"] == "-ObjC -lz"  # $(inherited) from the project
    assert debug.settings["GCC_PREPROCESSOR_DEFINITIONS"] == "DEBUG=1"
    assert debug.settings["ASSETCATALOG_NAME"] == "$(UNDEFINED_THING)/x"
    assert release.entitlements_path == f"{root}/Example/Example.entitlements"
    assert release.platforms == ("iOS", "iPadOS", "visionOS")
    assert release.bundle_identifier == "com.example.app"
    assert release.unresolved == ()
    (widget_debug,) = widget.configurations
    assert widget.default_configuration is None
    assert widget_debug.entitlements_path == str(
        tmp_path.parent / "Shared" / "Example.entitlements"
    )
    assert widget_debug.bundle_identifier == "com.example.app.widget"
    assert widget_debug.platforms == ("watchOS",)
    assert widget_debug.info_plist_path is None


def test_pbxproj_path_and_containing_folder(tmp_path: Path) -> None:
    project_dir = _write(tmp_path)
    by_file = read_project(project_dir / "project.pbxproj")
    by_folder = read_project(tmp_path)
    assert by_file == by_folder == read_project(project_dir)


def test_folder_with_no_or_several_projects(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected one .xcodeproj in the folder, found none"):
        read_project(tmp_path)
    _write(tmp_path, name="A")
    _write(tmp_path, name="B")
    with pytest.raises(InputError, match="found A.xcodeproj, B.xcodeproj"):
        read_project(tmp_path)


def test_project_dir_path_moves_srcroot(tmp_path: Path) -> None:
    text = PBXPROJ.replace('projectDirPath = "";', "projectDirPath = Sources;")
    project = read_project(_write(tmp_path, text))
    release = project.targets[0].configurations[1]
    assert release.entitlements_path == str(
        tmp_path / "Sources" / "Example" / "Example.entitlements"
    )
    assert project.project_dir == str(tmp_path / "Sources")


@pytest.mark.parametrize(
    ("settings_", "expected"),
    [
        ({"SDKROOT": "iphoneos"}, ("iOS", "iPadOS")),
        ({"SDKROOT": "iphoneos17.2"}, ("iOS", "iPadOS")),
        ({"SDKROOT": "macosx"}, ("macOS",)),
        ({"SDKROOT": "appletvos"}, ("tvOS",)),
        ({"SDKROOT": "watchos"}, ("watchOS",)),
        ({"SDKROOT": "xros"}, ("visionOS",)),
        ({"SDKROOT": "iphoneos", "SUPPORTS_MACCATALYST": "YES"}, ("iOS", "iPadOS", "macCatalyst")),
        ({"SDKROOT": "macosx", "SUPPORTS_MACCATALYST": "YES"}, ("macOS",)),
        (
            {"SDKROOT": "auto", "SUPPORTED_PLATFORMS": "macosx iphoneos iphonesimulator appletvos"},
            ("iOS", "iPadOS", "macOS", "tvOS"),
        ),
        ({"SDKROOT": "driverkit"}, ()),
        ({}, ()),
    ],
)
def test_platform_mapping(settings_: dict[str, str], expected: tuple[str, ...]) -> None:
    assert platforms_for(settings_) == expected


def test_cyclic_and_exploding_variables(tmp_path: Path) -> None:
    cyclic = PBXPROJ.replace(
        "TEAM_PREFIX = com.example;", 'TEAM_PREFIX = "$(LOOP)"; LOOP = "$(TEAM_PREFIX)";', 1
    )
    debug = read_project(_write(tmp_path / "a", cyclic)).targets[0].configurations[0]
    assert "TEAM_PREFIX" in debug.unresolved or "LOOP" in debug.unresolved
    chain = " ".join(f'V{i} = "$(V{i + 1})$(V{i + 1})";' for i in range(40)) + ' V40 = "xxxxxxxx";'
    bomb = PBXPROJ.replace("TEAM_PREFIX = com.example;", chain + ' TEAM_PREFIX = "$(V0)";', 1)
    with pytest.raises(InputError, match="expands past"):
        read_project(_write(tmp_path / "b", bomb))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{ rootObject = X; }", "no objects or rootObject"),
        ("( a )", "top level is not a dictionary"),
        (
            "{ objects = { P = { isa = PBXProject; targets = ( T ); }; }; rootObject = P; }",
            "reference 'T' does not name an object",
        ),
        (
            "{ objects = { P = { isa = PBXProject; targets = T; }; }; rootObject = P; }",
            "expected a list of object references",
        ),
    ],
)
def test_malformed_projects(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_project(_write(tmp_path, text))


def test_unreadable_project(tmp_path: Path) -> None:
    project = tmp_path / "X.xcodeproj"
    project.mkdir()
    with pytest.raises(InputError, match="cannot be read"):
        read_project(project)
    (project / "project.pbxproj").write_bytes(b"{ a = \xff; }")
    with pytest.raises(InputError, match="not UTF-8"):
        read_project(project)


# --- the old-style property list parser -----------------------------------------------


def test_comments_are_skipped_everywhere() -> None:
    text = """// !$*UTF8*$!
    { /* a */ key /* b */ = // c
      value /* d */ ; list = ( x /* e */ , // f
      y ); }
    // trailing"""
    assert parse_openstep(text) == {"key": "value", "list": ["x", "y"]}


def test_parse_exact_values() -> None:
    text = r"""{
        plain = some/path_1.2-x:$y+z~;
        quoted = "a \"b\" \\ \n\t \U00e9 \101 \q";
        single = 'x "y"';
        data = <0fA1 ff
            00>;
        list = ( one, "two", (three), { k = v; }, );
        nolist = ( );
        nested = { inner = { deeper = 1; }; };
    }"""
    assert parse_openstep(text) == {
        "plain": "some/path_1.2-x:$y+z~",
        "quoted": 'a "b" \\ \n\t \u00e9 A q',
        "single": 'x "y"',
        "data": bytes.fromhex("0fa1ff00"),
        "list": ["one", "two", ["three"], {"k": "v"}],
        "nolist": [],
        "nested": {"inner": {"deeper": "1"}},
    }


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("{\n  a = b\n}", 3, 1, "expected ';', found '}'"),
        ('{ a = "unterminated; }', 1, 7, "unterminated quoted string"),
        ("{ a = b; /* open", 1, 10, "unterminated /\\* comment"),
        ("{ a = <abc>; }", 1, 7, "pairs of hex digits"),
        ("{ a = <zz>; }", 1, 7, "pairs of hex digits"),
        ("{ a = ( b c ); }", 1, 11, "expected ',' or '\\)' in array"),
        ("{ a = b; } extra", 1, 12, "unexpected text after"),
        ("{ = b; }", 1, 3, "unexpected character '='"),
        ("{ (a) = b; }", 1, 3, "dictionary keys must be strings"),
        ('{ a = "\\U12"; }', 1, 8, "four hex digits"),
        ("{ a = ", 1, 7, "unexpected end of file"),
        ("{ a = #; }", 1, 7, "unexpected character '#'"),
    ],
)
def test_parse_errors_carry_line_and_column(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_openstep(text, "p.pbxproj")
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.message.startswith(f"p.pbxproj:{line}:{column}: ")


def test_nesting_limit() -> None:
    with pytest.raises(InputError, match="nested deeper than 128 levels"):
        parse_openstep("(" * 500 + ")" * 500)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}()=;,\"'<>/*\\ \nabc0$U")), max_size=120))
def test_parser_fuzz_only_raises_input_error(text: str) -> None:
    try:
        parse_openstep(text)
    except InputError:
        pass
