"""The per-workload report on stderr, and the change summaries ``-v`` adds to it."""
