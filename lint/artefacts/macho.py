"""Read the entitlements a signed Mach-O executable carries in its code signature.

What codesign signed is what the OS enforces, so entlint lints the signature, not only the
source file. Path: Mach-O header (thin 32/64-bit, either byte order, or a universal
``fat``/``fat64`` wrapper) → load commands → ``LC_CODE_SIGNATURE`` (0x1d) → SuperBlob
(magic 0xfade0cc0, big-endian) → slot 5, the XML entitlements blob (0xfade7171), and
slot 7, the DER entitlements blob (0xfade7172) that iOS 15 and later prefer.

Both blobs are returned because they can disagree (rcodesign issue #75 added printing
the DER form for that reason); :func:`entitlements_differences` names the keys that do.
Every offset is checked against the slice it points into; every failure is an
:class:`InputError`.
"""

from __future__ import annotations

import mmap
import plistlib
import struct
from typing import NamedTuple

from entitlements_lint.artefacts import der
from entitlements_lint import limits
from entitlements_lint.errors import InputError
from entitlements_lint.plist import check_size, reason

Buffer = bytes | bytearray | memoryview | mmap.mmap
"""Anything sliceable to bytes; bundles pass an mmap so large executables are not copied."""

LC_CODE_SIGNATURE = 0x1D
SUPERBLOB_MAGIC = 0xFADE0CC0
ENTITLEMENTS_MAGIC = 0xFADE7171
DER_ENTITLEMENTS_MAGIC = 0xFADE7172
SLOT_ENTITLEMENTS = 5
SLOT_DER_ENTITLEMENTS = 7

MAX_LOAD_COMMANDS = limits.MAX_MACHO_LOAD_COMMANDS
MAX_FAT_ARCHES = limits.MAX_FAT_ARCHES
MAX_BLOBS = limits.MAX_SIGNATURE_BLOBS

_THIN_MAGICS = {
    b"\xfe\xed\xfa\xce": (">", False),
    b"\xce\xfa\xed\xfe": ("<", False),
    b"\xfe\xed\xfa\xcf": (">", True),
    b"\xcf\xfa\xed\xfe": ("<", True),
}
_FAT_MAGIC = b"\xca\xfe\xba\xbe"
_FAT_MAGIC_64 = b"\xca\xfe\xba\xbf"

_CPU_ARCH_ABI64 = 0x01000000
_CPU_ARCH_ABI64_32 = 0x02000000
_ARM_SUBTYPES = {6: "armv6", 9: "armv7", 11: "armv7s", 12: "armv7k"}


class ArchEntitlements(NamedTuple):
    """One architecture's signature: ``signed`` is False when it has no LC_CODE_SIGNATURE."""

    arch: str
    signed: bool
    xml: bytes | None
    der: bytes | None


def is_macho(data: Buffer) -> bool:
    """True when the first bytes are a thin or universal Mach-O magic."""
    head = bytes(data[:4])
    return head in _THIN_MAGICS or head in (_FAT_MAGIC, _FAT_MAGIC_64)


def arch_name(cputype: int, cpusubtype: int) -> str:
    """The name ``lipo`` and ``codesign`` print for a CPU type and subtype."""
    subtype = cpusubtype & 0x00FFFFFF
    if cputype == 7:
        return "i386"
    if cputype == 7 | _CPU_ARCH_ABI64:
        return "x86_64h" if subtype == 8 else "x86_64"
    if cputype == 12:
        return _ARM_SUBTYPES.get(subtype, "arm")
    if cputype == 12 | _CPU_ARCH_ABI64:
        return "arm64e" if subtype == 2 else "arm64"
    if cputype == 12 | _CPU_ARCH_ABI64_32:
        return "arm64_32"
    if cputype == 18:
        return "ppc"
    if cputype == 18 | _CPU_ARCH_ABI64:
        return "ppc64"
    return f"cputype {cputype}"


