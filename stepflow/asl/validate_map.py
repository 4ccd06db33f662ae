"""Map state rules for the validator: the item processor's configuration, where items
come from (ItemsPath, Items, ItemReader), how they are batched and selected, the
concurrency and failure tolerance limits, the Label and the ResultWriter.

``check_map`` reports through the :class:`Context` and never raises; the processor's
states are checked as a state machine of their own by :mod:`stepflow.asl.validate`.
"""

from __future__ import annotations

from typing import Any, Final

from .validate_resources import check_resource
from .validate_values import (
    JSONATA,
    JSONPATH,
    Context,
    check_exclusive,
    check_int_or_expression,
    check_path,
    check_template,
    is_expression,
    is_number,
    kind,
    label_error,
    pointer,
    suggest,
)

__all__ = ["check_map"]

_ARGUMENTS: Final = {JSONPATH: "Parameters", JSONATA: "Arguments"}  # what a reader or writer passes on


def check_map(ctx: Context, path: str, state: dict[str, Any], language: str) -> None:
    """A Map state's own fields (its processor's states are checked as a machine)."""
    processors = [field for field in ("ItemProcessor", "Iterator") if field in state]
    if not processors:
        ctx.add(
            path, "A Map state needs an ItemProcessor (or the legacy Iterator): the state machine to run for each item"
        )
    check_exclusive(ctx, path, state, "ItemProcessor", "Iterator")
    check_exclusive(ctx, path, state, "ItemSelector", "Parameters")
    for name in processors:
        processor = state[name]
        if isinstance(processor, dict) and "ProcessorConfig" in processor:
            _check_processor_config(ctx, pointer(path, name, "ProcessorConfig"), processor["ProcessorConfig"])
    if "ItemsPath" in state:
        check_path(ctx, path, "ItemsPath", state["ItemsPath"], reference=True)
    if "Items" in state and not (isinstance(state["Items"], list) or is_expression(state["Items"])):
        ctx.add(pointer(path, "Items"), f"Items must be an array or a JSONata expression, not {kind(state['Items'])}")
    limits = (("MaxConcurrency", 0, None), ("ToleratedFailureCount", 0, None), ("ToleratedFailurePercentage", 0, 100))
    for field, low, high in limits:
        check_exclusive(ctx, path, state, field, f"{field}Path")
        if f"{field}Path" in state:
            check_path(ctx, path, f"{field}Path", state[f"{field}Path"], reference=True)
        if field not in state:
            continue
        value, at = state[field], pointer(path, field)
        if field != "ToleratedFailurePercentage":
            check_int_or_expression(ctx, at, field, value, low, high, language)
        elif not (language == JSONATA and is_expression(value)):
            if not is_number(value):
                ctx.add(at, f"{field} must be a number from 0 to 100, not {kind(value)}")
            elif not 0 <= value <= 100:
                ctx.add(at, f"{field} must be between 0 and 100; it is {value}")
    if "Label" in state:
        label = state["Label"]
        error = label_error(label) if isinstance(label, str) else f"Label must be a string, not {kind(label)}"
        if error is not None:
            ctx.add(pointer(path, "Label"), error)
    if "ItemReader" in state:
        _check_item_reader(ctx, pointer(path, "ItemReader"), state["ItemReader"], language)
    if "ItemBatcher" in state:
        _check_item_batcher(ctx, pointer(path, "ItemBatcher"), state["ItemBatcher"], language)
    if "ResultWriter" in state:
        _check_result_writer(ctx, pointer(path, "ResultWriter"), state["ResultWriter"], language)


