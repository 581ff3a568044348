"""sprig's encodings and digests: base64, base32 (Go's decoders and error texts), sha1/sha256/sha512, adler32."""

from typing import Any, Callable
import base64
import hashlib
import zlib

from pyinject.sprig.cast import from_go_bytes, go_bytes

_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_DECODE = {c: i for i, c in enumerate(_B64_ALPHABET)}
_B32_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_DECODE = {c: i for i, c in enumerate(_B32_ALPHABET)}
_PAD = ord("=")
_NEWLINES = (ord("\n"), ord("\r"))


class _Corrupt(Exception):
    """Go's base64/base32 CorruptInputError: the offset of the first bad byte."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


def _b64_quantum(src: bytes, si: int, out: bytearray) -> tuple[int, bool]:
    """One step of Go's decodeQuantum: up to 4 symbols into up to 3 bytes; (next index, done)."""
    dbuf = [0, 0, 0, 0]
    dlen = 4
    j = 0
    done = False
    while j < 4:
        if si == len(src):
            if j == 0:
                return si, True
            # StdEncoding pads, so a quantum cut short is always an error.
            raise _Corrupt(si - j)
        c = src[si]
        si += 1
        if c in _B64_DECODE:
            dbuf[j] = _B64_DECODE[c]
            j += 1
            continue
        if c in _NEWLINES:
            continue
        if c != _PAD:
            raise _Corrupt(si - 1)
        # Padding: only after two or three symbols, and nothing after it.
        if j in (0, 1):
            raise _Corrupt(si - 1)
        if j == 2:
            while si < len(src) and src[si] in _NEWLINES:
                si += 1
            if si == len(src):
                raise _Corrupt(len(src))
            if src[si] != _PAD:
                raise _Corrupt(si - 1)
            si += 1
        while si < len(src) and src[si] in _NEWLINES:
            si += 1
        if si < len(src):
            raise _Corrupt(si)
        dlen = j
        done = True
        break
    val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3]
    out += bytes(((val >> 16) & 0xFF, (val >> 8) & 0xFF, val & 0xFF))[: dlen - 1]
    return si, done


def _b64_decode(src: bytes) -> bytes:
    out = bytearray()
    si = 0
    done = False
    while si < len(src) and not done:
        si, done = _b64_quantum(src, si, out)
    return bytes(out)


def _b32_decode(text: bytes) -> bytes:
    """Go's base32 StdEncoding decode (newlines dropped first, as DecodeString does)."""
    src = bytes(c for c in text if c not in _NEWLINES)
    olen = len(src)
    out = bytearray()
    pos = 0
    end = False
    while pos < olen and not end:
        dbuf = [0] * 8
        dlen = 8
        j = 0
        while j < 8:
            if pos == olen:
                raise _Corrupt(olen - j)
            c = src[pos]
            pos += 1
            remaining = olen - pos
            if c == _PAD and j >= 2 and remaining < 8:
                if remaining + j < 7:
                    raise _Corrupt(olen)
                for k in range(7 - j):
                    if remaining > k and src[pos + k] != _PAD:
                        raise _Corrupt(pos + k - 1)
                dlen, end = j, True
                # 1, 3 and 6 symbols cannot end a quantum (RFC 4648 §6).
                if dlen in (1, 3, 6):
                    raise _Corrupt(pos - 1)
                break
            if c not in _B32_DECODE:
                raise _Corrupt(pos - 1)
            dbuf[j] = _B32_DECODE[c]
            j += 1
        val = 0
        for d in dbuf:
            val = val << 5 | d
        packed = val.to_bytes(5, "big")
        out += packed[: {8: 5, 7: 4, 5: 3, 4: 2, 2: 1}.get(dlen, 0)]
    return bytes(out)


def b64enc(s: str) -> str:
    """b64enc S: S's bytes in standard base64."""
    return base64.b64encode(go_bytes(s)).decode("ascii")


def b64dec(s: str) -> str:
    """b64dec S: S decoded from standard base64; bad input gives Go's error text as the result."""
    try:
        return from_go_bytes(_b64_decode(go_bytes(s)))
    except _Corrupt as err:
        return f"illegal base64 data at input byte {err.offset}"


def b32enc(s: str) -> str:
    """b32enc S: S's bytes in standard base32."""
    return base64.b32encode(go_bytes(s)).decode("ascii")


def b32dec(s: str) -> str:
    """b32dec S: S decoded from standard base32; bad input gives Go's error text as the result."""
    try:
        return from_go_bytes(_b32_decode(go_bytes(s)))
    except _Corrupt as err:
        return f"illegal base32 data at input byte {err.offset}"


def sha1sum(s: str) -> str:
    """sha1sum S: the hex SHA-1 of S."""
    return hashlib.sha1(go_bytes(s)).hexdigest()


def sha256sum(s: str) -> str:
    """sha256sum S: the hex SHA-256 of S."""
    return hashlib.sha256(go_bytes(s)).hexdigest()


def sha512sum(s: str) -> str:
    """sha512sum S: the hex SHA-512 of S (sprig 3.3, as Istio 1.30 ships)."""
    return hashlib.sha512(go_bytes(s)).hexdigest()


def adler32sum(s: str) -> str:
    """adler32sum S: the Adler-32 checksum of S, in decimal."""
    return str(zlib.adler32(go_bytes(s)))


ENCODING_FUNCS: dict[str, Callable[..., Any]] = {
    "b64enc": b64enc,
    "b64dec": b64dec,
    "b32enc": b32enc,
    "b32dec": b32dec,
    "sha1sum": sha1sum,
    "sha256sum": sha256sum,
    "sha512sum": sha512sum,
    "adler32sum": adler32sum,
}
