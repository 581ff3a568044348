"""pyinject: offline Istio sidecar injection for Kubernetes manifests."""

__version__ = "0.1.0"

#: The Istio release whose stock install the embedded defaults reproduce.
ISTIO_VERSION = "1.30.3"
