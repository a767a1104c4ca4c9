from pathlib import Path
from datetime import date
from parindex.orgs import actions as org_actions
from parindex.orgs.models import OrgKind
from parindex.methodology import actions as criteria_actions
from parindex.methodology.importing import read_tree
from parindex.plans import actions
from parindex.plans.models import *
import json

SEED = Path(__file__).parent / "data" / "ke-hoach-165-KH-UBND-lao-cai-2020.txt"
ROOT = Path(__file__).resolve().parents[2]

def test_explore(lao_cai, coordinator):
    p = lao_cai.province
    for name, code, short in [("Sở Tài chính","so-tai-chinh",""),("Sở Thông tin và Truyền thông","so-tttt","Sở TT&TT"),("Sở Khoa học và Công nghệ","so-khcn","Sở KH&CN"),("Sở Kế hoạch và Đầu tư","so-khdt","Sở KH&ĐT")]:
        org_actions.create_organisation(by=None, province=p, kind=OrgKind.DEPARTMENT, name=name, code=code, short_name=short)
    path = ROOT / "parindex/methodology/data/demo-lao-cai-2020-illustrative.yaml"
    fw = criteria_actions.import_framework(read_tree(path.read_bytes(), path.name), by=None, province=p)
    print(fw.status)
    staged = actions.stage_plan(by=coordinator, province=p, filename=SEED.name, data=SEED.read_bytes())
    print(staged.framework)
    print(json.dumps(staged.proposal["agency_map"], ensure_ascii=False))
    for a in staged.proposal["areas"]:
        print(a["title"], a["domain_id"], [(t.get("node_ids"), t.get("confirmed_node_ids")) for _p, t in actions.iter_targets(a["targets"], "0")])
    plan = actions.approve_import(staged, by=coordinator)
    print(plan, plan.targets.count(), Quantity.objects.count(), Goal.objects.count(), ReportingDuty.objects.count(), TargetNode.objects.count())
    for d in plan.duties.all(): print(d.reporter, d.all_agencies, d.recipient, d.periods)
    for g in plan.goals.all(): print(g.comparator, g.value, g.unit, g.subject)
    assert 0
