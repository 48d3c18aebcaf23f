"""Typed math answers: our own tokenizer and parser onto SymPy objects, with a whitelist and caps.

Nothing a student types is ever evaluated as Python: no `eval`, no `sympify`, no `parse_expr`.
The tokenizer knows numbers, the declared variables, the constants `pi` and `e`, a fixed list of
functions and a few operators; the parser builds SymPy objects from those alone, and refuses
(with a message that says what was expected) anything else, and anything too big: the answer's
length, its number of tokens, its nesting depth, a literal's length, a constant exponent.

Answer types (each `parse_*` raises `ParseError` with a student-facing message):

- numeric:  `0.25`, `1/4`, `2.5e-3`, `-3`, `sqrt(2)/2`            -> `Number`
- array:    `[[1, 2], [3, 4]]`, rows by newline or `;`            -> `Array`
- shape:    `(2,16,15,14)`, `2x16x15x14`, `[2, 16, 15, 14]`       -> tuple of ints
- symbolic: `a sigma(ax+b)(1-sigma(ax+b))`, `^` for powers        -> SymPy expression
- choice / multi_choice: `B`, `A, C`                               -> sorted list of letters

This module is preloaded by the "sympy" flavour of the sandbox's zygote, where answers are decided
(graders.math.check) in a child that is killed at a hard time limit.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp

# -- caps: a hostile answer is refused here, before SymPy sees it -------------------------------
MAX_CHARS = 2000  # an expression (numeric or symbolic)
MAX_ANSWER_CHARS = 4096  # a whole answer (an array holds many numbers)
MAX_TOKENS = 400
MAX_DEPTH = 30  # parentheses, function calls, signs and exponents, nested
MAX_LITERAL = 40  # characters of one number
MAX_SCI_EXPONENT = 300  # 1e300 at most
MAX_EXPONENT = 1000  # a constant exponent: x^1000 at most
MAX_DIGITS = 300  # a constant power's size: 10^300 at most
MAX_NAME = 40
MAX_ENTRIES = 400  # array entries
MAX_DIMS = 12  # shape entries
MAX_SIZE_DIGITS = 9  # one size in a shape
MAX_MAGNITUDE = mpmath.mpf(10) ** 300  # a numeric answer's size
EVAL_MAG_BITS = 200_000  # intermediate values while evaluating (about 10^60000)

DEFAULT_VARIABLES = ("x", "y", "z", "a", "b", "c", "w", "t", "n")
CONSTANT_NAMES = ("pi", "e")
FUNCTION_NAMES = (
    "exp", "log", "ln", "sqrt", "tanh", "sinh", "cosh", "sin", "cos", "tan", "abs", "sigma",
)  # fmt: skip

NUMBER_FORM = "a number such as 0.25, 1/4, 2.5e-3, -3 or sqrt(2)/2"
ARRAY_FORM = "a matrix such as [[1, 2], [3, 4]] (or rows on separate lines, or separated by ';')"
SHAPE_FORM = "a shape such as (2, 16, 15, 14), 2x16x15x14 or [2, 16, 15, 14]"
EXPRESSION_FORM = "an expression such as 3*sigma(2x - 1)*(1 - sigma(2x - 1))"


class ParseError(ValueError):
    """The answer cannot be read; the message says why and what was expected."""


# -- the logistic function -------------------------------------------------------------------


class sigma(sp.Function):
    """The logistic function 1/(1 + exp(-x)), kept as one symbol so it prints back as typed."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        if arg.is_zero:
            return sp.Rational(1, 2)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-arg))


FUNCTIONS = {
    "exp": sp.exp,
    "log": sp.log,
    "ln": sp.log,
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "abs": sp.Abs,
    "sigma": sigma,
}
CONSTANTS = {"pi": sp.pi, "e": sp.E}
# What people type that is not in the grammar, and what to write instead.
SUGGESTIONS = {
    "sigmoid": "sigma(...) for the logistic function",
    "logistic": "sigma(...) for the logistic function",
    "relu": "a piecewise function cannot be typed here; write the value on the given side",
    "max": "max is not available",
    "arctan": "arctan is not available",
    "atan": "atan is not available",
    "inf": "a finite value",
    "infinity": "a finite value",
    "nan": "a number",
    "i": "a real expression",
    "j": "a real expression",
    "log10": "log(x)/log(10)",
    "log2": "log(x)/log(2)",
    "exp2": "2^x",
}
# Characters people type that the grammar has no place for, and what to write instead.
UNEXPECTED = {
    "%": " (a percentage? write the number itself: 70.7% is 0.707)",
    "°": " (angles are in radians: write pi/2, not 90°)",
}
UNICODE = {
    "\u2212": "-",  # minus sign
    "\u2013": "-",  # en dash
    "\u00d7": "*",  # multiplication sign
    "\u00b7": "*",  # middle dot
    "\u22c5": "*",  # dot operator
    "\u2217": "*",
    "\u00f7": "/",
    "\u03c0": "pi",
    "\u03c3": "sigma",
    "\u00b2": "^2",
    "\u00b3": "^3",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
}


