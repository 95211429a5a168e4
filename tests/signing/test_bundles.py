"""Finding signed executables in .app, .appex, .xcarchive, .ipa and bare Mach-O files."""

from __future__ import annotations

import os
import plistlib
import zipfile
from pathlib import Path

import pytest
from entitlements_lint.artefacts import bundles
from entitlements_lint.artefacts.bundles import SignedExecutable, find_executables
from entitlements_lint.errors import InputError
from entitlements_lint.artefacts.macho import ArchEntitlements
from signing_builders import (
    ENTITLEMENTS_XML,
    der_entitlements,
    info_plist,
    ios_bundle,
    macho,
    signed_profile,
    zip_folder,
)

APP_XML = plistlib.dumps({"application-identifier": "ABCDE12345.com.example.app"})
APP_DER = der_entitlements({"application-identifier": "ABCDE12345.com.example.app"})


def _xml(identifier: str) -> bytes:
    return plistlib.dumps({"application-identifier": f"ABCDE12345.{identifier}"})


def _ios_app(root: Path) -> tuple[Path, bytes]:
    """Example.app with a widget, an ExtensionKit extension, a watch app (with its own
    extension) and an App Clip; only the app has a DER blob and a profile."""
    profile = signed_profile()
    app = ios_bundle(
        root / "Example.app", "Example.app", "com.example.app", macho(APP_XML, APP_DER), profile
    )
    ios_bundle(
        app / "PlugIns" / "Widget.appex",
        "Widget.appex",
        "com.example.app.widget",
        macho(_xml("com.example.app.widget")),
    )
    ios_bundle(
        app / "Extensions" / "Ext.appex",
        "Ext.appex",
        "com.example.app.ext",
        macho(_xml("com.example.app.ext")),
    )
    watch = ios_bundle(
        app / "Watch" / "Watch.app",
        "Watch.app",
        "com.example.app.watch",
        macho(_xml("com.example.app.watch")),
    )
    ios_bundle(
        watch / "PlugIns" / "WatchExt.appex",
        "WatchExt.appex",
        "com.example.app.watch.ext",
        macho(_xml("com.example.app.watch.ext")),
    )
    ios_bundle(
        app / "AppClips" / "Clip.app",
        "Clip.app",
        "com.example.app.Clip",
        macho(_xml("com.example.app.Clip")),
    )
    (app / "PlugIns" / "README.txt").write_text("not a bundle")  # ignored
    (app / "Frameworks" / "Lib.framework").mkdir(parents=True)  # frameworks are not walked
    return app, profile  # fmt: skip


def _expected(prefix: str, profile: bytes) -> list[SignedExecutable]:
    def item(rel: str, identifier: str, der: bytes | None = None) -> SignedExecutable:
        bundle = f"{prefix}Example.app{rel}"
        name = rel.rsplit("/", 1)[-1].split(".")[0] or "Example"
        xml = APP_XML if not rel else _xml(identifier)
        arch = ArchEntitlements("arm64", True, xml, der)
        return SignedExecutable(f"{bundle}/{name}", bundle, identifier, (arch,), None, None)

    app = item("", "com.example.app", APP_DER)
    profile_path = f"{prefix}Example.app/embedded.mobileprovision"
    return [
        SignedExecutable(
            app.display_path, app.bundle_path, app.bundle_identifier, app.architectures,
            profile, profile_path,
        ),
        item("/PlugIns/Widget.appex", "com.example.app.widget"),
        item("/Extensions/Ext.appex", "com.example.app.ext"),
        item("/Watch/Watch.app", "com.example.app.watch"),
        item("/Watch/Watch.app/PlugIns/WatchExt.appex", "com.example.app.watch.ext"),
        item("/AppClips/Clip.app", "com.example.app.Clip"),
    ]  # fmt: skip


def test_ios_app_folder(tmp_path: Path) -> None:
    app, profile = _ios_app(tmp_path)
    assert find_executables(app) == _expected("", profile)


def test_ios_app_path_with_trailing_slash(tmp_path: Path) -> None:
    app, profile = _ios_app(tmp_path)
    assert find_executables(str(app) + os.sep) == _expected("", profile)


def test_appex_on_its_own(tmp_path: Path) -> None:
    app, _ = _ios_app(tmp_path)
    found = find_executables(app / "PlugIns" / "Widget.appex")
    assert [item.display_path for item in found] == ["Widget.appex/Widget"]


def test_ipa_reads_members_in_memory(tmp_path: Path) -> None:
    _app, profile = _ios_app(tmp_path / "build")
    ipa = zip_folder(tmp_path / "build", tmp_path / "Example.ipa", prefix="Payload/")
    assert find_executables(ipa) == _expected("Payload/", profile)
    assert not (tmp_path / "Payload").exists()


