"""The retraining loop against a real Label Studio server started here on loopback.

The server runs from its own venv (label-studio pins pyarrow<25, this project pyarrow>=26):
``make labelstudio`` makes ``.venv-labelstudio/``; ``make test`` does it first and passes its path
in LABEL_STUDIO_BIN. Without it the live tests are skipped locally and fail under CI.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from pipeline.annotation.gold import load_gold
from pipeline.cli import main

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "loop-test-password-12"
# a notice written for this test (three items of our own phrasing)
NOTICE = """中共清河县财政局党组关于县委巡察整改进展情况的通报

根据县委统一部署，2024年1月8日至3月8日，县委第二巡察组对县财政局党组开展了常规巡察。2024年3月29日，县委第二巡察组向县财政局党组反馈了巡察意见。现将整改进展情况予以公布。

一、集中整改期内已完成的整改事项

1.财务管理制度不健全的问题。
整改结果：已完成。
整改情况：一是修订了《清河县财政局财务管理办法》；二是追缴违规发放的津贴补贴12.6万元；三是对3名责任人进行了诫勉谈话；四是将问题线索移交县纪委监委驻县财政局纪检监察组处理。

2.专项资金监管不到位的问题。
整改结果：阶段性完成。
整改情况：一是组织全局干部学习资金管理规定；二是会同县国资中心收回闲置资金85万元；三是建立专项资金季度核查机制。

中共清河县财政局党组
2024年5月20日
"""
AGREED = "建立专项资金季度核查机制"        # the annotator submits the model's labels
RELABELLED = "追缴违规发放的津贴补贴12.6万元"  # the annotator changes them
NEW_LABELS = ["accountability", "fund_recovery"]
FIXED_ORG = "县纪委监委"                    # the annotator cuts the predicted ORG to this span
ORG_AREA = "县纪委监委驻县财政局纪检监察组"


def _label_studio_bin() -> str | None:
    found = os.environ.get("LABEL_STUDIO_BIN") or str(REPO / ".venv-labelstudio" / "bin" / "label-studio")
    return found if Path(found).is_file() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Annotator:
    """A Label Studio user acting through the REST API as the web page would."""

    def __init__(self, url: str, email: str):
        import requests

        self.url, self.http = url, requests.Session()
        self.http.get(f"{url}/user/login/", timeout=30)
        r = self.http.post(f"{url}/user/login/", timeout=30, data={
            "email": email, "password": PASSWORD, "csrfmiddlewaretoken": self.http.cookies.get("csrftoken")})
        assert r.status_code == 200 and "/user/login" not in r.url, r.text[:300]
        r = self.http.post(f"{url}/api/token/", timeout=30, headers={"X-CSRFToken": self.http.cookies.get("csrftoken")})
        assert r.status_code == 201, r.text[:300]
        self.token = r.json()["token"]  # the personal access token, as Account & Settings shows it

    def api(self, method: str, path: str, **kw):
        access = self.http.post(f"{self.url}/api/token/refresh/", json={"refresh": self.token}, timeout=30).json()["access"]
        r = self.http.request(method, self.url + path, headers={"Authorization": f"Bearer {access}"}, timeout=60, **kw)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text[:300]}"
        return r.json() if r.content else None

    def project(self, title: str) -> dict:
        found = [p for p in self.api("GET", "/api/projects/", params={"page_size": 100})["results"] if p["title"] == title]
        assert len(found) == 1, title
        return found[0]

    def tasks(self, title: str) -> list[dict]:
        return self.api("GET", f"/api/projects/{self.project(title)['id']}/export", params={"exportType": "JSON", "download_all_tasks": "true"})

    def prediction(self, task: dict) -> list[dict]:
        found = self.api("GET", "/api/predictions/", params={"task": task["id"]})
        return found[0]["result"]

    def submit(self, task: dict, result: list[dict]) -> None:
        self.api("POST", f"/api/tasks/{task['id']}/annotations/", json={"result": result, "was_cancelled": False})


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory):
    """A fresh Label Studio on a free loopback port, its data in a temporary folder; killed with its
    whole process group at the end, also when a test fails."""
    binary = _label_studio_bin()
    if binary is None:  # a test that cannot run fails: make test installs it
        pytest.fail("Label Studio is not installed: `make labelstudio` (which `make test` runs first) "
                    "installs it in .venv-labelstudio/, or set LABEL_STUDIO_BIN", pytrace=False)
    data = tmp_path_factory.mktemp("label-studio-data")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LABEL_STUDIO_USERNAME": "admin@example.org", "LABEL_STUDIO_PASSWORD": PASSWORD,
           "LABEL_STUDIO_BASE_DATA_DIR": str(data), "DJANGO_DB": "sqlite", "LABEL_STUDIO_HOST": url}
    log = open(data / "server.log", "wb")
    proc = subprocess.Popen([binary, "start", "--data-dir", str(data), "--internal-host", "127.0.0.1",
                             "--port", str(port), "--no-browser"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    started = time.monotonic()
    try:
        import requests
        while True:
            if proc.poll() is not None:
                pytest.fail(f"Label Studio exited ({proc.returncode}): {(data / 'server.log').read_text()[-2000:]}")
            try:
                if requests.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() - started > 600:
                pytest.fail(f"Label Studio did not answer /health in 600 s: {(data / 'server.log').read_text()[-2000:]}")
            time.sleep(2)
        print(f"Label Studio up after {time.monotonic() - started:.0f} s")
        yield {"url": url, "annotator": Annotator(url, "admin@example.org"), "data": data}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A copy of the gold file and a folder with the new notice; nothing in the repo is written."""
    root = tmp_path_factory.mktemp("loop")
    shutil.copy(REPO / "annotations" / "gold.jsonl", root / "gold.jsonl")
    shutil.copy(REPO / "annotations" / "heldout.jsonl", root / "heldout.jsonl")
    (root / "new").mkdir()
    (root / "new" / "qinghe-finance-2024-05-20.txt").write_text(NOTICE, encoding="utf-8")
    return root