# -- tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # num, name, op, end
    text: str
    pos: int  # 0-based character position
    implicit: bool = False  # a name split off a longer word ("ax" -> a x)


_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^(),;\[\]=|])"
)


def normalise(text: str) -> str:
    """Unicode look-alikes people paste (−, ×, ·, π, σ, ², non-breaking spaces) -> ASCII."""
    if text.isascii():
        return text
    return "".join(UNICODE.get(ch, ch) for ch in text)


def _check_length(text: str, limit: int, what: str) -> None:
    if len(text) > limit:
        raise ParseError(
            f"your answer is too long ({len(text)} characters; at most {limit} for {what})"
        )


def tokenize(text: str, names: Names) -> list[Token]:
    _check_length(text, MAX_CHARS, "an expression")
    text = normalise(text)
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            ch = text[pos]
            shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
            why = UNEXPECTED.get(ch, "")
            raise ParseError(f'unexpected character "{shown}" at position {pos + 1}{why}')
        kind = match.lastgroup
        value = match.group()
        if kind == "num":
            if len(value) > MAX_LITERAL:
                raise ParseError(
                    f"the number at position {pos + 1} is too long (at most {MAX_LITERAL} characters)"
                )
            tokens.append(Token("num", value, pos))
        elif kind == "name":
            if len(value) > MAX_NAME:
                raise ParseError(f"the name at position {pos + 1} is too long")
            rest = text[match.end() :].lstrip()
            tokens += names.split(value, pos, called=rest.startswith("("))
        elif kind == "op":
            tokens.append(Token("op", "^" if value == "**" else value, pos))
        if len(tokens) > MAX_TOKENS:
            raise ParseError(f"your answer is too long (more than {MAX_TOKENS} symbols)")
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class Names:
    """The names an expression may use: variables (case-sensitive), constants, functions.

    A word that is not a name is split into names when that can be done in one way that uses
    them all: `ax` is `a x`, `asigma(` is `a sigma(`, `pix` is `pi x`. Variables win over
    constants (declaring `e` as a variable hides Euler's number).
    """

    def __init__(self, variables: tuple[str, ...] | list[str] = DEFAULT_VARIABLES) -> None:
        for v in variables:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v) or v in FUNCTIONS:
                raise ValueError(f"{v!r} cannot be a variable name")
        self.variables = tuple(dict.fromkeys(variables))
        self.symbols = {v: sp.Symbol(v, real=True) for v in self.variables}
        self.values = {c: CONSTANTS[c] for c in CONSTANT_NAMES if c not in self.symbols}
        # Longest first, so that `pi` is tried before `p` when both exist.
        self.atoms = sorted([*self.symbols, *self.values], key=len, reverse=True)

    def value(self, name: str) -> sp.Expr:
        return self.symbols[name] if name in self.symbols else self.values[name]

    def split(self, word: str, pos: int, called: bool) -> list[Token]:
        if word in self.symbols or word in self.values or word in FUNCTIONS:
            return [Token("name", word, pos)]
        pieces = self._pieces(word, called)
        if pieces is None:
            raise ParseError(self.unknown(word, pos))
        tokens, offset = [], pos
        for piece in pieces:
            tokens.append(Token("name", piece, offset, implicit=True))
            offset += len(piece)
        return tokens

    def _pieces(self, word: str, called: bool) -> list[str] | None:
        """Cut word into atoms (and one function at the end when a '(' follows), or None."""
        if len(word) > 12:  # splitting is for `ax`, `2ab`, `xsigma(`; not for long words
            return None
        for func in sorted(FUNCTIONS, key=len, reverse=True):
            if called and word.endswith(func) and len(word) > len(func):
                head = self._pieces(word[: -len(func)], False)
                if head is not None:
                    return [*head, func]
        if not word:
            return []
        for atom in self.atoms:
            if word.startswith(atom):
                rest = self._pieces(word[len(atom) :], called)
                if rest is not None:
                    return [atom, *rest]
        return None

    def unknown(self, word: str, pos: int) -> str:
        allowed = self.describe()
        lower = word.lower()
        hint = ""
        if lower in SUGGESTIONS:
            hint = f" (write {SUGGESTIONS[lower]})"
        else:
            same = [n for n in (*self.symbols, *self.values, *FUNCTIONS) if n.lower() == lower]
            if same:
                hint = f" (names are case-sensitive: did you mean {same[0]}?)"
            elif re.fullmatch(r"[A-Za-z]+\d+", word):
                product = re.sub(r"(\d+)$", r"*\1", word)
                hint = f" (to multiply, write {product}; for a power, ^)"
        return f'unknown name "{word}" at position {pos + 1}{hint}. {allowed}'

    def describe(self) -> str:
        consts = ", ".join(self.values) or "none"
        if self.variables:
            head = f"You may use the variables {', '.join(self.variables)}"
        else:
            head = "A number is expected here (no variables)"
        return f"{head}; the constants {consts}; the functions {', '.join(FUNCTIONS)}."


