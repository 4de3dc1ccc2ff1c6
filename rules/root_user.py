import re

from cicdlint import lazyre
from cicdlint.model import as_scalar
from cicdlint.rule import Issue, rule

_PLACEHOLDER = lazyre.compile(r"[$<>{}%#]")
_ROOT_NAMES = ("root", "0")
# Image names that say the image runs as an unprivileged user: distroless `:nonroot`,
# `nginx-unprivileged`, `*-rootless`.
_NON_ROOT_IMAGE = lazyre.compile(r"non-?root|rootless|unprivileged", re.I)


@rule(
    id="root-user",
    kinds=("taskdef",),
    severity="note",
    summary="Container runs as root (`user` missing, or root / UID 0)",
    tags=("security", "container-hardening"),
    security_severity=3.5,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Reports each container of a task definition that runs as root:

    - `user` is `"root"`, `"0"`, or a `uid:gid` pair whose user is root (`"0:0"`,
      `"root:root"`, `"0:1000"`): at the value, with high confidence;
    - `user` is missing (or `null`, or `""`): at the container's `name`, with medium
      confidence. The container then runs as the image's `USER`, which is root unless the
      Dockerfile sets another.

    Not reported: Windows tasks (`runtimePlatform.operatingSystemFamily` `WINDOWS_*`, where
    `user` does not apply), a `user` that is a template placeholder, images whose name says
    they run unprivileged (`distroless/static:nonroot`, `nginx-unprivileged`, `*-rootless`),
    and blank `--generate-cli-skeleton` files.

    ## Why is this bad?
    Root in a container is root on the kernel the container shares with others. An attacker
    who gets code execution as root can read and change every file of the container, install
    tools, and use any kernel or runtime flaw to break out to the host (on EC2, the instance
    that runs other tasks too). As an unprivileged user the same bug yields far less.

    ## Example
    ```json
    {
      "family": "orders-api",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:4f2c9e1",
          "user": "root"
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "orders-api",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:4f2c9e1",
          "user": "1000:1000"
        }
      ]
    }
    ```
    Set `user` to an unprivileged UID (and GID) that owns what the application needs, or
    add a `USER` line to the Dockerfile and set `user` to the same value so the task
    definition says it. Ports below 1024 need root: listen on 8080 instead.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton or taskdef.is_windows:
        return
    for container in taskdef.containers:
        image = container.image
        if image is not None and _NON_ROOT_IMAGE.search(image.value):
            continue
        label = f"container '{container.name}'" if container.name else "this container"
        value = container.node.get("user")
        user = as_scalar(value)
        if value is not None and user is None:
            continue  # an odd shape
        written = "" if user is None or user.is_null else user.value.strip()
        if not written:
            where = as_scalar(container.node.get("name")) or container.node
            yield Issue(
                where,
                f"Set `\"user\"` to an unprivileged UID (e.g. `\"1000:1000\"`) for {label}. It has no `user`, so it "
                "runs as the image's USER, which is root unless the Dockerfile sets another.",
                confidence="medium",
            )
            continue
        if _PLACEHOLDER.search(written):
            continue
        uid = written.split(":", 1)[0].strip()
        if uid.lower() in _ROOT_NAMES:
            yield Issue(
                user,
                f"Set `user` to an unprivileged UID (e.g. `\"1000:1000\"`) for {label}. '{written}' runs it as root, "
                "so whoever gets code execution in it is root inside the container.",
            )
