"""GitHub Actions `${{ ... }}` expressions: where they are in a string, what they read, and
which of what they read can end up in their value.

`find_expressions(text)` finds each `${{ ... }}` and its span (offsets in `text`). The body is
parsed with a small tokenizer and recursive-descent parser following GitHub's grammar; the
result is cached by body text. An expression that does not parse falls back to regex
extraction (`Expression.parsed` is then False) and never raises.

Context paths are normalised: names GitHub defines are lower-cased (contexts are
case-insensitive: `GitHub.Event.Issue.Title` is `github.event.issue.title`; names the workflow
chooses, such as `secrets.MY_TOKEN` or `steps.Build.outputs.Tag`, keep their case),
`['name']` becomes `.name`, and `.*`, `[*]`, `[0]` and computed indexes `[expr]` become `.*`:
`github.event.commits[0]['message']` -> `github.event.commits.*.message`.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lazyre
from .records import Record

CONTEXT_NAMES = frozenset(
    ("github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix", "needs", "inputs")
)

# Functions whose result carries none of its arguments' text (booleans, hashes).
OPAQUE_FUNCTIONS = frozenset(
    ("contains", "startswith", "endswith", "hashfiles", "success", "always", "cancelled", "failure")
)
COMPARISONS = frozenset(("==", "!=", "<", "<=", ">", ">="))
KEYWORDS = {"null": None, "true": True, "false": False, "NaN": float("nan"), "Infinity": float("inf")}

_CONTEXT_PATH = lazyre.compile(
    r"(?<![\w.'\"])(github|env|vars|job|jobs|steps|runner|secrets|strategy|matrix|needs|inputs)"
    r"((?:\.[A-Za-z_][\w-]*|\.\*|\[\s*'[^']*'\s*\])*)",
    re.IGNORECASE,
)
_STRING = lazyre.compile(r"'(?:[^']|'')*'")
_QUOTED_INDEX = lazyre.compile(r"\[\s*'([^']*)'\s*\]")
_DYNAMIC_SECRETS = lazyre.compile(r"(?<![\w.])secrets\s*(?:\[\s*[^'\s]|\.\*|\)|$|[^.\[\w])", re.IGNORECASE)
# GitHub's lexer (actions/languageservices expressions/src/lexer.ts): a number or a name runs to
# the next boundary character, then must be a valid number (as JavaScript's Number() reads it)
# or identifier.
_BOUNDARY = frozenset("()[],.!><=&| \t\r\n")
_NUMBER = lazyre.compile(
    r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|Infinity)|0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+"
)
_IDENTIFIER = lazyre.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_TWO_CHAR_OPS = frozenset(("&&", "||", "==", "!=", "<=", ">="))
_ONE_CHAR_OPS = frozenset("<>!()[],*")


# --- syntax tree ---------------------------------------------------------------------------------


class Literal(Record):
    __slots__ = ("value",)

    def __init__(self, value: object):
        self.value = value  # str, float, int, bool or None


class Star(Record):
    """The `.*` / `[*]` object filter."""
    __slots__ = ()


class Context(Record):
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name  # lower-cased: github, secrets, ...


class Access(Record):
    __slots__ = ("target", "key")

    def __init__(self, target: object, key: object):
        self.target = target
        self.key = key  # Literal (name or index), Star, or any expression (computed index)


class Call(Record):
    __slots__ = ("name", "args")

    def __init__(self, name: str, args: tuple):
        self.name = name  # lower-cased
        self.args = args


class Not(Record):
    __slots__ = ("operand",)

    def __init__(self, operand: object):
        self.operand = operand


class Binary(Record):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: object, right: object):
        self.op = op
        self.left = left
        self.right = right


class ParseError(ValueError):
    """An expression that does not parse; `offset`/`length` locate the offending text in the
    body (None when unknown)."""

    def __init__(self, message: str, offset: int | None = None, length: int = 1):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.length = length


# --- tokenizer and parser ------------------------------------------------------------------------


def tokenize(body: str) -> list[tuple[str, str]]:
    """[(kind, text)] with kind one of string, number, name, op."""
    return [(kind, text) for kind, text, _ in _lex(body)]


def _lex(body: str) -> list[tuple[str, str, int]]:
    """[(kind, text, offset)], following GitHub's lexer. Raises ParseError at the bad text."""
    tokens: list[tuple[str, str, int]] = []
    pos, length = 0, len(body)
    while pos < length:
        char = body[pos]
        if char in " \t\r\n":
            pos += 1
            continue
        pair = body[pos : pos + 2]
        if pair in _TWO_CHAR_OPS:
            tokens.append(("op", pair, pos))
            pos += 2
            continue
        if char == "'":
            end = pos + 1
            while True:
                end = body.find("'", end)
                if end < 0:
                    raise ParseError("unterminated string: a quote ' is left open", pos, length - pos)
                if body[end + 1 : end + 2] == "'":
                    end += 2
                    continue
                break
            tokens.append(("string", body[pos : end + 1], pos))
            pos = end + 1
            continue
        previous = tokens[-1] if tokens else None
        is_dot = char == "." and previous is not None and (
            previous[0] == "name" or previous[1] in ("]", ")", "*")
        )
        if is_dot:
            tokens.append(("op", ".", pos))
            pos += 1
            continue
        if char in _ONE_CHAR_OPS:
            tokens.append(("op", char, pos))
            pos += 1
            continue
        end = pos + 1
        numeric = char.isdigit() or char in "-+."
        while end < length and (body[end] not in _BOUNDARY or (numeric and body[end] == ".")):
            end += 1
        text = body[pos:end]
        if numeric:
            if not _NUMBER.fullmatch(text):
                if char == "." or (char in "+-" and (len(text) == 1 or text[1] not in "0123456789.I")):
                    raise ParseError(f"unexpected {char!r}", pos, 1)  # `'a'.b`, `a + b`, `a - b`
                raise ParseError(f"{text!r} is not a number", pos, end - pos)
            tokens.append(("number", text, pos))
        elif _IDENTIFIER.fullmatch(text):
            tokens.append(("name", text, pos))
        else:
            raise ParseError(f"unexpected {text!r}", pos, end - pos)
        pos = end
    return tokens


