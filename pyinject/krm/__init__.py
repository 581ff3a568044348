"""KRM functions: pyinject as a kustomize/kpt function over a ``config.kubernetes.io/v1`` ResourceList.

:mod:`~pyinject.krm.resourcelist` recognises and reads a ResourceList and words
its ``results``; :mod:`~pyinject.krm.function_config` turns ``functionConfig``
(a ConfigMap, or a ``SidecarInjection``) into options; :mod:`~pyinject.krm.transform`
injects the items and writes the ResourceList back.
"""
