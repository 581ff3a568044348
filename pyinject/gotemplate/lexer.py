"""Template text to tokens, with Go's rules for delimiters, trim markers and comments."""

from __future__ import annotations

import enum
import re
import unicodedata
from typing import Callable, NamedTuple, Union

from pyinject.golang.strconv import quote

LEFT_DELIM = "{{"
RIGHT_DELIM = "}}"
LEFT_COMMENT = "/*"
RIGHT_COMMENT = "*/"
_SPACE = " \t\r\n"
#: Runs the state functions read character by character, matched at once (ASCII only:
#: a word goes on character by character past its ASCII part, through is_alnum).
_ASCII_WORD = re.compile(r"[_a-zA-Z0-9]*")
_SPACES = re.compile(r"[ \t\r\n]*")
#: The characters of a quoted literal that need no look: not a backslash, newline or quote.
_PLAIN_QUOTED = {'"': re.compile(r'[^"\\\n]*'), "'": re.compile(r"[^'\\\n]*")}
#: What may follow a word inside an action with the default delimiters (Go's atTerminator).
_TERMINATOR = r"(?=[ \t\r\n.,|:)(]|\}\}|\Z)"
#: The common tokens inside an action with the default delimiters, each exactly as the state
#: functions below would read it; anything else (numbers, trim markers, escapes, non-ASCII
#: words, errors) is left to them.  A run of spaces followed by "-" may end in a trim marker:
#: left to lex_space (the possessive ``++`` keeps the run whole).
_ACTION_TOKEN = re.compile(
    r"(?P<space>[ \t\r\n]++(?!-))"
    rf"|(?P<field>\.[_a-zA-Z][_a-zA-Z0-9]*{_TERMINATOR})"
    rf"|(?P<word>[_a-zA-Z][_a-zA-Z0-9]*{_TERMINATOR})"
    rf"|(?P<variable>\$[_a-zA-Z0-9]*{_TERMINATOR})"
    r'|(?P<string>"[^"\\\n]*")'
    r"|(?P<raw>`[^`]*`)"
    r"|(?P<pipe>\|)|(?P<left_paren>\()|(?P<right_paren>\))|(?P<declare>:=)|(?P<assign>=)"
    r"|(?P<right_delim>\}\})"
)


class T(enum.IntEnum):
    """Token types."""

    ERROR = enum.auto()
    BOOL = enum.auto()
    CHAR = enum.auto()  # a printable ASCII character the grammar may use, e.g. ','
    CHAR_CONSTANT = enum.auto()
    COMMENT = enum.auto()
    COMPLEX = enum.auto()
    ASSIGN = enum.auto()
    DECLARE = enum.auto()
    EOF = enum.auto()
    FIELD = enum.auto()
    IDENTIFIER = enum.auto()
    LEFT_DELIM = enum.auto()
    LEFT_PAREN = enum.auto()
    NUMBER = enum.auto()
    PIPE = enum.auto()
    RAW_STRING = enum.auto()
    RIGHT_DELIM = enum.auto()
    RIGHT_PAREN = enum.auto()
    SPACE = enum.auto()
    STRING = enum.auto()
    TEXT = enum.auto()
    VARIABLE = enum.auto()
    # Keywords.
    BLOCK = enum.auto()
    BREAK = enum.auto()
    CONTINUE = enum.auto()
    DOT = enum.auto()
    DEFINE = enum.auto()
    ELSE = enum.auto()
    END = enum.auto()
    IF = enum.auto()
    NIL = enum.auto()
    RANGE = enum.auto()
    TEMPLATE = enum.auto()
    WITH = enum.auto()


