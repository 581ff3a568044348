"""Settings for one run: the injection config, values and mesh config.

Loading and recognising each file, layering (files, IstioOperator, ``--set``), checking against
the schemas, and the embedded defaults. :mod:`pyinject.config.settings` is the entry point.
"""
