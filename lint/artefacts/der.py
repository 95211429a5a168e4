"""A small, bounds-checked ASN.1 reader and just enough CMS to unwrap a signed profile.

Provisioning profiles are CMS SignedData (RFC 5652) around a property list. Apple's
files are BER as often as DER: old profiles use definite lengths (``30 82 …``), while
Apple-signed CMS seen more recently, and ``openssl cms -sign -stream``, use indefinite
lengths (``30 80 … 00 00``) and a constructed OCTET STRING split in chunks. This reader
accepts both, because the alternative (asn1crypto, or an ``openssl``/``security``
subprocess) is a dependency or a platform tie for ~200 lines of code.

It is strict where safety matters: every length is checked against its enclosing
element, nesting and input size are capped, indefinite lengths are accepted only on
constructed elements, and every failure is an :class:`InputError`. It does not verify
signatures: entlint reads a profile's claims, Apple's tools decide whether to trust it.
"""

from __future__ import annotations

from typing import NamedTuple

from entitlements_lint import limits
from entitlements_lint.errors import InputError

MAX_INPUT_SIZE = limits.MAX_DER_BYTES

MAX_DEPTH = limits.MAX_DER_DEPTH

UNIVERSAL = 0
APPLICATION = 1
CONTEXT = 2
PRIVATE = 3

BOOLEAN = 1
INTEGER = 2
OCTET_STRING = 4
OBJECT_IDENTIFIER = 6
UTF8_STRING = 12
SEQUENCE = 16
SET = 17

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_DATA = "1.2.840.113549.1.7.1"
OID_COMMON_NAME = "2.5.4.3"
OID_SUBJECT_KEY_IDENTIFIER = "2.5.29.14"


class Element(NamedTuple):
    """One tag-length-value element; ``value`` is the contents without end-of-contents."""

    cls: int
    constructed: bool
    number: int
    value: bytes
    encoded_length: int
    """Bytes taken in the enclosing buffer: identifier, length, contents (and EOC)."""

    def is_universal(self, number: int) -> bool:
        return self.cls == UNIVERSAL and self.number == number

    def is_context(self, number: int) -> bool:
        return self.cls == CONTEXT and self.number == number


class SignedContent(NamedTuple):
    """What a CMS SignedData carries that entlint needs."""

    content: bytes
    signer_common_name: str | None


def read_element(data: bytes, offset: int = 0, depth: int = 0) -> Element:
    """Read one element at ``offset``; an indefinite length is resolved by walking children."""
    cls, constructed, number, start, stop, after = _locate(data, offset, depth)
    return Element(cls, constructed, number, bytes(data[start:stop]), after - offset)


