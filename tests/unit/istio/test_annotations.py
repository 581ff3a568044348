"""Pod annotation checks (pyinject.istio.annotations), one table per validator family.

Accept/reject rules follow Istio 1.30's injector: Go's strconv parsing for
ports and numbers, netip.ParsePrefix for CIDRs.
"""

from __future__ import annotations

import pytest

from pyinject.istio.annotations import VALIDATORS, validate
from pyinject.errors import ConfigError

INCLUDE_IPS = "traffic.sidecar.istio.io/includeOutboundIPRanges"
EXCLUDE_IPS = "traffic.sidecar.istio.io/excludeOutboundIPRanges"
INCLUDE_IN = "traffic.sidecar.istio.io/includeInboundPorts"
EXCLUDE_IN = "traffic.sidecar.istio.io/excludeInboundPorts"
EXCLUDE_OUT = "traffic.sidecar.istio.io/excludeOutboundPorts"
STATUS_PORT = "status.sidecar.istio.io/port"
READINESS = "readiness.status.sidecar.istio.io/"
MODE = "sidecar.istio.io/interceptionMode"
MERGE = "prometheus.istio.io/merge-metrics"
PROXY = "proxy.istio.io/config"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param(INCLUDE_IPS, "*", id="include-ips-wildcard"),
        pytest.param(INCLUDE_IPS, "", id="include-ips-empty"),
        pytest.param(INCLUDE_IPS, "10.0.0.0/8,192.168.1.7/32", id="include-ips-list"),
        pytest.param(INCLUDE_IPS, "10.96.0.1/24", id="host-bits-set-is-fine"),
        pytest.param(EXCLUDE_IPS, "fd00::/8,::1/128", id="exclude-ipv6"),
        pytest.param(EXCLUDE_IPS, "0.0.0.0/0", id="exclude-everything-by-cidr"),
        pytest.param(INCLUDE_IN, "*", id="include-in-wildcard"),
        pytest.param(INCLUDE_IN, "80, 8080 ,9090", id="include-in-spaces-trimmed"),
        pytest.param(INCLUDE_IN, "", id="include-in-empty"),
        pytest.param(EXCLUDE_IN, "0,65535", id="port-bounds"),
        pytest.param(EXCLUDE_IN, "080", id="leading-zero-port"),
        pytest.param(EXCLUDE_OUT, "7,8,9", id="exclude-out-list"),
        pytest.param(STATUS_PORT, "0", id="status-port-zero"),
        pytest.param(STATUS_PORT, " 15020 ", id="status-port-trimmed"),
        pytest.param(READINESS + "initialDelaySeconds", "100", id="readiness-delay"),
        pytest.param(READINESS + "periodSeconds", "0", id="readiness-period-zero"),
        pytest.param(READINESS + "failureThreshold", "4294967295", id="readiness-uint32-max"),
        pytest.param(MODE, "TPROXY", id="mode-tproxy"),
        pytest.param(MODE, "NONE", id="mode-none"),
        pytest.param(MERGE, "F", id="merge-go-bool"),
        pytest.param(PROXY, "discoveryAddress: foo:123\nconcurrency: 0", id="proxy-config"),
        pytest.param("example.com/unrelated", "anything goes", id="unknown-annotation-ignored"),
    ],
)
def test_valid(name: str, value: str) -> None:
    validate({name: value})


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        pytest.param(INCLUDE_IPS, "bad", "includeIPRanges invalid", id="include-ips-word"),
        pytest.param(INCLUDE_IPS, "10.0.0.1", "includeIPRanges invalid", id="include-ips-no-bits"),
        pytest.param(EXCLUDE_IPS, "*", "excludeIPRanges invalid", id="exclude-ips-wildcard"),
        pytest.param(EXCLUDE_IPS, "10.0.0.0/33", "excludeIPRanges invalid", id="too-many-bits"),
        pytest.param(EXCLUDE_IPS, "10.0.0.0/08", "excludeIPRanges invalid", id="bits-leading-zero"),
        pytest.param(EXCLUDE_IPS, "10.0.0.0/8,", "excludeIPRanges invalid", id="trailing-comma"),
        pytest.param(EXCLUDE_IPS, "fe80::1%eth0/64", "excludeIPRanges invalid", id="ipv6-zone"),
        pytest.param(EXCLUDE_IPS, "010.0.0.0/8", "excludeIPRanges invalid", id="octet-leading-zero"),
        pytest.param(INCLUDE_IN, "bad", "includeInboundPorts invalid", id="include-in-word"),
        pytest.param(EXCLUDE_IN, "*", "excludeInboundPorts invalid", id="exclude-in-wildcard"),
        pytest.param(EXCLUDE_IN, "65536", "excludeInboundPorts invalid", id="port-too-big"),
        pytest.param(EXCLUDE_IN, "-1", "excludeInboundPorts invalid", id="negative-port"),
        pytest.param(EXCLUDE_OUT, "bad", "excludeOutboundPorts invalid", id="exclude-out-word"),
        pytest.param(EXCLUDE_OUT, "1,,2", "excludeOutboundPorts invalid", id="empty-list-item"),
        pytest.param(STATUS_PORT, "http", "statusPort invalid", id="status-port-word"),
        pytest.param(READINESS + "periodSeconds", "-1", "whole number", id="readiness-negative"),
        pytest.param(READINESS + "initialDelaySeconds", " 5", "whole number", id="readiness-space"),
        pytest.param(READINESS + "failureThreshold", "4294967296", "whole number", id="readiness-too-big"),
        pytest.param(MODE, "redirect", "interceptionMode invalid", id="mode-lower-case"),
        pytest.param(MERGE, "yes", "true or false", id="merge-yes"),
        pytest.param(PROXY, "statusPort: nope", "statusPort", id="proxy-config-type"),
        pytest.param(PROXY, "[", "not valid YAML", id="proxy-config-yaml"),
    ],
)
def test_invalid(name: str, value: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate({name: value})
    message = str(info.value)
    assert f"invalid value '{value}' for annotation '{name}'" in message
    assert reason in message


def test_every_problem_is_reported() -> None:
    with pytest.raises(ConfigError) as info:
        validate({EXCLUDE_IN: "*", INCLUDE_IPS: "bad", MODE: "TPROXY"})
    message = str(info.value)
    assert EXCLUDE_IN in message and INCLUDE_IPS in message and MODE not in message


def test_registry_covers_istio_traffic_annotations() -> None:
    for name in (INCLUDE_IPS, EXCLUDE_IPS, INCLUDE_IN, EXCLUDE_IN, EXCLUDE_OUT, STATUS_PORT, MODE, PROXY):
        assert name in VALIDATORS
