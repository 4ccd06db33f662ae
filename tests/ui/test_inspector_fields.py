"""The editor's inspector offers every field the server's validator accepts, per state type
and query language, and none that it rejects (static/src/editor/fields.js against
stepflow/asl/validate_states.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from stepflow.asl import validate_states
from tests.ui.conftest import ROOT

NODE = shutil.which("node")
LANGUAGES = ("JSONPath", "JSONata")
# Type is fixed when a state is made; the rest of the common fields are edited like any other.
COMMON = validate_states._COMMON - {"Type"}


@pytest.fixture(scope="module")
def inspector_fields() -> dict[str, dict[str, list[str]]]:
    if NODE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is needed to read the editor's field table")
        pytest.skip("node is not installed")
    script = (
        "import('./static/src/editor/fields.js').then((m) => console.log(JSON.stringify(Object.fromEntries("
        f"{json.dumps(list(validate_states.STATE_TYPES))}.map((t) => [t, Object.fromEntries("
        f"{json.dumps(list(LANGUAGES))}.map((l) => [l, m.fieldKeys(t, l)]))])))))"
    )
    done = subprocess.run([NODE, "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def accepted(state_type: str, language: str) -> set[str]:
    both, jsonpath, jsonata = validate_states._FIELDS[state_type]
    return set(COMMON | both | (jsonpath if language == "JSONPath" else jsonata))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state_type", validate_states.STATE_TYPES)
def test_the_inspector_edits_every_field_the_validator_accepts(inspector_fields, state_type, language):
    assert set(inspector_fields[state_type][language]) == accepted(state_type, language)
