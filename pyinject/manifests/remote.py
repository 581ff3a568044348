"""``-f https://...``: fetch a manifest over HTTPS, as kubectl does, with a deadline and a size bound.

Only HTTPS is fetched, redirects included: a manifest decides what runs in the
cluster, so it must not travel in clear text, where anyone on the path could
rewrite it.  Certificates are checked against the system's trust store
(``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` point elsewhere, as for any OpenSSL
program).  The whole body is read before anything is written, like every input.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from typing import IO, Any

from pyinject.errors import InputError, Location, UsageError

#: Seconds to connect and between reads.
TIMEOUT = 30.0
#: Bytes a remote manifest may have (kubectl's own inputs are rarely above a few MiB).
MAX_BYTES = 64 * 1024 * 1024

_CHUNK = 64 * 1024


def check_url(url: str) -> None:
    """Refuse what is not fetched: plain HTTP."""
    if not url.startswith("https://"):
        raise UsageError(f"{url}: only https:// URLs are read (plain http could be altered on the way)")


class _HttpsOnly(urllib.request.HTTPRedirectHandler):
    """Follow redirects to HTTPS only; a refused one ends the fetch as an HTTPError, its target kept here."""

    refused: str | None = None

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        if not newurl.startswith("https://"):
            self.refused = newurl
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_text(url: str) -> str:
    """The body of ``url`` as UTF-8 text; every failure is one InputError naming the URL."""
    check_url(url)
    where = Location(file=url)
    context = ssl.create_default_context()
    redirects = _HttpsOnly()
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), redirects)
    request = urllib.request.Request(url, headers={"Accept": "application/yaml, application/json, text/plain, */*",
                                                   "User-Agent": "pyinject"})
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > MAX_BYTES:
                raise InputError(f"is {int(length)} bytes, more than the {MAX_BYTES} a manifest may have", where)
            body = bytearray()
            while chunk := response.read(_CHUNK):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise InputError(f"is more than the {MAX_BYTES} bytes a manifest may have", where)
    except urllib.error.HTTPError as err:
        err.close()
        if redirects.refused is not None:
            raise InputError(f"redirected to {redirects.refused}, which is not https://", where) from None
        raise InputError(f"cannot fetch: HTTP {err.code} {err.reason}", where) from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            text = f"certificate not trusted ({reason.verify_message}; SSL_CERT_FILE names a CA bundle to trust)"
        else:
            text = str(reason)
        raise InputError(f"cannot fetch: {text}", where) from None
    except TimeoutError:
        raise InputError(f"cannot fetch: no answer within {TIMEOUT:g} s", where) from None
    except OSError as err:
        raise InputError(f"cannot fetch: {err.strerror or err}", where) from None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text: {err.reason} at byte {err.start}", where) from None
