"""Chinese search on whichever database the suite runs on (CI runs it on SQLite and on
PostgreSQL): segmentation, synonyms, ranking, highlighting, filters, scoping, paging and the
query budget of the endpoint."""

import io
from datetime import date, timedelta

import pytest
from django.db import connection

from hotline.knowledge import search, services
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.error_codes import KnowledgeErrorCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(make_entry):
    """A small base with look-alike entries from several units."""
    return {
        "inpatient": make_entry(
            org="medins",
            title="职工医保住院费用怎么报销",
            body="参加职工医疗保险的人员在定点医院住院，出院时直接结算，不用再跑窗口。",
            keywords=["医保报销", "住院"],
        ),
        "remote": make_entry(
            org="medins",
            title="异地就医备案怎么办理",
            body="长期在外地居住的参保人，先在国家医保服务平台APP办理备案。",
            keywords=["异地就医"],
        ),
        "sscard": make_entry(
            org="hrss",
            title="社保卡丢了怎么挂失和补办",
            body="先拨打12333临时挂失，再带身份证到合作银行网点补卡。",
            category_code="public-services.social-insurance.card",
            category_name="社保卡",
            keywords=["社保卡", "补办"],
        ),
        "residence": make_entry(
            org="police",
            title="外地户口在驻马店怎么办理居住证",
            body="在本市居住满半年，有稳定就业、住所或就读之一的，可以到派出所申领居住证。",
            category_code="social.household.residence-permit",
            category_name="居住证",
            keywords=["居住证"],
            public=False,
        ),
        "draft": make_entry(
            org="medins",
            title="医保报销新政策草稿",
            body="医疗保险报销比例调整的草稿。",
            status=EntryStatus.DRAFT,
        ),
    }


def _search(api, as_user="agent", **params):
    response = api.get("/search", as_user=as_user, **params)
    assert response.status_code == 200, response.content
    return response.json()


def test_chinese_query_finds_and_ranks_the_right_entry(api, corpus, business_now):
    body = _search(api, q="社保卡丢了怎么补办")
    assert body["items"][0]["id"] == corpus["sscard"].pk
    item = body["items"][0]
    assert set(item) >= {"id", "title", "snippet", "org", "category", "public", "score"}
    assert item["org"] == "hrss" and item["category"] == "public-services.social-insurance.card"
    assert item["score"] > 0
    body = _search(api, q="住院报销")
    assert body["items"][0]["id"] == corpus["inpatient"].pk


def test_title_weighs_more_than_body(api, make_entry, business_now):
    in_title = make_entry(title="公积金贷款条件", body="连续缴存满6个月。")
    in_body = make_entry(
        title="购房提取", body="购房后可以提取住房余额，也可以申请公积金贷款条件评估。"
    )
    ids = [i["id"] for i in _search(api, q="公积金贷款")["items"]]
    assert ids.index(in_title.pk) < ids.index(in_body.pk)


def test_synonyms_expand_the_query(api, corpus, make_entry, users, now, business_now):
    chronic = make_entry(
        title="门诊慢特病认定",
        body="参加医疗保障的慢性病患者可以申请认定。",
        category_name="门诊慢特病",
    )
    before = {i["id"] for i in _search(api, q="医保")["items"]}
    assert corpus["inpatient"].pk in before and chronic.pk not in before
    services.synonym_upsert(
        term="医保", equivalents=["医疗保险", "医疗保障"], actor=users["admin"], now=now
    )
    after = {i["id"] for i in _search(api, q="医保")["items"]}
    assert {corpus["inpatient"].pk, corpus["remote"].pk, chronic.pk} <= after
    assert corpus["draft"].pk not in after
    # groups are symmetric: any member finds the others
    assert corpus["inpatient"].pk in {i["id"] for i in _search(api, q="医疗保障")["items"]}


def test_entry_synonyms_are_searchable(api, make_entry, business_now):
    entry = make_entry(title="集中供暖时间", body="每年11月15日开始。", synonyms=["暖气"])
    assert _search(api, q="暖气什么时候来")["items"][0]["id"] == entry.pk


