"""``pyinject iptables``: preview the traffic capture istio-init (istio-iptables) or the Istio CNI plugin sets up."""

from __future__ import annotations

import os
import sys
from typing import Any

from typing import TYPE_CHECKING

import click

from pyinject.cli.options import config_options

if TYPE_CHECKING:
    from pyinject.iptables.rules import Host

IPTABLES_HELP = """Show the iptables rules Istio's traffic capture programs in a pod, without touching any.

Two ways in. With istio-iptables flags after `--`, prints what that command
(the istio-init container) feeds to iptables-restore, and ip6tables-restore
for an IPv6 pod: a `# iptables-restore` / `# ip6tables-restore` header, then
`*table` ... `COMMIT` blocks, rules in Istio's order and spelling. Every flag
of the release (long or short form) and the environment variables it reads
are honoured; --istio-version picks the release (1.0 to 1.30). What
istio-iptables reads from the pod itself is given as options: --ipv6 when the
pod's address is IPv6, --nameserver for each line of its resolv.conf (used
with --redirect-dns).

Istio 1.0 to 1.4 ran the bash script istio-iptables.sh, one iptables command
per rule, with single-letter flags only: for them the output is the script's
commands expressed as restore input, in its order, `-N` where it creates each
chain (its clean-up of leftovers is left out); for an IPv4 pod that includes
the ip6tables filter rules that lock IPv6 input down.

With -f MANIFEST (files, directories, - for stdin, as kube-inject reads them),
prints the rules of every pod template: from its istio-init arguments; for a
pod that is not injected yet, from the istio-init kube-inject would add with
the same config flags; for an Istio CNI pod (istio-validation), as the CNI
plugin computes them from the pod's annotations. Workloads with no capture
are listed on stderr with the reason.

--explain says in plain terms what the rules do (a table on a terminal, text
otherwise); -o json gives the same facts, and the rules, as JSON.

The machine's iptables are never read or changed; --dry-run is accepted and
changes nothing.

\b
Examples:
  # The rules of the istio-init command of Istio 1.5's default injection
  pyinject iptables -- -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15020

\b
  # The same flags as Istio 1.5 treated them
  pyinject iptables --istio-version 1.5 -- -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -b '*'

\b
  # What Istio 1.1's istio-iptables.sh ran for its default injection
  pyinject iptables --istio-version 1.1 -- -p 15001 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15020

\b
  # An IPv6 pod with DNS capture
  pyinject iptables --ipv6 --nameserver 10.96.0.10 -- -u 1337 --redirect-dns

\b
  # What each workload of a manifest gets, explained
  pyinject iptables -f bookinfo.yaml --explain

\b
  # Load the rules into a scratch network namespace (as root)
  pyinject iptables -- -u 1337 -b '*' | sed -n '/^# iptables/,/^# ip6/p' | unshare -n iptables-restore --test

\b
Exit codes:
  0  success (workloads without capture included)
  1  bad input or configuration (YAML, manifests, injection config)
  2  bad usage (unknown flag or bad value, for pyinject or for istio-iptables)
  3  internal error: a bug in pyinject (rerun with --debug and report it)
"""


