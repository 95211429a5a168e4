"""Mach-O code signatures: thin and universal files, DER entitlements, hostile bytes."""

from __future__ import annotations

import plistlib
import struct

import pytest
from entitlements_lint.artefacts import macho as reader
from entitlements_lint.errors import InputError
from entitlements_lint.artefacts.macho import ArchEntitlements
from hypothesis import given, settings
from hypothesis import strategies as st
from signing_builders import (
    CPU_ARM,
    CPU_ARM64,
    CPU_PPC,
    CPU_X86_64,
    ENTITLEMENTS_XML,
    der_entitlements,
    fat,
    macho,
    superblob,
    tlv,
)

DER = der_entitlements({"get-task-allow": True, "com.apple.security.app-sandbox": True})


def test_thin_64_little_endian_with_both_blobs() -> None:
    assert reader.read_macho(macho(ENTITLEMENTS_XML, DER)) == (
        ArchEntitlements("arm64", True, ENTITLEMENTS_XML, DER),
    )


@pytest.mark.parametrize(
    ("wide", "order", "cputype", "cpusubtype", "arch"),
    [
        (False, ">", CPU_PPC, 0, "ppc"),
        (False, "<", CPU_ARM, 9, "armv7"),
        (False, "<", CPU_ARM, 11, "armv7s"),
        (False, "<", 7, 3, "i386"),
        (True, "<", CPU_X86_64, 3, "x86_64"),
        (True, "<", CPU_X86_64, 8, "x86_64h"),
        (True, "<", CPU_ARM64, 0x80000002, "arm64e"),
        (True, ">", CPU_ARM64, 0, "arm64"),
        (False, "<", 0x0200000C, 1, "arm64_32"),
        (True, "<", 99, 0, "cputype 99"),
    ],
)
def test_widths_byte_orders_and_arch_names(
    wide: bool, order: str, cputype: int, cpusubtype: int, arch: str
) -> None:
    image = macho(
        ENTITLEMENTS_XML, None, wide=wide, order=order, cputype=cputype, cpusubtype=cpusubtype
    )
    assert reader.read_macho(image) == (ArchEntitlements(arch, True, ENTITLEMENTS_XML, None),)


def test_unsigned_binary() -> None:
    assert reader.read_macho(macho(signed=False)) == (ArchEntitlements("arm64", False, None, None),)


def test_signature_without_entitlements() -> None:
    assert reader.read_macho(macho(None, None)) == (ArchEntitlements("arm64", True, None, None),)


@pytest.mark.parametrize("wide", [False, True])
def test_universal_binary(wide: bool) -> None:
    xml_intel = plistlib.dumps({"com.apple.security.cs.allow-jit": True})
    data = fat(
        [
            (CPU_X86_64, 3, macho(xml_intel, None, cputype=CPU_X86_64, cpusubtype=3)),
            (CPU_ARM64, 0, macho(ENTITLEMENTS_XML, DER)),
            (CPU_ARM64, 2, macho(signed=False, cpusubtype=2)),
        ],
        wide=wide,
    )
    assert reader.is_macho(data)
    assert reader.read_macho(data) == (
        ArchEntitlements("x86_64", True, xml_intel, None),
        ArchEntitlements("arm64", True, ENTITLEMENTS_XML, DER),
        ArchEntitlements("arm64e", False, None, None),
    )


def test_is_macho() -> None:
    assert reader.is_macho(macho())
    assert reader.is_macho(macho(wide=False, order=">"))
    assert not reader.is_macho(b"PK\x03\x04")
    assert not reader.is_macho(b"")


# --- bad input ----------------------------------------------------------------------


def _patch(data: bytes, offset: int, fmt: str, *values: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, *values)
    return bytes(out)


def test_code_signature_offset_past_the_end() -> None:
    image = macho()
    bogus = _patch(image, 32 + 72 + 8, "<I", len(image) + 100)
    with pytest.raises(InputError, match=r"Mach-O \(arm64\) code signature lies outside the image"):
        reader.read_macho(bogus)


def test_code_signature_size_overflow() -> None:
    bogus = _patch(macho(), 32 + 72 + 12, "<I", 0xFFFFFFFF)
    with pytest.raises(InputError, match="code signature lies outside"):
        reader.read_macho(bogus)


def test_load_command_of_size_zero() -> None:
    with pytest.raises(InputError, match="load command at offset 32 has size 0"):
        reader.read_macho(_patch(macho(), 32 + 4, "<I", 0))


def test_load_commands_past_the_image() -> None:
    with pytest.raises(InputError, match="load commands run past the end"):
        reader.read_macho(_patch(macho(), 20, "<I", 1 << 20))


def test_too_many_load_commands() -> None:
    with pytest.raises(InputError, match="claims 100000 load commands"):
        reader.read_macho(_patch(macho(), 16, "<I", 100_000))


