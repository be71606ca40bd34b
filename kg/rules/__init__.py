"""The rule wing: the engine that searches many patterns fast (:mod:`kg.rules.engine`) and the
checked reader of the rule files in ``kg/data`` (:mod:`kg.rules.rulefile`, :mod:`kg.rules.schemes`)."""
