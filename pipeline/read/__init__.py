"""Stage 1, read: notice files (txt, html, docx, pdf) to decoded text, and the matching copy.

``ingest.read_notice(path) -> SourceDocument``; ``textnorm.matching_text(text)`` (same length,
for matching only); ``inputs.iter_inputs(folder)``; ``components``: the spaCy component.
"""
