"""Container image references: `[registry[:port]/]repository[:tag][@digest]`.

A pure parser shared by the rules that look at images. It knows about template placeholders
(`${{ }}`, `$VAR`, `${VAR}`, `$(...)`, `<IMAGE>`, `%IMAGE%`, `{{ }}`, `#{...}`, `$$$X$$$`): a
reference whose tag and digest may come from a placeholder is unknown (None); one whose
placeholders sit only in the registry or repository part keeps its literal tag
(`${{ env.REGISTRY }}/api:latest` is `:latest` whatever the registry is). A repository with
capital letters is no reference (Docker refuses it): `IMAGE_URI` is a placeholder too, as are
names such as `your-app-image` or `filled-in-by-gh-action`.
"""
from __future__ import annotations


from . import lazyre
from .records import Record

_PLACEHOLDER = lazyre.compile(
    r"\$\{\{.*?\}\}"  # ${{ github expression }}
    r"|\{\{.*?\}\}"  # {{ jinja / helm / go template }}
    r"|\$\$+[^$]*\$\$+"  # $$$IMAGE$$$
    r"|\$\{[^}]*\}"  # ${VAR}, ${AWS::Region}
    r"|\$\([^)]*\)"  # $(command)
    r"|`[^`]*`"  # `command`
    r"|\$[A-Za-z_][A-Za-z0-9_]*"  # $VAR
    r"|#\{[^}]*\}"  # #{octopus}
    r"|<[^<>]*>"  # <IMAGE1_NAME>
    r"|%[A-Za-z_][A-Za-z0-9_.-]*%"  # %IMAGE%
    r"|\{[^{}]*\}"  # {aws_account_id}
)
# Words that mark a repository name as a stand-in for the real one: "your-app-image",
# "filled-in-by-gh-action", "placeholder".
_STAND_IN = lazyre.compile(r"(?:^|[/_.-])(?:your|placeholder|filled-in|replace-?me|change-?me)(?:$|[/_.-])")
_VALID = lazyre.compile(r"[A-Za-z0-9._/:@-]+")
_TAG = lazyre.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


class ImageRef(Record):
    __slots__ = ("registry", "repository", "tag", "digest", "templated")

    def __init__(
        self,
        registry: str | None,
        repository: str,
        tag: str | None,
        digest: str | None,
        templated: bool = False,
    ):
        self.registry = registry  # "ghcr.io", "localhost:5000"; None for Docker Hub short names
        self.repository = repository  # as written ("nginx" is not expanded to "library/nginx"); may hold a placeholder
        self.tag = tag  # None: no tag written (Docker uses `latest`)
        self.digest = digest  # "sha256:..." or None
        self.templated = templated  # the registry or repository part holds a placeholder

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}" if self.registry else self.repository


def parse_image(ref: str) -> ImageRef | None:
    """The parts of an image reference, or None when it is not one or its tag and digest are
    unknown (a placeholder may supply them)."""
    if not isinstance(ref, str):
        return None
    ref = ref.strip()
    if not ref or ref.startswith("-"):
        return None
    placeholders = list(_PLACEHOLDER.finditer(ref))
    # Same-length stand-ins keep every offset, so the parts can be cut from the written text.
    literal = _PLACEHOLDER.sub(lambda m: "x" * len(m.group(0)), ref) if placeholders else ref
    if not _VALID.fullmatch(literal):
        return None
    if placeholders:
        tail = ref[placeholders[-1].end() :]
        tail_name = tail.split("@", 1)[0]
        if "@" not in tail and "/" not in tail_name and ":" not in tail_name:
            return None  # `${IMAGE}`, `app:${TAG}`, `${IMAGE}-worker`: the tag is unknown
    at = literal.find("@")
    name_end = len(literal) if at < 0 else at
    digest = None if at < 0 else ref[at + 1 :]
    if digest is not None and (not digest or "@" in digest):
        return None
    tag = None
    slash = literal.rfind("/", 0, name_end)
    colon = literal.rfind(":", 0, name_end)
    if colon > slash:
        tag = ref[colon + 1 : name_end]
        name_end = colon
        if not _TAG.fullmatch(literal[colon + 1 : at if at >= 0 else len(literal)]):
            return None
    name = literal[:name_end]
    if not name or name.endswith("/") or name.startswith("/") or "//" in name:
        return None
    registry = None
    first_slash = name.find("/")
    first = name[:first_slash] if first_slash >= 0 else name
    if first_slash >= 0 and ("." in first or ":" in first or first == "localhost"):
        registry = ref[:first_slash]
        repository = ref[first_slash + 1 : name_end]
    elif ":" in name:
        return None  # `host:5000` alone, or `a:b/c` that is no reference
    else:
        repository = ref[:name_end]
    written_repository = literal[len(registry) + 1 if registry else 0 : name_end]
    if written_repository != written_repository.lower() or _STAND_IN.search(written_repository):
        return None  # `IMAGE_URI` (a repository is lowercase), `your-app-image`: placeholders
    return ImageRef(registry, repository, tag, digest, bool(placeholders))


def is_latest(ref: ImageRef | str | None) -> bool:
    """Does the reference run whatever `latest` points at: tag `latest`, or no tag and no digest?
    A digest pins the image even when a `latest` tag is written beside it."""
    if isinstance(ref, str):
        ref = parse_image(ref)
    if ref is None or ref.digest:
        return False
    return ref.tag is None or ref.tag == "latest"
