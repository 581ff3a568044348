"""sprig's random identifiers and crypto: uuidv4 and randBytes work; key and certificate functions refuse.

Generating keys or certificates inside an offline injector would put secret
material into manifests nobody asked for, and Istio's templates never call
them, so they fail with a clear error instead.
"""

import base64
import secrets
import uuid
from typing import Any, Callable

from pyinject.golang.values import GoFuncError


def uuidv4() -> str:
    """uuidv4: a random RFC 4122 version 4 UUID."""
    return str(uuid.uuid4())


def rand_bytes(count: int) -> str:
    """randBytes N: N random bytes, base64-encoded."""
    if count < 0 or count > 1 << 30:
        raise GoFuncError("runtime error: makeslice: len out of range")
    return base64.b64encode(secrets.token_bytes(count)).decode("ascii")


def _unsupported(name: str) -> Callable[..., Any]:
    def refuse(*args: Any) -> Any:
        raise GoFuncError(f"{name} is not supported by pyinject (no key or certificate generation)")

    refuse.__name__ = name
    refuse.__doc__ = f"{name}: not supported by pyinject; always an error."
    return refuse


_UNSUPPORTED = (
    "bcrypt",
    "htpasswd",
    "genPrivateKey",
    "derivePassword",
    "buildCustomCert",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "encryptAES",
    "decryptAES",
)

CRYPTO_FUNCS: dict[str, Callable[..., Any]] = {
    "uuidv4": uuidv4,
    "randBytes": rand_bytes,
    **{name: _unsupported(name) for name in _UNSUPPORTED},
}
