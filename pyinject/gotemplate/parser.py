"""Tokens to parse trees: one Tree per template, define/block adding to a shared set."""

from __future__ import annotations

from typing import Callable, Container, NoReturn

from pyinject.gotemplate.errors import GoTemplateSyntaxError
from pyinject.golang.strconv import quote as _q
from pyinject.records import dataclass
from pyinject.gotemplate.lexer import (  # noqa: F401
    T_ASSIGN,
    T_BLOCK,
    T_BOOL,
    T_BREAK,
    T_CHAR,
    T_CHAR_CONSTANT,
    T_COMMENT,
    T_COMPLEX,
    T_CONTINUE,
    T_DECLARE,
    T_DEFINE,
    T_DOT,
    T_ELSE,
    T_END,
    T_EOF,
    T_ERROR,
    T_FIELD,
    T_IDENTIFIER,
    T_IF,
    T_LEFT_DELIM,
    T_LEFT_PAREN,
    T_NIL,
    T_NUMBER,
    T_PIPE,
    T_RANGE,
    T_RAW_STRING,
    T_RIGHT_DELIM,
    T_RIGHT_PAREN,
    T_SPACE,
    T_STRING,
    T_TEMPLATE,
    T_TEXT,
    T_VARIABLE,
    T_WITH,
    T,
    Token,
    lex,
)
from pyinject.gotemplate.nodes import (
    ActionNode,
    BoolNode,
    BreakNode,
    ChainNode,
    CommandNode,
    CommentNode,
    ContinueNode,
    DotNode,
    ElseNode,
    EndNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    StringNode,
    TemplateNode,
    TextNode,
    VariableNode,
    WithNode,
    is_empty_tree,
)
from pyinject.gotemplate.literals import new_number, unquote


@dataclass(eq=False)
class Tree:
    """One parsed template: its name, body and the text it came from (for positions)."""

    name: str
    parse_name: str
    root: ListNode
    text: str


# --------------------------------------------------------------------------
# The parser


