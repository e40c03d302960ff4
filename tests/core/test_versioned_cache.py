"""mrm.core.versioned_cache: a value is computed once per version; a change drops the version at once and after
the commit; agencies and namespaces never share a version."""
import pytest

from mrm.core.versioned_cache import VersionedCache

pytestmark = pytest.mark.django_db


def _counting():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_a_value_is_computed_once_until_the_agency_changes(alice_world):
    box = VersionedCache(namespace="test:vc-once", ttl=60)
    agency_id = alice_world.agency.pk
    calls, compute = _counting()
    assert box.get_or_compute(agency_id=agency_id, parts=("a",), compute=compute) == 1
    assert box.get_or_compute(agency_id=agency_id, parts=("a",), compute=compute) == 1
    assert box.get_or_compute(agency_id=agency_id, parts=("b",), compute=compute) == 2  # another question
    box.changed(agency_id=agency_id)
    assert box.get_or_compute(agency_id=agency_id, parts=("a",), compute=compute) == 3
    assert len(calls) == 3


def test_falsy_values_are_cached_too(alice_world):
    box = VersionedCache(namespace="test:vc-falsy", ttl=60)
    calls = []

    def nothing():
        calls.append(1)
        return None

    for _ in range(3):
        assert box.get_or_compute(agency_id=alice_world.agency.pk, parts=(), compute=nothing) is None
    assert len(calls) == 1


def test_a_change_is_announced_again_after_the_commit(alice_world, django_capture_on_commit_callbacks):
    box = VersionedCache(namespace="test:vc-commit", ttl=60)
    agency_id = alice_world.agency.pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        box.changed(agency_id=agency_id)
        before_commit = box.version(agency_id=agency_id)  # a reader between the write and its commit
    for callback in callbacks:
        callback()
    assert box.version(agency_id=agency_id) != before_commit


def test_agencies_and_namespaces_keep_their_own_versions(alice_world, bob_world):
    one, two = VersionedCache(namespace="test:vc-one", ttl=60), VersionedCache(namespace="test:vc-two", ttl=60)
    alice, bob = alice_world.agency.pk, bob_world.agency.pk
    kept = (one.version(agency_id=bob), two.version(agency_id=alice))
    one.changed(agency_id=alice)
    assert (one.version(agency_id=bob), two.version(agency_id=alice)) == kept
