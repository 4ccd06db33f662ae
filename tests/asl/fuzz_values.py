"""Hypothesis strategies for the values inside ASL definitions and runs.

JSON values reach for the edges: huge and tiny numbers, odd Unicode (lone surrogates,
NUL, right-to-left marks, combining characters), deep nesting. Paths, intrinsic calls
and JSONata expressions come well formed most of the time (so that runs get somewhere)
and malformed some of the time. Each strategy is built once: building strategies inside
a draw is what makes generation slow.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = [
    "deep_values",
    "inputs",
    "intrinsic_calls",
    "json_values",
    "jsonata_expressions",
    "numbers",
    "odd_text",
    "query_paths",
    "reference_paths",
    "result_paths",
    "scalars",
]

# ----------------------------------------------------------------------------- JSON values

_ODD_CHARACTERS = "\x00\x1f\x7f\u200b\u200e\u202e\ufeff\ud800\udfff\U0001f600\u0301e\u00e9\u0130\u2028\"'\\{}$.@*[]%"
_KEYS = ["a", "b", "n", "xs", "items", "s", "", "a.b", "$", "ü", "\ud83d", "k y", "Map", "{}"]

odd_text = st.text(st.characters(exclude_categories=()) | st.sampled_from(_ODD_CHARACTERS), max_size=12)
numbers = (
    st.integers(-(2**64), 2**64)
    | st.sampled_from([0, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**53 + 1, 10**300, -(10**300), 10**4000])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.5, -0.0, 1e308, -1e308, 5e-324, 1.7976931348623157e308, 2.5, 1e21])
)
scalars = st.none() | st.booleans() | numbers | odd_text | st.sampled_from(["2024-01-01T00:00:00Z", "1", "true", "{}"])


def json_values(leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value, keys chosen so that generated paths often find something."""
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(_KEYS) | odd_text, inner, max_size=5),
        max_leaves=leaves,
    )


def deep_values(max_depth: int) -> st.SearchStrategy[Any]:
    """A value nested up to ``max_depth`` levels of arrays and objects."""

    def nest(depth: int, leaf: Any, shape: str) -> Any:
        value = leaf
        for level in range(depth):
            value = [value] if shape[level % len(shape)] == "[" else {"a": value}
        return value

    return st.builds(nest, st.integers(0, max_depth), scalars, st.sampled_from(["[", "{", "[{", "{{["]))


def inputs() -> st.SearchStrategy[Any]:
    """Execution inputs: mostly objects with the keys paths look for."""
    shaped = st.fixed_dictionaries(
        {},
        optional={
            "a": json_values(),
            "b": json_values(),
            "n": numbers,
            "s": odd_text,
            "xs": st.lists(json_values(4), max_size=6),
            "items": st.lists(st.dictionaries(st.sampled_from(_KEYS), scalars, max_size=3), max_size=6),
        },
    )
    return shaped | shaped | json_values() | deep_values(60)


# ----------------------------------------------------------------------------- paths

_REFERENCE_STEPS = [".a", ".b", ".n", ".s", ".xs", ".items", "[0]", "[3]", "['a b']", "['ü']", "['Map']", ".Execution.Id", ".Map.Item.Value", ".State.Name"]
_QUERY_STEPS = ["[-1]", "[1:3]", "[*]", "..a", "[?(@.n > 1)]", "[?(@ == 'x')]", "[(@.length-1)]", ".*", "[2147483648]"]
_BROKEN_STEPS = ["[", ".", "..", "[?(", "['", " ", "\u0000", ".\ud800", ".length()"]
_BROKEN_PATHS = st.sampled_from(["", "a", "$.", "$[", "$..", "$['a'", "$$.", "$.a[0", "$.a.b.c.d.e.f"]) | odd_text.map(lambda t: "$." + t)


