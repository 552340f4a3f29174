"""Off the runtime path: ``make evaluate`` (rules, model and combined, cross-validated, by set)
and ``make bench``.
"""
