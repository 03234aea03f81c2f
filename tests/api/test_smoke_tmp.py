from django.urls import reverse
from tests.api.conftest import token_for

def test_smoke(call, published, alice):
    for name, args in [("api:plan-list", []), ("api:plan-detail", [published.slug]), ("api:item-list", [published.slug]),
                       ("api:link-list", [published.slug]), ("api:edition-list", [published.slug]), ("api:period-list", []),
                       ("api:return-list", []), ("api:scorecard-list", [])]:
        r = call(reverse(name, args=args))
        assert r.status_code == 200, (name, r.content)
        print(name, r.json())
        r = call(reverse(name, args=args), token_for(alice))
        assert r.status_code == 200, (name, r.content)
