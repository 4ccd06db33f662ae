"""Test machines as data files: ``load("retry/capped_backoff")`` returns the parsed JSON."""

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def load(name: str) -> dict[str, Any]:
    return json.loads((HERE / f"{name}.json").read_text())
