import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zuzhi.settings")
django_application = get_wsgi_application()

# No server without the data key once personal data is encrypted (core.crypto): refusing here
# names the missing key at start, not at the first page that reads an ID number.
from zuzhi.core.fields import require_data_key  # noqa: E402 - needs Django set up

require_data_key()

# Public votes take a short way in; every other request is Django's (see contests.voting.fastvote).
from zuzhi.contests.voting.fastvote import PublicVoteShortcut  # noqa: E402 - needs Django set up

application = PublicVoteShortcut(django_application)

# What is loaded now (Django, the apps, the pinyin dictionaries) lives as long as the process:
# frozen, the full collections that a page allocating many objects sets off no longer rescan it
# (a county's contest results, 650 rows, went from 110 ms to 270 ms on such a request).
gc.freeze()
