from __future__ import annotations

import fnmatch

from cicdlint import lazyre, links, shell
from cicdlint.images import ImageRef, is_latest, parse_image
from cicdlint.model import text
from cicdlint.notions import is_deploy_job, is_deploy_step
from cicdlint.rule import Issue, rule

_MAY_DEPLOY = lazyre.compile(r"docker|podman|kubectl|helm|ssh")
_HELM_LATEST = ImageRef(None, "", "latest", None)  # a `--set image.tag=latest`
RENDER_ACTION = links.RENDER_ACTION

# Deploy actions and the input that names the image they deploy.
IMAGE_INPUTS = {
    RENDER_ACTION: ("image",),
    "google-github-actions/deploy-cloudrun": ("image",),
    "azure/k8s-deploy": ("images",),
}

# `docker run` / `podman run` options: the long ones that take no value, and the short letters
# with and without one. Any other `--long` option takes a value unless written `--opt=value`.
_RUN_FLAGS = {
    "--detach", "--interactive", "--tty", "--rm", "--privileged", "--init", "--publish-all",
    "--read-only", "--oom-kill-disable", "--no-healthcheck", "--disable-content-trust", "--quiet",
    "--sig-proxy", "--help", "--replace", "--no-hosts",
}
_RUN_SHORT_FLAGS = set("dilPqt")
_SERVICE_CREATE_FLAGS = {
    "--detach", "--init", "--no-healthcheck", "--no-resolve-image", "--quiet", "--read-only",
    "--tty", "--with-registry-auth", "--help",
}
_SERVICE_CREATE_SHORT_FLAGS = set("dqt")
# OpenSSH options that take a value (`-i key`, `-p 22`, `-o Opt=x`).
_SSH_VALUE_LETTERS = set("BbcDEeFIiJLlmOoPpQRSWw")
_KUBECTL_GLOBAL_VALUES = {
    "-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server",
    "--token", "--as", "--as-group", "--request-timeout", "-v", "--certificate-authority",
}
_HELM_GLOBAL_VALUES = {"-n", "--namespace", "--kube-context", "--kubeconfig", "--registry-config"}
_DOCKER_GLOBAL_VALUES = {
    "-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert", "--tlscert",
    "--tlskey", "--url", "--connection", "--remote", "--identity",
}
_SUDO_VALUES = {"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "--user", "--group"}
_SHELLS = {"bash", "sh", "zsh", "dash", "ash"}


@rule(
    id="latest-image-in-production",
    kinds=("workflow", "action", "taskdef"),
    severity="error",
    summary="Deployed container image is `:latest` or has no tag or digest",
    tags=("deployment", "supply-chain", "reliability"),
)
def check(doc, ctx):
    """## What it does
    Finds container images that are deployed as `:latest`, or with no tag and no digest (which
    Docker reads as `:latest`):

    - the `image` of a container in an ECS task definition (RegisterTaskDefinition input or
      `describe-task-definition` output);
    - the `image` input of `aws-actions/amazon-ecs-render-task-definition` and
      `google-github-actions/deploy-cloudrun`, and the `images` of `azure/k8s-deploy`;
    - in the `run:` scripts of a deploy job and the `script:` of an SSH action:
      `kubectl set image deploy/api api=repo:latest`, `kubectl run` / `kubectl create deployment`
      with `--image`, `docker run -d IMAGE` (also `podman`), `docker service create IMAGE`,
      `docker service update --image IMAGE`, and `helm upgrade`/`helm install` with
      `--set image.tag=latest` (or `--set-string`, or inside a comma list), including commands
      sent to a server with `ssh host "..."` or an `ssh host <<EOF` heredoc.

    It is an error in a production context: a job whose environment is production (else whose
    workflow file name says so), or a task definition whose family or file path says so
    (`prod`, `production`, `prd`, `live` as a word; see `production-patterns`). Elsewhere it is a
    warning, and the message says the deploy is not (or may not be) production.

    `docker run` counts only where the container outlives the job: on a server reached over
    SSH, through `DOCKER_HOST` or `docker -H`/`--context`, or on a self-hosted runner. On a
    GitHub-hosted runner it starts a throwaway container.

    Not reported: images pinned by a digest (even `name:latest@sha256:...`); images whose tag
    comes from a placeholder (`app:${{ github.sha }}`, `<IMAGE1_NAME>`, `${IMAGE}`); pushing,
    building or tagging `:latest` (`docker push`, `docker tag`, `docker build -t x:latest`); a
    `docker pull x:latest` on its own (pulling is not running: the `docker run` that follows is
    what is checked); a `docker run --rm` without `-d`, which runs a one-off tool, not a
    service; an image built or tagged earlier on the same machine (`docker build -t app .` then
    `docker run -d app` runs the image just built); `kubectl run --rm`, `--dry-run`,
    `kubectl set image --local` and `helm template`, which deploy nothing; `docker run` in a
    job that does not deploy (tests); `kubectl`/`helm` in a job that creates its own cluster
    on the runner (kind, minikube, k3d), and `docker service` after `docker swarm init`; the
    `services:` and `container:` images of a job; a task definition container whose image a
    workflow of the same repository replaces with `amazon-ecs-render-task-definition` (same
    file, same `container-name`): the image in the file is then only a placeholder.

    ## Why is this bad?
    `:latest` is a moving pointer: every push re-points it. A deploy of `:latest` runs whatever
    was pushed last, which may not be the commit that passed this pipeline's tests. Two tasks
    started minutes apart can run different code, ECS or Kubernetes may replace a task with a
    newer image during a scale-out, and a rollback to "the previous task definition" rolls back
    to the same `:latest` and changes nothing. You also cannot tell from the deploy which
    version is running.

    ## Example
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: aws-actions/amazon-ecs-render-task-definition@v1
            with:
              task-definition: task-definition.json
              container-name: api
              image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:latest
          - run: kubectl set image deployment/api api=ghcr.io/acme/api:latest
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: aws-actions/amazon-ecs-render-task-definition@v1
            with:
              task-definition: task-definition.json
              container-name: api
              image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:${{ github.sha }}
          - run: kubectl set image deployment/api api=ghcr.io/acme/api:${{ github.sha }}
    ```
    Tag each image with something that never moves (the git commit SHA, or a release version)
    and deploy that tag, or deploy by digest (`repo@sha256:...`). Pushing a `:latest` tag as
    well for humans is fine; only what is deployed matters.
    """
    if doc.kind == "taskdef":
        yield from _taskdef(doc, ctx)
        return
    built_on_runner: dict[int, set[str]] = {}
    contexts: dict[int, tuple | None] = {}
    throwaway: dict[int, set[str]] = {}
    for step in ctx.steps():
        job = step.job
        job_steps = job.steps if job is not None else ctx.steps()  # a composite action: all its steps
        if id(job) not in contexts:  # one per job (per action)
            contexts[id(job)] = _step_context(doc, ctx, step)
            throwaway[id(job)] = _throwaway_targets(job_steps)
        context = contexts[id(job)]
        if context is None:
            continue
        for node, offset, length, image, what in _step_images(step):
            ref = _HELM_LATEST if what == "helm" else parse_image(image)
            if not is_latest(ref) or what in throwaway[id(job)]:
                continue
            if what == "docker run (runner)":
                # A self-hosted runner that builds `app` in one step and runs it in another.
                if id(job) not in built_on_runner:
                    built_on_runner[id(job)] = _built_images(job_steps)
                if _image_key(ref) in built_on_runner[id(job)]:
                    continue
            where = ctx.locate(node, offset, length) if offset is not None else node
            yield _issue(where, image, ref, what, *context)


# --- ECS task definitions ------------------------------------------------------------------------


def _taskdef(doc, ctx):
    taskdef = ctx.taskdef
    family = taskdef.family
    production = ctx.production.matches(family, doc.path)
    if production:
        context = ("error", "production", None)
    elif family:
        context = ("warning", "other", f"This task definition is not production (family '{family}')")
    else:
        context = (
            "warning",
            "other",
            "Nothing marks this task definition as production (no family, and the file path does not say so)",
        )
    rendered = None
    for container in taskdef.containers:
        node = container.image
        if node is None:
            continue
        ref = parse_image(node.value)
        if not is_latest(ref):
            continue
        if rendered is None:
            rendered = ctx.repo.rendered_containers(doc)
        if any(fnmatch.fnmatchcase(container.name or "", name) for name in rendered):
            continue  # a render step puts the image it built into this container
        yield _issue(node, node.value, ref, "taskdef", *context)


# --- workflows and actions -----------------------------------------------------------------------


def _step_context(doc, ctx, step):
    """(severity, kind, reason) for an image deployed by this step, or None: not a deploy."""
    job = step.job
    if job is None:  # a composite action: the caller decides where it deploys
        if not any(is_deploy_step(other) for other in ctx.steps()):
            return None
        if ctx.production.matches(doc.path):
            return ("error", "production", None)
        return ("warning", "maybe", "This action may deploy to production (its caller decides where)")
    if not is_deploy_job(job):
        return None
    environment = job.environment_name
    if ctx.production.job(job):
        return ("error", "production", None)
    if ctx.production.job_environment_is_dynamic(job):
        return ("warning", "maybe", f"This job may deploy to production (its environment is `{environment}`)")
    if environment:
        return ("warning", "other", f"This deploy is not production (the job's environment is '{environment}')")
    return (
        "warning",
        "other",
        "Nothing marks this deploy as production (the job has no environment, and the workflow's file name does not say so)",
    )


def _step_images(step):
    """(scalar, offset or None, length, image text, what) for each image the step deploys."""
    for action, names in IMAGE_INPUTS.items():
        if step.uses_action(action):
            for name in names:
                node = step.input(name)
                if node is None:
                    continue
                if name == "images":  # one image a line (or comma separated)
                    for offset, length, image in _list_items(node.value):
                        yield node, offset, length, image, "input"
                else:
                    yield node, None, 0, node.value, "input"
    # `docker run` deploys only where the container outlives the job: on a server reached over
    # SSH or through DOCKER_HOST, or on a self-hosted runner that is the server.
    docker_host = step.env.get("DOCKER_HOST")
    server = _self_hosted(step.job) or (docker_host is not None and _remote_docker_host(text(docker_host.value)))
    for scalar, where in step.scripts():
        if not _MAY_DEPLOY.search(scalar.value):
            continue
        for offset, length, image, what in _script_images(scalar.value, 0, remote=where == "ssh", server=server):
            yield scalar, offset, length, image, what


_LOCAL_CLUSTER_ACTIONS = (
    "helm/kind-action", "engineerd/setup-kind", "container-tools/kind-action", "medyagh/setup-minikube",
    "manusa/actions-setup-minikube", "AbsaOSS/k3d-action", "nolar/setup-k3d-k3s", "debianmaster/actions-k3s",
    "jupyterhub/action-k3s-helm",
)
_LOCAL_CLUSTER = lazyre.compile(r"\b(?:kind\s+create\s+cluster|minikube\s+start|k3d\s+cluster\s+create|ctlptl\s+create)")
_LOCAL_SWARM = lazyre.compile(r"\bdocker\s+swarm\s+init\b")


def _throwaway_targets(steps) -> set[str]:
    """What the job deploys to a cluster it creates itself on the runner (kind, minikube, k3d,
    `docker swarm init`): a test, not a deploy. The `what` values to skip."""
    skipped: set[str] = set()
    for step in steps:
        if step.uses_action(*_LOCAL_CLUSTER_ACTIONS):
            skipped.update(("kubectl", "helm", "helm-image"))
        run = step.run.value if step.run is not None else ""
        if _LOCAL_CLUSTER.search(run):
            skipped.update(("kubectl", "helm", "helm-image"))
        if _LOCAL_SWARM.search(run):
            skipped.add("docker service")
    return skipped


def _self_hosted(job) -> bool:
    return job is not None and any(
        label and label.strip().lower() == "self-hosted" for label in job.runner_labels
    )


def _list_items(value: str):
    pos = 0
    for line in value.replace(",", "\n").split("\n"):
        stripped = line.strip()
        if stripped:
            yield pos + line.index(stripped), len(stripped), stripped
        pos += len(line) + 1


def _issue(where, image, ref, what, severity, kind, reason):
    if what == "helm":
        shown = f"`{image}`"
    else:
        shown = f"'{image}'" if ref.tag else f"'{image}' (no tag means `:latest`)"
    fix = f"Deploy an immutable tag (the git SHA or a version) or a digest instead of {shown}."
    if kind == "production":
        why = (
            " `:latest` moves with every push, so production runs whatever was pushed last and "
            "cannot be rolled back to a known image."
        )
    elif kind == "maybe":
        why = (
            f" {reason}: `:latest` moves with every push, so the deployed image is whatever was "
            "pushed last and cannot be rolled back to a known one."
        )
    else:
        why = (
            f" {reason}, so this is a warning, but `:latest` still moves with every push: the "
            "deployed image is whatever was pushed last and cannot be rolled back to a known one."
        )
    return Issue(where, fix + why, severity=severity)


# --- shell scripts -------------------------------------------------------------------------------


def _script_images(script: str, base: int, remote: bool, server: bool = False, depth: int = 0):
    """(offset, length, image, what) for each image a script deploys; offsets are in the scalar.
    `remote`: the script runs on a server (SSH); `server`: the runner itself is a server."""
    built: set[str] = set()  # images built or tagged earlier in this script, on the same machine
    for command in shell.parse(script):
        words = _strip(command.words)
        if not words:
            continue
        name = _program(words[0])
        if name == "ssh":
            if depth < 2:
                yield from _ssh_images(script, command, words, base, depth)
            continue
        for image in _built_by(words):
            _add(built, image)
        docker_host = _docker_remote(words) or any(
            word.text.startswith("DOCKER_HOST=") and _remote_docker_host(shell.unquote(word.text[12:]))
            for word in command.assignments
        )
        for word, offset, length, image, what in _command_images(words, remote or server or docker_host):
            if what == "docker run":
                ref = parse_image(image)
                if ref is not None and _image_key(ref) in built:
                    continue  # `docker build -t app . && docker run -d app`: the image just built
                if not remote and not docker_host:
                    what = "docker run (runner)"
            yield base + offset, length, image, what


def _remote_docker_host(value: str | None) -> bool:
    """A DOCKER_HOST that is not the runner's own socket (`ssh://`, `tcp://`, or unknown)."""
    return value is None or not value.strip().startswith(("unix://", "npipe://"))


def _docker_remote(words) -> bool:
    """`docker -H ssh://host ...` / `docker --context prod ...`: the daemon is elsewhere."""
    if _program(words[0]) not in ("docker", "podman"):
        return False
    for word in words[1:]:
        value = word.value
        if not value.startswith("-"):
            return False
        if value.split("=", 1)[0] in ("-H", "--host", "-c", "--context", "--url", "--connection"):
            return True
    return False


def _program(word) -> str:
    """`docker` for `/usr/bin/docker`."""
    return word.value.rsplit("/", 1)[-1]


def _strip(words):
    if words and words[0].value == "sudo":  # `sudo -u deploy docker ...`: -u takes a value
        i = 1
        while i < len(words) and words[i].value.startswith("-"):
            i += 2 if words[i].value in _SUDO_VALUES else 1
        words = words[i:]
    words = shell.strip_wrappers(words)
    if words and words[0].value == "sshpass":  # sshpass -p PASS ssh ...
        i = 1
        while i < len(words) and words[i].value.startswith("-"):
            flag = words[i].value
            i += 2 if flag in ("-p", "-f", "-d") else 1
        words = shell.strip_wrappers(words[i:])
    return words


def _ssh_images(script, command, words, base, depth):
    i = 1
    while i < len(words):
        value = words[i].value
        if value == "--":
            i += 1
            break
        if not value.startswith("-") or value == "-":
            break
        letters = value[1:]
        i += 1
        if _value_letter(letters, _SSH_VALUE_LETTERS.__contains__) == len(letters) - 1:
            i += 1  # the value is the next word
    remote = words[i + 1 :] if i < len(words) else []
    last = remote[-1] if remote else None
    if last is not None and len(remote) <= 3 and _simply_quoted(last.text) and not any(
        _simply_quoted(word.text) for word in remote[:-1]
    ):
        # `ssh host "script"`, `ssh $SSH_OPTS host "script"`, `ssh host bash -c "script"`: the
        # quoted word is a script; its text starts one character after the quote.
        yield from _script_images(last.text[1:-1], base + last.start + 1, True, depth=depth + 1)
    elif remote and remote[0].value not in _SHELLS:
        for word, offset, length, image, what in _command_images(_strip(remote), True):
            yield base + offset, length, image, what
    if command.heredoc and (not remote or (remote[0].value.split() or [""])[0] in _SHELLS):
        start, end = command.heredoc
        yield from _script_images(script[start:end], base + start, True, depth=depth + 1)


def _simply_quoted(word_text: str) -> bool:
    if len(word_text) < 2 or word_text[0] not in "'\"" or word_text[-1] != word_text[0]:
        return False
    quote, inner = word_text[0], word_text[1:-1]
    if quote == "'":
        return "'" not in inner
    return '"' not in inner.replace('\\"', "")


def _command_images(words, remote: bool):
    """(word, offset, length, image, what) for the images one simple command deploys."""
    name = _program(words[0])
    if name not in ("docker", "podman", "kubectl", "helm"):
        return
    if name in ("docker", "podman"):
        yield from _docker_images(words[1:], remote)
    elif name == "kubectl":
        yield from _kubectl_images(words[1:])
    elif name == "helm":
        yield from _helm_images(words[1:])


def _docker_images(args, remote: bool):
    values = [word.value for word in args]
    while values and values[0].startswith("-"):  # global options: -H host, --context prod
        option = values[0].split("=", 1)[0]
        skip = 2 if "=" not in values[0] and option in _DOCKER_GLOBAL_VALUES else 1
        args, values = args[skip:], values[skip:]
    if values[:1] == ["container"]:
        args, values = args[1:], values[1:]
    if values[:1] == ["run"] and remote:
        found = _docker_run_image(args[1:])
        if found is not None:
            yield found + ("docker run",)
    elif values[:2] == ["service", "create"]:
        index = _first_positional(args[2:], _SERVICE_CREATE_FLAGS, _SERVICE_CREATE_SHORT_FLAGS)
        if index is not None:
            yield _whole(args[2 + index]) + ("docker service",)
    elif values[:2] == ["service", "update"]:
        found = _option_value(args[2:], "--image")
        if found is not None:
            yield found + ("docker service",)


def _whole(word):
    offset, length = _value_span(word, 0, len(word.value))
    return word, offset, length, word.value


def _value_span(word, index: int, length: int) -> tuple[int, int]:
    """Offset and length in the script of `word.value[index:index+length]`."""
    if word.text == word.value:
        return word.start + index, length
    if _simply_quoted(word.text) and word.text[1:-1] == word.value:
        return word.start + 1 + index, length
    return word.start, word.end - word.start


def _docker_run_image(args):
    detached = False
    one_off = False
    i = 0
    while i < len(args):
        value = args[i].value
        if value == "--":
            i += 1
            break
        if not value.startswith("-") or value == "-":
            break
        i += 1
        if value.startswith("--"):
            option = value.split("=", 1)[0]
            if option == "--detach" and value in ("--detach", "--detach=true"):
                detached = True
            elif option == "--rm" and value in ("--rm", "--rm=true"):
                one_off = True
            elif option == "--restart":
                detached = True  # a restart policy means a long-running service
            if "=" not in value and option not in _RUN_FLAGS:
                i += 1
            continue
        letters = value[1:]
        index = _value_letter(letters, lambda letter: letter not in _RUN_SHORT_FLAGS)
        if "d" in letters[:index]:
            detached = True
        if index == len(letters) - 1:
            i += 1
    if i >= len(args):
        return None
    if one_off and not detached:
        return None  # `docker run --rm tool:latest ...`: a one-off tool, not a service
    return _whole(args[i])


def _first_positional(args, long_flags, short_flags):
    i = 0
    while i < len(args):
        value = args[i].value
        if value == "--":
            return i + 1 if i + 1 < len(args) else None
        if not value.startswith("-") or value == "-":
            return i
        i += 1
        if value.startswith("--"):
            if "=" not in value and value not in long_flags:
                i += 1
            continue
        letters = value[1:]
        if _value_letter(letters, lambda letter: letter not in short_flags) == len(letters) - 1:
            i += 1
    return None


def _value_letter(letters: str, takes_value) -> int | None:
    """Index of the first letter of bundled short options (`-dit`, `-p8080`) that takes a value:
    the rest of the word, or the next word when it is the last letter."""
    return next((index for index, letter in enumerate(letters) if takes_value(letter)), None)


def _option_value(args, option: str):
    """The word (or part of a word) that gives `option` its value: `--image x` or `--image=x`."""
    for i, word in enumerate(args):
        value = word.value
        if value == option and i + 1 < len(args):
            return _whole(args[i + 1])
        if value.startswith(option + "="):
            image = value[len(option) + 1 :]
            offset, length = _value_span(word, len(option) + 1, len(image))
            return word, offset, length, image
    return None


def _subcommand(args, global_values):
    """Index of the first word that is not a global option (or its value)."""
    i = 0
    while i < len(args):
        value = args[i].value
        if not value.startswith("-"):
            return i
        i += 2 if value in global_values else 1
    return None


def _kubectl_images(args):
    start = _subcommand(args, _KUBECTL_GLOBAL_VALUES)
    if start is None:
        return
    values = [word.value for word in args]
    verb = values[start]
    if verb == "set" and values[start + 1 : start + 2] == ["image"]:
        if any(value == "--local" or value.startswith("--dry-run") for value in values):
            return  # edits a manifest file, or only prints what it would do
        for word in args[start + 2 :]:
            value = word.value
            if value.startswith("-") or "=" not in value:
                continue
            container, _, image = value.partition("=")
            offset, length = _value_span(word, len(container) + 1, len(image))
            yield word, offset, length, image, "kubectl"
    elif verb == "run" or (verb == "create" and values[start + 1 : start + 2] == ["deployment"]):
        if any(value == "--rm" or value.startswith(("--dry-run", "--rm=")) for value in values):
            return  # a one-off pod (`--rm`), or a manifest generated with `--dry-run`
        found = _option_value(args[start + 1 :], "--image")
        if found is not None:
            yield found + ("kubectl",)


def _helm_images(args):
    start = _subcommand(args, _HELM_GLOBAL_VALUES)
    if start is None or args[start].value not in ("upgrade", "install"):
        return
    for i, word in enumerate(args[start + 1 :], start + 1):
        value = word.value
        for option in ("--set", "--set-string"):
            if value == option and i + 1 < len(args):
                target, settings, skip = args[i + 1], args[i + 1].value, 0
            elif value.startswith(option + "="):
                target, settings, skip = word, value[len(option) + 1 :], len(option) + 1
            else:
                continue
            for index, key, item in _helm_settings(settings):
                setting = f"{key}={item}"
                leaf = key.rsplit(".", 1)[-1]
                if leaf in ("tag", "imageTag") and item == "latest":
                    offset, length = _value_span(target, skip + index, len(setting))
                    yield target, offset, length, setting, "helm"
                elif leaf in ("image", "imageName") and ":" in item and item.endswith(":latest"):
                    offset, length = _value_span(target, skip + index + len(key) + 1, len(item))
                    yield target, offset, length, item, "helm-image"


def _helm_settings(settings: str):
    """(index, key, value) for each `key=value` of a `--set` list (commas split, `\\,` does not)."""
    pos = 0
    for part in _split_commas(settings):
        key, sep, value = part.partition("=")
        if sep:
            yield pos, key.strip(), value
        pos += len(part) + 1


def _split_commas(text: str):
    parts, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if text[i] == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    parts.append("".join(current))
    return parts


def _built_images(steps) -> set[str]:
    """Images the runner builds or tags itself in the `run:` steps of a job."""
    built: set[str] = set()
    for step in steps:
        if step.run is None or ("docker" not in step.run.value and "podman" not in step.run.value):
            continue
        for command in shell.parse(step.run.value):
            for image in _built_by(_strip(command.words)):
                _add(built, image)
    return built


def _built_by(words) -> list[str]:
    """The image names a command builds or tags: `docker build -t app .`, `docker tag a app`."""
    if not words or _program(words[0]) not in ("docker", "podman", "buildah"):
        return []
    values = [word.value for word in words]
    rest = values[1:]
    if rest[:1] == ["image"]:
        rest = rest[1:]
    if rest[:1] == ["buildx"]:
        rest = rest[1:]
    if rest[:1] in (["build"], ["bud"]):
        names = []
        for i, value in enumerate(rest):
            if value in ("-t", "--tag") and i + 1 < len(rest):
                names.append(rest[i + 1])
            elif value.startswith("--tag="):
                names.append(value[6:])
            elif value.startswith("-t") and len(value) > 2:
                names.append(value[2:])
        return names
    if rest[:1] == ["tag"] and len(rest) >= 3:
        return [rest[-1]]
    return []


def _add(built: set[str], image: str) -> None:
    ref = parse_image(image)
    if ref is not None:
        built.add(_image_key(ref))


def _image_key(ref) -> str:
    return f"{ref.name}:{ref.tag or 'latest'}"
