from clusters.models import LocalAuthority, Region
from clusters.services import load_reference_data

NORTH_EAST_CODES = {
    "County Durham": ("E06000047", "840"),
    "Darlington": ("E06000005", "841"),
    "Gateshead": ("E08000037", "390"),
    "Hartlepool": ("E06000001", "805"),
    "Middlesbrough": ("E06000002", "806"),
    "Newcastle upon Tyne": ("E08000021", "391"),
    "North Tyneside": ("E08000022", "392"),
    "Northumberland": ("E06000057", "929"),
    "Redcar and Cleveland": ("E06000003", "807"),
    "South Tyneside": ("E08000023", "393"),
    "Stockton-on-Tees": ("E06000004", "808"),
    "Sunderland": ("E08000024", "394"),
}


def test_reference_data_has_every_region_and_upper_tier_authority(db):
    counts = load_reference_data()
    assert counts == {"regions": 9, "authorities": 153}
    per_region = {r.name: r.authorities.count() for r in Region.objects.all()}
    assert per_region == {
        "North East": 12,
        "North West": 24,
        "Yorkshire and The Humber": 15,
        "East Midlands": 10,
        "West Midlands": 14,
        "East of England": 11,
        "London": 33,
        "South East": 19,
        "South West": 15,
    }


def test_the_twelve_north_east_authorities_are_present_with_their_codes(db):
    load_reference_data()
    north_east = LocalAuthority.objects.filter(region__name="North East")
    assert {la.name: (la.gss_code, la.dfe_code) for la in north_east} == NORTH_EAST_CODES


def test_loading_reference_data_twice_changes_nothing(db):
    load_reference_data()
    before = list(LocalAuthority.objects.order_by("pk").values())
    load_reference_data()
    assert list(LocalAuthority.objects.order_by("pk").values()) == before
