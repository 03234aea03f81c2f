import pytest
from tests.planning.loader.support import BROKEN, load_plans
@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.json")), ids=lambda p: p.name)
def test_probe(plan, path):
    run = load_plans(path)
    print("\n##", path.name, "error" if run.error else "NO ERROR", "\n" + run.stderr)