def test_snippet_highlights_terms_and_escapes_html(api, make_entry, business_now):
    make_entry(
        title="停水通知",
        body="**计划停水**：<script>alert(1)</script>水压 < 0.1MPa & 雪松路沿线今日停水八小时。",
    )
    snippet = _search(api, q="停水")["items"][0]["snippet"]
    assert "<mark>停水</mark>" in snippet
    assert "<script>" not in snippet and "&lt; 0.1MPa &amp;" in snippet
    assert "**" not in snippet


def test_staff_see_published_in_effect_entries_only(api, make_entry, corpus, now, business_now):
    expired = make_entry(
        title="医保报销旧规定", expires_on=date(2026, 1, 1), at=now - timedelta(days=90)
    )
    future = make_entry(title="医保报销新规定", effective_from=date(2026, 6, 1))
    ids = {i["id"] for i in _search(api, q="医保报销")["items"]}
    assert corpus["inpatient"].pk in ids
    assert not ids & {corpus["draft"].pk, expired.pk, future.pk}
    # non-public entries are open to staff
    assert _search(api, q="居住证")["items"][0]["id"] == corpus["residence"].pk


def test_filters_by_category_unit_and_public(api, corpus, business_now):
    by_cat = _search(api, q="", category="public-services.social-insurance")
    assert [i["id"] for i in by_cat["items"]] == [corpus["sscard"].pk]
    by_org = _search(api, q="怎么办理", org="police")
    assert {i["org"] for i in by_org["items"]} == {"police"}
    public_only = _search(api, q="", public="true")
    assert corpus["residence"].pk not in {i["id"] for i in public_only["items"]}
    assert {i["public"] for i in public_only["items"]} == {True}
    response = api.get("/search", q="医保", org="nowhere")
    assert (
        response.status_code == 422
        and response.json()["error"]["code"] == KnowledgeErrorCode.UNKNOWN_ORG
    )


def test_status_listing_is_scoped_to_owner_and_center(api, corpus, business_now):
    draft_id = corpus["draft"].pk
    owner = _search(api, as_user="org.medins", q="医保报销", status="draft")
    assert [i["id"] for i in owner["items"]] == [draft_id]
    assert owner["items"][0]["status"] == "draft"
    assert _search(api, as_user="org.hrss", q="医保报销", status="draft")["count"] == 0
    assert _search(api, as_user="agent", q="", status="draft")["count"] == 0
    assert _search(api, as_user="supervisor", q="", status="draft")["count"] == 1
    everything = _search(api, as_user="org.medins", q="", status="all")
    assert draft_id in {i["id"] for i in everything["items"]}
    assert api.get("/search", q="x", status="bogus").status_code == 422


def test_empty_query_lists_recent_published_and_pages(api, make_entry, now, business_now):
    for day in range(12):
        make_entry(title=f"条目{day}", at=now - timedelta(days=day))
    first = _search(api, q="", page_size=5)
    assert first["count"] == 12 and len(first["items"]) == 5
    assert first["items"][0]["title"] == "条目0"
    last = _search(api, q="", page=3, page_size=5)
    assert [i["title"] for i in last["items"]] == ["条目10", "条目11"]
    beyond = _search(api, q="", page=9, page_size=5)
    assert beyond == {"items": [], "count": 12}
    words = _search(api, q="条目", page=9, page_size=5)
    assert words["items"] == [] and words["count"] == 12


def test_query_validation(api, corpus, business_now):
    too_long = api.get("/search", q="医" * 201)
    assert too_long.status_code == 422
    assert too_long.json()["error"]["code"] == KnowledgeErrorCode.INVALID_INPUT
    assert api.get("/search", q="医" * 200).status_code == 200
    assert api.get("/search", page=0).status_code == 422
    assert api.get("/search", page_size=500).status_code == 422
    # punctuation and stop-words only: nothing to look for, not an error
    assert _search(api, q="！？的了") == {"items": [], "count": 0}
    # FTS syntax typed by a user is text, not an operator
    _search(api, q='医保 OR "报销" NEAR(住院) * -')


