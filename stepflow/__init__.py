"""stepflow: a self-hosted orchestrator for Amazon States Language state machines."""
