"""The store wing: the embedded Oxigraph store, SPARQL servers over HTTP, and running questions on either."""

from pathlib import Path

# where load, query, sparql and export look by default (here, not in kg.stores.store: the CLI names
# it in every command's help without loading pyoxigraph)
DEFAULT_STORE = Path(".imrkg") / "store"


class EndpointError(Exception):
    """A server request failed for good (after retries); the message is safe to show.

    ``server_gone`` marks failures that every later request would repeat (unreachable, timing
    out, refusing the credentials), so a batch stops instead of trying each graph in turn.
    (Here, not in kg.stores.endpoint, so a command catches it without importing requests.)
    """

    def __init__(self, message: str, *, server_gone: bool = False) -> None:
        super().__init__(message)
        self.server_gone = server_gone
