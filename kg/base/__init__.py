"""The base every wing stands on: versions, the shipped files, reference data, atomic output and the worker pool.

Imports nothing else of the package (import-linter's layers contract, ``pyproject.toml``)."""
