"""The whole parse as one spaCy pipeline: :func:`load_nlp` builds it from ``pipeline.cfg``.

    >>> from pipeline.parse import load_nlp
    >>> nlp = load_nlp()                     # models under models/, loaded once per process
    >>> doc = nlp(text)
    >>> doc.ents, doc.spans["items"], doc.spans["measures"], doc._.notice_date

:class:`NoticeParser` wraps it for callers that want the plain records
(:class:`~pipeline.types.ParsedNotice`); :func:`notice_from_doc` converts a Doc.
"""
from pipeline.parse.loader import CONFIG_PATH, MODELS_DIR, load_nlp
from pipeline.parse.parser import NoticeParser, default_parser, notice_from_doc, parse_text

__all__ = ["CONFIG_PATH", "MODELS_DIR", "load_nlp", "NoticeParser", "default_parser", "notice_from_doc",
           "parse_text"]