# -- the parser ------------------------------------------------------------------------------


class Parser:
    """Recursive descent over the tokens; every level of nesting is counted and capped.

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary | power)*      a power right after: implicit product
    unary   := ('+' | '-') unary | power
    power   := primary ('^' unary)?                      right-associative: 2^3^2 = 2^9
    primary := number | name | function '(' expr ')' | '(' expr ')'
    """

    def __init__(self, text: str, names: Names) -> None:
        self.text = text
        self.names = names
        self.tokens = tokenize(text, names)
        self.i = 0
        self.depth = 0

    # -- helpers
    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(f"your answer is nested too deeply (more than {MAX_DEPTH} levels)")

    def where(self, tok: Token) -> str:
        if tok.kind == "end":
            return "at the end"
        return f'"{tok.text}" at position {tok.pos + 1}'

    def starts_operand(self, tok: Token) -> bool:
        return tok.kind in ("name", "num") or tok.text == "("

    # -- grammar
    def parse(self) -> sp.Expr:
        if self.peek().kind == "end":
            raise ParseError("the answer is empty")
        value = self.expr()
        tok = self.peek()
        if tok.kind != "end":
            if tok.text == ")":
                raise ParseError(f"unbalanced parenthesis: {self.where(tok)} closes nothing")
            if tok.text == "=":
                raise ParseError("write only the value (one '=' at most, before it)")
            if tok.text == ",":
                raise ParseError(
                    f"unexpected {self.where(tok)}: use a dot for decimals (0.25) and no "
                    "thousands separators"
                )
            raise ParseError(f"unexpected {self.where(tok)}")
        return value

    def expr(self) -> sp.Expr:
        self.enter()
        value = self.term()
        while self.peek().text in ("+", "-") and self.peek().kind == "op":
            op = self.take().text
            right = self.term()
            value = value + right if op == "+" else value - right
        self.depth -= 1
        return value

    def term(self) -> sp.Expr:
        value = self.unary()
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in ("*", "/"):
                self.take()
                right = self.unary()
                if tok.text == "*":
                    value = value * right
                else:
                    if right.is_zero:
                        raise ParseError(f"division by zero at position {tok.pos + 1}")
                    value = value / right
            elif tok.kind == "num":
                raise ParseError(
                    f"a number cannot follow directly: {self.where(tok)} (write * between them)"
                )
            elif self.starts_operand(tok):
                value = value * self.power()
            else:
                return value

    def unary(self) -> sp.Expr:
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("+", "-"):
            self.take()
            self.enter()
            value = self.unary()
            self.depth -= 1
            return -value if tok.text == "-" else value
        return self.power()

    def power(self) -> sp.Expr:
        base = self.primary()
        tok = self.peek()
        if tok.kind == "op" and tok.text == "^":
            self.take()
            self.enter()
            exponent = self.unary()
            self.depth -= 1
            return make_power(base, exponent, tok.pos)
        return base

    def primary(self) -> sp.Expr:
        tok = self.take()
        if tok.kind == "num":
            return literal(tok.text, tok.pos)
        if tok.kind == "name":
            if tok.text in FUNCTIONS and tok.text not in self.names.symbols:
                return self.call(tok)
            return self.names.value(tok.text)
        if tok.text == "(":
            value = self.expr()
            close = self.take()
            if close.text != ")":
                if close.kind == "end":
                    raise ParseError(
                        f"unbalanced parenthesis: the one at position {tok.pos + 1} is never closed"
                    )
                raise ParseError(f"expected ')' but found {self.where(close)}")
            return value
        if tok.text == "|":
            raise ParseError("write abs(...) for an absolute value")
        if tok.text in ("[", "]", ";"):
            raise ParseError(f"unexpected {self.where(tok)}: a single expression is expected")
        if tok.kind == "end":
            raise ParseError("the answer ends too early (an operand is missing at the end)")
        raise ParseError(f"unexpected {self.where(tok)} (an operand is missing before it)")

    def call(self, name: Token) -> sp.Expr:
        tok = self.take()
        if tok.text == "^":
            raise ParseError(f"write {name.text}(...)^2, not {name.text}^2(...)")
        if tok.text != "(":
            raise ParseError(
                f"{name.text} is a function: write {name.text}(...) with parentheses "
                f"(at position {name.pos + 1})"
            )
        arg = self.expr()
        close = self.take()
        if close.text == ",":
            raise ParseError(f"{name.text} takes one argument")
        if close.text != ")":
            if close.kind == "end":
                raise ParseError(
                    f"unbalanced parenthesis: {name.text}( at position {name.pos + 1} is never closed"
                )
            raise ParseError(f"expected ')' but found {self.where(close)}")
        return apply_function(name.text, arg, name.pos)


