"""Settings for the tests' one collectstatic (tests/made_once.py): production's, with
brotli at quality 5 instead of WhiteNoise's 11.

The servers the tests start need what production serves (hashed names, a manifest, .br
and .gz copies); how small the .br files are is not what they check. Quality 11 spent
about 40 of collectstatic's 43 CPU-seconds (25 MB of scripts and source maps, most of
them the installed apps'), paid once per fresh clone, so on every CI run.
"""

import brotli
from whitenoise.compress import Compressor

from newsroom.settings import *  # noqa: F403
from newsroom.settings import STORAGES
from serving.static import StaticFilesStorage


class _QuickBrotli(Compressor):
    @staticmethod
    def compress_brotli(data):
        return brotli.compress(data, quality=5)


class QuickBrotliStorage(StaticFilesStorage):
    def create_compressor(self, **kwargs):
        return _QuickBrotli(**kwargs)


STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "tests.collect_settings.QuickBrotliStorage"},
}
