"""What the actions and reusable workflows that a workflow calls declare: their inputs, outputs
and secrets, and which version of them a `uses:` names.

Three sources:
- popular public actions: `cicdlint/data/action-inputs.json`, built by
  `scripts/gen_action_inputs.py` from their `action.yml` at every version tag; loaded once, only
  when a document has a `uses:` of an action in it;
- local actions (`uses: ./path`): `path/action.yml` (or `.yaml`) read through `ctx.repo`;
- reusable workflows (`jobs.<id>.uses: ./.github/workflows/x.yml`, or the same repository's
  `owner/repo/.github/workflows/x.yml@ref`): their `on.workflow_call`, read through `ctx.repo`.

Input and output names are case-insensitive on GitHub (the runner compares them with
OrdinalIgnoreCase, and the toolkit reads `INPUT_<NAME>` in upper case), so every look-up here is
by lower-cased name.

Versions: `@v4` and `@v4.1.2` name major 4; a full commit SHA names the version in the comment
after it (`@<sha> # v4.2.2`); a branch the table knows (`@main`, `@stable`) names itself. When
the version cannot be told, a check asks all known versions of the action, and reports only what
holds in every one of them (`Known.exact` is False)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import lazyre
from .model import as_map, text
from .yamlpos import Map, Scalar

DATA = Path(__file__).resolve().parent / "data" / "action-inputs.json"

# `v4`, `4.1.2`, `v2.x`, `V3.0`, `2026.08.14.1`, `v6-beta`, after an optional `name/`, `name-`,
# `release/` prefix.
_VERSION = lazyre.compile(r"(?:(?P<prefix>.*[/-]))?[vV]?(?P<major>\d+)(?:\.(?:\d+|x))*(?:-[0-9A-Za-z.-]+)?")
_SHA = lazyre.compile(r"[0-9a-fA-F]{40}")
_COMMENT_TOKEN = lazyre.compile(r"#\s*([^\s#]+)")

DOCKER_INPUTS = ("args", "entrypoint")  # a container action always accepts these


# --- versions ------------------------------------------------------------------------------------


def version_key(ref: str | None) -> str | None:
    """`v<major>` for a version ref (`v4`, `v4.1.2`, `4`, `releases/v2`, `login-to-gar/v1.0.3`), else None."""
    if not ref:
        return None
    match = _VERSION.fullmatch(ref.strip())
    if not match or len(match.group("major")) > 8:
        return None
    return f"v{int(match.group('major'))}"


def version_tuple(ref: str | None) -> tuple[int, ...] | None:
    """(4, 1, 2) for `v4.1.2`, (4,) for `v4` or `v4.x`; None for a ref that is not a version."""
    if version_key(ref) is None:
        return None
    match = _VERSION.fullmatch(ref.strip())
    numbers = []
    for part in ref.strip()[match.start("major") :].split("-", 1)[0].split("."):
        if not part.isdigit():
            break
        numbers.append(int(part))
    return tuple(numbers)


def newer_release(numbers: tuple[int, ...], known: tuple[int, ...]) -> bool:
    """Is version `numbers` a later minor release than `known` (a later patch adds no inputs;
    below 1.0 each digit counts one further: 0.5.2 -> 0.5.3 may)?"""
    depth = 3 if (numbers[:1] == (0,) or known[:1] == (0,)) else 2
    return bool(known) and numbers[:depth] > known[:depth]


def comment_ref(comment: str | None) -> str | None:
    """The version in a pin comment: `# v4.2.2`, `#v4`, `# tag=v4.2.2`, `# pin@v4`,
    `# ratchet:actions/checkout@v4`, `# login-to-gar/v1.0.3` -> `v4.2.2`, ...; None otherwise."""
    if not comment:
        return None
    match = _COMMENT_TOKEN.match(comment.strip())
    if not match:
        return None
    token = match.group(1).rstrip(",;)]")
    for separator in ("@", "="):
        token = token.rsplit(separator, 1)[-1]
    return token if version_key(token) else None


def comment_version(comment: str | None) -> str | None:
    """The major version key (`v4`) in a pin comment, or None."""
    return version_key(comment_ref(comment))


def line_comment(doc, node) -> str | None:
    """The `# ...` comment on the line where a scalar ends, after it; None without one."""
    source = doc.text
    end = getattr(node, "end", None)
    if not isinstance(end, int) or end > len(source):
        return None
    stop = source.find("\n", end)
    rest = source[end : stop if stop >= 0 else len(source)]
    hash_at = rest.find("#")
    return rest[hash_at:].strip() if hash_at >= 0 else None


def split_uses(uses: str) -> tuple[str, str | None]:
    """`owner/repo[/path]` (lower case) and the ref of a remote `uses:` value."""
    target, _, ref = uses.strip().partition("@")
    return target.strip().rstrip("/").lower(), (ref.strip() or None)


# --- interfaces ----------------------------------------------------------------------------------


class Input:
    __slots__ = ("name", "required", "has_default", "deprecated", "type", "node")

    def __init__(self, name, required=False, has_default=False, deprecated=None, type=None, node=None):
        self.name = name  # as declared
        self.required = required  # required and without a default
        self.has_default = has_default
        self.deprecated = deprecated  # the deprecation message ("" when empty), or None
        self.type = type  # reusable workflows: "string" | "boolean" | "number" | "choice"...
        self.node = node  # the declaring key node (local files only)


class Interface:
    """One version of an action, or one reusable workflow: what it declares."""

    __slots__ = ("inputs", "outputs", "output_prefixes", "kind", "secrets", "misplaced_inputs")

    def __init__(self, inputs, outputs, kind=None, output_prefixes=(), secrets=None):
        self.misplaced_inputs = False  # an action.yml with `on.workflow_call.inputs` instead of `inputs`
        self.inputs: dict[str, Input] | None = inputs  # lower-cased name -> Input; None: any input
        self.outputs: dict[str, str] | None = outputs  # lower-cased name -> name; None: any output
        self.output_prefixes: tuple[str, ...] = output_prefixes  # outputs named `<prefix>...`
        self.kind: str | None = kind  # runs.using, lower case: node20, docker, composite, ...
        self.secrets: dict[str, Input] | None = secrets  # reusable workflows

    @property
    def is_docker(self) -> bool:
        return self.kind == "docker"

    def accepts(self, name: str) -> bool:
        lowered = name.lower()
        if self.inputs is None or lowered in self.inputs:
            return True
        return self.is_docker and lowered in DOCKER_INPUTS

    def declares_output(self, name: str) -> bool:
        lowered = name.lower()
        if self.outputs is None or lowered in self.outputs:
            return True
        return any(lowered.startswith(prefix) for prefix in self.output_prefixes)


class Known:
    """The versions of an action that a `uses:` may name: one when the version is known (`exact`),
    every known version otherwise. The questions answer True only when true of every version."""

    __slots__ = ("label", "versions", "exact", "source", "version", "stale", "newer_major", "newest")

    def __init__(self, label: str, versions: list[Interface], exact: bool, source: str, version: str | None = None,
                 stale: bool = False, newer_major: bool = False):
        self.label = label  # `actions/setup-node@v4`, `./.github/actions/build`
        self.versions = versions
        self.exact = exact
        self.source = source  # "table" | "local"
        self.version = version  # `v4`, `main`, or None
        # The step may run a release newer than the table's: a name the table lacks may have been
        # added since, so only a variant of a known name (`node_version` for `node-version`) is
        # reported, and required inputs are not.
        self.stale = stale
        self.newer_major = newer_major  # a major version the table does not have at all
        self.newest: str | None = None  # the newest release of the named major that the table knows, when the step names an older one

    def unknown_input(self, name: str) -> bool:
        if not self.versions or any(version.accepts(name) for version in self.versions):
            return False
        return not self.stale or variant_of(name, self.input_names()) is not None

    def required_inputs(self) -> list[Input]:
        """Inputs that every version requires and gives no default."""
        if self.stale or not self.versions:
            return []
        first, *others = self.versions
        if first.inputs is None:
            return []
        found = []
        for lowered, declared in first.inputs.items():
            if declared.required and all(
                other.inputs is not None and other.inputs.get(lowered) is not None and other.inputs[lowered].required
                for other in others
            ):
                found.append(declared)
        return found

    def deprecation(self, name: str) -> str | None:
        """The deprecation message when every version that declares the input deprecates it."""
        if self.newer_major:
            return None
        lowered = name.lower()
        message = None
        for version in self.versions:
            declared = version.inputs.get(lowered) if version.inputs else None
            if declared is None:
                continue
            if declared.deprecated is None:
                return None
            message = declared.deprecated if message is None else message
        return message

    def unknown_output(self, name: str) -> bool:
        if not self.versions or any(version.declares_output(name) for version in self.versions):
            return False
        return not self.stale or variant_of(name, self.output_names()) is not None

    def input_names(self) -> list[str]:
        names: dict[str, str] = {}
        for version in self.versions:
            for lowered, declared in (version.inputs or {}).items():
                names.setdefault(lowered, declared.name)
        return sorted(names.values(), key=str.lower)

    def output_names(self) -> list[str]:
        names: dict[str, str] = {}
        for version in self.versions:
            for lowered, name in (version.outputs or {}).items():
                names.setdefault(lowered, name)
        return sorted(names.values(), key=str.lower)

    @property
    def is_docker(self) -> bool:
        return any(version.is_docker for version in self.versions)


# --- the table of popular actions -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _index() -> tuple[bytes, int, dict[str, list[int]]]:
    """The table's bytes, where its second line starts, and `owner/repo[/path]` -> [start, end]
    of its entry from there. Only the first line is parsed here (a parse of the whole table would cost more
    than linting a file); an entry is parsed when a step uses that action."""
    try:
        content = DATA.read_bytes()
        head_end = content.index(b"\n")
        head = json.loads(content[:head_end].rstrip(b",") + b"}")
        return content, head_end + 1, dict(head["index"])
    except (OSError, ValueError, KeyError, TypeError):
        return b"", 0, {}


def _lines() -> dict[str, list[int]]:
    """The actions the table knows (lower-cased `owner/repo[/path]`)."""
    return _index()[2]


class _Entry:
    __slots__ = ("versions", "newest", "stale", "specs", "history")

    def __init__(self, data: dict):
        self.versions: dict[str, int] = data["v"]  # version key -> index in specs
        self.newest: dict[str, tuple[int, ...]] = {key: version_tuple(value) or () for key, value in data.get("n", {}).items()}
        self.stale = frozenset(data.get("st", ()))  # keys whose newest release the table lacks
        self.specs = [_interface(spec) for spec in data["s"]]
        self.history = self.specs[data["h"]] if isinstance(data.get("h"), int) else None


@lru_cache(maxsize=512)
def _entry(target: str) -> _Entry | None:
    content, base, index = _index()
    where = index.get(target)
    if where is None:
        return None
    try:
        return _Entry(json.loads(content[base + where[0] : base + where[1]]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _interface(raw: dict) -> Interface:
    deprecated = raw.get("d") or {}
    inputs = None
    if raw.get("i", {}) is not None:
        inputs = {}
        for name, flags in (raw.get("i") or {}).items():
            inputs[name.lower()] = Input(name, bool(flags & 1), bool(flags & 2), deprecated.get(name, "") if flags & 4 else None)
    outputs = None if raw.get("o", []) is None else {name.lower(): name for name in raw.get("o") or []}
    prefixes = tuple(prefix.lower() for prefix in raw.get("op") or ())
    return Interface(inputs, outputs, raw.get("k"), prefixes)


def is_known(target: str) -> bool:
    """Is `owner/repo[/path]` (lower case) in the table?"""
    return target in _lines()


def lookup(uses: str, comment: str | None = None) -> Known | None:
    """The table's entry for a remote `uses:` value (with the comment after it), or None.

    A version newer than any the table has of that major (`@v4.9.0` when it knows 4.4.0), or a
    floating ref (`@v4`, `@main`) to a version the table marks stale, is `Known.stale`: inputs and
    outputs added since cannot be told from unknown ones. A major newer than every known one
    gives None: nothing is known of it."""
    target, ref = split_uses(uses)
    if ref is None or "${{" in uses or target not in _lines():
        return None
    entry = _entry(target)
    if entry is None:
        return None
    versions = entry.versions
    sha = bool(_SHA.fullmatch(ref))
    named = comment_ref(comment) if sha else ref
    if not sha and "@" + ref in versions:  # a branch the table knows, e.g. @main, @stable
        key = "@" + ref
    else:
        key = version_key(named)
    if key is not None and key in versions:
        numbers = version_tuple(named) if not key.startswith("@") else None
        newest = entry.newest.get(key, ())
        if numbers is not None and len(numbers) > 1:
            stale = newer_release(numbers, newest)
        else:
            stale = key in entry.stale
        label = f"{target}@{named if sha else ref}"
        known = Known(label, [entry.specs[versions[key]]], True, "table", key.lstrip("@"), stale)
        if numbers is not None and len(numbers) > 1 and newest and numbers < newest:
            known.newest = "v" + ".".join(map(str, newest))
        return known
    majors = [int(version[1:]) for version in versions if not version.startswith("@")]
    if key is not None and majors and int(key[1:]) > max(majors):
        # A major version released after the table was made: only a variant of one of the newest
        # known version's names is worth saying.
        newest = entry.specs[versions[f"v{max(majors)}"]]
        return Known(f"{target}@{named if sha else ref}", [newest], False, "table", key, True, True)
    # Cannot tell the version: every version known, and every file the default branch has had
    # (a bare SHA may be a commit between tags). Without that history, nothing is certain.
    stale = entry.history is None or (bool(majors) and f"v{max(majors)}" in entry.stale)
    specs = [spec for index, spec in enumerate(entry.specs) if index in set(versions.values())]
    if entry.history is not None:
        specs.append(entry.history)
    return Known(f"{target}@{ref}" if not sha else target, specs, False, "table", None, stale)


# --- local actions and reusable workflows ----------------------------------------------------------


def _truthy(node) -> bool:
    if isinstance(node, Scalar):
        value = node.value.strip().lower()
        return value == "true"
    return False


def _has_default(node) -> bool:
    return node is not None and not (isinstance(node, Scalar) and node.is_null)


def action_interface(doc) -> Interface | None:
    """What a parsed `action.yml` declares (None for a document that is not a mapping)."""
    root = doc.root if doc is not None else None
    if not isinstance(root, Map):
        return None
    inputs: dict[str, Input] = {}
    declared = root.get("inputs")
    if isinstance(declared, Map):
        for name, key, spec in declared.items():
            spec = as_map(spec)
            required = _truthy(spec.get("required")) if spec else False
            has_default = _has_default(spec.get("default")) if spec else False
            deprecated = None
            if spec is not None and "deprecationMessage" in spec:
                deprecated = text(spec.get("deprecationMessage")) or ""
            inputs[name.lower()] = Input(name, required and not has_default, has_default, deprecated, node=key)
    elif declared is not None and not (isinstance(declared, Scalar) and declared.is_null):
        inputs = None  # inputs written in a shape we do not read: accept any
    outputs: dict[str, str] | None = {}
    declared = root.get("outputs")
    if isinstance(declared, Map):
        outputs = {name.lower(): name for name, _, _ in declared.items()}
    elif declared is not None and not (isinstance(declared, Scalar) and declared.is_null):
        outputs = None
    runs = as_map(root.get("runs"))
    kind = (text(runs.get("using")) or "").strip().lower() or None if runs else None
    if kind is not None and kind != "composite" and outputs == {}:
        # A JavaScript or Docker action can set outputs it does not declare.
        outputs = None
    interface = Interface(inputs, outputs, kind)
    on = as_map(root.get("on"))
    call = as_map(on.get("workflow_call")) if on is not None else None
    interface.misplaced_inputs = bool(inputs == {} and call is not None and as_map(call.get("inputs")))
    return interface


def local_action(ctx, path: str) -> tuple[Interface | None, str | None, bool]:
    """(interface, file read, found) of `uses: ./path`: `path/action.yml` or `path/action.yaml`."""
    base = path.strip().rstrip("/")
    while base.startswith("./"):
        base = base[2:]
    if base in (".", ""):
        base = ""
    found = False
    for name in ("action.yml", "action.yaml"):
        relative = f"{base}/{name}" if base else name
        doc = ctx.repo.document(relative)
        if doc is not None:
            return action_interface(doc), relative, True
        if ctx.repo.exists(relative):
            found = True  # there, but not a file we parse (e.g. broken YAML): another rule's business
    return None, None, found


def workflow_interface(doc) -> Interface | None:
    """What a reusable workflow's `on.workflow_call` declares; None when it has no such trigger."""
    root = doc.root if doc is not None else None
    if not isinstance(root, Map):
        return None
    on = root.get("on")
    call = None
    if isinstance(on, Scalar):
        if on.value.strip() != "workflow_call":
            return None
    elif hasattr(on, "items") and not isinstance(on, Map):  # a list of events
        if not any(isinstance(item, Scalar) and item.value.strip() == "workflow_call" for item in on.items):
            return None
    elif isinstance(on, Map):
        if "workflow_call" not in on:
            return None
        call = as_map(on.get("workflow_call"))
    else:
        return None
    inputs, secrets, outputs = {}, {}, {}
    if call is not None:
        for section, into in (("inputs", inputs), ("secrets", secrets)):
            declared = call.get(section)
            if declared is not None and not isinstance(declared, Map):
                if not (isinstance(declared, Scalar) and declared.is_null):
                    return Interface(None, None, "workflow", secrets=None)  # unreadable: accept anything
                continue
            for name, key, spec in (declared.items() if declared is not None else []):
                spec = as_map(spec)
                required = _truthy(spec.get("required")) if spec else False
                has_default = _has_default(spec.get("default")) if spec else False
                kind = (text(spec.get("type")) or "").strip().lower() or None if spec else None
                into[name.lower()] = Input(name, required and not has_default, has_default, None, kind, key)
        declared = as_map(call.get("outputs"))
        if declared is not None:
            outputs = {name.lower(): name for name, _, _ in declared.items()}
        elif call.get("outputs") is not None and not (isinstance(call.get("outputs"), Scalar) and call.get("outputs").is_null):
            outputs = None
    return Interface(inputs, outputs, "workflow", secrets=secrets)


