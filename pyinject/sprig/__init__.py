"""sprig v3's template functions, for the Go template engine, one module per family.

:data:`pyinject.sprig.table.SPRIG_FUNCS` is the table the Go back end installs.
"""
