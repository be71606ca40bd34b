"""The store wing: the embedded Oxigraph store, SPARQL servers over HTTP, and running questions on either."""
