"""Stage 4, measures: every measure gets its labels (institution_building, accountability,
fund_recovery): the keyword baseline (``keywords``) and the trained classifier (``classifier``,
features in ``features``); ``components``: the spaCy component.
"""