class _Parser:
    """Recursive descent over GitHub's grammar. Records where each node is in the body:
    `spans[id(node)] = (start, end)`, and for an Access the key's span (`keys`), for a Call its
    name's (`keys`)."""

    def __init__(self, tokens: list[tuple[str, str, int]], length: int):
        self.tokens = tokens
        self.pos = 0
        self.length = length
        self.end = 0  # offset just after the last token taken
        self.spans: dict[int, tuple[int, int]] = {}
        self.keys: dict[int, tuple[int, int]] = {}

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def advance(self) -> tuple[str, str, int]:
        token = self.tokens[self.pos]
        self.pos += 1
        self.end = token[2] + len(token[1])
        return token

    def take(self, *ops: str) -> str | None:
        """Consume the next token when it is one of these operators."""
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in ops:
            self.advance()
            return token[1]
        return None

    def fail(self, what: str) -> ParseError:
        token = self.peek()
        if token is None:
            return ParseError(f"unexpected end of expression, expected {what}", self.length, 0)
        return ParseError(f"unexpected {token[1]!r}, expected {what}", token[2], len(token[1]))

    def expect(self, op: str) -> None:
        if self.take(op) is None:
            raise self.fail(repr(op))

    def node(self, node, start: int):
        self.spans[id(node)] = (start, self.end)
        return node

    def parse(self):
        node = self.or_()
        token = self.peek()
        if token is not None:
            raise ParseError(f"unexpected {token[1]!r} after the end of the expression", token[2], len(token[1]))
        return node

    def binary(self, operand, ops: tuple[str, ...]):
        token = self.peek()
        start = token[2] if token else self.length
        node = operand()
        while True:
            op = self.take(*ops)
            if op is None:
                return node
            node = self.node(Binary(op, node, operand()), start)

    def or_(self):
        return self.binary(self.and_, ("||",))

    def and_(self):
        return self.binary(self.equality, ("&&",))

    def equality(self):
        return self.binary(self.comparison, ("==", "!="))

    def comparison(self):
        return self.binary(self.unary, ("<", "<=", ">", ">="))

    def unary(self):
        token = self.peek()
        if self.take("!"):
            return self.node(Not(self.unary()), token[2])
        return self.postfix()

    def postfix(self):
        token = self.peek()
        node = self.primary()
        if isinstance(node, Literal) and token[1] != "(":
            return node  # GitHub indexes only named values, calls and parenthesised expressions
        start = token[2]
        while True:
            if self.take("."):
                key_token = self.peek()
                key = self.property_name()
                node = self.node(Access(node, key), start)
                self.keys[id(node)] = (key_token[2], self.end)
            elif self.take("["):
                key_token = self.peek()
                key = Star() if self.take("*") else self.or_()
                key_span = (key_token[2], self.end) if key_token is not None else (self.length, self.length)
                self.expect("]")
                node = self.node(Access(node, key), start)
                self.keys[id(node)] = key_span
            else:
                return node

    def property_name(self):
        if self.take("*"):
            return Star()
        token = self.peek()
        if token is None or token[0] != "name":
            raise self.fail("a property name after '.'")
        self.advance()
        return Literal(token[1])

    def primary(self):
        token = self.peek()
        if token is None:
            raise self.fail("a value")
        kind, text, start = self.advance()
        if kind == "string":
            return self.node(Literal(text[1:-1].replace("''", "'")), start)
        if kind == "number":
            return self.node(Literal(_number(text)), start)
        if kind == "name":
            if self.take("("):
                call = Call(text.lower(), self.arguments())
                self.keys[id(call)] = (start, start + len(text))
                return self.node(call, start)
            if text in KEYWORDS:
                return self.node(Literal(KEYWORDS[text]), start)
            return self.node(Context(text.lower()), start)
        if text == "(":
            node = self.or_()
            self.expect(")")
            return node
        self.pos -= 1
        raise self.fail("a value")

    def arguments(self) -> tuple:
        args = []
        if self.take(")"):
            return ()
        while True:
            args.append(self.or_())
            if self.take(")"):
                return tuple(args)
            if self.take(",") is None:
                raise self.fail("',' or ')'")


