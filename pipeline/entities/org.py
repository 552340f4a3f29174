"""ORG: organisations by shape (jurisdiction, body, suffix), never by a list of names.
"""
from __future__ import annotations

import re


from pipeline.resources import alternation, pattern_rows, word_list
from pipeline.types import Entity
from pipeline.entities.view import TextView, _CJK, _entity, span_in, without_glosses


class OrgExtractor:
    """Organisations by shape, never by a list of names.

    An organ suffix from the closed set (``lexicons/org_suffixes.txt``) is found first; its name
    then grows leftwards over jieba words until a function word, a verb of the trim list,
    punctuation or a number stops it, and must start with a jurisdiction (``中共``, a place, a
    level such as 省/市/区) unless the suffix alone names one body here (``党工委``). Named
    standing bodies (``…领导小组``), company-form endings (``…集团``) and names listed in
    ``X、Y等企业`` context follow the same left walk.
    """

    label = "ORG"
    name = "rule:org"
    MAX_WORDS = 6
    STOP_TAGS = ("p", "c", "u", "r", "m", "q", "d", "t", "f", "x", "y", "e", "o")
    LEVELS = ("省", "市", "县", "区", "州", "镇", "乡", "盟", "旗")
    PLACE_ENDINGS = ("省", "市", "县", "区", "州", "镇", "乡", "街道", "高新区", "开发区", "新区")

    def __init__(self):
        from pipeline.entities import segment
        rows = {row["id"]: row["pattern"] for row in pattern_rows("orgs")}
        self.suffix = re.compile(alternation(word_list("org_suffixes") + word_list("org_department_suffixes")))
        self.counted_before = re.compile(rows["counted_before"])
        self.extension = re.compile(rows["organ_extension"])
        self.standing = re.compile(rows["standing_body"])
        self.company_list = re.compile(rows["company_list"])
        self.company_suffix = re.compile(rows["company_suffix"])
        self.full_name = re.compile(rows["full_name"])
        self.named_body = re.compile(rows["named_body"])
        self.term_prefix = re.compile(rows["term_prefix"])
        self.committee_pair = re.compile(rows["committee_pair"])
        self.generic_party_pair = re.compile(rows["generic_party_pair"])
        self.source_line = re.compile(rows["source_line"])
        national = alternation(word_list("org_national"))
        self.national = re.compile(f"(?:{national})")
        # 中央纪委国家监委驻…纪检监察组 is one longer name, not 中央纪委 + 国家监委
        self.dispatched = re.compile(f"(?:{national})*驻")
        self.leading_noise = re.compile(rows["leading_noise"])
        self.address_word = re.compile(rows["address_word"])
        self.not_company = tuple(word_list("org_not_company"))
        self.rejected_endings = tuple(word_list("org_rejected_endings"))
        # A name right after another that ends like one of these belongs to it (警务保障部|财务科).
        self.merge_endings = tuple(word_list("org_department_suffixes")) + tuple(word_list("org_party_bodies")) + (
            "分局", "支队", "大队", "总队", "领导小组办公室", "领导小组", "办公室", "纪检组", "纪检监察组")
        self.bare = set(word_list("org_bare"))
        self.stop_words = set(word_list("org_left_trim"))
        # longest first, tried in order: the first that matches wins, as a regex alternation does
        self._stop_word_at = re.compile("|".join(map(re.escape, sorted(self.stop_words, key=len, reverse=True)))
                                        or r"(?!)").match
        self.generic = set(word_list("org_generic"))
        self.generic_prefixes = tuple(word_list("org_generic_prefixes"))
        self.places = set(word_list("places"))
        self.role_words = tuple(sorted(word_list("org_role_words"), key=len, reverse=True))  # 副主委 before 主委
        self.role_word_set = set(self.role_words) | {"负责人", "科长", "处长", "局长", "院长", "校长"}
        self.unit_words = tuple(word_list("org_unit_words"))
        self.unit_chars = set(word_list("org_unit_chars"))
        self.party_bodies = set(word_list("org_party_bodies"))
        self.departments = set(word_list("org_department_suffixes"))
        self.suffix_words = set(word_list("org_suffixes"))
        self.institutions = {"学校", "中学", "小学", "卫生院", "医院", "幼儿园", "保健院"}
        self.ordinal = re.compile(r"第[一二三四五六七八九十\d]{1,3}")
        self.glued_function = re.compile(r"[\u4e00-\u9fff]?[向对在由从与和及把将被给号到]")
        self.complete_org_endings = tuple(w for w in self.suffix_words
                                          if len(w) >= 2 and w not in self.unit_words and not w.endswith(self.unit_words))
        self.tags = segment.word_tags()
        self.segment = segment.tokens

    def find(self, view: TextView) -> list[Entity]:
        """Names found in the text without its pinyin glosses, spans mapped back to the text."""
        cut, origin = without_glosses(view)
        return [_entity(view, *span_in(origin, a, b), self.label, self.name) for a, b in self._spans(cut)]

    def _spans(self, view: TextView) -> list[tuple[int, int]]:
        t = view.mtext
        words = self.segment(t)
        starts = {s: (w, s, e) for w, s, e in words}
        ends = {e: (w, s, e) for w, s, e in words}
        boundaries = set(starts) | set(ends)
        spans: list[tuple[int, int]] = []
        token_at = {}
        for w, s, e in words:
            for k in range(s, e):
                token_at[k] = (s, e)
        for m in self.suffix.finditer(t):
            if (m.end() not in boundaries and m.end() < len(t) and _CJK.match(t[m.end()])
                    and not t.startswith(self.role_words, m.end())):
                continue  # 党组 inside 党组织
            suffix_start = m.start()
            glued_level = (suffix_start > 0 and t[suffix_start - 1] in self.LEVELS
                           and suffix_start - 1 in boundaries)  # 省委, 市委常委: one jieba word
            if suffix_start not in boundaries and not glued_level:
                # 统计局 is one word: the suffix 局 takes the whole word as the organ's name.
                suffix_start = token_at.get(m.start(), (m.start(), m.end()))[0]
                glued = self.glued_function.match(t, suffix_start, m.start())
                if glued:
                    suffix_start = glued.end()  # 向局 → 局
            walk_from = suffix_start - 1 if glued_level else suffix_start
            left = self._walk_left(t, walk_from, ends, institution=m.group(0) in self.institutions)
            start = self._jurisdiction_start(t, left, walk_from)
            if start is None and glued_level:
                start = suffix_start - 1  # 县委, 镇党委
            prefix = t[suffix_start:m.start()]
            if start is None and prefix and (prefix in self.unit_chars or prefix.endswith(self.unit_words)):
                start = suffix_start  # 公司党委, 分行纪委: jieba kept the unit and its body together
            if start is None and len(prefix) >= 2 and prefix.endswith(self.LEVELS) and self._is_place(prefix, None):
                start = suffix_start  # 湖北省委: jieba kept the place and its committee together
            if start is None:
                before = t[suffix_start - 1] if suffix_start else ""
                if before in self.LEVELS:
                    start = suffix_start - 1  # 市 + 统计局
                elif before in self.unit_chars and m.group(0) in self.party_bodies:
                    start = suffix_start - 1  # 局 + 党组: the notice's own unit
                elif m.group(0) in self.departments and m.start() in boundaries and left \
                        and self._stemish(left[-1][0]) and len(left[-1][0]) <= 4:
                    start = left[-1][1]  # 财务 + 科
                    if len(left) > 1 and self._stemish(left[-2][0]) and m.start() - left[-2][1] <= 6:
                        start = left[-2][1]  # 内控 + 合规 + 部
                elif m.group(0) in self.departments and suffix_start < m.start() \
                        and 3 <= m.end() - suffix_start <= 6 and self._nounish(t[suffix_start:m.end()]):
                    start = suffix_start  # 人事处, 经管站: one dictionary word
                    if left and self._nounish(left[-1][0]) and len(left[-1][0]) <= 4:
                        start = left[-1][1]  # 北线 + 管理处
                elif m.group(0) in self.bare and m.start() in boundaries:
                    start = m.start()
                    if left and m.group(0)[-1] in self.departments and self._stemish(left[-1][0]) \
                            and len(left[-1][0]) <= 4:
                        start = left[-1][1]  # 财务 + 审计处: a department of the unit, not the bare office
                else:
                    continue
            end = m.end()
            ext = self.extension.match(t, end)
            if ext:
                end = ext.end()
            if m.group(0) in self.departments and m.start() not in boundaries \
                    and not (start <= suffix_start < m.start() and self._nounish(t[suffix_start:m.end()])
                             and 3 <= m.end() - suffix_start <= 6):
                continue  # 网站, 督办: a department ending inside an ordinary word
            spans.append((start, end))
        fixed = []
        for pattern in (self.full_name, self.named_body, self.national):
            for m in pattern.finditer(t):
                if pattern is self.national and self.dispatched.match(t, m.end()):
                    continue
                fixed.append(m.span())
        for m in self.source_line.finditer(t):
            fixed.append(m.span("source"))
            # the page's publisher is the same organisation wherever else it is named (浙江在线1月6日讯)
            name = m.group("source")
            fixed.extend((k.start(), k.end()) for k in re.finditer(re.escape(name), t) if k.start() != m.start("source"))
        for pattern in (self.standing, self.company_suffix):
            for m in pattern.finditer(t):
                s = m.start("suffix")
                left = self._walk_left(t, s, ends)
                if left:
                    spans.append((left[0][1], m.end()))
                elif m.group("suffix") in ("领导小组办公室", "专项督查组") and s in boundaries:
                    spans.append((s, m.end()))  # named even when bare (ANNOTATION.md)
        for m in self.company_list.finditer(t):
            offset = m.start("names")
            parts = m.group("names").split("、")
            for k, part in enumerate(parts):
                start, end = offset, offset + len(part)
                offset = end + 1
                if k == 0:
                    left = self._walk_left(t, end, ends, allow_verbs=False, allow_alnum=True)
                    if not left:
                        continue
                    start = left[0][1]
                if 2 <= end - start <= 10 and _CJK.search(t[start:end]) \
                        and not t[start:end].endswith(self.not_company):
                    spans.append((start, end))
        last_end = -1
        # Longest first at each start; nested candidates give way to the longer name.
        trimmed = {self._complete(t, self.trim_start(t, a, b), b) for start, end in spans
                   for a, b in self._split_glued(t, start, end)}
        # a term prefix and a general office belong to a named body too (十四届全国人大常委会办公厅)
        fixed = {(self._complete(t, a, b)[0], self._extended_end(t, b)) for a, b in fixed}  # no veto applies
        generic_pairs = [m.span() for m in self.generic_party_pair.finditer(t)]
        trimmed |= fixed
        kept: list[list[int]] = []
        for start, end in sorted(trimmed, key=lambda p: (p[0], -p[1])):
            name = t[start:end]
            if any(a <= start and end <= b for a, b in generic_pairs):
                continue  # 党委（党组）: no one body
            if start < last_end or ((start, end) not in fixed and (
                    self._generic(name) or name.endswith(self.rejected_endings)
                    or self.counted_before.search(t, max(0, start - 4), start))):
                continue
            last_end = end
            if kept and kept[-1][1] == start and name.endswith(self.merge_endings) and name[0] not in self.LEVELS:
                kept[-1][1] = end  # 警务保障部 + 财务科, 市公安局 + 城北分局: one body
            else:
                kept.append([start, end])
        return [(start, end) for start, end in kept]

    def _extended_end(self, t: str, end: int) -> int:
        ext = self.extension.match(t, end)
        return ext.end() if ext else end

    def _split_glued(self, t: str, start: int, end: int) -> list[tuple[int, int]]:
        """Two names joined by a word between them are two names: 镇党委|对|市委巡察组,
        郑州市委|高度重视|省委; 省委省政府 is 省委 + 省政府."""
        pair = self.committee_pair.fullmatch(t, start, end)
        if pair:
            return [pair.span("first"), pair.span("second")]
        for k in range(start + 2, end - 1):
            if not (t.endswith(self.complete_org_endings, start, k)
                    or (t[k - 1] == "委" and t[k - 2] in self.LEVELS)):  # 省委|和|省委巡视组
                continue
            word = self._stop_word_at(t, k)
            if word and end - word.end() >= 2:
                return [(start, k)] + self._split_glued(t, word.end(), end)
        return [(start, end)]

    def _complete(self, t: str, start: int, end: int) -> tuple[int, int]:
        """A term prefix and 自治 belong to the name (十二届省委, 自治区党委); a trailing role
        title does not (区委常委 → 区委)."""
        term = self.term_prefix.search(t, max(0, start - 4), start)
        if term:
            start = term.start()
        elif t[start:start + 1] in ("区", "州", "县") and t[max(0, start - 2):start] == "自治":
            start -= 2
        for role in self.role_words:
            if t.endswith(role, start, end) and end - len(role) - start >= 2 and not t.startswith("会", end):
                end -= len(role)
                break
        return start, end

    def trim_start(self, t: str, start: int, end: int) -> int:
        """Move ``start`` past words that stand before a name but are not part of it (会同, 二是)."""
        while True:
            noise = self.leading_noise.match(t, start, end)
            word = self._stop_word_at(t, start)
            cut = noise.end() - start if noise and noise.end() > start else (word.end() - start if word else 0)
            if not cut or end - start - cut < 2:
                return start
            start += cut

    def _walk_left(self, t, pos, ends, allow_verbs=True, allow_alnum=False, institution=False):
        """Words that end at ``pos`` and before it, while they can be part of a name."""
        words = []
        while len(words) < self.MAX_WORDS and pos in ends:
            word, s, e = ends[pos]
            tag = self.tags.get(word, "")
            if allow_alnum and word.isascii() and word.isalnum():
                words.insert(0, (word, s, e))
                pos = s
                continue
            if words and (self.ordinal.fullmatch(word) or (word == "和" and s in ends
                          and not ends[s][0].endswith(tuple(self.suffix_words)))):
                # 第一人民医院, 自然资源和规划局 (but 市纪委监委和市委组织部 are two names)
                words.insert(0, (word, s, e))
                pos = s
                continue
            if (not _CJK.match(word) or word in self.stop_words or tag.startswith(self.STOP_TAGS)
                    or (not allow_verbs and tag.startswith("v"))):
                break
            if len(word) >= 2 and word.endswith(self.complete_org_endings) and not (
                    not words and institution and word.endswith(("中心", "总校"))):  # 城关镇中心学校
                break  # 巡察组 | 向局党组: a complete name ends here, another begins
            glued = self.glued_function.match(word) if not tag else None
            if glued:
                # 向局, 正与区: jieba glued a preposition to the name's first word (日向: all of it).
                if glued.end() < len(word):
                    words.insert(0, (word[glued.end():], s + glued.end(), e))
                break
            if word in self.role_word_set:
                break  # 书记到区委组织部: a role title ends the name before it
            words.insert(0, (word, s, e))
            pos = s
        return words

    def _nounish(self, word: str) -> bool:
        tag = self.tags.get(word)
        return _CJK.match(word) is not None and (tag is None or tag.startswith(("n", "vn", "j")))

    def _stemish(self, word: str) -> bool:
        """A word that can stand in a department's name: nouns, and 内控/合同 (b, a)."""
        return self._nounish(word) or self.tags.get(word, "").startswith(("b", "a"))

    def _is_place(self, word: str, next_word: str | None) -> bool:
        if word in ("中共",) or word in self.places or word in self.LEVELS:
            return True
        if word.endswith(self.unit_words) and not word.startswith(self.generic_prefixes):
            return True
        if next_word and next_word[0] in self.LEVELS and 2 <= len(next_word) <= 3 \
                and _CJK.match(word) and not self.tags.get(word, "").startswith(self.STOP_TAGS + ("v",)):
            return True  # 梅岭 + 县委
        if word.startswith(("全", "我", "本", "该", "各", "每", "园")) and len(word) <= 2:
            return word == "园区"
        if len(word) >= 2 and word.endswith(self.PLACE_ENDINGS):
            return True
        return self.tags.get(word, "").startswith("ns") or (
            next_word is not None and next_word in ("高新区", "开发区", "新区", "街道") + self.LEVELS
            and word not in self.stop_words and (self._nounish(word) or self.tags.get(word, "").startswith("ns")))

    def _jurisdiction_start(self, t, left, suffix_start):
        # A name does not reach back across an address part (…财富路怀化高新区纪工委).
        for i in range(len(left) - 1, -1, -1):
            if self.address_word.search(left[i][0]):
                left = left[i + 1:]
                break
        for i, (word, s, e) in enumerate(left):
            nxt = left[i + 1][0] if i + 1 < len(left) else t[suffix_start:suffix_start + 1]
            if self._is_place(word, nxt):
                while i > 0 and len(left[i - 1][0]) == 1 and _CJK.match(left[i - 1][0]) \
                        and left[i - 1][0] not in self.stop_words \
                        and self.tags.get(left[i - 1][0], "") not in ("v", "a") \
                        and not self.tags.get(left[i - 1][0], "").startswith(self.STOP_TAGS):
                    i -= 1  # 对萍|溪县: jieba split an unknown place name
                    word, s, e = left[i]
                if word[-1] in self.LEVELS and len(word) > 1 and word not in self.places \
                        and not self.tags.get(word, "").startswith("ns") \
                        and self.tags.get(word[:-1], "n").startswith(
                            ("v", "p", "d", "m", "q", "c", "u", "r") if len(word) > 2 else ("p", "d", "m", "q", "c", "u", "r")) \
                        and not self.tags.get(word[:-1], "").startswith("vn"):
                    return e - 1  # 通报区纪委监委, 号市民政局: jieba glued a verb or 号 to 区/市
                if word.endswith(self.unit_words):
                    # 江临 + 理工大学 + 党委: the unit's own name reaches further left.
                    while i > 0 and self._nounish(left[i - 1][0]) and left[i - 1][0] not in self.stop_words:
                        i -= 1
                    return left[i][1]
                return s
        # A level character glued to the suffix: 市统计局 → 市 + 统计局, 区纪工委.
        if suffix_start > 0 and t[suffix_start - 1] in self.LEVELS and (
                not left or left[-1][2] == suffix_start and left[-1][0] in self.LEVELS):
            return suffix_start - 1
        for i, (word, s, e) in enumerate(left):
            if word[0] in self.LEVELS and len(word) <= 3 and i == 0:
                return s
        return None

    def _generic(self, name: str) -> bool:
        return (name in self.generic or name.startswith(self.generic_prefixes)
                or len(name) < 2 or not _CJK.search(name))
