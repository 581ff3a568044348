"""Parse-tree nodes, and the values of the literals they hold.

Each node carries its offset in the template text for error positions.

``str(node)`` renders the node back to template syntax, as Go does in its
``executing "t" at <...>`` error context.

The classes are records (:mod:`pyinject.records`) that write their own
``__init__``: parsing Istio's templates makes some seven thousand nodes, and a
generic ``__init__`` costs five times a written one.  An omitted list field
gets a fresh empty list, as ``field(default_factory=list)`` gives.
"""

from __future__ import annotations

from typing import Any

from pyinject.golang.strconv import quote
from pyinject.records import dataclass, field


@dataclass(slots=True, eq=False)
class Node:
    """Base of all nodes: ``pos`` is the character offset in the template text."""

    pos: int

    def __init__(self, pos: int) -> None:
        self.pos = pos


@dataclass(slots=True, eq=False)
class ListNode(Node):
    nodes: list[Node] = field(default_factory=list)

    def __init__(self, pos: int, nodes: list[Node] | None = None) -> None:
        self.pos = pos
        self.nodes = [] if nodes is None else nodes

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass(slots=True, eq=False)
class TextNode(Node):
    text: str = ""

    def __init__(self, pos: int, text: str = "") -> None:
        self.pos = pos
        self.text = text

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True, eq=False)
class CommentNode(Node):
    text: str = ""

    def __init__(self, pos: int, text: str = "") -> None:
        self.pos = pos
        self.text = text

    def __str__(self) -> str:
        return "{{" + self.text + "}}"


@dataclass(slots=True, eq=False)
class IdentifierNode(Node):
    """A function name."""

    ident: str = ""

    def __init__(self, pos: int, ident: str = "") -> None:
        self.pos = pos
        self.ident = ident

    def __str__(self) -> str:
        return self.ident


@dataclass(slots=True, eq=False)
class VariableNode(Node):
    """``$x`` or ``$x.Field.Other``: ident[0] is the variable name."""

    ident: list[str] = field(default_factory=list)

    def __init__(self, pos: int, ident: list[str] | None = None) -> None:
        self.pos = pos
        self.ident = [] if ident is None else ident

    def __str__(self) -> str:
        return ".".join(self.ident)


@dataclass(slots=True, eq=False, init=False)
class DotNode(Node):
    def __str__(self) -> str:
        return "."


@dataclass(slots=True, eq=False, init=False)
class NilNode(Node):
    def __str__(self) -> str:
        return "nil"


@dataclass(slots=True, eq=False)
class FieldNode(Node):
    """``.A.B``: ident is ["A", "B"]."""

    ident: list[str] = field(default_factory=list)

    def __init__(self, pos: int, ident: list[str] | None = None) -> None:
        self.pos = pos
        self.ident = [] if ident is None else ident

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


@dataclass(slots=True, eq=False)
class ChainNode(Node):
    """``(pipeline).A.B``: a term followed by field accesses."""

    node: Node | None = None
    fields: list[str] = field(default_factory=list)

    def __init__(self, pos: int, node: Node | None = None, fields: list[str] | None = None) -> None:
        self.pos = pos
        self.node = node
        self.fields = [] if fields is None else fields

    def __str__(self) -> str:
        inner = str(self.node)
        if isinstance(self.node, PipeNode):
            inner = "(" + inner + ")"
        return inner + "".join("." + f for f in self.fields)


@dataclass(slots=True, eq=False)
class BoolNode(Node):
    value: bool = False

    def __init__(self, pos: int, value: bool = False) -> None:
        self.pos = pos
        self.value = value

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(slots=True, eq=False)
class NumberNode(Node):
    """A numeric constant and every Go type it can stand for."""

    text: str = ""
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    is_complex: bool = False
    int_value: int = 0
    uint_value: int = 0
    float_value: float = 0.0
    complex_value: complex = 0j
    #: The value where no parameter type decides (Go's idealConstant), computed
    #: once at parse time; ``ideal_error`` is set instead when it overflows int.
    ideal: Any = None
    ideal_error: str = ""

    def __init__(self, pos: int, text: str = "", is_int: bool = False, is_uint: bool = False,
                 is_float: bool = False, is_complex: bool = False, int_value: int = 0, uint_value: int = 0,
                 float_value: float = 0.0, complex_value: complex = 0j, ideal: Any = None,
                 ideal_error: str = "") -> None:
        self.pos = pos
        self.text = text
        self.is_int = is_int
        self.is_uint = is_uint
        self.is_float = is_float
        self.is_complex = is_complex
        self.int_value = int_value
        self.uint_value = uint_value
        self.float_value = float_value
        self.complex_value = complex_value
        self.ideal = ideal
        self.ideal_error = ideal_error

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True, eq=False)
class StringNode(Node):
    quoted: str = ""
    text: str = ""

    def __init__(self, pos: int, quoted: str = "", text: str = "") -> None:
        self.pos = pos
        self.quoted = quoted
        self.text = text

    def __str__(self) -> str:
        return self.quoted


