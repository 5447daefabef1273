#!/usr/bin/env python3
"""Writes a Zola version of a synthetic site made by `examples/gen-site.rs`, to
compare the two generators on the same pages (docs/performance.md).

    scripts/gen-zola-site.py SRC DST

The Markdown is the same, file for file: both read TOML front matter, `@/`
links and `<!-- more -->`. What innsyn has and Zola has not is left out
(`lang` in a page's front matter). The templates are small ones of the same
shape as innsyn's theme: a menu of the top sections, breadcrumbs, the page's
date, terms and text, paginated section lists with summaries, taxonomy pages.
Zola builds its search index (elasticlunr, `build_search_index`), the feeds and
the sitemap, as innsyn does.
"""
import os
import shutil
import sys

CONFIG = '''base_url = "https://innsyn.example.org/"
title = "Innsyn – syntetisk testnettsted"
description = "Et stort, tilfeldig generert nettsted for å måle hvor raskt Zola bygger."
# elasticlunr, Zola's search, knows Norwegian as "no", not "nb".
default_language = "no"
build_search_index = true
generate_feeds = true
generate_sitemap = true
taxonomies = [
  { name = "kommune", feed = true },
  { name = "tema", feed = true },
  { name = "sektor", feed = true },
]

[search]
index_format = "elasticlunr_json"
'''

BASE = '''<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ config.title }}{% endblock %}</title>
<link rel="alternate" type="application/atom+xml" href="{{ get_url(path="atom.xml") }}">
</head>
<body>
<header><a href="{{ config.base_url }}">{{ config.title }}</a>
<nav aria-label="Hovedmeny"><ul>
{% set root = get_section(path="_index.md", metadata_only=true) %}
{% for s in root.subsections %}{% set sub = get_section(path=s, metadata_only=true) %}<li><a href="{{ sub.permalink }}">{{ sub.title }}</a></li>
{% endfor %}</ul></nav>
<form action="{{ config.base_url }}sok/"><input name="q" aria-label="Søk"></form>
</header>
<main>{% block content %}{% endblock %}</main>
<footer>{{ config.description }}</footer>
</body>
</html>
'''

PAGE = '''{% extends "base.html" %}
{% block title %}{{ page.title }} – {{ config.title }}{% endblock %}
{% block content %}
<nav aria-label="Brødsmuler"><ol>{% for a in page.ancestors %}{% set s = get_section(path=a, metadata_only=true) %}<li><a href="{{ s.permalink }}">{{ s.title }}</a></li>{% endfor %}</ol></nav>
<article>
<h1>{{ page.title }}</h1>
<p>{{ page.description }}</p>
{% if page.date %}<p><time datetime="{{ page.date }}">{{ page.date | date(format="%-d. %m %Y") }}</time>{% if page.updated %}, oppdatert <time datetime="{{ page.updated }}">{{ page.updated }}</time>{% endif %}</p>{% endif %}
<p>{{ page.word_count }} ord, {{ page.reading_time }} min</p>
{% if page.taxonomies %}<dl>{% for name, terms in page.taxonomies %}<dt>{{ name }}</dt>{% for t in terms %}<dd><a href="{{ get_taxonomy_url(kind=name, name=t) }}">{{ t }}</a></dd>{% endfor %}{% endfor %}</dl>{% endif %}
{% if page.toc %}<nav aria-label="Innhold"><ul>{% for h in page.toc %}<li><a href="#{{ h.id }}">{{ h.title }}</a></li>{% endfor %}</ul></nav>{% endif %}
{{ page.content | safe }}
{% if page.extra.prosjektnummer %}<p>Prosjektnummer {{ page.extra.prosjektnummer }}</p>{% endif %}
</article>
{% if page.lower %}<a href="{{ page.lower.permalink }}">{{ page.lower.title }}</a>{% endif %}
{% if page.higher %}<a href="{{ page.higher.permalink }}">{{ page.higher.title }}</a>{% endif %}
{% endblock %}
'''

SECTION = '''{% extends "base.html" %}
{% block title %}{{ section.title }} – {{ config.title }}{% endblock %}
{% block content %}
<h1>{{ section.title }}</h1>
{{ section.content | safe }}
{% if section.subsections %}<ul>{% for s in section.subsections %}{% set sub = get_section(path=s, metadata_only=true) %}<li><a href="{{ sub.permalink }}">{{ sub.title }}</a> ({{ sub.pages | length }})</li>{% endfor %}</ul>{% endif %}
{% if paginator %}{% set pages = paginator.pages %}{% else %}{% set pages = section.pages %}{% endif %}
<ol>{% for p in pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a> {% if p.date %}<time>{{ p.date }}</time>{% endif %}<p>{{ p.description }}</p></li>{% endfor %}</ol>
{% if paginator %}<nav aria-label="Sider">{% if paginator.previous %}<a href="{{ paginator.previous }}">Forrige</a>{% endif %} side {{ paginator.current_index }} av {{ paginator.number_pagers }} {% if paginator.next %}<a href="{{ paginator.next }}">Neste</a>{% endif %}</nav>{% endif %}
{% endblock %}
'''

TAXONOMY_LIST = '''{% extends "base.html" %}
{% block content %}
<h1>{{ taxonomy.name }}</h1>
<ul>{% for t in terms %}<li><a href="{{ t.permalink }}">{{ t.name }}</a> ({{ t.page_count }})</li>{% endfor %}</ul>
{% endblock %}
'''

TAXONOMY_SINGLE = '''{% extends "base.html" %}
{% block content %}
<h1>{{ term.name }}</h1>
<ol>{% for p in term.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a> {% if p.date %}<time>{{ p.date }}</time>{% endif %}</li>{% endfor %}</ol>
{% endblock %}
'''


def convert(text):
    """A page's text with the front matter lines Zola does not know left out."""
    if not text.startswith("+++\n"):
        return text
    end = text.index("\n+++", 4)
    front = [line for line in text[4:end].split("\n") if not line.startswith("lang = ")]
    return "+++\n" + "\n".join(front) + text[end:]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    if os.path.exists(dst):
        shutil.rmtree(dst)
    for folder, _, files in os.walk(os.path.join(src, "content")):
        rel = os.path.relpath(folder, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for name in files:
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                text = f.read()
            with open(os.path.join(dst, rel, name), "w", encoding="utf-8") as f:
                f.write(convert(text) if name.endswith(".md") else text)
    os.makedirs(os.path.join(dst, "templates"), exist_ok=True)
    files = {
        "config.toml": CONFIG,
        "templates/base.html": BASE,
        "templates/page.html": PAGE,
        "templates/section.html": SECTION,
        "templates/index.html": SECTION,
        "templates/taxonomy_list.html": TAXONOMY_LIST,
        "templates/taxonomy_single.html": TAXONOMY_SINGLE,
    }
    for rel, text in files.items():
        with open(os.path.join(dst, rel), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
