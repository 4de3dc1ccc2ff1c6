"""A position-keeping node tree: YAML through `yaml.compose` (libyaml when present), JSON
through a small scanner; both give the same Scalar / Seq / Map nodes.

Composition stops before construction, so `on:` stays the string "on", every node keeps its
character offsets, and nothing is instantiated from tags. An alias is the same node object as
its anchor: each composed node is converted once, so a finding reached through an alias has one
span, at the anchor. A document whose aliases expand past MAX_ALIAS_EXPANSION nodes (billion
laughs) or refer to themselves is a ParseError, so no rule can blow up following them.

Positions: nodes keep character offsets; `Positions` turns them into 1-based lines and columns
counted in code points, with LF, CRLF and a lone CR as line breaks (U+2028 and NEL are not,
as in editors and on GitHub). Parse errors are placed the same way, from the parser's offset.
"""
from __future__ import annotations

import bisect
import functools
import gc

import yaml

from . import lazyre
from .rule import Span

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MERGE_TAG = "tag:yaml.org,2002:merge"


_INT = lazyre.compile(r"[-+]?(0|[1-9][0-9]*)$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


class Node:
    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int):
        self.start = start  # character offsets into the document text
        self.end = end


class Scalar(Node):
    __slots__ = ("value", "style")

    def __init__(self, value: str, style: str | None, start: int, end: int):
        self.start = start
        self.end = end
        self.value = value
        self.style = style  # None (plain), "'", '"', "|" or ">"

    @property
    def plain(self) -> bool:
        return self.style is None

    def as_bool(self) -> bool | None:
        """The YAML 1.2 core boolean (`on`/`yes` are strings), or None."""
        if self.style is None:
            if self.value in _TRUE:
                return True
            if self.value in _FALSE:
                return False
        return None

    def as_int(self) -> int | None:
        if self.style is None and _INT.match(self.value):
            return int(self.value)
        return None

    def as_number(self) -> float | None:
        if self.style is None:
            try:
                return float(self.value)
            except ValueError:
                return None
        return None

    @property
    def is_null(self) -> bool:
        return self.style is None and self.value in _NULLS

    def __repr__(self):
        return f"Scalar({self.value!r})"


class Seq(Node):
    __slots__ = ("items",)

    def __init__(self, items: list, start: int, end: int):
        super().__init__(start, end)
        self.items = items

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


class Map(Node):
    __slots__ = ("pairs", "_index")

    def __init__(self, pairs: list, start: int, end: int):
        super().__init__(start, end)
        self.pairs = pairs  # [(key node, value node)], merged keys after explicit ones
        self._index = None

    def _lookup(self) -> dict:
        if self._index is None:
            index = {}
            for key, value in self.pairs:
                if isinstance(key, Scalar):
                    index.setdefault(key.value, (key, value))
            self._index = index
        return self._index

    def get(self, name: str, default=None):
        pair = (self._index or self._lookup()).get(name)
        return pair[1] if pair else default

    def key(self, name: str):
        pair = self._lookup().get(name)
        return pair[0] if pair else None

    def item(self, name: str):
        """(key node, value node) or (None, None)."""
        return self._lookup().get(name, (None, None))

    def __contains__(self, name: str) -> bool:
        return name in self._lookup()

    def items(self):
        """(key string, key node, value node) for scalar keys."""
        return [(key.value, key, value) for key, value in self.pairs if isinstance(key, Scalar)]

    def __len__(self):
        return len(self.pairs)


class DuplicateKey:
    """A key that repeats an earlier key of the same mapping."""

    def __init__(self, key: Scalar, first: Scalar):
        self.key = key
        self.first = first


