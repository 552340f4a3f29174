"""Hand corrections to the frozen pre-annotation (see annotate_corrections.py for the format)."""
IB, ACC, FR = "institution_building", "accountability", "fund_recovery"
O = {}  # ORG has no values


def D(a, b=None):
    return {"start_date": a, "end_date": b or a}


def M(v, approx=False, cur="CNY"):
    return {"value": float(v), "currency": cur, "approx": approx}


def P(v):
    return {"value": v}


def K(kind):
    return {"kind": kind}


CORR: dict[str, dict] = {}

CORR["huaihua-hitech"] = dict(
    add_ents=[
        ("设立资产盘活工作小组", "资产盘活工作小组", "ORG", O),
        ("成立市场化转型专班租金清收工作小组", "市场化转型专班租金清收工作小组", "ORG", O),
        ("增强了工委领导班子", "工委", "ORG", O),
        ("重复发放高新投工作人员", "高新投", "ORG", O),
        ("。高新投下属子公司未设立", "高新投", "ORG", O),
        ("怀化高新投下属5家", "怀化高新投", "ORG", O),
        ("，高新投下属子公司党员", "高新投", "ORG", O),
        ("母公司怀化高新投党支部", "怀化高新投党支部", "ORG", O),
    ],
    relabel=[("目前已收到部分欠缴租金", [FR])],
)

CORR["yiyang-hitech"] = dict(
    add_ents=[
        ("市委常委、常务副市长", "市委", "ORG", O),
        ("高国投、清溪文旅集团", "高国投", "ORG", O),
        ("抽调3名工作人员", "3名", "PERSON_COUNT", P(3)),
        ("不再担任区招投标审查及项目实施督查领导小组组长", "区招投标审查及项目实施督查领导小组", "ORG", O),
        ("也未参与项目招投标审查及项目实施督查小组", "项目招投标审查及项目实施督查小组", "ORG", O),
        ("惠同新材成功在北交所上市", "惠同新材", "ORG", O),
        ("惠同新材成功在北交所上市", "北交所", "ORG", O),
        ("以金博为龙头", "金博", "ORG", O),
        ("积极促成桑瑞新材料年产", "桑瑞新材料", "ORG", O),
        ("益缘新材500万KM", "益缘新材", "ORG", O),
        ("新增轻武所等", "轻武所", "ORG", O),
        ("五八农服的", "五八农服", "ORG", O),
        ("组织湘投金天申报", "湘投金天", "ORG", O),
        ("支持国联食品获得", "国联食品", "ORG", O),
        ("支持信维电科高端", "信维电科", "ORG", O),
        ("益阳橡机数字化工厂", "益阳橡机", "ORG", O),
        ("湘投金天新材获湖南省", "湘投金天新材", "ORG", O),
        ("联合市统计局举办", "市统计局", "ORG", O),
    ],
    relabel=[
        ("区组织工作局会同区纪工委监工委对2018以来", []),
        ("下发了《关于进一步加强领导干部", [IB]),
        ("为规范企业纪委监督履职", [IB]),
        ("已向区属相关部门提供储备土地图纸", []),
        ("市、区相关部门正在对虚假招标项目", [ACC]),
        ("对进度滞后项目拿出了问题清单", [IB]),
        ("加强项目建设规范制度学习", []),
        ("违规配备的公租房单间宿舍", []),
    ],
)
