import pytest

from cicdlint.notions import Production


@pytest.mark.parametrize(
    "name, production",
    [
        ("production", True),
        ("Production", True),
        ("prod-cluster", True),
        ("my_prod_api", True),
        ("deploy/prd/task.json", True),
        ("live", True),
        ("products", False),
        ("prodigy", False),
        ("pre-prod", False),
        ("non_prod", False),
        ("staging", False),
        ("delivery", False),
    ],
)
def test_default_production_words(name, production):
    assert bool(Production().matches(name)) is production


def test_configured_production_patterns():
    assert Production(["main-site"]).matches("deploy-main-site")
    assert not Production(["main-site"]).matches("production")
