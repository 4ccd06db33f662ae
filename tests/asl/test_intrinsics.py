"""stepflow.asl.intrinsics: the 18 States.* functions, their AWS quirks and every error path.

The last part runs the AWS-recorded conformance corpus: each single-Pass-state case whose
Parameters call intrinsics is evaluated with this module alone and compared with what AWS
recorded, using the corpus's own ``asl_compare``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import time
from pathlib import Path as FilePath
from types import ModuleType
from typing import Any

import pytest

from stepflow.asl import intrinsics
from stepflow.asl.errors import ErrorName, IntrinsicSyntaxError, StatesError
from stepflow.asl.intrinsics import FUNCTIONS, MAX_NESTING, compile_intrinsic, is_intrinsic
from stepflow.asl.paths import Scope, compile_path, compile_reference_path, set_at


def run(text: str, input: Any = None, context: Any = None, variables: dict[str, Any] | None = None) -> Any:
    return compile_intrinsic(text).evaluate(Scope({} if input is None else input, context, variables))


def failure(text: str, input: Any = None, context: Any = None) -> StatesError:
    with pytest.raises(StatesError) as info:
        run(text, input, context)
    assert info.value.error == ErrorName.RUNTIME
    return info.value


def syntax_error(text: Any) -> str:
    with pytest.raises(IntrinsicSyntaxError) as info:
        compile_intrinsic(text)
    return str(info.value)


# -- the public surface --------------------------------------------------------------------


def test_the_public_surface_is_explicit() -> None:
    assert sorted(intrinsics.__all__) == [
        "FUNCTIONS",
        "Intrinsic",
        "MAX_NESTING",
        "Spec",
        "compile_intrinsic",
        "is_intrinsic",
    ]


def test_all_eighteen_documented_functions_are_known() -> None:
    names = [
        "Format", "StringToJson", "JsonToString", "Array", "ArrayPartition", "ArrayContains", "ArrayRange",
        "ArrayGetItem", "ArrayLength", "ArrayUnique", "Base64Encode", "Base64Decode", "Hash", "JsonMerge",
        "MathRandom", "MathAdd", "StringSplit", "UUID",
    ]  # fmt: skip
    assert sorted(FUNCTIONS) == sorted(f"States.{name}" for name in names)


@pytest.mark.parametrize(
    "text", ["States.Format('x')", "States.UUID()", "States.MathAdd($.a, 1)", "States.Array($.a) trailing"]
)
def test_is_intrinsic_recognises_a_call_at_the_start(text: str) -> None:
    assert is_intrinsic(text)


@pytest.mark.parametrize("text", [" States.UUID()", "$.a", "States.UUID", "states.UUID()", "States.", "", 42, None])
def test_is_intrinsic_rejects_anything_else(text: Any) -> None:
    assert not is_intrinsic(text)


def test_the_functions_module_exports_every_implementation_it_lists() -> None:
    from stepflow.asl import intrinsic_functions

    exported = {name: getattr(intrinsic_functions, name) for name in intrinsic_functions.__all__}
    assert all(spec.impl in exported.values() for spec in FUNCTIONS.values())


def test_compiling_the_same_text_twice_reuses_the_compiled_call() -> None:
    assert compile_intrinsic("States.MathAdd($.n, 1)") is compile_intrinsic("States.MathAdd($.n, 1)")


def test_a_compiled_call_names_its_function_and_every_path_it_reads() -> None:
    call = compile_intrinsic("States.Format('{} {}', $.a, States.ArrayLength($$.Execution.Input.items))")
    assert call.text == "States.Format('{} {}', $.a, States.ArrayLength($$.Execution.Input.items))"
    assert call.function == "States.Format"
    assert [path.text for path in call.paths] == ["$.a", "$$.Execution.Input.items"]
    assert call.reads_context
    assert not compile_intrinsic("States.MathAdd($.a, 1)").reads_context


# -- parsing: literals, paths, nesting -----------------------------------------------------


def test_string_literals_unescape_quote_braces_and_backslash() -> None:
    assert run(r"States.Array('it\'s \{x\} \\')") == ["it's {x} \\"]


def test_string_literals_keep_raw_newlines_double_quotes_and_unescaped_braces() -> None:
    assert run("States.Array('a\nb \"c\" {}')") == ['a\nb "c" {}']


@pytest.mark.parametrize("escape", [r"\"", r"\n", r"\t", r"\u0041"])
def test_any_other_escape_is_a_syntax_error(escape: str) -> None:
    message = syntax_error(f"States.Array('a{escape}b')")
    assert f"invalid escape '{escape[:2]}'" in message
    assert r"only \', \{, \} and \\ may be escaped" in message


def test_an_unterminated_string_is_a_syntax_error() -> None:
    assert "unterminated string literal" in syntax_error("States.Array('abc)")


def test_numbers_follow_the_json_grammar() -> None:
    values = run("States.Array(0, -2, 3.5, -0.25, 1e3, 2E-2, 12345678901234567890)")
    assert values == [0, -2, 3.5, -0.25, 1000.0, 0.02, 12345678901234567890]
    assert [type(v) for v in values] == [int, int, float, float, float, float, int]


@pytest.mark.parametrize("number", ["1.", ".5", "01", "+1", "1e", "0x10", "1_000", "--1"])
def test_numbers_outside_the_json_grammar_are_syntax_errors(number: str) -> None:
    assert "is not a valid argument" in syntax_error(f"States.Array({number})")


def test_true_false_and_null_are_literals() -> None:
    assert run("States.Array(true, false, null)") == [True, False, None]


@pytest.mark.parametrize("word", ["True", "nil", "truely", "nullx", "undefined"])
def test_other_bare_words_are_syntax_errors(word: str) -> None:
    assert "is not a valid argument" in syntax_error(f"States.Array({word})")


def test_arguments_may_be_surrounded_by_whitespace() -> None:
    assert run("States.Array( $.a ,\n\t$.b )", {"a": 1, "b": 2}) == [1, 2]


def test_path_arguments_read_the_input_the_context_and_variables() -> None:
    assert run(
        "States.Array($, $.a, $$.Execution.Id, $$, $count)", {"a": 1}, {"Execution": {"Id": "x"}}, {"count": 3}
    ) == [
        {"a": 1},
        1,
        "x",
        {"Execution": {"Id": "x"}},
        3,
    ]


def test_a_path_argument_may_hold_a_filter_with_spaces_and_commas() -> None:
    items = [{"k": "a, b"}, {"k": "c"}, {"k": "a, b"}]
    assert run("States.ArrayLength($.items[?(@.k == 'a, b')])", {"items": items}) == 2


def test_a_malformed_path_argument_is_a_syntax_error() -> None:
    assert "invalid path argument '$..'" in syntax_error("States.Array($..)")


def test_calls_nest() -> None:
    assert (
        run(
            "States.ArrayGetItem(States.StringSplit(States.Format('{}-{}', $.a, 'b'), '-'), States.MathAdd(0, 1))",
            {"a": "x"},
        )
        == "b"
    )


def test_calls_nest_up_to_ten_deep() -> None:
    text = "States.Array(" * MAX_NESTING + "1" + ")" * MAX_NESTING
    value = run(text)
    for _ in range(MAX_NESTING):
        value = value[0]
    assert value == 1


def test_nesting_deeper_than_ten_is_a_syntax_error() -> None:
    text = "States.Array(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1)
    assert "nested at most 10 deep" in syntax_error(text)


def test_an_unknown_function_is_a_syntax_error_that_lists_the_functions() -> None:
    message = syntax_error("States.Concat('a', 'b')")
    assert "unknown intrinsic function States.Concat" in message
    assert "States.Format" in message and "States.UUID" in message


def test_function_names_are_case_sensitive() -> None:
    assert "unknown intrinsic function States.format" in syntax_error("States.format('x')")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.MathAdd(1)", "States.MathAdd takes exactly 2 arguments but 1 was given"),
        ("States.MathAdd(1, 2, 3)", "States.MathAdd takes exactly 2 arguments but 3 were given"),
        ("States.UUID(1)", "States.UUID takes exactly 0 arguments but 1 was given"),
        ("States.Format()", "States.Format takes at least 1 argument but 0 were given"),
        ("States.ArrayRange(1, 5)", "States.ArrayRange takes exactly 3 arguments"),
        ("States.MathRandom(1)", "States.MathRandom takes 2 or 3 arguments but 1 was given"),
        ("States.MathRandom(1, 2, 3, 4)", "States.MathRandom takes 2 or 3 arguments but 4 were given"),
        ("States.JsonMerge($.a, $.b)", "States.JsonMerge takes exactly 3 arguments"),
        ("States.Hash('a')", "States.Hash takes exactly 2 arguments"),
        ("States.StringToJson()", "States.StringToJson takes exactly 1 argument but 0 were given"),
        ("States.ArrayLength()", "States.ArrayLength takes exactly 1 argument"),
    ],
)
def test_a_wrong_number_of_arguments_is_a_syntax_error(text: str, expected: str) -> None:
    assert expected in syntax_error(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Array($.a", "States.Array( is missing its closing ')'"),
        ("States.Array(", "States.Array( is missing its closing ')'"),
        ("States.Array($.a, )", "missing an argument of States.Array before ')'"),
        ("States.Array(, $.a)", "missing an argument of States.Array before ','"),
        ("States.Array($.a $.b)", "expected ',' or ')' after argument 1 of States.Array"),
        ("States.Array($.a) trailing", "unexpected text 'trailing' after the call States.Array($.a)"),
        ("States.Array([1,2])", "'[1' is not a valid argument"),
        (" States.UUID()", "expected an intrinsic function call"),
        ("$.a", "expected an intrinsic function call"),
    ],
)
def test_malformed_calls_are_syntax_errors_that_say_what_is_wrong(text: str, expected: str) -> None:
    assert expected in syntax_error(text)


def test_syntax_errors_say_where_the_problem_is() -> None:
    assert "(at character 17 of 'States.Array(1, 01)')" in syntax_error("States.Array(1, 01)")


def test_a_call_that_is_not_a_string_is_a_syntax_error() -> None:
    assert "must be a string" in syntax_error(42)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.MathAdd(1, '-1')", "argument 2 of States.MathAdd must be a number"),
        ("States.ArrayRange('a', 5, 1)", "argument 1 of States.ArrayRange must be a number"),
        ("States.MathRandom(1, 10, null)", "argument 3 of States.MathRandom must be a number"),
        ("States.ArrayLength('not-array')", "argument 1 of States.ArrayLength must be an array"),
        ("States.ArrayPartition('x', 2)", "argument 1 of States.ArrayPartition must be an array"),
        ("States.JsonMerge('{}', $.b, false)", "argument 1 of States.JsonMerge must be a JSON object"),
        ("States.Base64Encode(123)", "argument 1 of States.Base64Encode must be a string"),
        ("States.StringSplit(1, ',')", "argument 1 of States.StringSplit must be a string"),
        ("States.Format(1)", "argument 1 of States.Format must be a string"),
        ("States.Hash('a', 'sha-256')", "argument 2 of States.Hash must be one of 'MD5', 'SHA-1'"),
        ("States.JsonMerge($.a, $.b, true)", "Step Functions only supports the shallow merging mode"),
    ],
)
def test_a_literal_that_can_never_be_valid_is_a_syntax_error(text: str, expected: str) -> None:
    assert expected in syntax_error(text)


# -- States.Format -------------------------------------------------------------------------


def test_format_fills_the_placeholders_in_order() -> None:
    assert (
        run("States.Format('Hello, my name is {}, I am {}.', $.name, $.age)", {"name": "Arnav", "age": 7})
        == "Hello, my name is Arnav, I am 7."
    )


def test_format_prints_objects_java_style() -> None:
    value = {"a": 1, "b": [1, 2], "c": {"s": "x y", "n": None, "t": True}}
    assert run("States.Format('{}', $.v)", {"v": value}) == "{a=1, b=[1, 2], c={s=x y, n=null, t=true}}"


def test_format_prints_arrays_java_style() -> None:
    assert run("States.Format('{}', $.v)", {"v": [1, "two", [3], {}, []]}) == "[1, two, [3], {}, []]"


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (1, "1"),
        (-7, "-7"),
        (1.1, "1.1"),
        (1.0, "1.0"),
        (-0.0, "-0.0"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (12345678.9, "1.23456789E7"),
        (1e21, "1.0E21"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (-2.5e-7, "-2.5E-7"),
        (9007199254740991, "9007199254740991"),
    ],
)
def test_format_prints_null_booleans_and_numbers_as_java_does(value: Any, printed: str) -> None:
    assert run("States.Format('<{}>', $.v)", {"v": value}) == f"<{printed}>"


def test_format_inserts_string_values_verbatim() -> None:
    assert run("States.Format('{}|{}', $.a, 'x{}y')", {"a": '{"Arg1": 1}'}) == '{"Arg1": 1}|x{}y'


def test_format_escaped_braces_in_a_literal_template_are_literal_text() -> None:
    assert run(r"States.Format('\{\} = {} \\{}', 1, 2)") == "{} = 1 \\2"


def test_format_without_placeholders_returns_the_template() -> None:
    assert run("States.Format('no placeholders')") == "no placeholders"


def test_format_takes_its_template_from_a_path() -> None:
    assert run("States.Format($.template, $.name)", {"template": "It's {}!", "name": "Pikachu"}) == "It's Pikachu!"


def test_format_with_a_literal_template_and_the_wrong_number_of_values_is_a_syntax_error() -> None:
    assert "template has 2 {} placeholder(s) but 1 value(s) follow it" in syntax_error("States.Format('{} {}', $.a)")
    assert "template has 1 {} placeholder(s) but 2 value(s) follow it" in syntax_error("States.Format('{}', $.a, $.b)")


@pytest.mark.parametrize("template", ["Hello {", "}", "Hello {{}}", "a { } b"])
def test_format_with_a_literal_template_with_a_lone_brace_is_a_syntax_error(template: str) -> None:
    assert "invalid template in States.Format" in syntax_error(f"States.Format('{template}', $.a)")


def test_format_with_a_path_template_and_the_wrong_number_of_values_fails() -> None:
    error = failure("States.Format($.t, $.a)", {"t": "{} and {}", "a": 1})
    assert error.cause == (
        "There was an error while evaluating the intrinsic function: States.Format($.t, $.a). "
        "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."
    )


def test_format_with_a_path_template_with_a_lone_brace_fails() -> None:
    error = failure("States.Format($.t, $.a)", {"t": "Hello {", "a": 1})
    assert error.cause is not None
    assert error.cause.endswith("Invalid template in States.Format: matching '}' not found for '{'.")


def test_format_with_a_template_that_is_not_a_string_fails() -> None:
    error = failure("States.Format($.t, $.a)", {"t": 123, "a": 1})
    assert "Invalid arguments in States.Format: the template (first argument) must be a string, got number 123" in str(
        error.cause
    )


# -- States.StringToJson and States.JsonToString -------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"foo": "bar", "n": [1, 2.5]}', {"foo": "bar", "n": [1, 2.5]}),
        ('[1, 2, "HelloWorld"]', [1, 2, "HelloWorld"]),
        ('"HelloWorld"', "HelloWorld"),
        ("true", True),
        ("null", None),
        ("1.1", 1.1),
        (" 42 ", 42),
    ],
)
def test_string_to_json_parses_json_text(text: str, value: Any) -> None:
    assert run("States.StringToJson($.s)", {"s": text}) == value


def test_string_to_json_reads_minus_zero_as_the_integer_zero() -> None:
    value = run("States.StringToJson($.s)", {"s": "-0"})
    assert value == 0 and type(value) is int


@pytest.mark.parametrize("blank", ["", " ", "\n\t "])
def test_string_to_json_returns_null_for_a_blank_string(blank: str) -> None:
    assert run("States.StringToJson($.s)", {"s": blank}) is None


@pytest.mark.parametrize("text", ["{a: 1}", "[1,", "NaN", "Infinity", "1 2", "'x'"])
def test_string_to_json_fails_on_text_that_is_not_json(text: str) -> None:
    assert "Invalid arguments in States.StringToJson: the argument is not valid JSON text" in str(
        failure("States.StringToJson($.s)", {"s": text}).cause
    )


def test_string_to_json_fails_on_a_value_that_is_not_a_string() -> None:
    assert "the argument must be a string, got object {}" in str(failure("States.StringToJson($.s)", {"s": {}}).cause)


def test_string_to_json_parses_a_literal_with_unescaped_braces() -> None:
    assert run('States.StringToJson(\'{"constant_in_literal": "false"}\')') == {"constant_in_literal": "false"}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (0, "0"),
        (1.1, "1.1"),
        (True, "true"),
        ("HelloWorld", '"HelloWorld"'),
        ([1, 2, "HelloWorld"], '[1,2,"HelloWorld"]'),
        ({"Arg1": 1, "Arg2": []}, '{"Arg1":1,"Arg2":[]}'),
        ({"b": 1, "a": 2}, '{"b":1,"a":2}'),
        ("héllo ✓", '"héllo ✓"'),
        ("tab\tnew\nline\u001f", '"tab\\tnew\\nline\\u001F"'),
        ("a\\u001fb", '"a\\\\u001fb"'),
        (1e21, "1.0E21"),
        ({"x": 12345678.9}, '{"x":1.23456789E7}'),
    ],
)
def test_json_to_string_writes_compact_json_as_jackson_does(value: Any, text: str) -> None:
    assert run("States.JsonToString($.v)", {"v": value}) == text


# -- arrays --------------------------------------------------------------------------------


def test_array_of_no_arguments_is_empty() -> None:
    assert run("States.Array()") == []


def test_array_holds_its_arguments_in_order() -> None:
    assert run("States.Array('Foo', 2020, $.someJson, null)", {"someJson": {"a": [1]}}) == [
        "Foo",
        2020,
        {"a": [1]},
        None,
    ]


@pytest.mark.parametrize(
    ("items", "size", "chunks"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], 4, [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
        ([0, 1, 2, 3], 2, [[0, 1], [2, 3]]),
        ([0, 1], 5, [[0, 1]]),
        ([], 3, []),
        ([1, 2, 3, 4, 5], 2.6, [[1, 2], [3, 4], [5]]),
        ([1, 2, 3], 2147483647, [[1, 2, 3]]),
    ],
)
def test_array_partition_splits_into_chunks_truncating_a_fractional_size(
    items: list[Any], size: Any, chunks: list[Any]
) -> None:
    assert run("States.ArrayPartition($.items, $.size)", {"items": items, "size": size}) == chunks


@pytest.mark.parametrize(
    ("size", "detail"),
    [
        (0, "positive integer, got 0"),
        (-1, "positive integer, got -1"),
        (0.6, "positive integer, got 0.6"),
        ("2", "must be a number, got string"),
    ],
)
def test_array_partition_fails_on_a_chunk_size_below_one_or_not_a_number(size: Any, detail: str) -> None:
    cause = str(failure("States.ArrayPartition($.items, $.size)", {"items": [1, 2], "size": size}).cause)
    assert "Invalid arguments in States.ArrayPartition" in cause and detail in cause


def test_array_partition_fails_on_a_value_that_is_not_an_array() -> None:
    assert "the first argument must be an array, got string" in str(
        failure("States.ArrayPartition($.a, 2)", {"a": "x"}).cause
    )


@pytest.mark.parametrize(
    ("items", "wanted", "found"),
    [
        ([1, 2, 3], 2, True),
        ([1, 2, 3], 5, False),
        ([[1, 2, 3], 2], [1, 2, 3], True),
        ([{"1": 2, "2": []}], {"1": 2, "2": []}, True),
        ([{"1": 2, "2": []}], [], False),
        ([], None, False),
        ([True, False], False, True),
        ([1, None, 3], None, True),
    ],
)
def test_array_contains_finds_values(items: list[Any], wanted: Any, found: bool) -> None:
    assert run("States.ArrayContains($.items, $.wanted)", {"items": items, "wanted": wanted}) is found


@pytest.mark.parametrize(
    ("items", "wanted", "found"),
    [
        (["true", "false"], True, True),
        (["9007199254740991"], 9007199254740991, True),
        ([{"a": 1, "b": 2}], {"b": 2, "a": 1}, False),
        ([0, 1, -1], False, False),
        ([{"a": 1}], {"a": 1, "extra": None}, False),
    ],
)
def test_array_contains_compares_by_java_text_as_aws_does(items: list[Any], wanted: Any, found: bool) -> None:
    assert run("States.ArrayContains($.items, $.wanted)", {"items": items, "wanted": wanted}) is found


def test_array_contains_fails_on_a_value_that_is_not_an_array() -> None:
    assert "Invalid arguments in States.ArrayContains" in str(failure("States.ArrayContains($.a, 1)", {"a": {}}).cause)


@pytest.mark.parametrize(
    ("start", "end", "step", "values"),
    [
        (1, 9, 2, [1, 3, 5, 7, 9]),
        (0, 10, 3, [0, 3, 6, 9]),
        (1, 9, 9, [1]),
        (-2, 2, 2, [-2, 0, 2]),
        (5, 1, -2, [5, 3, 1]),
        (3, 3, -1, [3]),
        (5, 1, 1, []),
        (1, 5, -1, []),
        (1.6, 1.4, 1, [1]),
        (5.4, -0.6, -2.4, [5, 3, 1]),
    ],
)
def test_array_range_counts_inclusively_truncating_fractions(
    start: Any, end: Any, step: Any, values: list[int]
) -> None:
    assert run("States.ArrayRange($.s, $.e, $.t)", {"s": start, "e": end, "t": step}) == values


def test_array_range_makes_up_to_a_thousand_items_in_either_direction() -> None:
    assert run("States.ArrayRange(1, 1000, 1)") == list(range(1, 1001))
    assert run("States.ArrayRange(1000, 1, -1)") == list(range(1000, 0, -1))


@pytest.mark.parametrize(
    "text", ["States.ArrayRange(1, 1001, 1)", "States.ArrayRange(1001, 1, -1)", "States.ArrayRange(0, 2000000000, 1)"]
)
def test_array_range_fails_beyond_a_thousand_items(text: str) -> None:
    assert "more than the 1000 allowed" in str(failure(text).cause)


@pytest.mark.parametrize("step", [0, 0.49, -0.9])
def test_array_range_fails_on_a_step_of_zero_after_truncation(step: float) -> None:
    assert "the step (third argument) must not be 0" in str(failure("States.ArrayRange(1, 10, $.t)", {"t": step}).cause)


def test_array_range_fails_on_a_bound_that_is_not_a_number() -> None:
    assert "Invalid arguments in States.ArrayRange: the start must be a number, got string" in str(
        failure("States.ArrayRange($.s, 5, 1)", {"s": "a"}).cause
    )


def test_array_get_item_returns_the_item_at_a_zero_based_index() -> None:
    assert run("States.ArrayGetItem($.a, $.i)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "i": 5}) == 6
    assert run("States.ArrayGetItem($.a, 1)", {"a": [{"a": 1}, {"b": 2}]}) == {"b": 2}


def test_array_get_item_truncates_a_fractional_index() -> None:
    assert run("States.ArrayGetItem($.a, 1.9)", {"a": [10, 20, 30]}) == 20


def test_array_get_item_on_an_empty_array_returns_null() -> None:
    assert run("States.ArrayGetItem($.a, 999)", {"a": []}) is None


@pytest.mark.parametrize(
    ("index", "detail"),
    [
        (3, "the index 3 is out of bounds for an array of 3 items"),
        (-1, "must not be negative, got -1"),
        ("1", "must be a number"),
    ],
)
def test_array_get_item_fails_on_a_bad_index(index: Any, detail: str) -> None:
    cause = str(failure("States.ArrayGetItem($.a, $.i)", {"a": [10, 20, 30], "i": index}).cause)
    assert "Invalid arguments in States.ArrayGetItem" in cause and detail in cause


def test_array_length_counts_top_level_items() -> None:
    assert run("States.ArrayLength($.a)", {"a": [[1], [2], {"x": 3}]}) == 3
    assert run("States.ArrayLength(States.Array())") == 0


def test_array_length_fails_on_a_value_that_is_not_an_array() -> None:
    assert "the argument must be an array, got object" in str(failure("States.ArrayLength($.a)", {"a": {"k": 1}}).cause)


def test_array_unique_keeps_first_occurrences_in_order() -> None:
    assert run("States.ArrayUnique($.a)", {"a": [1, 2, 2, 3, 3, 4, 1]}) == [1, 2, 3, 4]


def test_array_unique_tells_numbers_booleans_and_strings_apart() -> None:
    assert run("States.ArrayUnique($.a)", {"a": [1, 1.0, True, "1", None, None]}) == [1, 1.0, True, "1", None]


def test_array_unique_treats_objects_with_the_same_fields_as_equal() -> None:
    items = [{"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 1}, [None], [None]]
    assert run("States.ArrayUnique($.a)", {"a": items}) == [{"a": 1, "b": 2}, {"a": 1, "b": 1}, [None]]


def test_array_unique_fails_on_a_value_that_is_not_an_array() -> None:
    assert "Invalid arguments in States.ArrayUnique" in str(failure("States.ArrayUnique($.a)", {"a": "abc"}).cause)


# -- encoding and hashing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("Data to encode", "RGF0YSB0byBlbmNvZGU="),
        ("", ""),
        ("✓", "4pyT"),
        ("🚀", "8J+agA=="),
        ("abc\u0000def", "YWJjAGRlZg=="),
    ],
)
def test_base64_encode_encodes_utf8(text: str, encoded: str) -> None:
    assert run("States.Base64Encode($.s)", {"s": text}) == encoded


def test_base64_encode_accepts_ten_thousand_characters_and_no_more() -> None:
    assert run("States.Base64Encode($.s)", {"s": "a" * 10_000}) == "YWFh" * 3333 + "YQ=="
    assert "longer than 10000 characters" in str(failure("States.Base64Encode($.s)", {"s": "a" * 10_001}).cause)


def test_base64_encode_counts_characters_outside_the_bmp_twice_as_java_does() -> None:
    assert "longer than 10000 characters" in str(failure("States.Base64Encode($.s)", {"s": "🚀" * 5_001}).cause)


def test_base64_encode_fails_on_a_value_that_is_not_a_string() -> None:
    assert "Invalid arguments in States.Base64Encode: the argument must be a string, got number 123" in str(
        failure("States.Base64Encode($.s)", {"s": 123}).cause
    )


@pytest.mark.parametrize(
    ("encoded", "text"),
    [
        ("RGF0YSB0byBlbmNvZGU=", "Data to encode"),
        ("", ""),
        ("44GT44KT44Gr44Gh44Gv", "こんにちは"),
        ("YWJjAGRlZg==", "abc\u0000def"),
    ],
)
def test_base64_decode_decodes_to_utf8_text(encoded: str, text: str) -> None:
    assert run("States.Base64Decode($.s)", {"s": encoded}) == text


@pytest.mark.parametrize(
    ("encoded", "text"),
    [
        ("YWJjZA", "abcd"),
        (" YWJjZA== ", "abcd"),
        ("YWJj\nZA==", "abcd"),
        ("YWJj=ZA==", "abc"),
        ("YWJjZA-_", "abcd\x0f\ufffd"),
    ],
)
def test_base64_decode_is_lenient_like_aws(encoded: str, text: str) -> None:
    assert run("States.Base64Decode($.s)", {"s": encoded}) == text


def test_base64_decode_replaces_bytes_that_are_not_utf8() -> None:
    assert run("States.Base64Decode('/w==')") == "\ufffd"


def test_base64_decode_fails_on_more_than_ten_thousand_characters() -> None:
    assert "longer than 10000 characters" in str(failure("States.Base64Decode($.s)", {"s": "A" * 10_001}).cause)


def test_base64_decode_fails_on_a_value_that_is_not_a_string() -> None:
    assert "Invalid arguments in States.Base64Decode" in str(failure("States.Base64Decode($.s)", {"s": {}}).cause)


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        ("MD5", "5d41402abc4b2a76b9719d911017c592"),
        ("SHA-1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
        ("SHA-256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
        ("SHA-384", "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f"),
        (
            "SHA-512",
            "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
        ),
    ],
)
def test_hash_gives_a_lower_case_hex_digest(algorithm: str, digest: str) -> None:
    assert run("States.Hash($.data, $.algorithm)", {"data": "hello", "algorithm": algorithm}) == digest


def test_hash_hashes_numbers_and_objects_by_their_java_text() -> None:
    assert run("States.Hash($.n, 'MD5')", {"n": 123}) == run("States.Hash('123', 'MD5')")
    assert run("States.Hash($.o, 'MD5')", {"o": {"a": 1}}) == run("States.Hash('{a=1}', 'MD5')")


@pytest.mark.parametrize("algorithm", ["sha-256", "SHA256", "MD-5", "SHA-257", "", 256])
def test_hash_fails_on_an_algorithm_aws_does_not_offer(algorithm: Any) -> None:
    cause = str(failure("States.Hash('data', $.algorithm)", {"algorithm": algorithm}).cause)
    assert (
        "Invalid arguments in States.Hash: the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512" in cause
    )


def test_hash_fails_on_more_than_ten_thousand_characters() -> None:
    assert "the data is longer than 10000 characters" in str(
        failure("States.Hash($.s, 'MD5')", {"s": "a" * 10_001}).cause
    )


# -- States.JsonMerge ----------------------------------------------------------------------


def test_json_merge_is_shallow_and_the_second_object_wins() -> None:
    first = {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}
    second = {"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4}
    merged = run("States.JsonMerge($.first, $.second, false)", {"first": first, "second": second})
    assert merged == {"a": {"a3": 1, "a4": 2}, "b": 2, "d": 4, "c": 3}
    assert list(merged) == ["a", "b", "d", "c"]
    assert first == {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}  # the inputs are left alone


def test_json_merge_fails_when_asked_to_merge_deeply() -> None:
    cause = str(failure("States.JsonMerge($.a, $.b, $.deep)", {"a": {}, "b": {}, "deep": True}).cause)
    assert "Invalid arguments in States.JsonMerge: Step Functions only supports the shallow merging mode" in cause


@pytest.mark.parametrize("flag", ["false", 0, None, "no"])
def test_json_merge_reads_a_deep_flag_that_is_not_boolean_as_jackson_does(flag: Any) -> None:
    assert run("States.JsonMerge($.a, $.b, $.deep)", {"a": {"x": 1}, "b": {"y": 2}, "deep": flag}) == {"x": 1, "y": 2}


@pytest.mark.parametrize("flag", ["true", 1])
def test_json_merge_reads_a_truthy_deep_flag_as_deep(flag: Any) -> None:
    assert "shallow merging mode" in str(
        failure("States.JsonMerge($.a, $.b, $.deep)", {"a": {}, "b": {}, "deep": flag}).cause
    )


@pytest.mark.parametrize(
    ("a", "b", "detail"),
    [
        (None, {}, "the first argument must be a JSON object, got null"),
        ({}, [], "the second argument must be a JSON object, got array"),
    ],
)
def test_json_merge_fails_on_a_value_that_is_not_an_object(a: Any, b: Any, detail: str) -> None:
    assert detail in str(failure("States.JsonMerge($.a, $.b, false)", {"a": a, "b": b}).cause)


# -- math ----------------------------------------------------------------------------------


def test_math_add_adds_integers() -> None:
    assert run("States.MathAdd($.value1, $.step)", {"value1": 111, "step": -1}) == 110


@pytest.mark.parametrize(
    ("a", "b", "total"),
    [
        (1.49, 1.5, 3),
        (1.5, 1.51, 4),
        (-1.49, -1.5, -2),
        (-1.5, -1.51, -3),
        (-1.5, 0, -1),
        (-2.5, 0, -2),
        (2.5, 0, 3),
        (0.5, 0, 1),
        (-0.5, 0, 0),
        (-0.5, 0.5, 1),
        (0.1, 0.2, 0),
    ],
)
def test_math_add_rounds_each_operand_half_up_like_java(a: float, b: float, total: int) -> None:
    value = run("States.MathAdd($.a, $.b)", {"a": a, "b": b})
    assert value == total and type(value) is int


def test_math_add_works_up_to_the_java_int_limits() -> None:
    assert run("States.MathAdd(2147483646, 1)") == 2147483647
    assert run("States.MathAdd(-2147483647, -1)") == -2147483648


@pytest.mark.parametrize(
    ("a", "b", "detail"),
    [
        (2147483647, 1, "the sum must be between -2147483648 and 2147483647, got 2147483648"),
        (-2147483648, -1, "the sum must be between"),
        (3000000000, 1, "the first operand must be between"),
        (1, -3000000000, "the second operand must be between"),
        ("1", 2, 'the operands must be numbers, got string "1"'),
        (True, 1, "the operands must be numbers, got boolean true"),
        (None, 1, "the operands must be numbers, got null"),
        (1, [1], "the operands must be numbers, got array [1]"),
    ],
)
def test_math_add_fails_outside_java_ints_or_on_values_that_are_not_numbers(a: Any, b: Any, detail: str) -> None:
    cause = str(failure("States.MathAdd($.a, $.b)", {"a": a, "b": b}).cause)
    assert "Invalid arguments in States.MathAdd" in cause and detail in cause


def test_math_random_returns_an_integer_from_start_inclusive_to_end_exclusive() -> None:
    values = {run("States.MathRandom(1, 4)") for _ in range(200)}
    assert values == {1, 2, 3}


def test_math_random_truncates_fractional_bounds() -> None:
    assert {run("States.MathRandom(1.6, 2.4)") for _ in range(20)} == {1}


def test_math_random_with_a_seed_matches_java_util_random() -> None:
    # new java.util.Random(42).nextInt(10) == 0 and new Random(0).nextInt(100) == 60
    assert run("States.MathRandom(-5, 5, 42)") == -5
    assert run("States.MathRandom(0, 100, 0)") == 60
    assert run("States.MathRandom(0, 16, 3)") == run("States.MathRandom(0, 16, 3)")


@pytest.mark.parametrize(
    ("start", "end", "seed", "detail"),
    [
        (1, 1, 0, "the start (1) must be less than the end (1)"),
        (10, 5, 0, "the start (10) must be less than the end (5)"),
        (1.4, 1.6, 0, "the start (1) must be less than the end (1)"),
        (None, 10, 0, "the start must be a number, got null"),
        (1, "b", 0, "the end must be a number, got string"),
        (1, 10, "seed", "the seed must be a number, got string"),
        (-2147483648, 2147483647, 0, "is wider than 2147483647"),
        (1, 3000000000, 0, "the end must be between"),
    ],
)
def test_math_random_fails_on_bad_bounds_or_seed(start: Any, end: Any, seed: Any, detail: str) -> None:
    cause = str(failure("States.MathRandom($.s, $.e, $.seed)", {"s": start, "e": end, "seed": seed}).cause)
    assert "Invalid arguments in States.MathRandom" in cause and detail in cause


# -- strings and ids -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter", "parts"),
    [
        ("1,2,3,4,5", ",", ["1", "2", "3", "4", "5"]),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
        ("1a2b3ab4", "ab", ["1", "2", "3", "4"]),
        ("a|b[c]d", "|[]", ["a", "b", "c", "d"]),
        ("a\\b^c", "\\^", ["a", "b", "c"]),
    ],
)
def test_string_split_treats_the_delimiter_as_a_set_of_characters(text: str, delimiter: str, parts: list[str]) -> None:
    assert run("States.StringSplit($.t, $.d)", {"t": text, "d": delimiter}) == parts


@pytest.mark.parametrize(
    ("text", "parts"), [(",a,,b,", ["a", "b"]), (", , ,", [" ", " "]), (",,,,", []), ("", []), (" ", [" "])]
)
def test_string_split_drops_empty_tokens(text: str, parts: list[str]) -> None:
    assert run("States.StringSplit($.t, ',')", {"t": text}) == parts


def test_string_split_on_an_empty_delimiter_returns_the_whole_string() -> None:
    assert run("States.StringSplit('abc', '')") == ["abc"]


@pytest.mark.parametrize(
    ("t", "d", "detail"),
    [
        (123, ",", "the string (first argument) must be a string"),
        ("a,b", None, "the delimiter (second argument) must be a string"),
        ("a,b", [","], "got array"),
    ],
)
def test_string_split_fails_on_values_that_are_not_strings(t: Any, d: Any, detail: str) -> None:
    cause = str(failure("States.StringSplit($.t, $.d)", {"t": t, "d": d}).cause)
    assert "Invalid arguments in States.StringSplit" in cause and detail in cause


def test_uuid_is_a_fresh_version_4_uuid_each_time() -> None:
    first, second = run("States.UUID()"), run("States.UUID()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first)
    assert first != second


# -- run-time errors -----------------------------------------------------------------------


def test_a_missing_path_fails_as_aws_words_it() -> None:
    error = failure("States.MathAdd($.nope, 1)", {"a": "é"})
    assert error.cause == (
        "There was an error while evaluating the intrinsic function: States.MathAdd($.nope, 1). "
        "The JsonPath argument for the field '$.nope' could not be found in the input '{\"a\":\"é\"}'"
    )
    assert error.as_output() == {"Error": "States.Runtime", "Cause": error.cause}


def test_a_missing_context_path_shows_the_context_object() -> None:
    cause = str(failure("States.Format('{}', $$.Execution.Nope)", {"a": 1}, {"Execution": {"Id": "x"}}).cause)
    assert cause.endswith(
        "The JsonPath argument for the field '$$.Execution.Nope' could not be found "
        """in the input '{"Execution":{"Id":"x"}}'"""
    )


def test_a_missing_variable_fails() -> None:
    with pytest.raises(StatesError) as info:
        run("States.Format('{}', $nope)", {}, None, {"other": 1})
    assert "The JsonPath argument for the field '$nope' could not be found" in str(info.value.cause)


def test_a_failure_inside_a_nested_call_names_the_inner_call() -> None:
    cause = str(failure("States.Array(1, States.ArrayGetItem($.a, 5))", {"a": [1]}).cause)
    assert cause.startswith(
        "There was an error while evaluating the intrinsic function: States.ArrayGetItem($.a, 5). "
        "Invalid arguments in States.ArrayGetItem"
    )


def test_math_add_on_a_path_evaluates_in_a_few_microseconds() -> None:
    call = compile_intrinsic("States.MathAdd($.loop.i, 1)")
    scope = Scope({"loop": {"i": 41}})
    rounds = 20_000
    started = time.perf_counter()
    for _ in range(rounds):
        call.evaluate(scope)
    per_call = (time.perf_counter() - started) / rounds
    assert call.evaluate(scope) == 42
    assert per_call < 20e-6, f"{per_call * 1e6:.1f} µs per evaluation"


# -- the AWS-recorded conformance corpus ---------------------------------------------------

REPO = FilePath(__file__).resolve().parents[2]
CORPUS = FilePath(os.environ.get("STEPFLOW_CONFORMANCE_DIR") or REPO.parent / "shared" / "conformance")
SKIPPED_FEATURES = frozenset({"JSONata", "Variables", "Arguments", "Output", "Items"})
TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign")


def _corpus_files(folder: str) -> list[FilePath]:
    return sorted((CORPUS / folder).glob("*.json")) if (CORPUS / folder).is_dir() else []


def _intrinsics_in(template: Any) -> list[str]:
    """Every intrinsic call in a JSONPath payload template (``key.$`` values only)."""
    if isinstance(template, dict):
        found = []
        for key, value in template.items():
            if key.endswith(".$") and is_intrinsic(value):
                found.append(value)
            found += _intrinsics_in(value)
        return found
    if isinstance(template, list):
        return [text for item in template for text in _intrinsics_in(item)]
    return []


def _jsonpath_states(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Every JSONPath-language state, however deeply nested in Map and Parallel."""
    found = []
    top_jsonata = definition.get("QueryLanguage") == "JSONata"
    for state in definition.get("States", {}).values():
        if state.get("QueryLanguage", "JSONata" if top_jsonata else "JSONPath") == "JSONPath":
            found.append(state)
        for child in [state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", [])]:
            if isinstance(child, dict):
                found += _jsonpath_states(child)
    return found


def _every_intrinsic(definition: dict[str, Any]) -> list[str]:
    texts = []
    for state in _jsonpath_states(definition):
        for field in TEMPLATE_FIELDS:
            texts += _intrinsics_in(state.get(field))
        texts += [state[field] for field in ("ErrorPath", "CausePath") if is_intrinsic(state.get(field))]
    return texts


def _single_pass_cases() -> list[dict[str, Any]]:
    cases = []
    for file in _corpus_files("cases"):
        case = json.loads(file.read_text())
        states = case["definition"].get("States", {})
        if len(states) != 1 or not SKIPPED_FEATURES.isdisjoint(case["features"]):
            continue
        (state,) = states.values()
        if (
            state.get("Type") == "Pass"
            and case["definition"].get("QueryLanguage") != "JSONata"
            and _intrinsics_in(state.get("Parameters"))
        ):
            cases.append(case)
    return cases


def _asl_compare() -> ModuleType:
    spec = importlib.util.spec_from_file_location("asl_compare", CORPUS / "asl_compare.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _apply_template(template: Any, scope: Scope) -> Any:
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$") and isinstance(value, str):
                out[key[:-2]] = (
                    compile_intrinsic(value).evaluate(scope) if is_intrinsic(value) else compile_path(value).get(scope)
                )
            else:
                out[key] = _apply_template(value, scope)
        return out
    if isinstance(template, list):
        return [_apply_template(item, scope) for item in template]
    return template


def _context(case: dict[str, Any], state_name: str) -> dict[str, Any]:
    arn = "arn:aws:states:us-east-1:111111111111"
    return {
        "Execution": {
            "Id": f"{arn}:execution:Machine-abc:run-1",
            "Input": case["input"],
            "Name": "run-1",
            "StartTime": "2024-01-01T00:00:00.000Z",
        },
        "StateMachine": {"Id": f"{arn}:stateMachine:Machine-abc", "Name": "Machine-abc"},
        "State": {"Name": state_name, "EnteredTime": "2024-01-01T00:00:00.000Z", "RetryCount": 0},
    }


def _wildcarded(expected: Any, wildcards: set[str]) -> Any:
    """The corpus's ``expected_wildcards`` stood in for random values: match anything there."""
    if isinstance(expected, dict):
        return {key: _wildcarded(value, wildcards) for key, value in expected.items()}
    if isinstance(expected, list):
        return [_wildcarded(value, wildcards) for value in expected]
    return "<wildcard>" if isinstance(expected, str) and expected in wildcards else expected


SINGLE_PASS_CASES = _single_pass_cases()
# One None stands in for the cases when the corpus is absent, so the test reports a skip.
CASE_PARAMS: list[dict[str, Any] | None] = [*SINGLE_PASS_CASES] or [None]


@pytest.mark.conformance
@pytest.mark.parametrize("case", CASE_PARAMS, ids=lambda case: case["name"] if case else "corpus-absent")
def test_it_evaluates_single_pass_intrinsic_cases_as_aws_recorded(case: dict[str, Any] | None) -> None:
    if case is None:
        pytest.skip(f"the conformance corpus is not at {CORPUS} (set STEPFLOW_CONFORMANCE_DIR)")
    ((name, state),) = case["definition"]["States"].items()
    document = case["input"]
    effective = compile_path(state["InputPath"]).get(Scope(document)) if state.get("InputPath") else document
    try:
        result = _apply_template(state["Parameters"], Scope(effective, _context(case, name)))
        if "ResultPath" in state:
            output = (
                document
                if state["ResultPath"] is None
                else set_at(document, compile_reference_path(state["ResultPath"]), result)
            )
        else:
            output = result
        if state.get("OutputPath"):
            output = compile_path(state["OutputPath"]).get(Scope(output))
        status, error, cause = "SUCCEEDED", None, None
    except StatesError as exc:
        status, output, error, cause = "FAILED", None, exc.error, exc.cause
    expected = _wildcarded(case["expected"], set(case.get("expected_wildcards", [])))
    assert _asl_compare().compare_result(expected, status, output, error, cause) == []


def test_the_corpus_has_single_pass_intrinsic_cases_for_every_function() -> None:
    if not SINGLE_PASS_CASES:
        pytest.skip(f"the conformance corpus is not at {CORPUS}")
    used = {
        match
        for case in SINGLE_PASS_CASES
        for text in _intrinsics_in(case["definition"])
        for match in re.findall(r"States\.\w+", text)
    }
    # No such case calls UUID, and the corpus's "array_unique" case calls ArrayLength.
    assert used == set(FUNCTIONS) - {"States.ArrayUnique", "States.UUID"}


@pytest.mark.conformance
def test_every_intrinsic_in_the_corpus_definitions_aws_ran_or_accepted_compiles() -> None:
    files = _corpus_files("cases") + _corpus_files("valid")
    if not files:
        pytest.skip(f"the conformance corpus is not at {CORPUS}")
    texts = [text for file in files for text in _every_intrinsic(json.loads(file.read_text())["definition"])]
    assert len(texts) > 150
    for text in texts:
        compile_intrinsic(text)


@pytest.mark.conformance
@pytest.mark.parametrize(
    "file",
    [
        "scenarios.test_base_scenarios.test_illegal_escapes_ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_FUNCTION.json",
        "scenarios.test_base_scenarios.test_illegal_escapes_ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_FUNCTION_2.json",
        "asl-validator.math-add.json",
    ],
)
def test_intrinsics_in_corpus_definitions_that_are_rejected_do_not_compile(file: str) -> None:
    path = CORPUS / "invalid" / file
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    texts = _every_intrinsic(json.loads(path.read_text())["definition"])
    assert texts
    for text in texts:
        with pytest.raises(IntrinsicSyntaxError):
            compile_intrinsic(text)
