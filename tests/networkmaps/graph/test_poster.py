"""Printable posters: pure rendering code, no database."""

import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from networkmaps.graph.poster import (
    NEUTRAL,
    PALETTE,
    PAPER_SIZES,
    PlacedNode,
    PosterNode,
    PosterSpec,
    member_index,
    overlapping_pairs,
    place_labels,
    poster_discs,
    render_pdf,
    render_svg,
    render_svg_pages,
    separate_discs,
    text_width,
    typography,
)

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    given = None

SVG = "{http://www.w3.org/2000/svg}"
NAMES = ["Amara Okafor", "Chen Li", "Dolores Hernández", "Kwame Osei", "Priya Nair"]


def make_spec(n=40, *, paper="A3", landscape=False, names=None, anonymised=False, seed=0):
    rng = random.Random(seed)
    names = names or [f"Person {i:04d}" for i in range(n)]
    nodes = [
        PosterNode(
            id=1000 + i,
            x=rng.uniform(-1000, 1000),
            y=rng.uniform(-1000, 1000),
            label=names[i],
            size=rng.random() * 10,
            colour=PALETTE[i % 5],
            index_label=names[i],
        )
        for i in range(len(names))
    ]
    edges = [(1000 + i, 1000 + (i * 7 + 3) % len(names), 1 + i % 5) for i in range(len(names))]
    return PosterSpec(
        title="Fellows Network",
        subtitle="Program · Round 1",
        date="1 May 2026",
        paper=paper,
        landscape=landscape,
        nodes=nodes,
        edges=edges,
        legend=[(PALETTE[0], "Cohort 2019"), (PALETTE[1], "Cohort 2020")],
        size_legend="Circle size: number of ties",
        anonymised=anonymised,
    )


def overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def assert_valid_labels(nodes, labels, box):
    boxes = list(labels.values())
    for i, a in enumerate(boxes):
        assert box[0] <= a.x0 and a.x1 <= box[2] and box[1] <= a.y0 and a.y1 <= box[3]
        for b in boxes[i + 1 :]:
            assert not overlaps(a, b), (a, b)
    for node in nodes:
        for label in boxes:
            if label.id == node.id:
                continue
            nx = min(max(node.x, label.x0), label.x1)
            ny = min(max(node.y, label.y0), label.y1)
            assert (node.x - nx) ** 2 + (node.y - ny) ** 2 >= node.r**2 - 1e-9


def test_labels_never_overlap_in_a_dense_cluster():
    rng = random.Random(1)
    nodes = [
        PlacedNode(i, rng.uniform(90, 110), rng.uniform(90, 110), 0.8, f"Name {i}", rng.random())
        for i in range(400)
    ]
    box = (0, 0, 200, 200)
    labels = place_labels(nodes, font_mm=2.5, box=box)
    assert_valid_labels(nodes, labels, box)
    assert 0 < len(labels) < len(nodes)  # some shown, the crowd's middle left unlabelled


if given is not None:

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.floats(0, 100),
                st.floats(0, 100),
                st.floats(0.2, 4),
                st.text(min_size=0, max_size=20),
                st.floats(0, 10),
            ),
            max_size=60,
        ),
        st.floats(1, 6),
    )
    def test_labels_never_overlap_for_any_node_set(raw, font):
        nodes = [PlacedNode(i, x, y, r, text, p) for i, (x, y, r, text, p) in enumerate(raw)]
        box = (0, 0, 100, 100)
        assert_valid_labels(nodes, place_labels(nodes, font_mm=font, box=box), box)

else:

    @pytest.mark.skip(reason="hypothesis is not installed")
    def test_labels_never_overlap_for_any_node_set():
        pass


def test_label_placement_labels_many_of_ten_thousand_nodes():
    # How long this takes is measured in bench/poster_pure.py, not asserted here.
    rng = random.Random(2)
    nodes = [
        PlacedNode(i, rng.uniform(0, 800), rng.uniform(0, 800), 1.2, f"Person {i}", rng.random())
        for i in range(10_000)
    ]
    labels = place_labels(nodes, font_mm=2.2, box=(0, 0, 800, 800))
    assert len(labels) > 1000


def index_labels(svg_pages):
    found = []
    for page in svg_pages:
        root = ET.fromstring(page.encode())
        found += [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "index-label"]
    return found


@pytest.mark.parametrize(("n", "paper", "on_poster"), [(40, "A0", True), (400, "A3", False)])
def test_every_node_is_in_the_index_exactly_once(n, paper, on_poster):
    spec = make_spec(n, paper=paper)
    pages = render_svg_pages(spec)
    assert (len(pages) == 1) is on_poster
    expected = sorted(node.index_label for node in spec.nodes)
    assert sorted(index_labels(pages)) == expected
    entries = member_index(spec)
    assert sorted(label for label, _ in entries) == expected
    assert all(re.fullmatch(r"[A-Z][0-9]{1,2}", cell) for _, cell in entries)


