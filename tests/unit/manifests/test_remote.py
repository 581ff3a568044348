"""-f https://...: fetched from a local HTTPS server with a certificate made here, never the network."""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyinject.manifests import remote
from tests.conftest import real_tool
from tests.unit.cli.test_cli import docs

DEPLOYMENT = b"""apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: web, image: nginx}]
"""


class _QuietServer(http.server.ThreadingHTTPServer):
    """A client that hangs up early (the size bound, a refused redirect) is expected here:
    the default handler would print its traceback on stderr, from a thread, into whatever
    test captures stderr at that moment."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if self.path == "/app.yaml":
            self._send(200, DEPLOYMENT)
        elif self.path == "/big.yaml":
            self._send(200, b"# padding\n" * 1000)
        elif self.path == "/to-http":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/app.yaml")
            self.end_headers()
        elif self.path == "/to-app":
            self.send_response(301)
            self.send_header("Location", "/app.yaml")
            self.end_headers()
        elif self.path == "/slow.yaml":
            time.sleep(2)
            self._send(200, DEPLOYMENT)
        else:
            self._send(404, b"no")

    def _send(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = real_tool("PYINJECT_OPENSSL", "openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def server(certificate: tuple[Path, Path]) -> Iterator[str]:
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_a_url_is_read_like_a_file(run_cli, server: str, trusted: None) -> None:
    result = run_cli("kube-inject", "-f", f"{server}/app.yaml")
    assert result.exit_code == 0, result.stderr
    (doc,) = docs(result.stdout)
    assert "istio-proxy" in [c["name"] for c in doc["spec"]["template"]["spec"]["containers"]]
    assert result.stderr.startswith(f"{server}/app.yaml: document 1: Deployment web: injected")


def test_redirects_within_https_are_followed(run_cli, server: str, trusted: None) -> None:
    assert run_cli("kube-inject", "-f", f"{server}/to-app").exit_code == 0


@pytest.mark.parametrize("path, message", [
    ("/missing.yaml", "cannot fetch: HTTP 404"),
    ("/to-http", "redirected to http://127.0.0.1:1/app.yaml, which is not https://"),
], ids=["not-found", "redirect-to-http"])
def test_fetch_failures_are_one_line(run_cli, server: str, trusted: None, path: str, message: str) -> None:
    result = run_cli("kube-inject", "-f", f"{server}{path}")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"pyinject: error: {server}{path}: {message}")
    assert len(result.stderr.splitlines()) == 1


def test_an_untrusted_certificate_is_refused(run_cli, server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "none.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    result = run_cli("kube-inject", "-f", f"{server}/app.yaml")
    assert result.exit_code == 1 and result.stdout == ""
    assert "certificate not trusted" in result.stderr and "SSL_CERT_FILE" in result.stderr


def test_the_size_bound(run_cli, server: str, trusted: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote, "MAX_BYTES", 5000)
    result = run_cli("kube-inject", "-f", f"{server}/big.yaml")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"pyinject: error: {server}/big.yaml: is 10000 bytes, more than the 5000 a manifest may have\n"


def test_the_timeout(run_cli, server: str, trusted: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote, "TIMEOUT", 0.3)
    result = run_cli("kube-inject", "-f", f"{server}/slow.yaml")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"pyinject: error: {server}/slow.yaml: cannot fetch:")
    assert "0.3 s" in result.stderr or "timed out" in result.stderr


def test_plain_http_is_refused_before_any_work(run_cli) -> None:
    result = run_cli("kube-inject", "-f", "http://127.0.0.1:1/app.yaml")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("pyinject: error: http://127.0.0.1:1/app.yaml: only https:// URLs are read "
                             "(plain http could be altered on the way)\n")


def test_in_place_refuses_a_url(run_cli) -> None:
    result = run_cli("kube-inject", "--in-place", "-f", "https://127.0.0.1:1/app.yaml")
    assert result.exit_code == 2 and "cannot read a URL" in result.stderr