def _number(text: str):
    digits = text.lstrip("-+")
    sign = -1 if text.startswith("-") else 1
    prefix = digits[:2].lower()
    if prefix in ("0x", "0b", "0o"):
        return sign * int(digits, {"0x": 16, "0b": 2, "0o": 8}[prefix])
    if digits.isdigit():
        return sign * int(digits)
    return sign * float(digits if digits != "Infinity" else "inf")


def parse(body: str):
    """The syntax tree of an expression body (without `${{ }}`). Raises ParseError."""
    try:
        return _Parser(_lex(body), len(body)).parse()
    except RecursionError:
        raise ParseError("expression nested too deeply") from None


class Parsed:
    """An expression body parsed with positions: `tree` (None when it does not parse), `error`
    (the ParseError, or None), `span(node)` and `key_span(node)` as (start, end) offsets in the
    body (the key of an Access, the name of a Call)."""

    __slots__ = ("tree", "error", "_spans", "_keys")

    def __init__(self, tree, error, spans: dict, keys: dict):
        self.tree, self.error, self._spans, self._keys = tree, error, spans, keys

    def span(self, node) -> tuple[int, int] | None:
        return self._spans.get(id(node))

    def key_span(self, node) -> tuple[int, int] | None:
        return self._keys.get(id(node))


@lru_cache(maxsize=16384)
def located(body: str) -> Parsed:
    """`body` parsed once with node positions (cached by text). Never raises."""
    try:
        parser = _Parser(_lex(body), len(body))
        tree = parser.parse()
    except ParseError as error:
        return Parsed(None, error, {}, {})
    except RecursionError:
        return Parsed(None, ParseError("expression nested too deeply"), {}, {})
    return Parsed(tree, None, parser.spans, parser.keys)


# --- analysis ------------------------------------------------------------------------------------


def path_of(node) -> str | None:
    """The normalised context path of a pure access chain (`github.event.issue.title`), or None."""
    segments = _segments(node)
    return ".".join(normalise_segments(segments)) if segments is not None else None


# Names that GitHub defines (and reads case-insensitively) inside contexts whose other keys are
# names the workflow chooses: `steps.<id>.outputs.<name>`, `needs.<id>.result`.
_KEYWORD_POSITIONS = {"steps": 2, "needs": 2, "jobs": 2}
# Under `github`, everything is GitHub's schema except what the sender of the event chooses.
_FREE_KEYS = (("event", "inputs"), ("event", "client_payload"))