def called_workflow_path(ctx, uses: str) -> str | None:
    """The repository-relative path of a reusable workflow of this repository: `./.github/...`,
    or `owner/repo/.github/workflows/x.yml@ref` when owner/repo is this repository's slug."""
    value = uses.strip()
    if "${{" in value:
        return None
    if value.startswith("./"):
        return value[2:] if "@" not in value else None
    target, ref = split_uses(value)
    parts = target.split("/", 2)
    if ref is None or len(parts) < 3:
        return None
    slug = ctx.repo.slug
    if slug is None or "/".join(parts[:2]) != slug.lower():
        return None
    # The path after owner/repo, in its original case.
    original = value.partition("@")[0].split("/", 2)[2]
    return original


# --- call sites ------------------------------------------------------------------------------------


def step_action(step, ctx) -> Known | None:
    """What the action a step uses declares: from the table, or from the local `action.yml`.
    None for `run:` steps, `docker://` images, expressions, and actions nothing is known of."""
    from .notions import _memo

    return _memo(step, "action-interface", lambda: _step_action(step, ctx))


def _step_action(step, ctx) -> Known | None:
    uses = step.uses
    if uses is None or "${{" in uses.value:
        return None
    value = uses.value.strip()
    if value.startswith("./") or value == ".":
        if "@" in value:
            return None
        interface, relative, _ = local_action(ctx, value)
        if interface is None:
            return None
        return Known(value.rstrip("/") or ".", [interface], True, "local")
    if value.startswith("docker://") or "@" not in value:
        return None
    return lookup(value, line_comment(ctx.doc, uses))


