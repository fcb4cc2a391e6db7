"""The demo site's text: invented outlets, topics and stories, written for this project."""

SOURCES = [
    (
        "The Harbour Ledger",
        "harbour-ledger",
        "publisher",
        "#1b4d89",
        "A daily paper for the coastal towns, covering councils, courts and the sea.",
    ),
    (
        "Valley Courier",
        "valley-courier",
        "publisher",
        "#2f7d4f",
        "Farming, rivers and the life of the inland valleys since long before the railway.",
    ),
    (
        "Metro Evening Post",
        "metro-evening-post",
        "publisher",
        "#8a2f5c",
        "The city's evening paper: transport, housing, culture and the night economy.",
    ),
    (
        "Northwind Wire",
        "northwind-wire",
        "agency",
        "#444b55",
        "A wire agency supplying news, pictures and data to outlets across the region.",
    ),
    (
        "Meridian Press Agency",
        "meridian-press",
        "agency",
        "#b0541a",
        "Wire copy on science, markets and world affairs, filed around the clock.",
    ),
]

TOPICS = [
    ("Politics", "politics"),
    ("Climate", "climate"),
    ("Business", "business"),
    ("Science", "science"),
    ("Culture", "culture"),
    ("Sport", "sport"),
    ("Transport", "transport"),
    ("Health", "health"),
]

