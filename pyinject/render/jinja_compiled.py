"""The embedded Jinja templates compiled to Python by ``pyinject.render.jinja_aot``: do not edit.

Regenerate with ``python -m pyinject.render.jinja_aot`` after changing a template;
a test fails while this file is stale, and a run whose templates do not match
``SOURCES`` renders them with Jinja2 instead.
"""

from __future__ import annotations

from typing import Any, Callable

from pyinject.render.jinja_runtime import (
    BUILTIN_FILTERS,
    BUILTIN_TESTS,
    FILTERS,
    GLOBALS,
    RECORDERS,
    CompiledContext,
    call,
    call_with_context,
    concat,
    getattr_ as ga,
    getattr_path as gp,
    getitem as gi,
    output as out,
    watched,
)
from pyinject.render.jinja_values import kept_macro as km

#: The template files compiled here, each with the hash of its contents.
SOURCES: dict[str, str] = {
    '_proxy.j2': '034e864de541ea1820511a6698de26e88f64241753b6fdc952a771bcfd5d265d',
    'gateway.yaml.j2': 'ad780ef23d0971f3efc3bcfce91f343361cec39b2249aec5f806975208bc896b',
    'grpc-agent.yaml.j2': 'a446259e5cfb7a737f7ed879504f9bfe321eb64a31aeb4f0c2b3870946300295',
    'grpc-simple.yaml.j2': 'fa34b878bd19082e947775de2eb42fa52c3ea9d63530a4f6f7886944f858aecf',
    'sidecar.yaml.j2': '958243dff5326174e51d5583c90782aa9117053384b4777a30071bd25f5fcb0b',
}


class Calls:
    """The filters and tests the templates call: as they are, or watched (inside abstract renders)."""

    __slots__ = ('f_fallback', 'f_goquote', 'f_gostr', 'f_istio_indent', 'f_join', 'f_lower', 'f_nindent', 'f_omit_nil', 'f_to_yaml', 'f_trim_suffix', 'f_trunc_bytes', 't_none', )

    def __init__(self, wrap: Callable[[Any], Any]) -> None:
        self.f_fallback = wrap(FILTERS['fallback'])
        self.f_goquote = wrap(FILTERS['goquote'])
        self.f_gostr = wrap(FILTERS['gostr'])
        self.f_istio_indent = wrap(FILTERS['istio_indent'])
        self.f_join = wrap(BUILTIN_FILTERS['join'])
        self.f_lower = wrap(BUILTIN_FILTERS['lower'])
        self.f_nindent = wrap(FILTERS['nindent'])
        self.f_omit_nil = wrap(FILTERS['omit_nil'])
        self.f_to_yaml = wrap(FILTERS['to_yaml'])
        self.f_trim_suffix = wrap(FILTERS['trim_suffix'])
        self.f_trunc_bytes = wrap(FILTERS['trunc_bytes'])
        self.t_none = wrap(BUILTIN_TESTS['none'])


#: A filter is watched only while a hole recorder is active (see jinja_runtime.watched).
PLAIN_CALLS = Calls(lambda fn: fn)
WATCHED_CALLS = Calls(watched)

g_annotation = GLOBALS['annotation']
g_append_multus_network = GLOBALS['append_multus_network']
g_directory = GLOBALS['directory']
g_exclude_inbound_port = GLOBALS['exclude_inbound_port']
g_go_eq = GLOBALS['go_eq']
g_go_ne = GLOBALS['go_ne']
g_json_entries = GLOBALS['json_entries']
g_otel_resource_attributes = GLOBALS['otel_resource_attributes']
g_pod_ports_json = GLOBALS['pod_ports_json']
g_proxy_config_json = GLOBALS['proxy_config_json']
g_value_or_default = GLOBALS['value_or_default']


def m__proxy_image(c: CompiledContext, l1_configured: Any) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    t: Any
    l2_chosen = ((st() or g_annotation(c, 'sidecar.istio.io/proxyImage', l1_configured)) if q else call_with_context(c, g_annotation, 'sidecar.istio.io/proxyImage', l1_configured))
    e(('    image: "', (t if type(t := (l2_chosen if ('/' in l2_chosen) else v['proxy_image'])) is str else out(t)), '"\n',))
    return "".join(o)


