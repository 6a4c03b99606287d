"""Demo organisations for Zhumadian (驻马店): counties, townships, departments, utilities.

Pure data (no Django import) used by ``hotline seed --demo``. Codes follow API.md "Demo data":
the ten counties use their administrative division codes, the three functional zones use
``zone-*``, units under a county use ``<county>-NN`` and city departments use short ASCII codes.

Names of counties, townships and roads are real or plausible; people, phone numbers,
residential compounds and most landmarks are made up for the demo. Nothing here is copied
from a dataset.
"""

from __future__ import annotations

import hashlib

# --------------------------------------------------------------------------------------------
# Counties (县区热线工作机构). Population is approximate and only weights the demo history
# (DEMO.md); 驿城区's 1.0M is split between the district and the three zones.
# --------------------------------------------------------------------------------------------

_HOTLINE_BODY = "12345政务服务便民热线工作机构"

COUNTIES: list[dict] = [
    {
        "code": "411702",
        "name": "驿城区",
        "body_name": "驿城区" + _HOTLINE_BODY,
        "population": 700_000,
        "aliases": ["驿城", "驿城区", "驻马店市区"],
    },
    {
        "code": "411721",
        "name": "西平县",
        "body_name": "西平县" + _HOTLINE_BODY,
        "population": 680_000,
        "aliases": ["西平", "西平县"],
    },
    {
        "code": "411722",
        "name": "上蔡县",
        "body_name": "上蔡县" + _HOTLINE_BODY,
        "population": 1_100_000,
        "aliases": ["上蔡", "上蔡县"],
    },
    {
        "code": "411723",
        "name": "平舆县",
        "body_name": "平舆县" + _HOTLINE_BODY,
        "population": 720_000,
        "aliases": ["平舆", "平舆县"],
    },
    {
        "code": "411724",
        "name": "正阳县",
        "body_name": "正阳县" + _HOTLINE_BODY,
        "population": 600_000,
        "aliases": ["正阳", "正阳县"],
    },
    {
        "code": "411725",
        "name": "确山县",
        "body_name": "确山县" + _HOTLINE_BODY,
        "population": 400_000,
        "aliases": ["确山", "确山县"],
    },
    {
        "code": "411726",
        "name": "泌阳县",
        "body_name": "泌阳县" + _HOTLINE_BODY,
        "population": 800_000,
        "aliases": ["泌阳", "泌阳县"],
    },
    {
        "code": "411727",
        "name": "汝南县",
        "body_name": "汝南县" + _HOTLINE_BODY,
        "population": 700_000,
        "aliases": ["汝南", "汝南县"],
    },
    {
        "code": "411728",
        "name": "遂平县",
        "body_name": "遂平县" + _HOTLINE_BODY,
        "population": 450_000,
        "aliases": ["遂平", "遂平县"],
    },
    {
        "code": "411729",
        "name": "新蔡县",
        "body_name": "新蔡县" + _HOTLINE_BODY,
        "population": 800_000,
        "aliases": ["新蔡", "新蔡县"],
    },
    {
        "code": "zone-demo",
        "name": "市城乡一体化示范区",
        "body_name": "驻马店市城乡一体化示范区" + _HOTLINE_BODY,
        "population": 100_000,
        "aliases": ["示范区", "一体化示范区", "城乡一体化示范区"],
    },
    {
        "code": "zone-econ",
        "name": "经济开发区",
        "body_name": "驻马店经济开发区" + _HOTLINE_BODY,
        "population": 100_000,
        "aliases": ["开发区", "经开区", "经济开发区"],
    },
    {
        "code": "zone-hitech",
        "name": "高新技术产业开发区",
        "body_name": "驻马店高新技术产业开发区" + _HOTLINE_BODY,
        "population": 100_000,
        "aliases": ["高新区", "高新技术开发区", "高新技术产业开发区"],
    },
]

COUNTY_CODES: list[str] = [c["code"] for c in COUNTIES]
COUNTY_BY_CODE: dict[str, dict] = {c["code"]: c for c in COUNTIES}

# --------------------------------------------------------------------------------------------
# Townships (乡/镇/街道办事处), numbered <county>-01, -02, … in list order. No name appears
# under two counties. ``name`` is the body that handles tickets, ``short`` the place name
# people use on the phone.
# --------------------------------------------------------------------------------------------

