"""Builders for signing fixtures: CMS profiles, Mach-O files, bundles and archives.

Everything is made here, byte by byte or with a throwaway key; nothing is downloaded.
"""

from __future__ import annotations

import datetime
import functools
import plistlib
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

UTC = datetime.timezone.utc
SIGNER_NAME = "entlint Test Profile Signing"


# --- CMS ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def signer() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A throwaway self-signed certificate and key, made once per test session."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "entlint tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, SIGNER_NAME),
        ]
    )
    now = datetime.datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1234567890ABCDEF)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def sign_cms(content: bytes, detached: bool = False) -> bytes:
    """CMS SignedData (DER, definite lengths) made by the cryptography package."""
    cert, key = signer()
    options = [pkcs7.PKCS7Options.Binary]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, options)
    )


#: The skip reason of the tests that compare with OpenSSL's output.
INSTALL_OPENSSL = "install the openssl command (apt-get install openssl, brew install openssl) to compare with it"


def openssl_available() -> bool:
    return shutil.which("openssl") is not None


def openssl_sign(content: bytes, tmp: Path, stream: bool = False, keyid: bool = False) -> bytes:
    """``openssl cms -sign -nodetach -outform DER``; ``stream`` gives BER indefinite lengths."""
    cert, key = signer()
    (tmp / "signer.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp / "content.bin").write_bytes(content)
    command = [
        "openssl", "cms", "-sign", "-nodetach", "-binary", "-outform", "DER",
        "-in", str(tmp / "content.bin"), "-signer", str(tmp / "signer.pem"),
        "-inkey", str(tmp / "key.pem"), "-out", str(tmp / "signed.der"),
    ]  # fmt: skip
    if stream:
        command.append("-stream")
    if keyid:
        command.append("-keyid")
    subprocess.run(command, check=True, capture_output=True)
    return (tmp / "signed.der").read_bytes()


# --- a tiny BER writer for hand-made structures --------------------------------------


def tlv(tag: int, content: bytes, indefinite: bool = False) -> bytes:
    """One element; ``indefinite`` writes 0x80 and an end-of-contents (constructed only)."""
    if indefinite:
        return bytes([tag, 0x80]) + content + b"\x00\x00"
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def oid(dotted: str) -> bytes:
    arcs = [int(part) for part in dotted.split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(0x06, bytes(body))


def hand_signed_data(content: bytes, indefinite: bool, chunk: int = 0) -> bytes:
    """A minimal ContentInfo/SignedData with no certificates, written by hand.

    ``chunk`` > 0 splits the eContent into a constructed OCTET STRING of that chunk size.
    """
    if chunk:
        pieces = b"".join(tlv(0x04, content[i : i + chunk]) for i in range(0, len(content), chunk))
        octets = tlv(0x24, pieces, indefinite)
    else:
        octets = tlv(0x04, content)
    encap = tlv(0x30, oid("1.2.840.113549.1.7.1") + tlv(0xA0, octets, indefinite), indefinite)
    signed = tlv(
        0x30,
        tlv(0x02, b"\x01") + tlv(0x31, b"") + encap + tlv(0x31, b""),
        indefinite,
    )
    return tlv(0x30, oid("1.2.840.113549.1.7.2") + tlv(0xA0, signed, indefinite), indefinite)


# --- profiles ----------------------------------------------------------------------

CREATED = datetime.datetime(2025, 1, 2, 3, 4, 5)
EXPIRES = datetime.datetime(2026, 1, 2, 3, 4, 5)


def profile_dict(**overrides: object) -> dict[str, object]:
    """A development iOS profile; keyword arguments replace or (with None) remove keys."""
    base: dict[str, object] = {
        "AppIDName": "Example App",
        "ApplicationIdentifierPrefix": ["ABCDE12345"],
        "CreationDate": CREATED,
        "ExpirationDate": EXPIRES,
        "Platform": ["iOS", "xrOS"],
        "IsXcodeManaged": True,
        "Name": "iOS Team Provisioning Profile: com.example.app",
        "ProvisionedDevices": ["00008110-001A2B3C4D5E6F70", "00008030-000000000000002E"],
        "TeamIdentifier": ["ABCDE12345"],
        "TeamName": "Example Corp",
        "TimeToLive": 365,
        "UUID": "5F2C1D8E-1234-4ABC-9DEF-0123456789AB",
        "Version": 1,
        "Entitlements": {
            "application-identifier": "ABCDE12345.com.example.app",
            "com.apple.developer.team-identifier": "ABCDE12345",
            "get-task-allow": True,
            "keychain-access-groups": ["ABCDE12345.*", "com.apple.token"],
            "aps-environment": "development",
        },
    }
    for key, value in overrides.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def signed_profile(**overrides: object) -> bytes:
    return sign_cms(plistlib.dumps(profile_dict(**overrides)))


# --- Mach-O ------------------------------------------------------------------------

CPU_X86_64 = 0x01000007
CPU_ARM64 = 0x0100000C
CPU_ARM = 12
CPU_PPC = 18
ENTITLEMENTS_XML = plistlib.dumps({"get-task-allow": True, "com.apple.security.app-sandbox": True})


def superblob(
    xml: bytes | None, der: bytes | None, extra: list[tuple[int, bytes]] | None = None
) -> bytes:
    """A code signature SuperBlob: a stand-in CodeDirectory plus the entitlements blobs."""
    blobs: list[tuple[int, bytes]] = [(0, struct.pack(">II", 0xFADE0C02, 16) + b"\x00" * 8)]
    if xml is not None:
        blobs.append((5, struct.pack(">II", 0xFADE7171, 8 + len(xml)) + xml))
    if der is not None:
        blobs.append((7, struct.pack(">II", 0xFADE7172, 8 + len(der)) + der))
    blobs.extend(extra or [])
    offset = 12 + 8 * len(blobs)
    index = b""
    body = b""
    for slot, blob in blobs:
        index += struct.pack(">II", slot, offset + len(body))
        body += blob
    return struct.pack(">III", 0xFADE0CC0, offset + len(body), len(blobs)) + index + body


def macho(
    xml: bytes | None = ENTITLEMENTS_XML,
    der: bytes | None = None,
    *,
    wide: bool = True,
    order: str = "<",
    cputype: int = CPU_ARM64,
    cpusubtype: int = 0,
    signed: bool = True,
    signature: bytes | None = None,
) -> bytes:
    """A minimal Mach-O: header, a __LINKEDIT segment, LC_CODE_SIGNATURE, then the SuperBlob."""
    blob = signature if signature is not None else superblob(xml, der)
    header_size = 32 if wide else 28
    segment_size = 72 if wide else 56
    commands_size = segment_size + (16 if signed else 0)
    linkedit = (header_size + commands_size + 15) // 16 * 16
    name = b"__LINKEDIT".ljust(16, b"\x00")
    if wide:
        segment = struct.pack(
            order + "II16sQQQQiiII", 0x19, segment_size, name, 0x100000000, 0x4000,
            linkedit, len(blob), 1, 1, 0, 0,
        )  # fmt: skip
    else:
        segment = struct.pack(
            order + "II16sIIIIiiII", 0x1, segment_size, name, 0x4000, 0x4000,
            linkedit, len(blob), 1, 1, 0, 0,
        )  # fmt: skip
    commands = segment
    if signed:
        commands += struct.pack(order + "IIII", 0x1D, 16, linkedit, len(blob))
    magic = 0xFEEDFACF if wide else 0xFEEDFACE
    header = struct.pack(
        order + "IIIIIII", magic, cputype, cpusubtype, 2, 1 + signed, commands_size, 0
    )
    if wide:
        header += b"\x00\x00\x00\x00"
    image = header + commands
    image += b"\x00" * (linkedit - len(image))
    return image + (blob if signed else b"")


def fat(slices: list[tuple[int, int, bytes]], wide: bool = False) -> bytes:
    """A universal binary holding the given (cputype, cpusubtype, image) slices."""
    entry = 32 if wide else 20
    offset = 8 + entry * len(slices)
    offset = (offset + 15) // 16 * 16
    table = b""
    body = b""
    for cputype, cpusubtype, image in slices:
        start = offset + len(body)
        if wide:
            table += struct.pack(">IIQQII", cputype, cpusubtype, start, len(image), 4, 0)
        else:
            table += struct.pack(">IIIII", cputype, cpusubtype, start, len(image), 4)
        body += image + b"\x00" * (-len(image) % 16)
    head = struct.pack(">II", 0xCAFEBABF if wide else 0xCAFEBABE, len(slices)) + table
    return head + b"\x00" * (offset - len(head)) + body


def der_entitlements(value: dict[str, object]) -> bytes:
    """Apple's DER entitlements form, as rcodesign's plist_der.rs writes it (keys sorted)."""

    def encode(item: object) -> bytes:
        if isinstance(item, bool):
            return tlv(0x01, b"\xff" if item else b"\x00")
        if isinstance(item, int):
            return tlv(
                0x02, item.to_bytes(max(1, (item.bit_length() + 8) // 8), "big", signed=True)
            )
        if isinstance(item, str):
            return tlv(0x0C, item.encode())
        if isinstance(item, list):
            return tlv(0x30, b"".join(encode(x) for x in item))
        if isinstance(item, dict):
            entries = b"".join(
                tlv(0x30, tlv(0x0C, k.encode()) + encode(item[k])) for k in sorted(item)
            )
            return tlv(0xB0, entries)
        raise TypeError(item)

    return tlv(0x70, tlv(0x02, b"\x01") + encode(value))


# --- bundles -----------------------------------------------------------------------


def info_plist(executable: str, identifier: str) -> bytes:
    return plistlib.dumps({"CFBundleExecutable": executable, "CFBundleIdentifier": identifier})


def ios_bundle(
    folder: Path, name: str, identifier: str, image: bytes, profile: bytes | None = None
) -> Path:
    """Write ``folder/name`` as an iOS-layout bundle (Info.plist and executable at the top)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = name.rsplit(".", 1)[0]
    (folder / "Info.plist").write_bytes(info_plist(stem, identifier))
    (folder / stem).write_bytes(image)
    if profile is not None:
        (folder / "embedded.mobileprovision").write_bytes(profile)
    return folder


def zip_folder(source: Path, archive: Path, prefix: str = "") -> Path:
    """Zip every file under ``source`` with member names ``prefix + relative path``."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                out.write(path, prefix + path.relative_to(source).as_posix())
    return archive