def read_macho(data: Buffer) -> tuple[ArchEntitlements, ...]:
    """Entitlements of every architecture in a thin or universal Mach-O file."""
    if len(data) < 8:
        raise InputError("not a Mach-O file: too short")
    head = bytes(data[:4])
    if head in _THIN_MAGICS:
        return (_read_thin(data, 0, len(data)),)
    if head not in (_FAT_MAGIC, _FAT_MAGIC_64):
        raise InputError("not a Mach-O file: unknown magic " + head.hex())
    wide = head == _FAT_MAGIC_64
    (count,) = struct.unpack_from(">I", data, 4)
    if count == 0 or count > MAX_FAT_ARCHES:
        raise InputError(f"universal Mach-O claims {count} architectures")
    entry_size = 32 if wide else 20
    if 8 + count * entry_size > len(data):
        raise InputError("universal Mach-O header is truncated")
    result: list[ArchEntitlements] = []
    for index in range(count):
        at = 8 + index * entry_size
        if wide:
            _cpu, _sub, offset, size = struct.unpack_from(">IIQQ", data, at)
        else:
            _cpu, _sub, offset, size = struct.unpack_from(">IIII", data, at)
        if offset < 8 + count * entry_size or size > len(data) or offset > len(data) - size:
            raise InputError(
                f"universal Mach-O architecture {index} lies outside the file "
                f"(offset {offset}, size {size}, file {len(data)})"
            )
        if bytes(data[offset : offset + 4]) not in _THIN_MAGICS:
            raise InputError(f"universal Mach-O architecture {index} is not a Mach-O image")
        result.append(_read_thin(data, offset, size))
    return tuple(result)


def _read_thin(data: Buffer, base: int, size: int) -> ArchEntitlements:
    """One Mach-O image at ``base``; offsets inside it are relative to ``base``."""
    order, wide = _THIN_MAGICS[bytes(data[base : base + 4])]
    header_size = 32 if wide else 28
    if size < header_size:
        raise InputError("Mach-O header is truncated")
    cputype, cpusubtype, _filetype, ncmds, sizeofcmds = struct.unpack_from(
        order + "IIIII", data, base + 4
    )
    arch = arch_name(cputype, cpusubtype)
    if ncmds > MAX_LOAD_COMMANDS:
        raise InputError(f"Mach-O ({arch}) claims {ncmds} load commands")
    if sizeofcmds > size - header_size:
        raise InputError(f"Mach-O ({arch}) load commands run past the end of the image")
    pos = header_size
    end = header_size + sizeofcmds
    signature: tuple[int, int] | None = None
    for _ in range(ncmds):
        if pos + 8 > end:
            raise InputError(f"Mach-O ({arch}) load command at offset {pos} is truncated")
        cmd, cmdsize = struct.unpack_from(order + "II", data, base + pos)
        if cmdsize < 8 or cmdsize > end - pos:
            raise InputError(f"Mach-O ({arch}) load command at offset {pos} has size {cmdsize}")
        if cmd == LC_CODE_SIGNATURE:
            if cmdsize < 16:
                raise InputError(f"Mach-O ({arch}) LC_CODE_SIGNATURE is too short")
            signature = struct.unpack_from(order + "II", data, base + pos + 8)
        pos += cmdsize
    if signature is None:
        return ArchEntitlements(arch, False, None, None)
    dataoff, datasize = signature
    if datasize > size or dataoff > size - datasize:
        raise InputError(
            f"Mach-O ({arch}) code signature lies outside the image "
            f"(offset {dataoff}, size {datasize}, image {size})"
        )
    blob = bytes(data[base + dataoff : base + dataoff + datasize])
    xml, der_blob = _read_superblob(blob, arch)
    return ArchEntitlements(arch, True, xml, der_blob)


def _read_superblob(blob: bytes, arch: str) -> tuple[bytes | None, bytes | None]:
    if len(blob) < 12:
        raise InputError(f"Mach-O ({arch}) code signature is too short")
    magic, length, count = struct.unpack_from(">III", blob, 0)
    if magic != SUPERBLOB_MAGIC:
        raise InputError(f"Mach-O ({arch}) code signature has magic {magic:#010x}, not a SuperBlob")
    if length < 12 or length > len(blob):
        raise InputError(f"Mach-O ({arch}) code signature SuperBlob claims {length} bytes")
    if count > MAX_BLOBS or 12 + 8 * count > length:
        raise InputError(f"Mach-O ({arch}) code signature index claims {count} blobs")
    found: dict[int, bytes] = {}
    wanted = {SLOT_ENTITLEMENTS: ENTITLEMENTS_MAGIC, SLOT_DER_ENTITLEMENTS: DER_ENTITLEMENTS_MAGIC}
    for index in range(count):
        slot, offset = struct.unpack_from(">II", blob, 12 + 8 * index)
        if slot not in wanted or slot in found:
            continue
        if offset < 12 + 8 * count or offset > length - 8:
            raise InputError(f"Mach-O ({arch}) signature slot {slot} points outside the SuperBlob")
        blob_magic, blob_length = struct.unpack_from(">II", blob, offset)
        if blob_magic != wanted[slot]:
            raise InputError(
                f"Mach-O ({arch}) signature slot {slot} holds magic {blob_magic:#010x}, "
                f"expected {wanted[slot]:#010x}"
            )
        if blob_length < 8 or blob_length > length - offset:
            raise InputError(f"Mach-O ({arch}) entitlements blob claims {blob_length} bytes")
        found[slot] = blob[offset + 8 : offset + blob_length]
    return found.get(SLOT_ENTITLEMENTS), found.get(SLOT_DER_ENTITLEMENTS)


