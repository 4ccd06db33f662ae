"""Task ``Resource`` and ``Credentials`` rules for the validator.

A stepflow Task resource is an Fn function (app/function name, function id or invoke
URL), a Lambda-style function ARN, or an AWS service-integration ARN
(``arn:aws:states:::service:action[.sync|.sync:2|.waitForTaskToken]``). Fn references
are accepted as written. ARNs are checked the way AWS checks them: function qualifiers,
the integration actions AWS actually offers for the services listed below (services not
listed are accepted, since AWS adds new ones), and the integration patterns an EXPRESS
machine cannot use. Nothing here raises.
"""

from __future__ import annotations

import re
from typing import Any, Final

from .validate_values import JSONPATH, Context, check_template, kind, pointer, suggest

__all__ = ["check_credentials", "check_resource"]

_PATTERNS: Final = (".sync:2", ".sync", ".waitForTaskToken")

# AWS's optimized integrations: service -> the actions it accepts after
# arn:aws:states::: . Anything else on these services is rejected by AWS as "not
# recognized" (use the aws-sdk:service:action form for the full API).
_INTEGRATIONS: Final[dict[str, frozenset[str]]] = {
    "lambda": frozenset({"invoke"}),
    "dynamodb": frozenset({"getItem", "putItem", "updateItem", "deleteItem"}),
    "sns": frozenset({"publish"}),
    "sqs": frozenset({"sendMessage"}),
    "states": frozenset({"startExecution"}),
    "batch": frozenset({"submitJob"}),
    "ecs": frozenset({"runTask"}),
    "glue": frozenset({"startJobRun"}),
    "databrew": frozenset({"startJobRun"}),
    "events": frozenset({"putEvents"}),
    "apigateway": frozenset({"invoke"}),
    "http": frozenset({"invoke"}),
    "athena": frozenset({"startQueryExecution", "stopQueryExecution", "getQueryExecution", "getQueryResults"}),
    "codebuild": frozenset(
        {
            "startBuild",
            "stopBuild",
            "batchDeleteBuilds",
            "batchGetReports",
            "startBuildBatch",
            "stopBuildBatch",
            "retryBuild",
            "retryBuildBatch",
            "deleteBuildBatch",
        }
    ),
    "eks": frozenset(
        {
            "createCluster",
            "deleteCluster",
            "createFargateProfile",
            "deleteFargateProfile",
            "createNodegroup",
            "deleteNodegroup",
            "runJob",
            "call",
        }
    ),
    "emr": frozenset(
        {
            "createCluster",
            "terminateCluster",
            "addStep",
            "cancelStep",
            "setClusterTerminationProtection",
            "modifyInstanceFleetByName",
            "modifyInstanceGroupByName",
        }
    ),
    "emr-containers": frozenset({"createVirtualCluster", "deleteVirtualCluster", "startJobRun"}),
    "emr-serverless": frozenset(
        {"createApplication", "startApplication", "stopApplication", "deleteApplication", "startJobRun", "cancelJobRun"}
    ),
    "sagemaker": frozenset(
        {
            "createEndpoint",
            "createEndpointConfig",
            "createHyperParameterTuningJob",
            "createLabelingJob",
            "createModel",
            "createProcessingJob",
            "createTrainingJob",
            "createTransformJob",
            "updateEndpoint",
        }
    ),
    "bedrock": frozenset({"invokeModel", "createModelCustomizationJob"}),
    "mediaconvert": frozenset({"createJob"}),
    "s3": frozenset({"getObject", "putObject", "listObjectsV2"}),  # Map ItemReader / ResultWriter
}
_QUALIFIER: Final = re.compile(r"\$LATEST|[A-Za-z0-9_-]{1,128}")


