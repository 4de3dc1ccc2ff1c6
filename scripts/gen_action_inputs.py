"""Rebuild `cicdlint/data/action-inputs.json`: the inputs and outputs of popular public actions,
for every major version, read from their `action.yml`. A development tool, not part of the package.

Three steps, one sub-command each.

1. `select`: count `uses: owner/repo[/path]@ref` in trees of workflows and actions, and list the
   actions to cover: the N most used, every `actions/*`, `aws-actions/*`, `docker/*` and
   `github/codeql-action/*` one that appears, every one used at least --min-uses times, and the
   ones named with --also. One line per action: `owner/repo[/path] <uses> <ref>,<ref>,...`, the
   refs it is used at (for a commit SHA, the version in the comment after it).

       python scripts/gen_action_inputs.py select /path/to/corpus --top 100 > actions.txt

2. `collect`: copy each action's `action.yml` (or `action.yaml`) at every version tag, at the
   default branch and at the other branches that the corpus uses (`@stable`), into a directory
   laid out as `<owner>/<repo>[/<path>]/@<ref>/action.yml` (a `/` in a ref is written `%2F`).
   Identical files within one major version are kept once.
   Keep that directory out of the repository: the files are other projects' code.

       # from local clones or bare mirrors, found as <dir>/<owner>+<repo>/repo[/.git],
       # <dir>/<owner>/<repo>[/.git] or <dir>/<owner>+<repo>:
       python scripts/gen_action_inputs.py collect actions.txt --mirrors /path/to/mirrors --out /tmp/action-ymls
       # from GitHub when the network is there: refs by `git ls-remote`, files from
       # https://raw.githubusercontent.com/<owner>/<repo>/<ref>/<path>/action.yml:
       python scripts/gen_action_inputs.py collect actions.txt --download --out /tmp/action-ymls

3. `build`: read such a directory (a version directory may also be a plain major, `v4/action.yml`)
   and write the table:

       python scripts/gen_action_inputs.py build /tmp/action-ymls -o cicdlint/data/action-inputs.json

The table is one JSON object: a first line `{"schema":2,"index":{action: [start, end]},` giving
where each action's entry is (byte offsets from the start of the second line), then one action a
line (`"owner/repo[/path]":{"v": {version key: spec index}, "s": [specs]}`), so that cicdlint
parses the entry of an action only when a workflow uses it. A version key is `v4` for every `v4.x.y` tag, `@main` for a branch; `"n"` gives the newest
version known of each major, `"st"` the keys that the usage (`--usage`) shows newer releases of,
and `"h"` the spec of every version the default branch has had (for bare commit SHAs). A spec is `{"i": {input: flags}, "d": {input: message},
"o": [outputs], "op": [output prefixes], "k": "docker" | "composite"}`, flags 1 = required without a default,
2 = has a default, 4 = deprecated; `"i": null` / `"o": null` mean the action takes any input /
sets outputs it does not declare (DYNAMIC_INPUTS, DYNAMIC_OUTPUTS below). A major version's spec
is the union of its tags: an input is known if any tag declares it, required only if every tag
requires it, deprecated as the newest tag that declares it says.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cicdlint.actions import newer_release, version_key, version_tuple  # noqa: E402  the same parsing as at lint time

ALWAYS = ("actions/", "aws-actions/", "docker/", "github/codeql-action/")

# Actions whose outputs are named by their inputs (filters, secret names, registries), or that
# run the user's own code, which can set any output (`core.setOutput` in github-script, `echo
# x=1 >> $GITHUB_OUTPUT` or `::set-output` printed by a command or a remote script): any
# `steps.<id>.outputs.<name>` goes.
DYNAMIC_OUTPUTS = {
    "actions/github-script",
    "nick-fields/retry",
    "uraimo/run-on-arch-action",
    "gabrielbb/xvfb-action",
    "vmactions/freebsd-vm",
    "reactivecircus/android-emulator-runner",
    "cypress-io/github-action",
    "azure/cli",
    "appleboy/ssh-action",
    "garygrossgarten/github-action-ssh",
    "cloud-gov/cg-cli-tools",
    "codspeedhq/action",
    "pyo3/maturin-action",
    "devcontainers/ci",
    "matlab-actions/run-command",
    "pulumi/actions",
    "dorny/paths-filter",  # one output per filter
    "tj-actions/changed-files",  # files_yaml keys become output prefixes
    "google-github-actions/get-secretmanager-secrets",
    "hashicorp/vault-action",
    "1password/load-secrets-action",
    "azure/get-keyvault-secrets",
    "bitwarden/gh-actions/get-keyvault-secrets",
    "grafana/shared-workflows/actions/get-vault-secrets",
    "aws-actions/aws-secretsmanager-get-secrets",
    "juliangruber/read-file-action",
}
# Outputs named `<prefix><something>`.
OUTPUT_PREFIXES = {
    "aws-actions/amazon-ecr-login": ("docker_username_", "docker_password_"),
}
# Inputs that action.yml marks required but that the action does without: it falls back to
# something else, or another input takes their place (read in the actions' code).
NOT_REQUIRED = {
    "hashicorp/actions-generate-metadata": {"repository"},  # falls back to GITHUB_REPOSITORY
    "peter-evans/slash-command-dispatch": {"commands"},  # or `config` / `config-from-file`
    "nick-fields/retry": {"timeout_minutes"},  # or `timeout_seconds`
}
# Actions that pass any input on (request parameters...).
DYNAMIC_INPUTS = {
    "octokit/request-action",
    "octokit/graphql-action",
}

_USES = re.compile(r"""^[\s-]*uses\s*:\s*['"]?([^'"\s#]+)['"]?[ \t]*(#[^\n]*)?""", re.M)
_SHA = re.compile(r"[0-9a-f]{40}")


# --- select ----------------------------------------------------------------------------------------


def select(args) -> None:
    counts: collections.Counter = collections.Counter()
    refs: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for root in args.roots:
        for directory, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in (".git", "node_modules")]
            for name in files:
                if not name.endswith((".yml", ".yaml")):
                    continue
                try:
                    content = Path(directory, name).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                for match in _USES.finditer(content):
                    uses = match.group(1)
                    if uses.startswith((".", "docker://", "$")) or "@" not in uses or "${{" in uses:
                        continue
                    target, ref = uses.split("@", 1)
                    target = target.rstrip("/").lower()
                    if "/.github/workflows/" in target or target.count("/") < 1:
                        continue
                    counts[target] += 1
                    if _SHA.fullmatch(ref):
                        ref = _comment_ref(match.group(2))  # the version in `@<sha> # v4.2.2`
                    if ref:
                        refs[target][ref] += 1
    chosen = []
    for rank, (target, count) in enumerate(counts.most_common()):
        if rank < args.top or count >= args.min_uses or target.startswith(ALWAYS):
            chosen.append(target)
    chosen += [name.lower().rstrip("/") for name in args.also]
    for target in sorted(set(chosen)):
        used = ",".join(ref for ref, _ in refs[target].most_common() if "," not in ref) or "-"
        print(f"{target} {counts[target]} {used}")


