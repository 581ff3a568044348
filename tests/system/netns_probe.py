"""Run real connections through generated capture rules, inside a scratch network namespace.

Run as root, under ``unshare -n`` (the namespace plays the pod):

    unshare -n python netns_probe.py RESTORE-COMMAND RULES-FILE MODE

It builds, inside that namespace only: ``lo`` up, a veth pair whose far end
lives in a second scratch namespace (the "client": the rest of the cluster),
pod IP 10.0.0.2 here, 10.0.0.1 and two "service" addresses (10.96.0.10,
10.96.5.5) there.  Nothing leaves these namespaces.  It loads RULES-FILE with
RESTORE-COMMAND (``iptables-nft-restore`` or ``iptables-legacy-restore``),
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
POD_IP, CLIENT_IP = "10.0.0.2", "10.0.0.1"
SERVICES = (("10.96.0.10", 80), ("10.96.0.10", 8443), ("10.96.5.5", 80))


def sh(*args: str) -> None:
    subprocess.run(args, check=True)


def original_dst(conn: socket.socket) -> str:
    try:
        raw = conn.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
    except OSError:
        return ""
    port, = struct.unpack("!H", raw[2:4])
    return f"{socket.inet_ntoa(raw[4:8])}:{port}"


def serve(name: str, host: str, port: int, transparent: bool = False) -> socket.socket:
    """A listener that answers every connection with its name, the original destination and the peer."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if transparent:
        srv.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
    srv.bind((host, port))
    srv.listen(16)

    def loop() -> None:
        while True:
            conn, peer = srv.accept()
            local = "%s:%d" % conn.getsockname()
            reply = {"listener": name, "original_dst": original_dst(conn) or local, "peer": peer[0]}
            conn.sendall(json.dumps(reply).encode())
            conn.close()

    threading.Thread(target=loop, daemon=True).start()
    return srv


def connect(host: str, port: int, source: str = "") -> dict[str, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
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
            serve(f"service {host}:{port}", host, port)
        print("ready", flush=True)
        time.sleep(120)
        return
    restore, rules_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    sh("ip", "link", "set", "lo", "up")
    holder = subprocess.Popen(["unshare", "-n", "sleep", "120"])
    try:
        time.sleep(0.2)
        pid = holder.pid
        sh("ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", str(pid))
        sh("ip", "addr", "add", f"{POD_IP}/24", "dev", "veth0")
        sh("ip", "link", "set", "veth0", "up")
        sh("ip", "route", "add", "10.96.0.0/16", "dev", "veth0")
        for args in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", f"{CLIENT_IP}/24", "dev", "veth1"],
                     ["ip", "addr", "add", "10.96.0.10/32", "dev", "veth1"],
                     ["ip", "addr", "add", "10.96.5.5/32", "dev", "veth1"], ["ip", "link", "set", "veth1", "up"]):
            sh(*in_client(pid, *args))
        services = subprocess.Popen(in_client(pid, sys.executable, __file__, "serve-services"),
                                    stdout=subprocess.PIPE, text=True)
        assert services.stdout is not None and services.stdout.readline().strip() == "ready"
        with open(rules_file, "rb") as fh:
            subprocess.run([restore, "--noflush"], stdin=fh, check=True)
        if mode == "TPROXY":
            sh("ip", "rule", "add", "fwmark", "1337", "lookup", "133")
            sh("ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "133")
        serve("proxy outbound 15001", "0.0.0.0", 15001)
        serve("proxy inbound 15006", "0.0.0.0", 15006, transparent=(mode == "TPROXY"))
        serve("app 9080", "0.0.0.0", 9080)
        serve("app 15020", "0.0.0.0", 15020)
        results = {
            "app to service": connect("10.96.0.10", 80),
            "proxy uid 1337 to service": as_user(1337, "10.96.0.10", "80"),
            "app to excluded port 8443": connect("10.96.0.10", 8443),
            "app to excluded cidr": connect("10.96.5.5", 80),
            "app to 127.0.0.1": connect("127.0.0.1", 9080),
            "app to own pod ip": connect(POD_IP, 9080),
            "proxy uid 1337 to own pod ip": as_user(1337, POD_IP, "9080"),
            "proxy uid 1337 from 127.0.0.6 to pod ip": as_user(1337, POD_IP, "9080", "127.0.0.6"),
        }
        for name, port in (("client to app port", 9080), ("client to excluded port 15020", 15020)):
            out = subprocess.run(in_client(pid, sys.executable, __file__, "connect", POD_IP, str(port)),
                                 capture_output=True, text=True, check=True)
            results[name] = json.loads(out.stdout)
        print(json.dumps(results))
        services.kill()
    finally:
        holder.kill()


if __name__ == "__main__":
    main()
