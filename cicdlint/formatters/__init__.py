"""Report writers. Each module has `write(result, rules, settings, stream, color=False)`;
they are imported only when chosen, so `sarif-om` never loads for a text run."""
from __future__ import annotations

import importlib

_MODULES = {"text": "text", "json": "json_format", "sarif": "sarif", "github": "github"}


def get_formatter(name: str):
    module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    return module.write