def literal(text: str, pos: int) -> sp.Rational:
    """A decimal literal as an exact rational: 0.1 is 1/10, 2.5e-3 is 1/400."""
    match = re.fullmatch(r"(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?", text)
    assert match is not None
    whole, frac, exp = match.group(1), match.group(2), match.group(3)
    power = int(exp) if exp else 0
    if abs(power) > MAX_SCI_EXPONENT:
        raise ParseError(
            f"the number at position {pos + 1} is too large or too small (exponent at most "
            f"{MAX_SCI_EXPONENT})"
        )
    value = Fraction(int((whole or "0") + frac), 10 ** len(frac)) * Fraction(10) ** power
    return sp.Rational(value.numerator, value.denominator)


def make_power(base: sp.Expr, exponent: sp.Expr, pos: int) -> sp.Expr:
    if exponent.is_Number:
        if abs(exponent) > MAX_EXPONENT:
            raise ParseError(
                f"the exponent at position {pos + 1} is too large (at most {MAX_EXPONENT})"
            )
        if base.is_Number and not base.is_zero:
            value = _fraction(base)
            magnitude = mpmath.log10(abs(mpmath.mpf(value.numerator) / value.denominator))
            size = abs(float(exponent)) * abs(magnitude)
            if size > MAX_DIGITS:
                raise ParseError(
                    f"the power at position {pos + 1} is too large (more than {MAX_DIGITS} digits)"
                )
        if base.is_zero and exponent.is_negative:
            raise ParseError(f"division by zero (0 to a negative power) at position {pos + 1}")
    return sp.Pow(base, exponent)


def apply_function(name: str, arg: sp.Expr, pos: int) -> sp.Expr:
    if name in ("log", "ln") and arg.is_zero:
        raise ParseError(f"log(0) is undefined (at position {pos + 1})")
    return FUNCTIONS[name](arg)


def _fraction(number: sp.Expr) -> Fraction:
    p, q = number.as_numer_denom() if not number.is_Rational else (number.p, number.q)
    return Fraction(int(p), int(q))


def parse_expression(
    text: str, variables: tuple[str, ...] | list[str] | Names = DEFAULT_VARIABLES
) -> sp.Expr:
    """An expression of the grammar onto a SymPy object; ParseError if it is not one."""
    names = variables if isinstance(variables, Names) else Names(tuple(variables))
    text = strip_equation(text)
    try:
        expr = Parser(text, names).parse()
    except RecursionError:  # cannot happen under MAX_DEPTH; never let it escape as a crash
        raise ParseError("your answer is nested too deeply") from None
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ParseError("the expression is undefined (a division by zero?)")
    return expr


def strip_equation(text: str) -> str:
    """`f'(x) = 3x` -> `3x`: one '=' is allowed, and what is before it is ignored."""
    if text.count("=") == 1:
        return text.split("=", 1)[1]
    if text.count("=") > 1:
        raise ParseError("write only the value (one '=' at most, before it)")
    return text


# -- evaluating (high precision, every size checked) ----------------------------------------


class EvalError(ArithmeticError):
    """A value could not be computed here: too large, a division by zero, an unknown node."""


def _guard(value: mpmath.mpc | mpmath.mpf) -> mpmath.mpc | mpmath.mpf:
    parts = (value.real, value.imag) if isinstance(value, mpmath.mpc) else (value,)
    for part in parts:
        if not mpmath.isfinite(part):
            raise EvalError("not finite")
        if part and mpmath.mag(part) > EVAL_MAG_BITS:
            raise EvalError("too large")
    return value