def job_workflow(job, ctx) -> tuple[Interface, str] | None:
    """(what the called reusable workflow declares, its path) for a job that calls a workflow of
    this repository; None otherwise or when it cannot be read."""
    from .notions import _memo

    return _memo(job, "workflow-interface", lambda: _job_workflow(job, ctx))


def _job_workflow(job, ctx):
    uses = job.uses
    if uses is None:
        return None
    relative = called_workflow_path(ctx, uses.value)
    if relative is None:
        return None
    doc = ctx.repo.document(relative)
    if doc is None or doc.kind != "workflow":
        return None
    interface = workflow_interface(doc)
    return (interface, relative) if interface is not None else None


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(" ", "-")


def variant_of(name: str, known) -> str | None:
    """The known name that `name` is a spelling variant of: the same words with other separators
    (`node_version`, `Node-Version` for `node-version`) or in another order; None otherwise."""
    normal, words = _normal(name), _words(name)
    for candidate in known:
        if candidate.lower() != name.lower() and (_normal(candidate) == normal or _words(candidate) == words):
            return candidate
    return None


def _words(name: str) -> tuple[str, ...]:
    return tuple(sorted(part for part in name.lower().replace("_", "-").split("-") if part))


def close_matches(name: str, candidates) -> list[str]:
    """Did-you-mean candidates for a name, compared case-insensitively: the same words in
    another order or with other separators first (`issue-exclude-created-before` ->
    `exclude-issue-created-before`), then close spellings."""
    from difflib import get_close_matches

    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    words = _words(name)
    same = [original for lowered, original in by_lower.items() if _words(lowered) == words and lowered != name.lower()]
    if same:
        return same[:3]
    hits = get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    return [by_lower[hit] for hit in hits]