def _check_processor_config(ctx: Context, path: str, config: Any) -> None:
    if not isinstance(config, dict):
        ctx.add(path, f"ProcessorConfig must be an object, not {kind(config)}")
        return
    _only(ctx, path, config, ("Mode", "ExecutionType"), "ProcessorConfig")
    mode = config.get("Mode", "INLINE")
    if mode not in ("INLINE", "DISTRIBUTED"):
        ctx.add(pointer(path, "Mode"), f"Mode must be 'INLINE' or 'DISTRIBUTED', not {mode!r}")
    execution_type = config.get("ExecutionType")
    if "ExecutionType" in config and execution_type not in ("STANDARD", "EXPRESS"):
        ctx.add(
            pointer(path, "ExecutionType"), f"ExecutionType must be 'STANDARD' or 'EXPRESS', not {execution_type!r}"
        )
    elif mode == "DISTRIBUTED" and "ExecutionType" not in config:
        ctx.add(path, "A DISTRIBUTED Map needs ExecutionType ('STANDARD' or 'EXPRESS') for its child executions")
    elif mode == "INLINE" and "ExecutionType" in config:
        ctx.add(pointer(path, "ExecutionType"), "ExecutionType applies only to a DISTRIBUTED Map")


def _check_item_reader(ctx: Context, path: str, reader: Any, language: str) -> None:
    if not isinstance(reader, dict):
        ctx.add(path, f"ItemReader must be an object, not {kind(reader)}")
        return
    _only(ctx, path, reader, ("Resource", "ReaderConfig", _ARGUMENTS[language]), f"a {language} ItemReader")
    if "Resource" not in reader:
        ctx.add(path, "The field 'Resource' is required but was missing")
    else:
        check_resource(ctx, pointer(path, "Resource"), reader["Resource"])
    if language == JSONPATH and "Parameters" in reader:
        check_template(ctx, pointer(path, "Parameters"), reader["Parameters"])
    config = reader.get("ReaderConfig")
    if isinstance(config, dict):
        check_exclusive(ctx, pointer(path, "ReaderConfig"), config, "MaxItems", "MaxItemsPath")
        if "MaxItems" in config:
            check_int_or_expression(
                ctx, pointer(path, "ReaderConfig", "MaxItems"), "MaxItems", config["MaxItems"], 0, 100_000_000, language
            )
    elif "ReaderConfig" in reader:
        ctx.add(pointer(path, "ReaderConfig"), f"ReaderConfig must be an object, not {kind(config)}")


def _check_item_batcher(ctx: Context, path: str, batcher: Any, language: str) -> None:
    if not isinstance(batcher, dict):
        ctx.add(path, f"ItemBatcher must be an object, not {kind(batcher)}")
        return
    fields = (
        "MaxItemsPerBatch",
        "MaxItemsPerBatchPath",
        "MaxInputBytesPerBatch",
        "MaxInputBytesPerBatchPath",
        "BatchInput",
    )
    _only(ctx, path, batcher, fields, "ItemBatcher")
    for field, high in (("MaxItemsPerBatch", None), ("MaxInputBytesPerBatch", 262_144)):
        check_exclusive(ctx, path, batcher, field, f"{field}Path")
        if field in batcher:
            check_int_or_expression(ctx, pointer(path, field), field, batcher[field], 1, high, language)
        if f"{field}Path" in batcher:
            check_path(ctx, path, f"{field}Path", batcher[f"{field}Path"], reference=True)
    if language == JSONPATH and "BatchInput" in batcher:
        check_template(ctx, pointer(path, "BatchInput"), batcher["BatchInput"])


def _check_result_writer(ctx: Context, path: str, writer: Any, language: str) -> None:
    if not isinstance(writer, dict):
        ctx.add(path, f"ResultWriter must be an object, not {kind(writer)}")
        return
    _only(ctx, path, writer, ("Resource", "WriterConfig", _ARGUMENTS[language]), f"a {language} ResultWriter")
    if "Resource" in writer:
        check_resource(ctx, pointer(path, "Resource"), writer["Resource"])
    if language == JSONPATH and "Parameters" in writer:
        check_template(ctx, pointer(path, "Parameters"), writer["Parameters"])


def _only(ctx: Context, path: str, node: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for field in node:
        if field not in allowed:
            ctx.add(
                pointer(path, field), f"The field '{field}' is not supported in {where}{suggest(str(field), allowed)}"
            )
