"""Run real connections through generated capture rules, inside a scratch network namespace.

Run as root, under ``unshare -n`` (the namespace plays the pod):

    PROBE_FAMILY=4|6 unshare -n python netns_probe.py RESTORE-COMMAND RULES-FILE MODE

It builds, inside that namespace only: ``lo`` up, a veth pair whose far end
lives in a second scratch namespace (the "client": the rest of the cluster),
the pod IP here (10.0.0.2; fd00::2 with PROBE_FAMILY=6), the client's address and two
"service" addresses there (10.96.0.10 and 10.96.5.5; fd00:96::10 and
fd00:96:5::5).  Nothing leaves these namespaces.  It loads RULES-FILE with
RESTORE-COMMAND (``iptables-nft-restore``, ``ip6tables-legacy-restore``...),
starts listeners (the proxy's 15001 and 15006, the app on 9080 and 15020 here;
the real services over there), makes each probe connection and prints one
JSON object: probe name -> what answered (listener name and the original
destination it saw, from SO_ORIGINAL_DST, or from the socket's own address
under TPROXY).  MODE is REDIRECT or TPROXY.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

SO_ORIGINAL_DST = 80
IP_TRANSPARENT = 19
IP6T_SO_ORIGINAL_DST = 80


class Family:
    """The addresses of one IP family."""

    def __init__(self, version: str) -> None:
        self.v6 = version == "6"
        self.af = socket.AF_INET6 if self.v6 else socket.AF_INET
        self.any = "::" if self.v6 else "0.0.0.0"
        self.pod, self.client = ("fd00::2", "fd00::1") if self.v6 else ("10.0.0.2", "10.0.0.1")
        self.prefix = "/64" if self.v6 else "/24"
        self.service = "fd00:96::10" if self.v6 else "10.96.0.10"
        self.excluded = "fd00:96:5::5" if self.v6 else "10.96.5.5"
        self.service_net = "fd00:96::/32" if self.v6 else "10.96.0.0/16"
        self.loopback = "::1" if self.v6 else "127.0.0.1"
        self.passthrough = "::6" if self.v6 else "127.0.0.6"

    def addr(self, host: str, port: int) -> str:
        return f"[{host}]:{port}" if self.v6 else f"{host}:{port}"

    def ip(self, *args: str) -> list[str]:
        return ["ip", "-6", *args] if self.v6 else ["ip", *args]


FAMILY = Family(os.environ.get("PROBE_FAMILY", "4"))
SERVICES = ((FAMILY.service, 80), (FAMILY.service, 8443), (FAMILY.excluded, 80))


def sh(*args: str) -> None:
    subprocess.run(args, check=True)


def original_dst(conn: socket.socket) -> str:
    try:
        if FAMILY.v6:
            raw = conn.getsockopt(socket.IPPROTO_IPV6, IP6T_SO_ORIGINAL_DST, 28)
            port, = struct.unpack("!H", raw[2:4])
            return FAMILY.addr(socket.inet_ntop(socket.AF_INET6, raw[8:24]), port)
        raw = conn.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
    except OSError:
        return ""
    port, = struct.unpack("!H", raw[2:4])
    return f"{socket.inet_ntoa(raw[4:8])}:{port}"


def serve(name: str, host: str, port: int, transparent: bool = False) -> socket.socket:
    """A listener that answers every connection with its name, the original destination and the peer."""
    srv = socket.socket(FAMILY.af, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if transparent:
        srv.setsockopt(socket.IPPROTO_IPV6 if FAMILY.v6 else socket.SOL_IP, IP_TRANSPARENT, 1)
    srv.bind((host, port))
    srv.listen(16)

    def loop() -> None:
        while True:
            conn, peer = srv.accept()
            local = FAMILY.addr(*conn.getsockname()[:2])
            reply = {"listener": name, "original_dst": original_dst(conn) or local, "peer": peer[0]}
            conn.sendall(json.dumps(reply).encode())
            conn.close()

    threading.Thread(target=loop, daemon=True).start()
    return srv


def connect(host: str, port: int, source: str = "") -> dict[str, str]:
    sock = socket.socket(FAMILY.af, socket.SOCK_STREAM)
    sock.settimeout(3)
    if source:
        sock.bind((source, 0))
    try:
        sock.connect((host, port))
        data = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return json.loads(data) if data else {"listener": "", "error": "empty reply"}
    except OSError as err:
        return {"listener": "", "error": str(err)}
    finally:
        sock.close()


def as_user(uid: int, host: str, port: str, source: str = "") -> dict[str, str]:
    """A probe connection made by another uid/gid (a forked child, as the proxy would be)."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.write(write_end, json.dumps(connect(host, int(port), source)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    os.waitpid(child, 0)
    return json.loads(data)