def quoted_list(names, limit: int = 12) -> str:
    names = list(names)
    shown = ", ".join(f"'{name}'" for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --- `steps.<id>.outputs.<name>` and `needs.<job>.outputs.<name>` ---------------------------------

_OUTPUT_REF = lazyre.compile(
    r"(?<![\w.-])(steps|needs)\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\])"
    r"\s*(?:\.\s*outputs\b|\[\s*'outputs'\s*\])"
    r"\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\])",
    lazyre.IGNORECASE,
)


class OutputRef:
    """One `steps.<id>.outputs.<name>` (or `needs.`) in an expression."""

    __slots__ = ("context", "target", "name", "scalar", "offset", "length", "job")

    def __init__(self, context, target, name, scalar, offset, length, job):
        self.context = context  # "steps" | "needs"
        self.target = target  # the step or job id, as written
        self.name = name  # the output name, as written
        self.scalar = scalar
        self.offset = offset  # of the name in scalar.value
        self.length = length
        self.job = job  # the Job it is in, None in an action


def output_refs(ctx) -> list[OutputRef]:
    """Every literal output reference in the document's jobs (or composite action), once."""
    from .notions import _memo

    view = ctx.workflow if ctx.doc.kind == "workflow" else ctx.action
    return _memo(view, "output-refs", lambda: _output_refs(ctx))


def _output_refs(ctx) -> list[OutputRef]:
    found: list[OutputRef] = []
    if ctx.doc.kind == "workflow":
        for job in ctx.workflow.jobs:
            _scan(job.node, job, found)
    elif ctx.doc.kind == "action" and isinstance(ctx.doc.root, Map):
        for key in ("outputs", "runs"):
            node = ctx.doc.root.get(key)
            if node is not None:
                _scan(node, None, found)
    return found


def _scan(root, job, found: list) -> None:
    from .expressions import find_expressions

    seen: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, is_if = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Scalar):
            value = node.value
            if "outputs" not in value:
                continue
            if "${{" in value:
                for expression in find_expressions(value):
                    _refs_in(value, expression.start, expression.end, expression.analysis.contexts, node, job, found)
            elif is_if:
                from .expressions import analyse

                _refs_in(value, 0, len(value), analyse(value).contexts, node, job, found)
        elif isinstance(node, Map):
            for key, value in node.pairs:
                stack.append((value, isinstance(key, Scalar) and key.value == "if"))
        elif hasattr(node, "items") and isinstance(getattr(node, "items"), list):
            stack.extend((item, False) for item in node.items)


def _refs_in(value: str, start: int, end: int, contexts, scalar, job, found: list) -> None:
    read = {path.lower() for path in contexts}
    for match in _OUTPUT_REF.finditer(value, start, end):
        context = match.group(1).lower()
        target = match.group(2) if match.group(2) is not None else match.group(3)
        group = 4 if match.group(4) is not None else 5
        name = match.group(group)
        if f"{context}.{target}.outputs.{name}".lower() not in read:
            continue  # inside a string literal, or not a plain property access
        found.append(OutputRef(context, target, name, scalar, match.start(group), len(name), job))
