"""sprig's numbers: int64 math over spf13/cast conversions, decimal float math, rounding, sequences.

Integer math converts every argument with cast.ToInt64 first, so a JSON
number 1.9 counts as 1 and a bad string as 0; results are int64 and wrap on
overflow as Go's do.
"""

import math
import random
from fractions import Fraction
from typing import Any, Callable

from pyinject.golang.fmt import format_value
from pyinject.golang.values import GoFuncError, Int64, TypedList
from pyinject.sandbox import limits

from pyinject.sprig.cast import atoi as go_atoi
from pyinject.sprig.cast import parse_int, to_float64, to_int64, wrap_int64

_DIVIDE_BY_ZERO = "runtime error: integer divide by zero"
# until/untilStep/seq build the whole list; Go would try, we refuse past this.
_MAX_SEQUENCE = 1 << 24


# --------------------------------------------------------------------------
# Conversions


def cast_int(v: Any) -> int:
    """int V: V as a Go int (cast.ToInt): "08" is 0 (bad octal), "0x10" is 16, 3.9 is 3."""
    return to_int64(v)


def cast_int64(v: Any) -> Int64:
    """int64 V: like int, typed int64."""
    return Int64(to_int64(v))


def cast_float64(v: Any) -> float:
    """float64 V: V as a float64 (cast.ToFloat64); unparsable strings are 0."""
    return to_float64(v)


def atoi(s: str) -> int:
    """atoi S: strconv.Atoi with the error dropped: base 10 only, so "08" is 8; bad input is 0."""
    return go_atoi(s)


def to_decimal(v: Any) -> Int64:
    """toDecimal V: V printed with %v and read as octal ("0777" → 511); 0 if that fails."""
    value, err = parse_int(format_value(v), 8)
    return Int64(0 if err else value)


# --------------------------------------------------------------------------
# int64 arithmetic


def _go_quotient(a: int, b: int) -> int:
    # Go truncates toward zero; Python floors.
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def add(*values: Any) -> Int64:
    """add A B ...: the int64 sum."""
    return Int64(wrap_int64(sum(to_int64(v) for v in values)))


def add1(v: Any) -> Int64:
    """add1 A: A + 1 as int64."""
    return Int64(wrap_int64(to_int64(v) + 1))


def sub(a: Any, b: Any) -> Int64:
    """sub A B: A - B as int64."""
    return Int64(wrap_int64(to_int64(a) - to_int64(b)))


def div(a: Any, b: Any) -> Int64:
    """div A B: A / B as int64, truncated toward zero; dividing by 0 is an error."""
    divisor = to_int64(b)
    if divisor == 0:
        raise GoFuncError(_DIVIDE_BY_ZERO)
    return Int64(wrap_int64(_go_quotient(to_int64(a), divisor)))


def mod(a: Any, b: Any) -> Int64:
    """mod A B: the remainder of div, with the sign of A; modulo 0 is an error."""
    dividend, divisor = to_int64(a), to_int64(b)
    if divisor == 0:
        raise GoFuncError(_DIVIDE_BY_ZERO)
    return Int64(dividend - divisor * _go_quotient(dividend, divisor))


def mul(a: Any, *values: Any) -> Int64:
    """mul A B ...: the int64 product."""
    product = to_int64(a)
    for v in values:
        product = wrap_int64(product * to_int64(v))
    return Int64(product)


def biggest(a: Any, *values: Any) -> Int64:
    """max A B ... (also biggest): the largest, as int64."""
    return Int64(max([to_int64(a), *(to_int64(v) for v in values)]))


def smallest(a: Any, *values: Any) -> Int64:
    """min A B ...: the smallest, as int64."""
    return Int64(min([to_int64(a), *(to_int64(v) for v in values)]))


def rand_int(low: int, high: int) -> int:
    """randInt MIN MAX: a random int in [MIN, MAX)."""
    if high - low <= 0:
        raise GoFuncError("invalid argument to Intn")
    return random.randrange(low, high)


