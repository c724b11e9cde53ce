"""The reserve pool against its targets (后备力量库, /api/reserves/pool): the figures of the
dashboard by township and by village, from reserves.targets."""

from decimal import Decimal

from ninja import Field, Router, Schema

from zuzhi.core.params import ObjectId

from . import targets
from .models import ReserveSource
from .scoping import require_reserve_manager

router = Router(tags=["村级后备力量"])


class ReservePoolTargetsOut(Schema):
    per_village: int = Field(..., description="每村（社区）入库人数至少")
    max_average_age: int = Field(..., description="平均年龄至多（岁）")
    min_college_share: str = Field(..., description="大专及以上占比至少，分数，如 3/5")


class ReservePoolFiguresOut(Schema):
    org_id: int | None = Field(..., description="乡镇或村（社区）党组织；合计行为空")
    org_name: str
    villages: int = Field(..., description="村（社区）数")
    villages_under: int = Field(..., description="入库人数不足目标的村（社区）数")
    pool: int = Field(..., description="入库人数（候选、退出的不计）")
    appointed: int = Field(..., description="已进入村“两委”的后备力量")
    average_age: Decimal | None = Field(..., description="平均年龄（周岁，一位小数）")
    college: int = Field(..., description="大专及以上人数")
    college_percent: Decimal | None = Field(..., description="大专及以上占比（%，一位小数）")
    count_met: bool
    age_met: bool | None = Field(..., description="无入库人选时为空")
    college_met: bool | None = Field(..., description="无入库人选时为空")
    sources: dict[str, int] = Field(..., description="按人选来源（代码）的入库人数")


class ReservePoolOut(Schema):
    targets: ReservePoolTargetsOut
    rows: list[ReservePoolFiguresOut]
    total: ReservePoolFiguresOut


def _pool_figures(figures: targets.PoolFigures, name: str = "合计") -> dict:
    return {
        "org_id": figures.org.pk if figures.org else None,
        "org_name": figures.org.name if figures.org else name,
        "villages": figures.villages,
        "villages_under": figures.villages_under,
        "pool": figures.pool,
        "appointed": figures.appointed,
        "average_age": figures.average_age_shown,
        "college": figures.college,
        "college_percent": figures.college_percent_shown,
        "count_met": figures.count_met,
        "age_met": figures.age_met,
        "college_met": figures.college_met,
        "sources": {s: figures.sources[s] for s in ReserveSource.values},
    }


def _pool(rows: list[targets.PoolFigures], total: targets.PoolFigures) -> dict:
    t = targets.reserve_targets()
    return {
        "targets": {
            "per_village": t.per_village,
            "max_average_age": t.max_average_age,
            "min_college_share": str(t.min_college_share),
        },
        "rows": [_pool_figures(r) for r in rows],
        "total": _pool_figures(total),
    }


@router.get("", response=ReservePoolOut, summary="后备力量库：按乡镇（街道）")
def pool_by_township(request):
    require_reserve_manager(request.user)
    rows = targets.township_pool_rows(user=request.user)
    return _pool(rows, targets.pool_total(rows=rows))


@router.get("/{int:township_id}", response=ReservePoolOut, summary="后备力量库：按村（社区）")
def pool_by_village(request, township_id: ObjectId):
    township = targets.pool_township_get(user=request.user, pk=township_id)
    rows = targets.village_pool_rows(user=request.user, township=township)
    return _pool(rows, targets.pool_total(rows=rows, org=township))
