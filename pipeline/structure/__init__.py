"""Stage 3, structure: header facts, groups, numbered items and their status, measure spans.

``parse.parse_structure(text, mtext)``, ``header.parse_header(...)``; ``components``: the spaCy component.
"""