_TOWNSHIP_NAMES: dict[str, list[str]] = {
    "411702": [
        "新华街街道",
        "西园街道",
        "南海街道",
        "东风街道",
        "人民街街道",
        "老街街道",
        "橡林街道",
        "雪松街道",
        "水屯镇",
        "沙河店镇",
        "诸市镇",
        "蚁蜂镇",
        "胡庙乡",
    ],
    "411721": [
        "柏城街道",
        "柏亭街道",
        "柏苑街道",
        "出山镇",
        "盆尧镇",
        "权寨镇",
        "师灵镇",
        "五沟营镇",
        "宋集镇",
        "专探乡",
    ],
    "411722": [
        "蔡都街道",
        "卧龙街道",
        "重阳街道",
        "芦岗街道",
        "邵店镇",
        "黄埠镇",
        "杨集镇",
        "洙湖镇",
        "党店镇",
        "朱里镇",
    ],
    "411723": [
        "古槐街道",
        "清河街道",
        "东皇街道",
        "庙湾镇",
        "射桥镇",
        "西洋店镇",
        "阳城镇",
        "万冢镇",
        "杨埠镇",
        "郭楼镇",
    ],
    "411724": [
        "真阳街道",
        "寒冻镇",
        "汝南埠镇",
        "铜钟镇",
        "陡沟镇",
        "熊寨镇",
        "大林镇",
        "永兴镇",
        "兰青乡",
        "皮店乡",
    ],
    "411725": [
        "盘龙街道",
        "三里河街道",
        "朗陵街道",
        "竹沟镇",
        "任店镇",
        "新安店镇",
        "留庄镇",
        "石滚河镇",
        "双河镇",
    ],
    "411726": [
        "泌水街道",
        "花园街道",
        "羊册镇",
        "马谷田镇",
        "春水镇",
        "官庄镇",
        "象河乡",
        "铜山乡",
        "贾楼乡",
    ],
    "411727": [
        "汝宁街道",
        "古塔街道",
        "三门闸街道",
        "金铺镇",
        "老君庙镇",
        "留盆镇",
        "和孝镇",
        "梁祝镇",
        "罗店镇",
        "王岗镇",
    ],
    "411728": [
        "灈阳街道",
        "莲花湖街道",
        "车站街道",
        "嵖岈山镇",
        "玉山镇",
        "阳丰镇",
        "石寨铺镇",
        "和兴镇",
        "花庄镇",
        "常庄镇",
    ],
    "411729": [
        "古吕街道",
        "今是街道",
        "练村镇",
        "棠村镇",
        "韩集镇",
        "龙口镇",
        "李桥回族镇",
        "黄楼镇",
        "孙召镇",
        "砖店镇",
    ],
    "zone-demo": ["金桥街道", "顺河街道", "老河乡", "板桥镇"],
    "zone-econ": ["关王庙乡", "金河街道", "金山街道", "开源街道"],
    "zone-hitech": ["古城街道", "香山街道", "刘阁街道", "朱古洞乡"],
}


def _body_of(place: str) -> str:
    """The handling body of a township-level place: 街道办事处 or 乡/镇人民政府."""
    if place.endswith("街道"):
        return place + "办事处"
    return place + "人民政府"


TOWNSHIPS: dict[str, list[dict]] = {
    county: [
        {"code": f"{county}-{i:02d}", "name": _body_of(place), "short": place}
        for i, place in enumerate(places, start=1)
    ]
    for county, places in _TOWNSHIP_NAMES.items()
}

# --------------------------------------------------------------------------------------------
# County departments: three per county, numbered after the townships. ``counterpart`` is the
# city department with the same duties (used to route "county" work to the right bureau).
# --------------------------------------------------------------------------------------------

_ZONE_DEPARTMENTS: dict[str, list[tuple[str, str]]] = {
    "zone-demo": [
        ("housing", "市城乡一体化示范区建设管理局"),
        ("urban", "市城乡一体化示范区城市管理局"),
        ("market", "驻马店市市场监督管理局示范区分局"),
    ],
    "zone-econ": [
        ("housing", "经济开发区建设管理局"),
        ("urban", "经济开发区城市管理局"),
        ("market", "驻马店市市场监督管理局经济开发区分局"),
    ],
    "zone-hitech": [
        ("housing", "高新技术产业开发区建设管理局"),
        ("urban", "高新技术产业开发区城市管理局"),
        ("market", "驻马店市市场监督管理局高新区分局"),
    ],
}


