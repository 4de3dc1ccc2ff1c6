"""cicdlint: a linter for GitHub Actions workflows and AWS ECS deploy configs."""

__version__ = "0.1.0"
