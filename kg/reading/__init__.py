"""The reading wing: a letter's bytes -> text -> typed records (:mod:`kg.reading.models`), item
classification and decision reasons. Imports no RDF library (import-linter's forbidden contract)."""
