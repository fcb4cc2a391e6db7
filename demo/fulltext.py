"""The full-text demo: a newspaper whose feed carries one sentence per story, and the
article pages it links to (served by the site itself, demo/views.py). With DEMO_FEED on,
the source "Harbour Gazette" has "Fetch the full article" ticked, so `make run` shows
complete articles arriving from a summary-only feed. Written for this project."""

GAZETTE_TITLE = "Harbour Gazette"
GAZETTE_SLUG = "harbour-gazette"

# (slug, title, summary, paragraphs)
GAZETTE_ARTICLES = [
    (
        "tide-mill-grinds-again",
        "The tide mill grinds flour again after ninety years",
        "Volunteers have restored the wheel of the old tide mill at the head of the creek.",
        [
            "For the first time in ninety years, the tide mill at the head of the creek "
            "ground flour on Saturday, turned by the falling tide as it was when the mill "
            "was built in the eighteenth century.",
            "The restoration took a group of volunteers six winters. They rebuilt the oak "
            "wheel from drawings found in the county archive, replaced the sluice gates and "
            "cut a new pair of millstones from a quarry on the other side of the estuary.",
            "The mill works only twice a day, for about four hours after high water, when "
            "the pond behind the dam empties back into the creek through the wheel. On "
            "Saturday the miller, a retired ship's engineer, ground forty kilos of wheat "
            "from a farm two miles away.",
            "The flour will be sold in the village shop and used by the bakery on the "
            "square, which plans a tide-mill loaf baked only on the days the mill has run.",
            "The trust that owns the building hopes to open it to school groups in the "
            "spring. Children will be able to follow the grain from the hopper to the sack "
            "and watch the tide do the work that is now done by electricity almost "
            "everywhere else.",
            "The restoration cost less than half of the first estimate, the trust said, "
            "because most of the work was done by members and the oak came from trees "
            "felled in a storm on the estate next door.",
        ],
    ),
    (
        "ferry-crew-rescues-kayakers",
        "Ferry crew rescues two kayakers caught by the ebb",
        "The morning ferry turned back to pick up two kayakers swept towards the harbour mouth.",
        [
            "The crew of the morning ferry rescued two kayakers on Tuesday after they were "
            "swept towards the harbour mouth by a strong ebb tide.",
            "The ferry had just left the island quay when a deckhand saw one of the kayaks "
            "capsize near the channel buoy. The captain turned the boat around and brought "
            "it alongside while the crew threw lines to the two paddlers in the water.",
            "Both were pulled aboard within ten minutes, cold but unhurt. They had set out "
            "from the beach to cross to the island and had not checked the time of the "
            "tide, the coastguard said later.",
            "The ferry arrived on the mainland twenty minutes late. Passengers applauded "
            "the crew as they came ashore, and several offered dry clothes to the two "
            "kayakers, who were taken to the harbour office to warm up.",
            "The coastguard reminded visitors that the ebb in the channel can run faster "
            "than most people can paddle, and asked anyone going out on the water to carry "
            "a phone in a waterproof bag and to tell someone when they expect to be back.",
            "The ferry company said it would give the crew a day of paid leave and a "
            "dinner in the town, and that it was proud of how calmly they had acted.",
        ],
    ),
    (
        "allotments-share-rainwater",
        "Allotment holders build a shared rainwater store",
        "Forty gardeners have dug a tank that keeps the winter rain for the summer.",
        [
            "Allotment holders on the hill above the harbour have finished building a "
            "shared rainwater store, big enough to water all forty plots through a dry "
            "summer.",
            "The store is a tank of sixty thousand litres buried under the path between "
            "the plots. It is filled by the gutters of the sheds and of the community hall "
            "next door, and a hand pump brings the water back up.",
            "The gardeners dug the hole themselves over three weekends, with a digger lent "
            "by a builder whose father once had a plot there. A grant from the water board "
            "paid for the tank and the pipes.",
            "Last summer the allotments used mains water for the first time in their "
            "history, after two months without rain. The bill came to more than the rent "
            "of all the plots together, the association's treasurer said.",
            "The new store should be full by March if the winter is as wet as usual. The "
            "association has agreed that each plot may take two watering cans a day in a "
            "drought, with more for the older members who grow the vegetables for the "
            "lunch club.",
            "Other allotment groups in the region have asked to see the tank, and the "
            "gardeners plan an open day in the spring to explain how it was built.",
        ],
    ),
]
