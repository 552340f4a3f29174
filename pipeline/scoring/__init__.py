"""Off the runtime path: scores of predictions against gold (``metrics``), folds for
cross-validation (``folds``) and plain-text score tables (``report``).
"""
