"""The graph wing: records -> RDF under the ontology, the vocabulary graph, SHACL, statistics and the canned questions."""
