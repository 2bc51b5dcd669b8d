import pandas as pd
import pytest

from mtr_analysis.reference import registry


def test_ten_members_by_default_eleven_with_timor_leste():
    assert len(registry.iso3_codes()) == 10
    assert "TLS" not in registry.iso3_codes()
    assert registry.iso3_codes(include_optional=True) == sorted(registry.iso3_codes() + ["TLS"])


@pytest.mark.parametrize(
    "name, iso3",
    [
        ("Vietnam", "VNM"),
        ("Viet Nam", "VNM"),
        ("Việt Nam", "VNM"),
        ("Vietnam, Socialist Republic of", "VNM"),
        ("Lao PDR", "LAO"),
        ("Lao People's Democratic Republic", "LAO"),
        ("Brunei", "BRN"),
        ("Burma", "MMR"),
        ("Cambodia [KH]", "KHM"),
        ("Campuchia", "KHM"),
        ("the Philippines", "PHL"),
        ("THA", "THA"),
        ("sg", "SGP"),
        (704, "VNM"),
        ("096", "BRN"),
        ("96", "BRN"),
    ],
)
def test_name_variants_and_codes_map_to_iso3(name, iso3):
    assert registry.to_iso3(name) == iso3


def test_harmonise_reports_aggregates_and_unmapped_and_never_maps_groups():
    names = ["Vietnam", "East Asia & Pacific", "Upper middle income", "World", "France",
             "South-eastern Asia", "Malaysia", "Timor-Leste", None]  # fmt: skip
    h = registry.harmonise(names)
    assert h.iso3.tolist() == ["VNM", None, None, None, None, None, "MYS", None, None]
    assert set(h.aggregates) == {"East Asia & Pacific", "Upper middle income", "World",
                                 "South-eastern Asia"}  # fmt: skip
    assert h.unmapped == ["France"]  # Timor-Leste is known, only out of scope by default
    assert registry.harmonise(["Timor-Leste"], include_optional=True).iso3.tolist() == ["TLS"]


def test_malaysia_is_not_an_aggregate_despite_containing_asia():
    assert not registry.is_aggregate("Malaysia")
    assert registry.is_aggregate("Europe & Central Asia")


def test_parse_countries_all_list_and_unknown():
    assert registry.parse_countries("all") == registry.iso3_codes()
    assert registry.parse_countries("vnm, Thailand,VNM") == ["VNM", "THA"]
    assert registry.parse_countries("TLS") == ["TLS"]  # named explicitly
    with pytest.raises(ValueError, match="'XYZ'.*BRN"):
        registry.parse_countries("VNM,XYZ")


def test_display_names_follow_asean_short_names():
    assert registry.display_name("LAO") == "Lao PDR"
    assert registry.display_name("VNM") == "Viet Nam"
    assert registry.display_name("VNM", lang="vi") == "Việt Nam"
    with pytest.raises(KeyError, match="unknown member state"):
        registry.get("FRA")


def test_harmonise_keeps_alignment_with_input():
    h = registry.harmonise(pd.Series(["Myanmar", "Indonesia"]))
    assert h.iso3.tolist() == ["MMR", "IDN"]


@pytest.mark.parametrize(
    "before, after, iso3",
    [
        ("Vietnam", "Viet Nam", "VNM"),
        ("Burma", "Myanmar", "MMR"),
        ("East Timor", "Timor-Leste", "TLS"),
        ("Turkey", "Türkiye", "TUR"),
        ("Turkey", "Turkiye", "TUR"),
        ("Swaziland", "Eswatini", "SWZ"),
        ("Czech Republic", "Czechia", "CZE"),
        ("Macedonia, FYR", "North Macedonia", "MKD"),
        ("Cape Verde", "Cabo Verde", "CPV"),
    ],
)
def test_names_before_and_after_a_rename_give_one_economy(before, after, iso3):
    assert registry.economy_iso3(before) == registry.economy_iso3(after) == iso3
    # Renamed non-members never become members, nor aggregates.
    if iso3 not in registry.iso3_codes(include_optional=True):
        assert registry.to_iso3(after, include_optional=True) is None
        assert not registry.is_aggregate(before) and not registry.is_aggregate(after)


def test_unknown_economy_has_no_code():
    assert registry.economy_iso3("Atlantis") is None