def evaluate(expr: sp.Expr, env: dict[sp.Symbol, mpmath.mpf] | None = None) -> mpmath.mpc:
    """expr at the point env, with mpmath at the working precision; EvalError when it cannot."""
    env = env or {}
    return _eval(expr, env, 0)


def _eval(expr: sp.Expr, env: dict[sp.Symbol, mpmath.mpf], depth: int) -> mpmath.mpc:
    if depth > 200:
        raise EvalError("too deep")
    if expr.is_Integer:
        return mpmath.mpf(int(expr))
    if expr.is_Rational:
        return mpmath.mpf(int(expr.p)) / int(expr.q)
    if expr.is_Float:
        return mpmath.mpf(expr._mpf_)
    if expr.is_Symbol:
        if expr not in env:
            raise EvalError(f"no value for {expr}")
        return env[expr]
    if expr is sp.pi:
        return +mpmath.pi
    if expr is sp.E:
        return +mpmath.e
    if expr is sp.I:
        return mpmath.mpc(0, 1)
    args = [_eval(a, env, depth + 1) for a in expr.args]
    try:
        if expr.is_Add:
            total = args[0]
            for a in args[1:]:
                total = _guard(total + a)
            return total
        if expr.is_Mul:
            total = args[0]
            for a in args[1:]:
                total = _guard(total * a)
            return total
        if expr.is_Pow:
            base, exp = args
            if base == 0:
                if mpmath.re(exp) <= 0:
                    raise EvalError("0 to a non-positive power")
                return mpmath.mpf(0)
            size = abs(mpmath.log(base)) * abs(exp)
            if size > EVAL_MAG_BITS * 0.69:
                raise EvalError("too large")
            return _guard(_real(mpmath.power(base, exp)))
        (arg,) = args
        func = expr.func
        if func is sp.exp:
            if mpmath.re(arg) > EVAL_MAG_BITS * 0.69:
                raise EvalError("too large")
            return _guard(_real(mpmath.exp(arg)))
        if func is sp.log:
            if arg == 0:
                raise EvalError("log(0)")
            return _guard(_real(mpmath.log(arg)))
        if func is sigma:
            if mpmath.re(-arg) > EVAL_MAG_BITS * 0.69:
                return mpmath.mpf(0)
            return _guard(_real(1 / (1 + mpmath.exp(-arg))))
        if func in (sp.sinh, sp.cosh, sp.tanh) and abs(arg) > EVAL_MAG_BITS * 0.69:
            raise EvalError("too large")
        if func in _MPMATH:
            return _guard(_real(_MPMATH[func](arg)))
    except (ZeroDivisionError, ValueError, OverflowError) as exc:
        raise EvalError(str(exc)) from None
    raise EvalError(f"cannot evaluate {type(expr).__name__}")


_MPMATH = {
    sp.sin: mpmath.sin,
    sp.cos: mpmath.cos,
    sp.tan: mpmath.tan,
    sp.sinh: mpmath.sinh,
    sp.cosh: mpmath.cosh,
    sp.tanh: mpmath.tanh,
    sp.Abs: abs,
}


def _real(value: mpmath.mpc | mpmath.mpf) -> mpmath.mpc | mpmath.mpf:
    if isinstance(value, mpmath.mpc) and value.imag == 0:
        return value.real
    return value


# -- numbers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A real number as typed: exact when it is rational, else known to PRECISION digits."""

    expr: sp.Expr

    @property
    def exact(self) -> bool:
        return bool(self.expr.is_Rational)

    def fraction(self) -> Fraction:
        """The value as a Fraction: exact for rationals, else to PRECISION significant digits."""
        if self.expr.is_Rational:
            return Fraction(int(self.expr.p), int(self.expr.q))
        return _settled_fraction(self.expr)

    def __float__(self) -> float:
        return float(self.fraction())

    def text(self) -> str:
        return format_number(self)


PRECISION = 50
SETTLE_DIGITS = (60, 120, 240, 480)  # working precisions tried, in decimal digits


def settled(expr: sp.Expr) -> mpmath.mpf | mpmath.mpc:
    """expr's value to PRECISION significant digits: evaluated at rising working precision until
    two successive values agree that far, since a sum of large terms that cancel loses digits at
    any one precision. A value that never settles (0 written as such a sum) is its last
    evaluation, a residue of about 10^-480 of the terms. EvalError when it cannot be computed."""
    previous = None
    for digits in SETTLE_DIGITS:
        with mpmath.workdps(digits):
            value = evaluate(expr)
            agree = mpmath.mpf(10) ** -PRECISION
            if previous is not None and abs(value - previous) <= abs(value) * agree:
                return value
        previous = value
    return value


