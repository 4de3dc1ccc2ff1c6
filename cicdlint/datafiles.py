"""The JSON tables shipped in `cicdlint/data/`, each read once, when first needed (the json
module and the file read stay off the start-up path of a run that does not need them)."""
from __future__ import annotations

import os
from functools import lru_cache

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


@lru_cache(maxsize=None)
def load(name: str):
    import json

    with open(os.path.join(DATA_DIR, name), encoding="utf-8") as file:
        return json.load(file)