def _county_departments(county: dict) -> list[dict]:
    code = county["code"]
    if code in _ZONE_DEPARTMENTS:
        pairs = _ZONE_DEPARTMENTS[code]
    else:
        pairs = [
            ("housing", county["name"] + "住房和城乡建设局"),
            ("urban", county["name"] + "城市管理局"),
            ("market", county["name"] + "市场监督管理局"),
        ]
    start = len(TOWNSHIPS[code]) + 1
    return [
        {"code": f"{code}-{start + i:02d}", "name": name, "counterpart": counterpart}
        for i, (counterpart, name) in enumerate(pairs)
    ]


COUNTY_DEPARTMENTS: dict[str, list[dict]] = {c["code"]: _county_departments(c) for c in COUNTIES}

# --------------------------------------------------------------------------------------------
# City departments and public utilities (承办单位), then sub-center hotlines (分中心).
# --------------------------------------------------------------------------------------------

CITY_DEPARTMENTS: list[dict] = [
    {
        "code": "housing",
        "name": "驻马店市住房和城乡建设局",
        "short": "市住建局",
        "kind": "unit",
        "duties": [
            "物业管理",
            "住房保障",
            "房屋质量",
            "商品房交付",
            "建筑施工",
            "建筑工地扬尘",
            "城镇供热",
            "燃气行业监管",
            "住房公积金",
            "老旧小区改造",
        ],
    },
    {
        "code": "urban",
        "name": "驻马店市城市管理局",
        "short": "市城管局",
        "kind": "unit",
        "duties": [
            "市政道路",
            "路灯",
            "城市排水",
            "内涝",
            "环境卫生",
            "垃圾清运",
            "占道经营",
            "园林绿化",
            "户外广告",
            "违章建筑",
        ],
    },
    {
        "code": "market",
        "name": "驻马店市市场监督管理局",
        "short": "市市场监管局",
        "kind": "unit",
        "duties": [
            "食品安全",
            "价格监管",
            "假冒伪劣",
            "消费维权",
            "无证无照经营",
            "特种设备",
            "电梯安全",
            "药品医疗器械",
            "计量",
        ],
    },
    {
        "code": "hrss",
        "name": "驻马店市人力资源和社会保障局",
        "short": "市人社局",
        "kind": "unit",
        "duties": [
            "拖欠工资",
            "劳动合同",
            "劳动保障监察",
            "养老保险",
            "社保卡",
            "就业创业",
            "职业技能培训",
            "工伤保险",
        ],
    },
    {
        "code": "education",
        "name": "驻马店市教育局",
        "short": "市教育局",
        "kind": "unit",
        "duties": ["入学", "学区划分", "教育收费", "校外培训", "学生资助", "校园安全"],
    },
    {
        "code": "health",
        "name": "驻马店市卫生健康委员会",
        "short": "市卫健委",
        "kind": "unit",
        "duties": ["医疗服务", "医德医风", "公共卫生", "疫苗接种", "计划生育", "非法行医"],
    },
    {
        "code": "ecology",
        "name": "驻马店市生态环境局",
        "short": "市生态环境局",
        "kind": "unit",
        "duties": [
            "大气污染",
            "秸秆焚烧",
            "水污染",
            "噪声污染",
            "工业废气",
            "固体废物",
            "环境影响评价",
        ],
    },
    {
        "code": "transport",
        "name": "驻马店市交通运输局",
        "short": "市交通运输局",
        "kind": "unit",
        "duties": ["公交线路", "出租车", "网约车", "农村公路", "客运班线", "道路运输"],
    },
    {
        "code": "police",
        "name": "驻马店市公安局",
        "short": "市公安局",
        "kind": "unit",
        "duties": [
            "户籍",
            "身份证",
            "居住证",
            "违章停车",
            "交通秩序",
            "社会生活噪声",
            "犬只管理",
            "治安",
        ],
    },
    {
        "code": "natres",
        "name": "驻马店市自然资源和规划局",
        "short": "市自然资源和规划局",
        "kind": "unit",
        "duties": ["不动产登记", "城乡规划", "土地利用", "宅基地", "耕地保护", "矿产资源"],
    },
    {
        "code": "water-res",
        "name": "驻马店市水利局",
        "short": "市水利局",
        "kind": "unit",
        "duties": ["防汛", "河道管理", "水库", "农田水利", "农村饮水安全", "河湖采砂"],
    },
    {
        "code": "civil",
        "name": "驻马店市民政局",
        "short": "市民政局",
        "kind": "unit",
        "duties": ["低保", "特困供养", "临时救助", "养老服务", "高龄津贴", "婚姻登记", "殡葬"],
    },
    {
        "code": "medins",
        "name": "驻马店市医疗保障局",
        "short": "市医保局",
        "kind": "unit",
        "duties": ["医保报销", "异地就医", "医保参保缴费", "门诊慢特病", "医保定点", "药品价格"],
    },
    {
        "code": "commerce",
        "name": "驻马店市商务局",
        "short": "市商务局",
        "kind": "unit",
        "duties": ["商贸流通", "预付卡管理", "招商引资", "外贸", "成品油流通", "家政服务"],
    },
    {
        "code": "devreform",
        "name": "驻马店市发展和改革委员会",
        "short": "市发改委",
        "kind": "unit",
        "duties": ["营商环境", "企业服务", "项目审批", "价格政策", "能源保供", "社会信用"],
    },
    {
        "code": "util-water",
        "name": "驻马店市供水有限公司",
        "short": "市供水公司",
        "kind": "unit",
        "duties": ["供水", "停水", "水压水质", "水费", "户表改造", "管网维修"],
    },
    {
        "code": "util-power",
        "name": "国网驻马店供电公司",
        "short": "供电公司",
        "kind": "unit",
        "duties": ["供电", "停电", "抢修", "电费", "线路设施", "用电报装"],
    },
    {
        "code": "util-gas",
        "name": "驻马店市天然气有限公司",
        "short": "燃气公司",
        "kind": "unit",
        "duties": ["供气", "停气", "燃气安全", "燃气开户", "燃气费", "管道维修"],
    },
    {
        "code": "util-heat",
        "name": "驻马店市热力有限公司",
        "short": "热力公司",
        "kind": "unit",
        "duties": ["集中供暖", "供暖温度", "采暖费", "供热报停", "供热管网"],
    },
]

