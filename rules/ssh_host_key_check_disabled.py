from __future__ import annotations

import re

from cicdlint import lazyre
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

# `StrictHostKeyChecking=no`, `-oStrictHostKeyChecking=no`, `"StrictHostKeyChecking no"`,
# `UserKnownHostsFile=/dev/null`, `ANSIBLE_HOST_KEY_CHECKING=False`.
_OPTION = lazyre.compile(
    r"(?:\b|(?<=-o))StrictHostKeyChecking(?:\s*=\s*|[ \t]+)[\"']?(?:no|off)\b"
    r"|(?:\b|(?<=-o))UserKnownHostsFile(?:\s*=\s*|[ \t]+)[\"']?/dev/null\b"
    r"|\bANSIBLE_HOST_KEY_CHECKING\s*[=:]\s*[\"']?(?:false|no|0)\b",
    re.I,
)
_ANSIBLE = "ANSIBLE_HOST_KEY_CHECKING"
_FALSY = {"false", "no", "off", "0", "n"}
_TRUTHY = {"true", "yes", "on", "1", "y"}
_NEGATED_NAME = lazyre.compile(r"skip|ignore|disable|insecure|nocheck|no(?=stricthost|hostkey)")


@rule(
    id="ssh-host-key-check-disabled",
    kinds=("workflow", "action"),
    severity="warning",
    summary="SSH host key checking is turned off",
    tags=("security", "network"),
    security_severity=5.5,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds places that turn off the check of the server's SSH host key:

    - `StrictHostKeyChecking=no` (or `off`, or `StrictHostKeyChecking no`) and
      `UserKnownHostsFile=/dev/null` anywhere in a `run:` script or SSH action `script:`:
      `ssh -o ...`, `scp -o ...`, `rsync -e "ssh -o ..."`, `GIT_SSH_COMMAND="ssh -o ..."`,
      `git config core.sshCommand ...`, or a line written into `~/.ssh/config`;
    - the same text in an `env:` value (workflow, job or step) or in any action input
      (`ssh-options`, `args`, `SSH_CMD_ARGS`...);
    - `ANSIBLE_HOST_KEY_CHECKING` set to `False` in `env:` or a script;
    - an action input about host keys that turns checking off: a name containing
      `host_key` / `hostkey` / `strict_host` with a false value (`strict_host_key_checking:
      false`), or one that says it skips the check (`skip_host_key_check: true`).

    Lines commented out with `#` are not reported, nor `StrictHostKeyChecking=accept-new`
    (trust on first use, which still refuses a changed key) or `yes`, nor values that come
    from an expression. `ssh-keyscan host >> ~/.ssh/known_hosts` is not reported either,
    although it trusts whatever key answers the first time: compare the result with a
    known fingerprint.

    ## Why is this bad?
    The host key is how ssh knows it talks to your server and not to whoever answers at that
    address. With the check off, anyone who can redirect the connection (DNS, a compromised
    network on a self-hosted runner, a reused IP address) receives the deploy session: the
    files and commands you send, and often a forwarded agent or a password. They can also
    feed back what the job then trusts, such as a build artifact.

    ## Example
    ```yaml
    steps:
      - name: Deploy
        run: |
          echo "${{ secrets.DEPLOY_KEY }}" > key && chmod 600 key
          rsync -az -e "ssh -i key -o StrictHostKeyChecking=no" dist/ deploy@app.example.com:/srv/app
    ```

    ## Use instead
    ```yaml
    steps:
      - name: Deploy
        env:
          KNOWN_HOSTS: ${{ secrets.DEPLOY_KNOWN_HOSTS }}
        run: |
          install -m 700 -d ~/.ssh
          echo "$KNOWN_HOSTS" > ~/.ssh/known_hosts
          echo "${{ secrets.DEPLOY_KEY }}" > key && chmod 600 key
          rsync -az -e "ssh -i key" dist/ deploy@app.example.com:/srv/app
    ```
    Store the server's host key line (from `ssh-keyscan`, checked against the fingerprint the
    server's console shows) in a secret or in the repository, write it to `known_hosts`, and
    keep host key checking on. SSH actions take it as an input (`fingerprint` for
    `appleboy/ssh-action`, `known_hosts` for others).
    """
    seen: set[int] = set()  # scalars reported through a shared env (one node, many steps)

    def scan(scalar):
        if not isinstance(scalar, Scalar) or not isinstance(scalar.value, str) or id(scalar) in seen:
            return
        seen.add(id(scalar))
        value = scalar.value
        if "host" not in value.lower():
            return
        for match in _OPTION.finditer(value):
            if _commented(value, match.start()):
                continue
            yield Issue(ctx.locate(scalar, match.start(), match.end() - match.start()), _message(match.group(0)))

    def scan_env(node):
        env = as_map(node)
        if env is None:
            return
        for name, key, value in env.items():
            if name == _ANSIBLE and isinstance(value, Scalar) and str(value.value).strip().lower() in _FALSY:
                yield Issue(value, _message(f"{_ANSIBLE}: {value.value}"))
            else:
                yield from scan(value)

    if doc.kind == "workflow":
        workflow = ctx.workflow
        yield from scan_env(workflow.node.get("env"))
        for job in workflow.jobs:
            yield from scan_env(job.node.get("env"))
    for step in ctx.steps():
        yield from scan_env(step.node.get("env"))
        for scalar, _where in step.scripts():
            yield from scan(scalar)
        inputs = step.with_
        if inputs is None:
            continue
        scripts = {id(scalar) for scalar, _ in step.scripts()}
        for name, key, value in inputs.items():
            if not isinstance(value, Scalar) or id(value) in scripts:
                continue
            switch = _switch_input(name, value)
            if switch:
                seen.add(id(value))
                yield Issue(value, _message(f"{name}: {value.value}", input_name=name))
            else:
                yield from scan(value)


def _switch_input(name: str, value: Scalar) -> bool:
    """An input about host key checking whose value turns the check off."""
    normalised = re.sub(r"[-_ ]", "", name.lower())
    if "hostkey" not in normalised and "stricthost" not in normalised:
        return False
    written = str(value.value).strip().lower()
    if "${{" in written:
        return False
    if _NEGATED_NAME.search(normalised):
        return written in _TRUTHY
    return written in _FALSY


def _commented(text: str, offset: int) -> bool:
    """Is the match on a line that is a shell / ssh_config comment?"""
    line_start = text.rfind("\n", 0, offset) + 1
    return text[line_start:offset].lstrip().startswith("#")


def _message(found: str, input_name: str | None = None) -> str:
    if input_name is not None:
        what = f"The input `{found}` turns off the check of the server's host key"
    elif found.upper().startswith(_ANSIBLE):
        what = f"`{found}` makes Ansible connect to any host key"
    elif found.lower().startswith("userknownhostsfile"):
        what = f"`{found}` throws away the known host keys, so any server key is accepted"
    else:
        what = f"`{found}` makes ssh accept any server key"
    return (
        "Pin the server's host key in known_hosts (from a secret, or `ssh-keyscan` checked against "
        f"its fingerprint) and keep host key checking on. {what}: whoever answers at that address "
        "gets the session."
    )