def normalise_segments(segments: list[str]) -> list[str]:
    """Context paths are case-insensitive (`GitHub.Event.Issue.Title` is `github.event.issue.title`):
    lower-case every name GitHub defines, and keep the case of names the workflow chooses (secret,
    env, input, matrix, step, job and output names, `github.event.inputs.<name>`, and the keys of a
    `repository_dispatch` payload), which every look-up of them compares case-insensitively."""
    if not segments:
        return segments
    head = segments[0].lower()
    if head in ("github", "runner", "strategy", "job"):
        out = [head]
        for index in range(1, len(segments)):
            if head == "github" and tuple(out[1:3]) in _FREE_KEYS and index >= 3:
                out.extend(segments[index:])
                break
            out.append(segments[index].lower())
        return out
    position = _KEYWORD_POSITIONS.get(head)
    if position is not None and len(segments) > position:
        return [head, *segments[1:position], segments[position].lower(), *segments[position + 1 :]]
    return [head, *segments[1:]]


def _segments(node) -> list[str] | None:
    if isinstance(node, Context):
        return [node.name] if node.name in CONTEXT_NAMES else None
    if isinstance(node, Access):
        base = _segments(node.target)
        if base is None:
            return None
        key = node.key
        if isinstance(key, Literal) and isinstance(key.value, str):
            return base + [key.value]
        return base + ["*"]
    return None


def _children(node) -> tuple:
    if isinstance(node, Access):
        return (node.target, node.key)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return ()


def _computed_keys(node) -> list:
    """The index expressions of an access chain that are not literal names."""
    keys = []
    while isinstance(node, Access):
        if not isinstance(node.key, (Literal, Star)):
            keys.append(node.key)
        node = node.target
    return keys


def _reads(node, out: list[str]) -> None:
    path = path_of(node)
    if path is not None:
        out.append(path)
        for key in _computed_keys(node):
            _reads(key, out)
        return
    for child in _children(node):
        _reads(child, out)


def _flowing_arguments(call: Call) -> tuple:
    """The arguments of a call whose text can be part of its result."""
    if call.name in OPAQUE_FUNCTIONS:
        return ()
    if call.name == "case":  # case(pred1, value1, pred2, value2, ..., default)
        return tuple(arg for index, arg in enumerate(call.args) if index % 2 == 1 or index == len(call.args) - 1)
    return call.args  # format, join, toJSON, fromJSON and unknown functions


def _flows(node, out: list[str]) -> None:
    path = path_of(node)
    if path is not None:
        out.append(path)
    elif isinstance(node, Access):
        _flows(node.target, out)
    elif isinstance(node, Call):
        for arg in _flowing_arguments(node):
            _flows(arg, out)
    elif isinstance(node, Binary) and node.op not in COMPARISONS:
        if node.op == "||":
            _flows(node.left, out)
        _flows(node.right, out)  # `a && b` is b, or a falsy (empty) a


def _has_dynamic_secrets(node) -> bool:
    path = path_of(node)
    if path is None:
        return any(_has_dynamic_secrets(child) for child in _children(node))
    if path == "secrets" or path.startswith("secrets.*"):
        return True  # the whole context (toJSON(secrets)) or a computed name (secrets[expr])
    return any(_has_dynamic_secrets(key) for key in _computed_keys(node))


def _functions(node, out: list[str]) -> None:
    if isinstance(node, Call):
        out.append(node.name)
    for child in _children(node):
        _functions(child, out)


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


class Analysis(Record):
    __slots__ = ("parsed", "tree", "contexts", "flowing", "dynamic_secrets", "functions")

    def __init__(
        self,
        parsed: bool,
        tree: object,
        contexts: tuple[str, ...],
        flowing: tuple[str, ...],
        dynamic_secrets: bool,
        functions: tuple[str, ...],
    ):
        self.parsed = parsed
        self.tree = tree  # None when the body did not parse
        self.contexts = contexts
        self.flowing = flowing
        self.dynamic_secrets = dynamic_secrets
        self.functions = functions


@lru_cache(maxsize=16384)
def analyse(body: str) -> Analysis:
    """What an expression body reads, cached by body text. Never raises."""
    tree = located(body).tree
    if tree is None:
        return _fallback(body)
    try:
        reads, flowing, functions = [], [], []
        _reads(tree, reads)
        _flows(tree, flowing)
        _functions(tree, functions)
        dynamic = _has_dynamic_secrets(tree)
    except RecursionError:
        return _fallback(body)
    return Analysis(True, tree, _unique(reads), _unique(flowing), dynamic, _unique(functions))


