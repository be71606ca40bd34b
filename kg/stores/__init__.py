"""The store wing: the embedded Oxigraph store, SPARQL servers over HTTP, and running questions on either."""

from pathlib import Path

# where load, query, sparql and export look by default (here, not in kg.stores.store: the CLI names
# it in every command's help without loading pyoxigraph)
DEFAULT_STORE = Path(".imrkg") / "store"