def check_resource(ctx: Context, path: str, value: Any) -> None:
    """A Task (or ItemReader/ResultWriter) ``Resource``."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
            return  # a CloudFormation intrinsic, resolved before the machine is created
    if not isinstance(value, str):
        ctx.add(path, f"Resource must be a string naming a function or integration, not {kind(value)}")
        return
    if not value.strip():
        ctx.add(path, "Resource cannot be empty")
        return
    if value != value.strip():
        ctx.add(path, f"Resource {value!r} has leading or trailing whitespace")
    start = value.find("${")
    if start >= 0 and value.find("}", start) < 0:
        ctx.add(path, f"Resource {value!r} opens a '${{' substitution that is never closed")
        return
    if value.startswith("arn:"):
        _check_arn(ctx, path, value)


def _check_arn(ctx: Context, path: str, arn: str) -> None:
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[1] or not parts[2] or not parts[5]:
        ctx.add(path, f"Resource {arn!r} is not a valid ARN (arn:partition:service:region:account:resource)")
        return
    service, region, account, resource = parts[2], parts[3], parts[4], parts[5]
    if service == "lambda":
        _check_function(ctx, path, arn, resource)
    elif service == "states" and not region and not account:
        _check_integration(ctx, path, arn, resource)


def _check_function(ctx: Context, path: str, arn: str, resource: str) -> None:
    kind_, _, rest = resource.partition(":")
    if kind_ != "function":
        return  # layers and other Lambda resources are not invocable, but AWS reports that at run time
    name, colon, qualifier = rest.partition(":")
    if not name:
        ctx.add(path, f"Resource {arn!r} does not name a function")
    elif colon and not _QUALIFIER.fullmatch(qualifier):
        ctx.add(
            path,
            f"Resource {arn!r} has an invalid version or alias {qualifier!r}; "
            "use $LATEST, a version number or an alias of letters, digits, '-' and '_'",
        )


def _check_integration(ctx: Context, path: str, arn: str, resource: str) -> None:
    pattern = next((p for p in _PATTERNS if resource.endswith(p)), "")
    base = resource[: len(resource) - len(pattern)]
    service, _, action = base.partition(":")
    if service == "aws-sdk":
        sdk_service, _, sdk_action = action.partition(":")
        if not sdk_service or not sdk_action:
            ctx.add(
                path,
                f"The resource provided {arn} is not recognized: an SDK integration is "
                "arn:aws:states:::aws-sdk:service:apiAction",
            )
    elif not service or not action or "." in action or ":" in action:
        ctx.add(
            path,
            f"The resource provided {arn} is not recognized: an integration is "
            "arn:aws:states:::service:action, optionally followed by .sync, .sync:2 or .waitForTaskToken",
        )
        return
    elif service in _INTEGRATIONS and action not in _INTEGRATIONS[service]:
        known = ", ".join(sorted(_INTEGRATIONS[service]))
        ctx.add(
            path,
            f"The resource provided {arn} is not recognized: the {service} integration offers {known}"
            f"{suggest(action, _INTEGRATIONS[service])} (use aws-sdk:{service}:{action} for other API actions)",
        )
    if ctx.express and pattern:
        shown = ".sync" if pattern.startswith(".sync") else pattern
        ctx.add(path, f"Express state machine does not support '{shown}' service integration")


def check_credentials(ctx: Context, path: str, value: Any, language: str) -> None:
    """Task ``Credentials``: an object.

    With JSONata, AWS requires exactly a ``RoleArn`` (its recorded rejections say "The field
    'RoleArn' is required"). With JSONPath the specification defines Credentials as a
    payload template, so only its ``key.$`` fields are checked."""
    if not isinstance(value, dict):
        ctx.add(path, f"Credentials must be an object with a RoleArn, not {kind(value)}")
        return
    if language == JSONPATH:
        check_template(ctx, path, value)
        return
    for field in value:
        if field != "RoleArn":
            ctx.add(
                pointer(path, field),
                f"The field '{field}' is not supported in Credentials{suggest(str(field), ('RoleArn',))}",
            )
    if "RoleArn" not in value:
        ctx.add(path, "The field 'RoleArn' is required but was missing")
    elif not isinstance(value["RoleArn"], str):
        ctx.add(pointer(path, "RoleArn"), f"RoleArn must be a string, not {kind(value['RoleArn'])}")