def _locate(data: bytes, offset: int, depth: int) -> tuple[int, bool, int, int, int, int]:
    """Class, constructed flag, tag number, contents start and stop, and the next offset.

    Nothing is copied, so resolving nested indefinite lengths stays linear in memory.
    """
    if depth > MAX_DEPTH:
        raise InputError(f"ASN.1 nesting deeper than {MAX_DEPTH} levels")
    end = len(data)
    pos = offset
    if pos >= end:
        raise InputError(f"ASN.1 element expected at offset {offset}, found end of data")
    first = data[pos]
    pos += 1
    cls = first >> 6
    constructed = bool(first & 0x20)
    number = first & 0x1F
    if number == 0x1F:
        number = 0
        for count in range(5):
            if pos >= end:
                raise InputError(f"truncated ASN.1 tag at offset {offset}")
            byte = data[pos]
            pos += 1
            if count == 0 and byte == 0x80:
                raise InputError(f"badly encoded ASN.1 tag at offset {offset}")
            number = (number << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        else:
            raise InputError(f"ASN.1 tag number too large at offset {offset}")
    if pos >= end:
        raise InputError(f"truncated ASN.1 length at offset {offset}")
    length_byte = data[pos]
    pos += 1
    if length_byte == 0x80:
        if not constructed:
            raise InputError(f"indefinite length on a primitive ASN.1 element at offset {offset}")
        start = pos
        while True:
            if pos + 2 <= end and data[pos] == 0 and data[pos + 1] == 0:
                return cls, constructed, number, start, pos, pos + 2
            if pos >= end:
                raise InputError(f"ASN.1 element at offset {offset} has no end-of-contents")
            pos = _locate(data, pos, depth + 1)[5]
    if length_byte & 0x80:
        count = length_byte & 0x7F
        if count > 4 or count == 0x7F:
            raise InputError(f"ASN.1 length too large at offset {offset}")
        if pos + count > end:
            raise InputError(f"truncated ASN.1 length at offset {offset}")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    else:
        length = length_byte
    if length > end - pos:
        raise InputError(
            f"ASN.1 element at offset {offset} claims {length} bytes, only {end - pos} remain"
        )
    return cls, constructed, number, pos, pos + length, pos + length


def read_single(data: bytes) -> Element:
    """Read a buffer that holds exactly one element (NUL padding after it is tolerated)."""
    if len(data) > MAX_INPUT_SIZE:
        raise InputError(f"ASN.1 input is {len(data)} bytes, more than the {MAX_INPUT_SIZE} limit")
    element = read_element(data)
    if any(data[element.encoded_length :]):
        raise InputError(
            f"unexpected data after the ASN.1 element at offset {element.encoded_length}"
        )
    return element


def children(element: Element, depth: int = 0) -> list[Element]:
    """The elements inside a constructed element, in order."""
    if not element.constructed:
        raise InputError("expected a constructed ASN.1 element, found a primitive one")
    items: list[Element] = []
    pos = 0
    data = element.value
    while pos < len(data):
        child = read_element(data, pos, depth + 1)
        items.append(child)
        pos += child.encoded_length
    return items


def decode_oid(element: Element) -> str:
    """Dotted form of an OBJECT IDENTIFIER."""
    if not element.is_universal(OBJECT_IDENTIFIER) or element.constructed or not element.value:
        raise InputError("expected an ASN.1 OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    for byte in element.value:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if element.value[-1] & 0x80:
        raise InputError("truncated ASN.1 OBJECT IDENTIFIER")
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(arc) for arc in head + arcs[1:])


def decode_integer(element: Element) -> int:
    """A signed INTEGER."""
    if not element.is_universal(INTEGER) or element.constructed or not element.value:
        raise InputError("expected an ASN.1 INTEGER")
    return int.from_bytes(element.value, "big", signed=True)


def decode_octets(element: Element, depth: int = 0) -> bytes:
    """An OCTET STRING, joining the chunks of a BER constructed one."""
    if not element.is_universal(OCTET_STRING):
        raise InputError("expected an ASN.1 OCTET STRING")
    if not element.constructed:
        return element.value
    if depth > MAX_DEPTH:
        raise InputError(f"ASN.1 nesting deeper than {MAX_DEPTH} levels")
    return b"".join(decode_octets(chunk, depth + 1) for chunk in children(element, depth))


_STRING_CODECS = {
    12: "utf-8",
    19: "ascii",
    22: "ascii",
    20: "latin-1",
    30: "utf-16-be",
    28: "utf-32-be",
}


def decode_string(element: Element) -> str:
    """UTF8String, PrintableString, IA5String, T61String, BMPString or UniversalString."""
    codec = _STRING_CODECS.get(element.number) if element.cls == UNIVERSAL else None
    if codec is None or element.constructed:
        raise InputError("expected an ASN.1 character string")
    try:
        return element.value.decode(codec)
    except UnicodeDecodeError as error:
        raise InputError(f"badly encoded ASN.1 string: {error.reason}") from None


def read_signed_data(data: bytes) -> SignedContent:
    """Unwrap a CMS ContentInfo holding SignedData with embedded id-data content.

    RFC 5652: ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content };
    SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
    [0] IMPLICIT certificates OPTIONAL, [1] IMPLICIT crls OPTIONAL, signerInfos SET }.
    """
    top = read_single(data)
    if not top.is_universal(SEQUENCE) or not top.constructed:
        raise InputError("not CMS data: the file does not start with an ASN.1 SEQUENCE")
    info = children(top)
    if len(info) != 2 or decode_oid(info[0]) != OID_SIGNED_DATA:
        raise InputError("not CMS SignedData: the content type is not id-signedData")
    if not info[1].is_context(0) or not info[1].constructed:
        raise InputError("malformed CMS: SignedData content is not wrapped in [0]")
    wrapped = children(info[1])
    if len(wrapped) != 1 or not wrapped[0].is_universal(SEQUENCE):
        raise InputError("malformed CMS: SignedData is not a SEQUENCE")
    fields = children(wrapped[0])
    if len(fields) < 4:
        raise InputError("malformed CMS: SignedData has too few fields")
    decode_integer(fields[0])
    if not fields[1].is_universal(SET) or not fields[2].is_universal(SEQUENCE):
        raise InputError("malformed CMS: SignedData fields are out of order")
    content = _encapsulated_content(fields[2])
    certificates: list[Element] = []
    signer_infos: Element | None = None
    for field in fields[3:]:
        if field.is_context(0) and field.constructed:
            certificates = [cert for cert in children(field) if cert.is_universal(SEQUENCE)]
        elif field.is_universal(SET):
            signer_infos = field
    if signer_infos is None:
        raise InputError("malformed CMS: SignedData has no signerInfos")
    return SignedContent(content, _signer_common_name(signer_infos, certificates))


def _encapsulated_content(encap: Element) -> bytes:
    parts = children(encap)
    if not parts or decode_oid(parts[0]) != OID_DATA:
        raise InputError("CMS content is not id-data, so it is not a provisioning profile")
    if len(parts) < 2:
        raise InputError("CMS signature is detached: the signed content is not in the file")
    if not parts[1].is_context(0) or not parts[1].constructed:
        raise InputError("malformed CMS: eContent is not wrapped in [0]")
    inner = children(parts[1])
    if len(inner) != 1:
        raise InputError("malformed CMS: eContent must hold one OCTET STRING")
    return decode_octets(inner[0])


def _signer_common_name(signer_infos: Element, certificates: list[Element]) -> str | None:
    """Subject CN of the certificate that the first SignerInfo names, if it can be found.

    A profile stays readable when this fails: the name is informative, not needed.
    """
    try:
        infos = children(signer_infos)
        if not infos:
            return None
        sid = children(infos[0])[1]
        for cert in certificates:
            tbs = children(children(cert)[0])
            if tbs and tbs[0].is_context(0):
                tbs = tbs[1:]
            if len(tbs) < 6:
                continue
            serial, issuer, subject = tbs[0], tbs[2], tbs[4]
            if sid.is_universal(SEQUENCE):
                wanted_issuer, wanted_serial = children(sid)[:2]
                if issuer.value != wanted_issuer.value or serial.value != wanted_serial.value:
                    continue
            elif sid.is_context(0) and not sid.constructed:
                if _subject_key_identifier(tbs) != sid.value:
                    continue
            else:
                return None
            return _common_name(subject)
    except (InputError, IndexError, ValueError):
        return None
    return None


def _subject_key_identifier(tbs: list[Element]) -> bytes | None:
    for field in tbs[6:]:
        if field.is_context(3) and field.constructed:
            for extension in children(children(field)[0]):
                parts = children(extension)
                if decode_oid(parts[0]) == OID_SUBJECT_KEY_IDENTIFIER:
                    return decode_octets(read_single(decode_octets(parts[-1])))
    return None


def _common_name(name: Element) -> str | None:
    found: str | None = None
    for rdn in children(name):
        for attribute in children(rdn):
            parts = children(attribute)
            if len(parts) == 2 and decode_oid(parts[0]) == OID_COMMON_NAME:
                found = decode_string(parts[1])
    return found
