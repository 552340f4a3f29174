"""The rule extractors, in the order they run.
"""
from __future__ import annotations



from pipeline.entities.date import DateExtractor
from pipeline.entities.doc_number import DocNumberExtractor
from pipeline.entities.doc_title import DocTitleExtractor
from pipeline.entities.money import MoneyExtractor
from pipeline.entities.org import OrgExtractor
from pipeline.entities.person_count import PersonCountExtractor


RULE_EXTRACTORS = (DateExtractor, MoneyExtractor, PersonCountExtractor, DocTitleExtractor, DocNumberExtractor, OrgExtractor)
