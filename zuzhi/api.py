"""The REST API (/api/), django-ninja; handlers are thin adapters over services/selectors."""

from ninja import NinjaAPI

api = NinjaAPI(title="Zuzhi 组织工作平台 API", version="1", urls_namespace="api")