def _run(*argv: str) -> int:
    return main(list(argv))


def _annotate_like_a_person(who: Annotator, project: str) -> None:
    measures = {t["data"]["text"]: t for t in who.tasks(f"{project}: measures")}
    who.submit(measures[AGREED], who.prediction(measures[AGREED]))
    changed = [{"from_name": "measure_labels", "to_name": "text", "type": "choices", "value": {"choices": NEW_LABELS}}]
    who.submit(measures[RELABELLED], changed)
    [notice] = who.tasks(f"{project}: notices")
    start = NOTICE.index(ORG_AREA)
    kept = [r for r in who.prediction(notice)
            if not (r["from_name"] == "label" and r["value"]["start"] < start + len(ORG_AREA) and start < r["value"]["end"])]
    kept.append({"id": "fixed-org", "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": start, "end": start + len(FIXED_ORG), "text": FIXED_ORG, "labels": ["ORG"]}})
    who.submit(notice, kept)


def test_round_trip_push_annotate_pull_retrain(label_studio, workspace, capsys):
    url, who = label_studio["url"], label_studio["annotator"]
    gold, models = workspace / "gold.jsonl", workspace / "models"
    before = load_gold(gold)
    shipped_card = (REPO / "models" / "measure_classifier" / "model_card.json").read_bytes()
    common = ["--url", url, "--token", who.token, "--project", "loop", "--gold", str(gold)]

    assert _run("annotate", "push", "7", "--notices", "1", "--corpus", str(workspace / "new"), *common) == 0
    assert _run("annotate", "push", "7", "--notices", "1", "--corpus", str(workspace / "new"), *common) == 0
    out = capsys.readouterr().out
    assert "'loop: measures' (project 1, new): imported 7 task(s), 0 already there" in out
    assert "'loop: notices' (project 2, new): imported 1 task(s), 0 already there" in out
    assert "'loop: measures' (project 1): imported 0 task(s), 7 already there" in out
    predicted = {t["data"]["text"]: who.prediction(t) for t in who.tasks("loop: measures")}
    [notice_task] = who.tasks("loop: notices")
    predicted_regions = who.prediction(notice_task)

    # the classifier trained on gold before the pull: the card the retrained one is compared with
    assert _run("train", "--only", "classifier", "--no-real", "--force", "--gold", str(gold), "--models", str(models)) == 0

    _annotate_like_a_person(who, "loop")
    assert _run("annotate", "pull", *common) == 0
    out = capsys.readouterr().out
    assert "1 notice(s) added, 0 replaced, 0 gold measure(s) relabelled, 0 unchanged; 2 measure label(s) from measure tasks; 0 waiting, 0 conflict(s)" in out

    after = load_gold(gold)
    assert [g.to_dict() for g in after[:-1]] == [g.to_dict() for g in before]
    new = after[-1]
    assert new.text == NOTICE and new.origin == "real"
    labels = {m.text: m.labels for m in new.measures}
    assert labels[AGREED] == predicted[AGREED][0]["value"]["choices"] == ["institution_building"]
    assert labels[RELABELLED] == NEW_LABELS
    start = NOTICE.index(ORG_AREA)
    assert [(e.start, e.end, e.label, e.text) for e in new.entities if start <= e.start < start + len(ORG_AREA)] == \
        [(start, start + len(FIXED_ORG), "ORG", FIXED_ORG)]
    # everything else is the prediction as it was pushed
    untouched = sorted((r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in predicted_regions
                       if r["from_name"] == "label" and not start <= r["value"]["start"] < start + len(ORG_AREA))
    assert sorted((e.start, e.end, e.label) for e in new.entities if not start <= e.start < start + len(ORG_AREA)) == untouched
    others = {r["value"]["text"]: r["value"].get("choices", []) for r in predicted_regions if r["from_name"] == "measure_labels"}
    for text, got in labels.items():
        if text not in (AGREED, RELABELLED):
            assert got == others.get(text, []), text

    # a second pull adds nothing and does not rewrite the file
    stamp = gold.stat().st_mtime_ns, gold.read_bytes()
    assert _run("annotate", "pull", *common) == 0
    assert "0 notice(s) added, 0 replaced, 0 gold measure(s) relabelled, 1 unchanged" in capsys.readouterr().out
    assert (gold.stat().st_mtime_ns, gold.read_bytes()) == stamp

    # retrain on the merged gold: the card lists exactly the new notice's measures
    assert _run("train", "--only", "classifier", "--no-real", "--force", "--gold", str(gold), "--models", str(models)) == 0
    card = json.loads((models / "measure_classifier" / "model_card.json").read_text(encoding="utf-8"))
    assert card["training_data"]["notices"] == len(before) + 1
    assert card["new_examples"] == [{"notice_id": new.id, "text": m.text, "labels": m.labels}
                                    for m in sorted(new.measures, key=lambda m: (m.start, m.end))]
    assert (REPO / "models" / "measure_classifier" / "model_card.json").read_bytes() == shipped_card


def test_a_changed_annotation_is_a_conflict_not_an_overwrite(label_studio, workspace, capsys):
    """After the round trip the annotator labels a measure again: gold keeps its value until --replace."""
    who, gold = label_studio["annotator"], workspace / "gold.jsonl"
    common = ["--url", label_studio["url"], "--token", who.token, "--project", "loop", "--gold", str(gold)]
    measures = {t["data"]["text"]: t for t in who.tasks("loop: measures")}
    who.submit(measures[RELABELLED], [{"from_name": "measure_labels", "to_name": "text", "type": "choices",
                                        "value": {"choices": ["fund_recovery"]}}])
    before = gold.read_bytes()
    notice_id = measures[RELABELLED]["data"]["notice_id"]
    assert _run("annotate", "pull", *common) == 1
    out = capsys.readouterr().out
    assert (f"conflict (gold kept; --replace takes the annotation): notice {notice_id!r}: the annotation "
            f"differs from gold (measures: 1 only in the annotation, 1 only in gold)") in out
    assert gold.read_bytes() == before
    assert _run("annotate", "pull", *common, "--replace") == 0
    assert "0 notice(s) added, 1 replaced" in capsys.readouterr().out
    [record] = [g for g in load_gold(gold) if g.id == notice_id]
    assert [m.labels for m in record.measures if m.text == RELABELLED] == [["fund_recovery"]]


def _fails_untouched(gold: Path, capsys, *argv: str) -> str:
    before = gold.read_bytes()
    assert _run(*argv) == 2
    assert gold.read_bytes() == before
    return capsys.readouterr().err


def test_unreachable_server_exit_2(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    shutil.copy(REPO / "annotations" / "gold.jsonl", gold)
    url = f"http://127.0.0.1:{_free_port()}"
    err = _fails_untouched(gold, capsys, "annotate", "pull", "--url", url, "--token", "x.y.z", "--gold", str(gold))
    assert f"error: cannot reach Label Studio at {url}" in err and "--url" in err


def test_wrong_token_exit_2(label_studio, workspace, capsys):
    gold = workspace / "gold.jsonl"
    for token in ("0123456789abcdef0123456789abcdef01234567", label_studio["annotator"].token[:-4] + "AAAA"):
        err = _fails_untouched(gold, capsys, "annotate", "pull", "--url", label_studio["url"], "--token", token,
                               "--project", "loop", "--gold", str(gold))
        assert f"error: Label Studio at {label_studio['url']} refused the token (HTTP 401" in err
        assert "personal access token" in err


def test_project_with_another_config_exit_2(label_studio, workspace, capsys):
    who, gold = label_studio["annotator"], workspace / "gold.jsonl"
    who.api("POST", "/api/projects/", json={"title": "foreign: notices", "label_config":
            '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>'})
    common = ["--url", label_studio["url"], "--token", who.token, "--project", "foreign", "--gold", str(gold)]
    for action in (["pull"], ["push", "2", "--corpus", str(workspace / "new")]):
        err = _fails_untouched(gold, capsys, "annotate", *action, *common)
        assert "project 'foreign: notices'" in err and "another labelling config" in err


def test_task_text_changed_exit_2(label_studio, workspace, capsys):
    who, gold = label_studio["annotator"], workspace / "gold.jsonl"
    corpus = workspace / "changed"
    corpus.mkdir()
    (corpus / "n.txt").write_text(NOTICE.replace("清河县", "白水县"), encoding="utf-8")
    common = ["--url", label_studio["url"], "--token", who.token, "--project", "changed", "--gold", str(gold)]
    assert _run("annotate", "push", "1", "--notices", "1", "--corpus", str(corpus), *common) == 0
    [task] = who.tasks("changed: notices")
    who.submit(task, who.prediction(task))
    who.api("PATCH", f"/api/tasks/{task['id']}/", json={"data": {**task["data"], "text": task["data"]["text"] + "补充一句。"}})
    err = _fails_untouched(gold, capsys, "annotate", "pull", *common)
    assert f"task {task['id']}: the task's text no longer matches notice {task['data']['notice_id']!r}" in err


def test_same_config_ignores_layout_and_comments_only():
    from pipeline.annotation.label_studio_round import configs
    from pipeline.annotation.label_studio_server import same_config
    ours = configs()["notices"]
    relaid = ours.replace("\n  ", "\n").replace("<!-- Generated", "<!-- generated")
    assert relaid != ours and same_config(relaid, ours)
    assert not same_config(ours, configs()["measures"])
    assert not same_config(ours, ours.replace('value="ORG"', 'value="ORGANISATION"'))


def test_new_examples_are_the_unseen_and_the_relabelled():
    from pipeline.training.classifier import example_digest, new_examples
    seen = " ".join([example_digest("问责2人", ["accountability"]), example_digest("学习文件", [])])
    texts = ["问责2人", "学习文件", "追缴资金3万元", "学习文件"]
    labels = [["accountability"], [], ["fund_recovery"], ["institution_building"]]
    assert new_examples(texts, labels, ["a", "a", "b", "b"], seen) == [
        {"notice_id": "b", "text": "追缴资金3万元", "labels": ["fund_recovery"]},
        {"notice_id": "b", "text": "学习文件", "labels": ["institution_building"]}]
    assert new_examples(texts, labels, ["a"] * 4, None) is None
