"""Every private name of Rasa, sanic and python-engineio the project touches still exists.

The names are listed in the adapter modules (pump_assistant/rasa_ext/adapters/),
the only code that uses them. After an upgrade, a failure here names what is
gone and which adapter to rewrite, before a conversation finds out.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pump_assistant.rasa_ext.adapters import engineio_private, rasa_private, sanic_private

ADAPTERS = (rasa_private, sanic_private, engineio_private)
ROOT = Path(__file__).resolve().parents[2]
PRIVATE_LIBRARIES = ("rasa", "sanic", "engineio", "socketio", "websockets")


@pytest.mark.parametrize(
    "adapter, name",
    [(adapter, name) for adapter in ADAPTERS for name in adapter.PRIVATE_NAMES],
    ids=lambda value: getattr(value, "__name__", None) or str(value),
)
def test_private_name_still_exists(adapter, name):
    try:
        target = name.target()
    except (ImportError, AttributeError) as error:
        pytest.fail(f"{name.owner} is gone ({error}); {adapter.__name__} was written against {adapter.WRITTEN_AGAINST}")
    assert hasattr(target, name.attribute), (
        f"missing attribute {name}: {adapter.__name__} (written against {adapter.WRITTEN_AGAINST}) needs rewriting"
    )


def test_engineio_driver_table_has_a_websocket_entry():
    from socketio import AsyncServer

    table = getattr(AsyncServer(async_mode="sanic").eio, "_async")
    assert engineio_private.WEBSOCKET_DRIVER_KEY in table, (
        f"engineio AsyncServer._async has no {engineio_private.WEBSOCKET_DRIVER_KEY!r} entry: "
        f"{engineio_private.__name__} (written against {engineio_private.WRITTEN_AGAINST}) needs rewriting"
    )


def test_sanic_still_honours_the_websocket_handler_mark():
    import inspect

    from sanic import Sanic

    assert sanic_private.WEBSOCKET_HANDLER_MARK in inspect.getsource(Sanic.handle_request), (
        f"sanic no longer reads handler.{sanic_private.WEBSOCKET_HANDLER_MARK}: {sanic_private.__name__} "
        f"(written against {sanic_private.WRITTEN_AGAINST}) needs rewriting"
    )


def test_every_adapter_says_what_it_was_written_against():
    for adapter in ADAPTERS:
        assert adapter.__doc__ and "Written against" in adapter.__doc__, adapter.__name__
        assert adapter.WRITTEN_AGAINST


def _private_uses(path: Path) -> list[str]:
    """Private attributes read or set on anything but ``self``/``cls`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    return found


def test_no_private_names_outside_the_adapters():
    """The project's code reaches others' private attributes only in the adapters."""
    adapters = ROOT / "pump_assistant" / "rasa_ext" / "adapters"
    uses = []
    for folder in ("pump_assistant", "webservice", "actions"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            if adapters in path.parents or not any(f"import {lib}" in source or f"from {lib}" in source
                                                   for lib in PRIVATE_LIBRARIES):
                continue
            uses.extend(_private_uses(path))
    # Our own modules' private helpers (imported by name) are not in question here.
    assert not uses, "private attributes outside pump_assistant/rasa_ext/adapters/:\n" + "\n".join(uses)
