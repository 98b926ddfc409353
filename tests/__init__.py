"""The test suite (``make test``): unit/, channels/, actions/, web/, model/, integration/ (a real stack, browser
tests in Chromium), services/ (real PostgreSQL, Redis, RabbitMQ; ``make test-services``). See docs/architecture.md."""