def m__proxy_canonical_labels(c: CompiledContext, l3_truncate: Any) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    t: Any
    l4_name = k.f_fallback(k.f_fallback(k.f_fallback(gi(v['labels'], 'service.istio.io/canonical-name'), gi(v['labels'], 'app.kubernetes.io/name')), gi(v['labels'], 'app')), v['owner_name'])
    if l3_truncate:
        l4_name = k.f_trim_suffix(k.f_trunc_bytes(l4_name, 63), '-')
    e(('    service.istio.io/canonical-name: ', (t if type(t := k.f_goquote(l4_name)) is str else out(t)), '\n    service.istio.io/canonical-revision: ', (t if type(t := k.f_goquote(k.f_fallback(k.f_fallback(k.f_fallback(gi(v['labels'], 'service.istio.io/canonical-revision'), gi(v['labels'], 'app.kubernetes.io/version')), gi(v['labels'], 'version')), 'latest'))) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_default_container_annotations(c: CompiledContext, l5_separator: Any) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    t: Any
    if v['app_containers']:
        if ('kubectl.kubernetes.io/default-logs-container' not in v['annotations']):
            e(('    kubectl.kubernetes.io/default-logs-container: "', (t if type(t := gi(v['app_containers'], 0)) is str else out(t)), '"', (t if type(t := l5_separator) is str else out(t)), '\n',))
        if ('kubectl.kubernetes.io/default-container' not in v['annotations']):
            e(('    kubectl.kubernetes.io/default-container: "', (t if type(t := gi(v['app_containers'], 0)) is str else out(t)), '"', (t if type(t := l5_separator) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_agent_args(c: CompiledContext, l6_mode: Any) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    w: Any = c.values
    t: Any
    e(('    args:\n    - proxy\n    - ', (t if type(t := l6_mode) is str else out(t)), '\n    - --domain\n    - $(POD_NAMESPACE).svc.', (t if type(t := w[('global', 'proxy', 'clusterDomain')]) is str else out(t)), '\n    - --proxyLogLevel=', (t if type(t := ((st() or g_annotation(c, 'sidecar.istio.io/logLevel', w[('global', 'proxy', 'logLevel')])) if q else call_with_context(c, g_annotation, 'sidecar.istio.io/logLevel', w[('global', 'proxy', 'logLevel')]))) is str else out(t)), '\n    - --proxyComponentLogLevel=', (t if type(t := ((st() or g_annotation(c, 'sidecar.istio.io/componentLogLevel', w[('global', 'proxy', 'componentLogLevel')])) if q else call_with_context(c, g_annotation, 'sidecar.istio.io/componentLogLevel', w[('global', 'proxy', 'componentLogLevel')]))) is str else out(t)), '\n    - --log_output_level=', (t if type(t := ((st() or g_annotation(c, 'sidecar.istio.io/agentLogLevel', w[('global', 'logging', 'level')])) if q else call_with_context(c, g_annotation, 'sidecar.istio.io/agentLogLevel', w[('global', 'logging', 'level')]))) is str else out(t)), '\n',))
    if w[('global', 'sts', 'servicePort')]:
        e(('    - --stsPort=', (t if type(t := w[('global', 'sts', 'servicePort')]) is str else out(t)), '\n',))
    if w[('global', 'logAsJson')]:
        e(('    - --log_as_json\n',))
    return "".join(o)


def m__proxy_identity_env(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    w: Any = c.values
    t: Any
    e(('    - name: PILOT_CERT_PROVIDER\n      value: ', (t if type(t := w[('global', 'pilotCertProvider')]) is str else out(t)), '\n    - name: CA_ADDR\n',))
    if w[('global', 'caAddress')]:
        e(('      value: ', (t if type(t := w[('global', 'caAddress')]) is str else out(t)), '\n',))
    else:
        e(('      value: istiod',))
        if ((st() or g_go_ne(w[('revision',)], '')) if q else call(c, g_go_ne, w[('revision',)], '')):
            e(('-', (t if type(t := w[('revision',)]) is str else out(t)),))
        e(('.', (t if type(t := w[('global', 'istioNamespace')]) is str else out(t)), '.svc:15012\n',))
    for (l7_env_name, l8_field, ) in (('POD_NAME', 'metadata.name', ), ('POD_NAMESPACE', 'metadata.namespace', ), ('INSTANCE_IP', 'status.podIP', ), ('SERVICE_ACCOUNT', 'spec.serviceAccountName', ), ('HOST_IP', 'status.hostIP', ), ):
        e(('    - name: ', (t if type(t := l7_env_name) is str else out(t)), '\n      valueFrom:\n        fieldRef:\n          fieldPath: ', (t if type(t := l8_field) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_limit_env(c: CompiledContext, l9_env_name: Any, l10_resource: Any) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    t: Any
    e(('    - name: ', (t if type(t := l9_env_name) is str else out(t)), '\n      valueFrom:\n        resourceFieldRef:\n          resource: ', (t if type(t := l10_resource) is str else out(t)), '\n          divisor: "1"\n',))
    return "".join(o)


def m__proxy_proxy_config_and_ports_env(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    t: Any
    e(('    - name: PROXY_CONFIG\n      value: |\n        ', (t if type(t := ((st() or g_proxy_config_json(v['proxy'])) if q else call(c, g_proxy_config_json, v['proxy']))) is str else out(t)), '\n    - name: ISTIO_META_POD_PORTS\n      value: |-\n        ', (t if type(t := k.f_istio_indent(((st() or g_pod_ports_json(v['containers'])) if q else call(c, g_pod_ports_json, v['containers'])), 8)) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_cluster_env(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    w: Any = c.values
    t: Any
    e(('    - name: ISTIO_META_CLUSTER_ID\n      value: "', (t if type(t := ((st() or g_value_or_default(w[('global', 'multiCluster', 'clusterName')], 'Kubernetes')) if q else call(c, g_value_or_default, w[('global', 'multiCluster', 'clusterName')], 'Kubernetes'))) is str else out(t)), '"\n    - name: ISTIO_META_NODE_NAME\n      valueFrom:\n        fieldRef:\n          fieldPath: spec.nodeName\n',))
    return "".join(o)


def m__proxy_network_env(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    w: Any = c.values
    t: Any
    if w[('global', 'network')]:
        e(('    - name: ISTIO_META_NETWORK\n      value: "', (t if type(t := w[('global', 'network')]) is str else out(t)), '"\n',))
    return "".join(o)


def m__proxy_owner_env(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    t: Any
    if (v['owner_api_version'] and v['owner_name']):
        e(('    - name: ISTIO_META_OWNER\n      value: kubernetes://apis/', (t if type(t := v['owner_api_version']) is str else out(t)), '/namespaces/', (t if type(t := ((st() or g_value_or_default(v['owner_namespace'], 'default')) if q else call(c, g_value_or_default, v['owner_namespace'], 'default'))) is str else out(t)), '/', (t if type(t := k.f_lower(v['owner_kind'])) is str else out(t)), 's/', (t if type(t := v['owner_name']) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_bootstrap_override_env(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    if ('sidecar.istio.io/bootstrapOverride' in v['annotations']):
        e(('    - name: ISTIO_BOOTSTRAP_OVERRIDE\n      value: "/etc/istio/custom-bootstrap/custom_bootstrap.json"\n',))
    return "".join(o)


def m__proxy_mesh_env(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    w: Any = c.values
    t: Any
    l11_trust_domain = ((st() or g_value_or_default(v['mesh_trust_domain'], w[('global', 'trustDomain')])) if q else call(c, g_value_or_default, v['mesh_trust_domain'], w[('global', 'trustDomain')]))
    if w[('global', 'meshID')]:
        e(('    - name: ISTIO_META_MESH_ID\n      value: "', (t if type(t := w[('global', 'meshID')]) is str else out(t)), '"\n',))
    elif l11_trust_domain:
        e(('    - name: ISTIO_META_MESH_ID\n      value: "', (t if type(t := l11_trust_domain) is str else out(t)), '"\n',))
    if l11_trust_domain:
        e(('    - name: TRUST_DOMAIN\n      value: "', (t if type(t := l11_trust_domain) is str else out(t)), '"\n',))
    return "".join(o)


def m__proxy_proxy_metadata_env(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    t: Any
    for (l12_key, l13_value, ) in v['proxy_metadata']:
        e(('    - name: ', (t if type(t := l12_key) is str else out(t)), '\n      value: "', (t if type(t := l13_value) is str else out(t)), '"\n',))
    return "".join(o)


def m__proxy_image_pull_policy(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    w: Any = c.values
    t: Any
    if w[('global', 'imagePullPolicy')]:
        e(('    imagePullPolicy: "', (t if type(t := w[('global', 'imagePullPolicy')]) is str else out(t)), '"\n',))
    return "".join(o)


def m__proxy_readiness_probe(c: CompiledContext, l14_port: Any, l15_from_annotations: Any) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    w: Any = c.values
    t: Any
    e(('    readinessProbe:\n      httpGet:\n        path: /healthz/ready\n        port: ', (t if type(t := l14_port) is str else out(t)), '\n',))
    if l15_from_annotations:
        e(('      initialDelaySeconds: ', (t if type(t := ((st() or g_annotation(c, 'readiness.status.sidecar.istio.io/initialDelaySeconds', w[('global', 'proxy', 'readinessInitialDelaySeconds')])) if q else call_with_context(c, g_annotation, 'readiness.status.sidecar.istio.io/initialDelaySeconds', w[('global', 'proxy', 'readinessInitialDelaySeconds')]))) is str else out(t)), '\n      periodSeconds: ', (t if type(t := ((st() or g_annotation(c, 'readiness.status.sidecar.istio.io/periodSeconds', w[('global', 'proxy', 'readinessPeriodSeconds')])) if q else call_with_context(c, g_annotation, 'readiness.status.sidecar.istio.io/periodSeconds', w[('global', 'proxy', 'readinessPeriodSeconds')]))) is str else out(t)), '\n      timeoutSeconds: 3\n      failureThreshold: ', (t if type(t := ((st() or g_annotation(c, 'readiness.status.sidecar.istio.io/failureThreshold', w[('global', 'proxy', 'readinessFailureThreshold')])) if q else call_with_context(c, g_annotation, 'readiness.status.sidecar.istio.io/failureThreshold', w[('global', 'proxy', 'readinessFailureThreshold')]))) is str else out(t)), '\n',))
    else:
        e(('      initialDelaySeconds: ', (t if type(t := w[('global', 'proxy', 'readinessInitialDelaySeconds')]) is str else out(t)), '\n      periodSeconds: ', (t if type(t := w[('global', 'proxy', 'readinessPeriodSeconds')]) is str else out(t)), '\n      timeoutSeconds: 3\n      failureThreshold: ', (t if type(t := w[('global', 'proxy', 'readinessFailureThreshold')]) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_resources(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    w: Any = c.values
    x: Any = c.texts
    t: Any
    l16_cpu = ('sidecar.istio.io/proxyCPU' in v['annotations'])
    l17_memory = ('sidecar.istio.io/proxyMemory' in v['annotations'])
    l18_cpu_limit = ('sidecar.istio.io/proxyCPULimit' in v['annotations'])
    l19_memory_limit = ('sidecar.istio.io/proxyMemoryLimit' in v['annotations'])
    e(('    resources:\n',))
    if (((l16_cpu or l17_memory) or l18_cpu_limit) or l19_memory_limit):
        if (l16_cpu or l17_memory):
            e(('      requests:\n',))
            if l16_cpu:
                e(('        cpu: ', (t if type(t := k.f_goquote(gi(v['annotations'], 'sidecar.istio.io/proxyCPU'))) is str else out(t)), '\n',))
            if l17_memory:
                e(('        memory: ', (t if type(t := k.f_goquote(gi(v['annotations'], 'sidecar.istio.io/proxyMemory'))) is str else out(t)), '\n',))
        if (l18_cpu_limit or l19_memory_limit):
            e(('      limits:\n',))
            if l18_cpu_limit:
                e(('        cpu: ', (t if type(t := k.f_goquote(gi(v['annotations'], 'sidecar.istio.io/proxyCPULimit'))) is str else out(t)), '\n',))
            if l19_memory_limit:
                e(('        memory: ', (t if type(t := k.f_goquote(gi(v['annotations'], 'sidecar.istio.io/proxyMemoryLimit'))) is str else out(t)), '\n',))
    elif w[('global', 'proxy', 'resources')]:
        e(('      ', (t if type(t := (u if (u := x.get(1)) is not None else x.keep(1, k.f_istio_indent(k.f_to_yaml(k.f_omit_nil(w[('global', 'proxy', 'resources')])), 6)))) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_seccomp_profile(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    w: Any = c.values
    x: Any = c.texts
    t: Any
    if w[('global', 'proxy', 'seccompProfile')]:
        e(('      seccompProfile:', (t if type(t := (u if (u := x.get(2)) is not None else x.keep(2, k.f_nindent(k.f_to_yaml(w[('global', 'proxy', 'seccompProfile')]), 8)))) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_workload_credential_mount(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    w: Any = c.values
    if ((st() or g_go_eq(w[('global', 'caName')], 'GkeWorkloadCertificate')) if q else call(c, g_go_eq, w[('global', 'caName')], 'GkeWorkloadCertificate')):
        e(('    - name: gke-workload-certificate\n      mountPath: /var/run/secrets/workload-spiffe-credentials\n      readOnly: true\n',))
    else:
        e(('    - name: workload-certs\n      mountPath: /var/run/secrets/workload-spiffe-credentials\n',))
    return "".join(o)


def m__proxy_mtls_certs_mount(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    w: Any = c.values
    if w[('global', 'mountMtlsCerts')]:
        e(('    - mountPath: /etc/certs/\n      name: istio-certs\n      readOnly: true\n',))
    return "".join(o)


def m__proxy_user_volume_mounts(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    t: Any
    if ('sidecar.istio.io/userVolumeMount' in v['annotations']):
        for (l20_key, l21_mount, ) in ((st() or g_json_entries(gi(v['annotations'], 'sidecar.istio.io/userVolumeMount'))) if q else call(c, g_json_entries, gi(v['annotations'], 'sidecar.istio.io/userVolumeMount'))):
            e(('    - name: "', (t if type(t := l20_key) is str else out(t)), '"\n      ', (t if type(t := k.f_istio_indent(k.f_to_yaml(l21_mount), 6)) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_workload_credential_volume(c: CompiledContext, l22_empty: Any) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    w: Any = c.values
    t: Any
    if ((st() or g_go_eq(w[('global', 'caName')], 'GkeWorkloadCertificate')) if q else call(c, g_go_eq, w[('global', 'caName')], 'GkeWorkloadCertificate')):
        e(('  - name: gke-workload-certificate\n    csi:\n      driver: workloadcertificates.security.cloud.google.com\n',))
    else:
        e(('  - emptyDir:', (t if type(t := l22_empty) is str else out(t)), '\n    name: workload-certs\n',))
    return "".join(o)


def m__proxy_bootstrap_override_volume(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    t: Any
    if ('sidecar.istio.io/bootstrapOverride' in v['annotations']):
        e(('  - name: custom-bootstrap-volume\n    configMap:\n      name: ', (t if type(t := ((st() or g_annotation(c, 'sidecar.istio.io/bootstrapOverride', '')) if q else call_with_context(c, g_annotation, 'sidecar.istio.io/bootstrapOverride', ''))) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_agent_volumes(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    w: Any = c.values
    t: Any
    e(('  - name: istio-data\n    emptyDir: {}\n  - name: istio-podinfo\n    downwardAPI:\n      items:\n        - path: "labels"\n          fieldRef:\n            fieldPath: metadata.labels\n        - path: "annotations"\n          fieldRef:\n            fieldPath: metadata.annotations\n  - name: istio-token\n    projected:\n      sources:\n      - serviceAccountToken:\n          path: istio-token\n          expirationSeconds: 43200\n          audience: ', (t if type(t := w[('global', 'sds', 'token', 'aud')]) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_root_cert_volume(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    w: Any = c.values
    x: Any = c.texts
    t: Any
    if ((st() or g_go_eq(w[('global', 'pilotCertProvider')], 'istiod')) if q else call(c, g_go_eq, w[('global', 'pilotCertProvider')], 'istiod')):
        e(('  - name: istiod-ca-cert\n',))
        if ((st() or g_go_eq(w[('pilot', 'env', 'ENABLE_CLUSTER_TRUST_BUNDLE_API')], True)) if q else call(c, g_go_eq, w[('pilot', 'env', 'ENABLE_CLUSTER_TRUST_BUNDLE_API')], True)):
            e(('    projected:\n      sources:\n      - clusterTrustBundle:\n          name: istio.io:istiod-ca:', (t if type(t := (u if (u := x.get(3)) is not None else x.keep(3, k.f_fallback(w[('global', 'trustBundleName')], 'root-cert')))) is str else out(t)), '\n          path: root-cert.pem\n',))
        else:
            e(('    configMap:\n      name: ', (t if type(t := (u if (u := x.get(4)) is not None else x.keep(4, k.f_fallback(w[('global', 'trustBundleName')], 'istio-ca-root-cert')))) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_mtls_certs_volume(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    w: Any = c.values
    t: Any
    if w[('global', 'mountMtlsCerts')]:
        e(('  - name: istio-certs\n    secret:\n      optional: true\n',))
        if (v['service_account'] == ''):
            e(('      secretName: istio.default\n',))
        else:
            e(('      secretName: istio.', (t if type(t := v['service_account']) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_user_volumes(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    q = not RECORDERS
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    t: Any
    if ('sidecar.istio.io/userVolume' in v['annotations']):
        for (l23_key, l24_volume, ) in ((st() or g_json_entries(gi(v['annotations'], 'sidecar.istio.io/userVolume'))) if q else call(c, g_json_entries, gi(v['annotations'], 'sidecar.istio.io/userVolume'))):
            e(('  - name: "', (t if type(t := l23_key) is str else out(t)), '"\n    ', (t if type(t := k.f_istio_indent(k.f_to_yaml(l24_volume), 4)) is str else out(t)), '\n',))
    return "".join(o)


def m__proxy_image_pull_secrets(c: CompiledContext) -> str:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    st()
    w: Any = c.values
    t: Any
    if w[('global', 'imagePullSecrets')]:
        e(('  imagePullSecrets:\n',))
        for l25_secret in w[('global', 'imagePullSecrets')]:
            e(('    - name: ', (t if type(t := l25_secret) is str else out(t)), '\n',))
    return "".join(o)


def t_sidecar(c: CompiledContext) -> list[str]:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    q = not RECORDERS
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    w: Any = c.values
    x: Any = c.texts
    t: Any
    l26_intercept = ((st() or g_annotation(c, 'sidecar.istio.io/interceptionMode', v['interception_mode'])) if q else call_with_context(c, g_annotation, 'sidecar.istio.io/interceptionMode', v['interception_mode']))
    l27_tproxy = (l26_intercept == 'TPROXY')
    l28_bind_low_ports = (((st() or g_annotation(c, 'sidecar.istio.io/capNetBindService', w[('global', 'proxy', 'capNetBindService')])) if q else call_with_context(c, g_annotation, 'sidecar.istio.io/capNetBindService', w[('global', 'proxy', 'capNetBindService')])) == 'true')
    l29_native = (k.f_fallback(gi(v['annotations'], 'sidecar.istio.io/nativeSidecar'), k.f_gostr(v['native_sidecars'])) != 'false')
    l30_cni = w[('pilot', 'cni', 'enabled')]
    l31_status_port = ((st() or g_annotation(c, 'status.sidecar.istio.io/port', w[('global', 'proxy', 'statusPort')])) if q else call_with_context(c, g_annotation, 'status.sidecar.istio.io/port', w[('global', 'proxy', 'statusPort')]))
    l32_include_ip_ranges = ((st() or g_annotation(c, 'traffic.sidecar.istio.io/includeOutboundIPRanges', w[('global', 'proxy', 'includeIPRanges')])) if q else call_with_context(c, g_annotation, 'traffic.sidecar.istio.io/includeOutboundIPRanges', w[('global', 'proxy', 'includeIPRanges')]))
    l33_exclude_ip_ranges = ((st() or g_annotation(c, 'traffic.sidecar.istio.io/excludeOutboundIPRanges', w[('global', 'proxy', 'excludeIPRanges')])) if q else call_with_context(c, g_annotation, 'traffic.sidecar.istio.io/excludeOutboundIPRanges', w[('global', 'proxy', 'excludeIPRanges')]))
    l34_include_inbound = ((st() or g_annotation(c, 'traffic.sidecar.istio.io/includeInboundPorts', w[('global', 'proxy', 'includeInboundPorts')])) if q else call_with_context(c, g_annotation, 'traffic.sidecar.istio.io/includeInboundPorts', w[('global', 'proxy', 'includeInboundPorts')]))
    l35_exclude_inbound = ((st() or g_exclude_inbound_port(l31_status_port, ((st() or g_annotation(c, 'traffic.sidecar.istio.io/excludeInboundPorts', w[('global', 'proxy', 'excludeInboundPorts')])) if q else call_with_context(c, g_annotation, 'traffic.sidecar.istio.io/excludeInboundPorts', w[('global', 'proxy', 'excludeInboundPorts')])))) if q else call(c, g_exclude_inbound_port, l31_status_port, ((st() or g_annotation(c, 'traffic.sidecar.istio.io/excludeInboundPorts', w[('global', 'proxy', 'excludeInboundPorts')])) if q else call_with_context(c, g_annotation, 'traffic.sidecar.istio.io/excludeInboundPorts', w[('global', 'proxy', 'excludeInboundPorts')]))))
    e(('metadata:\n  labels:\n    security.istio.io/tlsMode: ', (t if type(t := k.f_goquote(k.f_fallback(gi(v['labels'], 'security.istio.io/tlsMode'), 'istio'))) is str else out(t)), '\n',))
    if (gi(v['proxy_metadata_map'], 'ISTIO_META_ENABLE_HBONE') == 'true'):
        e(('    networking.istio.io/tunnel: ', (t if type(t := k.f_goquote(k.f_fallback(gi(v['labels'], 'networking.istio.io/tunnel'), 'http'))) is str else out(t)), '\n',))
    e((m__proxy_canonical_labels(c, True), '\n  annotations: {\n    istio.io/rev: ', (t if type(t := k.f_goquote(k.f_fallback(v['revision'], 'default'))) is str else out(t)), ',\n', m__proxy_default_container_annotations(c, ','), '\n',))
    if l30_cni:
        if ((st() or g_go_eq(w[('pilot', 'cni', 'provider')], 'multus')) if q else call(c, g_go_eq, w[('pilot', 'cni', 'provider')], 'multus')):
            e(("    k8s.v1.cni.cncf.io/networks: '", (t if type(t := ((st() or g_append_multus_network(gi(v['annotations'], 'k8s.v1.cni.cncf.io/networks'), 'default/istio-cni')) if q else call(c, g_append_multus_network, gi(v['annotations'], 'k8s.v1.cni.cncf.io/networks'), 'default/istio-cni'))) is str else out(t)), "',\n",))
        e(('    sidecar.istio.io/interceptionMode: "', (t if type(t := l26_intercept) is str else out(t)), '",\n',))
        if l32_include_ip_ranges:
            e(('    traffic.sidecar.istio.io/includeOutboundIPRanges: "', (t if type(t := l32_include_ip_ranges) is str else out(t)), '",\n',))
        if l33_exclude_ip_ranges:
            e(('    traffic.sidecar.istio.io/excludeOutboundIPRanges: "', (t if type(t := l33_exclude_ip_ranges) is str else out(t)), '",\n',))
        e(('    traffic.sidecar.istio.io/includeInboundPorts: "', (t if type(t := l34_include_inbound) is str else out(t)), '",\n    traffic.sidecar.istio.io/excludeInboundPorts: "', (t if type(t := l35_exclude_inbound) is str else out(t)), '",\n',))
        if (('traffic.sidecar.istio.io/includeOutboundPorts' in v['annotations']) or ((st() or g_go_ne(((st() or g_value_or_default(w[('global', 'proxy', 'includeOutboundPorts')], '')) if q else call(c, g_value_or_default, w[('global', 'proxy', 'includeOutboundPorts')], '')), '')) if q else call(c, g_go_ne, ((st() or g_value_or_default(w[('global', 'proxy', 'includeOutboundPorts')], '')) if q else call(c, g_value_or_default, w[('global', 'proxy', 'includeOutboundPorts')], '')), ''))):
            e(('    traffic.sidecar.istio.io/includeOutboundPorts: "', (t if type(t := ((st() or g_annotation(c, 'traffic.sidecar.istio.io/includeOutboundPorts', w[('global', 'proxy', 'includeOutboundPorts')])) if q else call_with_context(c, g_annotation, 'traffic.sidecar.istio.io/includeOutboundPorts', w[('global', 'proxy', 'includeOutboundPorts')]))) is str else out(t)), '",\n',))
        if (('traffic.sidecar.istio.io/excludeOutboundPorts' in v['annotations']) or ((st() or g_go_ne(w[('global', 'proxy', 'excludeOutboundPorts')], '')) if q else call(c, g_go_ne, w[('global', 'proxy', 'excludeOutboundPorts')], ''))):
            e(('    traffic.sidecar.istio.io/excludeOutboundPorts: "', (t if type(t := ((st() or g_annotation(c, 'traffic.sidecar.istio.io/excludeOutboundPorts', w[('global', 'proxy', 'excludeOutboundPorts')])) if q else call_with_context(c, g_annotation, 'traffic.sidecar.istio.io/excludeOutboundPorts', w[('global', 'proxy', 'excludeOutboundPorts')]))) is str else out(t)), '",\n',))
        for l36_key in ('traffic.sidecar.istio.io/kubevirtInterfaces', 'istio.io/reroute-virtual-interfaces', 'traffic.sidecar.istio.io/excludeInterfaces', ):
            if gi(v['annotations'], l36_key):
                e(('    ', (t if type(t := l36_key) is str else out(t)), ': "', (t if type(t := gi(v['annotations'], l36_key)) is str else out(t)), '",\n',))
    e(('  }\nspec:\n',))
    l37_hold_app = ((v['hold_application'] or w[('global', 'proxy', 'holdApplicationUntilProxyStarts')]) and (not l29_native))
    if ((l26_intercept == 'NONE') and (not l29_native)):
        e(('  initContainers: []\n',))
    else:
        e(('  initContainers:\n',))
        if (l26_intercept != 'NONE'):
            e(('  - name: ', (t if type(t := ('istio-validation' if l30_cni else 'istio-init')) is str else out(t)), '\n', m__proxy_image(c, w[('global', 'proxy_init', 'image')]), '\n    args:\n    - istio-iptables\n    - "-p"\n    - ', (t if type(t := k.f_goquote(k.f_fallback(v['proxy_listen_port'], '15001'))) is str else out(t)), '\n    - "-z"\n    - ', (t if type(t := k.f_goquote(k.f_fallback(v['proxy_inbound_listen_port'], '15006'))) is str else out(t)), '\n    - "-u"\n    - ', (t if type(t := ('"1337"' if l27_tproxy else k.f_goquote(k.f_fallback(v['proxy_uid'], '1337')))) is str else out(t)), '\n    - "-m"\n    - "', (t if type(t := l26_intercept) is str else out(t)), '"\n    - "-i"\n    - "', (t if type(t := l32_include_ip_ranges) is str else out(t)), '"\n    - "-x"\n    - "', (t if type(t := l33_exclude_ip_ranges) is str else out(t)), '"\n    - "-b"\n    - "', (t if type(t := l34_include_inbound) is str else out(t)), '"\n    - "-d"\n    - "15090,15021', (t if type(t := (concat(',', l35_exclude_inbound) if l35_exclude_inbound else '')) is str else out(t)), '"\n',))
            if (('traffic.sidecar.istio.io/includeOutboundPorts' in v['annotations']) or ((st() or g_go_ne(((st() or g_value_or_default(w[('global', 'proxy', 'includeOutboundPorts')], '')) if q else call(c, g_value_or_default, w[('global', 'proxy', 'includeOutboundPorts')], '')), '')) if q else call(c, g_go_ne, ((st() or g_value_or_default(w[('global', 'proxy', 'includeOutboundPorts')], '')) if q else call(c, g_value_or_default, w[('global', 'proxy', 'includeOutboundPorts')], '')), ''))):
                e(('    - "-q"\n    - "', (t if type(t := ((st() or g_annotation(c, 'traffic.sidecar.istio.io/includeOutboundPorts', w[('global', 'proxy', 'includeOutboundPorts')])) if q else call_with_context(c, g_annotation, 'traffic.sidecar.istio.io/includeOutboundPorts', w[('global', 'proxy', 'includeOutboundPorts')]))) is str else out(t)), '"\n',))
            if (('traffic.sidecar.istio.io/excludeOutboundPorts' in v['annotations']) or ((st() or g_go_ne(((st() or g_value_or_default(w[('global', 'proxy', 'excludeOutboundPorts')], '')) if q else call(c, g_value_or_default, w[('global', 'proxy', 'excludeOutboundPorts')], '')), '')) if q else call(c, g_go_ne, ((st() or g_value_or_default(w[('global', 'proxy', 'excludeOutboundPorts')], '')) if q else call(c, g_value_or_default, w[('global', 'proxy', 'excludeOutboundPorts')], '')), ''))):
                e(('    - "-o"\n    - "', (t if type(t := ((st() or g_annotation(c, 'traffic.sidecar.istio.io/excludeOutboundPorts', w[('global', 'proxy', 'excludeOutboundPorts')])) if q else call_with_context(c, g_annotation, 'traffic.sidecar.istio.io/excludeOutboundPorts', w[('global', 'proxy', 'excludeOutboundPorts')]))) is str else out(t)), '"\n',))
            if ('istio.io/reroute-virtual-interfaces' in v['annotations']):
                e(('    - "-k"\n    - "', (t if type(t := gi(v['annotations'], 'istio.io/reroute-virtual-interfaces')) is str else out(t)), '"\n',))
            elif ('traffic.sidecar.istio.io/kubevirtInterfaces' in v['annotations']):
                e(('    - "-k"\n    - "', (t if type(t := gi(v['annotations'], 'traffic.sidecar.istio.io/kubevirtInterfaces')) is str else out(t)), '"\n',))
            if ('traffic.sidecar.istio.io/excludeInterfaces' in v['annotations']):
                e(('    - "-c"\n    - "', (t if type(t := gi(v['annotations'], 'traffic.sidecar.istio.io/excludeInterfaces')) is str else out(t)), '"\n',))
            e(('    - "--log_output_level=', (t if type(t := ((st() or g_annotation(c, 'sidecar.istio.io/agentLogLevel', w[('global', 'logging', 'level')])) if q else call_with_context(c, g_annotation, 'sidecar.istio.io/agentLogLevel', w[('global', 'logging', 'level')]))) is str else out(t)), '"\n',))
            if w[('global', 'logAsJson')]:
                e(('    - "--log_as_json"\n',))
            if l30_cni:
                e(('    - "--run-validation"\n    - "--skip-rule-apply"\n',))
            elif w[('global', 'proxy_init', 'forceApplyIptables')]:
                e(('    - "--force-apply"\n',))
            if w[('global', 'nativeNftables')]:
                e(('    - "--native-nftables"\n',))
            e((m__proxy_image_pull_policy(c), '\n',))
            if v['proxy_metadata']:
                e(('    env:\n', m__proxy_proxy_metadata_env(c), '\n',))
            e((m__proxy_resources(c), '\n    securityContext:\n      allowPrivilegeEscalation: ', (t if type(t := w[('global', 'proxy', 'privileged')]) is str else out(t)), '\n      privileged: ', (t if type(t := w[('global', 'proxy', 'privileged')]) is str else out(t)), '\n      capabilities:\n',))
            if (not l30_cni):
                e(('        add:\n        - NET_ADMIN\n        - NET_RAW\n',))
            e(('        drop:\n        - ALL\n',))
            if (not l30_cni):
                e(('      readOnlyRootFilesystem: false\n      runAsGroup: 0\n      runAsNonRoot: false\n      runAsUser: 0\n',))
            else:
                e(('      readOnlyRootFilesystem: true\n      runAsGroup: ', (t if type(t := (1337 if l27_tproxy else k.f_fallback(v['proxy_gid'], '1337'))) is str else out(t)), '\n      runAsUser: ', (t if type(t := (1337 if l27_tproxy else k.f_fallback(v['proxy_uid'], '1337'))) is str else out(t)), '\n      runAsNonRoot: true\n',))
            e((km(c, 5, m__proxy_seccomp_profile), '\n',))
    if (not l29_native):
        e(('  containers:\n',))
    e(('  - name: istio-proxy\n', m__proxy_image(c, w[('global', 'proxy', 'image')]), '\n',))
    if l29_native:
        e(('    restartPolicy: Always\n',))
    e(('    ports:\n    - containerPort: 15090\n      protocol: TCP\n      name: http-envoy-prom\n', m__proxy_agent_args(c, 'sidecar'), '\n',))
    if w[('global', 'proxy', 'outlierLogPath')]:
        e(('    - --outlierLogPath=', (t if type(t := w[('global', 'proxy', 'outlierLogPath')]) is str else out(t)), '\n',))
    if w[('global', 'proxy', 'lifecycle')]:
        e(('    lifecycle:\n      ', (t if type(t := (u if (u := x.get(6)) is not None else x.keep(6, k.f_istio_indent(k.f_to_yaml(w[('global', 'proxy', 'lifecycle')]), 6)))) is str else out(t)), '\n',))
    elif l37_hold_app:
        e(('    lifecycle:\n      postStart:\n        exec:\n          command:\n          - pilot-agent\n          - wait\n',))
    elif l29_native:
        e(('    lifecycle:\n      preStop:\n        exec:\n          command:\n          - pilot-agent\n          - request\n          - --debug-port=', (t if type(t := l31_status_port) is str else out(t)), '\n          - POST\n          - drain\n',))
    e(('    env:\n',))
    if (k.f_lower(v['inbound_mode']) == 'localhost'):
        e(('    - name: REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION\n      value: "true"\n',))
    e((km(c, 7, m__proxy_identity_env), '\n', m__proxy_limit_env(c, 'ISTIO_CPU_LIMIT', 'limits.cpu'), '\n', m__proxy_proxy_config_and_ports_env(c), '\n    - name: ISTIO_META_APP_CONTAINERS\n      value: "', (t if type(t := k.f_join(v['app_containers'], ',')) is str else out(t)), '"\n', m__proxy_limit_env(c, 'GOMEMLIMIT', 'limits.memory'), '\n', m__proxy_limit_env(c, 'GOMAXPROCS', 'limits.cpu'), '\n',))
    if v['compliance_policy']:
        e(('    - name: COMPLIANCE_POLICY\n      value: "', (t if type(t := v['compliance_policy']) is str else out(t)), '"\n',))
    e((km(c, 8, m__proxy_cluster_env), '\n    - name: ISTIO_META_INTERCEPTION_MODE\n      value: "', (t if type(t := (gi(v['annotations'], 'sidecar.istio.io/interceptionMode') or v['interception_mode'])) is str else out(t)), '"\n', m__proxy_network_env(c), '\n',))
    l38_workload_name = k.f_fallback(gi(v['labels'], 'service.istio.io/workload-name'), v['owner_name'])
    if l38_workload_name:
        e(('    - name: ISTIO_META_WORKLOAD_NAME\n      value: "', (t if type(t := l38_workload_name) is str else out(t)), '"\n',))
    e((m__proxy_owner_env(c), '\n', m__proxy_bootstrap_override_env(c), '\n', m__proxy_mesh_env(c), '\n',))
    if (((st() or g_go_eq(w[('global', 'proxy', 'tracer')], 'datadog')) if q else call(c, g_go_eq, w[('global', 'proxy', 'tracer')], 'datadog')) and ('apm.datadoghq.com/env' in v['annotations'])):
        for (l39_key, l40_value, ) in ((st() or g_json_entries(gi(v['annotations'], 'apm.datadoghq.com/env'))) if q else call(c, g_json_entries, gi(v['annotations'], 'apm.datadoghq.com/env'))):
            e(('    - name: ', (t if type(t := l39_key) is str else out(t)), '\n      value: "', (t if type(t := l40_value) is str else out(t)), '"\n',))
    l41_otel_attributes = ((st() or g_otel_resource_attributes(v['mesh'], v['annotations'], v['labels'], v['owner_namespace'], v['containers'])) if q else call(c, g_otel_resource_attributes, v['mesh'], v['annotations'], v['labels'], v['owner_namespace'], v['containers']))
    if l41_otel_attributes:
        e(('    - name: OTEL_RESOURCE_ATTRIBUTES\n      value: "', (t if type(t := l41_otel_attributes) is str else out(t)), '"\n',))
    e((m__proxy_proxy_metadata_env(c), '\n', m__proxy_image_pull_policy(c), '\n',))
    if (l31_status_port != '0'):
        if w[('global', 'proxy', 'startupProbe', 'enabled')]:
            e(('    startupProbe:\n      httpGet:\n        path: /healthz/ready\n        port: 15021\n      initialDelaySeconds: 0\n      periodSeconds: 1\n      timeoutSeconds: 3\n      failureThreshold: ', (t if type(t := w[('global', 'proxy', 'startupProbe', 'failureThreshold')]) is str else out(t)), '\n',))
        e((m__proxy_readiness_probe(c, 15021, True), '\n',))
    e(('    securityContext:\n',))
    if (gi(v['proxy_metadata_map'], 'IPTABLES_TRACE_LOGGING') == 'true'):
        e(('      allowPrivilegeEscalation: true\n      capabilities:\n        add:\n        - NET_ADMIN\n        drop:\n        - ALL\n      privileged: true\n      readOnlyRootFilesystem: true\n      runAsGroup: ', (t if type(t := k.f_fallback(v['proxy_gid'], '1337')) is str else out(t)), '\n      runAsNonRoot: false\n      runAsUser: 0\n',))
    else:
        e(('      allowPrivilegeEscalation: ', (t if type(t := w[('global', 'proxy', 'privileged')]) is str else out(t)), '\n      capabilities:\n',))
        if (l27_tproxy or l28_bind_low_ports):
            e(('        add:\n',))
            if l27_tproxy:
                e(('        - NET_ADMIN\n',))
            if l28_bind_low_ports:
                e(('        - NET_BIND_SERVICE\n',))
        e(('        drop:\n        - ALL\n      privileged: ', (t if type(t := w[('global', 'proxy', 'privileged')]) is str else out(t)), '\n      readOnlyRootFilesystem: true\n',))
        if (l27_tproxy or l28_bind_low_ports):
            e(('      runAsNonRoot: false\n      runAsUser: 0\n      runAsGroup: 1337\n',))
        else:
            e(('      runAsNonRoot: true\n      runAsUser: ', (t if type(t := k.f_fallback(v['proxy_uid'], '1337')) is str else out(t)), '\n      runAsGroup: ', (t if type(t := k.f_fallback(v['proxy_gid'], '1337')) is str else out(t)), '\n',))
    e((km(c, 9, m__proxy_seccomp_profile), '\n', m__proxy_resources(c), '\n    volumeMounts:\n    - name: workload-socket\n      mountPath: /var/run/secrets/workload-spiffe-uds\n    - name: credential-socket\n      mountPath: /var/run/secrets/credential-uds\n', km(c, 10, m__proxy_workload_credential_mount), '\n',))
    if ((st() or g_go_eq(w[('global', 'pilotCertProvider')], 'istiod')) if q else call(c, g_go_eq, w[('global', 'pilotCertProvider')], 'istiod')):
        e(('    - mountPath: /var/run/secrets/istio\n      name: istiod-ca-cert\n    - mountPath: /var/run/secrets/istio/crl\n      name: istio-ca-crl\n',))
    e(('    - mountPath: /var/lib/istio/data\n      name: istio-data\n',))
    if ('sidecar.istio.io/bootstrapOverride' in v['annotations']):
        e(('    - mountPath: /etc/istio/custom-bootstrap\n      name: custom-bootstrap-volume\n',))
    e(('    - mountPath: /etc/istio/proxy\n      name: istio-envoy\n    - mountPath: /var/run/secrets/tokens\n      name: istio-token\n', m__proxy_mtls_certs_mount(c), '\n    - name: istio-podinfo\n      mountPath: /etc/istio/pod\n',))
    l42_lightstep_tls = (((st() or g_go_eq(w[('global', 'proxy', 'tracer')], 'lightstep')) if q else call(c, g_go_eq, w[('global', 'proxy', 'tracer')], 'lightstep')) and (not k.t_none(v['tracing_tls'])))
    if l42_lightstep_tls:
        e(('    - mountPath: ', (t if type(t := ((st() or g_directory(ga(v['tracing_tls'], 'caCertificates'))) if q else call(c, g_directory, ga(v['tracing_tls'], 'caCertificates')))) is str else out(t)), '\n      name: lightstep-certs\n      readOnly: true\n',))
    e((m__proxy_user_volume_mounts(c), '\n  volumes:\n  - emptyDir:\n    name: workload-socket\n  - emptyDir:\n    name: credential-socket\n', km(c, 11, m__proxy_workload_credential_volume, ''), '\n', m__proxy_bootstrap_override_volume(c), '\n  - emptyDir:\n      medium: Memory\n    name: istio-envoy\n', m__proxy_agent_volumes(c), '\n', km(c, 12, m__proxy_root_cert_volume), '\n  - name: istio-ca-crl\n    configMap:\n      name: ', (t if type(t := (u if (u := x.get(13)) is not None else x.keep(13, k.f_fallback(w[('pilot', 'crlConfigMapName')], 'istio-ca-crl')))) is str else out(t)), '\n      optional: true\n', m__proxy_mtls_certs_volume(c), '\n', m__proxy_user_volumes(c), '\n',))
    if l42_lightstep_tls:
        e(('  - name: lightstep-certs\n    secret:\n      optional: true\n      secretName: lightstep.cacert\n',))
    e((km(c, 14, m__proxy_image_pull_secrets), '\n',))
    return o


def t_gateway(c: CompiledContext) -> list[str]:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    q = not RECORDERS
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    w: Any = c.values
    x: Any = c.texts
    t: Any
    e(('metadata:\n  labels:\n', m__proxy_canonical_labels(c, False), '\n  annotations:\n    istio.io/rev: ', (t if type(t := k.f_goquote(k.f_fallback(v['revision'], 'default'))) is str else out(t)), '\n', m__proxy_default_container_annotations(c, ''), '\nspec:\n  securityContext:\n',))
    if w[('gateways', 'securityContext')]:
        e(('    ', (t if type(t := (u if (u := x.get(15)) is not None else x.keep(15, k.f_nindent(k.f_to_yaml(w[('gateways', 'securityContext')]), 4)))) is str else out(t)), '\n',))
    else:
        e(('    sysctls:\n    - name: net.ipv4.ip_unprivileged_port_start\n      value: "0"\n',))
    e(('  containers:\n  - name: istio-proxy\n', m__proxy_image(c, w[('global', 'proxy', 'image')]), '\n    ports:\n    - containerPort: 15090\n      protocol: TCP\n      name: http-envoy-prom\n', m__proxy_agent_args(c, 'router'), '\n',))
    if w[('global', 'proxy', 'lifecycle')]:
        e(('    lifecycle:\n      ', (t if type(t := (u if (u := x.get(16)) is not None else x.keep(16, k.f_istio_indent(k.f_to_yaml(w[('global', 'proxy', 'lifecycle')]), 6)))) is str else out(t)), '\n',))
    e(('    securityContext:\n      runAsUser: ', (t if type(t := k.f_fallback(v['proxy_uid'], '1337')) is str else out(t)), '\n      runAsGroup: ', (t if type(t := k.f_fallback(v['proxy_gid'], '1337')) is str else out(t)), '\n    env:\n', km(c, 17, m__proxy_identity_env), '\n', m__proxy_limit_env(c, 'ISTIO_CPU_LIMIT', 'limits.cpu'), '\n', m__proxy_proxy_config_and_ports_env(c), '\n', m__proxy_limit_env(c, 'GOMEMLIMIT', 'limits.memory'), '\n', m__proxy_limit_env(c, 'GOMAXPROCS', 'limits.cpu'), '\n',))
    if v['compliance_policy']:
        e(('    - name: COMPLIANCE_POLICY\n      value: "', (t if type(t := v['compliance_policy']) is str else out(t)), '"\n',))
    e(('    - name: ISTIO_META_APP_CONTAINERS\n      value: "', (t if type(t := k.f_join(v['app_containers'], ',')) is str else out(t)), '"\n', km(c, 18, m__proxy_cluster_env), '\n    - name: ISTIO_META_INTERCEPTION_MODE\n      value: "', (t if type(t := v['interception_mode']) is str else out(t)), '"\n', m__proxy_network_env(c), '\n',))
    if v['owner_name']:
        e(('    - name: ISTIO_META_WORKLOAD_NAME\n      value: "', (t if type(t := v['owner_name']) is str else out(t)), '"\n',))
    e((m__proxy_owner_env(c), '\n', m__proxy_bootstrap_override_env(c), '\n', m__proxy_mesh_env(c), '\n', m__proxy_proxy_metadata_env(c), '\n', m__proxy_image_pull_policy(c), '\n', m__proxy_readiness_probe(c, 15021, False), '\n    volumeMounts:\n    - name: workload-socket\n      mountPath: /var/run/secrets/workload-spiffe-uds\n    - name: credential-socket\n      mountPath: /var/run/secrets/credential-uds\n', km(c, 19, m__proxy_workload_credential_mount), '\n',))
    if ((st() or g_go_eq(w[('global', 'pilotCertProvider')], 'istiod')) if q else call(c, g_go_eq, w[('global', 'pilotCertProvider')], 'istiod')):
        e(('    - mountPath: /var/run/secrets/istio\n      name: istiod-ca-cert\n',))
    e(('    - mountPath: /var/lib/istio/data\n      name: istio-data\n',))
    if ('sidecar.istio.io/bootstrapOverride' in v['annotations']):
        e(('    - mountPath: /etc/istio/custom-bootstrap\n      name: custom-bootstrap-volume\n',))
    e(('    - mountPath: /etc/istio/proxy\n      name: istio-envoy\n    - mountPath: /var/run/secrets/tokens\n      name: istio-token\n', m__proxy_mtls_certs_mount(c), '\n    - name: istio-podinfo\n      mountPath: /etc/istio/pod\n  volumes:\n  - emptyDir:\n    name: workload-socket\n  - emptyDir: {}\n    name: credential-socket\n', km(c, 20, m__proxy_workload_credential_volume, ' {}'), '\n', m__proxy_bootstrap_override_volume(c), '\n  - emptyDir:\n      medium: Memory\n    name: istio-envoy\n', m__proxy_agent_volumes(c), '\n', km(c, 21, m__proxy_root_cert_volume), '\n', m__proxy_mtls_certs_volume(c), '\n', km(c, 22, m__proxy_image_pull_secrets), '\n',))
    return o


def t_grpc_agent(c: CompiledContext) -> list[str]:
    v = c.vars
    o: list[str] = []
    e = o.extend
    st = c.step
    q = not RECORDERS
    k = WATCHED_CALLS if RECORDERS else PLAIN_CALLS
    w: Any = c.values
    t: Any
    l43_status_port = ((st() or g_annotation(c, 'status.sidecar.istio.io/port', w[('global', 'proxy', 'statusPort')])) if q else call_with_context(c, g_annotation, 'status.sidecar.istio.io/port', w[('global', 'proxy', 'statusPort')]))
    e(('metadata:\n  labels:\n', m__proxy_canonical_labels(c, False), '\n  annotations: {\n    istio.io/rev: ', (t if type(t := k.f_goquote(k.f_fallback(v['revision'], 'default'))) is str else out(t)), ',\n', m__proxy_default_container_annotations(c, ','), '\n    sidecar.istio.io/rewriteAppHTTPProbers: "false",\n  }\nspec:\n  containers:\n  - name: istio-proxy\n', m__proxy_image(c, w[('global', 'proxy', 'image')]), '\n    ports:\n    - containerPort: 15020\n      protocol: TCP\n      name: mesh-metrics\n', m__proxy_agent_args(c, 'sidecar'), '\n    lifecycle:\n      postStart:\n        exec:\n          command:\n          - pilot-agent\n          - wait\n          - --url=http://localhost:15020/healthz/ready\n    env:\n    - name: ISTIO_META_GENERATOR\n      value: grpc\n    - name: OUTPUT_CERTS\n      value: /var/lib/istio/data\n',))
    if (k.f_lower(v['inbound_mode']) == 'localhost'):
        e(('    - name: REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION\n      value: "true"\n',))
    e((km(c, 23, m__proxy_identity_env), '\n', m__proxy_proxy_config_and_ports_env(c), '\n    - name: ISTIO_META_APP_CONTAINERS\n      value: "', (t if type(t := k.f_join(v['app_containers'], ',')) is str else out(t)), '"\n', km(c, 24, m__proxy_cluster_env), '\n', m__proxy_network_env(c), '\n',))
    if v['owner_name']:
        e(('    - name: ISTIO_META_WORKLOAD_NAME\n      value: "', (t if type(t := v['owner_name']) is str else out(t)), '"\n',))
    e((m__proxy_owner_env(c), '\n', m__proxy_mesh_env(c), '\n', m__proxy_proxy_metadata_env(c), '\n    - name: ISTIO_META_DNS_CAPTURE\n      value: "false"\n    - name: DISABLE_ENVOY\n      value: "true"\n', m__proxy_image_pull_policy(c), '\n',))
    if (l43_status_port != '0'):
        e((m__proxy_readiness_probe(c, 15020, True), '\n', m__proxy_resources(c), '\n    volumeMounts:\n    - name: workload-socket\n      mountPath: /var/run/secrets/workload-spiffe-uds\n', km(c, 25, m__proxy_workload_credential_mount), '\n',))
        if ((st() or g_go_eq(w[('global', 'pilotCertProvider')], 'istiod')) if q else call(c, g_go_eq, w[('global', 'pilotCertProvider')], 'istiod')):
            e(('    - mountPath: /var/run/secrets/istio\n      name: istiod-ca-cert\n',))
        e(('    - mountPath: /var/lib/istio/data\n      name: istio-data\n    - mountPath: /etc/istio/proxy\n      name: istio-xds\n    - mountPath: /var/run/secrets/tokens\n      name: istio-token\n', m__proxy_mtls_certs_mount(c), '\n    - name: istio-podinfo\n      mountPath: /etc/istio/pod\n',))
    e((m__proxy_user_volume_mounts(c), '\n',))
    for l44_container in v['containers']:
        if not ((ga(l44_container, 'name') != 'istio-proxy')):
            continue
        e(('  - name: ', (t if type(t := (ga(l44_container, 'name') or '')) is str else out(t)), '\n    env:\n      - name: "GRPC_XDS_EXPERIMENTAL_SECURITY_SUPPORT"\n        value: "true"\n      - name: "GRPC_XDS_BOOTSTRAP"\n        value: "/etc/istio/proxy/grpc-bootstrap.json"\n    volumeMounts:\n      - mountPath: /var/lib/istio/data\n        name: istio-data\n      - mountPath: /etc/istio/proxy\n        name: istio-xds\n',))
        if ((st() or g_go_eq(w[('global', 'caName')], 'GkeWorkloadCertificate')) if q else call(c, g_go_eq, w[('global', 'caName')], 'GkeWorkloadCertificate')):
            e(('      - name: gke-workload-certificate\n        mountPath: /var/run/secrets/workload-spiffe-credentials\n        readOnly: true\n',))
        else:
            e(('      - name: workload-certs\n        mountPath: /var/run/secrets/workload-spiffe-credentials\n',))
    e(('  volumes:\n  - emptyDir:\n    name: workload-socket\n', km(c, 26, m__proxy_workload_credential_volume, ''), '\n', m__proxy_bootstrap_override_volume(c), '\n  - emptyDir:\n      medium: Memory\n    name: istio-xds\n', m__proxy_agent_volumes(c), '\n', km(c, 27, m__proxy_root_cert_volume), '\n', m__proxy_mtls_certs_volume(c), '\n', m__proxy_user_volumes(c), '\n', km(c, 28, m__proxy_image_pull_secrets), '\n',))
    return o


def t_grpc_simple(c: CompiledContext) -> list[str]:
    v = c.vars
    o: list[str] = []
    e = o.extend
    w: Any = c.values
    t: Any
    e(('metadata:\n  annotations:\n    sidecar.istio.io/rewriteAppHTTPProbers: "false"\nspec:\n  initContainers:\n    - name: grpc-bootstrap-init\n      image: busybox:1.28\n      volumeMounts:\n        - mountPath: /var/lib/grpc/data/\n          name: grpc-io-proxyless-bootstrap\n      env:\n        - name: INSTANCE_IP\n          valueFrom:\n            fieldRef:\n              fieldPath: status.podIP\n        - name: POD_NAME\n          valueFrom:\n            fieldRef:\n              fieldPath: metadata.name\n        - name: POD_NAMESPACE\n          valueFrom:\n            fieldRef:\n              fieldPath: metadata.namespace\n        - name: ISTIO_NAMESPACE\n          value: |\n             ', (t if type(t := w[('global', 'istioNamespace')]) is str else out(t)), '\n      command:\n        - sh\n        - "-c"\n        - |-\n          NODE_ID="sidecar~${INSTANCE_IP}~${POD_NAME}.${POD_NAMESPACE}~cluster.local"\n          SERVER_URI="dns:///istiod.${ISTIO_NAMESPACE}.svc:15010"\n          echo \'\n          {\n            "xds_servers": [\n              {\n                "server_uri": "\'${SERVER_URI}\'",\n                "channel_creds": [{"type": "insecure"}],\n                "server_features" : ["xds_v3"]\n              }\n            ],\n            "node": {\n              "id": "\'${NODE_ID}\'",\n              "metadata": {\n                "GENERATOR": "grpc"\n              }\n            }\n          }\' > /var/lib/grpc/data/bootstrap.json\n  containers:\n',))
    for l45_container in v['containers']:
        e(('  - name: ', (t if type(t := (ga(l45_container, 'name') or '')) is str else out(t)), '\n    env:\n      - name: GRPC_XDS_BOOTSTRAP\n        value: /var/lib/grpc/data/bootstrap.json\n      - name: GRPC_GO_LOG_VERBOSITY_LEVEL\n        value: "99"\n      - name: GRPC_GO_LOG_SEVERITY_LEVEL\n        value: info\n    volumeMounts:\n      - mountPath: /var/lib/grpc/data/\n        name: grpc-io-proxyless-bootstrap\n',))
    e(('  volumes:\n    - name: grpc-io-proxyless-bootstrap\n      emptyDir: {}\n',))
    return o


#: Each template file's render function.
TEMPLATES: dict[str, Callable[[CompiledContext], list[str]]] = {
    'sidecar.yaml.j2': t_sidecar,
    'gateway.yaml.j2': t_gateway,
    'grpc-agent.yaml.j2': t_grpc_agent,
    'grpc-simple.yaml.j2': t_grpc_simple,
}
