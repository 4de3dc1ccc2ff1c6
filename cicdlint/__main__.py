"""`python -m cicdlint`: Python puts the working directory first on `sys.path`, so a scanned
repository's own modules (a `yaml.py`, a committed `*.dist-info`) would shadow ours or be found
as plugins. Drop it before anything else is imported."""
import os
import sys

_cwd = os.path.abspath(os.getcwd())
sys.path[:] = [entry for entry in sys.path if entry and os.path.abspath(entry) != _cwd]

from .cli import main  # noqa: E402

main()
