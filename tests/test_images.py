"""cicdlint.images: image references, placeholders and `:latest`."""
from __future__ import annotations

import pytest

from cicdlint.images import ImageRef, is_latest, parse_image


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("nginx", ImageRef(None, "nginx", None, None)),
        ("nginx:1.27", ImageRef(None, "nginx", "1.27", None)),
        ("localhost:5000/app", ImageRef("localhost:5000", "app", None, None)),
        ("localhost:5000/team/app:2.1", ImageRef("localhost:5000", "team/app", "2.1", None)),
        ("ghcr.io/acme/api:latest@sha256:abc123", ImageRef("ghcr.io", "acme/api", "latest", "sha256:abc123")),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api", ImageRef("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "api", None, None)),
        ("${{ env.REGISTRY }}/api:latest", ImageRef(None, "${{ env.REGISTRY }}/api", "latest", None, True)),
        ("${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:latest", ImageRef("${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com", "web", "latest", None, True)),
    ],
)
def test_parse_image(ref, expected):
    assert parse_image(ref) == expected


@pytest.mark.parametrize(
    "ref",
    [
        "", "-d", "${{ steps.build.outputs.image }}", "api:${{ github.sha }}", "$IMAGE", "${IMAGE}-worker",
        "<IMAGE1_NAME>", "%IMAGE%", "api:{{ tag }}", "api:#{Tag}", "$$$IMAGE$$$", "IMAGE_URI", "a b",
        "app=repo:latest", "repo@", "your-app-image", "filled-in-by-gh-action", "acme/placeholder:latest",
    ],
)
def test_unknown_or_not_an_image(ref):
    assert parse_image(ref) is None
    assert not is_latest(ref)


@pytest.mark.parametrize(
    "ref, latest",
    [
        ("nginx", True), ("nginx:latest", True), ("localhost:5000/app", True), ("nginx:1.27", False),
        ("nginx:latest@sha256:abc", False), ("nginx@sha256:abc", False), ("$REPO:latest", True),
        ("api:latest-dev", False), ("api:LATEST", False),
    ],
)
def test_is_latest(ref, latest):
    assert is_latest(ref) is latest
    assert is_latest(parse_image(ref)) is latest