class _IptablesCommand(click.Command):
    """Points at `--` when an istio-iptables flag is given without it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as err:
            hint = " (istio-iptables flags go after --, e.g. pyinject iptables -- -p 15001 -b '*')"
            raise click.UsageError(err.format_message() + hint, ctx) from None


@click.command("iptables", cls=_IptablesCommand, help=IPTABLES_HELP,
               context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--istio-version", default="1.30", show_default=True, metavar="X.Y",
              help="The istio-iptables release to emulate: 1.0 to 1.30.")
@click.option("--ipv6", is_flag=True, help="The pod's address is IPv6: ip6tables rules too.")
@click.option("--nameserver", "nameservers", multiple=True, metavar="IP",
              help="A nameserver of the pod's /etc/resolv.conf (DNS capture with --redirect-dns). Repeatable.")
@click.option("--dry-run", is_flag=True, help="Accepted for istio-iptables' sake; nothing is ever applied.")
@click.option("-f", "--filename", "filenames", multiple=True, metavar="PATH",
              help="Manifest file, directory or - (stdin): show the capture of each pod template. Repeatable.")
@config_options
@click.option("--explain", is_flag=True, help="Say what the rules capture, per workload, instead of listing them.")
@click.option("-o", "--output", "output_format", type=click.Choice(["rules", "text", "json"]), default=None,
              help="rules: the restore input (default); text: the --explain account; json: the facts and rules.")
@click.option("--debug", is_flag=True, help="Show a traceback for errors.")
@click.argument("istio_args", nargs=-1, metavar="-- [ISTIO-IPTABLES FLAGS]...", type=click.UNPROCESSED)
def iptables_command(**flags: Any) -> None:
    from pyinject.cli.guard import errors_to_exit_codes

    with errors_to_exit_codes(debug=flags["debug"]):
        _run(flags)


def _run(flags: dict[str, Any]) -> None:
    from pyinject.errors import UsageError
    from pyinject.iptables import generate
    from pyinject.iptables.explain import describe_capture
    from pyinject.iptables.flags import release

    release(flags["istio_version"])  # an unknown release is reported before any work
    host = _host(flags)
    output = flags["output_format"] or ("text" if flags["explain"] else "rules")
    if flags["filenames"]:
        if flags["istio_args"]:
            raise UsageError("give either -f MANIFEST... or -- ISTIO-IPTABLES-FLAGS, not both")
        run_manifests(flags, host, output)
        return
    capture = generate(list(flags["istio_args"]), os.environ, host, flags["istio_version"])
    for note in capture.rules.notes:
        click.echo(f"pyinject: warning: {note}", err=True)
    if output == "rules":
        sys.stdout.write(capture.restore_text)
        _say_side_effects("", capture.rules.side_effects)
        return
    write_explained([("istio-iptables " + " ".join(flags["istio_args"]), describe_capture(capture), capture)],
                    output)


def _say_side_effects(label: str, commands: list[str]) -> None:
    """What istio-iptables does besides the restore (policy routes, the ::6 address), on stderr."""
    for line in commands:
        click.echo(f"pyinject: {label}istio-iptables then runs the equivalent of: {line}", err=True)


def _host(flags: dict[str, Any]) -> Host:
    import ipaddress

    from pyinject.errors import UsageError
    from pyinject.iptables.rules import Host

    for server in flags["nameservers"]:
        try:
            ipaddress.ip_address(server)
        except ValueError:
            raise UsageError(f"--nameserver {server!r}: not an IP address") from None
    return Host(ipv6=flags["ipv6"], nameservers=tuple(flags["nameservers"]))


def run_manifests(flags: dict[str, Any], host: Host, output: str) -> None:
    """The capture of every pod template in the -f manifests; skipped workloads on stderr."""
    from pyinject.iptables.explain import describe_capture
    from pyinject.iptables.manifest import find_captures
    from pyinject.model import Options

    options = Options(
        filenames=tuple(flags["filenames"]), inject_config_file=flags["inject_config_file"],
        values_file=flags["values_file"], mesh_config_file=flags["mesh_config_file"],
        operator_file=flags["operator_file"], sets=tuple(flags["sets"]), revision=flags["revision"],
        native_sidecars=flags["native_sidecars"],
    )

    def warn(message: str) -> None:
        click.echo(f"pyinject: warning: {message}", err=True)

    def injector() -> Any:
        from pyinject.inject import build_injector

        return build_injector(options, os.environ, warn=warn)

    found = list(find_captures(options.filenames, sys.stdin, host, flags["istio_version"], injector))
    text: list[str] = []
    explained = []
    for item in found:
        if item.capture is None:
            continue
        if output == "rules":
            text.append(f"# {item.label}: {item.how}\n")
            if item.args:
                text.append("# istio-iptables " + " ".join(_shell_word(a) for a in item.args) + "\n")
            text.append(item.capture.restore_text)
        else:
            explained.append((f"{item.label} ({item.how})", describe_capture(item.capture), item.capture))
    # All or nothing: the output is written only once every workload succeeded.
    if output == "rules":
        sys.stdout.write("".join(text))
    else:
        write_explained(explained, output)
    for item in found:
        if item.capture is None:
            click.echo(f"pyinject: no capture: {item.label}: {item.reason}", err=True)
        else:
            for note in item.capture.rules.notes:
                click.echo(f"pyinject: warning: {item.label}: {note}", err=True)
            if output == "rules":
                _say_side_effects(f"{item.label}: ", item.capture.rules.side_effects)


def _shell_word(word: str) -> str:
    import shlex

    return shlex.quote(word)


def write_explained(items: list[tuple[str, Any, Any]], output: str) -> None:
    """--explain / -o json: per workload (or command), the facts; a rich table on a terminal."""
    import json

    from pyinject.iptables.explain import rows, text_lines

    if output == "json":
        payload = [{"workload": label, **facts.as_json(), "rules": capture.restore_text}
                   for label, facts, capture in items]
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        console = Console()
        for label, facts, _capture in items:
            table = Table(title=label, show_header=False, title_justify="left")
            table.add_column("topic", style="bold")
            table.add_column("what happens")
            for topic, sentence in rows(facts):
                table.add_row(topic, sentence)
            console.print(table)
        return
    for label, facts, _capture in items:
        sys.stdout.write(label + "\n" + "".join(line + "\n" for line in text_lines(facts)) + "\n")
