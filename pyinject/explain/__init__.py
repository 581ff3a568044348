"""pyinject explain: for each pod template, whether it gets a sidecar, what it gets, and why.

:func:`pyinject.explain.run.explain` gives one :class:`~pyinject.explain.model.Account`
per pod template; :mod:`pyinject.explain.render` prints them (rich, plain, JSON).
The decision follows the cluster (webhooks in :mod:`~pyinject.explain.webhooks`, then
:func:`pyinject.istio.policy.decide`); what is injected comes from running the
injector itself in memory.
"""
