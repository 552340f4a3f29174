"""Print a notice line by line with entities marked: ⟦text|LABEL|values⟧, offsets at line start."""
import json
import sys
from pathlib import Path

path = sys.argv[1]
key = sys.argv[2]
what = sys.argv[3] if len(sys.argv) > 3 else "ents"
for raw in open(path, encoding="utf-8"):
    r = json.loads(raw)
    if key not in r["source"]:
        continue
    t = r["text"]
    if what == "ents":
        marks = {}
        for e in r["entities"]:
            v = {k: e[k] for k in e if k not in ("start", "end", "label", "text")}
            vs = ",".join(str(x) for x in v.values())
            marks[e["start"]] = (e["end"], f"⟦{e['text']}|{e['label'][:3]}{'|'+vs if vs else ''}⟧")
        out, i = [], 0
        line_start = True
        while i < len(t):
            if line_start:
                out.append(f"@{i} ")
                line_start = False
            if i in marks:
                end, s = marks[i]
                out.append(s)
                i = end
                continue
            out.append(t[i])
            if t[i] == "\n":
                line_start = True
            i += 1
        print("".join(out))
    elif what == "items":
        for it in r["items"]:
            print(it["number"], it["start"], it["end"], it["status"], repr(t[it["start"]:it["start"]+30]), "...", repr(t[it["end"]-20:it["end"]]))
    elif what == "meas":
        for m in r["measures"]:
            print(m["start"], m["end"], m["labels"], m["text"])
