from __future__ import annotations

import re

from cicdlint import lazyre
from cicdlint.expressions import find_expressions
from cicdlint.model import text
from cicdlint.permissions import job_permissions
from cicdlint.rule import Issue, rule
from cicdlint.shell import parse, strip_wrappers, variable_refs
from cicdlint.yamlpos import Scalar

# Registry -> (what trusted publishing is called there, how to set it up)
_REGISTRIES = {
    "pypi": ("PyPI", "add this workflow as a trusted publisher on pypi.org, grant `id-token: write` and publish with "
                     "pypa/gh-action-pypi-publish without `password` (or `uv publish` / `twine upload` >= 6.1 without a token)"),
    "npm": ("npm", "add this workflow as a trusted publisher on npmjs.com, grant `id-token: write` and run "
                   "`npm publish` with npm >= 11.5.1 and no token"),
    "rubygems": ("RubyGems", "add this workflow as a trusted publisher on rubygems.org, grant `id-token: write` and "
                             "use rubygems/release-gem (or rubygems/configure-rubygems-credentials without `api-token`)"),
    "crates": ("crates.io", "add this workflow as a trusted publisher on crates.io, grant `id-token: write` and get a "
                            "short-lived token from rust-lang/crates-io-auth-action for `cargo publish`"),
    "nuget": ("nuget.org", "add this workflow as a trusted publishing policy on nuget.org, grant `id-token: write` and "
                           "pass the short-lived key from NuGet/login to `dotnet nuget push --api-key`"),
}

# Token environment variables each publishing tool reads.
_TOKEN_ENV = {
    "twine": ("TWINE_PASSWORD",),
    "uv": ("UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"),
    "poetry": ("POETRY_PYPI_TOKEN_PYPI", "POETRY_HTTP_BASIC_PYPI_PASSWORD"),
    "hatch": ("HATCH_INDEX_AUTH",),
    "pdm": ("PDM_PUBLISH_PASSWORD",),
    "maturin": ("MATURIN_PYPI_TOKEN", "MATURIN_PASSWORD"),
    "npm": ("NODE_AUTH_TOKEN", "NPM_TOKEN", "NPM_AUTH_TOKEN", "NPM_CONFIG__AUTH_TOKEN"),
    "gem": ("GEM_HOST_API_KEY", "RUBYGEMS_API_KEY"),
    "cargo": ("CARGO_REGISTRY_TOKEN", "CARGO_REGISTRIES_CRATES_IO_TOKEN"),
    "bun": ("NPM_CONFIG_TOKEN", "NODE_AUTH_TOKEN", "NPM_TOKEN", "BUN_AUTH_TOKEN"),
    "nuget": ("NUGET_API_KEY", "NUGET_AUTH_TOKEN"),
}
_TOOL_REGISTRY = {"twine": "pypi", "uv": "pypi", "poetry": "pypi", "hatch": "pypi", "pdm": "pypi", "maturin": "pypi",
                  "npm": "npm", "gem": "rubygems", "cargo": "crates", "bun": "npm", "nuget": "nuget"}
