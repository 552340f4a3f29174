"""Stage 6, tables: the schema of every output table (``schema``), kill-safe writing and reading
(``store``), and the incremental extract run over a folder (``run``).
"""