# The members as module constants for the lexer's and parser's per-token paths: a
# member read through its enum class costs about ten times a global's read.
T_ASSIGN = T.ASSIGN
T_BLOCK = T.BLOCK
T_BOOL = T.BOOL
T_BREAK = T.BREAK
T_CHAR = T.CHAR
T_CHAR_CONSTANT = T.CHAR_CONSTANT
T_COMMENT = T.COMMENT
T_COMPLEX = T.COMPLEX
T_CONTINUE = T.CONTINUE
T_DECLARE = T.DECLARE
T_DEFINE = T.DEFINE
T_DOT = T.DOT
T_ELSE = T.ELSE
T_END = T.END
T_EOF = T.EOF
T_ERROR = T.ERROR
T_FIELD = T.FIELD
T_IDENTIFIER = T.IDENTIFIER
T_IF = T.IF
T_LEFT_DELIM = T.LEFT_DELIM
T_LEFT_PAREN = T.LEFT_PAREN
T_NIL = T.NIL
T_NUMBER = T.NUMBER
T_PIPE = T.PIPE
T_RANGE = T.RANGE
T_RAW_STRING = T.RAW_STRING
T_RIGHT_DELIM = T.RIGHT_DELIM
T_RIGHT_PAREN = T.RIGHT_PAREN
T_SPACE = T.SPACE
T_STRING = T.STRING
T_TEMPLATE = T.TEMPLATE
T_TEXT = T.TEXT
T_VARIABLE = T.VARIABLE
T_WITH = T.WITH


KEYWORDS = {
    ".": T_DOT,
    "block": T_BLOCK,
    "break": T_BREAK,
    "continue": T_CONTINUE,
    "define": T_DEFINE,
    "else": T_ELSE,
    "end": T_END,
    "if": T_IF,
    "range": T_RANGE,
    "nil": T_NIL,
    "template": T_TEMPLATE,
    "with": T_WITH,
}


class Token(NamedTuple):
    """One lexical item: type, source text, offset in the template and 1-based line."""

    typ: T
    val: str
    pos: int
    line: int

    def __str__(self) -> str:
        # Go's item.String(), used verbatim in "unexpected X in Y" messages.
        if self.typ == T_EOF:
            return "EOF"
        if self.typ == T_ERROR:
            return self.val
        if self.typ >= T_BLOCK:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return _go_quote(self.val[:10]) + "..."
        return _go_quote(self.val)


#: Token(...) without the Python frame NamedTuple's constructor adds: the same tuple.
_new_token = tuple.__new__


def _go_quote(s: str) -> str:
    return quote(s)


def is_space(c: str) -> bool:
    return c in _SPACE and c != ""


def is_alnum(c: str) -> bool:
    """Go's isAlphaNumeric: underscore, Unicode letter or decimal digit."""
    if c == "":
        return False
    if c == "_" or ("a" <= c <= "z") or ("A" <= c <= "Z") or ("0" <= c <= "9"):
        return True
    if c < "\x80":
        return False
    return c.isalpha() or unicodedata.category(c) == "Nd"


def format_rune(c: str) -> str:
    """Go's %#U: U+002D '-'."""
    code = ord(c)
    text = f"U+{code:04X}"
    if c.isprintable():
        text += f" '{c}'"
    return text


def _has_left_trim(s: str, i: int) -> bool:
    return s.startswith("-", i) and i + 1 < len(s) and s[i + 1] in _SPACE


def _has_right_trim(s: str, i: int) -> bool:
    return i + 1 < len(s) and s[i] in _SPACE and s[i + 1] == "-"


#: A lexer state: a bound method returning the next state, or None at the end.
StateFn = Union[Callable[[], "StateFn"], None]