def _paths(roots: list[str], steps: list[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda root, parts: root + "".join(parts), st.sampled_from(roots), st.lists(st.sampled_from(steps), max_size=4))


_broken = _paths(["$", "$$", "$v"], _REFERENCE_STEPS + _BROKEN_STEPS) | _BROKEN_PATHS
# Reference paths (Choice Variable, SecondsPath...): mostly well formed.
reference_paths = st.one_of(*[_paths(["$", "$", "$$", "$v"], _REFERENCE_STEPS)] * 9, _broken)
# ResultPath: a reference path into the state's input.
result_paths = st.one_of(*[_paths(["$"], _REFERENCE_STEPS)] * 9, _broken)
# Any JSONPath (InputPath, OutputPath, ItemsPath, ``.$`` values), with variables.
query_paths = st.one_of(*[_paths(["$", "$", "$$", "$v", "$w"], _REFERENCE_STEPS + _QUERY_STEPS)] * 9, _broken)

# ----------------------------------------------------------------------------- intrinsics

_INTRINSICS = [
    "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayPartition",
    "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength", "States.ArrayUnique",
    "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge", "States.MathRandom",
    "States.MathAdd", "States.StringSplit", "States.UUID",
]  # fmt: skip
_LITERALS = [
    "'x'", "''", "'{}'", "'{} and {}'", "'\\''", "'\\{'", "'\\\\'", "'{\"a\": 1}'", "'[1,2'", "'SHA-256'", "'MD5'",
    "'nope'", "'a,b,,c'", "','", "1", "-1", "0", "2.6", "-1.5", "1e400", "99999999999", "2147483647", "null", "true",
    "false", "'\u00e9\U0001f600'", "'\ud800'", "'aGVsbG8='", "'===='",
]  # fmt: skip
_MALFORMED_CALLS = [
    "States.Format(", "States.Format('x'", "States.Array(,)", "States.Array(1,)", "States.UUID())", "States.()",
    "States.Nope(1)", "States.format('x')", "Format('x')",
]  # fmt: skip


# Calls the validator accepts, whose arguments' run-time types vary with the input.
_TYPED_CALLS = [
    "States.Format('{} and {}', {0}, {1})", "States.Format({0})", "States.StringToJson({0})", "States.JsonToString({0})",
    "States.Array({0}, {1})", "States.ArrayPartition({0}, {1})", "States.ArrayPartition({0}, 2)",
    "States.ArrayContains({0}, {1})", "States.ArrayRange(0, {0}, 1)", "States.ArrayRange({0}, {1}, 2)",
    "States.ArrayGetItem({0}, {1})", "States.ArrayLength({0})", "States.ArrayUnique({0})", "States.Base64Encode({0})",
    "States.Base64Decode({0})", "States.Hash({0}, 'SHA-256')", "States.JsonMerge({0}, {1}, false)",
    "States.MathRandom(0, {0})", "States.MathAdd({0}, {1})", "States.StringSplit({0}, {1})", "States.UUID()",
]  # fmt: skip


def _intrinsic_calls() -> st.SearchStrategy[str]:
    path = _paths(["$", "$$", "$v"], _REFERENCE_STEPS + _QUERY_STEPS)
    argument = st.sampled_from(_LITERALS) | path
    anything = st.recursive(
        argument,
        lambda inner: st.builds(lambda name, args: f"{name}({', '.join(args)})", st.sampled_from(_INTRINSICS), st.lists(inner, max_size=4)),
        max_leaves=6,
    )
    typed = st.recursive(
        path | st.sampled_from(_LITERALS),
        lambda inner: st.builds(lambda form, a, b: form.replace("{0}", a).replace("{1}", b), st.sampled_from(_TYPED_CALLS), inner, inner),
        max_leaves=3,
    )
    return st.one_of(*[typed.filter(lambda text: "(" in text)] * 6, anything.filter(lambda text: "(" in text), st.sampled_from(_MALFORMED_CALLS))


# Intrinsic function calls nested a few levels, with literal, path and call arguments in
# every arity (most arities wrong for most functions), plus malformed calls.
intrinsic_calls = _intrinsic_calls()

# ----------------------------------------------------------------------------- JSONata

_ATOMS = [
    "$states.input", "$states.input.a", "$states.input.xs", "$states.input.n", "$states.input.items",
    "$states.context.Execution.Id", "$states.context.Map.Item.Value", "$states.result", "$states.errorOutput",
    "$v", "$w", "$nope", "1", "0", "-1", "1e308", "2.5", "'x'", '"\u2603"', "'\ud800'", "null", "true", "[1, 2, 3]",
    '{"a": 1}', "[]", "{}", "$random()", "$uuid()", "$now()", "$millis()",
]  # fmt: skip
_UNARY = [
    "$string({})", "$number({})", "$count({})", "$sum({})", "$keys({})", "$uppercase({})", "$parse({})",
    "$partition({}, 2)", "$hash({}, 'SHA-256')", "$range(0, {})", "$exists({})", "$type({})", "-{}", "{}[0]", "{}.a",
    "$length({})", "$substring({}, 1)", "$split({}, ',')", "$join({})", "$boolean({})", "$not({})", "$round({})",
    "$power({}, 2)", "$sqrt({})", "$fromMillis({})", "$toMillis({})", "$lookup({}, 'a')", "$merge([{}])", "$spread({})",
    "$sort({})", "$reverse({})", "$distinct({})", "$eval({})", "$formatNumber({}, '#')", "$pad({}, 5)",
    "$match({}, /a/)", "$replace({}, 'a', 'b')", "$base64encode({})", "$base64decode({})", "$abs({})", "$floor({})",
    "$map({}, function($x) {{ $x }})", "$filter({}, function($x) {{ $x }})", "({})", "[{}]", '{{"k": {}}}', "$random({})",
]  # fmt: skip
_BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} / {}", "{} % {}", "{} & {}", "{} = {}", "{} < {}", "{} and {}", "{} ? {} : null", "{} in {}", "[{}..{}]"]
_BROKEN = ["(", "$$$", "}", "%}", "{%", "/", "$states.", "1 +", "[1..", "function(", "$x := ", "'", "\x00"]


def _jsonata_expressions() -> st.SearchStrategy[str]:
    body = st.recursive(
        st.sampled_from(_ATOMS),
        lambda inner: st.builds(str.format, st.sampled_from(_UNARY), inner) | st.builds(str.format, st.sampled_from(_BINARY), inner, inner),
        max_leaves=5,
    )
    return st.builds(lambda text: "{% " + text + " %}", st.one_of(*[body] * 6, st.sampled_from(_BROKEN), odd_text))


# ``{% ... %}`` field values: function calls, operators and nesting over ``$states`` and
# variables, and malformed expressions.
jsonata_expressions = _jsonata_expressions()