# --------------------------------------------------------------------------
# float64 math


def _go_max(a: float, b: float) -> float:
    """math.Max: NaN wins, and +0 beats -0."""
    if math.isinf(a) and a > 0 or math.isinf(b) and b > 0:
        return math.inf
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == 0 and a == b:
        return b if math.copysign(1, a) < 0 else a
    return a if a > b else b


def _go_min(a: float, b: float) -> float:
    """math.Min: NaN wins, and -0 beats +0."""
    if math.isinf(a) and a < 0 or math.isinf(b) and b < 0:
        return -math.inf
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == 0 and a == b:
        return a if math.copysign(1, a) < 0 else b
    return a if a < b else b


def maxf(a: Any, *values: Any) -> float:
    """maxf A B ...: the largest, as float64."""
    result = to_float64(a)
    for v in values:
        result = _go_max(result, to_float64(v))
    return result


def minf(a: Any, *values: Any) -> float:
    """minf A B ...: the smallest, as float64."""
    result = to_float64(a)
    for v in values:
        result = _go_min(result, to_float64(v))
    return result


def go_floor(x: float) -> float:
    """math.Floor, keeping -0, inf and NaN as Go does."""
    if x == 0 or not math.isfinite(x):
        return x
    return float(math.floor(x))


def go_ceil(x: float) -> float:
    """math.Ceil: ceil(-0.5) is -0."""
    if x == 0 or not math.isfinite(x):
        return x
    result = float(math.ceil(x))
    return -0.0 if result == 0 and x < 0 else result


def floor(a: Any) -> float:
    """floor A: the largest integer value not above A, as float64."""
    return go_floor(to_float64(a))


def ceil(a: Any) -> float:
    """ceil A: the smallest integer value not below A, as float64."""
    return go_ceil(to_float64(a))


def _go_ldexp(frac: float, exp: int) -> float:
    try:
        return math.ldexp(frac, exp)
    except OverflowError:
        return math.copysign(math.inf, frac)


def go_pow(x: float, y: float) -> float:
    """math.Pow for the integral exponents round uses, by Go's own square-and-multiply.

    C's pow is correctly rounded and Go's is not always, so both the
    algorithm and its rounding steps are Go's.
    """
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0:
        if y < 0:
            return math.inf
        return 0.0
    if math.isinf(y) or math.isinf(x):
        # Not reachable from round (x is 10, y an int); kept total anyway.
        return math.pow(x, y)
    yi, yf = math.modf(abs(y))
    if yf != 0:
        return math.pow(x, y)
    if yi >= 2.0**63:
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    a1, ae = 1.0, 0
    x1, xe = math.frexp(x)
    i = int(yi)
    while i != 0:
        if xe < -(1 << 12) or (1 << 12) < xe:
            # Certain overflow or underflow; let ldexp saturate.
            ae += xe
            break
        if i & 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1
    if y < 0:
        a1 = 1 / a1
        ae = -ae
    return _go_ldexp(a1, ae)


def _go_fdiv(a: float, b: float) -> float:
    # IEEE division: Python raises where Go gives inf or NaN.
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def round_(a: Any, places: int, *round_on: float) -> float:
    """round A PLACES [HALF]: A rounded to PLACES decimals; fractions >= HALF (default .5) round up.

    A negative fraction never reaches HALF, so negatives round toward -inf
    at the half: round -2.5 0 is -3.
    """
    threshold = round_on[0] if round_on else 0.5
    val = to_float64(a)
    scale = go_pow(10.0, float(places))
    digit = scale * val
    frac = math.modf(digit)[0] if math.isfinite(digit) else math.nan
    rounded = go_ceil(digit) if frac >= threshold else go_floor(digit)
    return _go_fdiv(rounded, scale)


# --------------------------------------------------------------------------
# Decimal float math (shopspring/decimal): inputs become the shortest decimal
# that round-trips, so addf 1.1 2.2 is 3.3 rather than 3.3000000000000003.

_DIVISION_PRECISION = 16


