"""The AWS Step Functions API (JSON 1.0 protocol, SigV4) over stepflow's services.

Sits above ``workflows`` and ``executions`` and may import both; nothing below imports it.
``protocol`` turns a request into an action call and any failure into AWS's error shape;
``auth`` verifies SigV4 against access keys stepflow issues; ``actions_*`` are thin
handlers calling the existing services; ``arns`` maps AWS ARNs to stepflow names;
``lambda_map`` runs imported Lambda ARNs on Fn functions; ``compatibility`` reports the
AWS-only integrations a definition names.
"""