def test_more_commands_than_their_size_holds() -> None:
    with pytest.raises(InputError, match="load command at offset 120 is truncated"):
        reader.read_macho(_patch(macho(), 16, "<I", 3))


def test_superblob_with_wrong_magic() -> None:
    with pytest.raises(InputError, match="not a SuperBlob"):
        reader.read_macho(macho(signature=b"\x00" * 32))


def test_superblob_index_pointing_outside() -> None:
    blob = bytearray(superblob(ENTITLEMENTS_XML, None))
    struct.pack_into(">I", blob, 12 + 8 + 4, 0x7FFFFFFF)  # slot 5's offset
    with pytest.raises(InputError, match="signature slot 5 points outside the SuperBlob"):
        reader.read_macho(macho(signature=bytes(blob)))


def test_superblob_count_too_large() -> None:
    blob = bytearray(superblob(ENTITLEMENTS_XML, None))
    struct.pack_into(">I", blob, 8, 5000)
    with pytest.raises(InputError, match="index claims 5000 blobs"):
        reader.read_macho(macho(signature=bytes(blob)))


def test_entitlements_slot_with_wrong_magic() -> None:
    blob = superblob(None, None, extra=[(5, struct.pack(">II", 0xFADE0C01, 12) + b"abcd")])
    with pytest.raises(InputError, match="slot 5 holds magic 0xfade0c01, expected 0xfade7171"):
        reader.read_macho(macho(signature=blob))


def test_entitlements_blob_length_past_superblob() -> None:
    blob = bytearray(superblob(ENTITLEMENTS_XML, None))
    entitlements_offset = struct.unpack_from(">I", blob, 12 + 8 + 4)[0]
    struct.pack_into(">I", blob, entitlements_offset + 4, 1 << 30)
    with pytest.raises(InputError, match="entitlements blob claims 1073741824 bytes"):
        reader.read_macho(macho(signature=bytes(blob)))


def test_fat_slice_outside_the_file() -> None:
    data = fat([(CPU_ARM64, 0, macho())])
    with pytest.raises(InputError, match="architecture 0 lies outside the file"):
        reader.read_macho(_patch(data, 8 + 8, ">I", len(data)))


def test_fat_slice_that_is_not_macho() -> None:
    with pytest.raises(InputError, match="architecture 0 is not a Mach-O image"):
        reader.read_macho(fat([(CPU_ARM64, 0, b"\x00" * 64)]))


def test_fat_inside_fat_is_refused() -> None:
    inner = fat([(CPU_ARM64, 0, macho())])
    with pytest.raises(InputError, match="not a Mach-O image"):
        reader.read_macho(fat([(CPU_ARM64, 0, inner)]))


def test_fat_with_absurd_count() -> None:
    with pytest.raises(InputError, match="claims 4096 architectures"):
        reader.read_macho(b"\xca\xfe\xba\xbe\x00\x00\x10\x00" + b"\x00" * 64)


def test_truncated_and_foreign_files() -> None:
    with pytest.raises(InputError, match="too short"):
        reader.read_macho(b"\xcf\xfa\xed")
    with pytest.raises(InputError, match="header is truncated"):
        reader.read_macho(macho()[:20])
    with pytest.raises(InputError, match="unknown magic 7f454c46"):
        reader.read_macho(b"\x7fELF" + b"\x00" * 60)


# --- DER entitlements ---------------------------------------------------------------

# Vectors from rcodesign's plist_der.rs tests (there obtained from Apple's codesign).
RCODESIGN_VECTORS = [
    (bytes([112, 5, 2, 1, 1, 176, 0]), {}),
    (bytes([112, 15, 2, 1, 1, 176, 10, 48, 8, 12, 3, 107, 101, 121, 1, 1, 0]), {"key": False}),
    (bytes([112, 15, 2, 1, 1, 176, 10, 48, 8, 12, 3, 107, 101, 121, 1, 1, 255]), {"key": True}),
    (bytes([112, 15, 2, 1, 1, 176, 10, 48, 8, 12, 3, 107, 101, 121, 2, 1, 255]), {"key": -1}),
    (bytes([112, 15, 2, 1, 1, 176, 10, 48, 8, 12, 3, 107, 101, 121, 2, 1, 42]), {"key": 42}),
    (bytes([112, 14, 2, 1, 1, 176, 9, 48, 7, 12, 3, 107, 101, 121, 12, 0]), {"key": ""}),
    (
        bytes(
            [112, 19, 2, 1, 1, 176, 14, 48, 12, 12, 3, 107, 101, 121, 12, 5, 118, 97, 108, 117, 101]
        ),
        {"key": "value"},
    ),
    (bytes([112, 14, 2, 1, 1, 176, 9, 48, 7, 12, 3, 107, 101, 121, 48, 0]), {"key": []}),
    (
        bytes(
            [112, 22, 2, 1, 1, 176, 17, 48, 15, 12, 3, 107, 101, 121, 48, 8, 1, 1, 255, 12, 3]
            + [102, 111, 111]
        ),
        {"key": [True, "foo"]},
    ),
    (
        bytes(
            [112, 26, 2, 1, 1, 176, 21, 48, 19, 12, 3, 107, 101, 121, 176, 12, 48, 10, 12, 5]
            + [105, 110, 110, 101, 114, 1, 1, 0]
        ),
        {"key": {"inner": False}},
    ),
]


