"""Information extraction for Chinese inspection rectification notices (巡视/巡察整改进展情况的通报).

Public API (:mod:`pipeline.api`): ``parse_text`` (one notice's text → ``ParsedNotice``),
``read_notice`` (a file → decoded text), ``load_tables`` (an output folder → pandas DataFrames),
``label_measures`` (measure texts → labels), ``NoticeParser`` and ``load_nlp`` (the spaCy pipeline).
"""
__version__ = "0.1.0"

__all__ = ["parse_text", "read_notice", "load_tables", "label_measures", "NoticeParser", "load_nlp",
           "__version__"]


def __getattr__(name):  # lazy: importing the package stays cheap
    if name in __all__ and name != "__version__":
        from pipeline import api
        return getattr(api, name)
    raise AttributeError(name)