# Command-line options that take the token.
_TOKEN_FLAGS = {
    "twine": ("-p", "--password"),
    "uv": ("-t", "--token", "-p", "--password"),
    "poetry": ("-p", "--password"),
    "hatch": ("-a", "--auth"),
    "pdm": ("-P", "--password"),
    "maturin": ("-p", "--password"),
    "cargo": ("--token",),
    "gem": ("--key",),
    "npm": (),
    "bun": (),
    "nuget": ("-k", "--api-key", "-ApiKey"),
}
# Options that send the upload to another registry (where trusted publishing may not exist).
_OTHER_REGISTRY_FLAGS = {
    "twine": ("--repository-url", "--repository", "-r"),
    "uv": ("--publish-url", "--index"),
    "poetry": ("--repository", "-r"),
    "hatch": ("--repo", "-r"),
    "pdm": ("--repository", "-r"),
    "maturin": ("--repository-url", "--repository", "-r"),
    "cargo": ("--registry", "--index"),
    "gem": ("--host",),
    "npm": ("--registry",),
    "bun": ("--registry",),
    "nuget": ("-s", "--source", "-Source"),
}
_OTHER_REGISTRY_ENV = {
    "twine": ("TWINE_REPOSITORY_URL", "TWINE_REPOSITORY"),
    "uv": ("UV_PUBLISH_URL",),
    "npm": ("NPM_CONFIG_REGISTRY",),
    "gem": ("RUBYGEMS_HOST",),
    "maturin": ("MATURIN_REPOSITORY_URL",),
}
_OFFICIAL = lazyre.compile(r"^(?:pypi|testpypi|https://(?:upload\.|test\.)?pypi\.org/legacy/?|https://registry\.npmjs\.org/?"
                       r"|https://rubygems\.org/?|crates-io|nuget\.org|https://api\.nuget\.org/v3/index\.json|https://www\.nuget\.org/?)$",
                           re.I)
_DRY_RUN = {"--dry-run", "-n", "--dry"}
_NPM_TOOLS = {"npm", "pnpm", "yarn", "npx", "bunx", "lerna", "changeset", "semantic-release"}