@pytest.mark.parametrize(("data", "expected"), RCODESIGN_VECTORS)
def test_der_entitlements_match_rcodesign_vectors(data: bytes, expected: dict[str, object]) -> None:
    decoded = reader.decode_der_entitlements(data)
    assert decoded == expected
    assert reader.same_value(decoded, expected)
    assert der_entitlements(expected) == data  # our test encoder writes the same bytes


def test_der_entitlements_nested_round_trip() -> None:
    value = {
        "keychain-access-groups": ["ABCDE12345.com.example", "ABCDE12345.shared"],
        "com.apple.developer.associated-domains": ["applinks:example.com"],
        "nested": {"list": [{"a": 1}, [False, -300]], "big": 2**40},
    }
    assert reader.decode_der_entitlements(der_entitlements(value)) == value


def test_der_entitlements_set_form() -> None:
    data = tlv(0x31, tlv(0x30, tlv(0x0C, b"a") + tlv(0x01, b"\xff")))
    assert reader.decode_der_entitlements(data) == {"a": True}


def _wrapped(dictionary_content: bytes) -> bytes:
    """A top-level DER entitlements element around a dictionary with this content."""
    return tlv(0x70, tlv(0x02, b"\x01") + tlv(0xB0, dictionary_content))


def _entry(key: bytes, value: bytes) -> bytes:
    return tlv(0x30, key + value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (tlv(0x70, tlv(0x02, b"\x02") + tlv(0xB0, b"")), "expected version 1"),
        (tlv(0x70, tlv(0x02, b"\x01") + tlv(0x30, b"")), "not a dictionary"),
        (tlv(0x30, b""), "unknown top-level element"),
        (_wrapped(_entry(tlv(0x0C, b"k"), tlv(0x09, b"\x00"))), "unsupported element"),
        (_wrapped(tlv(0x02, b"\x01")), "entry is not a SEQUENCE"),
        (_wrapped(_entry(tlv(0x02, b"\x01"), tlv(0x01, b"\x00"))), r"not \(UTF8String, value\)"),
        (_wrapped(_entry(tlv(0x0C, b"k"), tlv(0x01, b""))), "BOOLEAN must be one byte"),
        (_wrapped(_entry(tlv(0x0C, b"\xff"), tlv(0x01, b"\x00"))), "badly encoded"),
    ],
)
def test_der_entitlements_errors(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        reader.decode_der_entitlements(data)


def test_xml_and_der_differences() -> None:
    xml = plistlib.dumps({"a": True, "b": ["x"], "c": 1, "d": "same"})
    der = der_entitlements({"a": True, "b": ["x", "y"], "c": True, "d": "same", "e": "only-der"})
    assert reader.entitlements_differences(xml, der) == ("b", "c", "e")
    assert reader.entitlements_differences(ENTITLEMENTS_XML, DER) == ()


def test_xml_blob_that_is_not_a_plist() -> None:
    with pytest.raises(InputError, match="not a valid property list"):
        reader.entitlements_differences(b"<plist><dict><key>a</key>", DER)
    with pytest.raises(InputError, match="not a dictionary"):
        reader.parse_xml_entitlements(plistlib.dumps([1]))


# --- fuzzing ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_only_raise_input_error(data: bytes) -> None:
    for prefix in (b"", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe\x00\x00\x00\x01"):
        try:
            reader.read_macho(prefix + data)
        except InputError:
            pass


_VALID = [
    macho(ENTITLEMENTS_XML, DER),
    macho(ENTITLEMENTS_XML, None, wide=False, order=">", cputype=CPU_PPC),
    fat([(CPU_X86_64, 3, macho(cputype=CPU_X86_64)), (CPU_ARM64, 0, macho(None, DER))], wide=True),
]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_VALID),
    st.lists(st.tuples(st.integers(0, 100_000), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, 100_000),
)
def test_mutated_macho_only_raises_input_error(
    valid: bytes, edits: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(valid)
    for position, byte in edits:
        data[position % len(data)] = byte
    data = data[: len(data) - cut % (len(data) // 2)]
    try:
        result = reader.read_macho(bytes(data))
    except InputError:
        return
    for arch in result:
        if arch.der is not None:
            try:
                reader.decode_der_entitlements(arch.der)
            except InputError:
                pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_der_entitlements_fuzz(data: bytes) -> None:
    for candidate in (data, b"\x70" + data, tlv(0x70, tlv(0x02, b"\x01") + data)):
        try:
            reader.decode_der_entitlements(candidate)
        except InputError:
            pass
