"""The sprig v3 function table (``TxtFuncMap``) that Istio's injection templates are written against.

Behaviour follows sprig v3.2.3 with its pinned libraries (spf13/cast 1.5,
mergo 0.3.12, Masterminds/semver 3.2, huandu/xstrings 1.3, goutils 1.1,
shopspring/decimal 1.2), which the conformance corpus was produced with, plus
``sha512sum`` from sprig v3.3.0 that Istio 1.30 ships. Each family lives in
its own module; this one only assembles the table.
"""

from typing import Any, Callable, Mapping

from pyinject.sprig.case import camelcase, kebabcase, lower, snakecase, swapcase, title, untitle, upper
from pyinject.sprig.crypto import CRYPTO_FUNCS
from pyinject.sprig.dates import DATE_FUNCS
from pyinject.sprig.defaults import DEFAULT_FUNCS
from pyinject.sprig.dicts import DICT_FUNCS
from pyinject.sprig.encoding import ENCODING_FUNCS
from pyinject.sprig.host import HOST_FUNCS
from pyinject.sprig.json import JSON_FUNCS
from pyinject.sprig.lists import LIST_FUNCS
from pyinject.sprig.math import MATH_FUNCS
from pyinject.sprig.paths import PATH_FUNCS
from pyinject.sprig.regex import REGEX_FUNCS
from pyinject.sprig.semver import SEMVER_FUNCS
from pyinject.sprig.strings import STRING_FUNCS

CASE_FUNCS: Mapping[str, Callable[..., Any]] = {
    "upper": upper,
    "lower": lower,
    "title": title,
    "untitle": untitle,
    "swapcase": swapcase,
    "snakecase": snakecase,
    "camelcase": camelcase,
    "kebabcase": kebabcase,
}

#: Every sprig function by its template name. env and expandenv read the
#: process environment through sprig_host.lookup_env, the one place to
#: restrict them.
SPRIG_FUNCS: Mapping[str, Callable[..., Any]] = {
    **DATE_FUNCS,
    **STRING_FUNCS,
    **CASE_FUNCS,
    **ENCODING_FUNCS,
    **MATH_FUNCS,
    **DEFAULT_FUNCS,
    **JSON_FUNCS,
    **DICT_FUNCS,
    **LIST_FUNCS,
    **PATH_FUNCS,
    **REGEX_FUNCS,
    **SEMVER_FUNCS,
    **CRYPTO_FUNCS,
    **HOST_FUNCS,
}
