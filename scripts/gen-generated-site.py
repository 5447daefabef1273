#!/usr/bin/env python3
"""Writes a synthetic site for timing pages generated from data (docs/performance.md):
one section with `[generate]` making one page per row of a 356-row CSV file
(`--kind csv`: a table of the row on each page), or per region of a JSON-stat file
with 356 regions x 2 sexes x 5 age groups (`--kind pyramid`: a population pyramid
and a table on each page). The figures are made up.

    python3 scripts/gen-generated-site.py DIR [--kind csv|pyramid] [--rows 356]
"""
import argparse, json, os

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--kind", choices=["csv", "pyramid"], default="csv")
p.add_argument("--rows", type=int, default=356)
a = p.parse_args()
os.makedirs(os.path.join(a.dir, "content/kommuner"), exist_ok=True)
os.makedirs(os.path.join(a.dir, "data"), exist_ok=True)
open(os.path.join(a.dir, "config.toml"), "w").write(
    'title = "Syntetisk"\nbase_url = "https://innsyn.example.org/"\n[[taxonomies]]\nname = "kommune"\ntitle = "Kommune"\n')
open(os.path.join(a.dir, "content/_index.md"), "w").write('+++\ntitle = "Syntetisk"\n+++\nForside.\n')
codes = [f"{9000 + i:04d}" for i in range(a.rows)]
names = [f"Kommune {i + 1} i Ørnedal" for i in range(a.rows)]
if a.kind == "csv":
    rows = ["kommunenummer;kommune;fylke;folketall;areal"]
    rows += [f"{c};{n};Fylke {i % 15 + 1};{1000 + i * 37 % 90000};{100 + i * 13 % 4000},5" for i, (c, n) in enumerate(zip(codes, names))]
    open(os.path.join(a.dir, "data/kommuner.csv"), "w").write("\n".join(rows) + "\n")
    data, group, label = "kommuner.csv", "kommunenummer", "kommune"
    body = ('{kommune} ligger i {fylke}.\n\n'
            '{{ table(data="kommuner.csv", columns=["kommune", "folketall", "areal"], caption="Nøkkeltall for {kommune}") }}\n')
else:
    ages = ["0-19", "20-39", "40-59", "60-79", "80+"]
    values = [100 + (r * 7 + k * 3 + g * 11) % 900 for r in range(a.rows) for k in range(2) for g in range(5)]
    doc = {"version": "2.0", "class": "dataset", "label": "Befolkning", "source": "Syntetisk",
           "id": ["Region", "Kjonn", "Alder"], "size": [a.rows, 2, 5],
           "dimension": {
               "Region": {"label": "region", "category": {"index": codes, "label": dict(zip(codes, names))}},
               "Kjonn": {"label": "kjønn", "category": {"index": ["1", "2"], "label": {"1": "Menn", "2": "Kvinner"}}},
               "Alder": {"label": "alder", "category": {"index": ages, "label": {x: x + " år" for x in ages}}}},
           "value": values}
    json.dump(doc, open(os.path.join(a.dir, "data/befolkning.json"), "w"), ensure_ascii=False)
    data, group, label = "befolkning.json", "region (kode)", "region"
    body = ('{{ chart(data="befolkning.json", kind="pyramid", x="alder", y="verdi", series="kjønn", title="Befolkningen i {region}") }}\n\n'
            '{{ table(data="befolkning.json", columns=["alder", "kjønn", "verdi"]) }}\n')
open(os.path.join(a.dir, "content/kommuner/_index.md"), "w").write(f'''+++
title = "Kommuner"
sort_by = "title"
paginate_by = 50

[generate]
data = "{data}"
group_by = "{group}"
title = "{{{label}}}"
slug = "{{{group}}}"
date = 2025-01-01
body = """
{body}"""

[generate.taxonomies]
kommune = ["{{{label}}}"]
+++
''')
