"""Go semantics pyinject reproduces, each once: values, fmt, strconv, JSON, YAML, durations.

Nothing here knows about Istio or templates; everything above may import it.
"""
