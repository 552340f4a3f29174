"""Information extraction for Chinese inspection rectification notices (巡视/巡察整改进展情况的通报).

Public API: ``parse_text`` (one notice's text → ``ParsedNotice``), ``load_tables`` (an output
folder → pandas DataFrames), ``NoticeParser`` (explicit model paths), ``read_notice`` (a file →
decoded text).
"""
__version__ = "0.1.0"

__all__ = ["parse_text", "load_tables", "NoticeParser", "read_notice", "__version__"]


def __getattr__(name):  # lazy: importing the package stays cheap
    if name in ("parse_text", "load_tables", "NoticeParser"):
        from . import api
        return getattr(api, name)
    if name == "read_notice":
        from .ingest import read_notice
        return read_notice
    raise AttributeError(name)
