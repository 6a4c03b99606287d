"""A small synthetic labelled set (generated here, typed-style Chinese, four categories) and a
classifier trained on it once per session, so the routing tests stay fast."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

PLACES = ["驿城区", "西平县", "上蔡县", "平舆县", "正阳县", "确山县", "泌阳县", "汝南县", "遂平县"]
SPOTS = ["雪松路", "解放大道", "开源路", "中华路", "文化路", "练江大道", "置地大道", "乐山路"]
OPENERS = ["市民来电反映，", "来电人称", "", "诉求人咨询：", "市民反映"]
CLOSERS = ["，请相关部门尽快处理。", "，希望尽快解决。", "。", "，请给予答复。"]

TOPICS: dict[str, list[str]] = {
    "traffic": [
        "公交车经常不按站点停靠",
        "十字路口红绿灯坏了没人修",
        "上下班高峰道路拥堵严重",
        "出租车拒载还乱收费",
        "路边违章停车占用车道",
        "公交线路调整后出行不便",
    ],
    "education": [
        "孩子上小学报名划片不合理",
        "幼儿园收费太高还乱收费",
        "学校老师课后有偿补课",
        "初中招生政策不清楚",
        "学校食堂饭菜质量差",
        "高中学费收取标准咨询",
    ],
    "environment": [
        "工厂夜间偷排污水河水发黑",
        "工地扬尘严重空气很差",
        "饭店油烟直排影响居民",
        "垃圾焚烧有刺鼻气味",
        "化工厂废气排放污染严重",
        "养殖场粪污直排污染水塘",
    ],
    "health": [
        "医院挂号难排队时间太长",
        "医保报销比例咨询",
        "乡镇卫生院医生态度差",
        "药店药品价格过高",
        "新农合住院报销手续繁琐",
        "社区医院疫苗接种时间咨询",
    ],
}


def make_text(rng: random.Random, label: str) -> str:
    first, second = rng.sample(TOPICS[label], 2)
    place, spot = rng.choice(PLACES), rng.choice(SPOTS)
    return (
        f"{rng.choice(OPENERS)}{place}{spot}附近{first}，{second}，"
        f"已经{rng.randint(2, 30)}天了{rng.choice(CLOSERS)}"
    )


def make_dataset(n_per_class: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n_per_class):
        for label in TOPICS:
            texts.append(make_text(rng, label))
            labels.append(label)
    return texts, labels


def write_csv(path: Path, rows, *, header=("text", "label"), bom: bool = True) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def train_set():
    return make_dataset(30, seed=1)


@pytest.fixture(scope="session")
def test_set():
    return make_dataset(10, seed=2)


@pytest.fixture(scope="session")
def trained(train_set):
    from hotline.routing.classifier import CategoryClassifier

    texts, labels = train_set
    return CategoryClassifier().fit(texts, labels)


@pytest.fixture(autouse=True)
def _fresh_ticket_index():
    """The warm duplicate index lives in the process; tests roll their tickets back."""
    from hotline.routing.ticket_index import history

    history.reset()
    yield
    history.reset()


@pytest.fixture(autouse=True)
def _fresh_routing_caches():
    """Catalogue, precedents and the count model are cached per process; tests roll back."""
    from hotline.routing import suggestions

    suggestions.clear_caches()
    yield
    suggestions.clear_caches()


LABEL_TO_CATEGORY = {
    "traffic": "public-services.transit.bus",
    "education": "public-services.education.enrollment",
    "environment": "environment.air.emissions",
    "health": "public-services.health",
}


# -- fixtures of the integration tests ---------------------------------------------------


@pytest.fixture
def categories(db):
    from hotline.tickets.categories import category_tree_load, default_tree
    from hotline.tickets.models import Category

    category_tree_load(tree=default_tree(), update_existing=False)
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture(scope="session")
def category_model(train_set):
    from hotline.routing.classifier import CategoryClassifier

    texts, labels = train_set
    return CategoryClassifier().fit(texts, [LABEL_TO_CATEGORY[label] for label in labels])


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def model(data_dir, category_model, settings):
    from hotline.routing.training import models_dir, next_model_path

    directory = models_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    category_model.save(next_model_path(directory), signing_key=settings.SECRET_KEY.encode())
    return category_model


@pytest.fixture
def users(db, demo_orgs):
    from hotline.orgs.models import User

    return lambda name: User.objects.get(username=name)


@pytest.fixture
def orgs(demo_orgs):
    return demo_orgs
