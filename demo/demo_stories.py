"""Demo events told by several sources, so the demo shows stories ("N sources cover this
story"), and the article page's promo. All of it written for this project."""

# Events told by several sources, so the demo shows stories ("N sources cover this
# story"): (source slug, hours ago, title, topic slugs, summary, paragraphs).
COVERED_STORIES = [
    [
        (
            "harbour-ledger",
            5,
            "Lifeboat crew rescues eleven from a fishing boat aground on Gull Reef",
            ["climate"],
            "The trawler Morning Wren ran onto Gull Reef in a gale before dawn; all eleven "
            "crew were brought ashore.",
            [
                "The lifeboat launched at ten past four after a mayday call from the Morning Wren.",
                "Waves of four metres broke over the reef while the crew waited on the wheelhouse "
                "roof.",
                "Coxswain Ailsa Rennick said the volunteers took the fishermen off two at a time.",
                "Two of the crew were treated for cold at the harbour and later went home.",
                "The owners said a salvage team would try to refloat the boat at the next high "
                "tide.",
            ],
        ),
        (
            "northwind-wire",
            4,
            "Eleven fishermen saved after trawler hits reef in gale",
            ["climate"],
            "Volunteer lifeboat crews rescued eleven men from the trawler Morning Wren after "
            "it struck Gull Reef in a storm.",
            [
                "The vessel sent a mayday shortly after four in the morning as the gale peaked.",
                "Lifeboat coxswain Ailsa Rennick said her crew brought the men across in pairs.",
                "The coastguard said nobody was seriously hurt, though two men were treated for "
                "cold.",
                "Marine investigators will examine why the boat strayed so close to the reef.",
            ],
        ),
        (
            "valley-courier",
            2,
            "Families wait on the quay as storm rescue ends safely",
            ["climate"],
            "Relatives gathered at the harbour wall as the lifeboat brought the trawler's "
            "crew home from Gull Reef.",
            [
                "Some had driven through the night after hearing that the Morning Wren was in "
                "trouble.",
                "Cheers went up when the lifeboat rounded the breakwater with all eleven aboard.",
                "A café on the quay stayed open to serve tea to the crew and their families.",
                "The lifeboat station says its volunteers have been called out nine times this "
                "winter.",
            ],
        ),
    ],
    [
        (
            "metro-evening-post",
            9,
            "Amateur astronomer at Hollin Hill spots a new comet",
            ["science"],
            "A retired teacher using a telescope in her garden found a comet that no survey "
            "had recorded.",
            [
                "Marguerite Oduya noticed the faint smudge near the Plough while photographing "
                "galaxies.",
                "The international minor planet centre has confirmed the find and named the "
                "comet after her.",
                "Astronomers say it will be visible with binoculars in late March.",
                "Oduya said she checked her photographs three times before telling anyone.",
            ],
        ),
        (
            "meridian-press",
            7,
            "Comet named after Hollin Hill stargazer who found it from her garden",
            ["science"],
            "The comet Oduya, discovered by an amateur astronomer at Hollin Hill, has been "
            "confirmed by the minor planet centre.",
            [
                "Marguerite Oduya, a former physics teacher, found it on photographs taken near "
                "the Plough.",
                "It is the first comet found by an amateur in the region for thirty years.",
                "Binoculars should show it low in the north-east sky in late March.",
                "The Hollin Hill astronomy club has planned a public viewing evening.",
            ],
        ),
    ],
]

# The article page's banner: it advertises the features the site has (stories/).
AI_PROMO = (
    "Try our AI features",
    "Key points from every article, full coverage of a story from every source, and related "
    "articles by meaning.",
)