def test_xcarchive(tmp_path: Path) -> None:
    archive = tmp_path / "Example.xcarchive"
    _app, profile = _ios_app(archive / "Products" / "Applications")
    (archive / "Info.plist").write_bytes(plistlib.dumps({"ArchiveVersion": 2}))
    found = find_executables(archive)
    assert found == _expected("Example.xcarchive/Products/Applications/", profile)


def test_macos_app_layout(tmp_path: Path) -> None:
    app = tmp_path / "Mac.app"
    (app / "Contents" / "MacOS").mkdir(parents=True)
    (app / "Contents" / "Info.plist").write_bytes(info_plist("MacApp", "com.example.mac"))
    image = macho(ENTITLEMENTS_XML, None, cputype=0x01000007)
    (app / "Contents" / "MacOS" / "MacApp").write_bytes(image)
    (app / "Contents" / "embedded.provisionprofile").write_bytes(b"profile-bytes")
    helper = app / "Contents" / "Library" / "LoginItems" / "Helper.app" / "Contents"
    (helper / "MacOS").mkdir(parents=True)
    (helper / "Info.plist").write_bytes(info_plist("Helper", "com.example.mac.helper"))
    (helper / "MacOS" / "Helper").write_bytes(macho(None, None))
    xpc = app / "Contents" / "XPCServices" / "Service.xpc" / "Contents"
    (xpc / "MacOS").mkdir(parents=True)
    (xpc / "Info.plist").write_bytes(info_plist("Service", "com.example.mac.service"))
    (xpc / "MacOS" / "Service").write_bytes(macho(signed=False))
    assert find_executables(app) == [
        SignedExecutable(
            "Mac.app/Contents/MacOS/MacApp", "Mac.app", "com.example.mac",
            (ArchEntitlements("x86_64", True, ENTITLEMENTS_XML, None),),
            b"profile-bytes", "Mac.app/Contents/embedded.provisionprofile",
        ),
        SignedExecutable(
            "Mac.app/Contents/Library/LoginItems/Helper.app/Contents/MacOS/Helper",
            "Mac.app/Contents/Library/LoginItems/Helper.app", "com.example.mac.helper",
            (ArchEntitlements("arm64", True, None, None),), None, None,
        ),
        SignedExecutable(
            "Mac.app/Contents/XPCServices/Service.xpc/Contents/MacOS/Service",
            "Mac.app/Contents/XPCServices/Service.xpc", "com.example.mac.service",
            (ArchEntitlements("arm64", False, None, None),), None, None,
        ),
    ]  # fmt: skip


def test_bare_macho(tmp_path: Path) -> None:
    path = tmp_path / "tool"
    path.write_bytes(macho(ENTITLEMENTS_XML, None))
    assert find_executables(path) == [
        SignedExecutable(
            "tool", "", None, (ArchEntitlements("arm64", True, ENTITLEMENTS_XML, None),), None, None
        )
    ]


def test_missing_cfbundleexecutable_falls_back_to_bundle_name(tmp_path: Path) -> None:
    app = tmp_path / "Plain.app"
    app.mkdir()
    (app / "Info.plist").write_bytes(plistlib.dumps({"CFBundleIdentifier": "com.example.plain"}))
    (app / "Plain").write_bytes(macho())
    assert [item.display_path for item in find_executables(app)] == ["Plain.app/Plain"]


# --- bad input ----------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _app_members(image: bytes | None = None) -> dict[str, bytes]:
    return {
        "Payload/X.app/Info.plist": info_plist("X", "com.example.x"),
        "Payload/X.app/X": image if image is not None else macho(),
    }


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    members = _app_members()
    members["Payload/X.app/X"] = b"\x00" * (4 * 1024 * 1024)  # ~1000:1 deflated
    ipa = _zip(tmp_path / "bomb.ipa", members)
    with pytest.raises(InputError, match="compression ratio above 200:1"):
        find_executables(ipa)


def test_member_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundles, "MAX_EXECUTABLE_SIZE", 100)
    ipa = _zip(tmp_path / "big.ipa", _app_members())
    with pytest.raises(InputError, match=r"Payload/X.app/X: \d+ bytes, more than the 100 limit"):
        find_executables(ipa)


def test_total_read_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundles, "MAX_ZIP_TOTAL_READ", 300)
    ipa = _zip(tmp_path / "total.ipa", _app_members())
    with pytest.raises(InputError, match="more than 300 bytes to decompress"):
        find_executables(ipa)


