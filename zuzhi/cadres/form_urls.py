"""URLs of this part of the cadre pages; included by zuzhi.cadres.urls (namespace cadres)."""

urlpatterns = []