def test_grid_square_names_where_the_node_is():
    spec = make_spec(3)
    spec.nodes[0].x, spec.nodes[0].y = -990, 990  # top left of the map
    spec.nodes[1].x, spec.nodes[1].y = 990, -990  # bottom right
    cells = dict(member_index(spec))
    assert cells[spec.nodes[0].index_label] == "A1"
    # Few nodes: the smallest grid, 6 × 6 (A–F, 1–6).
    assert cells[spec.nodes[1].index_label] == "F6"


def test_names_are_escaped_as_text():
    evil = [
        "<img src=x onerror=alert(1)>",
        'Tom & "Jerry"',
        "</text><script>x</script>",
        "Bell\x07 Char",
    ]
    spec = make_spec(names=evil + NAMES)
    spec.title = "<b>Title</b>"
    spec.nodes[0].colour = '"/><script>alert(1)</script>'
    svg = render_svg(spec)
    root = ET.fromstring(svg.encode())  # well-formed XML
    assert "<img" not in svg and "<script" not in svg and "<b>" not in svg
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert evil[0] in texts and 'Tom & "Jerry"' in texts and "Bell Char" in texts
    assert NEUTRAL in svg
    assert render_pdf(spec).startswith(b"%PDF")


def test_anonymised_poster_shows_only_the_codes_given():
    codes = [f"M-{random.Random(i).randrange(10**5):05d}" for i in range(len(NAMES))]
    spec = make_spec(names=codes, anonymised=True)
    svg = render_svg(spec)
    for name in NAMES + ["Amara", "Okafor"]:
        assert name not in svg
    for node in spec.nodes:
        assert str(node.id) not in re.sub(r'="[^"]*"', "", svg)  # no database ids as text
    assert "anonymous codes" in svg
    assert set(index_labels([svg])) == set(codes)


@pytest.mark.parametrize("paper", sorted(PAPER_SIZES))
@pytest.mark.parametrize("landscape", [False, True])
def test_paper_size_and_orientation_set_the_svg_size(paper, landscape):
    svg = render_svg(make_spec(8, paper=paper, landscape=landscape))
    root = ET.fromstring(svg.encode())
    w, h = PAPER_SIZES[paper]
    if landscape:
        w, h = h, w
    assert float(root.get("width").removesuffix("mm")) == pytest.approx(w)
    assert float(root.get("height").removesuffix("mm")) == pytest.approx(h)
    assert root.get("viewBox") == f"0 0 {w:g} {h:g}"


def test_unknown_paper_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown paper size 'B5'"):
        render_svg(make_spec(3, paper="B5"))


def count_pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_pdf_is_a_pdf_with_a_page_per_svg_page():
    small = render_pdf(make_spec(20, paper="A2"))
    assert small.startswith(b"%PDF") and count_pdf_pages(small) == 1
    spec = make_spec(400, paper="A3")
    big = render_pdf(spec)
    assert count_pdf_pages(big) == len(render_svg_pages(spec)) >= 2


def test_index_pages_stack_into_one_svg():
    spec = make_spec(400, paper="A3")
    root = ET.fromstring(render_svg(spec).encode())
    pages = len(render_svg_pages(spec))
    assert float(root.get("height").removesuffix("mm")) == pytest.approx(420 * pages)


FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans is not installed")
def test_text_width_estimate_is_never_narrower_than_the_font():
    image_font = pytest.importorskip("PIL.ImageFont")
    font = image_font.truetype(str(FONT), 1000)
    samples = NAMES + ["WWWWMMMM", "illegible", "Ñandú Çağlar", "Zoë O'Neill-Smith", "12345"]
    for text in samples:
        assert text_width(text, 1.0) >= font.getlength(text) / 1000


def test_a_long_legend_is_cut_short_and_the_notes_stay_on_the_page():
    spec = make_spec(10, paper="letter", anonymised=True)
    spec.legend = [(PALETTE[i % len(PALETTE)], f"Organisation {i}") for i in range(40)]
    root = ET.fromstring(render_svg(spec).encode())
    texts = {t.text: float(t.get("y")) for t in root.iter(f"{SVG}text")}
    assert any(text.startswith("+ ") and text.endswith(" more") for text in texts)
    assert texts["Labels are anonymous codes."] < PAPER_SIZES["letter"][1]


# --- legible on the wall (issue 16) --------------------------------------------------------

POSTER_PAPERS = ["A0", "A1", "A3", "letter", "36x48"]
GRID_REF = re.compile(r"^(?:[A-Z]|\d{1,2}|[A-Z]\d{1,2})$")


def pdf_words(pdf: bytes):
    """Per page, every word with the smallest font size among its characters."""
    pdfplumber = pytest.importorskip("pdfplumber")
    import io

    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            words = page.extract_words(extra_attrs=["size"], keep_blank_chars=False)
            sizes = [c["size"] for c in page.chars]
            pages.append((words, sizes))
    return pages


