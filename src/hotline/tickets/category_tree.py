"""The production category tree (诉求分类, RULES.md §2, Art 10 and Art 21): five domains of
Art 10, their categories and some third-level ones, with the Art 16(2) flags.

Pure data (no Django import). ``hotline seed`` loads it through
:func:`hotline.tickets.categories.default_tree`, adding what is missing and keeping what the
administrators changed; after that the tree is theirs to maintain in the back office.
"""

from __future__ import annotations

from collections.abc import Iterator


def _cat(code: str, name: str, name_en: str, *children: dict, **flags: bool) -> dict:
    node: dict = {"code": code, "name": name, "name_en": name_en, "children": list(children)}
    node.update(flags)
    return node


CATEGORIES: list[dict] = [
    _cat(
        "economic",
        "经济调节",
        "Economic regulation",
        _cat(
            "economic.business-env",
            "营商环境",
            "Business environment",
            _cat("economic.business-env.enterprise-service", "企业服务", "Enterprise services"),
            _cat("economic.business-env.approval", "审批服务", "Approvals and permits"),
            _cat(
                "economic.business-env.enterprise-arrears",
                "拖欠企业账款",
                "Payments owed to enterprises",
                mediation=True,
            ),
        ),
        _cat("economic.tax", "税费服务", "Taxes and fees"),
        _cat(
            "economic.agriculture",
            "农业农村",
            "Agriculture and rural economy",
            _cat("economic.agriculture.subsidy", "惠农补贴", "Farm subsidies"),
            _cat(
                "economic.agriculture.land-contract",
                "土地承包流转",
                "Land contracting and transfer",
                mediation=True,
            ),
        ),
    ),
    _cat(
        "market",
        "市场监管",
        "Market supervision",
        _cat(
            "market.food-safety",
            "食品安全",
            "Food safety",
            _cat(
                "market.food-safety.catering",
                "餐饮服务",
                "Catering hygiene",
                law_enforcement=True,
            ),
            _cat(
                "market.food-safety.food-sale",
                "食品销售",
                "Food retail",
                law_enforcement=True,
            ),
        ),
        _cat("market.price-violation", "价格违法", "Price violations", law_enforcement=True),
        _cat(
            "market.counterfeit",
            "假冒伪劣",
            "Counterfeit and substandard goods",
            law_enforcement=True,
        ),
        _cat(
            "market.consumer-rights",
            "消费维权",
            "Consumer rights",
            _cat(
                "market.consumer-rights.prepaid-card",
                "预付卡消费",
                "Prepaid cards",
                mediation=True,
            ),
            _cat(
                "market.consumer-rights.after-sales",
                "商品售后",
                "After-sales service",
                mediation=True,
            ),
        ),
        _cat("market.unlicensed", "无证无照经营", "Unlicensed business", law_enforcement=True),
        _cat("market.special-equipment", "特种设备（电梯）", "Special equipment (lifts)"),
    ),
    _cat(
        "social",
        "社会管理",
        "Social management",
        _cat(
            "social.labor",
            "劳动保障",
            "Labour and employment",
            _cat("social.labor.wage-arrears", "拖欠工资", "Wage arrears", mediation=True),
            _cat(
                "social.labor.labor-relations",
                "劳动关系",
                "Labour relations",
                mediation=True,
            ),
            _cat("social.labor.employment", "就业创业", "Employment and start-ups"),
        ),
        _cat(
            "social.household",
            "户政管理",
            "Household administration",
            _cat("social.household.registration", "户籍办理", "Household registration"),
            _cat("social.household.residence-permit", "居住证", "Residence permits"),
        ),
        _cat(
            "social.traffic",
            "交通秩序",
            "Traffic order",
            _cat(
                "social.traffic.parking",
                "违章停车",
                "Illegal parking",
                law_enforcement=True,
            ),
            _cat(
                "social.traffic.road-occupation",
                "占道经营",
                "Street vending on roads",
                law_enforcement=True,
            ),
        ),
        _cat(
            "social.civil-affairs",
            "民政服务",
            "Civil affairs",
            _cat("social.civil-affairs.assistance", "低保与救助", "Subsistence and relief"),
            _cat("social.civil-affairs.elderly", "养老服务", "Care for the elderly"),
        ),
        _cat("social.animals", "犬只管理", "Dogs and stray animals"),
        _cat("social.rural-affairs", "村务管理", "Village affairs"),
        _cat("social.disputes", "矛盾纠纷", "Neighbourhood disputes", mediation=True),
    ),
    _cat(
        "public-services",
        "公共服务",
        "Public services",
        _cat(
            "public-services.water-supply",
            "供水",
            "Water supply",
            _cat("public-services.water-supply.outage", "停水", "Water outage"),
            _cat("public-services.water-supply.quality", "水质水压", "Water quality and pressure"),
            _cat(
                "public-services.water-supply.billing", "水费与报装", "Water bills and connections"
            ),
        ),
        _cat(
            "public-services.power-supply",
            "供电",
            "Power supply",
            _cat("public-services.power-supply.outage", "停电", "Power outage"),
            _cat(
                "public-services.power-supply.facilities", "供电设施", "Power lines and equipment"
            ),
        ),
        _cat(
            "public-services.gas-supply",
            "供气",
            "Gas supply",
            _cat("public-services.gas-supply.outage", "停气", "Gas outage"),
            _cat("public-services.gas-supply.service", "燃气服务与安全", "Gas service and safety"),
        ),
        _cat(
            "public-services.heating",
            "供暖",
            "Heating",
            _cat("public-services.heating.quality", "供暖质量", "Heating quality"),
            _cat("public-services.heating.billing", "采暖费与报停", "Heating fees and suspension"),
        ),
        _cat(
            "public-services.education",
            "教育",
            "Education",
            _cat("public-services.education.enrollment", "招生入学", "School admission"),
            _cat("public-services.education.fees", "教育收费", "School fees and charges"),
        ),
        _cat("public-services.health", "医疗卫生", "Health care"),
        _cat(
            "public-services.medical-insurance",
            "医疗保障",
            "Medical insurance",
            _cat(
                "public-services.medical-insurance.reimbursement",
                "医保报销",
                "Medical insurance reimbursement",
            ),
            _cat(
                "public-services.medical-insurance.enrollment",
                "参保缴费",
                "Medical insurance enrolment and contributions",
            ),
        ),
        _cat(
            "public-services.social-insurance",
            "社会保险",
            "Social insurance",
            _cat("public-services.social-insurance.card", "社保卡", "Social security card"),
            _cat("public-services.social-insurance.pension", "养老保险", "Pensions"),
        ),
        _cat("public-services.housing-fund", "住房公积金", "Housing provident fund"),
        _cat("public-services.real-estate", "不动产登记", "Real estate registration"),
        _cat(
            "public-services.transit",
            "公共交通",
            "Public transport",
            _cat("public-services.transit.bus", "公交", "Buses"),
            _cat("public-services.transit.taxi", "出租车", "Taxis"),
        ),
        _cat("public-services.property", "物业服务", "Property management", mediation=True),
        _cat(
            "public-services.municipal",
            "市政设施",
            "Municipal facilities",
            _cat("public-services.municipal.roads", "道路设施", "Roads and pavements"),
            _cat("public-services.municipal.street-lights", "路灯", "Street lights"),
            _cat("public-services.municipal.drainage", "排水防涝", "Drainage and flooding"),
        ),
        _cat("public-services.sanitation", "环境卫生", "Sanitation and refuse"),
        _cat("public-services.greening", "园林绿化", "Parks and greenery"),
    ),
    _cat(
        "environment",
        "生态环境保护",
        "Environmental protection",
        _cat(
            "environment.air",
            "大气污染",
            "Air pollution",
            _cat(
                "environment.air.straw-burning",
                "秸秆焚烧",
                "Straw burning",
                law_enforcement=True,
            ),
            _cat("environment.air.dust", "扬尘污染", "Dust"),
            _cat(
                "environment.air.emissions",
                "工业废气",
                "Industrial emissions",
                law_enforcement=True,
            ),
        ),
        _cat(
            "environment.water",
            "水污染",
            "Water pollution",
            _cat("environment.water.sewage", "污水排放", "Sewage"),
            _cat("environment.water.rivers", "河道水体", "Rivers and ponds"),
        ),
        _cat(
            "environment.noise",
            "噪声污染",
            "Noise",
            _cat("environment.noise.construction", "建筑施工噪声", "Construction noise"),
            _cat("environment.noise.social-life", "社会生活噪声", "Neighbourhood noise"),
            _cat("environment.noise.commercial", "商业经营噪声", "Commercial noise"),
        ),
    ),
]


def iter_categories(nodes: list[dict] | None = None, depth: int = 1) -> Iterator[tuple[dict, int]]:
    """Every category node with its depth (domains are depth 1), parents before children."""
    for node in CATEGORIES if nodes is None else nodes:
        yield node, depth
        yield from iter_categories(node["children"], depth + 1)


def leaf_categories() -> list[dict]:
    return [node for node, _ in iter_categories() if not node["children"]]