UTILITIES: list[dict] = [d for d in CITY_DEPARTMENTS if d["code"].startswith("util-")]

SUBCENTERS: list[dict] = [
    {
        "code": "sub-12315",
        "name": "12315市场监管投诉举报热线分中心",
        "short": "12315",
        "kind": "subcenter",
        "duties": ["消费投诉", "市场监管举报", "食品安全", "价格违法", "假冒伪劣"],
    },
    {
        "code": "sub-12366",
        "name": "12366纳税缴费服务热线分中心",
        "short": "12366",
        "kind": "subcenter",
        "duties": ["纳税咨询", "发票", "个人所得税", "社保费缴纳", "减税降费"],
    },
    {
        "code": "sub-12333",
        "name": "12333人力资源和社会保障热线分中心",
        "short": "12333",
        "kind": "subcenter",
        "duties": ["社保卡", "养老保险", "就业政策", "劳动关系", "工伤认定"],
    },
]

# --------------------------------------------------------------------------------------------
# Responsible people (Art 9(2)): one leader, one responsible person and one liaison per unit.
# Made-up names and numbers, derived from a SHA-256 of the code so every run is identical.
# --------------------------------------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程"
    "曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范"
    "方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹"
    "黎易常武乔贺"
)

_GIVEN_NAMES = (
    "建国", "志强", "秀英", "丽娟", "海涛", "明", "伟", "静", "红梅", "晓东",
    "国华", "玉兰", "振华", "新民", "春生", "亚楠", "俊杰", "慧敏", "光辉", "文博",
    "艳", "磊", "鹏飞", "雪梅", "立新", "卫东", "晓燕", "宏伟", "志刚", "桂芳",
    "永强", "淑珍", "金龙", "彩霞", "保国", "爱华", "少华", "延峰", "书文", "瑞芳",
    "东升", "建设", "红霞", "庆丰", "梦瑶", "浩然", "佳琪", "子豪", "文静", "思远",
    "朝阳", "冬梅", "长青", "国庆", "永红", "海燕", "晓峰", "凤英", "俊峰", "玉洁",
)  # fmt: skip

_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
    "151", "152", "153", "155", "156", "157", "158", "159", "166", "173",
    "176", "177", "180", "181", "182", "183", "185", "186", "187", "188",
    "189", "191", "198", "199",
)  # fmt: skip

_ROLES = ("leader", "responsible", "liaison")


