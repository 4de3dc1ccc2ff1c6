from cicdlint import lazyre
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

# The image reference grammar of the Docker distribution library: [host[:port]/]path[:tag][@digest].
_HOST = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = lazyre.compile(
    rf"(?:(?P<host>{_HOST})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)(?::(?P<tag>[\w][\w.-]{{0,127}}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?"
)


@rule(
    id="invalid-docker-action",
    kinds=("workflow", "action"),
    severity="error",
    summary="A `docker://` action names an image reference that Docker cannot pull",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks the image reference of `uses: docker://<image>` steps (and `runs.image: docker://...`
    in an `action.yml`) against Docker's reference grammar: `[registry/]name[:tag][@digest]`, with
    a lower-case name, a non-empty tag and a well-formed digest.

    ## Why is this bad?
    The runner pulls the image when the job starts: a reference Docker rejects ("invalid reference
    format", "repository name must be lowercase") fails the job at its first step.

    ## Example
    ```yaml
    - uses: docker://Alpine:3.20
      with:
        args: echo hello
    ```

    ## Use instead
    ```yaml
    - uses: docker://alpine:3.20
      with:
        args: echo hello
    ```
    Write the image name in lower case, with a tag or an `@sha256:` digest after it.
    """
    for node in _images(doc, ctx):
        value = node.value.strip()
        if "${{" in value:
            continue
        reference = value[len("docker://") :]
        problem = _problem(reference)
        if problem:
            yield Issue(node, f"'{value}' is not an image reference Docker can pull: {problem}.")


def _images(doc, ctx):
    for step in ctx.steps():
        uses = step.uses
        if uses is not None and uses.value.strip().startswith("docker://"):
            yield uses
    if doc.kind == "action":
        runs = as_map(doc.root.get("runs"))
        image = runs.get("image") if runs else None
        if isinstance(image, Scalar) and image.value.strip().startswith("docker://"):
            yield image


def _problem(reference: str) -> str | None:
    if not reference:
        return "there is no image after docker://"
    if _REFERENCE.fullmatch(reference):
        return None
    if any(char.isspace() for char in reference):
        return "it has white space in it"
    if _REFERENCE.fullmatch(reference.lower()) or _REFERENCE.fullmatch(_lower_path(reference)):
        return "the repository name must be lower case"
    if reference.endswith(":"):
        return "the tag after ':' is empty"
    if "@" in reference and _REFERENCE.fullmatch(reference.split("@", 1)[0]):
        return "the digest after '@' is not of the form sha256:<64 hex digits>"
    return "it does not have the form [registry/]name[:tag][@sha256:digest]"


def _lower_path(reference: str) -> str:
    """The reference with the name lowered but the tag and digest kept (tags may be upper case)."""
    name, at, digest = reference.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon].lower() + name[colon:] + at + digest
    return name.lower() + at + digest