def test_search_endpoint_query_budget(api, corpus, django_assert_max_num_queries, business_now):
    api.token("agent")
    _search(api, q="医保报销")  # warm caches: jieba dictionary, synonyms
    # token + roles, term statistics, the all-words query and the any-word fallback, hydration
    with django_assert_max_num_queries(6):
        body = _search(api, q="医保住院报销", page_size=20)
    assert body["count"] >= 1
    with django_assert_max_num_queries(4):
        _search(api, q="", page_size=20)


def test_index_follows_every_write(make_entry, users, now):
    entry = make_entry(title="燃气开户", body="新房通气前需要办理手续。")
    backend = search.get_backend()
    assert connection.vendor == backend.vendor
    filters = search.SearchFilters(
        statuses=(EntryStatus.DRAFT, EntryStatus.PUBLISHED), unpublished_org_ids=None
    )

    def found(text):
        hits, total = backend.search(search.parse_query(text), filters, limit=10, offset=0)
        assert total == len(hits)
        return [pk for pk, _score in hits]

    assert found("燃气开户") == [entry.pk]
    services.entry_update(
        entry=entry, actor=users["supervisor"], changes={"title": "供暖报停"}, now=now
    )
    assert found("燃气开户") == []
    assert found("供暖报停") == [entry.pk]


def test_segmentation_knows_local_names(db):
    tokens = search.index_tokens("驿城区雪松路社保卡补办")
    assert "驿城区" in tokens and "社保卡" in tokens
    parsed = search.parse_query("我想问一下社保卡怎么补办", {"社保卡": ("社会保障卡",)})
    assert ("社保卡", "社会保障卡") in parsed.groups
    assert all(t not in search.STOPWORDS for g in parsed.groups for t in g)


def test_highlight_and_snippet_helpers():
    assert search.highlight("a<b>医保</b>", ["医保"]) == "a&lt;b&gt;<mark>医保</mark>&lt;/b&gt;"
    text = "开头无关内容。" * 20 + "这里说社保卡补办需要身份证。" + "结尾。" * 20
    snippet = search.make_snippet(text, ["社保卡", "补办"], width=40)
    assert snippet.startswith("…") and "<mark>社保卡</mark><mark>补办</mark>" in snippet


def test_all_words_first_then_any_word(api, make_entry, business_now):
    both = [make_entry(title=f"社保卡补办网点{n}", body="带身份证补办社保卡。") for n in range(5)]
    only_one = [make_entry(title=f"补办户口本{n}", body="到派出所补办。") for n in range(3)]
    body = _search(api, q="社保卡 补办", page_size=20)
    assert body["count"] == 5
    assert {i["id"] for i in body["items"]} == {e.pk for e in both}
    # fewer than five entries hold every word: entries holding any of them
    make_entry(title="户口本挂失", body="户口本不能挂失，只能补办。")
    body = _search(api, q="户口本 挂失", page_size=20)
    assert body["count"] == 4
    assert body["items"][0]["title"] == "户口本挂失"
    assert {i["id"] for i in body["items"][1:]} == {e.pk for e in only_one}


def test_term_statistics_follow_writes_and_reindex(make_entry, users, now):
    from django.core.management import call_command

    from hotline.knowledge.models import Entry, SearchTerm

    first = make_entry(title="燃气开户", body="新房通气前办理开户。")
    make_entry(title="燃气缴费", body="IC卡表充值。")
    services.entry_update(
        entry=first, actor=users["supervisor"], changes={"title": "供暖报停"}, now=now
    )

    def stored():
        return {t.term: t.df for t in SearchTerm.objects.exclude(df=0)}

    def recomputed():
        counts = {search.DOC_COUNT_KEY: Entry.objects.count()}
        for entry in Entry.objects.all():
            for term in search.doc_terms(entry):
                counts[term] = counts.get(term, 0) + 1
        return counts

    assert stored() == recomputed()
    assert stored()["燃气"] == 1 and stored()["供暖"] == 1 and stored()[""] == 2
    call_command("knowledge", "reindex", stdout=io.StringIO())
    assert stored() == recomputed()