def _fallback(body: str) -> Analysis:
    """Regex extraction for bodies that do not parse: every context read is taken as flowing."""
    stripped = _STRING.sub("''", body)
    paths = []
    for match in _CONTEXT_PATH.finditer(stripped):
        tail = _QUOTED_INDEX.sub(r".\1", match.group(2))
        paths.append(".".join(normalise_segments((match.group(1) + tail).split("."))))
    paths = _unique(paths)
    dynamic = bool(_DYNAMIC_SECRETS.search(stripped))
    return Analysis(False, None, paths, paths, dynamic, ())


# --- expressions in a string ---------------------------------------------------------------------


class Expression(Record):
    __slots__ = ("start", "end", "body")

    def __init__(self, start: int, end: int, body: str):
        self.start = start  # offset of "${{" in the containing string
        self.end = end  # offset just after "}}"
        self.body = body  # the text between the braces, stripped

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def analysis(self) -> Analysis:
        return analyse(self.body)

    @property
    def parsed(self) -> bool:
        """False when the body is not a valid expression (the regex fallback was used)."""
        return self.analysis.parsed

    @property
    def tree(self):
        """The syntax tree (Literal, Context, Access, Call, Not, Binary, Star), or None."""
        return self.analysis.tree

    def contexts(self) -> list[str]:
        """Context paths the expression reads, e.g. ['secrets.TOKEN', 'github.event.issue.title']."""
        return list(self.analysis.contexts)

    def flowing_contexts(self) -> list[str]:
        """Context paths whose text can be part of the expression's value.

        `contains(github.event.issue.title, 'x')` reads the title but yields a boolean: [].
        `format('{0}', x)`, `a || b`, `toJSON(x)`, `fromJSON(x).y`, `join(x)`: x flows.
        `a && b`: only b flows. Comparisons and `!` yield booleans."""
        return list(self.analysis.flowing)

    def dynamic_secret_access(self) -> bool:
        """Does it read secrets by a computed name (`secrets[inputs.name]`) or whole (`toJSON(secrets)`)?"""
        return self.analysis.dynamic_secrets

    def functions(self) -> list[str]:
        """Lower-cased names of the functions called, e.g. ['format', 'tojson']."""
        return list(self.analysis.functions)

    def secret_names(self) -> list[str]:
        """Names of the secrets read (`*` for dynamic indexing or the whole context)."""
        names = []
        for path in self.analysis.contexts:
            if path == "secrets" or path.startswith("secrets."):
                names.append(path.split(".", 2)[1] if "." in path else "*")
        return names


def find_expressions(text: str) -> list[Expression]:
    """Each `${{ ... }}` in text, in order. An unterminated `${{` ends the search."""
    found = []
    pos = text.find("${{")
    while pos >= 0:
        end = _closing(text, pos + 3)
        if end < 0:
            break
        found.append(Expression(pos, end + 2, text[pos + 3 : end].strip()))
        pos = text.find("${{", end + 2)
    return found


def _closing(text: str, pos: int) -> int:
    """Offset of the `}}` that closes an expression, skipping single-quoted strings.

    When a quote is left open (an invalid expression), the first `}}` is taken instead."""
    in_string = False
    length = len(text)
    scan = pos
    while scan < length - 1:
        char = text[scan]
        if char == "'":
            in_string = not in_string
        elif not in_string and char == "}" and text[scan + 1] == "}":
            return scan
        scan += 1
    return text.find("}}", pos)


def reads_secret(text: str) -> bool:
    return "secrets" in text.lower() and any(expr.secret_names() for expr in find_expressions(text))


def secret_names(text: str) -> list[str]:
    if "secrets" not in text.lower():
        return []
    return [name for expr in find_expressions(text) for name in expr.secret_names()]


def call_spans(text: str, start: int, end: int, name: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each call of function `name` (case-insensitive) in
    `text[start:end]`, in textual order, which is the pre-order of the calls in the syntax tree.
    Quoted strings are skipped; an unclosed call ends at `end`."""
    lowered, target = text.lower(), name.lower()
    found, i, quoted = [], start, False
    while i < end:
        char = text[i]
        if char == "'":
            quoted = not quoted
        elif not quoted and lowered.startswith(target, i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_.")):
            j = i + len(target)
            while j < end and text[j] in " \t\r\n":
                j += 1
            if j < end and text[j] == "(":
                found.append((i, _call_close(text, j, end)))
        i += 1
    return found


def _call_close(text: str, pos: int, end: int) -> int:
    depth, quoted = 0, False
    for i in range(pos, end):
        char = text[i]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return end
