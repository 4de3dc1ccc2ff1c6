from __future__ import annotations

import re

from cicdlint.images import is_latest, parse_image
from cicdlint.model import as_map
from cicdlint.rule import Issue, Location, rule
from cicdlint.yamlpos import Map, Scalar, Seq

_MATRIX_REF = re.compile(r"\$\{\{\s*matrix((?:\.[A-Za-z_][\w-]*)+)\s*\}\}")


@rule(
    id="unpinned-container-image",
    kinds=("workflow", "action"),
    severity="warning",
    summary="Job container or service image is `:latest` or has no tag, or a `docker://` action image has no digest",
    tags=("security", "supply-chain", "reproducibility"),
    security_severity=5.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds the images a job runs in or beside that are `:latest` or have no tag and no digest
    (Docker then pulls `latest`):

    - `container: node` and `container: {image: node:latest}`;
    - `services.<name>.image`, e.g. `image: postgres` or `image: redis:latest`.

    And the images that run as an action without an `@sha256:` digest, whatever their tag: a
    `uses: docker://alpine:3.20` step (in a workflow or a composite action) and a Docker
    action's `runs.image: docker://ghcr.io/acme/linter:2.1`. Such an image is the action's code,
    so it is held to the same standard as `uses: owner/repo@<sha>` (`unpinned-action`): a
    version tag is reported too.

    An image written as `${{ matrix.image }}` (or `${{ matrix.config.image }}`) is checked for
    each value the workflow's `strategy.matrix` (and its `include:` entries) gives it, and
    reported once at the `image:`, naming the values without a tag or with `latest`.

    Not reported: an image with a version tag (`postgres:16`, `node:20-alpine`), an image
    pinned by a digest (even `name:latest@sha256:...`), and an image that comes from any other
    expression (`${{ env.REGISTRY }}/ci`, a matrix computed with `fromJSON()`), whose value is
    unknown. For job containers and services, unlike zizmor's `unpinned-images`, a version tag
    without a digest is not reported: the tag can still be moved, but publishers of versioned
    tags rarely do, and `latest` is the case that changes on every release.

    ## Why is this bad?
    `latest` moves every time the publisher pushes. The job then runs a different
    environment from one day to the next: a new major version of a database or a toolchain
    breaks the build with no change in the repository, and a compromised or typo-squatted
    image is pulled the moment it is pushed. The container runs with the job's checkout,
    `GITHUB_TOKEN` and secrets, so what it contains matters as much as the code of an action.

    ## Example
    ```yaml
    jobs:
      test:
        runs-on: ubuntu-latest
        container: node
        services:
          db:
            image: postgres:latest
        steps:
          - uses: docker://alpine:3.20
    ```

    ## Use instead
    ```yaml
    jobs:
      test:
        runs-on: ubuntu-latest
        container: node:20.17-bookworm
        services:
          db:
            image: postgres:16.4@sha256:d0f363f8366fbc3f52d172c6e76bc27151c3d643b870e1062b4e8bfe65baf609
        steps:
          - uses: docker://alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d
    ```
    Name a version tag, and for the strongest pin add the digest (`docker buildx imagetools
    inspect postgres:16.4` prints it); let Dependabot or Renovate update both. A `docker://`
    image needs the digest.
    """
    yield from _docker_actions(doc, ctx)
    if doc.kind != "workflow":
        return
    for job in ctx.workflow.jobs:
        container = job.container
        if isinstance(container, Map):
            container = container.get("image")
        if isinstance(container, Scalar):
            issue = _check(container, "container") or _check_matrix(container, "container", job, doc, ctx)
            if issue:
                yield issue
        services = as_map(job.node.get("services"))
        if services is None:
            continue
        for name, _key, service in services.items():
            service = as_map(service)
            image = service.get("image") if service is not None else None
            if isinstance(image, Scalar):
                issue = _check(image, f"service `{name}`") or _check_matrix(image, f"service `{name}`", job, doc, ctx)
                if issue:
                    yield issue


def _docker_actions(doc, ctx):
    """`uses: docker://image` steps and a Docker action's `runs.image: docker://image`."""
    nodes = [step.uses for step in ctx.steps() if step.uses is not None]
    if doc.kind == "action":
        runs = as_map(doc.root.get("runs")) if isinstance(doc.root, Map) else None
        image = runs.get("image") if runs is not None else None
        if isinstance(image, Scalar):
            nodes.append(image)
    for node in nodes:
        value = node.value.strip() if isinstance(node.value, str) else ""
        if not value.startswith("docker://") or "${{" in value:
            continue
        ref = parse_image(value[len("docker://"):])
        if ref is None or ref.digest is not None:
            continue
        if ref.tag is None:
            found = f"'{value}' has no tag, so Docker pulls 'latest', which changes whenever the publisher pushes"
        elif is_latest(ref):
            found = f"'{value}' uses the 'latest' tag, which changes whenever the publisher pushes"
        else:
            found = f"'{value}' is a tag that can be re-pushed with other contents"
        yield Issue(
            node,
            f"Pin the image to a digest ('docker://{ref.name}{':' + ref.tag if ref.tag else ''}@sha256:...'). "
            f"The image is the code this step runs, with the job's secrets and token, and {found}.",
        )


def _check(node: Scalar, what: str) -> Issue | None:
    value = node.value
    if not isinstance(value, str) or not value.strip() or "${{" in value:
        return None
    ref = parse_image(value)
    if ref is None or not is_latest(ref):
        return None
    shown = value.strip()
    if ref.tag is None:
        found = f"The {what} image '{shown}' has no tag, so Docker pulls 'latest'"
    else:
        found = f"The {what} image '{shown}' uses the 'latest' tag"
    return Issue(
        node,
        f"Pin the image '{ref.name}' to a version tag, ideally with its digest "
        f"('{ref.name}:<version>@sha256:...'). {found}, which changes whenever the publisher "
        "pushes, so each run may get a different (or a tampered) image.",
    )


def _check_matrix(node: Scalar, what: str, job, doc, ctx) -> Issue | None:
    """`image: ${{ matrix.x }}`: the matrix values without a tag or with `latest`."""
    match = _MATRIX_REF.fullmatch(node.value.strip()) if isinstance(node.value, str) else None
    values = _matrix_values(job, match.group(1)[1:].split(".")) if match else None
    if not values:
        return None
    unpinned, seen = [], set()
    for value in values:
        ref = parse_image(value.value)
        if ref is not None and is_latest(ref) and value.value.strip() not in seen:
            seen.add(value.value.strip())
            unpinned.append(value)
    if not unpinned:
        return None
    names = ", ".join(f"'{value.value.strip()}'" for value in unpinned[:4]) + (" ..." if len(unpinned) > 4 else "")
    return Issue(
        node,
        f"Pin the images of the matrix to version tags, ideally with their digests ('name:<version>@sha256:...'). "
        f"The {what} image comes from the matrix, and {names} "
        f"{'has' if len(unpinned) == 1 else 'have'} no tag or the 'latest' tag, which changes whenever the "
        "publisher pushes.",
        related=[Location(doc.path, ctx.span(value), "matrix value without a pinned tag") for value in unpinned],
    )


def _matrix_values(job, path: list[str]) -> list[Scalar] | None:
    """Every value `${{ matrix.<path> }}` takes when all are written in the workflow, else None."""
    strategy = as_map(job.node.get("strategy"))
    matrix = strategy.get("matrix") if strategy is not None else None
    if not isinstance(matrix, Map):
        return None
    head, rest = path[0], path[1:]
    entries = []
    dimension = matrix.get(head)
    if dimension is not None:
        if not isinstance(dimension, Seq):
            return None
        entries.extend(dimension.items)
    include = matrix.get("include")
    if include is not None:
        if not isinstance(include, Seq):
            return None
        for entry in include.items:
            if not isinstance(entry, Map):
                return None
            if head in entry:
                entries.append(entry.get(head))
    values = []
    for entry in entries:
        for key in rest:
            entry = entry.get(key) if isinstance(entry, Map) else None
        if not isinstance(entry, Scalar) or not isinstance(entry.value, str) or "${{" in entry.value:
            return None
        values.append(entry)
    return values