def _df(term):
    from hotline.knowledge.models import SearchTerm

    row = SearchTerm.objects.filter(term=term).first()
    return row.df if row else 0


def test_character_statistics_follow_every_write(make_entry, users, now):
    """The re-ranking stage weighs characters and character pairs by their document frequency,
    kept by the same indexing code as the words, in the same transaction."""
    entry = make_entry(title="燃气开户", body="新房通气前需要办理手续。", keywords=["燃气"])
    assert search.GRAM_PREFIX + "燃气" in search.doc_terms(entry)
    assert _df("#燃气") == 1 and _df("#通气") == 1 and _df("#燃") == 1
    owner = users["org.medins"]
    services.entry_update(entry=entry, actor=owner, changes={"body": "换表流程。"}, now=now)
    assert _df("#燃气") == 1 and _df("#通气") == 0 and _df("#换表") == 1
    services.entries_reindex()
    assert _df("#燃气") == 1 and _df("#通气") == 0 and _df("#换表") == 1
    # run-separated: no pair spans punctuation or a space
    assert search.grams("医保，报销") == ["医", "保", "医保", "报", "销", "报销"]


def test_rerank_prefers_entries_sharing_more_of_the_query_wording(make_entry):
    """The database's order is re-ranked by the query's characters and character pairs: an
    entry that shares more of the wording (外地, 本地, 上牌, 登记 — not the word 购车) moves
    above one the word index preferred; the scores handed back still fall."""
    for n in range(4):  # background, so that the pairs below are rare
        make_entry(title=f"社保卡补办{n}", body=f"社保卡第{n}种补办方式。")
    plain = make_entry(title="上牌预约", body="上牌需要预约。")
    close = make_entry(
        title="外地车辆在本地上牌",
        body="外地购买的车辆在本地办理上牌登记，可以凭居住证和身份证办理。",
    )
    query = search.parse_query("外地人在本地购车怎么上牌登记")
    grams = search.query_grams(query)
    assert "上牌" in grams and "地购" in grams  # the query as typed, pairs across words too
    stats = search.term_stats([search.GRAM_PREFIX + g for g in grams])
    reranked = search.rerank([(plain.pk, 5.0), (close.pk, 1.0)], grams, stats)
    assert reranked == [(close.pk, 5.0), (plain.pk, 1.0)]
    # through the whole search: the first page and the following pages agree
    filters = search.SearchFilters()
    hits, total = search.find(query, filters, limit=10, offset=0)
    assert hits[0][0] == close.pk and total == len(hits)
    assert [s for _pk, s in hits] == sorted((s for _pk, s in hits), reverse=True)
    first, _ = search.find(query, filters, limit=1, offset=0)
    second, _ = search.find(query, filters, limit=1, offset=1)
    assert [first[0][0], second[0][0]] == [pk for pk, _s in hits[:2]]


def test_migration_fills_character_statistics_of_existing_entries(make_entry):
    import importlib

    from django.apps import apps

    from hotline.knowledge.models import SearchTerm

    make_entry(title="燃气开户", body="新房通气前需要办理手续。", keywords=["燃气"])
    make_entry(title="燃气报警器", body="燃气报警器自愿安装。")
    expected = dict(SearchTerm.objects.filter(term__startswith="#").values_list("term", "df"))
    assert expected["#燃气"] == 2
    migration = importlib.import_module("hotline.knowledge.migrations.0003_gram_statistics")
    migration.backward(apps, None)
    assert not SearchTerm.objects.filter(term__startswith="#").exists()
    migration.forward(apps, None)
    assert dict(SearchTerm.objects.filter(term__startswith="#").values_list("term", "df")) == (
        expected
    )
