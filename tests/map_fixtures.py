"""A hand-built tour shaped like the seed's (Kast, December 2025), for the map tests."""
from __future__ import annotations

from tourmap.config import Settings
from tourmap.models import Article, Corridor, Evidence, Place, Region, Stop, Tour

HOSTILE = "</script><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">`${window.__pwned=3}`'\""


def seed_tour(*, hostile: bool = False, source: str = "https://www.example.com/kast-gira") -> Tour:
    """Origin Santiago; Buenos Aires (done), Quito (2025-12-22), Lima (2026-01); corridor; Arica region."""
    bad = HOSTILE if hostile else ""
    art = Article(id="000_ef3bafede1ed9db9", path="seeds/000_ef3bafede1ed9db9.txt",
                  title="Kast acelera su gira regional" + bad, text="...", published="2025-12-21",
                  language="es", source=source)
    ev = lambda q: [Evidence(article=art.id, quote=q + bad, start=0, end=len(q))]  # noqa: E731
    stops = [
        Stop(name="Buenos Aires" + bad, lat=-34.6081, lon=-58.3703, country="AR", date=None, status="completed",
             met=["Javier Milei" + bad], landmark="Casa Rosada",
             evidence=ev("El presidente argentino, Javier Milei, recibió a Kast en la Casa Rosada")),
        Stop(name="Quito", lat=-0.2201, lon=-78.5123, country="EC", date="2025-12-22", status="planned",
             met=["Daniel Noboa"], evidence=ev("Este lunes 22, Kast tiene previsto reunirse con Daniel Noboa")),
        Stop(name="Lima", lat=-12.0453, lon=-77.0311, country="PE", date="2026-01", status="planned",
             met=["José Jerí"], landmark="Palacio de Gobierno",
             evidence=ev("Kast llegará en enero y visitará al presidente interino José Jerí")),
    ]
    arica = Place(name="Arica", lat=-18.4783, lon=-70.3126, country="CL", kind="city", admin1="CL-AP")
    return Tour(
        articles=[art], traveler="José Antonio Kast",
        origin=Place(name="Santiago", lat=-33.4372, lon=-70.6506, country="CL", kind="capital"),
        stops=stops,
        regions=[Region(name="Arica y Parinacota (Chile-Peru border)" + bad, kind="border", countries=["CL", "PE"],
                        anchor=arica)],
        corridors=[Corridor(name="corredor humanitario", status="proposed", countries=["PE", "EC"])],
        title="La gira regional de José Antonio Kast" + bad, subtitle="Argentina, Ecuador y Perú" + bad,
        slug="kast-2025-12",
    )


def settings() -> Settings:
    return Settings()
