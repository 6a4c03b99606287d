"""Demo appeal topics: what people call about, and how it is written down.

Pure data (no Django import) used by ``hotline seed --demo`` to generate a history of tickets
that reads like a real center's (DEMO.md). Every sentence here was written for the demo; none
is copied from a dataset. Companies, people and compounds are made up.

The 诉求分类 tree itself is production data (:mod:`hotline.tickets.category_tree`).
``TOPICS`` are the things citizens call about, each pointing at a leaf category of that tree,
with appeal-type weights, handling units, season, relative frequency and several
phone-transcript templates plus handling-result templates. ``render`` fills a
template's placeholders from a seeded ``random.Random``.

Unit tokens in ``TOPICS[*]["units"]``: a city department / utility / sub-center code from
``hotline.demo.org_data``, or ``"county"`` (the territorial county body) or ``"township"``
(a township/street office of that county).
"""

from __future__ import annotations

import random
import re


def _texts(block: str) -> list[str]:
    """Paragraphs of ``block`` separated by blank lines; each paragraph's lines are joined
    without a separator (Chinese needs none), so long sentences can wrap in the source."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in block.splitlines():
        line = line.strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append("".join(current))
            current = []
    if current:
        paragraphs.append("".join(current))
    return paragraphs


APPEAL_TYPES = ("consultation", "help", "suggestion", "complaint", "report")

PLACEHOLDERS = frozenset(
    {
        "county",
        "township",
        "road",
        "community",
        "landmark",
        "days",
        "times",
        "months",
        "amount",
        "company",
        "floor",
        "hour",
    }
)

# --------------------------------------------------------------------------------------------
# Made-up companies, by kind; ``render`` picks a kind that fits the template's wording.
# --------------------------------------------------------------------------------------------

COMPANY_KINDS: dict[str, list[str]] = {
    "property": [
        "鑫源物业服务有限公司",
        "恒安物业管理有限公司",
        "嘉和物业服务有限公司",
        "天悦物业管理有限公司",
    ],
    "construction": [
        "宏达建筑工程有限公司",
        "豫南建设集团有限公司",
        "华辰建筑劳务有限公司",
        "中鼎市政工程有限公司",
    ],
    "restaurant": [
        "老街烩面馆",
        "天中羊肉汤馆",
        "聚福源大酒店",
        "小李家常菜馆",
    ],
    "shop": [
        "万家福超市",
        "惠民生活超市",
        "美丽人生美容美发店",
        "力健健身会所",
        "金鑫手机通讯店",
        "家乐电器商行",
    ],
    "enterprise": [
        "天中食品科技有限公司",
        "驿达物流有限公司",
        "润丰农业开发有限公司",
        "豫宏机械制造有限公司",
        "蓝海纺织有限公司",
    ],
}

COMPANIES: list[str] = [name for names in COMPANY_KINDS.values() for name in names]

_COMPANY_HINTS: list[tuple[str, re.Pattern[str]]] = [
    ("property", re.compile("物业")),
    ("construction", re.compile("工地|施工|工程|包工头|项目部|农民工|搅拌|渣土|装修")),
    (
        "shop",
        re.compile("超市|商店|门店|店里|店家|商行|商品|价签|买的|买了|买东西|健身|美容|办卡|充值"),
    ),
    ("restaurant", re.compile("饭店|餐馆|饭馆|吃饭|吃完|外卖|后厨|烧烤|酒店")),
    (
        "enterprise",
        re.compile("企业|公司|厂|法人|负责人|老板|单位|上班|员工|工伤|烟囱|排放|生产"),
    ),
]

# Names said on the phone for each county body (the zones by their short names).
COUNTY_NAMES: dict[str, str] = {
    "411702": "驿城区",
    "411721": "西平县",
    "411722": "上蔡县",
    "411723": "平舆县",
    "411724": "正阳县",
    "411725": "确山县",
    "411726": "泌阳县",
    "411727": "汝南县",
    "411728": "遂平县",
    "411729": "新蔡县",
    "zone-demo": "示范区",
    "zone-econ": "经济开发区",
    "zone-hitech": "高新区",
}

WINTER = [11, 12, 1, 2, 3]
SUMMER_STORMS = [6, 7, 8]
HARVEST = [5, 6, 9, 10]

# --------------------------------------------------------------------------------------------
# Topics
# --------------------------------------------------------------------------------------------

TOPICS: list[dict] = [
    # ---------------------------------------------------------------- seasonal: heating
    {
        "code": "heating-cold",
        "category": "public-services.heating.quality",
        "appeal_types": {"complaint": 50, "help": 45, "suggestion": 5},
        "units": ["util-heat", "housing"],
        "months": list(WINTER),
        "weight": 6,
        "answerable": False,
        "major_incident_possible": True,
        "templates": _texts("""
            市民来电反映：其家住{county}{community}{floor}楼，从开始供暖到现在暖气一直不热，
            屋里只有十四五度，已经给物业和热力公司打了{times}次电话，来人看了一次就没下文了，
            要求尽快查明原因，保证室温达标。

            来电人称家里有八十多岁的老人，{community}这{days}天暖气片摸着只是温的，
            老人晚上冻得睡不着，只能开空调取暖，采暖费一分没少交，希望热力公司派人上门测温解决。

            来电人情绪激动，称{road}{community}整栋楼暖气不热已经{days}天，小区群里几十户都在说，
            物业说是热力公司的事，热力公司说是小区内管网的事，两边来回推，要求相关部门督促解决，
            不要再踢皮球。

            诉求人反映{community}{floor}楼暖气管道接口漏水，每天{hour}点左右滴得更厉害，
            楼下邻居家天花板已经泡了，联系物业（{company}）{times}次没人来修，请求帮助协调维修。

            来电人称其家住顶楼，暖气一直上不去，热力公司让自己放气，放了{times}次还是不热，
            室温十二度左右，孩子已经感冒发烧，要求给个说法，不达标的话申请退还部分采暖费。
        """),
        "reply_templates": _texts("""
            经核实，{community}暖气不热系楼内管道存气、末端循环不畅所致。
            热力公司已于接单次日派维修人员上门排气并调整阀门，复测室温19℃，已达到供热标准，
            已电话告知来电人，来电人表示认可。

            经查，该小区二次管网老化堵塞，导致部分楼栋供热不足。热力公司已会同物业对管网进行冲洗，
            并安排专人每日上门测温，待管网改造完成后再次回访。已向来电人说明情况及后续安排。

            经现场测温，来电人家中室温为18.5℃，符合供热标准。工作人员已帮助其清理暖气片过滤网，
            并告知如再有问题可直接拨打热力公司服务电话，来电人表示理解。
        """),
    },
    {
        "code": "heating-fee",
        "category": "public-services.heating.billing",
        "appeal_types": {"consultation": 80, "complaint": 20},
        "units": ["util-heat"],
        "months": [10, 11, 12, 1, 2, 3],
        "weight": 3,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：其在{community}的房子常年没人住，今年想办理供热报停，需要带什么材料、
            去哪里办，报停以后还要不要交基础热费。

            来电人称其是{community}的业主，去年已经报停了暖气，今年热力公司又发来催缴通知，
            让交{amount}元采暖费，认为不合理，要求核实。

            市民来电咨询：今年采暖费的收费标准是多少，按建筑面积还是按使用面积算，
            在手机上怎么缴费，缴费截止日期是哪天。

            来电人（老年人）称自己不会用手机，想问采暖费能不能在{landmark}附近的营业网点交现金，
            营业时间是几点到几点。
        """),
        "reply_templates": _texts("""
            经核实，来电人去年确已办理报停，今年催缴通知系系统未及时更新所致。
            热力公司已为其更正缴费信息并致歉，已电话告知来电人。

            热力公司已电话联系来电人，告知采暖费收费标准、线上缴费方式及营业网点地址，
            来电人表示清楚。
        """),
    },
    # ---------------------------------------------------------------- seasonal: summer storms
    {
        "code": "flooding",
        "category": "public-services.municipal.drainage",
        "appeal_types": {"help": 55, "complaint": 35, "suggestion": 10},
        "units": ["urban", "county", "township"],
        "months": list(SUMMER_STORMS),
        "weight": 7,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{road}与{landmark}附近路段下雨后积水很深，已经没过小腿，电动车过不去，
            有车辆在水里熄火，请求尽快派人排水。

            来电人称{community}地下车库进水了，水还在往里灌，车库里停着几十辆车，
            物业抽水泵不够用，情况紧急，请求相关部门帮助排涝。

            来电人反映{township}{community}门口的雨水井盖被冲开了，水面上看不见，
            已经有人骑车摔倒，要求马上派人设置警示并处理。

            诉求人称每年一下大雨{road}这一段就淹，已经反映过{times}次，下水道堵了一直没人疏通，
            希望这次能彻底解决，不要雨停了就不管了。

            来电人（老年人）称自家院子在{township}，连下了{days}天雨，院里进水快到膝盖了，
            家里就老两口，请求村里或镇上帮忙排水。
        """),
        "reply_templates": _texts("""
            接单后，城管部门立即调派排涝车辆及人员赶到现场，开启移动泵站排水，
            约两小时后路面积水基本排除，并在低洼处设置了警示标志。已电话告知来电人。

            经查，该路段积水系雨水管网被淤泥堵塞所致。已安排市政维修队对管网进行疏通清淤，
            并将该路段列入今年排水防涝改造计划。已向来电人说明。

            属地乡镇已组织人员携带抽水泵上门排水，并帮助老人临时转移贵重物品，目前院内积水已排完，
            工作人员将持续关注降雨情况。
        """),
    },
    {
        "code": "storm-power-cut",
        "category": "public-services.power-supply.outage",
        "appeal_types": {"help": 70, "complaint": 25, "consultation": 5},
        "units": ["util-power"],
        "months": list(SUMMER_STORMS),
        "weight": 7,
        "answerable": False,
        "major_incident_possible": True,
        "templates": _texts("""
            市民来电反映：{community}从昨晚刮大风下大雨后就停电了，到现在已经十几个小时还没来电，
            冰箱里的东西都坏了，打95598一直占线，请求尽快抢修。

            来电人称{road}一带整片都停电了，天太热，家里有老人身体不好，离不开空调和制氧机，
            请求告知什么时候能恢复供电。

            来电人反映{township}{community}附近一根电线杆被风刮歪了，电线垂到离地面一人多高，
            下面还有人走，很危险，要求供电公司马上处理。

            诉求人称{community}这个夏天已经停了{times}次电，一打雷下雨就停，每次一停就是大半天，
            小区里{floor}楼以上还得爬楼梯，要求供电公司彻底排查线路。
        """),
        "reply_templates": _texts("""
            经核实，该区域停电系大风导致10千伏线路跳闸。供电公司抢修人员已连夜抢修，
            于次日凌晨恢复供电，并对沿线树障进行了清理。已电话告知来电人。

            供电公司已派抢修人员到场处理倾斜电杆，重新加固并调整导线高度，消除了安全隐患。
            同时告知来电人停电期间可关注供电公司公众号的抢修进度。

            经查，该小区频繁停电系配电变压器负荷过重所致。供电公司已安排增容改造，
            改造期间如需临时停电将提前发布通知。已向来电人解释说明。
        """),
    },
    {
        "code": "power-outage",
        "category": "public-services.power-supply.outage",
        "appeal_types": {"consultation": 50, "help": 30, "complaint": 20},
        "units": ["util-power"],
        "months": None,
        "weight": 3,
        "answerable": True,
        "major_incident_possible": True,
        "templates": _texts("""
            诉求人咨询：{community}今天上午突然停电，不知道是计划停电还是故障，
            想问什么时候能来电。

            来电人称{road}附近已经停电{hour}个小时左右，事先没有看到任何停电通知，家里在做生意，
            损失不小，要求说明停电原因。

            市民来电咨询：在哪里能查到{township}下周的计划停电通知，自家开的冷库不能长时间停电，
            需要提前安排。

            来电人反映家里电表显示欠费停电，但自己明明用手机交了{amount}元电费，钱扣了却没到账，
            请求核实恢复供电。
        """),
        "reply_templates": _texts("""
            经核实，该区域停电系计划检修，供电公司已提前在小区公告栏及公众号发布通知。
            已向来电人告知停电时间及查询渠道。

            经查，来电人缴费已成功，因系统延迟未及时到账。供电公司已手动处理并恢复供电，
            已电话告知来电人。
        """),
    },
    {
        "code": "power-facilities",
        "category": "public-services.power-supply.facilities",
        "appeal_types": {"help": 60, "complaint": 30, "report": 10},
        "units": ["util-power", "county"],
        "months": None,
        "weight": 2,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            来电人反映{township}某村村头的变压器天天嗡嗡响，晚上吵得睡不着，夏天用电高峰电压还低，
            空调都带不动，希望供电公司改造一下。

            市民来电反映：{road}人行道上的电箱门被人撬开了，里面的线露在外面，旁边就是{landmark}，
            小孩经常在那玩，要求尽快处理。

            来电人称其家门口的电线老化，外皮都裂开了，下雨天还冒过火花，已经跟村里说了{times}次，
            没人管，请求供电公司上门查看。

            诉求人反映{community}楼道里的电表箱太旧，经常跳闸，物业说要供电公司换，
            供电公司说是物业的事，请求明确由谁负责。
        """),
        "reply_templates": _texts("""
            经核实，供电公司已派人对该处电箱进行检查，更换了箱门锁具并对线路进行了绝缘处理，
            隐患已消除。已电话告知来电人。

            经现场查看，该台区变压器确已超负荷运行，供电公司已将其纳入今年农网改造计划，
            计划近期完成增容。已向来电人说明。
        """),
    },
    # ---------------------------------------------------------------- seasonal: school places
    {
        "code": "school-enrollment",
        "category": "public-services.education.enrollment",
        "appeal_types": {"consultation": 60, "complaint": 25, "help": 10, "suggestion": 5},
        "units": ["education", "county"],
        "months": [7, 8],
        "weight": 8,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：其孩子今年上一年级，户口在{township}，房子买在{community}，
            但是房产证还没办下来，只有购房合同，能不能在{landmark}报名。

            来电人系学生家长，称{community}明明划在{landmark}的学区里，学校却说今年学位满了，
            让去三公里外的学校，要求教育部门给个说法。

            来电人称其夫妻二人在{county}打工已经{months}个月，有居住证和社保，
            想问随迁子女入学需要哪些材料，在哪个网站上报名，截止到哪天。

            市民来电反映：网上报名系统一直登不上去，填到一半就卡住，已经试了{times}次，
            眼看报名就要截止了，家长很着急，请求帮助。

            来电人情绪激动，称孩子小升初被分到离家很远的学校，每天上学要倒两趟公交，
            而同小区有的孩子却分到了近的学校，怀疑分配不公平，要求公开分配规则。
        """),
        "reply_templates": _texts("""
            经核实，{community}属于该校学区范围，因今年适龄儿童较多，学校已按政策顺序安排入学。
            教育局已电话联系家长，详细解释了学区划分和招生政策，并告知后续补录安排。

            教育局已电话告知来电人随迁子女入学所需材料（户口簿、居住证、房屋租赁合同或购房合同等）
            、报名网址及时间，来电人表示清楚。

            经查，报名系统当天因访问量过大出现卡顿，技术人员已扩容处理，报名时间相应延长两天。
            已电话告知来电人。
        """),
    },
    # ---------------------------------------------------------------- seasonal: wage arrears
    {
        "code": "wage-arrears",
        "category": "social.labor.wage-arrears",
        "appeal_types": {"help": 55, "complaint": 40, "report": 5},
        "units": ["hrss", "county", "township"],
        "months": [12, 1, 2],
        "weight": 9,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            来电人称其在{county}{road}{company}承建的工地干活，已经干了大半年，
            包工头拖欠工资{amount}元，找了{times}次都说没钱，眼看要过年了，请求帮助讨要。

            市民来电反映：其和二十多个老乡在{township}一个工地上干了{months}个月，
            总共被拖欠工资二十多万元，项目部和包工头互相推，农民工回家过年的路费都没有，
            请求政府出面协调。

            来电人系一名女工，称在{company}上班，厂里已经{months}个月没发工资，说是效益不好，
            每次去问都说再等等，家里孩子要交学费，请求劳动监察部门介入。

            来电人称去年在{company}干装修活，老板至今还欠{amount}元没给，手里有欠条，
            对方电话也不接了，想问应该去哪里维权。

            诉求人反映：其父亲六十多岁，在{township}给人打零工，干了{days}天活一分钱没拿到，
            老人不识字也没签合同，请求相关部门帮忙讨回工钱。
        """),
        "reply_templates": _texts("""
            接单后，劳动保障监察大队立即约谈该项目负责人及施工企业，经协调，
            施工企业已于{days}日内通过农民工工资专用账户将拖欠的工资足额发放到位，
            来电人表示已收到。

            经调查，该企业确存在拖欠工资情况。人社部门已向企业下达劳动保障监察责令改正决定书，
            企业已制定还款计划，承诺春节前结清。工作人员将持续跟进。

            经核实，双方对工程量存在争议，属地乡镇已组织双方调解，达成分期支付协议，
            并告知来电人如对方不履行可申请劳动仲裁或向法院起诉。
        """),
    },
    {
        "code": "labor-relations",
        "category": "social.labor.labor-relations",
        "appeal_types": {"consultation": 50, "complaint": 40, "help": 10},
        "units": ["hrss", "sub-12333"],
        "months": None,
        "weight": 3,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：其在{company}上班{months}个月了，公司一直不签劳动合同也不交社保，
            现在想辞职，能不能要求二倍工资和经济补偿。

            来电人称自己在工作中受伤，{company}不给报工伤，只给了{amount}元就不管了，
            想问工伤认定怎么申请，需要哪些材料。

            来电人反映{company}突然通知解除劳动合同，没有提前说也不给补偿，其已在该单位工作六年，
            请求劳动监察部门处理。

            市民来电咨询：公司每天让加班到{hour}点，周末也不休息，加班费一分没有，
            这种情况合不合法，应该找哪个部门。
        """),
        "reply_templates": _texts("""
            人社部门已电话联系来电人，详细解答了劳动合同签订、二倍工资及经济补偿的相关规定，
            并告知劳动仲裁的申请流程和受理地点，来电人表示清楚。

            经劳动保障监察大队调查，该企业确未依法签订劳动合同，已责令其限期改正并补缴社会保险，
            已向来电人反馈处理情况。
        """),
    },
    # ---------------------------------------------------------------- seasonal: straw burning
    {
        "code": "straw-burning",
        "category": "environment.air.straw-burning",
        "appeal_types": {"report": 35, "complaint": 55, "suggestion": 10},
        "units": ["township", "ecology", "county"],
        "months": list(HARVEST),
        "weight": 6,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电举报：{township}靠近{road}的麦地里有人在焚烧秸秆，浓烟很大，路上车都看不清，
            请求马上派人制止。

            来电人称这几天每到{hour}点以后，{community}周边就有人偷偷烧秸秆，满屋子都是烟味，
            孩子咳嗽得厉害，要求镇上加强巡查。

            来电人反映{township}有户人家在自家地头烧玉米秆，火已经快烧到旁边的树林了，情况紧急。

            诉求人建议：与其一味禁烧，不如多给农户提供秸秆打捆回收的机械，村里收割完秸秆没地方去，
            农户也为难，希望政府统筹解决。
        """),
        "reply_templates": _texts("""
            接单后，属地乡镇立即组织包村干部赶赴现场，火点已被扑灭，并对当事农户进行了批评教育。
            同时加强了夜间巡查力度。已电话告知来电人。

            经核实，该火点系农户焚烧田间杂草引起，属地乡镇已及时处置，
            并协调农机合作社对周边地块的秸秆进行打捆离田。已向来电人反馈。
        """),
    },
    # ------------------------------------------------------------ steady: streets and facilities
    {
        "code": "road-damage",
        "category": "public-services.municipal.roads",
        "appeal_types": {"complaint": 45, "help": 30, "suggestion": 25},
        "units": ["urban", "transport", "county"],
        "months": None,
        "weight": 4,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{road}靠近{landmark}的路面有一个大坑，晚上看不清，
            已经有好几个骑电动车的摔倒了，请求尽快修补。

            来电人称{township}通往{community}的村道坑坑洼洼，一下雨全是泥，孩子上学都得绕路走，
            已经反映过{times}次，希望能把路修一修。

            来电人反映{road}人行道上的地砖松动翘起，踩上去溅一身泥水，老人走路容易绊倒，
            请求相关部门维修。

            诉求人称{road}修了快{months}个月了，围挡一直没撤，也看不到有人施工，
            附近的商户生意都受影响，想问什么时候能完工。

            来电人反映{road}上一个井盖缺失，只用一根树枝插着当标记，晚上很危险，要求马上补上。
        """),
        "reply_templates": _texts("""
            经核实，城管部门已安排市政维修人员对该路段坑槽进行了修补，现已恢复通行。
            已电话告知来电人，来电人表示满意。

            经查，该道路属于农村公路，已纳入今年农村公路提升改造计划，预计年内开工。
            已向来电人说明情况。

            接单后维修人员当日到场，已补装井盖并在周边设置警示，隐患已消除。
        """),
    },
    {
        "code": "street-lights",
        "category": "public-services.municipal.street-lights",
        "appeal_types": {"help": 60, "complaint": 30, "suggestion": 10},
        "units": ["urban", "county"],
        "months": None,
        "weight": 3,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{road}从{landmark}往南那一段路灯已经坏了{days}天，晚上黑乎乎一片，
            下晚自习的学生走着害怕，请求尽快维修。

            来电人称{community}门口的路灯白天亮着晚上反而不亮，浪费电又不安全，
            希望管理部门调一下时间。

            来电人反映{township}主街上新装的太阳能路灯，装好不到{months}个月就有一半不亮了，
            怀疑质量有问题，请求核查。

            诉求人建议在{road}和{landmark}之间加装几盏路灯，这一段晚上车多人多又没有灯，
            容易出事故。
        """),
        "reply_templates": _texts("""
            经核实，该路段路灯不亮系线路老化短路所致，路灯所已安排人员更换线缆，
            目前路灯已恢复正常照明。已电话告知来电人。

            经现场查看，来电人反映情况属实，已将该路段加装路灯纳入今年照明设施补点计划，
            待资金到位后实施。已向来电人解释。
        """),
    },
    {
        "code": "noise-construction",
        "category": "environment.noise.construction",
        "appeal_types": {"complaint": 90, "report": 10},
        "units": ["ecology", "housing", "county"],
        "months": None,
        "weight": 3,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{road}{company}的工地天天夜里施工，都{hour}点了还在打桩、拉渣土，
            吵得整栋楼的人睡不着，要求立即制止夜间施工。

            来电人称其住在{community}{floor}楼，对面工地从早上六点就开始切割钢筋，声音刺耳，
            家里有高三的孩子要复习，已经反映{times}次没效果。

            来电人情绪激动，称{community}旁边的工地连着{days}天通宵浇筑，打电话给工地，
            对方说有夜间施工许可，要求核实是否真有许可。

            诉求人反映{landmark}附近的搅拌车半夜进出，鸣笛声、卸料声特别大，还把路面弄得全是泥，
            请求相关部门管一管。
        """),
        "reply_templates": _texts("""
            接单后执法人员于当晚到现场检查，该工地未办理夜间施工许可，
            已责令立即停止夜间施工并依法立案调查。已电话告知来电人。

            经核实，该工地因混凝土浇筑工艺需要办理了连续施工许可，许可期限已于昨日结束。
            已要求施工单位严格遵守作息时间，采取降噪措施，并向周边居民张贴告知书。
        """),
    },
    {
        "code": "noise-square-dancing",
        "category": "environment.noise.social-life",
        "appeal_types": {"complaint": 80, "suggestion": 20},
        "units": ["police", "township", "urban"],
        "months": [4, 5, 6, 7, 8, 9, 10],
        "weight": 2.5,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{community}楼下每天晚上都有人跳广场舞，音响开得特别大，
            一直跳到{hour}点多，家里孩子没法写作业，下去说了几次对方不理。

            来电人称{landmark}门口的广场每天早上五点多就有人放音乐打拳，声音很大，
            住在{floor}楼都听得清清楚楚，老人心脏不好，请求协调。

            来电人（夜班工人）称自己白天要补觉，{community}里的广场舞从下午就开始，
            已经持续{months}个月，跟物业说了没用，希望有关部门给划个时间和音量。

            诉求人建议在{road}的小游园设置噪声监测屏，规定广场舞的时间段，既让大家能锻炼，
            也不影响周边居民休息。
        """),
        "reply_templates": _texts("""
            经核实，属地社区已联系广场舞队负责人，协商将活动时间调整为晚上七点半至九点，
            并更换为小功率音响。社区民警将不定期巡查。已向来电人反馈。

            辖区派出所已到现场对相关人员进行劝导，对方已调低音量。社区正在制定文明健身公约，
            进一步规范广场活动。
        """),
    },
    {
        "code": "noise-shops",
        "category": "environment.noise.commercial",
        "appeal_types": {"complaint": 90, "report": 10},
        "units": ["urban", "ecology", "county"],
        "months": None,
        "weight": 2,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{road}上好几家店门口都摆着大喇叭循环播放促销广告，
            从{hour}点一直放到晚上，吵得人心烦，要求整治。

            来电人称其家楼下的{company}晚上营业到凌晨，烧烤的油烟和划拳声音很大，
            已经向城管反映了{times}次，白天来看一眼晚上照样吵。

            来电人反映{community}底商新开了一家KTV，隔音很差，
            每天{hour}点以后楼上都能听到唱歌声，影响休息。

            诉求人称{landmark}附近的{company}空调外机正对着其卧室窗户，日夜不停响，楼板都跟着震，
            请求相关部门处理。
        """),
        "reply_templates": _texts("""
            城管执法人员已对该路段商户逐一走访，要求停止使用高音喇叭招揽顾客，
            并签订了门前五包责任书，后续将加强巡查。已电话告知来电人。

            经查，该店铺噪声确实超标，已责令其限期整改，加装隔音设施并调整营业时间。
            整改完成后将进行复测。
        """),
    },
    # ---------------------------------------------------------------- steady: housing and property
    {
        "code": "property-management",
        "category": "public-services.property",
        "appeal_types": {"complaint": 55, "help": 20, "consultation": 15, "suggestion": 10},
        "units": ["housing", "county", "township"],
        "months": None,
        "weight": 6,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：其是{community}的业主，{company}收着物业费却不干活，
            楼道垃圾好几天没人清，绿化带变成了菜地，跟物业说了{times}次都没用，要求住建部门监管。

            来电人称{community}的物业未经业主同意擅自上调物业费，还把停车费涨到每月{amount}元，
            业主不交就不给开门禁，请求核查是否合规。

            来电人反映{community}{floor}楼楼顶漏水，房子还在保修期内，物业说找开发商，
            开发商说找物业，已经拖了{months}个月，家里墙面都发霉了。

            诉求人咨询：小区想成立业主委员会，更换现在的物业公司，需要走什么程序，找哪个部门备案。

            来电人（老年人）称其家住{community}，小区的二次供水泵房坏了{days}天，
            {floor}楼以上没水，物业一直说在修，老人提水上楼实在困难。
        """),
        "reply_templates": _texts("""
            经核实，该小区物业服务确存在保洁不及时等问题。住建部门已约谈物业公司负责人，
            责令其限期整改，现楼道垃圾已清理完毕，绿化带已恢复。已电话告知来电人。

            经查，该物业公司调价未履行公示及业主大会程序，已责令其暂停执行新标准，按原标准收费。
            已向来电人反馈。

            属地街道已向来电人讲解成立业主大会和业主委员会的流程，
            并表示将派社区工作人员指导筹备工作。
        """),
    },
    {
        "code": "elevator",
        "category": "market.special-equipment",
        "appeal_types": {"help": 50, "complaint": 50},
        "units": ["market", "housing"],
        "months": None,
        "weight": 1.5,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{community}的电梯最近{days}天坏了{times}次，
            有一次还把人困在里面半个多小时，物业只是简单修一下，业主不敢坐，要求特种设备部门检查。

            来电人称其家住{community}{floor}楼，电梯已经停了一个多星期，物业说在等配件，
            家里老人要去医院透析，上下楼只能靠人背，请求尽快解决。

            来电人反映{community}电梯里的检验合格证早就过期了，运行时晃得厉害还有异响，
            担心出事故。

            诉求人反映{landmark}的扶梯经常突然停下来，人多的时候很危险，请求核查维保情况。
        """),
        "reply_templates": _texts("""
            经市场监管部门现场检查，该电梯确存在制动器磨损问题，已责令使用单位停梯整改，
            维保单位已更换相关部件，经检验合格后恢复运行。已电话告知来电人。

            经核实，该电梯定期检验已过期，已下达特种设备安全监察指令书，责令使用单位立即申报检验，
            检验合格前停止使用。
        """),
    },
    # ---------------------------------------------------------------- steady: water and gas
    {
        "code": "water-outage",
        "category": "public-services.water-supply.outage",
        "appeal_types": {"help": 50, "complaint": 35, "consultation": 15},
        "units": ["util-water"],
        "months": None,
        "weight": 3,
        "answerable": False,
        "major_incident_possible": True,
        "templates": _texts("""
            市民来电反映：{community}从今天{hour}点左右就停水了，事先没有任何通知，
            家里做饭洗漱都没水，请求告知什么时候能恢复。

            来电人称{road}一带已经停水{days}天了，说是管道抢修，但一直没来水，
            附近几个小区的人都在到处买水，要求供水公司给个准确时间，并安排送水车。

            来电人反映{road}路边的供水管道爆裂，水哗哗往外冒，路面已经积了很深的水，
            请求马上派人关阀抢修。

            诉求人称{township}{community}这一片的自来水隔三岔五就停，一停就是半天，
            没有任何提前告知，居民意见很大。
        """),
        "reply_templates": _texts("""
            经核实，该区域停水系{road}DN300供水管道突发爆管所致。供水公司抢修人员已连夜抢修，
            于次日上午恢复正常供水，抢修期间安排了送水车。已电话告知来电人。

            经查，该片区停水系管网改造计划停水，供水公司已在小区张贴通知，但未覆盖到所有楼栋。
            已向来电人致歉并告知后续停水将通过短信提前通知。
        """),
    },
    {
        "code": "water-quality",
        "category": "public-services.water-supply.quality",
        "appeal_types": {"complaint": 60, "help": 40},
        "units": ["util-water"],
        "months": None,
        "weight": 2,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{community}的自来水这几天发黄，烧开以后壶底有一层沉淀，不敢给孩子喝，
            要求供水公司检测水质。

            来电人称其住在{floor}楼，每天{hour}点前后水压特别小，热水器都打不着火，
            已经持续{months}个月了，请求解决。

            来电人反映家里自来水有一股很重的消毒水味，邻居家也一样，想问水质是否合格。

            诉求人称{township}一些村子用的还是自家打的井水，水碱很大，听说要通自来水，
            想问什么时候能通。
        """),
        "reply_templates": _texts("""
            供水公司已派人到来电人家中取样检测，各项指标符合生活饮用水卫生标准。
            水发黄系小区内部老旧管道锈蚀所致，已对管网进行冲洗并建议物业更换老旧管道。

            经核实，该小区水压不足系高峰时段用水集中所致，供水公司已调整加压泵站运行参数，
            现水压已恢复正常。已电话告知来电人。
        """),
    },
    {
        "code": "water-billing",
        "category": "public-services.water-supply.billing",
        "appeal_types": {"consultation": 80, "complaint": 20},
        "units": ["util-water"],
        "months": None,
        "weight": 2.5,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：新买的{community}的房子要办自来水过户，需要带哪些材料，在哪个营业厅办理。

            来电人称家里只有两口人，这个月水费却要{amount}元，比平时多了好几倍，家里也没发现漏水，
            怀疑水表有问题，要求核查。

            市民来电咨询：自来水费能不能在手机上交，阶梯水价是怎么计算的。

            来电人反映{community}做户表改造，供水公司要求每户交{amount}元改造费，
            想问这个钱该不该业主出。
        """),
        "reply_templates": _texts("""
            已电话告知来电人自来水过户所需材料（不动产权证或购房合同、身份证、原户主缴费凭证）
            及营业厅地址，来电人表示清楚。

            供水公司已派人上门核查，发现水表后端管道存在暗漏，已协助来电人维修，
            并按规定对漏水期间水费予以减免。
        """),
    },
    {
        "code": "gas-outage",
        "category": "public-services.gas-supply.outage",
        "appeal_types": {"help": 60, "complaint": 40},
        "units": ["util-gas"],
        "months": None,
        "weight": 1.2,
        "answerable": False,
        "major_incident_possible": True,
        "templates": _texts("""
            市民来电反映：{community}从中午开始停气，到晚上做饭的时候还没恢复，一家老小没法做饭，
            燃气公司电话一直打不通。

            来电人称{road}沿线的几个小区都停气了，听说是施工挖断了燃气管道，请求告知恢复时间。

            来电人反映家里燃气表显示还有余额，但就是打不着火，燃气公司说可能是表坏了，
            让等{days}天才能上门，要求尽快处理。

            诉求人称{community}冬天一到晚上做饭的时候燃气火苗就很小，饭都做不熟，
            请求燃气公司查一查压力。
        """),
        "reply_templates": _texts("""
            经核实，该区域停气系第三方施工挖断中压燃气管道所致，燃气公司已完成抢修，
            于当晚恢复供气，并入户逐一检查点火。已电话告知来电人。

            燃气公司已于当日派人上门，更换了来电人家中故障的燃气表，现已恢复正常使用。
        """),
    },
    {
        "code": "gas-service",
        "category": "public-services.gas-supply.service",
        "appeal_types": {"consultation": 60, "complaint": 25, "report": 15},
        "units": ["util-gas", "housing"],
        "months": None,
        "weight": 2.5,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：其在{community}新买的房子想开通天然气，需要准备什么材料，
            开户费和安装费一共多少钱。

            来电人称燃气公司的人上门安检，非要自己花{amount}元换他们指定的报警器和软管，
            不换就不给通气，怀疑是强制消费。

            市民来电举报：{road}有一家{company}在后厨违规存放好几个液化气罐，离明火很近，
            担心发生危险。

            来电人反映农村“煤改气”以后，今年的燃气补贴到现在还没发，想问补贴标准和发放时间。
        """),
        "reply_templates": _texts("""
            燃气公司已电话告知来电人开户所需材料、收费标准及办理流程，来电人表示清楚。

            经核实，燃气公司安检时应告知用户可自行购买合格产品，不得强制推销。
            已对相关员工进行批评教育，并向来电人致歉。

            经住建部门联合应急部门现场检查，该店确存在违规存放液化气瓶问题，
            已责令其立即整改并清理多余气瓶。
        """),
    },
    # ---------------------------------------------------------------- steady: insurance, cards, ID
    {
        "code": "medins-reimbursement",
        "category": "public-services.medical-insurance.reimbursement",
        "appeal_types": {"consultation": 80, "complaint": 15, "help": 5},
        "units": ["medins"],
        "months": None,
        "weight": 10,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：其母亲在郑州住院花了{amount}元，之前没有办异地就医备案，
            回来以后还能不能报销，需要带哪些材料去哪里报。

            来电人称其父亲在{landmark}住院，出院结算时医保报销比例比去年低了很多，
            想问是不是政策变了。

            市民来电咨询：城乡居民医保门诊慢特病怎么申请，高血压、糖尿病能不能办，
            办了以后每年能报多少。

            来电人（老年人）称自己在{township}卫生院拿药，医生说医保卡刷不了，让交现金，
            不知道是怎么回事，请求帮助。

            来电人反映其孩子在外地上大学时看病花了{amount}元，学校说回户籍地报销，
            跑了{times}趟还没报下来，要求明确办理流程。
        """),
        "reply_templates": _texts("""
            医保局已电话联系来电人，告知异地就医未备案可回参保地按规定手工报销，需携带身份证、
            医保卡、住院发票、费用清单、出院证明，报销比例按未备案标准执行。来电人表示清楚。

            经核实，来电人所住医院等级不同，起付线和报销比例不同，并非政策调整。
            已向来电人详细解释。

            经查，该卫生院医保结算系统当日升级导致无法刷卡，现已恢复。
            已通知卫生院为来电人办理退费并重新按医保结算。
        """),
    },
    {
        "code": "medins-enrollment",
        "category": "public-services.medical-insurance.enrollment",
        "appeal_types": {"consultation": 85, "complaint": 15},
        "units": ["medins", "county"],
        "months": [9, 10, 11, 12, 1, 2],
        "weight": 4,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：明年的城乡居民医保每人交多少钱，在手机上怎么交，截止到什么时候。

            来电人称其在外地打工，已经交了职工医保，村里还让交居民医保，想问会不会重复参保，
            能不能不交。

            来电人反映{township}村干部上门收医保费，只收现金不给收据，担心钱交不上去，请求核实。

            市民来电咨询：刚出生的孩子怎么参加医保，出生后多久之内办理可以报销出生时的医疗费用。
        """),
        "reply_templates": _texts("""
            已电话告知来电人城乡居民医保缴费标准、缴费渠道及截止时间，来电人表示清楚。

            经核实，该村代收医保费已全部按时上缴并录入系统，来电人缴费记录可在手机上查询。
            已提醒村里代收时出具收据。
        """),
    },
    {
        "code": "social-security-card",
        "category": "public-services.social-insurance.card",
        "appeal_types": {"consultation": 85, "help": 15},
        "units": ["hrss", "sub-12333"],
        "months": None,
        "weight": 7,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：社保卡丢了怎么补办，能不能在手机上先挂失，补办要多长时间、收不收钱。

            来电人称其在银行办了第三代社保卡，但激活的时候一直提示信息不符，
            已经跑了银行{times}趟都没办好，请求帮助。

            市民来电咨询：老人的社保卡过期了，里面的养老金还能不能取，换卡需要老人本人到场吗。

            来电人咨询：电子社保卡怎么申领，能不能用来在{landmark}看病刷卡。
        """),
        "reply_templates": _texts("""
            已电话告知来电人社保卡挂失及补办流程：可通过电子社保卡或12333先行挂失，
            持身份证到合作银行网点补办，即时制卡。来电人表示清楚。

            经核实，来电人身份信息中姓名存在生僻字导致系统比对失败，人社部门已为其修正信息，
            来电人已成功激活社保卡。
        """),
    },
    {
        "code": "pension",
        "category": "public-services.social-insurance.pension",
        "appeal_types": {"consultation": 70, "help": 20, "complaint": 10},
        "units": ["hrss", "sub-12333", "county"],
        "months": None,
        "weight": 7,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：其今年满六十岁，城乡居民养老保险交了十五年，想问每个月能领多少钱，
            需要去哪里办理领取手续。

            来电人（老年人）称自己的养老金这个月没有按时到账，往常每月十号前就到了，
            现在已经晚了{days}天，请求帮忙查一下。

            来电人称其在{company}上班时单位给交过几年养老保险，后来单位倒闭了，
            现在想把之前交的接续上，不知道该找谁。

            市民来电咨询：每年的养老金领取资格认证怎么做，老人在外地跟着子女住，
            能不能在手机上认证。

            来电人反映其父亲去世后，家里去办丧葬补助金和个人账户余额领取，跑了{times}趟还缺材料，
            请求一次性告知需要什么。
        """),
        "reply_templates": _texts("""
            已电话告知来电人城乡居民养老保险待遇领取条件、办理地点及所需材料，
            并告知可登录相关APP查询个人缴费年限和预估待遇。来电人表示清楚。

            经核实，来电人本月养老金未按时发放系资格认证到期未认证所致，工作人员已指导其完成认证，
            养老金已补发到账。
        """),
    },
    {
        "code": "residence-permit",
        "category": "social.household.residence-permit",
        "appeal_types": {"consultation": 90, "complaint": 10},
        "units": ["police"],
        "months": None,
        "weight": 4,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：其是外省人，在{county}工作租房已经{months}个月，想办居住证给孩子上学用，
            需要哪些材料，去哪个派出所办。

            来电人称居住证到期了，想问续签要不要重新提交材料，在网上能不能办。

            来电人反映去{township}派出所办居住证，工作人员说房东必须到场，房东在外地来不了，
            想问有没有别的办法。

            市民来电咨询：居住证从申请到拿证需要多少天，能不能加急。
        """),
        "reply_templates": _texts("""
            公安部门已电话告知来电人居住证办理条件、所需材料及受理派出所地址，来电人表示清楚。

            经核实，房东无法到场的，可提供经公证的租赁合同或房东身份证复印件及书面说明。
            已告知来电人，并提醒派出所一次性告知所需材料。
        """),
    },
    {
        "code": "household-registration",
        "category": "social.household.registration",
        "appeal_types": {"consultation": 80, "complaint": 15, "help": 5},
        "units": ["police"],
        "months": None,
        "weight": 5,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：其在{community}买了房，想把户口从老家{township}迁过来，需要什么材料，
            能不能在网上办“跨省通办”。

            来电人称孩子出生快{months}个月了，因为父母还没领结婚证，去派出所上户口被拒绝了，
            想问非婚生子女怎么落户。

            来电人反映身份证上的出生日期和户口本上的不一致，要改过来，派出所让去开各种证明，
            跑了{times}趟还没办成。

            市民来电咨询：身份证快过期了，人在外地能不能异地换证，大概多少天能拿到。
        """),
        "reply_templates": _texts("""
            公安部门已电话告知来电人户口迁移的条件、所需材料及办理流程，
            并告知可通过“跨省通办”线上申请，来电人表示清楚。

            经核实，非婚生子女可凭出生医学证明及父母一方户口簿办理落户，派出所已电话联系来电人，
            预约办理时间。
        """),
    },
    {
        "code": "housing-fund",
        "category": "public-services.housing-fund",
        "appeal_types": {"consultation": 85, "complaint": 15},
        "units": ["housing"],
        "months": None,
        "weight": 5,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：其在{community}买了二手房，想用住房公积金贷款，最多能贷多少，
            首付比例是多少，需要连续缴存多长时间。

            来电人称想提取公积金付房租，在手机上提交了{times}次都没审核通过，也不说明原因，
            请求帮助。

            来电人反映其所在的{company}从来不给员工交公积金，想问是否合法，应该向哪里反映。

            市民来电咨询：离职以后公积金怎么办，是转到新单位还是可以一次性取出来。
        """),
        "reply_templates": _texts("""
            已电话告知来电人住房公积金贷款条件、额度计算方法及所需材料，来电人表示清楚。

            经核实，来电人提取申请未通过系租赁合同未备案所致，工作人员已指导其补充材料，
            现已审核通过，资金已到账。
        """),
    },
    {
        "code": "real-estate-registration",
        "category": "public-services.real-estate",
        "appeal_types": {"consultation": 55, "complaint": 35, "help": 10},
        "units": ["natres", "housing", "county"],
        "months": None,
        "weight": 4,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：二手房过户需要哪些材料，买卖双方是不是都要到场，税费大概多少。

            来电人称其在{community}买的房已经交房{months}个月，开发商一直不给办不动产证，
            说是土地手续没完善，业主们很着急，请求相关部门督促。

            来电人反映父母去世后，房子要办继承过户，不动产登记中心让做继承公证，
            家里兄弟姐妹多人在外地，想问有没有更简便的办法。

            市民来电咨询：不动产权证上的面积和购房合同不一样，差了好几平方米，应该找谁处理。

            来电人称{county}不动产登记大厅每天排长队，{hour}点去取号就没号了，
            跑了{times}次都没办上，建议增加窗口或网上预约。
        """),
        "reply_templates": _texts("""
            已电话告知来电人二手房交易过户所需材料及办理流程，并告知可先通过网上预约，
            来电人表示清楚。

            经核实，该项目因开发企业未完成竣工验收备案暂不能办理首次登记，住建、
            自然资源部门已约谈开发企业，责令限期完善手续，并将持续跟进。已向来电人说明。

            经查，不动产登记大厅已增设两个综合窗口，并开通网上预约和延时服务。已向来电人反馈。
        """),
    },
    # ---------------------------------------------------------------- steady: market supervision
    {
        "code": "food-safety",
        "category": "market.food-safety.catering",
        "appeal_types": {"complaint": 70, "report": 30},
        "units": ["market", "sub-12315", "county"],
        "months": None,
        "weight": 3,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：昨天晚上在{road}的{company}吃饭，一家四口回来后都上吐下泻，
            去医院花了{amount}元，找饭店对方不承认，要求市场监管部门查处。

            来电人举报{landmark}附近有一家小饭馆后厨特别脏，苍蝇乱飞，生熟不分，
            服务员也没有健康证，请求检查。

            来电人称在{company}点的外卖里吃出了一根钢丝，跟商家联系只愿意退款，要求依法处理。

            诉求人反映{township}中学门口的小摊贩卖三无辣条和饮料，很多学生买，担心吃坏身体。

            来电人称在{company}买的熟食吃完以后发现已经过了保质期{days}天，超市只愿意换货，
            要求赔偿。
        """),
        "reply_templates": _texts("""
            接单后执法人员到该饭店进行检查，发现后厨存在卫生不达标、从业人员健康证过期等问题，
            已责令限期整改并立案调查，同时组织双方调解，商家同意赔偿来电人医疗费用。

            经核实，来电人反映情况基本属实，已依法对该商户作出行政处罚，并要求其按规定赔偿。
            已电话告知来电人。

            执法人员已会同属地街道对学校周边食品摊点进行清理整顿，收缴三无食品一批。
        """),
    },
    {
        "code": "price-gouging",
        "category": "market.price-violation",
        "appeal_types": {"complaint": 80, "report": 20},
        "units": ["market", "sub-12315"],
        "months": None,
        "weight": 2,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{landmark}附近的停车场收费没有公示，停了两个小时收了五十块钱，
            问收费标准对方也说不出来，要求查处。

            来电人称在{company}买东西，价签上写的是打折价，结账时却按原价收，差了{amount}元，
            找店里理论对方态度很差。

            来电人反映过节期间{county}一些宾馆房价一下子涨了好几倍，订好的房间还被临时加价，
            认为是哄抬价格。

            诉求人举报{road}上的{company}明码标价不全，很多商品没有价签，结账时随口报价，
            外地人容易被宰。
        """),
        "reply_templates": _texts("""
            经核实，该商户存在价签与结算价格不一致的问题，执法人员已责令其立即整改，
            退还来电人多收款项，并依法立案调查。

            执法人员已对该停车场进行检查，责令其在显著位置公示收费标准，并对多收费用予以退还。
            已电话告知来电人。
        """),
    },
    {
        "code": "counterfeit",
        "category": "market.counterfeit",
        "appeal_types": {"report": 45, "complaint": 55},
        "units": ["market", "sub-12315"],
        "months": None,
        "weight": 1.5,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电举报：{township}集市上有人卖假化肥、假种子，价格比正规的便宜一半，
            好几户农户买了以后麦苗出得不齐，请求查处。

            来电人称在{company}买了一台名牌电器，用了没几天就坏了，去售后一查说是假货，
            商家拒不承认，要求退货赔偿。

            来电人举报{road}上一家店卖假冒名牌白酒，包装看着一样，喝起来完全不是一个味，
            怀疑是勾兑的。

            诉求人反映在网上直播间买的“保健品”，给老人吃了以后身体不舒服，查了批准文号是假的，
            花了{amount}元，请求帮忙维权。
        """),
        "reply_templates": _texts("""
            接单后执法人员对集市进行了突击检查，查扣涉嫌假冒化肥若干袋，已立案调查，
            并提醒农户到正规农资店购买。

            经核实，该商户销售的电器无法提供合法进货凭证，已依法对相关商品予以查封，
            并督促商家为来电人办理退货。
        """),
    },
    {
        "code": "prepaid-card",
        "category": "market.consumer-rights.prepaid-card",
        "appeal_types": {"complaint": 85, "help": 15},
        "units": ["market", "commerce"],
        "months": None,
        "weight": 2,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：其在{road}的{company}办了一张{amount}元的健身卡，
            才去了{times}次店就关门了，老板电话也打不通，门口贴着“装修”，好多会员都找不着人。

            来电人称给孩子在培训机构交了一年的课时费，上了{months}个月机构说要搬走，不退剩余费用，
            要求帮助退费。

            来电人反映在{company}充值了会员卡，现在店里说换老板了，以前的卡不认了，
            要求按原价退还余额。

            诉求人称美发店办卡时说好不限次，现在每次去都要另外加钱，认为商家违约，要求退卡。
        """),
        "reply_templates": _texts("""
            经调查，该店经营者已失联，市场监管部门已联合商务、公安等部门建立会员登记台账，
            并引导消费者通过法律途径维权。已向来电人说明情况。

            经组织双方调解，商家同意退还来电人剩余卡内余额，来电人表示认可。
        """),
    },
    # ---------------------------------------------------------------- steady: city management
    {
        "code": "garbage",
        "category": "public-services.sanitation",
        "appeal_types": {"complaint": 60, "help": 30, "suggestion": 10},
        "units": ["urban", "township", "county"],
        "months": None,
        "weight": 3,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{road}与{landmark}交叉口的垃圾桶已经满了{days}天没人清运，周围堆了一地，
            天一热臭味熏天，苍蝇蚊子特别多。

            来电人称{township}某村村口有个垃圾堆，村民都往那倒，越堆越高，还有人在那烧垃圾，
            请求清理。

            来电人反映{community}对面的空地上有人半夜偷倒建筑垃圾，已经堆成小山了，请求查处。

            诉求人建议{community}附近增设几个分类垃圾桶，现在居民得走好几百米才能扔垃圾。
        """),
        "reply_templates": _texts("""
            经核实，该处垃圾桶未及时清运系清运车辆故障所致，环卫部门已于当日完成清运并对周边进行消
            杀，后续将加密清运频次。已电话告知来电人。

            属地乡镇已组织人员对村口垃圾堆进行清理，并设置了垃圾收集点，村保洁员负责每日清运。
        """),
    },
    {
        "code": "illegal-parking",
        "category": "social.traffic.parking",
        "appeal_types": {"complaint": 70, "report": 15, "suggestion": 15},
        "units": ["police", "urban"],
        "months": None,
        "weight": 3,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{community}小区门口每天都有车乱停，把消防通道都堵死了，
            救护车上次都进不来，要求交警加强管理。

            来电人称{road}的人行道上停满了汽车，行人只能走机动车道，非常危险，请求清理。

            来电人反映{landmark}门口{hour}点左右接送孩子的车辆乱停乱放，造成严重拥堵，
            建议设置临时停车位。

            诉求人称有一辆车已经在{community}楼下停了{months}个月没动过，落满了灰，轮胎都瘪了，
            怀疑是僵尸车，请求处理。
        """),
        "reply_templates": _texts("""
            交警部门已安排警力到该路段进行整治，对违停车辆依法处理，并将该路段列入重点巡查区域。
            已电话告知来电人。

            经核实，该车辆系长期停放的废弃车辆，已联系车主限期挪走，车主已将车辆移走。
        """),
    },
    {
        "code": "road-occupation",
        "category": "social.traffic.road-occupation",
        "appeal_types": {"complaint": 80, "suggestion": 20},
        "units": ["urban", "township"],
        "months": None,
        "weight": 2,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{road}上每天晚上都有流动摊贩占道经营，摆到马路中间，车辆过不去，
            还留下一地垃圾。

            来电人称{landmark}门口的水果摊、早点摊把人行道全占了，推婴儿车根本过不去，请求管一管。

            来电人反映{community}门口的饭店把桌子摆到人行道上，一到晚上就烧烤喝酒，
            闹到{hour}点多。

            诉求人建议在{road}附近规划一个便民摊点集中区，既方便摊贩谋生，也不影响交通。
        """),
        "reply_templates": _texts("""
            城管执法人员已到现场对占道经营摊贩进行劝导和规范，引导其到指定的便民疏导点经营，
            并将持续加强巡查。已电话告知来电人。

            经核实，该店外摆问题属实，已责令店主将桌椅收回店内，并签订门前五包责任书。
        """),
    },
    {
        "code": "stray-dogs",
        "category": "social.animals",
        "appeal_types": {"complaint": 55, "help": 35, "report": 10},
        "units": ["police", "urban", "township"],
        "months": None,
        "weight": 2,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{community}里有好几条流浪狗，晚上成群结队地叫，还追着小孩跑，
            前几天有个老人被咬伤了，请求相关部门处理。

            来电人称邻居在{floor}楼养了一条大型犬，遛狗从来不拴绳，在电梯里冲人叫，
            跟主人说了{times}次都不听。

            来电人反映{landmark}附近有人遛狗不清理粪便，草坪上到处都是，影响环境。

            诉求人称其孩子在{road}被一条没拴绳的狗咬伤了，打狂犬疫苗花了{amount}元，狗主人不承认，
            请求帮助。
        """),
        "reply_templates": _texts("""
            经核实，属地派出所会同社区已对小区内流浪犬进行收容，并对违规养犬户进行了教育，
            要求其文明养犬、出门拴绳。已电话告知来电人。

            辖区派出所已调取监控确认犬主身份，并组织双方调解，犬主同意承担医疗费用。
        """),
    },
    {
        "code": "greening",
        "category": "public-services.greening",
        "appeal_types": {"help": 50, "suggestion": 30, "complaint": 20},
        "units": ["urban"],
        "months": [3, 4, 5, 6, 7, 8, 9],
        "weight": 1.2,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{road}边上的行道树长得太高，树枝已经伸进{community}{floor}楼的窗户里，
            还挡着路灯，请求修剪。

            来电人称{landmark}门前有一棵大树被风刮得快倒了，树下就是公交站，非常危险。

            来电人反映{road}中间绿化带里的草已经长到半人高，没人修剪，还滋生蚊虫。

            诉求人建议在{community}附近的空地上建一个口袋公园，周边居民没有地方休闲锻炼。
        """),
        "reply_templates": _texts("""
            经核实，园林部门已安排人员对该路段行道树进行修剪，消除了安全隐患。已电话告知来电人。

            接单后园林养护人员当日到场，对倾斜树木进行了扶正加固，并清理了折断的树枝。
        """),
    },
    # ---------------------------------------------------------------- steady: transport
    {
        "code": "bus-routes",
        "category": "public-services.transit.bus",
        "appeal_types": {"suggestion": 50, "complaint": 30, "consultation": 20},
        "units": ["transport"],
        "months": None,
        "weight": 2.5,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电建议：{community}入住的人越来越多，附近却没有一条公交线路，
            到{landmark}要走二十多分钟，希望能增开或调整线路。

            来电人称在{road}站等公交等了四十多分钟，车一直不来，下班高峰车少人多根本挤不上去，
            要求增加班次。

            来电人反映某路公交车司机开车太猛，急刹急拐，车上老人差点摔倒，且到站不停车，请求管理。

            诉求人咨询：从{county}汽车站到{landmark}坐几路公交，首末班车是几点，
            老年人乘车有没有优惠。
        """),
        "reply_templates": _texts("""
            交通运输部门已将来电人的建议转公交公司研究，公交公司将结合客流调查，
            在线网优化时予以考虑。已电话告知来电人。

            经核实，公交公司已对涉事驾驶员进行批评教育并扣罚当月绩效，
            同时加强了驾驶员安全文明驾驶培训。
        """),
    },
    {
        "code": "taxi",
        "category": "public-services.transit.taxi",
        "appeal_types": {"complaint": 90, "help": 10},
        "units": ["transport"],
        "months": None,
        "weight": 1.5,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：在火车站打出租车，司机不打表，张口就要五十块，嫌路近还拒载，要求查处。

            来电人称昨天{hour}点左右在{road}坐出租车，司机故意绕路，
            平常十几块的路程收了三十多块，车牌号记下了。

            来电人反映出租车司机在车上抽烟，还一路打电话，乘客提醒了也不听。

            诉求人称把手机落在出租车上了，记得是在{landmark}下的车，请求帮忙联系司机找回。
        """),
        "reply_templates": _texts("""
            经查，该出租车驾驶员存在不按规定使用计价器的行为，交通运输执法部门已依法对其处罚，
            并责令退还来电人多收的车费。

            经调取车辆定位记录，已找到该出租车驾驶员，来电人遗失的手机已归还本人。
        """),
    },
    # ---------------------------------------------------------------- steady: environment
    {
        "code": "sewage",
        "category": "environment.water.sewage",
        "appeal_types": {"complaint": 65, "report": 20, "help": 15},
        "units": ["ecology", "urban", "county"],
        "months": None,
        "weight": 2,
        "answerable": False,
        "major_incident_possible": True,
        "templates": _texts("""
            市民来电反映：{community}的下水道堵了{days}天，污水从井盖里冒出来流得满路都是，
            臭气熏天，请求尽快疏通。

            来电人举报{township}有一家养殖场把猪粪污水直接排到旁边的沟里，沟里的水都发黑了，
            下游村民的庄稼都受了影响。

            来电人反映{road}边的雨水管道里常年流出带泡沫的污水，怀疑有企业偷排，
            请求环保部门查一查。

            诉求人称{landmark}附近的化粪池满了很久没人抽，污水渗到了路面上，路过的人都捂着鼻子。
        """),
        "reply_templates": _texts("""
            经核实，该小区污水外溢系管道被油污堵塞所致，市政维修人员已对管道进行疏通，
            并对周边路面进行了清洗消杀。已电话告知来电人。

            生态环境执法人员已到现场检查，该养殖场确存在粪污直排问题，
            已责令立即停止排放并立案查处，同时对受污染沟渠进行清理。
        """),
    },
    {
        "code": "dust",
        "category": "environment.air.dust",
        "appeal_types": {"complaint": 80, "report": 20},
        "units": ["ecology", "housing", "county"],
        "months": None,
        "weight": 1.5,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{road}旁边的工地土方没有覆盖，一刮风漫天都是灰，
            {community}居民家的窗台上每天都落一层土。

            来电人称渣土车从{landmark}门口经过时撒了一路的泥土，车辆开过去尘土飞扬，要求查处。

            来电人反映{township}的石料厂天天粉碎石头，周边几个村子灰尘很大，农作物叶子上都是白的。

            诉求人称{company}的工地门口没有洗车设施，车辆直接带泥上路，路面被弄得脏乱不堪。
        """),
        "reply_templates": _texts("""
            经核实，该工地扬尘防治措施落实不到位，已责令其立即对裸露土方进行覆盖，
            并增设喷淋设施和车辆冲洗设备。已电话告知来电人。

            执法人员已对该渣土运输车辆依法处罚，并督促运输企业落实密闭运输要求。
        """),
    },
    {
        "code": "industrial-emissions",
        "category": "environment.air.emissions",
        "appeal_types": {"report": 40, "complaint": 60},
        "units": ["ecology", "county"],
        "months": None,
        "weight": 1.5,
        "answerable": False,
        "major_incident_possible": True,
        "templates": _texts("""
            市民来电举报：{township}工业园里有家厂子每天{hour}点以后就偷偷排放刺鼻气体，
            周边村民头晕恶心，门窗都不敢开。

            来电人称{company}的烟囱经常冒黑烟，附近居民晾的衣服都被熏黑了，已经反映{times}次，
            请求环保部门调查。

            来电人反映{community}附近的化工厂飘出一股臭鸡蛋味，持续了{days}天，
            家里孩子老人都出现咳嗽，担心有毒。

            诉求人举报{road}边上有个小作坊露天喷漆，没有任何防护设施，油漆味很大。
        """),
        "reply_templates": _texts("""
            接单后生态环境执法人员于当晚到现场检查，该企业废气处理设施未正常运行，
            已责令立即停产整改并依法立案处罚。已电话告知来电人。

            经现场监测，该企业废气排放浓度符合标准，异味系生产车间密闭不严所致，
            已要求企业完善收集处理设施，后续将加强监测。
        """),
    },
    # ---------------------------------------------------------------- steady: business (专席)
    {
        "code": "business-environment",
        "category": "economic.business-env.enterprise-service",
        "appeal_types": {"help": 45, "complaint": 30, "suggestion": 15, "consultation": 10},
        "units": ["devreform", "commerce", "county"],
        "months": None,
        "weight": 2,
        "answerable": False,
        "major_incident_possible": False,
        "special_seat": "business",
        "templates": _texts("""
            来电人系{company}负责人，称企业在{county}投资建厂，
            项目手续在几个部门之间来回跑了{months}个月还没办下来，每个窗口都说要先去别的部门盖章，
            希望能有专人协调。

            来电人称其企业承接了{township}的一个政府项目，工程已经验收合格两年了，
            还有{amount}元工程款没付，企业资金周转困难，请求督促支付。

            来电人系个体工商户老板，反映{road}一带的检查太多，一个月来了{times}拨人，
            每次都要停业配合，希望减少重复检查。

            来电人系{company}法人，称企业用电报装申请提交了{days}天还没通电，生产线已经安装好了，
            工人都在等着，请求加快办理。

            诉求人系小微企业主，咨询今年有哪些稳企纾困政策，企业贷款贴息和社保补贴在哪里申请。
        """),
        "reply_templates": _texts("""
            接单后，营商环境专席已协调相关部门召开专题会议，明确由一个窗口牵头办理，
            目前项目规划许可已办结，其余手续正在并联审批。已电话告知企业负责人。

            经核实，该项目工程款拖欠问题属实，属地政府已制定支付计划，首期款项已支付到位，
            剩余款项将按计划分期结清。企业表示认可。

            发改部门已电话联系企业负责人，详细讲解了各项惠企政策及申报渠道，
            并安排专人对接后续申报工作。
        """),
    },
    {
        "code": "tax",
        "category": "economic.tax",
        "appeal_types": {"consultation": 90, "complaint": 10},
        "units": ["sub-12366"],
        "months": None,
        "weight": 3,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：个人所得税年度汇算怎么办，在手机上填报时专项附加扣除里的子女教育和赡养老人
            怎么填。

            来电人称其开了一家小超市，想问小规模纳税人现在的增值税起征点是多少，
            每个月卖{amount}元需不需要交税。

            来电人反映在电子税务局开发票时系统一直报错，已经试了{times}次，客户等着要发票，
            请求帮助。

            市民来电咨询：灵活就业人员的养老保险费在哪里交，能不能在手机上交，每年交多少。
        """),
        "reply_templates": _texts("""
            12366已电话解答了来电人关于个人所得税汇算清缴及专项附加扣除填报的问题，
            来电人表示清楚。

            经核实，来电人开票失败系税控设备证书过期所致，已指导其更新证书，现已正常开票。
        """),
    },
    {
        "code": "farm-subsidy",
        "category": "economic.agriculture.subsidy",
        "appeal_types": {"consultation": 70, "complaint": 30},
        "units": ["county", "township"],
        "months": None,
        "weight": 2.5,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：今年的耕地地力保护补贴每亩多少钱，什么时候发，发到哪张卡上。

            来电人称其家在{township}有八亩地，今年的种粮补贴别人家都到账了，自己家一直没有，
            去村里问也说不清楚，请求核实。

            来电人反映{township}某村的土地已经流转给合作社了，补贴却还是打到原承包户卡上，
            合作社和农户为此闹矛盾。

            来电人（老年人）称买农机的时候说有补贴，买了{months}个月了补贴还没下来，
            想问是什么原因。
        """),
        "reply_templates": _texts("""
            经核实，来电人补贴未到账系一卡通账户信息有误，乡镇财政所已为其更正信息，
            补贴将于下一批次发放。已电话告知来电人。

            已电话告知来电人今年耕地地力保护补贴的标准、发放时间及查询方式，来电人表示清楚。
        """),
    },
    # ---------------------------------------------------------------- steady: civil affairs, health
    {
        "code": "assistance",
        "category": "social.civil-affairs.assistance",
        "appeal_types": {"consultation": 50, "help": 30, "complaint": 20},
        "units": ["civil", "township"],
        "months": None,
        "weight": 2.5,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：家里老人瘫痪在床，儿子也没有固定收入，想申请低保，需要什么条件，
            到哪里申请。

            来电人称其家住{township}，丈夫去年因病去世，自己带着两个孩子，生活困难，
            去村里申请低保村里说名额满了，请求帮助。

            来电人举报{township}某村有人家里有车有楼房还在吃低保，真正困难的人却评不上，要求调查。

            来电人反映其残疾人两项补贴已经{months}个月没有到账，请求核实。
        """),
        "reply_templates": _texts("""
            经核实，属地乡镇民政所已上门了解来电人家庭情况，指导其提交低保申请材料，
            将按程序入户调查、民主评议并公示。已电话告知来电人。

            经调查，被举报人家庭收入及财产情况不符合低保条件，已取消其低保待遇并追回违规领取的资金
            。
        """),
    },
    {
        "code": "elderly-care",
        "category": "social.civil-affairs.elderly",
        "appeal_types": {"consultation": 70, "help": 20, "suggestion": 10},
        "units": ["civil", "county"],
        "months": None,
        "weight": 2.5,
        "answerable": True,
        "major_incident_possible": False,
        "templates": _texts("""
            诉求人咨询：八十岁以上老人的高龄津贴怎么申请，每月多少钱，需要带哪些材料。

            来电人称其母亲今年九十岁，高龄津贴已经{months}个月没发了，去社区问也说不清楚。

            来电人反映{township}的养老院伙食很差，护工对老人态度不好，老人身上有褥疮也没人管，
            要求相关部门检查。

            诉求人建议在{community}附近设一个社区老年食堂，现在很多老人独居做饭不方便。
        """),
        "reply_templates": _texts("""
            已电话告知来电人高龄津贴的申请条件、发放标准及所需材料，来电人表示清楚。

            经民政部门到该养老院检查，发现其护理服务存在不到位问题，已责令限期整改，并将进行复查。
        """),
    },
    {
        "code": "medical-service",
        "category": "public-services.health",
        "appeal_types": {"complaint": 70, "consultation": 20, "suggestion": 10},
        "units": ["health"],
        "months": None,
        "weight": 2,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：带孩子去{landmark}看急诊，等了两个多小时都没有医生来看，
            孩子一直发烧到39度，护士态度还很差。

            来电人称其父亲在医院做了个小手术，花了{amount}元，费用清单里有好多项目根本没用过，
            怀疑过度收费。

            来电人反映{township}卫生院的医生经常不在岗，村民看个小病都得跑到县城。

            诉求人咨询：在{county}哪家医院能做HPV疫苗预约，怎么预约，要不要排队。
        """),
        "reply_templates": _texts("""
            经核实，当日急诊接诊量较大导致候诊时间较长，医院已对相关护士进行批评教育，
            并增加了急诊高峰时段的值班医生。已电话向来电人致歉。

            卫健部门已组织对该病人的费用清单进行核查，发现存在重复收费项目，
            医院已将多收费用退还来电人。
        """),
    },
    {
        "code": "rural-affairs",
        "category": "social.rural-affairs",
        "appeal_types": {"complaint": 60, "report": 20, "consultation": 20},
        "units": ["township", "county"],
        "months": None,
        "weight": 1.5,
        "answerable": False,
        "major_incident_possible": False,
        "templates": _texts("""
            市民来电反映：{township}某村的村务公开栏好几年没更新过，村里的集体土地租出去了，
            钱到哪去了村民都不知道，要求公开账目。

            来电人称村里修路占了自家的地，说好的补偿款{amount}元到现在{months}个月了还没给，
            找村干部一直推。

            来电人举报{township}有村干部优亲厚友，危房改造名额都给了自家亲戚。

            诉求人反映{township}有个村里的健身器材坏了好久没人修，小孩玩的时候差点受伤。
        """),
        "reply_templates": _texts("""
            属地乡镇已督促该村对村务、财务情况进行全面公开，并组织村民代表对集体土地租赁收入进行核
            对。已电话告知来电人。

            经核实，该补偿款已列入本月支付计划，乡镇已督促村委会按期支付，来电人表示认可。
        """),
    },
]

