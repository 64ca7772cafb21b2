"""`symwork serve`: the workbook as a web page (library, exercises, verify, grade) over a JSON API.

The package is a thin shell over the library's public API, like the CLI: `app.create_app` builds the
Starlette application; every parse and check of typed text runs in a sandbox pool (`pool.Pool`) with a
bounded queue. Nothing here is imported by ``symwork --help``.
"""
