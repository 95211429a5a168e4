"""Builders of hostile inputs (issue 11) and of the worst inputs still allowed.

Shared by tests/lint/test_bounded.py (small sizes) and benchmarks/hostile.py (full sizes).
Everything is made here, byte by byte; nothing is downloaded.
"""

from __future__ import annotations

import os
import plistlib
import random
import struct
import zipfile
from pathlib import Path

HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
TAIL = b"</dict>\n</plist>\n"
GROUPS = "com.apple.security.application-groups"


def xml(body: bytes) -> bytes:
    return HEAD + body + TAIL


def laughs(depth: int = 40, key: str = GROUPS) -> bytes:
    """A binary plist whose arrays each reference the next one twice: 2^depth values."""
    value: list[object] = [True]
    for _ in range(depth):
        value = [value, value]
    return plistlib.dumps({key: value}, fmt=plistlib.FMT_BINARY)


def many_true(count: int) -> bytes:
    """An application-groups array of ``count`` ``<true/>``: one ENT004 each, uncapped."""
    return xml(f"<key>{GROUPS}</key>\n<array>\n".encode() + b"<true/>\n" * count + b"</array>\n")


def unknown_keys(count: int, stem: str = "com.apple.developer.healthkti") -> bytes:
    """``count`` unknown keys that each look like a typo (each asks for suggestions)."""
    return xml(b"".join(f"<key>{stem}{i:06}</key><true/>\n".encode() for i in range(count)))


def long_key(length: int) -> bytes:
    return xml(b"<key>" + b"a" * length + b"</key>\n<true/>\n")


def one_line(count: int, text: str = "é") -> bytes:
    """``count`` unknown keys on one line, with non-ASCII text so columns need decoding."""
    body = "".join(f"<key>k{text}{i}</key><true/>" for i in range(count))
    return xml(body.encode())


def macho(blob: bytes) -> bytes:
    """A minimal signed arm64 Mach-O whose signature's entitlements slot holds ``blob``."""
    signature = _signature(blob)
    head, gap = _head(len(signature), 0)
    return head + b"\0" * gap + signature


def _signature(blob: bytes) -> bytes:
    """A SuperBlob: a stand-in CodeDirectory and the entitlements blob."""
    directory = struct.pack(">II", 0xFADE0C02, 16) + b"\x00" * 8
    entitlements = struct.pack(">II", 0xFADE7171, 8 + len(blob)) + blob
    index_end = 12 + 8 * 2
    return (
        struct.pack(">III", 0xFADE0CC0, index_end + len(directory) + len(entitlements), 2)
        + struct.pack(">II", 0, index_end)
        + struct.pack(">II", 5, index_end + len(directory))
        + directory + entitlements
    )


def _head(signature_size: int, padding: int) -> tuple[bytes, int]:
    """Header and load commands, and how many bytes of filler come before the signature."""
    header_size, segment_size = 32, 72
    linkedit = (header_size + segment_size + 16 + 15) // 16 * 16 + padding
    segment = struct.pack("<II16sQQQQiiII", 0x19, segment_size, b"__LINKEDIT".ljust(16, b"\0"),
                          0x100000000, 0x4000, linkedit, signature_size, 1, 1, 0, 0)
    command = struct.pack("<IIII", 0x1D, 16, linkedit, signature_size)
    header = struct.pack("<IIIIIIII", 0xFEEDFACF, 0x0100000C, 0, 2, 2, segment_size + 16, 0, 0)
    head = header + segment + command
    return head, linkedit - len(head)


def ipa(path: Path, executable: bytes, name: str = "X") -> Path:
    """An .ipa holding one iOS app whose executable is ``executable``."""
    info = plistlib.dumps({"CFBundleExecutable": name, "CFBundleIdentifier": "com.example.x"})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(f"Payload/{name}.app/Info.plist", info)
        out.writestr(f"Payload/{name}.app/{name}", executable)
    return path


def large_ipa(path: Path, size: int, blob: bytes, name: str = "X") -> Path:
    """An .ipa whose executable is about ``size`` bytes and deflates about 130:1, written
    in chunks (so the builder itself needs little memory)."""
    signature = _signature(blob)
    head, gap = _head(len(signature), max(size - len(signature) - 256, 16) // 16 * 16)
    info = plistlib.dumps({"CFBundleExecutable": name, "CFBundleIdentifier": "com.example.x"})
    chunk = 1 << 20
    block = random.Random(11).randbytes(7 * 1024)
    block += b"\0" * (chunk - len(block))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        out.writestr(f"Payload/{name}.app/Info.plist", info)
        with out.open(f"Payload/{name}.app/{name}", "w", force_zip64=True) as member:
            member.write(head)
            left = gap
            while left > 0:
                member.write(block[:min(chunk, left)])
                left -= chunk
            member.write(signature)
    return path


def pbxproj(settings: dict[str, str]) -> str:
    """A one-target project whose Debug configuration has ``settings``."""
    lines = "".join(f'\t\t\t\t{key} = "{value}";\n' for key, value in settings.items())
    return (
        "// !$*UTF8*$!\n{\n\tarchiveVersion = 1;\n\tobjectVersion = 56;\n\tobjects = {\n"
        "\t\tP = {isa = PBXProject; buildConfigurationList = PL; targets = (T);};\n"
        "\t\tPL = {isa = XCConfigurationList; buildConfigurations = (PD);};\n"
        "\t\tPD = {isa = XCBuildConfiguration; name = Debug; buildSettings = {};};\n"
        "\t\tT = {isa = PBXNativeTarget; name = App; productType = \"com.apple.product-type.application\";"
        " buildConfigurationList = TL;};\n"
        "\t\tTL = {isa = XCConfigurationList; buildConfigurations = (TD);};\n"
        "\t\tTD = {isa = XCBuildConfiguration; name = Debug; buildSettings = {\n"
        f"{lines}\t\t\t}};\n\t\t}};\n"
        "\t};\n\trootObject = P;\n}\n"
    )


def expanding_project(folder: Path, long: int, references: int, settings: int = 1) -> Path:
    """``settings`` build settings that each name a ``long``-character one ``references`` times."""
    values = {"LONG": "x" * long}
    for i in range(settings):
        values[f"S{i}"] = "$(LONG)" * references
    bundle = folder / "App.xcodeproj"
    bundle.mkdir(parents=True, exist_ok=True)
    (bundle / "project.pbxproj").write_text(pbxproj(values))
    return bundle


def outside_link(root: Path, outside: Path) -> Path:
    """``root/x.entitlements`` as a symbolic link to ``outside`` (a file outside the tree)."""
    root.mkdir(parents=True, exist_ok=True)
    link = root / "x.entitlements"
    os.symlink(outside, link)
    return link
