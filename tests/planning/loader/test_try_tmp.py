import io, json, copy
from pathlib import Path
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

VALID = json.loads(Path("tests/planning/loader/valid_plan.json").read_text())

def run(tmp_path, data, name="x.json"):
    p = tmp_path / name
    p.write_text(json.dumps(data) if not isinstance(data, str) else data)
    err = io.StringIO()
    try:
        call_command("load_plans", str(p), stdout=io.StringIO(), stderr=err)
        return "OK"
    except CommandError:
        return "ERR " + err.getvalue()
    except Exception as e:
        return f"CRASH {type(e).__name__}: {e}"

CASES = {}
def case(name):
    def deco(f):
        CASES[name] = f
        return f
    return deco

@case("missing plan fk")
def _(d): del d[5]["fields"]["plan"]
@case("missing owner fk")
def _(d): del d[4]["fields"]["owner"]
@case("list natural key")
def _(d): d[4]["fields"]["owner"] = ["alice"]
@case("dict ref")
def _(d): d[5]["fields"]["plan"] = {"a": 1}
@case("list pk")
def _(d): d[5]["pk"] = [1]
@case("date int")
def _(d): d[8]["fields"]["due_date"] = 5
@case("dup slug in file")
def _(d): d[1]["fields"]["slug"] = "eastvale"
@case("dup share in file")
def _(d): d.append(copy.deepcopy(d[-1])); d[-1]["pk"] = 2
@case("dup supporter in file")
def _(d): d.append(copy.deepcopy(d[-2])); d[-1]["pk"] = 2
@case("vision for existing plan")
def _(d):
    d[:] = [dict(model="planning.planitem", pk=1, fields=dict(plan="sip", parent=None, kind="vision", title="v"))]
@case("share existing")
def _(d):
    d[:] = [dict(model="planning.planshare", pk=1, fields=dict(plan="sip", organisation="council"))]
@case("no items plan")
def _(d): del d[5:11]
@case("indicator on priority (in-file)")
def _(d): d[6]["fields"]["indicator"] = 1
@case("bool ref")
def _(d): d[4]["fields"]["owner"] = True
@case("org cycle")
def _(d): d[0]["fields"]["parent"] = 2
@case("item cycle")
def _(d): d[5]["fields"]["parent"] = 6
@case("fields null")
def _(d): d[5]["fields"]["title"] = None
@case("ref to existing item by pk int")
def _(d): d[7]["fields"]["parent"] = 999
@case("self parent item")
def _(d): d[6]["fields"]["parent"] = 2
@case("number title")
def _(d): d[6]["fields"]["title"] = 5
@case("password given")
def _(d): d[2]["fields"]["password"] = "plain"
@case("model none")
def _(d): d[0]["model"] = None
@case("position string")
def _(d): d[6]["fields"]["position"] = "x"
@case("huge cost")
def _(d): d[8]["fields"]["cost_amount"] = "1e20"
@case("nan cost")
def _(d): d[8]["fields"]["cost_amount"] = "NaN"
@case("inf cost")
def _(d): d[8]["fields"]["cost_amount"] = "Infinity"
@case("float cost")
def _(d): d[8]["fields"]["cost_amount"] = 1.5
@case("start year big")
def _(d): d[4]["fields"]["start_year"] = 10**10
@case("item of other plan parent")
def _(d):
    p = copy.deepcopy(d[4]); p["pk"] = 2; p["fields"]["slug"] = "other"; d.append(p)
    d.append(dict(model="planning.planitem", pk=20, fields=dict(plan=2, parent=None, kind="vision", title="v2")))
    d.append(dict(model="planning.planitem", pk=21, fields=dict(plan=2, parent=2, kind="priority", title="p")))
@case("plan parent existing natural")
def _(d): d[4]["fields"]["parent"] = "sip"
@case("org parent existing")
def _(d): d[0]["fields"]["parent"] = "council"
@case("owner existing")
def _(d): d[4]["fields"]["owner"] = "alice"
@case("is_superuser given")
def _(d): d[2]["fields"]["is_superuser"] = "yes"
@case("non-dict entry")
def _(d): d.append(5)
@case("fields list")
def _(d): d[0]["fields"] = []
@case("email bad")
def _(d): d[2]["fields"]["email"] = "not-an-email"
@case("slug bad")
def _(d): d[0]["fields"]["slug"] = "has spaces"
@case("mptt given")
def _(d): d[0]["fields"]["lft"] = 77
@case("version given")
def _(d): d[4]["fields"]["version"] = 9


@case("priority cycle")
def _(d): d[6]["fields"]["parent"] = 3; d[7]["fields"]["parent"] = 2
@case("self parent item, no supporter")
def _(d): d[6]["fields"]["parent"] = 2; del d[11]
@case("plan cycle")
def _(d):
    p = copy.deepcopy(d[4]); p["pk"] = 2; p["fields"]["slug"] = "other"; p["fields"]["parent"] = 1; d.append(p)
    d[4]["fields"]["parent"] = 2
@case("org self parent")
def _(d): d[0]["fields"]["parent"] = 1

@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_case(tmp_path, plan, name):
    d = copy.deepcopy(VALID)
    CASES[name](d)
    print("\n##", name, "->", run(tmp_path, d))
