"""The labelled set's article text: thirty short news stories written for this project
about an invented coastal region (no real events, people or publications). Each is
(title, paragraphs); the paragraphs are the expected body of the page built around them
(tests/ingest/fulltext/pages.py)."""

STORIES = [
    (
        "Harbour wall to be rebuilt after winter storms",
        [
            "The council agreed on Tuesday to rebuild the northern harbour wall, which was "
            "badly damaged by three storms in January and February.",
            "Engineers said the work would take eighteen months and cost about four million "
            "euros, most of it paid by the regional government.",
            "Fishermen welcomed the decision but asked that the work be done in stages, so "
            "that boats can keep landing their catch at the old quay while the wall is closed.",
            "The harbour master said temporary moorings would be laid in the south basin "
            "before the first section is taken down in April.",
        ],
    ),
    (
        "Valley school wins national robotics prize",
        [
            "A team of six pupils from the valley secondary school won the national robotics "
            "final on Saturday with a machine that sorts recycling by colour and weight.",
            "Their robot, built from bicycle parts and an old washing machine motor, beat "
            "forty other schools in a timed round judged by university engineers.",
            "The pupils will travel to the European final in the autumn, and the parents' "
            "association has started collecting money for the journey.",
            "Their teacher said the club meets twice a week after lessons and that half of "
            "its members had never written a line of code a year ago.",
        ],
    ),
    (
        "Night ferry returns after two years",
        [
            "The night ferry between the two harbours will sail again from the first of May, "
            "two years after the service was cut to save money.",
            "The operator said a new contract with the region made the late crossings "
            "possible, with departures at eleven and at half past one every night.",
            "Hospital staff and restaurant workers had campaigned for the service, saying "
            "the last bus left the island long before their shifts ended.",
            "Tickets will cost the same as on daytime crossings, and season passes bought "
            "before April will be valid on the night boats as well.",
        ],
    ),
    (
        "Old cannery becomes artists' studios",
        [
            "The abandoned fish cannery on the east quay has reopened as twenty-four studios "
            "for painters, potters and furniture makers.",
            "A cooperative of local artists bought the building for a symbolic sum in 2024 "
            "and repaired the roof and windows with the help of volunteers.",
            "Rents are set at a third of the market rate, on condition that each studio opens "
            "its doors to the public on the first weekend of every month.",
            "The first open weekend drew more than two thousand visitors, many of whom had "
            "worked in the cannery before it closed in the nineties.",
        ],
    ),
    (
        "Drought forces water limits in hill villages",
        [
            "Eleven villages in the upper valley will have their water supply cut at night "
            "from Monday, after the driest spring in sixty years.",
            "The water board said the reservoir stood at a third of its usual level and that "
            "the night cuts would save enough to avoid rationing by day.",
            "Farmers have been asked to water crops only in the early morning, and the "
            "filling of private swimming pools has been banned until further notice.",
            "Tankers will supply the two care homes and the clinic, which are exempt from "
            "the cuts, the board added.",
        ],
    ),
    (
        "Lighthouse keeper's cottage opens as museum",
        [
            "The cottage where four generations of lighthouse keepers lived has opened as a "
            "small museum of the coast and its shipwrecks.",
            "Visitors can climb to the lamp room for the first time since the light was "
            "automated in 1987, in groups of eight with a guide.",
            "The collection includes logbooks, oil lamps and a brass telescope donated by the "
            "granddaughter of the last keeper, who attended the opening.",
            "The museum is open from Thursday to Sunday until October and can be reached on "
            "foot along the cliff path from the village car park.",
        ],
    ),
    (
        "Bus drivers vote to accept new pay offer",
        [
            "Bus drivers across the region voted to accept a pay rise of six per cent, ending "
            "a dispute that led to four days of strikes in March.",
            "The offer also limits split shifts to two a week and adds a paid break on routes "
            "longer than four hours, the drivers' union said.",
            "Eight in ten members took part in the ballot, and more than two thirds voted in "
            "favour of the agreement.",
            "The transport authority said timetables would return to normal next week, once "
            "the vehicles withdrawn during the strike had been inspected.",
        ],
    ),
    (
        "Seal pups counted on the sandbanks",
        [
            "Volunteers counted a record three hundred and twelve seal pups on the outer "
            "sandbanks this winter, forty more than last year.",
            "The survey is carried out from small boats at low tide, and observers keep a "
            "distance of at least one hundred metres to avoid disturbing the animals.",
            "Biologists said calmer weather during the pupping season and fewer fishing nets "
            "left in the shallows probably explained the increase.",
            "Walkers are reminded to keep dogs on a lead on the beaches facing the sandbanks "
            "until the end of March.",
        ],
    ),
    (
        "Market hall roof to be replaced",
        [
            "The glass roof of the covered market will be replaced this summer, and traders "
            "will move to marquees on the square for eleven weeks.",
            "Inspectors found rust in several of the iron beams that hold the roof, which was "
            "built in 1898 and last repaired after the war.",
            "The new roof will keep the original design but use laminated glass and will "
            "carry solar panels on its southern side.",
            "Traders said they were relieved the work would happen in summer, when the "
            "square is busiest with visitors.",
        ],
    ),
    (
        "Library lends out tools as well as books",
        [
            "The town library now lends drills, ladders, sewing machines and garden tools, "
            "free of charge to anyone with a library card.",
            "The idea came from a survey in which residents said they owned tools they used "
            "once a year and would happily share.",
            "More than three hundred items were donated in the first month, and two retired "
            "carpenters check and repair them every Wednesday.",
            "Loans last a week and can be renewed once; the most popular item so far is a "
            "carpet cleaner, with a waiting list of twenty names.",
        ],
    ),
    (
        "Cycle path along the old railway completed",
        [
            "The last section of the cycle path along the former railway line opened on "
            "Sunday, linking the coast to the mountain villages.",
            "The path runs for forty-two kilometres, through three tunnels and over the "
            "restored viaduct above the river gorge.",
            "Cafés have opened in two of the old station buildings, and bicycles can be hired "
            "at both ends of the route.",
            "The region hopes the path will bring visitors outside the summer months, when "
            "many of the villages' guest houses stand empty.",
        ],
    ),
    (
        "Hospital opens new maternity ward",
        [
            "The regional hospital opened its new maternity ward on Monday, with twenty "
            "private rooms and a birth centre run by midwives.",
            "Parents will no longer have to travel to the city for births that need a "
            "specialist team, the hospital's director said.",
            "The ward was paid for by the health ministry and by a public appeal that raised "
            "nearly a million euros in two years.",
            "The first baby born in the new ward, a girl, arrived shortly after midnight, "
            "three hours after the official opening.",
        ],
    ),
    (
        "Fishing quota cut worries small boats",
        [
            "Owners of small fishing boats say a new cut in the hake quota could put half of "
            "them out of business within two years.",
            "The cut, agreed by ministers last week, reduces the catch allowed in coastal "
            "waters by a fifth to protect young fish.",
            "Scientists support the measure, saying stocks have fallen for five years in a "
            "row, but ask that the loss be shared fairly between large and small vessels.",
            "The fishermen's association will meet the fisheries minister next month to ask "
            "for compensation and for a separate quota for boats under twelve metres.",
        ],
    ),
    (
        "Festival of boats fills the bay",
        [
            "More than two hundred traditional boats sailed into the bay on Saturday for the "
            "festival that opens the summer season.",
            "Crews came from as far as the northern islands, some after a week at sea in "
            "wooden boats more than a century old.",
            "The parade was led by a rowing boat restored by pupils of the maritime school, "
            "who spent two winters replacing its planks.",
            "The festival continues until Tuesday with races, concerts on the quay and a "
            "market of boat builders and rope makers.",
        ],
    ),
    (
        "Council approves housing on former barracks",
        [
            "Four hundred homes will be built on the site of the former army barracks, after "
            "the council approved the plan by twenty votes to nine.",
            "A third of the homes will be let at social rents, and the old parade ground will "
            "become a park with a playground and allotments.",
            "Residents of the neighbouring streets had objected to the height of two of the "
            "blocks, which were lowered by two floors in the final plan.",
            "Work is expected to start next spring, once the remaining military buildings "
            "have been cleared of asbestos.",
        ],
    ),
    (
        "Rare orchid found on the headland",
        [
            "A botanist walking on the headland has found a colony of a rare orchid not seen "
            "in the region for more than eighty years.",
            "About sixty plants were growing on a slope grazed by sheep, which keep the grass "
            "short enough for the orchids to flower.",
            "The exact place will not be made public, to protect the plants from collectors, "
            "the nature trust said.",
            "The trust will fence a small area during the flowering season and count the "
            "plants every year with the help of the farmer.",
        ],
    ),
    (
        "Fire crews save timber yard",
        [
            "Firefighters worked through the night to stop a blaze spreading across the "
            "timber yard on the industrial estate.",
            "Six crews were called shortly after ten in the evening, when neighbours saw "
            "flames rising from a stack of pallets near the road.",
            "No one was hurt, and the main warehouse was saved, although the fire destroyed "
            "an office and two delivery vans.",
            "Investigators will examine the site this week; the owner said the yard would "
            "reopen on Monday.",
        ],
    ),
    (
        "Choir of dockworkers celebrates fifty years",
        [
            "The dockworkers' choir celebrated its fiftieth anniversary with a concert in the "
            "cathedral, sung to a full house.",
            "Founded by crane operators who sang during their breaks, the choir now has sixty "
            "members, only a few of whom still work at the port.",
            "The programme mixed sea shanties with the work songs the founders wrote, "
            "including one about the great strike of 1979.",
            "The choir will record an album this winter, its first since a cassette made in a "
            "church hall in the eighties.",
        ],
    ),
    (
        "New bridge closes to lorries after cracks found",
        [
            "Lorries over seven tonnes are banned from the new river bridge after inspectors "
            "found cracks in two of its supports.",
            "The bridge opened only three years ago, and the builder has been asked to explain "
            "why the cracks appeared so soon.",
            "Heavy traffic will be sent through the town centre until repairs are finished, "
            "which the roads department expects to take several months.",
            "Shopkeepers on the diversion route have asked for the lorries to be allowed only "
            "outside school hours.",
        ],
    ),
    (
        "Beach cleaners collect a tonne of plastic",
        [
            "Three hundred volunteers collected more than a tonne of rubbish from the dunes "
            "and beaches on Sunday, most of it plastic.",
            "Fishing nets, bottle caps and the remains of party balloons made up most of what "
            "was found, the organisers said.",
            "Schoolchildren sorted the finds into categories that will be sent to a "
            "university study of where sea litter comes from.",
            "The next clean-up is planned for the autumn, after the summer crowds have gone.",
        ],
    ),
    (
        "Apple growers expect bumper harvest",
        [
            "Apple growers in the valley expect their biggest harvest in a decade, after a "
            "mild spring with no late frost.",
            "The cooperative press will run day and night from September, and the growers "
            "have hired twice as many pickers as last year.",
            "Prices may fall, however, because orchards across the country report the same "
            "good conditions.",
            "The cooperative plans to turn more of the crop into juice and cider, which keep "
            "longer and sell at better prices.",
        ],
    ),
    (
        "Island gets its first secondary school",
        [
            "Children on the island will no longer take the ferry to school, now that its "
            "first secondary school has opened.",
            "Until this week, pupils aged twelve to eighteen crossed the strait twice a day, "
            "and storms often kept them at home.",
            "The school has eighty pupils and nine teachers, several of whom grew up on the "
            "island and returned for the job.",
            "The building also houses the island's library and a hall that will be used for "
            "concerts and meetings.",
        ],
    ),
    (
        "Storm brings down power lines in the north",
        [
            "Around nine thousand homes in the north of the region spent the night without "
            "power after a storm brought down lines and trees.",
            "Gusts of more than one hundred kilometres an hour were recorded on the coast, "
            "and two roads were closed by fallen trees.",
            "Engineers restored power to most homes by midday, but about five hundred farms "
            "in remote valleys may wait until tomorrow.",
            "The weather service has warned of further gales on Thursday and advises drivers "
            "to avoid the coastal road.",
        ],
    ),
    (
        "Rowing club builds boats for disabled athletes",
        [
            "The rowing club has built two boats adapted for athletes with disabilities, with "
            "fixed seats and extra floats.",
            "Members spent a winter in the boathouse shaping the hulls, advised by a coach "
            "who competed at two Paralympic Games.",
            "Eleven new rowers have joined since the boats were launched, the youngest "
            "fourteen and the oldest seventy-two.",
            "The club hopes to enter a crew in the national championships next year.",
        ],
    ),
    (
        "Town hall clock ticks again",
        [
            "The town hall clock is keeping time again after standing still at twenty past "
            "four for almost three years.",
            "A retired watchmaker and his grandson repaired the mechanism, which dates from "
            "1864, cleaning and remaking more than forty parts.",
            "The bells will ring the hours from seven in the morning to ten at night, a "
            "compromise with residents who complained of the noise.",
            "The council thanked the two volunteers with a plaque next to the clock room door.",
        ],
    ),
    (
        "Farm shop network grows to thirty members",
        [
            "Thirty farms now sell their produce through a shared online shop and weekly "
            "delivery rounds, two years after the network began with five.",
            "Customers order by Wednesday and collect on Saturday at one of twelve points, "
            "including the library and two pubs.",
            "Farmers keep nine tenths of the price, compared with a third or less when they "
            "sell to supermarkets, the network says.",
            "It now plans a refrigerated van so that it can add fish and dairy products to "
            "its range.",
        ],
    ),
    (
        "Museum returns carved panels to village church",
        [
            "Four carved wooden panels taken from the village church a century ago have been "
            "returned by the city museum.",
            "The panels, showing the seasons of the farming year, were sold by a priest in "
            "1921 to pay for a new roof.",
            "Restorers removed layers of varnish to reveal the original colours before the "
            "panels were put back in the choir.",
            "The village held a procession to welcome them home, led by the oldest "
            "parishioner, who is one hundred and one.",
        ],
    ),
    (
        "Airport to cut night flights",
        [
            "The regional airport will cut night flights by half from next year, under an "
            "agreement with the towns under its flight path.",
            "No flights will take off between midnight and six in the morning, except for "
            "medical and emergency flights.",
            "Airlines will pay higher charges for landings after eleven, and the money will "
            "go to insulating homes near the runway.",
            "Residents' groups welcomed the plan but said they would keep measuring noise "
            "to check that it is respected.",
        ],
    ),
    (
        "Young chess players meet in the old casino",
        [
            "Four hundred young chess players from twelve countries gathered in the old "
            "casino for the junior open this week.",
            "The youngest competitor is seven, and the tournament's favourite is a sixteen "
            "year old from the valley who became a master last year.",
            "Games are shown on screens in the casino's ballroom, where spectators follow "
            "each move in silence.",
            "The final round is on Sunday morning, followed by a simultaneous match in which "
            "the champion plays forty children at once.",
        ],
    ),
    (
        "Mountain hut reopens after rebuilding",
        [
            "The mountain hut below the northern pass has reopened after being rebuilt by "
            "the alpine club, three years after an avalanche destroyed it.",
            "The new hut sleeps thirty-six and is built of larch and stone, with solar panels "
            "and a system that cleans its own water.",
            "Materials were carried up by helicopter and mule, and volunteers gave more than "
            "eight thousand hours of work.",
            "The hut is staffed from June to September; in winter a small room remains open "
            "as an emergency shelter.",
        ],
    ),
]