@functools.lru_cache(maxsize=4096)
def _settled_fraction(expr: sp.Expr) -> Fraction:
    # Cached: the hints compare the same entries again and again (scaled, negated, transposed).
    value = settled(expr)
    if isinstance(value, mpmath.mpc):
        value = value.real
    man, exp = value.man_exp  # as computed: mpf(value) would round it to the current precision
    return Fraction(int(man)) * (Fraction(2) ** int(exp))


def number_from_expr(expr: sp.Expr) -> Number:
    if expr.free_symbols:
        raise ParseError("a number is expected, not an expression with variables")
    if not expr.is_Rational:
        try:
            with mpmath.workdps(PRECISION):
                value = evaluate(expr)
        except EvalError as exc:
            raise ParseError(f"this number cannot be computed ({exc})") from None
        if isinstance(value, mpmath.mpc):
            raise ParseError("this is not a real number")
        if abs(value) > MAX_MAGNITUDE:
            raise ParseError("this number is too large (at most 1e300)")
    elif abs(expr) > sp.Integer(10) ** 300:
        raise ParseError("this number is too large (at most 1e300)")
    return Number(expr)


_THOUSANDS = re.compile(r"^\s*[-+]?\d{1,3}(,\d{3})+(\.\d+)?\s*$")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def parse_number(text: str) -> Number:
    """`0.25`, `1/4`, `2.5e-3`, `-3`, `sqrt(2)/2`, `e^-1`: a real number, exactly when possible."""
    _check_length(text, MAX_CHARS, "a number")
    if _THOUSANDS.match(text) or _DECIMAL_COMMA.match(text):
        raise ParseError(
            "use a dot for decimals (0.25) and no thousands separators (4640, not 4,640)"
        )
    try:
        expr = parse_expression(text, Names(()))
    except ParseError as exc:
        raise ParseError(f"{_sentence(exc)} Expected {NUMBER_FORM}.") from None
    return number_from_expr(expr)


def _sentence(exc: Exception) -> str:
    text = str(exc)
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith(".") else text + "."


# -- arrays ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Array:
    """A vector or a matrix of Numbers, row-major; shape (n,) or (rows, cols)."""

    shape: tuple[int, ...]
    entries: tuple[Number, ...]

    def rows(self) -> list[list[Number]]:
        if len(self.shape) == 1:
            return [list(self.entries)]
        r, c = self.shape
        return [list(self.entries[i * c : (i + 1) * c]) for i in range(r)]

    def at(self, index: tuple[int, ...]) -> Number:
        if len(self.shape) == 1:
            return self.entries[index[0]]
        return self.entries[index[0] * self.shape[1] + index[1]]


