"""Original text in the languages and legacy encodings feeds arrive in (written for these
tests): one short news item per family, long enough for detection to be sure."""

KOREAN = (
    "항구 도시의 새벽 시장은 오늘도 일찍 문을 열었다. 어부들은 밤새 잡은 고등어와 오징어를 "
    "상자에 담아 경매장으로 옮겼고, 상인들은 따뜻한 국물을 나누며 하루를 시작했다. 시장 "
    "관리인은 올해 겨울에 지붕을 새로 고칠 계획이라고 말했다. 주민들은 새 버스 노선이 생기면 "
    "더 많은 손님이 올 것이라고 기대하고 있다."
)
JAPANESE = (
    "港町の朝市は今朝も早くから賑わっていた。漁師たちは夜のうちに獲った鯖やイカを箱に詰めて"
    "競り場へ運び、商人たちは温かい味噌汁を分け合いながら一日を始めた。市場の管理人は、今年の"
    "冬に屋根を修理する予定だと話した。住民は新しいバス路線ができれば、もっと多くの客が来ると"
    "期待している。"
)
CHINESE_SIMPLIFIED = (
    "港口城市的早市今天也很早就开门了。渔民们把夜里捕到的鲭鱼和鱿鱼装进箱子，运到拍卖场；"
    "商贩们一边分享热汤，一边开始新的一天。市场管理员说，今年冬天计划重新修理屋顶。居民们"
    "期待新的公交线路开通以后，会有更多的顾客到来。"
)
CHINESE_TRADITIONAL = (
    "港口城市的早市今天也很早就開門了。漁民們把夜裡捕到的鯖魚和魷魚裝進箱子，運到拍賣場；"
    "商販們一邊分享熱湯，一邊開始新的一天。市場管理員說，今年冬天計劃重新修理屋頂。居民們"
    "期待新的公車路線開通以後，會有更多的顧客到來。"
)
RUSSIAN = (
    "Утренний рынок портового города сегодня снова открылся рано. Рыбаки разложили по "
    "ящикам скумбрию и кальмаров, пойманных за ночь, и отнесли их на аукцион, а торговцы "
    "начали день с горячего супа. Смотритель рынка сказал, что этой зимой крышу "
    "отремонтируют. Жители надеются, что новый автобусный маршрут приведёт больше покупателей."
)
FRENCH = (
    "Le marché du matin a ouvert très tôt : les pêcheurs ont vendu leurs maquereaux à "
    "4 € le kilo, et les marchands ont partagé une soupe chaude avant l’aube. « C’est "
    "l’œuvre de toute une équipe », a déclaré Zoë, la gérante. Les habitants espèrent "
    "qu’une nouvelle ligne de bus amènera davantage de clients… dès l’été prochain."
)
GERMAN = (
    "Der Frühmarkt der Hafenstadt öffnete auch heute zeitig. Die Fischer packten Makrelen "
    "für 4 € das Kilo in Kisten, die Händler begannen den Tag mit heißer Suppe. Der "
    "Marktverwalter sagte, das Dach werde im Winter erneuert; Ärger über die Baustelle "
    "erwarte er nicht. Šárka und Žofie verkaufen dort seit Jahren Brot."
)
