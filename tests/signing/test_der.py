"""The DER/BER reader and CMS unwrapping: real signers, hand-made BER, and hostile bytes."""

from __future__ import annotations

import pytest
from entitlements_lint.artefacts import der
from entitlements_lint.errors import InputError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from signing_builders import (
    INSTALL_OPENSSL,
    SIGNER_NAME,
    hand_signed_data,
    oid,
    openssl_available,
    openssl_sign,
    sign_cms,
    tlv,
)

CONTENT = b"<?xml version='1.0'?><plist><dict/></plist>\n" * 40

needs_openssl = pytest.mark.skipif(not openssl_available(), reason=INSTALL_OPENSSL)


def test_cryptography_signed_der_gives_content_and_signer() -> None:
    signed = sign_cms(CONTENT)
    assert signed[:2] == b"\x30\x82"  # definite length
    result = der.read_signed_data(signed)
    assert result.content == CONTENT
    assert result.signer_common_name == SIGNER_NAME


@needs_openssl
def test_openssl_definite_length(tmp_path) -> None:
    signed = openssl_sign(CONTENT, tmp_path)
    assert signed[:2] == b"\x30\x82"
    assert der.read_signed_data(signed) == der.SignedContent(CONTENT, SIGNER_NAME)


@needs_openssl
def test_openssl_stream_uses_indefinite_lengths(tmp_path) -> None:
    signed = openssl_sign(CONTENT, tmp_path, stream=True)
    assert signed[:2] == b"\x30\x80"  # BER indefinite, as Apple-signed CMS often is
    assert der.read_signed_data(signed) == der.SignedContent(CONTENT, SIGNER_NAME)


@needs_openssl
def test_signer_named_by_subject_key_identifier(tmp_path) -> None:
    signed = openssl_sign(CONTENT, tmp_path, keyid=True)
    assert der.read_signed_data(signed).signer_common_name == SIGNER_NAME


@pytest.mark.parametrize("indefinite", [False, True])
@pytest.mark.parametrize("chunk", [0, 1, 7, 1000])
def test_hand_made_ber_with_chunked_octet_string(indefinite: bool, chunk: int) -> None:
    signed = hand_signed_data(CONTENT, indefinite=indefinite, chunk=chunk)
    result = der.read_signed_data(signed)
    assert result.content == CONTENT
    assert result.signer_common_name is None  # no certificates in the hand-made one


def test_detached_signature_is_refused() -> None:
    with pytest.raises(InputError, match="detached"):
        der.read_signed_data(sign_cms(CONTENT, detached=True))


def test_content_info_that_is_not_signed_data() -> None:
    data = tlv(0x30, oid("1.2.840.113549.1.7.1") + tlv(0xA0, tlv(0x04, b"x")))
    with pytest.raises(InputError, match="not CMS SignedData"):
        der.read_signed_data(data)


def test_signed_data_around_non_data_content() -> None:
    encap = tlv(0x30, oid("1.2.840.113549.1.9.16.1.4") + tlv(0xA0, tlv(0x04, b"x")))
    signed = tlv(0x30, tlv(0x02, b"\x01") + tlv(0x31, b"") + encap + tlv(0x31, b""))
    data = tlv(0x30, oid("1.2.840.113549.1.7.2") + tlv(0xA0, signed))
    with pytest.raises(InputError, match="not id-data"):
        der.read_signed_data(data)


def test_not_asn1_at_all() -> None:
    with pytest.raises(InputError, match="does not start with an ASN.1 SEQUENCE"):
        der.read_signed_data(b"\x04\x03abc")


@pytest.mark.parametrize("cut", [1, 2, 3, 10, 100, 500, -1])
def test_every_truncation_is_an_input_error(cut: int) -> None:
    signed = sign_cms(CONTENT)
    with pytest.raises(InputError):
        der.read_signed_data(signed[:cut])


def test_trailing_garbage_is_refused_but_nul_padding_is_not() -> None:
    signed = sign_cms(CONTENT)
    assert der.read_signed_data(signed + b"\x00" * 16).content == CONTENT
    with pytest.raises(InputError, match="unexpected data after"):
        der.read_signed_data(signed + b"junk")


def test_indefinite_length_on_primitive_is_refused() -> None:
    with pytest.raises(InputError, match="indefinite length on a primitive"):
        der.read_single(b"\x04\x80abc\x00\x00")


def test_missing_end_of_contents() -> None:
    with pytest.raises(InputError, match="no end-of-contents"):
        der.read_single(b"\x30\x80\x02\x01\x01")


def test_length_larger_than_data() -> None:
    with pytest.raises(InputError, match="claims 16 bytes, only 2 remain"):
        der.read_single(b"\x04\x10ab")


def test_length_of_too_many_octets() -> None:
    with pytest.raises(InputError, match="length too large"):
        der.read_single(b"\x04\x85\x00\x00\x00\x00\x01a")


def test_nesting_bomb_is_bounded() -> None:
    with pytest.raises(InputError, match="nesting deeper"):
        der.read_single(b"\x30\x80" * 200 + b"\x00\x00" * 200)


def test_input_size_cap(monkeypatch) -> None:
    monkeypatch.setattr(der, "MAX_INPUT_SIZE", 10)
    with pytest.raises(InputError, match="more than the 10 limit"):
        der.read_single(tlv(0x04, b"x" * 20))


def test_high_tag_number_form() -> None:
    element = der.read_single(b"\x9f\x81\x00\x01z")  # [CONTEXT 128] primitive
    assert (element.cls, element.number, element.value) == (der.CONTEXT, 128, b"z")


def test_oid_and_integer_decoding() -> None:
    assert der.decode_oid(der.read_single(oid("1.2.840.113549.1.7.2"))) == "1.2.840.113549.1.7.2"
    assert der.decode_oid(der.read_single(oid("2.999.3"))) == "2.999.3"
    assert der.decode_integer(der.read_single(b"\x02\x01\xff")) == -1
    assert der.decode_integer(der.read_single(b"\x02\x02\x00\xff")) == 255
    with pytest.raises(InputError, match="truncated ASN.1 OBJECT IDENTIFIER"):
        der.decode_oid(der.read_single(b"\x06\x02\x2a\x86"))


def test_children_of_nested_indefinite_elements() -> None:
    data = tlv(0x30, tlv(0x30, tlv(0x02, b"\x05"), True) + tlv(0x04, b"ab"), True)
    outer = der.read_single(data)
    inner, octets = der.children(outer)
    assert der.decode_integer(der.children(inner)[0]) == 5
    assert der.decode_octets(octets) == b"ab"
    assert outer.encoded_length == len(data)


# --- fuzzing ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_raise_input_error(data: bytes) -> None:
    try:
        der.read_signed_data(data)
    except InputError:
        pass


_VALID = [sign_cms(b"<plist><dict/></plist>"), hand_signed_data(CONTENT[:200], True, 50)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_VALID),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=6),
    st.integers(0, 10_000),
)
def test_mutated_cms_only_raises_input_error(
    valid: bytes, edits: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(valid)
    for position, byte in edits:
        data[position % len(data)] = byte
    try:
        result = der.read_signed_data(bytes(data[: max(1, len(data) - cut % 64)]))
    except InputError:
        return
    assert isinstance(result.content, bytes)