@rule(
    id="use-trusted-publishing",
    kinds=("workflow", "action"),
    severity="warning",
    summary="A package is published with a long-lived registry token where trusted publishing (OIDC) exists",
    tags=("security", "secrets", "supply-chain"),
    security_severity=5.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds package uploads to PyPI, npm, RubyGems, crates.io and nuget.org that authenticate
    with a long-lived API token from secrets. All five registries accept a short-lived token
    minted from the job's OIDC identity instead ("trusted publishing").

    - `pypa/gh-action-pypi-publish` with `password:` (to PyPI or TestPyPI);
    - `twine upload`, `uv publish`, `poetry publish`, `hatch publish`, `pdm publish` and
      `maturin upload` with a token from `TWINE_PASSWORD`, `UV_PUBLISH_TOKEN`,
      `POETRY_PYPI_TOKEN_PYPI`, ... or `-p` / `--token` / `poetry config pypi-token.pypi`;
    - `npm publish` (also pnpm, yarn, lerna, changesets, semantic-release, and
      `changesets/action` / `JS-DevTools/npm-publish`) with `NODE_AUTH_TOKEN` / `NPM_TOKEN`
      from secrets or an `_authToken=` line written from one;
    - `gem push` with `GEM_HOST_API_KEY`, and rubygems/configure-rubygems-credentials with
      `api-token`;
    - `cargo publish` with `--token` or `CARGO_REGISTRY_TOKEN`;
    - `dotnet nuget push` / `nuget push` to nuget.org with `--api-key`, and `bun publish`.

    A publish command whose credentials the workflow does not show at all (a `.pypirc`, an
    `.npmrc` or `~/.gem/credentials` provided by an earlier step or the runner, a token exported
    by a script) is reported at the command with low confidence, unless the job has
    `id-token: write` (the tool may then use trusted publishing by itself).

    The finding is at the token: the input, the `env:` key (once, wherever it is set) or the
    option in the script. Uploads to another registry (`--repository-url`, `--registry`,
    `--index`, setup-node's `registry-url: https://npm.pkg.github.com`, `--host`),
    `--dry-run`s and tokens produced by an earlier step (crates-io-auth-action's output) are
    not reported. When the job already has `id-token: write`, the token is likely a fallback:
    the finding is then low confidence. In a composite action, a token taken from the action's
    inputs is reported with medium confidence (the action's design makes callers use tokens).

    ## Why is this bad?
    A registry token is valid for months or forever and can publish any version of the
    package, from anywhere. Stolen from a CI log, a compromised build dependency or an
    exposed secret, it lets an attacker push a malicious release to every user of the package;
    worms such as Shai-Hulud spread exactly that way, by harvesting npm tokens. A trusted
    publishing token is minted for one run, expires within minutes, and the registry only
    issues it to the repository and workflow (and environment) you named.

    ## Example
    ```yaml
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/download-artifact@v4
            with:
              name: dist
              path: dist/
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              password: ${{ secrets.PYPI_API_TOKEN }}
    ```

    ## Use instead
    ```yaml
    jobs:
      publish:
        runs-on: ubuntu-latest
        environment: pypi
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@v4
            with:
              name: dist
              path: dist/
          - uses: pypa/gh-action-pypi-publish@release/v1
    ```
    Register the repository, workflow file and environment as a trusted publisher in the
    registry's project settings, grant `id-token: write` to the publishing job only, then
    remove the token input and revoke the token.
    """
    steps = ctx.steps()
    publishing: dict[int, set[str]] = {}  # id(job) -> registries its scripts and actions publish to
    for step in steps:
        group = id(step.job) if step.job is not None else 0
        if group not in publishing:
            siblings = step.job.steps if step.job is not None else steps
            publishing[group] = {registry for other in siblings for registry in _publishes(other)}
        for issue in _step(ctx, step, publishing[group]):
            if step.job is None and "`inputs." in issue.message:
                issue.confidence = "medium"  # a composite action that takes a token from its caller
            if step.job is not None and issue.confidence is None and _has_id_token(step.job):
                issue.confidence = "low"
                issue.message += (" The job already has `id-token: write`; once trusted publishing works, remove "
                                  "the token and revoke it.")
            yield issue


def _has_id_token(job) -> bool:
    return job_permissions(job.workflow, job).level("id-token") == "write"


def _fix(registry: str) -> str:
    name, how = _REGISTRIES[registry]
    return f"Use {name} trusted publishing instead of a long-lived token: {how}."


def _secret_names(value: str, env: dict | None = None, inputs: bool = False) -> list[str]:
    """Secrets whose text an env / input value passes on (directly or through `env.X`); in a
    composite action (`inputs=True`), also the action's inputs (`inputs.X`), which its caller fills."""
    names = []
    for expr in find_expressions(value):
        for path in expr.flowing_contexts():
            if path.startswith("secrets."):
                name = path.split(".", 2)[1]
                if name.upper() != "GITHUB_TOKEN":
                    names.append(name)
            elif env is not None and path.startswith("env.") and path.split(".", 2)[1] in env:
                var = env[path.split(".", 2)[1]]
                if isinstance(var.value, Scalar):
                    names.extend(_secret_names(var.value.value, None, inputs))
            elif inputs and path.startswith("inputs."):
                names.append(path)
    return names


def _step_secrets(step, value: str) -> list[str]:
    """_secret_names() of a value in the step (its env; its action's inputs in a composite action)."""
    return _secret_names(value, step.env, step.job is None)


def _env_secrets(step, name: str):
    """(EnvVar, secret names) when the step's environment sets `name` from a secret, else (None, [])."""
    var = step.env.get(name)
    if var is not None and isinstance(var.value, Scalar):
        secrets = _step_secrets(step, var.value.value)
        if secrets:
            return var, secrets
    return None, []


def _token_env(step, names: tuple[str, ...]):
    """(EnvVar, secret names) for the first of `names` the step's environment sets from a secret."""
    for name in names:
        var, secrets = _env_secrets(step, name)
        if var is not None:
            return var, secrets
    return None, []


def _label(secrets: list[str]) -> str:
    name = secrets[0]
    return f"`{name}`" if name.startswith("inputs.") else f"`secrets.{name}`"


def _target(step) -> str:
    """The action a step uses, lower case and without its ref ("" for `run:` steps)."""
    return (text(step.node.get("uses")) or "").split("@", 1)[0].lower()


def _step(ctx, step, publishing: set[str]):
    target = _target(step)
    if target:
        yield from _action(step, target)
        return
    for scalar, where in step.scripts():
        if where == "run":
            yield from _script(ctx, step, scalar, publishing)


_PUBLISH_ACTIONS = {"pypa/gh-action-pypi-publish": "pypi", "pyo3/maturin-action": "pypi",
                    "js-devtools/npm-publish": "npm", "changesets/action": "npm", "katyo/publish-crates": "crates"}


def _publishes(step) -> set[str]:
    """Registries the step uploads to (public ones only)."""
    target = _target(step)
    if target in _PUBLISH_ACTIONS:
        return {_PUBLISH_ACTIONS[target]}
    if target.startswith("rubygems/"):
        return {"rubygems"}
    found = set()
    for scalar, where in step.scripts():
        if where != "run" or not _MAY_PUBLISH.search(scalar.value):
            continue
        for command in parse(scalar.value):
            values = [word.value for word in strip_wrappers(command.words)]
            tool = _publish_tool(values)
            if tool is not None and not _elsewhere(step, tool, values):
                found.add(_TOOL_REGISTRY[tool])
    return found


# --- actions --------------------------------------------------------------------------------------


# Actions that take the registry token as an input: (registry, token input, inputs naming another
# registry, what the token can do).
_TOKEN_INPUT_ACTIONS = {
    "pypa/gh-action-pypi-publish": ("pypi", "password", ("repository-url", "repository_url"),
                                    "a PyPI API token that can upload any release"),
    "js-devtools/npm-publish": ("npm", "token", ("registry",), "an npm token that can publish any version"),
    "rubygems/configure-rubygems-credentials": ("rubygems", "api-token", ("gem-server",),
                                                "a RubyGems API key that can push any version"),
    "katyo/publish-crates": ("crates", "registry-token", (), "a crates.io token that can publish any version"),
}


def _action(step, target: str):
    if target in _TOKEN_INPUT_ACTIONS:
        yield from _token_input(step, *_TOKEN_INPUT_ACTIONS[target])
    elif target == "changesets/action":
        if step.input("publish") is None:
            return
        var, secrets = _token_env(step, ("NPM_TOKEN", "NODE_AUTH_TOKEN"))
        if var is not None and not _npm_registry_elsewhere(step):
            yield Issue(var.key, f"{_fix('npm')} changesets/action publishes with `{var.name}` from "
                                 f"{_label(secrets)}, an npm token that can publish any version until it is revoked.")
    elif target == "pyo3/maturin-action":
        command = step.input("command")
        if command is None or command.value.strip() not in ("upload", "publish"):
            return
        args = step.input("args")
        if args is not None and re.search(r"--repository|-r\b", args.value):
            return
        var, secrets = _token_env(step, _TOKEN_ENV["maturin"])
        if var is not None:
            yield Issue(var.key, f"{_fix('pypi')} maturin uploads with `{var.name}` from {_label(secrets)}, a PyPI "
                                 f"API token that can upload any release until it is revoked.")


def _token_input(step, registry: str, token_input: str, registry_inputs: tuple[str, ...], power: str):
    for name in registry_inputs:
        other = step.input(name)
        if other is not None and not _OFFICIAL.match(other.value.strip()):
            return  # publishes somewhere else
    if _true(step.input("dry-run")):
        return
    key, value = step.with_.item(token_input) if step.with_ is not None else (None, None)
    if key is None or not isinstance(value, Scalar):
        return
    secrets = _step_secrets(step, value.value)
    if secrets:
        yield Issue(key, f"{_fix(registry)} `{token_input}` is {_label(secrets)}, {power} until it is revoked.")


def _true(node) -> bool:
    return node is not None and node.value.strip().lower() == "true"


def _npm_registry_elsewhere(step) -> bool:
    """Does setup-node in this job point npm at another registry (GitHub Packages, a mirror)?"""
    if step.job is None:
        return False
    for other in step.job.steps:
        if other.uses_action("actions/setup-node"):
            url = other.input("registry-url")
            if url is not None and not _OFFICIAL.match(url.value.strip()):
                return True
    return False


# --- scripts --------------------------------------------------------------------------------------


def _publish_tool(words: list[str]) -> str | None:
    """The tool a command publishes with (a key of _TOKEN_ENV), or None."""
    if not words:
        return None
    base = words[0].rsplit("/", 1)[-1]
    if base in ("python", "python3", "py") and len(words) > 2 and words[1] == "-m":
        words, base = words[2:], words[2]
    if any(word in _DRY_RUN for word in words):
        return None
    names = [word.rsplit("/", 1)[-1] for word in words]
    if "twine" in names:
        return "twine" if "upload" in words[names.index("twine") + 1 :] else None
    return _publish_command(base, words[1:]) or _npm_release_tool(base, words[1:])


def _publish_command(base: str, rest: list[str]) -> str | None:
    """`uv publish`, `maturin upload`, `gem push`, `cargo publish`, `npm publish`..."""
    if base in ("uv", "poetry", "hatch", "pdm") and rest[:1] == ["publish"]:
        return base
    if base == "uv" and "publish" in rest and "--trusted-publishing" not in rest:
        return "uv" if rest.index("publish") <= 2 else None
    if base == "maturin" and rest[:1] in (["upload"], ["publish"]):
        return "maturin"
    if base == "gem" and rest[:1] == ["push"]:
        return "gem"
    if base == "cargo" and "publish" in rest[:3]:
        return "cargo"
    if base in ("npm", "pnpm") and "publish" in rest[:3] and rest[:1] not in (["dlx"], ["exec"], ["x"]):
        return "npm"  # not `pnpm dlx pkg-pr-new publish`: that publishes a preview elsewhere
    if base == "bun" and rest[:1] in (["publish"], ["pm"]) and "publish" in rest[:2]:
        return "bun"
    if base == "dotnet" and rest[:2] == ["nuget", "push"]:
        return "nuget"
    if base in ("nuget", "nuget.exe") and rest[:1] == ["push"]:
        return "nuget"
    if base == "yarn" and (rest[:1] == ["publish"] or rest[:2] == ["npm", "publish"]):
        return "npm"
    return None


def _npm_release_tool(base: str, rest: list[str]) -> str | None:
    """semantic-release, changesets and lerna, also run through `npx` / `pnpm exec` / `yarn dlx`."""
    if base in ("npx", "bunx", "pnpx") or (base in ("pnpm", "yarn") and rest[:1] in (["exec"], ["dlx"])):
        tail = [word for word in (rest[1:] if base in ("pnpm", "yarn") else rest) if not word.startswith("-")]
        base, rest = (tail[0] if tail else ""), tail[1:]
    if base == "semantic-release" or base.startswith("semantic-release@"):
        return "npm"
    if base in ("changeset", "@changesets/cli", "lerna") and rest[:1] == ["publish"]:
        return "npm"
    return None


_MAY_PUBLISH = lazyre.compile(r"publish|upload|\bpush\b|semantic-release")


def _script(ctx, step, scalar, publishing: set[str]):
    script = scalar.value
    if not _MAY_PUBLISH.search(script) and not _CONFIG.search(script):
        return
    commands = parse(script)
    config_tokens = list(_config_tokens(ctx, step, scalar, commands))
    publishes_here = set()
    assigned = {}  # NAME -> the `NAME=value` word of `export NAME=value` / `NAME=value` earlier in the script
    for command in commands:
        words = strip_wrappers(command.words)
        values = [word.value for word in words]
        _remember_assignments(command, words, assigned)
        tool = _publish_tool(values)
        if tool is None or _elsewhere(step, tool, values):
            continue
        registry = _TOOL_REGISTRY[tool]
        publishes_here.add(registry)
        inline = [issue for issue in _command_tokens(ctx, step, scalar, command, words, tool, assigned) if issue]
        if inline:
            yield from inline
            continue
        var, secrets = _token_env(step, _TOKEN_ENV[tool])
        if var is not None:
            yield Issue(var.key, f"{_fix(registry)} `{_command_label(tool, values)}` authenticates with `{var.name}` from "
                                 f"{_label(secrets)}, {_LONG_LIVED}")
            continue
        here = [issue for found, issue in config_tokens if found == registry]
        yield from here
        if not here and not _credentials_visible(ctx, step, tool, registry, command, words, assigned):
            yield _unseen_credentials(ctx, step, scalar, words, tool, values)
    # a token written to a config file here, for a publish in another step of the job
    for registry, issue in config_tokens:
        if registry in publishing and registry not in publishes_here:
            yield issue


def _remember_assignments(command, words, assigned: dict) -> None:
    """Record `NAME=value` (a command of its own) and `export NAME=value` words in `assigned`."""
    if not words:
        for word in command.assignments:
            assigned[word.text.partition("=")[0]] = word
    elif words[0].value in ("export", "declare", "typeset", "readonly"):
        for word in words[1:]:
            if "=" in word.text and not word.text.startswith("-"):
                assigned[word.text.partition("=")[0]] = word


def _command_tokens(ctx, step, scalar, command, words, tool: str, assigned: dict):
    """Issues (or None) for tokens the publish command gets inline."""
    registry = _TOOL_REGISTRY[tool]
    # `-p TOKEN`, `--token=TOKEN`
    for index, word in enumerate(words):
        flag, _, attached = word.value.partition("=")
        if flag not in _TOKEN_FLAGS[tool]:
            continue
        arg = words[index + 1] if not attached and index + 1 < len(words) else (word if attached else None)
        if arg is not None:
            yield _inline_token(ctx, step, scalar, arg, registry, f"`{flag}`")
    # `VAR=token cmd`, or `export VAR=token` before it
    prefixed = {word.text.partition("=")[0]: word for word in command.assignments}
    for name, assignment in {**assigned, **prefixed}.items():
        if name in _TOKEN_ENV[tool]:
            yield _inline_token(ctx, step, scalar, assignment, registry, f"`{name}`")


_VERBS = {"publish", "upload", "push"}


def _command_label(tool: str, values: list[str]) -> str:
    """`twine upload`, `npm publish`, `npx semantic-release`: the tool and its verb."""
    shown = []
    if "twine" in values:
        values = values[values.index("twine"):]
    for value in values:
        if value.startswith("-") or "$" in value or "/" in value:
            continue
        shown.append(value)
        if value in _VERBS or value.endswith("semantic-release") or len(shown) == 4:
            break
    return " ".join(shown) or tool


def _elsewhere(step, tool: str, values: list[str]) -> bool:
    """Does the command (or its environment) upload to a registry other than the public one?"""
    flags = _OTHER_REGISTRY_FLAGS[tool]
    for index, value in enumerate(values):
        flag, _, attached = value.partition("=")
        if flag in flags:
            target = attached or (values[index + 1] if index + 1 < len(values) else "")
            if not _OFFICIAL.match(target.strip()):
                return True
    for name in _OTHER_REGISTRY_ENV.get(tool, ()):
        var = step.env.get(name)
        if var is not None and isinstance(var.value, Scalar) and not _OFFICIAL.match(var.value.value.strip()):
            return True
    return tool == "npm" and _npm_registry_elsewhere(step)


_LONG_LIVED = "a long-lived token that can publish any version until it is revoked."


def _credentials_visible(ctx, step, tool: str, registry: str, command, words, assigned: dict) -> bool:
    """Does the workflow show where the publish command's credentials come from, or can they be
    trusted publishing? True when a token option or token variable is given (from a secret or
    not: a step output is a short-lived token), when the job writes the registry's token to a
    config file from a secret, or when the job has `id-token: write` (npm >= 11.5.1, twine >= 6.1
    and uv then use trusted publishing by themselves)."""
    flags = _TOKEN_FLAGS[tool]
    if any(word.value.partition("=")[0] in flags for word in words):
        return True
    names = _TOKEN_ENV[tool]
    if any(word.text.partition("=")[0] in names for word in command.assignments) or any(name in assigned for name in names):
        return True
    if any(name in step.env for name in names):
        return True
    if step.job is not None:
        if _has_id_token(step.job):
            return True
        if registry in _configured(ctx, step.job):
            return True
    return False


def _configured(ctx, job) -> set[str]:
    """Registries whose token some step of the job writes to a config file from a secret."""
    from cicdlint.notions import _memo

    def compute():
        found = set()
        for other in job.steps:
            for scalar, where in other.scripts():
                if where == "run" and _CONFIG.search(scalar.value):
                    found.update(registry for registry, _ in _config_tokens(ctx, other, scalar, parse(scalar.value)))
        return found

    return _memo(job, "trusted-publishing-configured", compute)


def _unseen_credentials(ctx, step, scalar, words, tool: str, values: list[str]):
    registry = _TOOL_REGISTRY[tool]
    label = _command_label(tool, values)
    end = next((word.end for word in words if word.value in _VERBS), words[-1].end)
    note = ""
    if tool == "bun":
        note = " (bun cannot use npm trusted publishing yet: publish with `npm publish`)"
    name, how = _REGISTRIES[registry]
    return Issue(
        ctx.locate(scalar, words[0].start, end - words[0].start),
        f"`{label}` publishes to {name} with credentials this workflow does not show (set up by an earlier step, "
        f"a file or the runner): most likely a long-lived token, since the job has no `id-token: write` for "
        f"trusted publishing. Use {name} trusted publishing instead{note}: {how}.",
        confidence="low",
    )


def _inline_token(ctx, step, scalar, word, registry: str, what: str):
    """An Issue for a token given on the command line."""
    found = _secret_in(ctx, step, scalar, word.start, word.end)
    if found is None:
        return None
    where, shown = found
    return Issue(where, f"{_fix(registry)} {what} is {shown}, {_LONG_LIVED}")


def _secret_in(ctx, step, scalar, start: int, end: int):
    """(where to report, how to name it) for the first secret in script[start:end]: `${{ secrets.X }}`
    (at the expression) or `$VAR` where the step's environment sets VAR from a secret (at the env key)."""
    part = scalar.value[start:end]
    for expr in find_expressions(part):
        secrets = _step_secrets(step, part[expr.start : expr.end])
        if secrets:
            return ctx.locate(scalar, start + expr.start, expr.length), _label(secrets)
    for name, _, _, is_length in variable_refs(part):
        var, secrets = (None, []) if is_length else _env_secrets(step, name)
        if var is not None:
            return var.key, f"`${name}`, set from {_label(secrets)}"
    return None


_CONFIG = lazyre.compile(
    r"(?P<npm>_authToken\s*=)|(?P<pypi>pypi-token\.(?:pypi|testpypi))|(?P<rubygems>rubygems_api_key)"
    r"|(?P<crates>cargo\s+login)"
)


def _config_tokens(ctx, step, scalar, commands):
    """Tokens written to a tool's config in the script: `npm config set //registry.npmjs.org/:_authToken`,
    `echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc`, `poetry config pypi-token.pypi`,
    `:rubygems_api_key:` in ~/.gem/credentials, `cargo login TOKEN` -> (registry, Issue)."""
    script = scalar.value
    for command in commands:
        begin = command.words[0].start if command.words else command.start
        end = command.heredoc[1] if command.heredoc else command.end
        part = script[begin:end]
        match = _CONFIG.search(part)
        if not match:
            continue
        registry = match.lastgroup
        if registry == "npm" and "registry.npmjs.org" not in part and "//" in part[: match.start()]:
            continue  # a token for another registry (npm.pkg.github.com, a mirror)
        found = _secret_in(ctx, step, scalar, begin + match.start(), end)
        if found is not None:
            where, shown = found
            yield registry, Issue(where, f"{_fix(registry)} The script configures {shown}, {_LONG_LIVED}")
