"""The clinic's web service (sanic): staff API, health, OpenAPI description."""
