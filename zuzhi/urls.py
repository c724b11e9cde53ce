from django.urls import include, path

from zuzhi import views as site_views
from zuzhi.api import api

urlpatterns = [
    # The API first: the busiest public endpoint (votes) is then resolved in the fewest steps.
    path("api/", api.urls),
    path("", site_views.home, name="home"),
    path("home/refresh/", site_views.home_refresh, name="home_refresh"),
    path("accounts/", include("zuzhi.accounts.urls")),
    path("orgs/", include("zuzhi.orgs.urls")),
    path("members/", include("zuzhi.members.urls")),
    path("orglife/", include("zuzhi.orglife.urls")),
    path("recruitment/", include("zuzhi.recruitment.urls")),
    path("appraisal/", include("zuzhi.appraisal.urls")),
    path("points/", include("zuzhi.points.urls")),
    path("dues/", include("zuzhi.dues.urls")),
    path("contests/", include("zuzhi.contests.urls")),
    path("ratings/", include("zuzhi.ratings.urls")),
    path("cadres/", include("zuzhi.cadres.urls")),
    path("training/", include("zuzhi.training.urls")),
    path("promotions/", include("zuzhi.promotions.urls")),
    path("archive/", include("zuzhi.archive.urls")),
    path("three-ones/", include("zuzhi.three_ones.urls")),
    path("tickets/", include("zuzhi.tickets.urls")),
    path("village/", include("zuzhi.village_work.urls")),
    path("team-appraisals/", include("zuzhi.team_appraisal.urls")),
    path("adjustments/", include("zuzhi.adjustments.urls")),
    path("reserves/appraisals/", include("zuzhi.reserve_appraisals.urls")),
    path("reserves/use/", include("zuzhi.reserve_use.urls")),
    path("reserves/training/", include("zuzhi.reserve_training.urls")),
    path("reserves/", include("zuzhi.reserves.urls")),
    path("joint-reviews/", include("zuzhi.joint_reviews.urls")),
    path("households/", include("zuzhi.households.urls")),
    path("party-stats/", include("zuzhi.party_stats.urls")),
    path("talent/", include("zuzhi.talent.urls")),
    path("subsidies/", include("zuzhi.subsidies.urls")),
    path("apartments/", include("zuzhi.apartments.urls")),
    path("talent-demands/", include("zuzhi.talent_demands.urls")),
    path("challenges/", include("zuzhi.challenges.urls")),
    path("overview/", include("zuzhi.overview.urls")),
    # The talent office's public pages (no login): the published catalogue, open challenges.
    path("rencai/xuqiu/", include("zuzhi.talent_demands.public_urls")),
    path("rencai/jiebang/", include("zuzhi.challenges.public_urls")),
    # The quarterly publication of contest results (季度晾晒, no login).
    path("gongshi/", include("zuzhi.overview.public_urls")),
    path("audit/", include("zuzhi.core.urls")),
    path("imports/", include("zuzhi.core.import_urls")),
    path("exports/", include("zuzhi.core.export_urls")),
    # A household's public pages (no login): its QR code /h/<token>/, the callback /r/<token>/.
    path("", include("zuzhi.tickets.public_urls")),
    path("households/figures/", include("zuzhi.tickets.figures_urls")),
]

handler404 = "zuzhi.views.not_found"
handler500 = "zuzhi.views.server_error"