class _Lexer:
    """A hand-written state machine, after Go's lexer; emits every token up front."""

    def __init__(self, text: str, left: str = LEFT_DELIM, right: str = RIGHT_DELIM) -> None:
        self.text = text
        # Go's Delims: an empty delimiter means the default.
        self.left = left or LEFT_DELIM
        self.right = right or RIGHT_DELIM
        self.pos = 0
        self.start = 0
        self.line = 1
        self.start_line = 1
        self.paren_depth = 0
        self.tokens: list[Token] = []

    # -- helpers -------------------------------------------------------------

    def emit(self, typ: T) -> None:
        start = self.start
        pos = self.pos
        text = self.text
        self.tokens.append(_new_token(Token, (typ, text[start:pos], start, self.start_line)))
        # As ignore(), inline: every token comes here.
        self.line += text.count("\n", start, pos)
        self.start = pos
        self.start_line = self.line

    def ignore(self) -> None:
        self.line += self.text.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        c = self.peek()
        if c:
            self.pos += 1
        return c

    def accept(self, valid: str) -> bool:
        c = self.peek()
        if c and c in valid:
            self.pos += 1
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.accept(valid):
            pass

    def error(self, msg: str) -> StateFn:
        """Emit an ERROR token; lexing stops there (the parser reports it when reached)."""
        self.tokens.append(Token(T_ERROR, msg, self.start, self.start_line))
        return None

    def at_right_delim(self) -> tuple[bool, bool]:
        if _has_right_trim(self.text, self.pos) and self.text.startswith(self.right, self.pos + 2):
            return True, True
        if self.text.startswith(self.right, self.pos):
            return True, False
        return False, False

    def at_terminator(self) -> bool:
        c = self.peek()
        if c == "" or c in _SPACE or c in ".,|:)(":
            return True
        return self.text.startswith(self.right, self.pos)

    # -- states --------------------------------------------------------------

    def run(self) -> list[Token]:
        state: StateFn = self.lex_text
        while state is not None:
            state = state()
        return self.tokens

    def lex_text(self) -> StateFn:
        text = self.text
        x = text.find(self.left, self.pos)
        if x < 0:
            self.pos = len(text)
            if self.pos > self.start:
                self.emit(T_TEXT)
            self.emit(T_EOF)
            return None
        if x > self.start:
            trim = 0
            if _has_left_trim(text, x + len(self.left)):
                body = text[self.start : x]
                trim = len(body) - len(body.rstrip(_SPACE))
            self.pos = x - trim
            if self.pos > self.start:
                self.emit(T_TEXT)
            self.pos = x
            self.ignore()
        return self.lex_left_delim

    def lex_left_delim(self) -> StateFn:
        self.pos += len(self.left)
        trim = _has_left_trim(self.text, self.pos)
        after = 2 if trim else 0
        if self.text.startswith(LEFT_COMMENT, self.pos + after):
            self.pos += after
            self.ignore()
            return self.lex_comment
        self.emit(T_LEFT_DELIM)
        self.pos += after
        self.ignore()
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self) -> StateFn:
        self.pos += len(LEFT_COMMENT)
        x = self.text.find(RIGHT_COMMENT, self.pos)
        if x < 0:
            return self.error("unclosed comment")
        self.pos = x + len(RIGHT_COMMENT)
        delim, trim = self.at_right_delim()
        if not delim:
            return self.error("comment ends before closing delimiter")
        if trim:
            self.pos += 2
        self.pos += len(self.right)
        if trim:
            self._skip_leading_space()
        self.ignore()
        return self.lex_text

    def _skip_leading_space(self) -> None:
        text = self.text
        n = len(text)
        while self.pos < n and text[self.pos] in _SPACE:
            self.pos += 1

    def lex_right_delim(self) -> StateFn:
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += len(self.right)
        self.emit(T_RIGHT_DELIM)
        if trim:
            self._skip_leading_space()
            self.ignore()
        return self.lex_text

    def lex_inside_action(self) -> StateFn:
        text = self.text
        pos = self.pos
        if self.right == RIGHT_DELIM and self.start == pos and self.start_line == self.line:
            pos, in_text = self._lex_common_tokens(text, pos)
            self.pos = pos
            if in_text:
                return self.lex_text
        c = text[pos] if pos < len(text) else ""
        # A right delimiter starts with its own first character or a trim marker's space.
        if c == self.right[0] or (c in _SPACE and c != ""):
            delim, _ = self.at_right_delim()
            if delim:
                if self.paren_depth == 0:
                    return self.lex_right_delim
                return self.error("unclosed left paren")
        if c == "":
            return self.error("unclosed action")
        if c in _SPACE:
            return self.lex_space
        self.pos = pos + 1
        if c == "=":
            self.emit(T_ASSIGN)
        elif c == ":":
            if self.next() != "=":
                return self.error("expected :=")
            self.emit(T_DECLARE)
        elif c == "|":
            self.emit(T_PIPE)
        elif c == '"':
            return self.lex_quote
        elif c == "`":
            return self.lex_raw_quote
        elif c == "$":
            return self.lex_variable
        elif c == "'":
            return self.lex_char
        elif c == "." and not ("0" <= self.peek() <= "9" and self.peek() != ""):
            return self.lex_field
        elif c in "+-." or "0" <= c <= "9":
            self.pos -= 1
            return self.lex_number
        elif is_alnum(c):
            self.pos -= 1
            return self.lex_identifier
        elif c == "(":
            self.emit(T_LEFT_PAREN)
            self.paren_depth += 1
        elif c == ")":
            self.emit(T_RIGHT_PAREN)
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.error(f"unexpected right paren {format_rune(c)}")
        elif c < "\x80" and c.isprintable():
            self.emit(T_CHAR)
        else:
            return self.error(f"unrecognized character in action: {format_rune(c)}")
        return self.lex_inside_action

    def _lex_common_tokens(self, text: str, pos: int) -> tuple[int, bool]:
        """Emit the run of common tokens at ``pos`` (see ``_ACTION_TOKEN``): where it stops, and
        whether that is in text, after a right delimiter.

        A right delimiter followed by text and a plain left delimiter (no comment) is read here
        too, as lex_right_delim, lex_text and lex_left_delim would read them, and the run goes on
        in the next action.
        """
        tokens = self.tokens
        line = self.line
        match = _ACTION_TOKEN.match
        m = match(text, pos)
        while m is not None:
            kind = m.lastgroup
            end = m.end()
            val = text[pos:end]
            if kind == "right_delim":
                if self.paren_depth:
                    break  # an error: lex_inside_action says which
                tokens.append(_new_token(Token, (T_RIGHT_DELIM, val, pos, line)))
                pos = end
                left = text.find(LEFT_DELIM, pos) if self.left == LEFT_DELIM else -1
                trim = left >= 0 and _has_left_trim(text, left + 2)
                inside = left + 4 if trim else left + 2
                if left < 0 or text.startswith(LEFT_COMMENT, inside):
                    self.line = self.start_line = line
                    self.start = pos
                    return pos, True
                text_end = pos + len(text[pos:left].rstrip(_SPACE)) if trim else left
                if text_end > pos:
                    tokens.append(_new_token(Token, (T_TEXT, text[pos:text_end], pos, line)))
                line += text.count("\n", pos, left)
                tokens.append(_new_token(Token, (T_LEFT_DELIM, LEFT_DELIM, left, line)))
                line += text.count("\n", left, inside)
                pos = inside
                m = match(text, pos)
                continue
            if kind == "word":
                typ = KEYWORDS.get(val)
                if typ is None:
                    typ = T_BOOL if val in ("true", "false") else T_IDENTIFIER
            elif kind == "right_paren":
                if self.paren_depth == 0:
                    break  # an error: lex_inside_action says which
                self.paren_depth -= 1
                typ = T_RIGHT_PAREN
            else:
                typ = _COMMON_TYPES[kind]  # type: ignore[index]
                if typ is T_LEFT_PAREN:
                    self.paren_depth += 1
            tokens.append(_new_token(Token, (typ, val, pos, line)))
            if typ is T_SPACE or typ is T_RAW_STRING:
                line += val.count("\n")
            pos = end
            m = match(text, pos)
        self.line = self.start_line = line
        self.start = pos
        return pos, False

    def lex_space(self) -> StateFn:
        end = _SPACES.match(self.text, self.pos).end()  # type: ignore[union-attr]
        n = end - self.pos
        self.pos = end
        # A space may belong to a " -}}" trim marker: leave it for the delimiter.
        if _has_right_trim(self.text, self.pos - 1) and self.text.startswith(
            self.right, self.pos + 1
        ):
            self.pos -= 1
            if n == 1:
                return self.lex_right_delim
        self.emit(T_SPACE)
        return self.lex_inside_action

    def lex_identifier(self) -> StateFn:
        self._scan_word()
        word = self.text[self.start : self.pos]
        if not self.at_terminator():
            return self.error(f"bad character {format_rune(self.peek())}")
        typ = KEYWORDS.get(word)
        if typ is not None:
            self.emit(typ)
        elif word in ("true", "false"):
            self.emit(T_BOOL)
        else:
            self.emit(T_IDENTIFIER)
        return self.lex_inside_action

    def _scan_word(self) -> None:
        """Past the alphanumeric characters at pos."""
        self.pos = _ASCII_WORD.match(self.text, self.pos).end()  # type: ignore[union-attr]
        while is_alnum(self.peek()):
            self.pos += 1

    def lex_field(self) -> StateFn:
        return self._field_or_variable(T_FIELD)

    def lex_variable(self) -> StateFn:
        if self.at_terminator():
            self.emit(T_VARIABLE)  # just "$"
            return self.lex_inside_action
        return self._field_or_variable(T_VARIABLE)

    def _field_or_variable(self, typ: T) -> StateFn:
        if self.at_terminator():
            self.emit(T_VARIABLE if typ == T_VARIABLE else T_DOT)
            return self.lex_inside_action
        self._scan_word()
        if not self.at_terminator():
            return self.error(f"bad character {format_rune(self.peek())}")
        self.emit(typ)
        return self.lex_inside_action

    def lex_char(self) -> StateFn:
        return self._lex_escaped("'", T_CHAR_CONSTANT, "unterminated character constant")

    def lex_number(self) -> StateFn:
        if not self._scan_number():
            return self.error(f"bad number syntax: {_go_quote(self.text[self.start : self.pos])}")
        if self.peek() in ("+", "-"):
            # A complex constant such as 1+2i: no spaces, must end in 'i'.
            if not self._scan_number() or self.text[self.pos - 1] != "i":
                return self.error(
                    f"bad number syntax: {_go_quote(self.text[self.start : self.pos])}"
                )
            self.emit(T_COMPLEX)
        else:
            self.emit(T_NUMBER)
        return self.lex_inside_action

    def _scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if is_alnum(self.peek()):
            self.pos += 1
            return False
        return True

    def lex_quote(self) -> StateFn:
        return self._lex_escaped('"', T_STRING, "unterminated quoted string")

    def _lex_escaped(self, closing: str, token: T, unterminated: str) -> StateFn:
        """A backslash-escaped literal up to ``closing``; it may not span lines."""
        plain = _PLAIN_QUOTED.get(closing)
        while True:
            if plain is not None:
                self.pos = plain.match(self.text, self.pos).end()  # type: ignore[union-attr]
            c = self.next()
            if c == "\\":
                c = self.next()
                if c != "" and c != "\n":
                    continue
                return self.error(unterminated)
            if c == "" or c == "\n":
                return self.error(unterminated)
            if c == closing:
                break
        self.emit(token)
        return self.lex_inside_action

    def lex_raw_quote(self) -> StateFn:
        x = self.text.find("`", self.pos)
        if x < 0:
            return self.error("unterminated raw quoted string")
        self.pos = x + 1
        self.emit(T_RAW_STRING)
        return self.lex_inside_action


#: The token type of each group of ``_ACTION_TOKEN`` that needs no further look.
_COMMON_TYPES = {
    "space": T_SPACE,
    "field": T_FIELD,
    "variable": T_VARIABLE,
    "string": T_STRING,
    "raw": T_RAW_STRING,
    "pipe": T_PIPE,
    "left_paren": T_LEFT_PAREN,
    "declare": T_DECLARE,
    "assign": T_ASSIGN,
}


def lex(text: str, left: str = LEFT_DELIM, right: str = RIGHT_DELIM) -> list[Token]:
    """Tokenize a template; the list ends with an EOF or an ERROR token."""
    return _Lexer(text, left, right).run()