@pytest.mark.parametrize("paper", POSTER_PAPERS)
@pytest.mark.parametrize("n", [40, 900])
def test_every_text_span_is_at_least_the_papers_minimum(paper, n):
    floors = typography(paper)
    spec = make_spec(n, paper=paper, landscape=paper == "A1")
    pages = pdf_words(render_pdf(spec))
    every = [size for _, sizes in pages for size in sizes]
    assert every and min(every) >= floors.name_pt - 0.01
    poster_words, poster_sizes = pages[0]
    assert max(poster_sizes) >= floors.title_pt - 0.01
    title = [w for w in poster_words if w["text"] in ("Fellows", "Network")]
    assert title and all(w["size"] >= floors.title_pt - 0.01 for w in title)
    # Grid letters, row numbers and index grid squares.
    refs = [w for words, _ in pages for w in words if GRID_REF.match(w["text"])]
    assert len(refs) >= 12
    assert min(w["size"] for w in refs) >= floors.index_pt - 0.01
    # Index pages hold only index entries, their heading and page numbers.
    for _words, sizes in pages[1:]:
        assert min(sizes) >= floors.index_pt - 0.01


def test_the_floors_grow_with_the_paper_from_a3_to_a0():
    a0, a1, a2, a3 = (typography(p) for p in ("A0", "A1", "A2", "A3"))
    assert (a0.name_pt, a0.index_pt, a0.title_pt) == (10, 12, 72)
    assert (a3.name_pt, a3.index_pt) == (7, 8)
    assert a3.name_pt < a2.name_pt < a1.name_pt < a0.name_pt
    assert typography("36x48").title_pt >= 72 and typography("36x48").name_pt == 10


def test_many_names_on_small_paper_label_fewer_and_the_index_lists_everyone():
    spec = make_spec(2000, paper="A3")
    pages = pdf_words(render_pdf(spec))
    assert len(pages) > 1  # the index needed sheets of its own
    assert sorted(label for label, _ in member_index(spec)) == sorted(
        n.index_label for n in spec.nodes
    )


@pytest.mark.parametrize("paper", POSTER_PAPERS)
def test_no_two_discs_overlap_even_in_a_dense_middle(paper):
    spec = make_spec(3000, paper=paper)
    rng = random.Random(1)
    for node in spec.nodes[:1500]:  # half the people crowd one small patch
        node.x, node.y = rng.gauss(0, 40), rng.gauss(0, 40)
    spec.nodes[1].x, spec.nodes[1].y = spec.nodes[0].x, spec.nodes[0].y  # on the same spot
    discs = poster_discs(spec)
    assert overlapping_pairs(discs) == []
    x0 = min(x - r for x, _, r in discs)
    assert x0 > 0


def test_separating_discs_moves_them_little_and_keeps_the_same_answer():
    rng = random.Random(3)
    xs = [rng.uniform(0, 100) for _ in range(400)]
    ys = [rng.uniform(0, 100) for _ in range(400)]
    rs = [1.5] * 400
    x, y, r = separate_discs(xs, ys, rs, gap=0.2, box=(0, 0, 100, 100))
    again = separate_discs(xs, ys, rs, gap=0.2, box=(0, 0, 100, 100))
    assert (x == again[0]).all() and (y == again[1]).all()
    assert overlapping_pairs(list(zip(x, y, r, strict=True)), gap=0.2) == []
    moved = sorted(
        ((a - b) ** 2 + (c - d) ** 2) ** 0.5 for a, b, c, d in zip(x, xs, y, ys, strict=True)
    )
    assert moved[len(moved) // 2] < 1.5 and (r == 1.5).all()


def test_a_long_title_is_cut_to_the_page_not_shrunk():
    spec = make_spec(40, paper="A3")
    spec.title = "The Extraordinarily Long Regional Fellowship for Community Leadership " * 3
    words, sizes = pdf_words(render_pdf(spec))[0]
    title = [w for w in words if w["size"] >= typography("A3").title_pt - 0.01]
    assert title and max(w["x1"] for w in title) <= 297 * 72 / 25.4
    assert title[-1]["text"].endswith("…")


def test_a_round_that_changes_little_moves_the_discs_little():
    first = make_spec(1500, paper="A1")
    rng = random.Random(5)
    for node in first.nodes[:600]:  # a dense middle, so the separation pass has work to do
        node.x, node.y = rng.gauss(0, 60), rng.gauss(0, 60)
    second = make_spec(1500, paper="A1")
    second.nodes = [PosterNode(**vars(n)) for n in first.nodes]
    for node in second.nodes[::20]:  # the next round: one person in twenty moved a little
        node.x += rng.uniform(-30, 30)
        node.y += rng.uniform(-30, 30)
    a, b = poster_discs(first), poster_discs(second)
    moves = [((xa - xb) ** 2 + (ya - yb) ** 2) ** 0.5 for (xa, ya, _), (xb, yb, _) in
             zip(a, b, strict=True)]  # fmt: skip

    def percentile(values, share):
        return sorted(values)[int(len(values) * share)]

    # mm, on a 540 mm map. Outside the crowd people stay put; inside it, 600 discs piled
    # into a few centimetres spread over ~12 cm, and a few nudges shuffle them a little.
    assert percentile(moves[600:], 0.5) < 0.1 and percentile(moves[600:], 0.9) < 3
    assert percentile(moves[:600], 0.5) < 8