def _split_top(text: str, seps: str) -> list[str]:
    """Split at separators outside parentheses and brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch in seps and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _split_row(row: str) -> list[str]:
    """Entries of one row: by commas when there are any, else by whitespace."""
    if "," in row:
        return [p.strip() for p in _split_top(row, ",")]
    # Whitespace outside parentheses separates entries; `-` sticks to the entry after it.
    parts: list[str] = []
    depth, current = 0, ""
    for ch in row:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch.isspace() and depth == 0:
            if current:
                parts.append(current)
            current = ""
        else:
            current += ch
    if current:
        parts.append(current)
    return parts


def _bracket_rows(body: str) -> list[str] | None:
    """`[1, 2], [3, 4]` (inside the outer brackets) -> ['1, 2', '3, 4']; None if not nested."""
    if "[" not in body:
        return None
    rows, depth, start = [], 0, None
    for i, ch in enumerate(body):
        if ch == "[":
            depth += 1
            if depth == 1:
                start = i + 1
            elif depth > 1:
                raise ParseError("at most 2-D: a matrix is a list of rows, like [[1, 2], [3, 4]]")
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise ParseError("unbalanced brackets")
            rows.append(body[start:i])
        elif depth == 0 and not (ch.isspace() or ch in ",;"):
            raise ParseError(
                f'unexpected "{ch}" between rows: write rows as [..], separated by commas'
            )
    if depth != 0:
        raise ParseError("unbalanced brackets: a '[' is never closed")
    return rows


def parse_array(text: str) -> Array:
    """`[[1, 2], [3, 4]]`, `[1 2; 3 4]`, `1, 2; 3, 4`, rows on lines, `[1, 2, 3]` (a vector)."""
    _check_length(text, MAX_ANSWER_CHARS, "an array")
    text = normalise(text).strip()
    try:
        return _parse_array(text)
    except ParseError as exc:
        raise ParseError(f"{_sentence(exc)} Expected {ARRAY_FORM}.") from None


def _parse_array(text: str) -> Array:
    if not text:
        raise ParseError("the answer is empty")
    vector = False
    if text.startswith("["):
        if not text.endswith("]"):
            raise ParseError(
                "unbalanced brackets: the answer starts with '[' but does not end with ']'"
            )
        body = text[1:-1]
        nested = _bracket_rows(body)
        if nested is not None:
            rows = nested
        else:
            rows = [r for r in re.split(r"[;\n]", body)]
            vector = len(rows) == 1
    else:
        if "[" in text or "]" in text:
            raise ParseError("unbalanced brackets")
        rows = re.split(r"[;\n]", text)
        vector = len(rows) == 1
    rows = [r.strip() for r in rows]
    while rows and not rows[-1]:  # a trailing ';' or newline
        rows.pop()
    if not rows:
        raise ParseError("the answer is empty")
    table: list[list[Number]] = []
    count = 0
    for r, row in enumerate(rows, start=1):
        if not row:
            raise ParseError(f"row {r} is empty")
        cells = _split_row(row)
        values = []
        for c, cell in enumerate(cells, start=1):
            count += 1
            if count > MAX_ENTRIES:
                raise ParseError(f"too many entries (at most {MAX_ENTRIES})")
            where = f"entry {c}" if vector else f"row {r}, entry {c}"
            if not cell:
                raise ParseError(f"{where} is empty")
            try:
                values.append(_cell(cell))
            except ParseError as exc:
                hint = ""
                if "," not in row and re.fullmatch(r"[-+*/^]", cell):
                    hint = " (entries are separated by spaces: write 1/2 without spaces, or use commas)"
                raise ParseError(f"{where} ({cell!r}): {exc}{hint}") from None
        if table and len(values) != len(table[0]):
            raise ParseError(
                f"row {r} has {len(values)} entries but row 1 has {len(table[0])}: every row "
                "needs the same number of entries"
            )
        table.append(values)
    entries = tuple(v for row in table for v in row)
    if vector:
        return Array((len(entries),), entries)
    return Array((len(table), len(table[0])), entries)


def _cell(text: str) -> Number:
    try:
        return number_from_expr(parse_expression(text, Names(())))
    except ParseError as exc:
        raise ParseError(str(exc)) from None


# -- shapes ----------------------------------------------------------------------------------


def parse_shape(text: str) -> tuple[int, ...]:
    """`(2,16,15,14)`, `(2, 16, 15, 14)`, `2x16x15x14`, `2 × 16`, `[2, 16, 15, 14]`, `(5,)`."""
    _check_length(text, 400, "a shape")
    raw = normalise(text).strip()
    body = raw
    if len(body) >= 2 and body[0] in "([" and body[-1] in ")]":
        if (body[0], body[-1]) not in (("(", ")"), ("[", "]")):
            raise ParseError(f"unbalanced brackets. Expected {SHAPE_FORM}.")
        body = body[1:-1].strip()
    if body and (body[0] in "([" or body[-1] in ")]"):
        raise ParseError(f"unbalanced or nested brackets. Expected {SHAPE_FORM}.")
    if not body:
        if raw in ("()", "[]"):
            return ()
        raise ParseError(f"the answer is empty. Expected {SHAPE_FORM}.")
    if "," in body:
        parts = [p.strip() for p in body.split(",")]
        if parts and parts[-1] == "" and len(parts) >= 2:  # (5,)
            parts.pop()
    elif re.search(r"\d\s*[xX*]\s*\d", body):
        parts = re.split(r"\s*[xX*]\s*", body)
    else:
        parts = body.split()
    if len(parts) > MAX_DIMS:
        raise ParseError(f"too many dimensions (at most {MAX_DIMS}). Expected {SHAPE_FORM}.")
    sizes = []
    for i, part in enumerate(parts, start=1):
        if re.fullmatch(r"\d+", part):
            if len(part) > MAX_SIZE_DIGITS:
                raise ParseError(f"size {i} is too large. Expected {SHAPE_FORM}.")
            sizes.append(int(part))
        elif re.fullmatch(r"-\s*\d+", part):
            raise ParseError(f"size {i} is negative: sizes are whole numbers ≥ 0.")
        elif re.fullmatch(r"\d*\.\d+|\d+\.\d*", part):
            raise ParseError(f"size {i} ({part}) is not a whole number: sizes are whole numbers.")
        elif not part:
            raise ParseError(f"size {i} is empty. Expected {SHAPE_FORM}.")
        else:
            shown = part if len(part) <= 20 else part[:20] + "..."
            raise ParseError(
                f'size {i} ("{shown}") is not a whole number: compute each size and write only '
                f"numbers. Expected {SHAPE_FORM}."
            )
    return tuple(sizes)


# -- choices ---------------------------------------------------------------------------------


def parse_choices(text: str, letters: list[str], multiple: bool) -> list[str]:
    """`B`, `b`, `(B)`, `option B`; several: `A, C`, `A C`, `A and C`, `AC`. Sorted, unique."""
    _check_length(text, 400, "a choice")
    allowed = ", ".join(letters[:-1]) + f" or {letters[-1]}" if len(letters) > 1 else letters[0]
    what = (
        f"the letters of all the correct options (e.g. {letters[0]}, {letters[-1]})"
        if multiple
        else f"the letter of one option ({allowed})"
    )
    body = normalise(text).strip().upper()
    body = re.sub(r"\b(OPTIONS?|ANSWERS?|AND)\b", " ", body)
    words = [w for w in re.split(r"[\s,;/&+()\[\].:]+", body) if w]
    if not words:
        raise ParseError(f"the answer is empty. Write {what}.")
    picked: list[str] = []
    for word in words:
        if word in letters:
            picked.append(word)
        elif multiple and re.fullmatch(r"[A-Z]+", word) and all(ch in letters for ch in word):
            picked += list(word)
        else:
            shown = word if len(word) <= 20 else word[:20] + "..."
            raise ParseError(
                f'"{shown}" is not one of the options {", ".join(letters)}. Write {what}.'
            )
    if len(set(picked)) != len(picked):
        raise ParseError(f"an option is given twice. Write {what}.")
    if not multiple and len(picked) > 1:
        raise ParseError(f"choose one option only. Write {what}.")
    return sorted(picked)


# -- printing back in the grammar ------------------------------------------------------------


def format_expression(expr: sp.Expr) -> str:
    """The expression in our grammar (`^` for powers, `abs`, `e`), re-parseable to itself."""
    text = sp.sstr(expr, order="none")
    text = text.replace("**", "^").replace("Abs(", "abs(")
    text = re.sub(r"\bE\b", "e", text)
    text = re.sub(r"\bI\b", "sqrt(-1)", text)
    return text


def format_number(number: Number) -> str:
    """A number as the student would type it: an integer, a decimal, `1.06e-33` for a decimal
    too long to read (not 53/50000000000000000000000000000000000), else an expression."""
    expr = number.expr
    if not expr.is_Rational:
        return format_expression(expr)
    value = Fraction(int(expr.p), int(expr.q))
    plain = _decimal(value)
    if plain is not None and len(plain) <= SHORT_NUMBER:
        return plain
    scientific = _scientific(value)
    if scientific is not None and (plain is None or len(scientific) < len(plain)):
        return scientific
    return plain if plain is not None else format_expression(expr)


SHORT_NUMBER = 24  # characters: a longer decimal is shown in scientific notation when shorter


def _decimal(value: Fraction) -> str | None:
    """value in decimal notation, when it has one with at most 20 decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    q, twos, fives = value.denominator, 0, 0
    while q % 2 == 0:
        q //= 2
        twos += 1
    while q % 5 == 0:
        q //= 5
        fives += 1
    digits = max(twos, fives)
    if q != 1 or digits > 20:
        return None
    sign = "-" if value < 0 else ""
    whole, frac = divmod(int(abs(value) * 10**digits), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}".rstrip("0").rstrip(".")


def _scientific(value: Fraction) -> str | None:
    """value as `m.mmme-k` when it is a decimal of at most 30 significant digits whose exponent
    the grammar accepts (so that it reads back as itself); else None."""
    if value == 0:
        return None
    size = abs(value)
    exponent = len(str(size.numerator)) - len(str(size.denominator))
    if Fraction(10) ** exponent > size:
        exponent -= 1
    if abs(exponent) > MAX_SCI_EXPONENT:
        return None
    mantissa, decimals = size / Fraction(10) ** exponent, 0  # in [1, 10)
    while mantissa.denominator != 1 and decimals < 30:
        mantissa, decimals = mantissa * 10, decimals + 1
    if mantissa.denominator != 1:
        return None
    digits = str(mantissa.numerator).rstrip("0") or "0"
    shown = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{'-' if value < 0 else ''}{shown}" + (f"e{exponent}" if exponent else "")


def format_array(array: Array) -> str:
    if len(array.shape) == 1:
        return "[" + ", ".join(format_number(v) for v in array.entries) + "]"
    return "[" + ", ".join("[" + ", ".join(map(format_number, r)) + "]" for r in array.rows()) + "]"


def format_shape(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(map(str, shape)) + ")"
