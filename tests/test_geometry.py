"""Geometry stage: legs, the proposed corridor and the border band of the seed-shaped tour."""
from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import Point, shape

from map_fixtures import seed_tour, settings
from tourmap.errors import ConfigError
from tourmap.geometry import basemap, build_geometry, countries, display_lons, great_circle, load_corridors
from tourmap.models import Corridor, Region, Stop, Tour


@pytest.fixture(scope="module")
def built():
    tour = seed_tour()
    return tour, build_geometry(tour, settings=settings())


def test_legs_follow_travel_order_with_status(built):
    _tour, geom = built
    assert [(l.start.name, l.end.name) for l in geom.legs] == [
        ("Santiago", "Buenos Aires"), ("Buenos Aires", "Quito"), ("Quito", "Lima")]
    assert [l.status for l in geom.legs] == ["completed", "planned", "planned"]
    assert [l.date for l in geom.legs] == [None, "2025-12-22", "2026-01"]
    assert geom.legs[0].distance_km == pytest.approx(1140, abs=15)  # Santiago-Buenos Aires
    assert geom.legs[2].distance_km == pytest.approx(1318, abs=15)  # Quito-Lima


def test_legs_are_curved_geodesics_ending_on_the_stops(built):
    _tour, geom = built
    leg = geom.legs[1]
    assert leg.coords[0] == pytest.approx((-34.6081, -58.3703), abs=1e-4)
    assert leg.coords[-1] == pytest.approx((-0.2201, -78.5123), abs=1e-4)
    assert len(leg.coords) > 20
    # A great circle is not the straight line in lon/lat: the middle point is off the chord.
    mid = leg.coords[len(leg.coords) // 2]
    chord_lat = -34.6081 + (mid[1] - -58.3703) / (-78.5123 - -58.3703) * (-0.2201 - -34.6081)
    assert abs(mid[0] - chord_lat) > 0.1


def test_same_point_legs_are_skipped():
    tour = seed_tour()
    tour.stops.insert(1, Stop(name="Casa Rosada", lat=-34.6083, lon=-58.3702, country="AR", status="completed"))
    geom = build_geometry(tour, settings=settings())
    assert len(geom.legs) == 3


def test_antimeridian_leg_is_continuous():
    coords = great_circle(35.68, 139.69, 21.31, -157.86)  # Tokyo -> Honolulu
    lons = [lo for _la, lo in coords]
    assert all(abs(b - a) < 10 for a, b in zip(lons, lons[1:]))
    assert display_lons([(0, 170.0), (0, -170.0)]) == [170.0, 190.0]


def test_corridor_polygon_is_valid_and_contains_its_waypoints(built):
    tour, _geom = built
    corridor = tour.corridors[0]
    poly = shape(corridor.geometry)
    assert poly.is_valid and not poly.is_empty
    names = [w.name for w in corridor.waypoints]
    # The article names Peru and Ecuador; the default chain runs Chile -> Venezuela.
    assert len(names) == 4 and "Rumichaca" in " ".join(names)
    for w in corridor.waypoints:
        assert poly.contains(Point(w.lon, w.lat)), w.name
    # The countries listed are the ones the drawn corridor crosses, in route order (the article
    # said Peru and Ecuador; the chain drawn runs from Chile to Venezuela).
    assert corridor.countries == ["CL", "PE", "EC", "CO", "VE"]
    # A land route: nothing of it lies over the sea.
    from tourmap.geometry import countries

    land = shapely.union_all([g for g in countries().values() if g.intersects(poly)])
    assert poly.difference(land.buffer(0.01)).area < 1e-6
    json.dumps(corridor.geometry)  # plain JSON


def test_corridor_width_is_on_the_ground():
    tour = seed_tour()
    tour.corridors = [Corridor(name="test", countries=["BO", "PE"], width_km=100.0)]
    build_geometry(tour, settings=settings())
    poly = shape(tour.corridors[0].geometry)
    # A single crossing (Desaguadero, inland) buffered by 50 km: about 0.9 degrees north-south.
    w, s, e, n = poly.bounds
    assert n - s == pytest.approx(0.9, abs=0.08)


def test_border_band_intersects_both_countries_near_arica(built):
    tour, _geom = built
    band = shape(tour.regions[0].geometry)
    assert band.is_valid
    cl, pe = countries()["CL"], countries()["PE"]
    assert band.intersects(cl) and band.intersects(pe)
    arica = Point(-70.3126, -18.4783)
    assert band.distance(arica) < 0.5  # within ~50 km of the anchor
    w, s, e, n = band.bounds
    assert s > -20.5 and n < -16.5  # only the stretch near Arica


def test_admin_region_uses_admin1_polygon():
    tour = seed_tour()
    tour.regions = [Region(name="Arica y Parinacota", kind="admin", countries=["CL"])]
    build_geometry(tour, settings=settings())
    poly = shape(tour.regions[0].geometry)
    assert poly.contains(Point(-70.3126, -18.4783))  # Arica
    assert not poly.contains(Point(-70.2536, -18.0146))  # Tacna, Peru


def test_bounds_cover_everything(built):
    tour, geom = built
    (s, w), (n, e) = geom.bounds
    for st in tour.stops:
        assert s <= st.lat <= n and w <= st.lon <= e
    assert n > 7  # the corridor reaches the Colombia-Venezuela bridge


def test_build_is_deterministic():
    a, b = seed_tour(), seed_tour()
    ga, gb = build_geometry(a, settings=settings()), build_geometry(b, settings=settings())
    assert json.dumps(a.to_json()) == json.dumps(b.to_json())
    assert ga.legs == gb.legs and ga.bounds == gb.bounds


def test_tour_without_origin_or_stops():
    tour = Tour(articles=[], stops=[])
    geom = build_geometry(tour, settings=settings())
    assert geom.legs == [] and geom.bounds is None
    one = Tour(articles=[], stops=[Stop(name="Lima", lat=-12.05, lon=-77.03)])
    assert build_geometry(one, settings=settings()).legs == []


def test_basemap_is_clipped_and_shares_borders():
    fc, ((s, w), (n, e)) = basemap(((-34.6, -80.5), (8.0, -58.4)))
    codes = {f["properties"]["iso2"] for f in fc["features"]}
    assert {"CL", "PE", "EC", "AR", "BR"} <= codes
    assert "RU" not in codes and "AU" not in codes
    assert s < -34.6 and n > 8.0 and w < -80.5 and e > -58.4


def test_bad_corridors_file_is_a_config_error(tmp_path):
    bad = tmp_path / "corridors.yaml"
    bad.write_text("crossings:\n  CL-PE: {name: x}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="CL-PE"):
        load_corridors(bad)
    bad.write_text("a: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_corridors(bad)


def test_unlocated_stop_is_left_out_of_legs_and_bounds():
    tour = seed_tour()
    tour.stops[1].lat = float("nan")
    geom = build_geometry(tour, settings=settings())
    assert [(l.start.name, l.end.name) for l in geom.legs] == [("Santiago", "Buenos Aires"), ("Buenos Aires", "Lima")]
    assert all(v == v for corner in geom.bounds for v in corner)  # no NaN


def test_basemap_across_the_antimeridian():
    fc, ((_s, w), (_n, e)) = basemap(((20.0, 139.0), (40.0, 203.0)))  # Tokyo -> Honolulu, continuous lons
    assert e > 180
    us = next(shape(f["geometry"]) for f in fc["features"] if f["properties"]["iso2"] == "US")
    assert us.bounds[2] > 180  # Hawaii and Alaska drawn one turn east, next to the route
