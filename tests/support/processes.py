"""Starting the assistant's real processes for tests: kept as names for the tests, from
:mod:`pump_assistant.devstack`, which the benchmarks and the load test use too."""
from __future__ import annotations

from pump_assistant.devstack import (  # noqa: F401
    BIN,
    MODEL_PATH,
    ROOT,
    base_env,
    endpoints_for,
    free_port,
    get_json,
    post_json,
    production_endpoints_env,
    start,
    start_actions,
    start_rasa,
    stop,
    stop_all,
    wait_for_http,
)
