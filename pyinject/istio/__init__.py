"""Istio's injection behaviour: policy, annotations, template functions, post-processing passes."""
