"""Helpers the tests share: starting processes, a browser page on the widget, NLU fixtures.

May import: anything in the project and the test tools. Imported by: tests only,
never by product code.
"""