@dataclass(slots=True, eq=False)
class CommandNode(Node):
    args: list[Node] = field(default_factory=list)

    def __init__(self, pos: int, args: list[Node] | None = None) -> None:
        self.pos = pos
        self.args = [] if args is None else args

    def __str__(self) -> str:
        parts = []
        for arg in self.args:
            text = str(arg)
            parts.append("(" + text + ")" if isinstance(arg, PipeNode) else text)
        return " ".join(parts)


@dataclass(slots=True, eq=False)
class PipeNode(Node):
    line: int = 0
    is_assign: bool = False
    decl: list[VariableNode] = field(default_factory=list)
    cmds: list[CommandNode] = field(default_factory=list)

    def __init__(self, pos: int, line: int = 0, is_assign: bool = False, decl: list[VariableNode] | None = None,
                 cmds: list[CommandNode] | None = None) -> None:
        self.pos = pos
        self.line = line
        self.is_assign = is_assign
        self.decl = [] if decl is None else decl
        self.cmds = [] if cmds is None else cmds

    def __str__(self) -> str:
        text = ""
        if self.decl:
            # Go writes ":=" for assignments too; error contexts show it that way.
            text = ", ".join(str(v) for v in self.decl) + " := "
        return text + " | ".join(str(c) for c in self.cmds)


@dataclass(slots=True, eq=False)
class ActionNode(Node):
    line: int = 0
    pipe: PipeNode | None = None

    def __init__(self, pos: int, line: int = 0, pipe: PipeNode | None = None) -> None:
        self.pos = pos
        self.line = line
        self.pipe = pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(slots=True, eq=False)
class BranchNode(Node):
    """Shared shape of if / range / with."""

    line: int = 0
    pipe: PipeNode | None = None
    list: ListNode | None = None
    else_list: ListNode | None = None
    keyword = ""

    def __init__(self, pos: int, line: int = 0, pipe: PipeNode | None = None, list: ListNode | None = None,
                 else_list: ListNode | None = None) -> None:
        self.pos = pos
        self.line = line
        self.pipe = pipe
        self.list = list
        self.else_list = else_list

    def __str__(self) -> str:
        text = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            text += "{{else}}" + str(self.else_list)
        return text + "{{end}}"


@dataclass(slots=True, eq=False, init=False)
class IfNode(BranchNode):
    keyword = "if"


@dataclass(slots=True, eq=False, init=False)
class RangeNode(BranchNode):
    keyword = "range"


@dataclass(slots=True, eq=False, init=False)
class WithNode(BranchNode):
    keyword = "with"


@dataclass(slots=True, eq=False)
class BreakNode(Node):
    line: int = 0

    def __init__(self, pos: int, line: int = 0) -> None:
        self.pos = pos
        self.line = line

    def __str__(self) -> str:
        return "{{break}}"


@dataclass(slots=True, eq=False)
class ContinueNode(Node):
    line: int = 0

    def __init__(self, pos: int, line: int = 0) -> None:
        self.pos = pos
        self.line = line

    def __str__(self) -> str:
        return "{{continue}}"


@dataclass(slots=True, eq=False)
class TemplateNode(Node):
    line: int = 0
    name: str = ""
    pipe: PipeNode | None = None

    def __init__(self, pos: int, line: int = 0, name: str = "", pipe: PipeNode | None = None) -> None:
        self.pos = pos
        self.line = line
        self.name = name
        self.pipe = pipe

    def __str__(self) -> str:
        if self.pipe is None:
            return "{{template " + quote(self.name) + "}}"
        return "{{template " + quote(self.name) + " " + str(self.pipe) + "}}"


@dataclass(slots=True, eq=False, init=False)
class EndNode(Node):
    """Parser-internal: an {{end}}; never part of a finished tree."""

    def __str__(self) -> str:
        return "{{end}}"


@dataclass(slots=True, eq=False)
class ElseNode(Node):
    """Parser-internal: an {{else}}; never part of a finished tree."""

    line: int = 0

    def __init__(self, pos: int, line: int = 0) -> None:
        self.pos = pos
        self.line = line

    def __str__(self) -> str:
        return "{{else}}"


def is_empty_tree(node: Node | None) -> bool:
    """Go's IsEmptyTree: only whitespace text and comments, so a later define may replace it."""
    if node is None:
        return True
    if isinstance(node, ListNode):
        return all(is_empty_tree(n) for n in node.nodes)
    if isinstance(node, TextNode):
        return node.text.strip(" \t\n\r\v\f\x85\xa0") == ""
    if isinstance(node, CommentNode):
        return True
    return False
