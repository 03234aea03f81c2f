import pytest
from tests.browser.conftest import sign_in, visit, assert_accessible
pytestmark = pytest.mark.browser

def test_scratch(live_server, new_context, alice, plan):
    ctx = new_context()
    page = ctx.new_page()
    sign_in(page, alice)
    visit(page, "/plans/sip/")
    page.keyboard.press("Tab")
    print("after tab", page.evaluate("() => document.activeElement.outerHTML.slice(0,120)"))
    page.keyboard.press("Enter")
    print("url", page.url)
    print("after enter", page.evaluate("() => document.activeElement.outerHTML.slice(0,80)"))
    page.keyboard.press("Tab")
    print("after tab2", page.evaluate("() => document.activeElement.outerHTML.slice(0,200)"))
    for path in ["/plans/new/"]:
        page.goto(path)
        for l in page.locator("label").all():
            print(repr(l.inner_text()), l.get_attribute("for"))
    nojs = new_context(java_script_enabled=False)
    p2 = nojs.new_page()
    p2.goto("/accounts/login/")
    print("nojs eval", p2.evaluate("() => 1+1"))
    assert_accessible(p2)
    print("nojs axe ok")