@pytest.mark.parametrize(
    "name", ["../evil", "Payload/../../evil", "/etc/evil", "Payload\\..\\evil", "C:/evil"]
)
def test_unsafe_member_paths_refuse_the_archive(tmp_path: Path, name: str) -> None:
    members = _app_members()
    members[name] = b"x"
    ipa = _zip(tmp_path / "evil.ipa", members)
    with pytest.raises(InputError, match="unsafe member path"):
        find_executables(ipa)
    assert not (tmp_path / "evil").exists()


def test_bzip2_members_are_not_decompressed(tmp_path: Path) -> None:
    ipa = _zip(tmp_path / "bz.ipa", _app_members(), method=zipfile.ZIP_BZIP2)
    with pytest.raises(InputError, match="compression method 12 is not supported"):
        find_executables(ipa)


def test_corrupt_member_data(tmp_path: Path) -> None:
    ipa = _zip(tmp_path / "crc.ipa", _app_members(), method=zipfile.ZIP_STORED)
    data = bytearray(ipa.read_bytes())
    at = data.index(b"\xcf\xfa\xed\xfe")
    data[at + 40] ^= 0xFF  # breaks the CRC of the stored executable
    ipa.write_bytes(bytes(data))
    with pytest.raises(InputError, match="cannot be decompressed"):
        find_executables(ipa)


def test_ipa_without_payload(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="archive has no Payload/\\*.app"):
        find_executables(_zip(tmp_path / "empty.ipa", {"README": b"x"}))


def test_truncated_zip(tmp_path: Path) -> None:
    ipa = _zip(tmp_path / "cut.ipa", _app_members())
    ipa.write_bytes(ipa.read_bytes()[:100])
    with pytest.raises(InputError, match="not a readable zip archive"):
        find_executables(ipa)


def test_executable_that_is_not_macho_names_the_path(tmp_path: Path) -> None:
    ipa = _zip(tmp_path / "x.ipa", _app_members(b"#!/bin/sh\necho hi\n"))
    with pytest.raises(InputError, match=r"^Payload/X.app/X: not a Mach-O file: unknown magic"):
        find_executables(ipa)


def test_missing_executable(tmp_path: Path) -> None:
    app = tmp_path / "X.app"
    app.mkdir()
    (app / "Info.plist").write_bytes(info_plist("X", "com.example.x"))
    with pytest.raises(InputError, match="executable 'X' named by CFBundleExecutable is missing"):
        find_executables(app)


@pytest.mark.parametrize("name", ["../../etc/passwd", "", "..", 42])
def test_cfbundleexecutable_must_be_a_file_name(tmp_path: Path, name: object) -> None:
    app = tmp_path / "X.app"
    app.mkdir()
    (app / "Info.plist").write_bytes(plistlib.dumps({"CFBundleExecutable": name}))
    with pytest.raises(InputError, match="is not a file name"):
        find_executables(app)


def test_info_plist_that_is_not_a_plist(tmp_path: Path) -> None:
    app = tmp_path / "X.app"
    app.mkdir()
    (app / "Info.plist").write_bytes(b"<plist><dict><key>")
    with pytest.raises(InputError, match=r"X.app/Info.plist: not a valid property list"):
        find_executables(app)


def test_folder_that_is_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "stuff").mkdir()
    with pytest.raises(InputError, match="not a bundle"):
        find_executables(tmp_path / "stuff")


def test_empty_xcarchive(tmp_path: Path) -> None:
    (tmp_path / "E.xcarchive").mkdir()
    with pytest.raises(InputError, match="no Products/Applications"):
        find_executables(tmp_path / "E.xcarchive")


def test_file_that_is_nothing_known(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="not a bundle, an .ipa or a Mach-O file"):
        find_executables(tmp_path / "notes.txt")
    with pytest.raises(InputError, match="no such file or folder"):
        find_executables(tmp_path / "missing.app")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="run on Linux or macOS: the test links an executable to the device /dev/zero")
def test_executable_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    app = tmp_path / "X.app"
    app.mkdir()
    (app / "Info.plist").write_bytes(info_plist("X", "com.example.x"))
    (app / "X").symlink_to("/dev/zero")
    with pytest.raises(InputError, match="CFBundleExecutable is not a regular file"):
        find_executables(app)


def test_empty_executable(tmp_path: Path) -> None:
    app = tmp_path / "X.app"
    app.mkdir()
    (app / "Info.plist").write_bytes(info_plist("X", "com.example.x"))
    (app / "X").write_bytes(b"")
    with pytest.raises(InputError, match="X.app/X: empty file"):
        find_executables(app)


def test_nesting_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundles, "MAX_NESTING", 1)
    app, _ = _ios_app(tmp_path)
    with pytest.raises(InputError, match="nested more than 1 deep"):
        find_executables(app)