def line_starts(text: str) -> list[int]:
    """Offsets at which lines start. A line ends at LF, CRLF or a lone CR (as in YAML)."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return [0, *(match.end() for match in _BREAK.finditer(text))]
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def split_lines(text: str) -> list[str]:
    """The lines of `text` without their line breaks (LF, CRLF or a lone CR)."""
    if "\r" not in text:
        return text.split("\n")
    return _BREAK.split(text)


_BREAK = lazyre.compile(r"\r\n|\r|\n")


class Positions:
    """Line and column (1-based, columns in code points) of character offsets in a text."""

    def __init__(self, text: str):
        self.text = text
        self._line_starts = None

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = line_starts(self.text)
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        starts = self.line_starts
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def point(self, offset: int) -> Span:
        """A one-character span at `offset` (a parse error's caret)."""
        offset = max(0, min(offset, len(self.text)))
        line, col = self.line_col(offset)
        return Span(line, col, line, col + 1, offset, offset + 1)

    def span(self, start: int, end: int) -> Span:
        """A span from offsets, with trailing white space and line breaks trimmed."""
        text = self.text
        while end > start + 1 and text[end - 1] in " \t\r\n":
            end -= 1
        end = max(end, start + 1) if start < len(text) else start
        start_line, start_col = self.line_col(start)
        end_line, end_col = self.line_col(end)
        if end_col == 1 and end_line > start_line:  # ends just after a line break
            end_line -= 1
            end_col = end - 1 - self.line_starts[end_line - 1] + 1
        return Span(start_line, start_col, end_line, end_col, start, end)


class Composed(Positions):
    """A parsed text: the root node, the duplicate keys found, and position helpers."""

    def __init__(self, text: str, root: Node | None, duplicates: list[DuplicateKey]):
        super().__init__(text)
        self.root = root
        self.duplicates = duplicates
        self.merge_keys: list[Scalar] = []  # the `<<` keys merged away (GitHub does not merge them)

    def node_span(self, node: Node) -> Span:
        return self.span(node.start, node.end)

    def values(self) -> list[tuple[Scalar, str | None]]:
        """Every scalar that is a value (not a mapping key), once, in document order, with the
        key it is the value of (None in a list or at the root). Built once per document."""
        cached = self.__dict__.get("_values")
        if cached is None:
            cached = self.__dict__["_values"] = _values(self.root)
        return cached

    def locate(self, scalar: Scalar, offset: int, length: int) -> Span:
        """The span of `scalar.value[offset:offset+length]` in the source text.

        Found by searching the scalar's source for the same text (the k-th occurrence for the
        k-th in the value); when quoting or folding hides it, the scalar's own span."""
        fragment = scalar.value[offset : offset + length]
        first_line = fragment.split("\n", 1)[0]
        if not first_line:
            return self.node_span(scalar)
        occurrence = _count(scalar.value, first_line, offset)
        source = self.text[scalar.start : scalar.end]
        pos = _nth(source, first_line, occurrence)
        if pos < 0:
            return self.node_span(scalar)
        start = scalar.start + pos
        return self.span(start, start + len(first_line))


def _count(text: str, needle: str, before: int) -> int:
    count, pos = 0, text.find(needle)
    while 0 <= pos < before:
        count += 1
        pos = text.find(needle, pos + 1)
    return count


def _nth(text: str, needle: str, n: int) -> int:
    pos = text.find(needle)
    while pos >= 0 and n > 0:
        pos = text.find(needle, pos + 1)
        n -= 1
    return pos


class ParseError(Exception):
    """A text that does not parse: the message and where (1-based line and column, and the
    character offset when known)."""

    def __init__(self, message: str, line: int, col: int, offset: int | None = None, fix: str | None = None):
        super().__init__(message)
        self.message = message  # what the parser found, e.g. "did not find expected key (while ...)"
        self.line = line  # 1-based
        self.col = col  # 1-based, in code points
        self.offset = offset
        self.fix = fix  # a whole message that says what to do, when better than "fix the syntax"

    @classmethod
    def at(cls, message: str, text: str, offset: int, positions: Positions | None = None, fix: str | None = None):
        offset = max(0, min(offset, len(text)))
        line, col = (positions or Positions(text)).line_col(offset)
        return cls(message, line, col, offset, fix)


MAX_NODES = 1_000_000  # distinct nodes in one document (memory stays near 250 MB at the limit)
MAX_ALIAS_EXPANSION = 200_000  # nodes that aliases add when the tree is read as if expanded
TOO_MANY_NODES = "Split this file: it has more than {:,} YAML/JSON nodes, too many to check"


def _no_gc(function):
    """Run a tree builder with the cyclic garbage collector paused: building a tree allocates
    many objects and no cycles, and the collector's passes over them cost ~20% of the load."""

    @functools.wraps(function)
    def wrapper(text: str) -> Composed:
        if not gc.isenabled():
            return function(text)
        gc.disable()
        try:
            return function(text)
        finally:
            gc.enable()

    return wrapper


@_no_gc
def compose(text: str) -> Composed:
    """Compose YAML `text` (BOM already removed) into a node tree. Raises ParseError.

    The tree is built straight from the parser's events (libyaml's C parser when present), not
    from PyYAML's composed nodes: no second tree in memory, and an anchor may be defined again
    (YAML allows it: an alias refers to the latest definition; PyYAML's composer refuses it).
    Positions come from the parser's character offsets; line and column are computed from them
    here, so the caret of an error and the span of a node count lines the same way."""
    composed = Composed(text, None, [])
    builder = _Builder(composed)
    loader = Loader(text)
    try:
        builder.run(loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ParseError.at(_yaml_error_message(error), text, 0 if mark is None else mark.index) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        offset = error.position
        if Loader is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes, not characters
            offset = len(text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "ignore"))
        character = error.character
        what = f"U+{character:04X}" if isinstance(character, int) else repr(character)
        raise ParseError.at(
            f"character {what} is not allowed ({error.reason})",
            text,
            offset,
            fix=f"Remove the control character {what}: YAML does not allow it",
        ) from None
    except yaml.YAMLError as error:
        raise ParseError(str(error).splitlines()[0] if str(error) else "invalid YAML", 1, 1, 0) from None
    except RecursionError:  # the pure-Python parser on very deep nesting
        raise ParseError("nested too deeply", 1, 1, 0) from None
    finally:
        loader.dispose()
    composed.duplicates = builder.duplicates
    composed.merge_keys = builder.merge_keys
    if builder.merging:
        try:
            _Builder.merge(builder.merging)
        except RecursionError:  # thousands of chained merge keys
            raise ParseError("merge keys nested too deeply", 1, 1, 0) from None
    if len(composed.duplicates) > 1:
        composed.duplicates.sort(key=lambda duplicate: duplicate.key.start)
    if builder.aliased:
        _check_aliases(composed, builder.count)
    return composed


def _yaml_error_message(error: yaml.MarkedYAMLError) -> str:
    if error.problem and error.context:
        return f"{error.problem} ({error.context})"
    return error.problem or error.context or "invalid YAML"


class _Builder:
    """Parser events -> Scalar / Seq / Map in one loop (no recursion, so no recursion limit).
    An alias is the very node of its anchor. Merge keys (`<<: *defaults`) are flattened at the
    end: explicit keys win, then earlier sources over later ones."""

    def __init__(self, composed: Composed):
        self.composed = composed
        self.duplicates: list[DuplicateKey] = []
        self.merge_keys: list[Scalar] = []
        self.merging: list = []  # (map node, merge source nodes, keys seen)
        self.count = 0
        self.aliased = False

    def run(self, loader) -> None:
        get_event = loader.get_event
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        sequence_start, mapping_start = yaml.SequenceStartEvent, yaml.MappingStartEvent
        sequence_end, mapping_end = yaml.SequenceEndEvent, yaml.MappingEndEvent
        document_start = yaml.DocumentStartEvent
        anchors: dict[str, Node] = {}
        # frames: [node, is_map, pending key (or _NO_KEY), {key: key node}, merge sources]
        stack: list[list] = []
        documents = 0
        count = 0
        duplicates = self.duplicates
        while True:
            event = get_event()
            if event is None:
                break
            kind = event.__class__
            merge = False
            if kind is scalar_event:
                node = Scalar(event.value, event.style or None, event.start_mark.index, event.end_mark.index)
                merge = event.value == "<<" and (event.implicit[0] or event.tag == MERGE_TAG) and not event.style
            elif kind is alias_event:
                node = anchors.get(event.anchor)
                if node is None:
                    raise ParseError.at(f"found undefined alias {event.anchor!r}", self.composed.text, event.start_mark.index)
                self.aliased = True
            elif kind is mapping_start or kind is sequence_start:
                count += 1
                if count > MAX_NODES:
                    raise ParseError.at("too many nodes", self.composed.text, event.start_mark.index,
                                        fix=TOO_MANY_NODES.format(MAX_NODES))
                is_map = kind is mapping_start
                node = (Map if is_map else Seq)([], event.start_mark.index, event.start_mark.index)
                if event.anchor is not None:
                    anchors[event.anchor] = node
                stack.append([node, is_map, _NO_KEY, {} if is_map else None, None])
                continue
            elif kind is sequence_end or kind is mapping_end:
                frame = stack.pop()
                node = frame[0]
                node.end = event.end_mark.index
                if frame[4]:
                    self.merging.append((node, frame[4], frame[3]))
            elif kind is document_start:
                documents += 1
                if documents > 1:
                    raise ParseError.at("but found another document", self.composed.text, event.start_mark.index,
                                        fix="Keep one YAML document per file: a second document starts here")
                continue
            else:
                continue
            if kind is scalar_event:
                count += 1
                if count > MAX_NODES:
                    raise ParseError.at("too many nodes", self.composed.text, event.start_mark.index,
                                        fix=TOO_MANY_NODES.format(MAX_NODES))
                if event.anchor is not None:
                    anchors[event.anchor] = node
            if not stack:
                self.composed.root = node
                continue
            frame = stack[-1]
            parent = frame[0]
            if not frame[1]:
                parent.items.append(node)
            elif frame[2] is _NO_KEY:
                if merge:
                    self.merge_keys.append(node)
                frame[2] = _MERGE if merge else node
            else:
                key, frame[2] = frame[2], _NO_KEY
                if key is _MERGE:
                    if frame[4] is None:
                        frame[4] = []
                    frame[4].append(node)  # a map, or a list of maps
                    continue
                if key.__class__ is Scalar:
                    first = frame[3].get(key.value)
                    if first is not None:
                        duplicates.append(DuplicateKey(key, first))
                        continue
                    frame[3][key.value] = key
                parent.pairs.append((key, node))
        self.count = count

    @staticmethod
    def merge(merging: list) -> None:
        pending = {id(node): (node, sources, seen) for node, sources, seen in merging}
        done: set[int] = set()

        def flatten(node: Map) -> None:
            node_id = id(node)
            if node_id in done or node_id not in pending:
                return
            done.add(node_id)  # before the sources: a map merged into itself adds nothing
            _, listed, seen = pending[node_id]
            sources = [item for source in listed for item in (source.items if source.__class__ is Seq else [source])]
            for source in sources:
                if source.__class__ is not Map:
                    continue
                flatten(source)  # a source that merges others is flattened first
                for key, value in source.pairs:
                    if key.__class__ is Scalar:
                        if key.value in seen:
                            continue
                        seen[key.value] = key
                    node.pairs.append((key, value))

        for node, _, _ in merging:
            flatten(node)


_NO_KEY = object()
_MERGE = object()


def _check_aliases(composed: Composed, distinct: int) -> None:
    """Refuse a tree that aliases make recursive or very large when expanded (billion laughs):
    rules may follow an alias as often as it is used. Linear in the number of distinct nodes."""
    size: dict[int, int] = {}
    stack = [(composed.root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            if isinstance(node, Map):
                children = [child for pair in node.pairs for child in pair]
            else:
                children = node.items
            total = 1
            for child in children:
                child_size = size.get(id(child))
                if child_size is None or child_size < 0:  # an enclosing node: a cycle
                    raise ParseError.at(
                        "an alias refers to a node that contains it",
                        composed.text,
                        node.start,
                        composed,
                        fix="Remove the recursive alias: this node holds an alias to a node that contains it",
                    )
                total += child_size
            if total - distinct > MAX_ALIAS_EXPANSION:
                raise ParseError.at(
                    f"aliases expand this node to {total:,} nodes",
                    composed.text,
                    node.start,
                    composed,
                    fix=f"Use fewer nested aliases: they expand this node to {total:,} nodes (an alias bomb)",
                )
            size[id(node)] = total
            continue
        if id(node) in size:
            continue
        if isinstance(node, Scalar):
            size[id(node)] = 1
            continue
        size[id(node)] = -1  # being expanded
        stack.append((node, True))
        children = [child for pair in node.pairs for child in pair] if isinstance(node, Map) else node.items
        for child in children:
            if id(child) not in size:
                stack.append((child, False))


# --- JSON ------------------------------------------------------------------------------------

_JSON_WS = lazyre.compile(r"[ \t\n\r]*")
_JSON_NUMBER = lazyre.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|-?Infinity|true|false|null")


@_no_gc
def compose_json(text: str) -> Composed:
    """The node tree of a JSON text that `json.loads` accepted, with positions.

    A small scanner (strings decoded by the json module's own C scanner), not the YAML
    composer: libyaml refuses some valid JSON (surrogate-pair escapes such as a backslash-u
    escaped emoji,
    a key over 1024 characters, a key and its colon on two lines, U+007F-U+009F in strings).
    Strings are Scalars with style '"', numbers/true/false/null plain Scalars. When a key
    repeats, the last value counts (as in `json.loads` and the AWS CLI) and the repeat is
    recorded as a duplicate key. Raises ParseError on text that is not JSON."""
    from json.decoder import scanstring  # only ECS files need it

    composed = Composed(text, None, [])
    duplicates = composed.duplicates
    skip = _JSON_WS.match
    scan_literal = _JSON_NUMBER.match
    length = len(text)
    # frames: [node, {key: index in pairs} for a map (None for a list), key node for the next value]
    stack: list[list] = []

    def fail(message: str, offset: int):
        return ParseError.at(message, text, offset, composed)

    def read_key(pos: int, frame: list) -> int:
        if pos >= length or text[pos] != '"':
            raise fail("expecting a property name in double quotes", pos)
        try:
            name, end = scanstring(text, pos + 1, True)
        except ValueError:
            raise fail("invalid string", pos) from None
        frame[2] = Scalar(name, '"', pos, end)
        pos = skip(text, end).end()
        if pos >= length or text[pos] != ":":
            raise fail("expecting ':'", pos)
        return skip(text, pos + 1).end()

    pos = skip(text, 0).end()
    count = 0
    while True:
        if pos >= length:
            raise fail("expecting a value", pos)
        count += 1
        if count > MAX_NODES:
            raise ParseError.at("too many nodes", text, pos, composed, fix=TOO_MANY_NODES.format(MAX_NODES))
        char = text[pos]
        if char == '"':
            try:
                string, end = scanstring(text, pos + 1, True)
            except ValueError:
                raise fail("invalid string", pos) from None
            value: Node = Scalar(string, '"', pos, end)
            pos = end
        elif char == "{" or char == "[":
            is_map = char == "{"
            node: Node = Map([], pos, pos) if is_map else Seq([], pos, pos)
            pos = skip(text, pos + 1).end()
            if pos < length and text[pos] == ("}" if is_map else "]"):
                pos += 1
                node.end = pos
                value = node
            else:
                frame = [node, {} if is_map else None, None]
                stack.append(frame)
                if is_map:
                    pos = read_key(pos, frame)
                continue
        else:
            match = scan_literal(text, pos)
            if match is None or match.end() == pos:
                raise fail("expecting a value", pos)
            value = Scalar(match.group(), None, pos, match.end())
            pos = match.end()
        # Attach the value; close the containers it ends.
        while True:
            if not stack:
                if skip(text, pos).end() != length:
                    raise fail("extra data after the value", skip(text, pos).end())
                composed.root = value
                return composed
            frame = stack[-1]
            node, index, key = frame
            if index is None:
                node.items.append(value)
            else:
                first = index.get(key.value)
                if first is None:
                    index[key.value] = len(node.pairs)
                    node.pairs.append((key, value))
                else:  # the last value counts; the first key keeps its place
                    first_key = node.pairs[first][0]
                    duplicates.append(DuplicateKey(key, first_key))
                    node.pairs[first] = (first_key, value)
            pos = skip(text, pos).end()
            char = text[pos] if pos < length else ""
            if char == ",":
                pos = skip(text, pos + 1).end()
                if index is not None:
                    pos = read_key(pos, frame)
                break
            if char != ("}" if index is not None else "]"):
                raise fail("expecting ',' or a closing bracket", pos)
            pos += 1
            node.end = pos
            stack.pop()
            value = node


def _values(root: Node | None) -> list[tuple[Scalar, str | None]]:
    found: list[tuple[Scalar, str | None]] = []
    seen: set[int] = set()
    stack: list[tuple[Node, str | None]] = [(root, None)] if root is not None else []
    while stack:
        node, key = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Scalar):
            found.append((node, key))
        elif isinstance(node, Seq):
            stack.extend((item, None) for item in reversed(node.items))
        elif isinstance(node, Map):
            stack.extend(
                (value, name.value if isinstance(name, Scalar) else None) for name, value in reversed(node.pairs)
            )
    return found


def walk(node: Node):
    """Every node below `node` once (aliases are visited once), depth first."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, Map):
            for key, value in reversed(current.pairs):
                stack.append(value)
                stack.append(key)
        elif isinstance(current, Seq):
            stack.extend(reversed(current.items))


def to_python(node: Node | None):
    """Plain Python data (YAML 1.2 core typing), for config validation and schemas."""
    if node is None:
        return None
    memo: dict[int, object] = {}
    stack = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        if isinstance(current, Scalar):
            memo[id(current)] = _scalar_python(current)
        elif children_done:
            if isinstance(current, Seq):
                memo[id(current)] = [memo.get(id(item)) for item in current.items]
            else:
                memo[id(current)] = {
                    key.value if isinstance(key, Scalar) else str(key): memo.get(id(value))
                    for key, value in current.pairs
                }
        elif id(current) not in memo:
            memo[id(current)] = None  # a cycle reads as null
            stack.append((current, True))
            children = current.items if isinstance(current, Seq) else [value for _, value in current.pairs]
            stack.extend((child, False) for child in children if id(child) not in memo)
    return memo[id(node)]


def _scalar_python(node: Scalar):
    if node.style is None:
        if node.is_null:
            return None
        boolean = node.as_bool()
        if boolean is not None:
            return boolean
        integer = node.as_int()
        if integer is not None:
            return integer
        number = node.as_number()
        if number is not None and node.value.lower().lstrip("+-") not in ("inf", "nan", "infinity"):
            return number
    return node.value
