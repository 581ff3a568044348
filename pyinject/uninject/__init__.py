"""``kube-uninject``: strip a previous injection and give back the pod as it was."""
