"""Each КП line keeps the internal cost rate it was priced with; the frozen version keeps the margin,
staff-only: never on the client's page, PDF snapshot or hash."""
import re
from decimal import Decimal

from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from proposals import public
from proposals.models import EstimateLine, ProposalVersion, Recipient
from proposals.services import editor, sending
from tests import factories as f
from tests.conftest import login


def _proposal(alice_world, catalog):
    client = f.ClientFactory(agency=alice_world.agency, name="ООО «Ромашка»", owner=alice_world.am.user)
    f.ContactFactory(agency=alice_world.agency, client=client, email="irina@romashka.example", is_primary=True)
    with scope(agency=alice_world.agency):
        proposal = editor.proposal_create(agency=alice_world.agency, actor=alice_world.am.user, client=client,
                                          title="КП")
        line = editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal,
                               service=catalog["services"]["smm"], hours=10)
    return proposal, line


def _line(line):
    with scopes_disabled():
        return EstimateLine.objects.get(pk=line.pk)


def test_line_copies_the_cost_rate_and_keeps_it_when_the_rate_card_changes(alice_world, catalog):
    proposal, line = _proposal(alice_world, catalog)
    assert (_line(line).internal_cost_rate, _line(line).cost_amount) == (Decimal("1300.00"), Decimal("13000.00"))
    with scopes_disabled():
        catalog["roles"]["smm"].cost_rate = Decimal("2000")
        catalog["roles"]["smm"].save()
    with scope(agency=alice_world.agency):
        editor.line_update(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal, line=line,
                           hours=12)
    assert (_line(line).internal_cost_rate, _line(line).cost_amount) == (Decimal("1300.00"), Decimal("15600.00"))
    with scope(agency=alice_world.agency):  # a new role is priced now: its current rate and cost
        editor.line_update(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal, line=_line(line),
                           hours=12, role=catalog["roles"]["strategist"])
    assert (_line(line).internal_cost_rate, _line(line).cost_amount) == (Decimal("3200.00"), Decimal("38400.00"))


def test_frozen_version_keeps_the_margin_but_the_client_never_sees_it(alice_world, catalog):
    proposal, _line_ = _proposal(alice_world, catalog)
    with scope(agency=alice_world.agency):
        version = sending.version_freeze(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal)
    internal = version.internal
    assert internal["lines"][0]["internal_cost_rate"] == "1300.00" and internal["cost_total"] == "13000.00"
    assert internal["net_total"] == "28000.00" and internal["margin"] == "15000.00"
    assert internal["margin_percent"] == "53.6"
    assert "1300" not in str(version.snapshot) and "cost" not in str(version.snapshot)
    with scopes_disabled():
        catalog["roles"]["smm"].cost_rate = Decimal("5000")
        catalog["roles"]["smm"].save()
        assert ProposalVersion.objects.get(pk=version.pk).internal["margin"] == "15000.00"
    with scopes_disabled():
        recipient = Recipient.objects.create(agency=alice_world.agency, proposal=proposal, version=version,
                                             name="Ирина", email="irina@romashka.example")
        token = public.link_token(recipient=Recipient.objects.select_related("agency").get(pk=recipient.pk))
    page = HttpClient().get(reverse("proposals_public:webview", args=[token])).content.decode()
    page = re.sub(r"<script.*?</script>", "", page, flags=re.S)  # the beacon's interval is not a price
    assert "28" in page  # the client's price is there (28 000 net) ...
    for internal_value in (r"13\D?000", r"15\D?000", r"1\D?300\b", "margin"):  # ... the cost and margin are not
        assert not re.search(rf"(?<!\d){internal_value}", page), internal_value
    staff = login(alice_world.am).get(reverse("proposals:preview", args=[proposal.pk])).content.decode()
    assert not re.search(r"(?<!\d)13\D?000", staff)  # the client-facing preview neither