def _digest_int(*parts: str) -> int:
    raw = "|".join(parts).encode("utf-8")
    return int.from_bytes(hashlib.sha256(raw).digest(), "big")


def _person_name(n: int) -> str:
    surname = _SURNAMES[n % len(_SURNAMES)]
    given = _GIVEN_NAMES[(n // len(_SURNAMES)) % len(_GIVEN_NAMES)]
    return surname + given


def _phone(role: str, n: int) -> str:
    if role == "leader":
        # Zhumadian office numbers: area code 0396, seven digits starting with 2, 3 or 8.
        first = "238"[n % 3]
        return f"0396-{first}{(n // 3) % 1_000_000:06d}"
    prefix = _MOBILE_PREFIXES[n % len(_MOBILE_PREFIXES)]
    return f"{prefix}{(n // len(_MOBILE_PREFIXES)) % 100_000_000:08d}"


def responsible_people(code: str) -> dict[str, tuple[str, str]]:
    """Leader, responsible person and liaison of a unit: ``{role: (name, phone)}``.

    Deterministic for a given code (SHA-256, not the salted built-in ``hash``); the three
    people of one unit always have different names.
    """
    result: dict[str, tuple[str, str]] = {}
    used: set[str] = set()
    for role in _ROLES:
        salt = 0
        while True:
            n = _digest_int(code, role, str(salt))
            name = _person_name(n)
            if name not in used:
                break
            salt += 1
        used.add(name)
        result[role] = (name, _phone(role, n >> 64))
    return result


# The brief's name for the same thing: a generator, not a table.
RESPONSIBLE_PEOPLE = responsible_people

# --------------------------------------------------------------------------------------------
# Places used to fill ticket templates: roads, residential compounds/villages, landmarks.
# Roads are real or plausible; compounds and landmarks are largely made up.
# --------------------------------------------------------------------------------------------

PLACES: dict[str, dict[str, list[str]]] = {
    "411702": {
        "roads": [
            "解放大道",
            "中华大道",
            "雪松路",
            "乐山大道",
            "交通路",
            "风光路",
            "文化路",
            "中山街",
            "健康路",
            "白桥路",
            "前进路",
        ],
        "communities": [
            "雪松花园小区",
            "交通路家属院",
            "天中名苑",
            "练江花园",
            "电业新村",
            "邓瓦房社区",
            "人民街老旧小区",
            "橡林安置小区",
        ],
        "landmarks": [
            "南海公园",
            "火车站广场",
            "驿城区第二实验小学",
            "老街农贸市场",
            "市中心医院附近",
            "皇家驿站景区",
        ],
    },
    "411721": {
        "roads": ["柏城大道", "西平大道", "迎宾大道", "人民路", "解放路", "棠溪路", "龙泉路"],
        "communities": [
            "柏苑小区",
            "棠溪花园",
            "西平县纺织厂家属院",
            "出山镇东街村",
            "权寨镇王庄村",
            "嫘祖新苑",
        ],
        "landmarks": ["嫘祖文化园", "西平县人民医院", "柏城农贸市场", "西平县第一高级中学"],
    },
    "411722": {
        "roads": ["重阳大道", "蔡都大道", "卧龙路", "白云观路", "人民路", "滨河路", "上蔡大道"],
        "communities": [
            "重阳花园",
            "芦岗新区安置小区",
            "蔡都名苑",
            "卧龙社区",
            "黄埠镇李庄村",
            "洙湖镇刘楼村",
        ],
        "landmarks": ["蔡国故城遗址", "重阳文化广场", "上蔡县人民医院", "蔡都农贸市场"],
    },
    "411723": {
        "roads": ["平舆大道", "建设路", "清河大道", "古槐路", "东皇路", "车站路", "挚亭路"],
        "communities": [
            "古槐小区",
            "清河湾花园",
            "东皇社区",
            "平舆县建筑公司家属院",
            "庙湾镇张寨村",
            "射桥镇前进村",
        ],
        "landmarks": ["挚亭公园", "平舆县人民医院", "清河农贸市场", "平舆县汽车站"],
    },
    "411724": {
        "roads": ["真阳大道", "正阳大道", "慎水路", "万安路", "淮河路", "人民路", "花生大道"],
        "communities": [
            "真阳花园",
            "慎水苑小区",
            "正阳县粮食局家属院",
            "寒冻镇彭楼村",
            "铜钟镇新街村",
            "万安名城",
        ],
        "landmarks": ["正阳县人民医院", "花生产业园", "真阳商贸城", "正阳县第二小学"],
    },
    "411725": {
        "roads": ["盘龙大道", "朗陵大道", "生产街", "秀山路", "竹沟路", "东关大道"],
        "communities": [
            "盘龙山庄",
            "朗陵花园",
            "三里河社区",
            "确山县化肥厂家属院",
            "竹沟镇杨庄村",
            "任店镇新店村",
        ],
        "landmarks": ["竹沟革命纪念馆", "薄山湖景区", "确山县人民医院", "秀山公园"],
    },
    "411726": {
        "roads": ["泌水大道", "铜山大道", "盘古大道", "花园路", "泌阳大道", "羊册路", "人民路"],
        "communities": [
            "泌水名苑",
            "花园街社区",
            "铜山湖家园",
            "泌阳县糖厂家属院",
            "羊册镇古城村",
            "春水镇王店村",
        ],
        "landmarks": ["铜山湖景区", "盘古山景区", "泌阳县人民医院", "泌阳县夏南牛产业园"],
    },
    "411727": {
        "roads": ["汝宁大道", "天中路", "梁祝大道", "古塔路", "汝南大道", "宿鸭湖路", "南海路"],
        "communities": [
            "汝宁花园",
            "古塔社区",
            "三门闸安置小区",
            "梁祝新村",
            "金铺镇马庄村",
            "老君庙镇李楼村",
        ],
        "landmarks": ["汝南古城", "梁祝故里景区", "汝南县人民医院", "天中山文化园"],
    },
    "411728": {
        "roads": ["灈阳大道", "车站路", "莲花湖路", "文城路", "玉山路", "嵖岈山大道"],
        "communities": [
            "莲花湖小区",
            "车站街社区",
            "灈阳名苑",
            "遂平县面粉厂家属院",
            "玉山镇周庄村",
            "和兴镇石桥村",
        ],
        "landmarks": ["嵖岈山风景区", "莲花湖公园", "遂平县人民医院", "遂平县汽车站"],
    },
    "411729": {
        "roads": ["古吕大道", "今是大道", "新蔡大道", "红旗路", "练村路", "月亮湾路"],
        "communities": [
            "古吕花园",
            "今是社区",
            "月亮湾小区",
            "新蔡县棉纺厂家属院",
            "练村镇郭庄村",
            "韩集镇韩集村",
        ],
        "landmarks": ["月亮湾公园", "新蔡县人民医院", "新蔡县汽车站", "古吕农贸市场"],
    },
    "zone-demo": {
        "roads": ["练江大道", "天中山大道", "驿城大道南段", "金桥路", "白云山路", "薄山路"],
        "communities": [
            "金桥安置小区",
            "顺河社区",
            "练江湾小区",
            "老河乡土门村",
            "板桥镇南板桥村",
            "天中山公馆",
        ],
        "landmarks": ["练江湖公园", "示范区政务服务中心", "板桥水库", "示范区第一小学"],
    },
    "zone-econ": {
        "roads": ["开源大道", "金山路", "兴业大道", "创业大道", "职教路", "凤鸣路", "通达路"],
        "communities": [
            "职教园区教师公寓",
            "金河新苑",
            "关王庙村",
            "金山安置小区",
            "清河湖畔小区",
            "开源社区",
        ],
        "landmarks": ["清河湖公园", "职教园区", "关王庙豫剧小镇", "市民服务中心"],
    },
    "zone-hitech": {
        "roads": ["香山大道", "古城大道", "科技大道", "创新路", "装备路", "金石路"],
        "communities": [
            "古城社区",
            "香山花园",
            "刘阁安置小区",
            "高新区人才公寓",
            "朱古洞乡朱古洞村",
            "科技城小区",
        ],
        "landmarks": ["高新区装备产业园", "香山公园", "古城遗址公园", "高新区实验学校"],
    },
}


def all_unit_codes() -> list[str]:
    """Every code of a unit or county body defined here (for checks and the seed)."""
    codes = list(COUNTY_CODES)
    for county in COUNTY_CODES:
        codes += [t["code"] for t in TOWNSHIPS[county]]
        codes += [d["code"] for d in COUNTY_DEPARTMENTS[county]]
    codes += [d["code"] for d in CITY_DEPARTMENTS]
    codes += [s["code"] for s in SUBCENTERS]
    return codes
