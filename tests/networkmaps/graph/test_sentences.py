from networkmaps.graph.sentences import position_sentences


def test_sentences_state_the_numbers_they_are_given():
    me = {"degree": 6, "reach_two_steps": 0.58}
    everyone = [{"degree": d, "reach_two_steps": r} for d, r in [(2, 0.2), (4, 0.31), (8, 0.5)]]
    cohort = [{"degree": 3}, {"degree": 5}, {"degree": 4}]
    sentences = position_sentences(
        me=me, everyone=everyone, cohort=cohort, neighbour_communities={1, 2, 3}, communities=6,
        sector_bridges=[("health", "housing", 2), ("health", "education", 9)],
        previous={"degree": 4},
    )  # fmt: skip
    assert sentences == [
        "You have 6 ties; the median member of your cohort has 4.",
        "You reach 58% of the network in two steps; the median member reaches 31%.",
        "Your ties connect 3 of the network's 6 clusters.",
        "You are one of only 2 bridges between the health and housing sectors.",
        "You have 2 more ties than in the last round.",
    ]


def test_an_isolated_member_is_told_so_without_comparisons_that_do_not_apply():
    sentences = position_sentences(
        me={"degree": 0, "reach_two_steps": 0.0}, everyone=[], cohort=[],
        neighbour_communities=set(), communities=1, sector_bridges=[], previous=None,
    )  # fmt: skip
    assert sentences[0] == "You have no ties in this round yet."
    assert len(sentences) == 2


def test_single_tie_and_only_bridge_read_naturally():
    sentences = position_sentences(
        me={"degree": 1, "reach_two_steps": 0.1}, everyone=[], cohort=[{"degree": 1}],
        neighbour_communities={0}, communities=3, sector_bridges=[("arts", "health", 1)],
        previous={"degree": 2},
    )  # fmt: skip
    assert "You have 1 tie; the median member of your cohort has 1." in sentences
    assert "You are the only bridge between the arts and health sectors." in sentences
    assert "You have 1 tie fewer than in the last round." in sentences
