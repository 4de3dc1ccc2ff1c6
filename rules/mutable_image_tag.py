import fnmatch

from cicdlint import lazyre
from cicdlint.images import is_latest, parse_image
from cicdlint.rule import Issue, rule

# Words that name a branch, an environment or a channel: a tag made only of such words (and
# words without digits, like `alpine`) is re-pointed whenever that branch or channel moves.
MOVING_WORDS = frozenset(
    (
        "main", "master", "trunk", "head", "develop", "development", "dev", "feature", "hotfix", "bugfix",
        "stable", "unstable", "mainline", "current", "lts", "latest", "next", "edge", "nightly", "snapshot",
        "canary", "beta", "alpha", "preview", "experimental", "rc", "release",
        "test", "testing", "qa", "uat", "integration", "staging", "stage", "preprod", "sandbox", "demo",
        "prod", "production", "live",
    )
)
_TOKEN = lazyre.compile(r"[-_.]+")


@rule(
    id="mutable-image-tag",
    kinds=("taskdef",),
    severity="warning",
    summary="Task definition image uses a branch-like tag (`:main`, `:stable`, `:dev`) that moves",
    tags=("supply-chain", "reliability", "deployment"),
)
def check(doc, ctx):
    """## What it does
    Reports a container `image` in a task definition that is pinned by a tag naming a branch,
    an environment or a release channel rather than a version: `:main`, `:master`,
    `:develop`, `:dev`, `:stable`, `:staging`, `:prod`, `:release`, `:edge`, `:nightly`,
    `:canary`, `:test`, `:qa` and the like, also combined with words such as `-alpine`
    (`:stable-alpine`, `:lts-slim`, `:latest-dev`).

    A tag with a number in any of its parts is treated as a version and not reported:
    `1.2.3`, `v2`, `2024-05-01`, `3.12-slim`, `16-alpine`, `sha-4f2c9e1`, a git SHA, or
    `main-4f2c9e1`. Neither are images pinned by digest (`@sha256:...`), images whose tag is
    a template placeholder (`api:${TAG}`, `<IMAGE>`), and tags made only of other words
    (`alpine`, `bookworm`), which are left to the reader.

    Images that a workflow replaces with `amazon-ecs-render-task-definition` before deploying
    are placeholders and are not reported either.

    `:latest` and untagged images, and every image of a production task definition (family
    or path says `prod`, `production`, `prd` or `live`), are the business of
    `latest-image-in-production`, so they are not reported here.

    ## Why is this bad?
    A branch-like tag is re-pushed on every merge: the image ECS pulls when it starts a task
    (a scale-out, a replaced unhealthy task, a new deployment) is whatever was pushed last,
    not what this task definition was registered and tested with. Two tasks of one service can
    run different code, a rollback to the previous revision of the task definition rolls back
    nothing, and nobody can tell from the task definition which build is running. Staging
    environments deserve reproducible deploys too: they are where a release is verified.

    ## Example
    ```json
    {
      "family": "orders-api-staging",
      "containerDefinitions": [
        { "name": "api", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:develop" },
        { "name": "proxy", "image": "nginx:stable-alpine" }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "orders-api-staging",
      "containerDefinitions": [
        { "name": "api", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:4f2c9e1" },
        { "name": "proxy", "image": "nginx:1.27.3-alpine" }
      ]
    }
    ```
    Tag each build with the commit SHA (or a release version) and put that tag in the task
    definition, e.g. with `aws-actions/amazon-ecs-render-task-definition` and
    `image: ...:${{ github.sha }}`; pin third-party images to a version or a digest.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton or ctx.production.matches(taskdef.family, doc.path):
        return
    rendered = None
    for container in taskdef.containers:
        node = container.image
        if node is None:
            continue
        ref = parse_image(node.value)
        if ref is None or ref.digest or ref.tag is None or is_latest(ref):
            continue
        if rendered is None:
            rendered = ctx.repo.rendered_containers(doc)
        if any(fnmatch.fnmatchcase(container.name or "", name) for name in rendered):
            continue  # a workflow's render step replaces this image with the one it built
        words = [word for word in _TOKEN.split(ref.tag.lower()) if word]
        if not words or any(any(char.isdigit() for char in word) for word in words):
            continue  # a version, a date, a SHA
        moving = [word for word in words if word in MOVING_WORDS]
        if not moving:
            continue
        label = f"container '{container.name}'" if container.name else "this container"
        kinds = [_kind(word) for word in moving]
        kind = next((k for k in ("environment", "branch") if k in kinds), "release channel")
        repository = ref.repository.rsplit("/", 1)[-1] or "image"
        if kind == "release channel":
            fix = f"a version tag (e.g. `{repository}:<version>`)"
        else:
            fix = f"the commit SHA or version it was built from (e.g. `{repository}:<git-sha>`)"
        yield Issue(
            node,
            f"Pin the image of {label} to {fix}, or to a digest (`@sha256:...`). `:{ref.tag}` names {'an' if kind[0] in 'aeiou' else 'a'} {kind} "
            "and is re-pushed as it moves, so tasks started later can run different code than this task "
            "definition was registered with.",
        )


def _kind(word: str) -> str:
    if word in ("main", "master", "trunk", "head", "develop", "development", "dev", "feature", "hotfix", "bugfix"):
        return "branch"
    if word in ("test", "testing", "qa", "uat", "integration", "staging", "stage", "preprod", "sandbox", "demo",
                "prod", "production", "live"):
        return "environment"
    return "release channel"
