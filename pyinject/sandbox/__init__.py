"""Templates are data: the bounds on what rendering one template may spend (``limits``).

Both engines count their work against a :class:`limits.Budget`; the sprig and
Jinja2 functions that build large values ask it before they do.
"""