def _comment_ref(comment: str | None) -> str | None:
    token = (comment or "").lstrip("#").strip().split()
    if not token:
        return None
    token = token[0].rsplit("@", 1)[-1].rsplit("=", 1)[-1]
    return token if version_key(token) else None


def _read_selection(path: str) -> list[tuple[str, list[str]]]:
    wanted = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        refs = parts[2].split(",") if len(parts) > 2 and parts[2] != "-" else []
        wanted.append((parts[0], refs))
    return wanted


# --- collect ---------------------------------------------------------------------------------------


def _tag_major(tag: str, action: str) -> str | None:
    """The major version a tag names for this action: `v4.1.0`, `release/v1`, and in a repository
    of several actions `<name>/v1.0.3` or `<name>-v1.0.3` where name is the action's folder."""
    key = version_key(tag)
    if key is None or (tag.isdigit() and int(tag) >= 100):
        return None  # `1898`: a pull-request number or a build, not a version
    prefix = re.match(r"(.*[/-])?[vV]?\d", tag).group(1) or ""
    name = action.rsplit("/", 1)[-1]
    allowed = {"", "release/", "releases/", f"{name}/", f"{name}-", f"{name}/v", f"{name}-v"}
    return key if prefix.lower() in allowed else None


class GitSource:
    """Tags, branches and files of a local clone or bare mirror."""

    def __init__(self, git_dir: Path):
        self.git_dir = git_dir

    def _git(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", *args], input=stdin, capture_output=True, text=True, check=False
        )
        return result.stdout

    def default_branch(self) -> str | None:
        head = self._git("symbolic-ref", "--short", "HEAD").strip()
        return head or None

    def refs(self) -> dict[str, str]:
        """Ref name (tag or branch, short) -> commit."""
        found = {}
        listing = self._git("for-each-ref", "--format=%(refname)\t%(objectname)\t%(*objectname)", "refs/tags", "refs/heads")
        for line in listing.splitlines():
            name, obj, peeled = (line.split("\t") + ["", ""])[:3]
            short = name.split("/", 2)[2]
            if name.startswith("refs/heads/") and short in found:
                continue  # a tag wins over a branch of the same name, as on GitHub
            found[short] = peeled or obj
        return found

    def history(self, branch: str, paths: list[str]) -> list[str]:
        """Every version of the files that the branch's history has had (blob contents)."""
        listing = self._git("log", "--raw", "--no-abbrev", "--no-renames", "--format=", branch, "--", *paths)
        blobs = []
        for line in listing.splitlines():
            fields = line.split()
            if len(fields) >= 6 and fields[3] != "0" * 40 and fields[3] not in blobs:
                blobs.append(fields[3])
        contents = self.files([(blob, "") for blob in blobs])
        return [contents[(blob, "")] for blob in blobs if (blob, "") in contents]

    def source_files(self, branch: str) -> dict[str, str]:
        """path -> text of the code files of the branch (scripts, JavaScript bundles, Go...)."""
        listing = self._git("ls-tree", "-r", "-l", branch)
        wanted = []
        for line in listing.splitlines():
            meta, _, path = line.partition("\t")
            fields = meta.split()
            if len(fields) < 4 or fields[1] != "blob" or not fields[3].isdigit():
                continue
            if "node_modules/" in path or int(fields[3]) > 8_000_000 or not _is_code(path):
                continue
            wanted.append((fields[2], path))
        contents = self.files([(blob, "") for blob, _ in wanted])
        return {path: contents[(blob, "")] for blob, path in wanted if (blob, "") in contents}

    def files(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """(commit, path) -> content, for the ones that exist."""
        if not wanted:
            return {}
        request = "".join(f"{commit}:{path}\n" if path else f"{commit}\n" for commit, path in wanted)
        result = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", "cat-file", "--batch"], input=request.encode(), capture_output=True, check=False
        )
        out, found, pos = result.stdout, {}, 0
        for item in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode()
            pos = end + 1
            if header.endswith(" missing") or " blob " not in header:
                continue
            size = int(header.rsplit(" ", 1)[1])
            found[item] = out[pos : pos + size].decode("utf-8", "replace")
            pos += size + 1
        return found


