"""Injection configs of Istio 1.0–1.8: the SidecarInjectionSpec format and its releases' kube-inject.

Those releases' templates render top-level ``initContainers``, ``containers``,
``volumes``, ``imagePullSecrets``, ``dnsConfig``, ``podRedirectAnnot`` and
``rewriteAppHTTPProbe`` rather than a Pod, and istioctl spliced them into the
pod in Go.  Modules, in the order a pod goes through them:

- :mod:`.view`: the template's data (each release's field types);
  :mod:`.funcs`: each release's template functions (``render`` among them);
  :mod:`.mesh`: each release's built-in mesh defaults;
- :mod:`.spec`: recognise and decode the rendered spec, refuse one that adds no proxy;
- :mod:`.probes`: app probe rewriting and ``--concurrency``;
- :mod:`.apply`: splice the spec into the pod as the release did;
- :mod:`.injector`: the per-pod step that ties them together.

What differs between releases is data in :mod:`pyinject.istio.releases`.
"""