TOPIC_BY_CODE: dict[str, dict] = {t["code"]: t for t in TOPICS}

# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------

_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
_BODY_SUFFIXES = ("办事处", "人民政府")

_FALLBACK_PLACES: dict[str, list[str]] = {
    "roads": ["人民路", "建设路", "解放路", "文化路"],
    "communities": ["幸福小区", "阳光花园", "建设路家属院", "东关社区"],
    "landmarks": ["农贸市场", "县人民医院", "中心小学", "人民公园"],
}


def _company_kind(template: str) -> str | None:
    for kind, pattern in _COMPANY_HINTS:
        if pattern.search(template):
            return kind
    return None


def _short_township(name: str) -> str:
    for suffix in _BODY_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def render(
    template: str,
    rng: random.Random,
    county_code: str,
    places: dict,
    townships: list[str],
) -> str:
    """Fill a template's placeholders deterministically from ``rng``.

    ``places`` is the county's entry of ``hotline.demo.org_data.PLACES`` (``roads``,
    ``communities``, ``landmarks``) — the whole ``PLACES`` mapping is accepted too.
    ``townships`` are the county's township names or body names (suffixes like 办事处 are
    dropped). Every value is drawn in a fixed order whatever the template, so the same seed
    gives the same text.
    """
    if county_code in places and isinstance(places[county_code], dict):
        places = places[county_code]

    def pick(key: str) -> str:
        options = places.get(key) or _FALLBACK_PLACES[key]
        return rng.choice(list(options))

    county = places.get("county_name") or COUNTY_NAMES.get(county_code, "")
    kind = _company_kind(template)
    companies = COMPANY_KINDS.get(kind, COMPANIES) if kind else COMPANIES
    values = {
        "county": county,
        "township": _short_township(rng.choice(townships)) if townships else county,
        "road": pick("roads"),
        "community": pick("communities"),
        "landmark": pick("landmarks"),
        "days": str(rng.randint(1, 60)),
        "times": str(rng.randint(2, 10)),
        "months": str(rng.randint(1, 12)),
        "amount": str(rng.randrange(500, 60_001, 100)),
        "company": rng.choice(companies),
        "floor": str(rng.randint(1, 33)),
        "hour": str(rng.randint(6, 23)),
    }
    return _PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def placeholders_in(template: str) -> set[str]:
    """The placeholder names a template uses (for checks)."""
    return set(_PLACEHOLDER_RE.findall(template))
