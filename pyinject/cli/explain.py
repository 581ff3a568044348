"""`pyinject explain`: why each pod template would (not) get a sidecar, and what it would get."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from pyinject.cli.options import config_options, inject_options, input_options, release_option

EXPLAIN_HELP = """Say, for each pod template, whether it gets a sidecar, what it gets, and why.

Reads the same manifests and the same configuration flags as kube-inject and
writes nothing but the account. The decision follows the cluster, step by step:
which of Istio's webhooks the API server would call (namespace and object
selectors: istio-injection, istio.io/rev, sidecar.istio.io/inject), then the
injector's own checks in Istio's order (hostNetwork, ignored namespaces, the
pod's sidecar.istio.io/inject label or annotation, neverInjectSelector,
alwaysInjectSelector, policy), each with the file and key behind it. For an
injected pod it shows what kube-inject would add (found by running the
injection in memory): templates, native or classic sidecar and why, image,
ProxyConfig field by field with each value's source, resources, rewritten
probes, traffic capture, and the annotations that do nothing for this pod
(with "did you mean" for misspelled Istio keys). Already-injected pods get
what re-injecting would change.

Namespace labels come from Namespace objects in the input or
--namespace-labels; without either, the webhook step assumes the pod is
selected (as kube-inject does). The webhooks are Istio 1.30's stock ones for the
revision (-r) and its tags (--revision-tag), or the cluster's (--webhook-config).

\b
Examples:
  # Why (not)?
  pyinject explain -f deploy.yaml --namespace-labels shop=istio-injection=enabled

\b
  # A CI gate: every workload must be in the mesh
  pyinject explain -f manifests/ --check-inject -q

\b
  # With the cluster's webhooks, as JSON
  kubectl get mutatingwebhookconfigurations -o yaml > mwc.yaml
  pyinject explain -f app.yaml --webhook-config mwc.yaml -o json | jq '.[] | {name, inject, reason}'

\b
Exit codes:
  0  accounts written (skipped workloads included)
  1  bad input or configuration; with --check-inject also: a workload would not be injected
  2  bad usage
  3  internal error: a bug in pyinject (rerun with --debug and report it)"""


@click.command("explain", help=EXPLAIN_HELP, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@input_options
@config_options
@release_option
@click.option("--namespace-labels", "namespace_labels", multiple=True, metavar="NS=K=V[,K=V...]",
              help="Labels of a namespace, as the webhooks see them (NS= for none). Repeatable; "
                   "wins over a Namespace object in the input.")
@click.option("--webhook-config", "webhook_config", metavar="FILE",
              help="The cluster's MutatingWebhookConfigurations (kubectl get mutatingwebhookconfigurations -o yaml). "
                   "Default: Istio 1.30's stock ones for the revision.")
@click.option("--revision-tag", "revision_tags", multiple=True, metavar="TAG",
              help="A revision tag pointing at the revision (istioctl tag set TAG); its webhooks count too. Repeatable.")
@click.option("-o", "--output", "style", type=click.Choice(["auto", "rich", "plain", "json"]), default="auto",
              show_default=True, help="auto: rich on a terminal, plain otherwise; json: an array, one record per pod template.")
@click.option("--check-inject", is_flag=True, help="Exit 1 when any pod template would not be injected.")
@click.option("-q", "--quiet", is_flag=True, help="No accounts and no warnings (with --check-inject: the exit code alone).")
@click.option("--debug", is_flag=True, help="Show a traceback for errors.")
def explain(**flags: Any) -> None:
    from pyinject.cli.guard import errors_to_exit_codes

    def warn(message: str) -> None:
        if not flags["quiet"]:
            click.echo(f"pyinject: warning: {message}", err=True)

    failing = False
    options = inject_options(flags)
    with errors_to_exit_codes(debug=flags["debug"]):
        from pyinject.explain import render
        from pyinject.explain.run import ExplainOptions, explain as explain_all

        extra = ExplainOptions(tuple(flags["namespace_labels"]), flags["webhook_config"], tuple(flags["revision_tags"]))
        accounts = explain_all(options, extra, os.environ, stdin=sys.stdin, warn=warn)
        if not flags["quiet"]:
            style = flags["style"]
            if style == "auto":
                style = "rich" if sys.stdout.isatty() else "plain"
            if style == "json":
                sys.stdout.write(render.render_json(accounts))
            elif style == "rich":
                render.render_rich(accounts, sys.stdout)
            else:
                render.render_plain(accounts, sys.stdout)
            sys.stdout.flush()
        failing = flags["check_inject"] and any(not a.inject for a in accounts)
        if failing and not flags["quiet"]:
            for account in accounts:
                if not account.inject:
                    click.echo(f"pyinject: not injected: {account.file}: document {account.document}: "
                               f"{account.kind} {account.name}: {account.reason}", err=True)
    if failing:
        sys.exit(1)