class _Parser:
    def __init__(
        self,
        text: str,
        parse_name: str,
        has_function: Callable[[str], bool],
        trees: dict[str, Tree],
        delims: tuple[str, str] = ("", ""),
    ) -> None:
        self.text = text
        self.parse_name = parse_name
        self.has_function = has_function
        self.trees = trees
        self.tokens = lex(text, *delims)
        self.last = len(self.tokens) - 1
        self.i = 0
        self.vars: list[str] = ["$"]
        self.range_depth = 0
        self.action_line = 0

    # -- token stream ----------------------------------------------------------

    def next(self) -> Token:
        # Reading past the final EOF/ERROR token keeps returning it.
        i = self.i
        last = self.last
        tok = self.tokens[i if i < last else last]
        self.i = i + 1
        return tok

    def backup(self, n: int = 1) -> None:
        self.i -= n

    def peek(self) -> Token:
        i = self.i
        last = self.last
        return self.tokens[i if i < last else last]

    def next_non_space(self) -> Token:
        tok = self.peek_non_space()
        self.i += 1
        return tok

    def peek_non_space(self) -> Token:
        # Left at the next token other than a space (past the final EOF/ERROR, as next() reads).
        tokens = self.tokens
        last = self.last
        i = self.i
        space = T_SPACE
        while True:
            tok = tokens[i if i < last else last]
            if tok.typ != space:
                break
            i += 1
        self.i = i
        return tok

    # -- errors ----------------------------------------------------------------

    def errorf(self, msg: str, line: int | None = None) -> NoReturn:
        if line is None:
            line = self.tokens[min(max(self.i - 1, 0), self.last)].line
        raise GoTemplateSyntaxError(
            f"template: {self.parse_name}:{line}: {msg}", name=self.parse_name, line=line
        )

    def unexpected(self, tok: Token, context: str) -> NoReturn:
        if tok.typ == T_ERROR:
            extra = ""
            if self.action_line and self.action_line != tok.line:
                extra = f" in action started at {self.parse_name}:{self.action_line}"
                if context.endswith(" clause"):
                    extra = " " + context + extra
            self.errorf(f"{tok}{extra}", tok.line)
        self.errorf(f"unexpected {tok} in {context}", tok.line)

    def expect(self, typ: T, context: str) -> Token:
        tok = self.next_non_space()
        if tok.typ != typ:
            self.unexpected(tok, context)
        return tok

    def expect_one_of(self, types: Container[T], context: str) -> Token:
        tok = self.next_non_space()
        if tok.typ not in types:
            self.unexpected(tok, context)
        return tok

    # -- top level ---------------------------------------------------------------

    def parse(self, name: str) -> None:
        root = ListNode(self.peek().pos)
        while self.peek().typ != T_EOF:
            if self.peek().typ == T_LEFT_DELIM:
                start = self.i
                self.next()
                if self.next_non_space().typ == T_DEFINE:
                    self.parse_definition()
                    continue
                self.i = start
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                self.errorf(f"unexpected {node}")
            root.nodes.append(node)
        self.add(Tree(name, self.parse_name, root, self.text))

    def add(self, tree: Tree) -> None:
        existing = self.trees.get(tree.name)
        if existing is None or is_empty_tree(existing.root):
            self.trees[tree.name] = tree
            return
        if not is_empty_tree(tree.root):
            self.errorf(f"template: multiple definition of template {_q(tree.name)}")

    def parse_definition(self) -> None:
        context = "define clause"
        name_tok = self.expect_one_of((T_STRING, T_RAW_STRING), context)
        name = self._unquote(name_tok)
        self.expect(T_RIGHT_DELIM, context)
        saved_vars, self.vars = self.vars, ["$"]
        body, end = self.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.vars = saved_vars
        self.add(Tree(name, self.parse_name, body, self.text))

    def _unquote(self, tok: Token) -> str:
        try:
            return unquote(tok.val)
        except ValueError as err:
            self.errorf(str(err), tok.line)

    def item_list(self) -> tuple[ListNode, Node]:
        lst = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != T_EOF:
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                return lst, node
            lst.nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self) -> Node:
        tok = self.next_non_space()
        if tok.typ == T_TEXT:
            return TextNode(tok.pos, tok.val)
        if tok.typ == T_LEFT_DELIM:
            saved = self.action_line
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = saved
        if tok.typ == T_COMMENT:
            return CommentNode(tok.pos, tok.val)
        self.unexpected(tok, "input")

    def action(self) -> Node:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == T_BLOCK:
            return self.block_control()
        if typ == T_BREAK:
            return self.break_control(tok)
        if typ == T_CONTINUE:
            return self.continue_control(tok)
        if typ == T_ELSE:
            return self.else_control()
        if typ == T_END:
            return EndNode(self.expect(T_RIGHT_DELIM, "end").pos)
        if typ == T_IF:
            return IfNode(*self.parse_control(True, "if"))
        if typ == T_RANGE:
            return RangeNode(*self.parse_control(False, "range"))
        if typ == T_TEMPLATE:
            return self.template_control()
        if typ == T_WITH:
            return WithNode(*self.parse_control(False, "with"))
        self.backup()
        tok = self.peek()
        # Variables declared here stay in scope until the enclosing {{end}}.
        return ActionNode(tok.pos, tok.line, self.pipeline("command", T_RIGHT_DELIM))

    def break_control(self, tok: Token) -> Node:
        nxt = self.next_non_space()
        if nxt.typ != T_RIGHT_DELIM:
            self.unexpected(nxt, "{{break}}")
        if self.range_depth == 0:
            self.errorf("{{break}} outside {{range}}", tok.line)
        return BreakNode(tok.pos, tok.line)

    def continue_control(self, tok: Token) -> Node:
        nxt = self.next_non_space()
        if nxt.typ != T_RIGHT_DELIM:
            self.unexpected(nxt, "{{continue}}")
        if self.range_depth == 0:
            self.errorf("{{continue}} outside {{range}}", tok.line)
        return ContinueNode(tok.pos, tok.line)

    def else_control(self) -> Node:
        peek = self.peek_non_space()
        if peek.typ in (T_IF, T_WITH):
            # "{{else if ...": leave the keyword pending; parse_control reads it.
            return ElseNode(peek.pos, peek.line)
        tok = self.expect(T_RIGHT_DELIM, "else")
        return ElseNode(tok.pos, tok.line)

    def parse_control(
        self, allow_else_if: bool, context: str
    ) -> tuple[int, int, PipeNode, ListNode, ListNode | None]:
        mark = len(self.vars)
        pipe = self.pipeline(context, T_RIGHT_DELIM)
        if context == "range":
            self.range_depth += 1
        lst, nxt = self.item_list()
        if context == "range":
            self.range_depth -= 1
        else_list: ListNode | None = None
        if isinstance(nxt, ElseNode):
            chained = self.peek().typ
            if (allow_else_if and chained == T_IF) or (context == "with" and chained == T_WITH):
                # {{if a}}x{{else if b}}y{{end}} is {{if a}}x{{else}}{{if b}}y{{end}}{{end}}
                # with one {{end}} shared; Go 1.23 allows the same for "else with".
                self.next()
                else_list = ListNode(nxt.pos)
                if chained == T_IF:
                    else_list.nodes.append(IfNode(*self.parse_control(True, "if")))
                else:
                    else_list.nodes.append(WithNode(*self.parse_control(False, "with")))
            else:
                else_list, nxt = self.item_list()
                if not isinstance(nxt, EndNode):
                    self.errorf(f"expected end; found {nxt}")
        del self.vars[mark:]
        return pipe.pos, pipe.line, pipe, lst, else_list

    def block_control(self) -> Node:
        context = "block clause"
        tok = self.next_non_space()
        name = self.parse_template_name(tok, context)
        pipe = self.pipeline(context, T_RIGHT_DELIM)
        saved_vars, saved_depth = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        body, end = self.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.vars, self.range_depth = saved_vars, saved_depth
        self.add(Tree(name, self.parse_name, body, self.text))
        return TemplateNode(tok.pos, tok.line, name, pipe)

    def template_control(self) -> Node:
        context = "template clause"
        tok = self.next_non_space()
        name = self.parse_template_name(tok, context)
        pipe = None
        if self.next_non_space().typ != T_RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, T_RIGHT_DELIM)
        return TemplateNode(tok.pos, tok.line, name, pipe)

    def parse_template_name(self, tok: Token, context: str) -> str:
        if tok.typ in (T_STRING, T_RAW_STRING):
            return self._unquote(tok)
        self.unexpected(tok, context)

    # -- pipelines -------------------------------------------------------------

    def pipeline(self, context: str, end: T) -> PipeNode:
        tok = self.peek_non_space()
        pipe = PipeNode(tok.pos, tok.line)
        while True:  # declarations: "$x :=", "$x =", "$i, $v :="
            v = self.peek_non_space()
            if v.typ != T_VARIABLE:
                break
            start = self.i
            self.next_non_space()
            nxt = self.peek_non_space()
            if nxt.typ in (T_ASSIGN, T_DECLARE):
                pipe.is_assign = nxt.typ == T_ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                break
            if nxt.typ == T_CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (T_VARIABLE, T_RIGHT_DELIM, T_RIGHT_PAREN):
                        continue  # the second variable of a range
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            self.i = start
            break
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok.typ in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(tok, context)

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.typ == T_SPACE:
                continue
            if tok.typ in (T_RIGHT_DELIM, T_RIGHT_PAREN):
                self.backup()
            elif tok.typ == T_PIPE:
                pass
            else:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == T_FIELD:
            chain = ChainNode(self.peek().pos, node)
            while self.peek().typ == T_FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, FieldNode):
                return FieldNode(chain.pos, node.ident + chain.fields)
            if isinstance(node, VariableNode):
                return VariableNode(chain.pos, node.ident + chain.fields)
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                self.errorf(f"unexpected . after term {_q(str(node))}")
            return chain
        return node

    def term(self) -> Node | None:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == T_IDENTIFIER:
            if not self.has_function(tok.val):
                self.errorf(f"function {_q(tok.val)} not defined", tok.line)
            return IdentifierNode(tok.pos, tok.val)
        if typ == T_DOT:
            return DotNode(tok.pos)
        if typ == T_NIL:
            return NilNode(tok.pos)
        if typ == T_VARIABLE:
            return self.use_var(tok)
        if typ == T_FIELD:
            return FieldNode(tok.pos, tok.val[1:].split("."))
        if typ == T_BOOL:
            return BoolNode(tok.pos, tok.val == "true")
        if typ in (T_CHAR_CONSTANT, T_COMPLEX, T_NUMBER):
            try:
                return new_number(tok.pos, tok.val, typ)
            except ValueError as err:
                self.errorf(str(err), tok.line)
        if typ == T_LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", T_RIGHT_PAREN)
        if typ in (T_STRING, T_RAW_STRING):
            return StringNode(tok.pos, tok.val, self._unquote(tok))
        self.backup()
        return None

    def use_var(self, tok: Token) -> VariableNode:
        v = VariableNode(tok.pos, tok.val.split("."))
        if v.ident[0] not in self.vars:
            self.errorf(f"undefined variable {_q(v.ident[0])}", tok.line)
        return v


_OPERAND_START = frozenset(
    {
        T_BOOL, T_CHAR_CONSTANT, T_COMPLEX, T_DOT, T_FIELD, T_IDENTIFIER, T_NUMBER,
        T_NIL, T_RAW_STRING, T_STRING, T_VARIABLE, T_LEFT_PAREN,
    }
)


def parse(
    text: str, name: str, has_function: Callable[[str], bool], trees: dict[str, Tree] | None = None,
    delims: tuple[str, str] = ("", ""),
) -> dict[str, Tree]:
    """Parse `text` as template `name`; returns the tree set (name and its defines).

    ``delims`` are the action delimiters (Go's ``Template.Delims``; empty means ``{{`` / ``}}``).
    """
    if trees is None:
        trees = {}
    _Parser(text, name, has_function, trees, delims).parse(name)
    return trees