_CODE_SUFFIXES = (".js", ".cjs", ".mjs", ".ts", ".sh", ".bash", ".py", ".go", ".rb", ".ps1", ".pl")
# `core.setOutput('name', ...)`, `set_output("name"`, `SetOutput("name"`: a literal name...
_SET_OUTPUT = re.compile(r"""\b(?:set_?[oO]utput|SetOutput)\(\s*(?:['"]([A-Za-z_][\w.-]*)['"]|`([A-Za-z_][\w.-]*)`)""")
# ...`echo "name=value" >> $GITHUB_OUTPUT`, `echo "name<<EOF"`, `::set-output name=x::`.
_SHELL_OUTPUT = re.compile(r"""echo\s+(?:-[a-z]+\s+)?["']?(\$?)\{?([A-Za-z_][\w-]*)\}?(?:=|<<)[^\n]*GITHUB_OUTPUT""")
_COMMAND_OUTPUT = re.compile(r"::set-output\s+name=([A-Za-z_][\w-]*)::")


def _is_code(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return path.endswith(_CODE_SUFFIXES) or name.startswith(("entrypoint", "Dockerfile"))


def scan_outputs(files: dict[str, str]) -> list[str]:
    """Output names that the code sets literally. Added to what action.yml declares: a
    JavaScript or Docker action can set outputs it does not declare, and some do. (Names built at
    run time cannot be told from a constant or a helper's parameter, so DYNAMIC_OUTPUTS lists the
    actions known to set them.)"""
    names: dict[str, None] = {}
    for text in files.values():
        for match in _SET_OUTPUT.finditer(text):
            literal = match.group(1) or match.group(2)
            if literal:
                names[literal] = None
        for match in _SHELL_OUTPUT.finditer(text):
            if not match.group(1):
                names[match.group(2)] = None
        for match in _COMMAND_OUTPUT.finditer(text):
            names[match.group(1)] = None
    return list(names)


def _find_git_dir(mirrors: Path, repo: str) -> Path | None:
    owner, name = repo.split("/", 1)
    candidates = []
    for entry in os.listdir(mirrors):
        if entry.lower() == f"{owner}+{name}".lower():
            candidates += [mirrors / entry / "repo" / ".git", mirrors / entry / "repo", mirrors / entry / ".git", mirrors / entry]
        if entry.lower() == owner.lower() and (mirrors / entry).is_dir():
            for sub in os.listdir(mirrors / entry):
                if sub.lower() == name.lower():
                    candidates += [mirrors / entry / sub / ".git", mirrors / entry / sub]
    for candidate in candidates:
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def _ls_remote(repo: str) -> tuple[dict[str, str], str | None]:
    url = f"https://github.com/{repo}"
    result = subprocess.run(["git", "ls-remote", "--symref", url], capture_output=True, text=True, check=False, timeout=120)
    refs, default = {}, None
    for line in result.stdout.splitlines():
        if line.startswith("ref: "):
            target, _, name = line[5:].partition("\t")
            if name == "HEAD":
                default = target.rsplit("/", 1)[-1] if target.startswith("refs/heads/") else None
            continue
        commit, _, name = line.partition("\t")
        if name.startswith("refs/tags/"):
            short = name[len("refs/tags/") :]
            if short.endswith("^{}"):
                refs[short[:-3]] = commit  # the peeled commit of an annotated tag
            else:
                refs.setdefault(short, commit)
        elif name.startswith("refs/heads/"):
            refs.setdefault(name[len("refs/heads/") :], commit)
    return refs, default


def _api_history(repo: str, branch: str, paths: list[str]) -> list[str] | None:
    """The commits of the branch that changed the files, from the GitHub API (GITHUB_TOKEN is
    used when set; None when the API does not answer, e.g. rate-limited)."""
    commits = []
    for path in paths:
        query = urllib.parse.urlencode({"sha": branch, "path": path, "per_page": 100})
        request = urllib.request.Request(f"https://api.github.com/repos/{repo}/commits?{query}")
        if os.environ.get("GITHUB_TOKEN"):
            request.add_header("Authorization", f"Bearer {os.environ['GITHUB_TOKEN']}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - a fixed https host
                commits += [item["sha"] for item in json.load(response)]
        except (urllib.error.URLError, ValueError, KeyError, TypeError):
            return None
    return commits


def _download(repo: str, commit: str, path: str) -> str | None:
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{urllib.parse.quote(path)}"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - a fixed https host
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def collect(args) -> None:
    out = Path(args.out)
    by_repo: dict[str, list[tuple[str, list[str]]]] = collections.defaultdict(list)
    for action, refs in _read_selection(args.selection):
        by_repo["/".join(action.split("/")[:2])].append((action, refs))
    for repo, actions in sorted(by_repo.items()):
        if args.download:
            refs, default = _ls_remote(repo)
            source = None
        else:
            git_dir = _find_git_dir(Path(args.mirrors), repo)
            if git_dir is None:
                print(f"skip {repo}: no clone under {args.mirrors}", file=sys.stderr)
                continue
            source = GitSource(git_dir)
            refs, default = source.refs(), source.default_branch()
        if not refs:
            print(f"skip {repo}: no refs", file=sys.stderr)
            continue
        (out / repo).mkdir(parents=True, exist_ok=True)
        for action, used in actions:
            subpath = action.split("/", 2)[2] if action.count("/") >= 2 else ""
            # The version tags, the default branch, and the branches used in the corpus.
            chosen = [ref for ref in refs if _tag_major(ref, action)]
            chosen += [ref for ref in {default, *used} if ref and ref in refs and ref not in chosen and not version_key(ref)]
            wanted = [(refs[ref], f"{subpath}/{name}".lstrip("/")) for ref in chosen for name in ("action.yml", "action.yaml")]
            if source is not None:
                contents = source.files(wanted)
            else:
                contents = {}
                for commit, path in dict.fromkeys(wanted):
                    text = _download(repo, commit, path)
                    if text is not None:
                        contents[(commit, path)] = text
            seen: set[tuple[str | None, str]] = set()
            written = 0
            for ref in sorted(chosen, key=_ref_order, reverse=True):
                content = contents.get((refs[ref], f"{subpath}/action.yml".lstrip("/")))
                if content is None:
                    content = contents.get((refs[ref], f"{subpath}/action.yaml".lstrip("/")))
                if content is None:
                    continue
                group = _tag_major(ref, action) or "@" + ref
                if (group, content) in seen:
                    continue  # the same file as a newer tag of this major version
                seen.add((group, content))
                target = out / action / ("@" + ref.replace("/", "%2F")) / "action.yml"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
                written += 1
            # Every version the default branch has had, for steps pinned to a bare commit SHA
            # (which may be a commit between tags). Written as `@~<n>`; the build folds them into
            # one spec used only when the version cannot be told.
            paths = [f"{subpath}/{name}".lstrip("/") for name in ("action.yml", "action.yaml")]
            if default and source is not None:
                history = source.history(default, paths)
            elif default:
                commits = _api_history(repo, default, paths)
                history = None if commits is None else [
                    text for commit in dict.fromkeys(commits) for path in paths
                    if (text := _download(repo, commit, path)) is not None
                ]
            else:
                history = None
            for number, content in enumerate(dict.fromkeys(history or [])):
                if ("*", content) in seen:
                    continue
                seen.add(("*", content))
                target = out / action / f"@~{number}" / "action.yml"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
                written += 1
            # What the code sets besides what action.yml declares (a JavaScript or Docker action
            # may set any output): `@outputs.json`, read by the build.
            if default and source is not None:
                names = scan_outputs(source.source_files(default))
                (out / action).mkdir(parents=True, exist_ok=True)
                (out / action / "@outputs.json").write_text(json.dumps({"names": names}), encoding="utf-8")
            print(f"{action}: {written} files{'' if history is not None else ' (no history)'}", file=sys.stderr)


def _ref_order(ref: str):
    """Sort key: versions by their numbers."""
    numbers = [int(part) for part in re.findall(r"\d+", ref)[:6]]
    return (numbers, ref)


# --- build -----------------------------------------------------------------------------------------


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def parse_action(content: str) -> dict | None:
    """The inputs, outputs and runs.using of one action.yml, or None when it does not parse."""
    try:
        data = yaml.load(content, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    inputs = {}
    for name, spec in (data.get("inputs") or {}).items() if isinstance(data.get("inputs"), dict) else []:
        spec = spec if isinstance(spec, dict) else {}
        has_default = spec.get("default") is not None
        deprecated = None
        if "deprecationMessage" in spec:
            message = spec.get("deprecationMessage")
            deprecated = " ".join(str(message).split()) if message is not None else ""
        inputs[str(name)] = {"required": _truthy(spec.get("required")) and not has_default, "default": has_default,
                             "deprecated": deprecated}
    outputs = [str(name) for name in data.get("outputs") or {}] if isinstance(data.get("outputs"), dict) else []
    runs = data.get("runs") if isinstance(data.get("runs"), dict) else {}
    using = str(runs.get("using") or "").strip().lower() or None
    return {"inputs": inputs, "outputs": outputs, "using": using}


def merge(parsed: list[dict]) -> dict:
    """One version's spec from its tags' files, newest first."""
    inputs: dict[str, dict] = {}
    for lowered in dict.fromkeys(name.lower() for item in parsed for name in item["inputs"]):
        declaring = [next((v for n, v in item["inputs"].items() if n.lower() == lowered), None) for item in parsed]
        newest_name = next(n for item in parsed for n in item["inputs"] if n.lower() == lowered)
        newest = next(v for v in declaring if v is not None)
        inputs[newest_name] = {
            "required": all(v is not None and v["required"] for v in declaring),
            "default": newest["default"],
            "deprecated": newest["deprecated"],
        }
    outputs = list(dict.fromkeys(name for item in parsed for name in item["outputs"]))
    return {"inputs": inputs, "outputs": outputs, "using": parsed[0]["using"]}


def compact(action: str, spec: dict, extra_outputs=()) -> dict:
    flags, messages = {}, {}
    for name, value in sorted(spec["inputs"].items(), key=lambda pair: pair[0].lower()):
        required = value["required"] and name not in NOT_REQUIRED.get(action, ())
        flags[name] = (1 if required else 0) | (2 if value["default"] else 0) | (4 if value["deprecated"] is not None else 0)
        if value["deprecated"]:
            messages[name] = value["deprecated"][:300]
    result: dict = {"i": None if action in DYNAMIC_INPUTS else flags}
    if messages and action not in DYNAMIC_INPUTS:
        result["d"] = messages
    outputs = list(spec["outputs"])
    if spec["using"] != "composite":  # a composite action has only the outputs it declares
        outputs += [name for name in extra_outputs if name.lower() not in {known.lower() for known in outputs}]
    result["o"] = None if action in DYNAMIC_OUTPUTS else sorted(outputs, key=str.lower)
    if action in OUTPUT_PREFIXES:
        result["op"] = list(OUTPUT_PREFIXES[action])
    if spec["using"] in ("docker", "composite"):
        result["k"] = spec["using"]  # JavaScript actions (node12 ... node24) are left unmarked
    return result


def _stale(newest: dict, used: list[str], branches: list[str]) -> list[str]:
    """The version keys whose newest release is probably not the one the files show: the usage
    names a later version of that major (so `@v4` now runs newer code than the table has), or a
    later major (so the default branch has moved on too)."""
    stale = set()
    top = max((int(major[1:]) for major in newest), default=None)
    for ref in used:
        numbers = version_tuple(ref)
        if not numbers:
            continue
        major = f"v{numbers[0]}"
        if major in newest and newer_release(numbers, newest[major]):
            stale.add(major)
        elif top is not None and numbers[0] > top:
            stale.add(f"v{top}")
            stale.update(branches)
    return sorted(stale)


def build(args) -> None:
    root = Path(args.directory)
    usage = {action: refs for action, refs in _read_selection(args.usage)} if args.usage else {}
    # action -> ref -> parsed file
    found: dict[str, dict[str, dict]] = collections.defaultdict(dict)
    for path in sorted(root.rglob("action.y*ml")):
        if path.name not in ("action.yml", "action.yaml"):
            continue
        relative = path.parent.relative_to(root).as_posix()
        action, _, ref = relative.rpartition("/")
        if not action or action.count("/") < 1:
            continue
        ref = urllib.parse.unquote(ref[1:]) if ref.startswith("@") else ref
        parsed = parse_action(path.read_text(encoding="utf-8", errors="replace"))
        if parsed is None:
            print(f"skip {path}: does not parse", file=sys.stderr)
            continue
        found[action.lower()][ref] = parsed
    extras: dict[str, list[str]] = {}
    for path in root.rglob("@outputs.json"):
        action = path.parent.relative_to(root).as_posix().lower()
        try:
            extras[action] = list(json.loads(path.read_text(encoding="utf-8")).get("names") or [])
        except (OSError, ValueError, AttributeError):
            continue

    lines = []
    distinct = 0
    for action in sorted(found):
        refs = found[action]
        majors: dict[str, list[tuple[str, dict]]] = collections.defaultdict(list)
        specs: list[dict] = []
        index_of: dict[str, int] = {}
        entry: dict[str, int] = {}

        def intern(spec: dict) -> int:
            key = json.dumps(spec, sort_keys=True)
            if key not in index_of:
                index_of[key] = len(specs)
                specs.append(spec)
            return index_of[key]

        history = [parsed for ref, parsed in sorted(refs.items(), key=lambda pair: _ref_order(pair[0])) if ref.startswith("~")]
        for ref, parsed in refs.items():
            major = _tag_major(ref, action) or (ref if re.fullmatch(r"v\d+", ref) else None)
            if ref.startswith("~"):
                continue
            if major:
                majors[major].append((ref, parsed))
            else:
                entry["@" + ref] = intern(compact(action, parsed, extras.get(action, ())))
        for major, tagged in majors.items():
            tagged.sort(key=lambda pair: _ref_order(pair[0]), reverse=True)
            entry[major] = intern(compact(action, merge([parsed for _, parsed in tagged]), extras.get(action, ())))
        versions = dict(sorted(entry.items(), key=lambda pair: _ref_order(pair[0])))
        newest = {major: max(filter(None, (version_tuple(ref) for ref, _ in tagged)), default=()) for major, tagged in majors.items()}
        stale = _stale(newest, usage.get(action, []), [key for key in versions if key.startswith("@")])
        record = {"v": versions, "n": {major: ".".join(map(str, numbers)) for major, numbers in sorted(newest.items()) if numbers}}
        if stale:
            record["st"] = stale
        if history:
            # Every file the default branch has had, with the tags': for a bare commit SHA.
            branches = [parsed for key, parsed in refs.items() if not key.startswith("~") and not _tag_major(key, action)]
            tags = [parsed for _, tagged in sorted(majors.items(), key=lambda pair: -int(pair[0][1:])) for _, parsed in tagged]
            record["h"] = intern(compact(action, merge(branches + history + tags), extras.get(action, ())))
        record["s"] = specs
        lines.append((action, json.dumps(record, separators=(",", ":"))))
        distinct += len(specs)
    # One action a line, and a first line that indexes them (byte offsets of each entry's value
    # from the start of the second line), so that cicdlint reads the index and then only the
    # entries of the actions a workflow uses; the whole file is still one JSON object.
    body, index, offset = [], {}, 0
    for number, (action, entry) in enumerate(lines):
        line = f"{json.dumps(action)}:{entry}" + ("," if number < len(lines) - 1 else "")
        start = offset + len(json.dumps(action).encode()) + 1
        index[action] = [start, start + len(entry.encode())]
        body.append(line)
        offset += len(line.encode()) + 1
    head = '{"schema":2,"index":' + json.dumps(index, separators=(",", ":")) + ",\n"
    text = head + "\n".join(body) + "\n}\n"
    json.loads(text)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"{len(lines)} actions, {distinct} specs, {len(text.encode())} bytes", file=sys.stderr)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sel = commands.add_parser("select", help="list the most used actions of a corpus")
    sel.add_argument("roots", nargs="+")
    sel.add_argument("--top", type=int, default=100)
    sel.add_argument("--min-uses", type=int, default=1_000_000)
    sel.add_argument("--also", nargs="*", default=[], help="owner/repo[/path] to include anyway")
    sel.set_defaults(run=select)
    col = commands.add_parser("collect", help="copy their action.yml files at every version")
    col.add_argument("selection")
    col.add_argument("--out", required=True)
    source = col.add_mutually_exclusive_group(required=True)
    source.add_argument("--mirrors", help="directory of local clones or bare mirrors")
    source.add_argument("--download", action="store_true", help="git ls-remote + raw.githubusercontent.com")
    col.set_defaults(run=collect)
    bld = commands.add_parser("build", help="write the table")
    bld.add_argument("directory")
    bld.add_argument("-o", "--output", default=str(Path(__file__).resolve().parent.parent / "cicdlint" / "data" / "action-inputs.json"))
    bld.add_argument("--usage", help="the `select` output: versions used later than the files mark a version stale")
    bld.set_defaults(run=build)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
