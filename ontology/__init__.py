"""Installed as a package (kg.ontology) so the files beside this one ship with imr-kg; see kg/base/resources.py."""