def decode_der_entitlements(data: bytes) -> dict[str, object]:
    """Decode Apple's DER entitlements (the payload of blob 0xfade7172) to a dict.

    Format as implemented by rcodesign's ``plist_der.rs`` (apple-codesign, whose test
    vectors came from Apple's ``codesign --generate-entitlement-der``): the top level is
    ``[APPLICATION 16] { INTEGER 1, value }``; a dictionary is ``[CONTEXT 16]`` holding
    ``SEQUENCE { UTF8String key, value }`` entries; an array is a SEQUENCE; scalars are
    BOOLEAN, INTEGER and UTF8String. rcodesign also accepts a bare ``SET`` of entries at
    the top level, and so does this. Data, date and real values have no DER form there.
    """
    top = der.read_single(data)
    if top.cls == der.APPLICATION and top.number == 16 and top.constructed:
        parts = der.children(top)
        if len(parts) != 2 or der.decode_integer(parts[0]) != 1:
            raise InputError("DER entitlements: expected version 1 and one value")
        value = _der_value(parts[1], 1)
    elif top.is_universal(der.SET) and top.constructed:
        value = _der_entries(top, 1)
    else:
        raise InputError("DER entitlements: unknown top-level element")
    if not isinstance(value, dict):
        raise InputError("DER entitlements: the top-level value is not a dictionary")
    return value


def _der_value(element: der.Element, depth: int) -> object:
    if depth > der.MAX_DEPTH:
        raise InputError(f"DER entitlements nested deeper than {der.MAX_DEPTH} levels")
    if element.cls == der.CONTEXT and element.number == 16 and element.constructed:
        return _der_entries(element, depth)
    if element.is_universal(der.SEQUENCE) and element.constructed:
        return [_der_value(item, depth + 1) for item in der.children(element)]
    if element.is_universal(der.BOOLEAN) and not element.constructed:
        if len(element.value) != 1:
            raise InputError("DER entitlements: BOOLEAN must be one byte")
        return element.value != b"\x00"
    if element.is_universal(der.INTEGER):
        return der.decode_integer(element)
    if element.is_universal(der.UTF8_STRING):
        return der.decode_string(element)
    raise InputError(
        f"DER entitlements: unsupported element (class {element.cls}, tag {element.number})"
    )


def _der_entries(element: der.Element, depth: int) -> dict[str, object]:
    result: dict[str, object] = {}
    for entry in der.children(element):
        if not entry.is_universal(der.SEQUENCE) or not entry.constructed:
            raise InputError("DER entitlements: a dictionary entry is not a SEQUENCE")
        parts = der.children(entry)
        if len(parts) != 2 or not parts[0].is_universal(der.UTF8_STRING):
            raise InputError("DER entitlements: a dictionary entry is not (UTF8String, value)")
        result[der.decode_string(parts[0])] = _der_value(parts[1], depth + 1)
    return result


def parse_xml_entitlements(data: bytes) -> dict[str, object]:
    """The XML entitlements blob as a dict (plistlib; positions are the plist reader's job)."""
    try:
        value = plistlib.loads(data)
    except Exception as error:  # noqa: BLE001 - plistlib raises many types
        raise InputError(f"entitlements blob is not a valid property list ({reason(error)})") from None
    if not isinstance(value, dict):
        raise InputError("entitlements blob is not a dictionary")
    check_size(value, "entitlements blob")
    return value


def entitlements_differences(xml: bytes, der_blob: bytes) -> tuple[str, ...]:
    """Keys whose value differs between the XML and DER blobs (missing on one side included).

    Comparison is type-strict: ``true`` and ``1`` differ, although Python says they are equal.
    """
    left = parse_xml_entitlements(xml)
    right = decode_der_entitlements(der_blob)
    return tuple(
        sorted(
            key
            for key in set(left) | set(right)
            if key not in left or key not in right or not same_value(left[key], right[key])
        )
    )


def same_value(left: object, right: object) -> bool:
    """Equality of plist values that does not confuse booleans with integers."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_value(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same_value, left, right))
    return left == right
