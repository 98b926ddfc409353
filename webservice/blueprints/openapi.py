from pathlib import Path

import yaml
from sanic import Blueprint
from sanic.response import json

SPEC_FILE = Path(__file__).resolve().parent.parent / "openapi.yml"
bp = Blueprint("openapi")


def load_spec() -> dict:
    return yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))


@bp.get("/api/openapi.json")
async def openapi(request):
    return json(request.app.ctx.openapi)