def _decimal(v: Any) -> Fraction:
    f = to_float64(v)
    if not math.isfinite(f):
        raise GoFuncError(f"Cannot create a Decimal from {format_value(f)}")
    return Fraction(repr(f))


def _decimal_div(a: Fraction, b: Fraction) -> Fraction:
    """decimal.Div: the quotient rounded half away from zero to 16 decimal places."""
    if b == 0:
        raise GoFuncError("decimal division by 0")
    scaled = a * 10**_DIVISION_PRECISION / b
    q = abs(scaled.numerator) // scaled.denominator
    if 2 * (abs(scaled.numerator) - q * scaled.denominator) >= scaled.denominator:
        q += 1
    return Fraction(q if scaled >= 0 else -q, 10**_DIVISION_PRECISION)


def addf(*values: Any) -> float:
    """addf A B ...: the decimal sum, as float64."""
    total = Fraction(0)
    for v in values:
        total += _decimal(v)
    return float(total)


def add1f(v: Any) -> float:
    """add1f A: A + 1 in decimal, as float64."""
    return float(_decimal(v) + 1)


def subf(a: Any, *values: Any) -> float:
    """subf A B ...: A minus the others, in decimal."""
    result = _decimal(a)
    for v in values:
        result -= _decimal(v)
    return float(result)


def mulf(a: Any, *values: Any) -> float:
    """mulf A B ...: the decimal product."""
    result = _decimal(a)
    for v in values:
        result *= _decimal(v)
    return float(result)


def divf(a: Any, *values: Any) -> float:
    """divf A B ...: A divided by each of the others, 16 decimal places at each step."""
    result = _decimal(a)
    for v in values:
        result = _decimal_div(result, _decimal(v))
    return float(result)


# --------------------------------------------------------------------------
# Sequences


def _until_step(start: int, stop: int, step: int) -> list[int]:
    if (stop < start and step >= 0) or (stop >= start and step <= 0):
        return []
    count = max(0, -(-(stop - start) // step))
    if count > _MAX_SEQUENCE:
        raise GoFuncError(f"sequence of {count} elements is too long")
    limits.allow_items(count, "a sequence")
    return list(range(start, stop, step))


def until_step(start: int, stop: int, step: int) -> TypedList:
    """untilStep START STOP STEP: START, START+STEP, ... short of STOP, as []int."""
    return TypedList(_until_step(start, stop, step), elem="int")


def until(count: int) -> TypedList:
    """until N: 0, 1, ... N-1 (counting down for a negative N), as []int."""
    return until_step(0, count, -1 if count < 0 else 1)


def seq(*params: int) -> str:
    """seq [START [STEP]] END: the integers from START (default 1) to END inclusive, space-separated, like Unix seq."""
    if len(params) == 1:
        end = params[0]
        step = -1 if end < 1 else 1
        items = _until_step(1, end + step, step)
    elif len(params) == 2:
        start, end = params
        step = -1 if end < start else 1
        items = _until_step(start, end + step, step)
    elif len(params) == 3:
        start, step, end = params
        increment = 1
        if end < start:
            increment = -1
            if step > 0:
                return ""
        items = _until_step(start, end + increment, step)
    else:
        return ""
    return " ".join(map(str, items))


MATH_FUNCS: dict[str, Callable[..., Any]] = {
    "atoi": atoi,
    "int64": cast_int64,
    "int": cast_int,
    "float64": cast_float64,
    "seq": seq,
    "toDecimal": to_decimal,
    "until": until,
    "untilStep": until_step,
    "add1": add1,
    "add": add,
    "sub": sub,
    "div": div,
    "mod": mod,
    "mul": mul,
    "randInt": rand_int,
    "add1f": add1f,
    "addf": addf,
    "subf": subf,
    "divf": divf,
    "mulf": mulf,
    "biggest": biggest,
    "max": biggest,
    "min": smallest,
    "maxf": maxf,
    "minf": minf,
    "ceil": ceil,
    "floor": floor,
    "round": round_,
}
