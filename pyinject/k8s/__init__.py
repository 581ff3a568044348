"""Kubernetes semantics: the Pod schema, strategic merge patch, typed (Go struct) JSON."""
