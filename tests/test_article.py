"""Reading articles: formats, metadata, inferred dates and language, and every kind of bad file."""
from __future__ import annotations

from pathlib import Path

import pytest

from tourmap.article import detect_language, infer_published, read_article
from tourmap.errors import InputError

DATA = Path(__file__).parent / "data"
SEED = DATA / "eval" / "000_ef3bafede1ed9db9.txt"
BODY = "El presidente llegó este lunes a Lima, donde se reunió con el mandatario peruano en Palacio de Gobierno."


def test_markdown_front_matter():
    a = read_article(DATA / "eval" / "02_lula_bogota_petro.md")
    assert a.title.startswith("Lula é recebido")
    assert a.published == "2024-04-17" and not a.published_inferred
    assert a.language == "pt"
    assert a.source.startswith("https://")
    assert a.text.startswith("BOGOTÁ")
    assert a.id == "02_lula_bogota_petro"


def test_seed_publication_date_is_inferred():
    a = read_article(SEED)
    assert a.published == "2025-12-21"
    assert a.published_inferred is True
    assert a.language == "es"


def test_published_argument_overrides(tmp_path):
    a = read_article(SEED, published="2025-12-20")
    assert a.published == "2025-12-20" and not a.published_inferred


def test_infer_published_weekday_fixes_year():
    text = "Este domingo 21 de diciembre el ministro confirmó la visita prevista para marzo de 2026."
    assert infer_published(text, language="es") == "2025-12-21"


def test_infer_published_latest_full_date():
    assert infer_published("Reported on 3 May 2024. Updated May 5, 2024.", language="en") == "2024-05-05"
    assert infer_published("Sin fecha alguna en el texto.", language="es") is None


@pytest.mark.parametrize("text,lang", [
    ("El presidente viajó a Lima y se reunió con los ministros del gobierno.", "es"),
    ("The president travelled to Lima and met the ministers of the government.", "en"),
    ("O presidente viajou para Lima e se reuniu com os ministros do governo.", "pt"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_html_article(tmp_path):
    page = tmp_path / "nota.html"
    page.write_text(
        "<html lang='es'><head><title>Kast viaja a Quito</title>"
        "<meta property='article:published_time' content='2025-12-21T10:00:00Z'>"
        "<script>var x = 'no';</script></head><body><nav>Inicio | Mundo</nav>"
        f"<article><h1>Kast viaja a Quito</h1><p>{BODY}</p><p>{BODY}</p></article>"
        "<footer>Todos los derechos reservados</footer></body></html>", encoding="utf-8")
    a = read_article(page)
    assert a.title == "Kast viaja a Quito"
    assert a.published == "2025-12-21"
    assert "Palacio de Gobierno" in a.text
    assert "var x" not in a.text and "derechos reservados" not in a.text


def test_deeply_nested_html_falls_back(tmp_path):
    page = tmp_path / "deep.html"
    page.write_text("<html><body>" + "<div>" * 10000 + BODY + "</div>" * 10000 + "</body></html>", encoding="utf-8")
    a = read_article(page)
    assert "Palacio de Gobierno" in a.text


def test_utf16_and_cp1252(tmp_path):
    u = tmp_path / "u16.txt"
    u.write_bytes(BODY.encode("utf-16"))
    assert read_article(u).text == BODY
    c = tmp_path / "cp.txt"
    c.write_bytes(BODY.encode("cp1252"))
    assert read_article(c).text == BODY


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "is empty"),
    ("blank.txt", b"   \n\n ", "is empty"),
    ("bin.txt", b"abc\x00\x00\x01\x02" * 50, "binary"),
    ("doc.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
])
def test_bad_files(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_article(p)
    assert message in str(exc.value) and name in str(exc.value)
    assert "\n" not in str(exc.value)


def test_missing_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="folder"):
        read_article(tmp_path)


def test_too_large(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes(b"a" * (5 * 1024 * 1024 + 1))
    with pytest.raises(InputError, match="too large"):
        read_article(p)


def test_bad_front_matter(tmp_path):
    p = tmp_path / "bad.md"
    p.write_text("---\ntitle: [unclosed\n---\n" + BODY, encoding="utf-8")
    with pytest.raises(InputError, match="front matter"):
        read_article(p)
    q = tmp_path / "date.md"
    q.write_text("---\npublished: yesterday\n---\n" + BODY, encoding="utf-8")
    with pytest.raises(InputError, match="published"):
        read_article(q)


def test_txt_headline_becomes_title(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("Kast viaja a Quito\n\n" + BODY, encoding="utf-8")
    a = read_article(p)
    assert a.title == "Kast viaja a Quito" and a.text.startswith("El presidente")


def test_text_over_the_limit_is_refused_at_once(tmp_path):
    import time

    from tourmap.article import MAX_TEXT_BYTES

    para = "El presidente llegó a Lima, donde se reunió con el canciller. Luego viajó a Quito.\n\n"
    p = tmp_path / "transcripcion.txt"
    p.write_text(para * (MAX_TEXT_BYTES // len(para.encode()) + 50), encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(InputError) as err:
        read_article(p)
    assert time.perf_counter() - t0 < 2
    msg = str(err.value)
    assert msg.startswith(f"{p}: article text too long (2") and "at most 256 KB of text" in msg, msg
    assert "\n" not in msg
    p.write_text(para * (MAX_TEXT_BYTES // len(para.encode()) - 50), encoding="utf-8")
    assert read_article(p).text
