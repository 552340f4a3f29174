"""Stage 2, entities: dates, amounts, counts of people, organisations, document titles.

One module per label (``date``, ``money``, ``person_count``, ``org``, ``doc_title``), their
``patterns/`` and ``lexicons/``, the notice date, jieba segmentation, the NER model wrapper
(``ner``) and the one overlap step (``overlaps``); ``components`` registers them with spaCy.
"""