# (title, topic slugs, summary, paragraphs) - every word written for this demo.
STORIES = [
    (
        "Harbour council votes to rebuild the old sea wall before winter",
        ["politics", "climate"],
        "After three storms in two years, councillors agreed to fund new defences along the quay.",
        [
            "The vote passed by eleven to four after a meeting that ran well past midnight.",
            "Engineers say the stone wall, built in the 1890s, has shifted by almost a metre.",
            "Shop owners on the front welcomed the decision but asked for work to pause in summer.",
        ],
    ),
    (
        "Night trains return to the valley line after a decade away",
        ["transport"],
        "A sleeper service linking the inland towns with the capital starts running in spring.",
        [
            "The operator will run four carriages on three nights a week at first.",
            "Tickets go on sale next month, with cheaper fares for seats rather than berths.",
            'Rail campaigners called the return "the best news the valley has had in years".',
        ],
    ),
    (
        "Seed bank in the hills doubles its store of rare barley",
        ["science", "climate"],
        "Scientists collected grain from forty farms to protect old varieties from drought.",
        [
            "The vault now holds more than two thousand samples kept at minus eighteen degrees.",
            "Some of the barley has been grown by the same families for six generations.",
            "Researchers hope to breed strains that need less water without losing flavour.",
        ],
    ),
    (
        "City libraries to stay open until ten on weeknights",
        ["culture"],
        "Longer hours begin in four branches after a trial that drew students and shift workers.",
        [
            "Visits after seven in the evening rose by a third during the trial.",
            "The council will pay for the extra staff from its community budget.",
            "Readers asked for quiet study rooms, which two branches will add next year.",
        ],
    ),
    (
        "Fishing co-operative wins contract to supply school kitchens",
        ["business"],
        "Thirty boats will deliver fresh catch to schools in the coastal district every week.",
        [
            "The deal runs for three years and covers more than sixty schools.",
            "Cooks have been trained to prepare species that rarely reach supermarkets.",
            "The co-operative says the steady order lets younger crews plan their seasons.",
        ],
    ),
    (
        "Riverside stadium plan approved with fewer car parking spaces",
        ["sport", "transport"],
        "The club's new ground will rely on trams and a cycle bridge rather than a multi-storey.",
        [
            "Planners cut the car park from two thousand spaces to four hundred.",
            "A new tram stop will open a season before the first match is played.",
            "Neighbours won a promise that floodlights will dim by half past ten.",
        ],
    ),
    (
        "Clinic trial cuts waiting times for hearing tests by half",
        ["health"],
        "Pharmacies in three towns now offer hearing checks without a doctor's referral.",
        [
            "Nurses trained in audiology run the checks in private rooms.",
            "Patients who need more care are booked straight into hospital clinics.",
            "Health officials will decide in the autumn whether to extend the scheme.",
        ],
    ),
    (
        "Wind farm off the northern cape begins sending power ashore",
        ["climate", "business"],
        "The first twelve turbines are connected, enough to supply forty thousand homes.",
        [
            "Crews worked through the winter to lay the cable across the seabed.",
            "The remaining turbines should be turning by the end of next year.",
            "Local boat yards say the maintenance work has brought back skilled jobs.",
        ],
    ),
    (
        "Regional orchestra commissions a symphony about the tides",
        ["culture"],
        "A young composer from the islands will write a piece recorded partly on the shore.",
        [
            "Microphones placed along the beach will capture waves at different hours.",
            "The premiere is planned for the reopened concert hall next winter.",
            "Schools will take part in workshops on how music is written.",
        ],
    ),
    (
        "Parliament committee questions delays to the coastal railway",
        ["politics", "transport"],
        "Members asked why the upgrade is two years late and forty per cent over budget.",
        [
            "The transport minister blamed unstable ground and a shortage of engineers.",
            "Committee members asked for monthly reports until the line reopens.",
            "Commuters have used replacement buses on the busiest section since March.",
        ],
    ),
    (
        "Astronomers at the hill observatory spot a comet heading inwards",
        ["science"],
        "The faint object should brighten enough to see with binoculars next spring.",
        [
            "Volunteers checking survey images noticed it moving against the stars.",
            "Its orbit suggests it last passed the sun several thousand years ago.",
            "The observatory will hold open nights if the skies stay clear.",
        ],
    ),
    (
        "Bakers' union agrees new deal on early morning shifts",
        ["business", "health"],
        "Staff who start before five will get an extra rest day each month.",
        [
            "The agreement covers the region's three largest bakeries.",
            "Managers say the change will help them keep experienced staff.",
            "The union wants similar terms for drivers who deliver the bread.",
        ],
    ),
    (
        "Women's rowing eight take the river title for the third year",
        ["sport"],
        "The university crew held off a late challenge to win by a canvas.",
        [
            "Strong crosswinds made the final stretch the hardest in years.",
            "The stroke, in her last season, called it the crew's best race.",
            "The club now turns to the national championships in July.",
        ],
    ),
    (
        "Floods ease in the lower valley as rain moves east",
        ["climate"],
        "Roads reopened and families began returning home after four days of high water.",
        [
            "Volunteers helped clear mud from the main street of the worst-hit village.",
            "The river authority will review how its warnings reached residents.",
            "Farmers fear some winter crops will not recover.",
        ],
    ),
    (
        "Tram network to run every five minutes on the busiest routes",
        ["transport"],
        "New timetables begin in the city next month, with later last trams on Fridays.",
        [
            "Twenty new vehicles have arrived from the depot after testing.",
            "Fares stay the same, but day tickets can now be bought on phones.",
            "Disability groups welcomed step-free boarding at all central stops.",
        ],
    ),
    (
        "Museum returns carved chest to the village it came from",
        ["culture"],
        "The oak chest, made in the 1600s, goes back on show in the parish hall.",
        [
            "Records show it left the village in a house sale a century ago.",
            "Volunteers raised money for a glass case and a small alarm.",
            "The museum will lend it again for exhibitions in the city.",
        ],
    ),
    (
        "Start-up turns seaweed into packaging for takeaway food",
        ["business", "science", "climate"],
        "A small firm on the east coast says its trays break down in garden compost within weeks.",
        [
            "The company harvests farmed seaweed rather than wild plants.",
            "Five restaurants in the city are testing the trays this month.",
            "Investors put in enough money to build a second drying shed.",
        ],
    ),
    (
        "Health board opens a walk-in centre near the central station",
        ["health"],
        "Commuters can see a nurse or a pharmacist without booking from seven until nine.",
        [
            "The centre will treat minor injuries and give vaccinations.",
            "Doctors hope it will ease pressure on the hospital's emergency department.",
            "Opening hours will be reviewed after the first six months.",
        ],
    ),
    (
        "Mayor sets out plan for five thousand homes on old rail land",
        ["politics", "business"],
        "Half of the new homes would be for social rent under the proposal published today.",
        [
            "The plan includes two schools, a health centre and a riverside park.",
            "Opposition councillors said the density was too high for the roads.",
            "A public consultation opens next week and runs for ten weeks.",
        ],
    ),
    (
        "Youth football league adds girls' teams in every age group",
        ["sport"],
        "Clubs across the valley report record sign-ups after last summer's tournament.",
        [
            "The league has trained forty new volunteer coaches this year.",
            "Some matches will move to Sunday mornings to find enough pitches.",
            "Parents have set up a kit swap for players who outgrow their boots.",
        ],
    ),
    (
        "Researchers map the sea floor of the bay in new detail",
        ["science", "climate"],
        "A survey ship found sandbanks that have moved a kilometre since the last charts.",
        [
            "The new maps will help pilots guide ships into the harbour.",
            "Scientists also found beds of seagrass that shelter young fish.",
            "The data will be published free for anyone to use.",
        ],
    ),
    (
        "Independent cinema reopens after a year of repairs",
        ["culture"],
        "The restored picture house keeps its painted ceiling and adds a small second screen.",
        [
            "Builders found the original ticket booth behind a false wall.",
            "The opening season mixes new releases with silent films and live piano.",
            "Members raised a third of the cost through a share offer.",
        ],
    ),
    (
        "Ferry operator adds winter sailings to the outer islands",
        ["transport", "business"],
        "Islanders will have a daily boat through the winter for the first time.",
        [
            "The extra sailings use a smaller vessel that copes better with swell.",
            "Shops on the islands hope for steadier deliveries of fresh food.",
            "The operator says fares will be frozen until next summer.",
        ],
    ),
    (
        "Council pilots four-day week for its planning department",
        ["politics"],
        "Staff will work the same hours over four days in a six-month trial.",
        [
            "Managers want to see whether planning decisions speed up.",
            "Applicants will still be able to phone the office on Fridays.",
            "Unions welcomed the trial and asked for it to be measured fairly.",
        ],
    ),
    (
        "Hospital robot helps surgeons with delicate knee operations",
        ["health", "science"],
        "Patients at the district hospital are the first in the region to benefit.",
        [
            "The machine guides the surgeon's cuts to within a fraction of a millimetre.",
            "Early patients left hospital a day sooner on average.",
            "Surgeons say the robot supports rather than replaces their judgement.",
        ],
    ),
    (
        "Cycling route along the canal is finished after six years",
        ["transport", "sport"],
        "The forty-kilometre path links the city centre with the lakes.",
        [
            "Volunteers cleared towpaths that had been overgrown for decades.",
            "New bridges carry the route over two busy roads.",
            "Cafes along the canal are already reporting more visitors.",
        ],
    ),
    (
        "Market traders win a say in the redesign of the square",
        ["business", "politics"],
        "Stallholders will sit on the panel choosing the final plans.",
        [
            "The square will get new lighting, shelter and water points.",
            "Traders asked for loading bays close to the stalls.",
            "Work will be done in phases so the market can keep trading.",
        ],
    ),
    (
        "Record number of students choose engineering at the college",
        ["science", "business"],
        "Applications rose by a quarter, with more women applying than ever before.",
        [
            "The college credits open days run with local employers.",
            "A new workshop with modern tools opens in January.",
            "Apprenticeships with the wind farm are the most popular option.",
        ],
    ),
    (
        "Folk festival moves to the castle grounds for its anniversary",
        ["culture"],
        "Organisers expect ten thousand visitors over three days in August.",
        [
            "The larger site allows a second stage and a family area.",
            "Shuttle buses will run from the station every quarter of an hour.",
            "Tickets for local residents will be sold at a lower price.",
        ],
    ),
    (
        "Water company to replace lead pipes in the old town",
        ["health", "politics"],
        "Around two thousand homes will have their supply pipes changed over three years.",
        [
            "Residents will get letters a month before work reaches their street.",
            "Tests have found levels within limits, but the pipes are near the end of their life.",
            "The company will pay for the part of the pipe on private land too.",
        ],
    ),
    (
        "Climbing wall opens in a disused church",
        ["sport", "culture"],
        "The walls rise past the stained glass windows, which have been cleaned and kept.",
        [
            "The owners spent two years winning permission to convert the building.",
            "Sessions for schools and beginners run every weekday afternoon.",
            "Neighbours said they were glad to see the building used again.",
        ],
    ),
    (
        "Beekeepers report their best honey harvest in a decade",
        ["climate", "business"],
        "A warm spring and wildflower verges helped hives across the valley thrive.",
        [
            "The beekeepers' association counted more hives than ever before.",
            "Councils have left more roadside verges uncut since last year.",
            "Prices at farm shops are expected to fall slightly.",
        ],
    ),
    (
        "Coastal path reopens after landslip repairs",
        ["climate", "sport"],
        "Walkers can once more follow the cliffs between the two harbours.",
        [
            "Contractors moved the path inland where the cliff had fallen away.",
            "New signs warn walkers to keep away from the edge after heavy rain.",
            "Guest houses along the route had lost bookings during the closure.",
        ],
    ),
    (
        "Central bank holds interest rates steady for a third month",
        ["business", "politics"],
        "Policy makers said prices were rising more slowly but still faster than their target.",
        [
            "Two members of the committee voted for a small cut.",
            "Mortgage lenders said they did not expect to change their rates.",
            "The next decision is due in six weeks.",
        ],
    ),
    (
        "Scientists test drones to count seabirds on the cliffs",
        ["science", "climate"],
        "Counts that took a team a week now take an afternoon, without disturbing nests.",
        [
            "The drones fly high enough that birds do not react to them.",
            "Software trained on earlier photos tells the species apart.",
            "The results will guide where new protected areas are drawn.",
        ],
    ),
    (
        "Theatre company takes a play about the mines on tour",
        ["culture"],
        "The production will visit twenty towns, many of them without a theatre.",
        [
            "Performances will take place in halls, schools and a former pithead.",
            "Former miners helped the writers with the stories in the script.",
            "Some shows will have captions and a relaxed performance.",
        ],
    ),
]
