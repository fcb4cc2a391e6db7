"""Reports of invented events, saved through the real path (post_save -> on_commit)."""

import pytest
from django.utils import timezone

from tests import factories

FERRY = [
    (
        "Ferry crews at Port Callow walk out over night shift rotas",
        "Crews on the Callow to Inverbrae ferry stopped work at dawn, leaving commuters "
        "on the quay.",
        [
            "The union says new rotas would have deckhands working four night shifts in a row.",
            "The operator, Saltmarsh Lines, called the stoppage premature and booked talks.",
            "Islanders were told to expect no crossings before Wednesday evening.",
            "A shop owner on the island said deliveries of bread had already stopped.",
            "The island's school will open late so that teachers on the mainland can arrive.",
            "Fishermen offered to carry urgent medicines across in their own boats.",
        ],
    ),
    (
        "Callow ferry strike strands island commuters",
        "Ferry workers in Port Callow went on strike over night shift patterns, halting sailings "
        "to Inverbrae.",
        [
            "The deckhands' union said Saltmarsh Lines wanted staff to work four nights running.",
            "Saltmarsh Lines described the walkout as premature and said talks were planned.",
            "No sailings to the island are expected before Wednesday evening.",
            "The island's only doctor asked for prescriptions to be sent over by lifeboat.",
            "Local councillors called for a deal before the weekend ferry timetable starts.",
        ],
    ),
]
CHESS = (
    "Sixteen-year-old Noor Haddad wins national chess title",
    "Noor Haddad became the youngest national chess champion after a final-round win in Carrow.",
    [
        "She beat the defending champion Piet Molenaar in a game lasting five hours.",
        "Her coach said she had studied the opening for months before the tournament.",
        "She will represent the country at the world junior championship in the autumn.",
    ],
)


def make(title, summary, paragraphs, *, hours_ago=2.0, source=None, **kwargs):
    return factories.ArticleFactory(
        title=title,
        slug=None,
        summary=summary,
        body="".join(f"<p>{p}</p>" for p in paragraphs),
        source=source or factories.SourceFactory(),
        published_at=timezone.now() - timezone.timedelta(hours=hours_ago),
        **kwargs,
    )


@pytest.fixture
def ferry_story(db, django_capture_on_commit_callbacks):
    """Two sources' reports of one strike, and an unrelated chess report: saved and grouped."""
    with django_capture_on_commit_callbacks(execute=True):
        first = make(*FERRY[0], hours_ago=3)
        second = make(*FERRY[1], hours_ago=2)
        chess = make(*CHESS, hours_ago=1)
    return first, second, chess
