"""Document frequencies of the characters and character pairs of every entry (search.py,
``GRAM_PREFIX``), which weight the re-ranking stage. New and changed entries keep them up to
date through the indexing code; this fills them in for the entries that already exist."""

from django.db import migrations


def forward(apps, schema_editor):
    from hotline.knowledge import search

    Entry = apps.get_model("knowledge", "Entry")
    counts: dict[str, int] = {}
    fields = ("title", "body", "keywords", "synonyms", "category_name")
    for entry in Entry.objects.only(*fields).iterator(chunk_size=500):
        for term in search.gram_terms(search.rerank_text(entry)):
            counts[term] = counts.get(term, 0) + 1
    search.apply_term_deltas(counts)


def backward(apps, schema_editor):
    SearchTerm = apps.get_model("knowledge", "SearchTerm")
    SearchTerm.objects.filter(term__startswith="#").delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_index")]

    operations = [migrations.RunPython(forward, backward)]
