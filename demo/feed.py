"""The demo feed's stories: written for this project, about an invented coastal region."""

FEED_TITLE = "Newsroom Demo Wire"
FEED_SOURCE_SLUG = "demo-wire"

# (guid, title, summary, paragraphs). No dates: the importer dates each entry with the
# moment it first sees it, so the stories arrive at the top of the home page.
FEED_ITEMS = [
    (
        "demo-wire-ferry-lanterns",
        "Lantern festival lights the ferry crossing for the first time",
        "Volunteers hung four hundred paper lanterns along the ferry route on Saturday night.",
        [
            "Four hundred paper lanterns lined the ferry crossing between the two harbours "
            "on Saturday night, the first time the festival has moved onto the water.",
            "Organisers said the boats ran every twenty minutes until midnight and that "
            "the lanterns, made by local schools, would be collected and reused next year.",
        ],
    ),
    (
        "demo-wire-seed-library",
        "Seed library opens in the old signal box",
        "Gardeners can now borrow seeds and return a share of their harvest in autumn.",
        [
            "A seed library has opened in the disused signal box at the valley station, "
            "run by a group of allotment holders.",
            "Borrowers take packets of beans, kale and flowers in spring and bring back "
            "seeds from their own plants after the harvest.",
        ],
    ),
    (
        "demo-wire-night-bus",
        "Night bus trial extended to the hill villages",
        "The late service will run on Fridays and Saturdays until the end of the year.",
        [
            "The night bus trial that began in the city centre will reach the hill "
            "villages from next month, the transport authority said.",
            "Buses will leave the central square at half past midnight and at two, "
            "stopping at every village on the upper road.",
        ],
    ),
]