def in_client(pid: int, *args: str) -> list[str]:
    return ["nsenter", "-t", str(pid), "-n", *args]


def main() -> None:
    if sys.argv[1] == "connect":
        host, port, source = sys.argv[2], int(sys.argv[3]), (sys.argv[4] if len(sys.argv) > 4 else "")
        print(json.dumps(connect(host, port, source)))
        return
    if sys.argv[1] == "serve-services":
        for host, port in SERVICES:
            serve(f"service {FAMILY.addr(host, port)}", host, port)
        print("ready", flush=True)
        time.sleep(120)
        return
    restore, rules_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    f = FAMILY
    sh("ip", "link", "set", "lo", "up")
    holder = subprocess.Popen(["unshare", "-n", "sleep", "120"])
    try:
        time.sleep(0.2)
        pid = holder.pid
        sh("ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", str(pid))
        nodad = ["nodad"] if f.v6 else []
        sh(*f.ip("addr", "add", f.pod + f.prefix, "dev", "veth0", *nodad))
        sh("ip", "link", "set", "veth0", "up")
        sh(*f.ip("route", "add", f.service_net, "dev", "veth0"))
        if f.v6:
            # istio-iptables gives lo the inbound passthrough address ::6 on IPv6 pods.
            sh("ip", "-6", "addr", "add", "::6/128", "dev", "lo")
        for args in (["ip", "link", "set", "lo", "up"], f.ip("addr", "add", f.client + f.prefix, "dev", "veth1", *nodad),
                     f.ip("addr", "add", f.service + ("/128" if f.v6 else "/32"), "dev", "veth1", *nodad),
                     f.ip("addr", "add", f.excluded + ("/128" if f.v6 else "/32"), "dev", "veth1", *nodad),
                     ["ip", "link", "set", "veth1", "up"]):
            sh(*in_client(pid, *args))
        services = subprocess.Popen(in_client(pid, sys.executable, __file__, "serve-services"),
                                    stdout=subprocess.PIPE, text=True)
        assert services.stdout is not None and services.stdout.readline().strip() == "ready"
        with open(rules_file, "rb") as fh:
            subprocess.run([restore, "--noflush"], stdin=fh, check=True)
        if mode == "TPROXY":
            sh(*f.ip("rule", "add", "fwmark", "1337", "lookup", "133"))
            sh(*f.ip("route", "add", "local", "::/0" if f.v6 else "0.0.0.0/0", "dev", "lo", "table", "133"))
        serve("proxy outbound 15001", f.any, 15001)
        serve("proxy inbound 15006", f.any, 15006, transparent=(mode == "TPROXY"))
        serve("app 9080", f.any, 9080)
        serve("app 15020", f.any, 15020)
        time.sleep(0.5 if f.v6 else 0)  # the veth link comes up
        results = {
            "app to service": connect(f.service, 80),
            "proxy uid 1337 to service": as_user(1337, f.service, "80"),
            "app to excluded port 8443": connect(f.service, 8443),
            "app to excluded cidr": connect(f.excluded, 80),
            "app to loopback": connect(f.loopback, 9080),
            "app to own pod ip": connect(f.pod, 9080),
            "proxy uid 1337 to own pod ip": as_user(1337, f.pod, "9080"),
            "proxy uid 1337 from passthrough address to pod ip": as_user(1337, f.pod, "9080", f.passthrough),
        }
        for name, port in (("client to app port", 9080), ("client to excluded port 15020", 15020)):
            out = subprocess.run(in_client(pid, sys.executable, __file__, "connect", f.pod, str(port)),
                                 capture_output=True, text=True, check=True)
            results[name] = json.loads(out.stdout)
        print(json.dumps(results))
        services.kill()
    finally:
        holder.kill()


if __name__ == "__main__":
    main()
