import random

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zuzhi.cadres.models import Cadre
from zuzhi.core.audit_chain import audit_seal
from zuzhi.demo.activity import seed_meetings, seed_member_cases, seed_recruitment
from zuzhi.demo.adjustments import seed_adjustments
from zuzhi.demo.apartments import seed_apartments
from zuzhi.demo.archive import seed_archive
from zuzhi.demo.cadre_work import seed_nominations, seed_ranks, seed_teams, seed_training
from zuzhi.demo.cadres import seed_cadre_accounts, seed_cadres
from zuzhi.demo.contests import seed_contests
from zuzhi.demo.households import seed_households
from zuzhi.demo.promotions import seed_promotions
from zuzhi.demo.ratings import seed_ratings
from zuzhi.demo.reserve_training import seed_reserve_training
from zuzhi.demo.reserves import seed_reserves
from zuzhi.demo.seeding import (
    TODAY,
    random_password,
    refresh_statistics,
    seed_accounts,
    seed_members,
    seed_organizations,
)
from zuzhi.demo.subsidies import seed_subsidies
from zuzhi.demo.talent import seed_talent
from zuzhi.demo.talent_awards import seed_talent_awards
from zuzhi.demo.talent_demands import seed_challenges, seed_talent_demands
from zuzhi.demo.team_appraisal import seed_team_appraisal
from zuzhi.demo.three_ones import seed_three_ones
from zuzhi.demo.tickets import seed_tickets
from zuzhi.demo.village_work import seed_village_account, seed_village_work
from zuzhi.points.tally import points_refresh_all


class Command(BaseCommand):
    help = "生成示范县演示数据（可重复运行，不会重复创建）。"

    def add_arguments(self, parser):
        parser.add_argument("--password", help="所有演示账号的密码（默认随机生成并打印）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，同一种子生成相同数据")
        parser.add_argument("--members", type=int, default=16_000, help="党员人数（约数）")

    def handle(self, *args, password=None, seed=2026, members=16_000, **options):
        password = password or random_password()
        rng = random.Random(seed)
        try:
            with transaction.atomic():
                demo = seed_organizations(rng=rng)
                accounts = seed_accounts(demo=demo, password=password)
                members = seed_members(rng=random.Random(seed + 1), target=members)
                refresh_statistics()
                meetings = seed_meetings(rng=random.Random(seed + 2))
                candidates = seed_recruitment(rng=random.Random(seed + 3))
                seed_member_cases(rng=random.Random(seed + 4))
                contests = seed_contests(demo=demo, rng=random.Random(seed + 5))
                stars = seed_ratings(rng=random.Random(seed + 6))
                cadres = seed_cadres(demo=demo, rng=random.Random(seed + 7))
                refresh_statistics()
                teams = seed_teams(demo=demo)
                ranks = seed_ranks(rng=random.Random(seed + 8))
                seed_promotions(demo=demo, rng=random.Random(seed + 10))
                accounts += seed_cadre_accounts(demo=demo, password=password)
                trained = seed_training(
                    rng=random.Random(seed + 9),
                    cadre1=Cadre.objects.filter(user__username="cadre1").first(),
                )
                accounts += seed_nominations(demo=demo, password=password)
                refresh_statistics()
                seed_archive(demo=demo, rng=random.Random(seed + 11))
                seed_three_ones(demo=demo, rng=random.Random(seed + 12))
                seed_village_work(demo=demo, rng=random.Random(seed + 13))
                accounts += seed_village_account(password=password)
                seed_team_appraisal(demo=demo, rng=random.Random(seed + 14))
                reserves, logins = seed_reserves(
                    demo=demo, rng=random.Random(seed + 16), password=password
                )
                accounts += logins
                seed_reserve_training(demo=demo, rng=random.Random(seed + 17))
                households, logins = seed_households(
                    demo=demo, rng=random.Random(seed + 18), password=password
                )
                accounts += logins
                tickets = seed_tickets(demo=demo, rng=random.Random(seed + 19))
                talents, logins = seed_talent(
                    demo=demo, rng=random.Random(seed + 20), password=password
                )
                accounts += logins
                seed_subsidies(demo=demo, rng=random.Random(seed + 21))
                seed_apartments(demo=demo, rng=random.Random(seed + 22))
                seed_talent_demands(demo=demo, rng=random.Random(seed + 23))
                seed_challenges(demo=demo, rng=random.Random(seed + 24))
                seed_talent_awards(demo=demo, rng=random.Random(seed + 25))
                # Last: the triggers read what every seeder above has written.
                seed_adjustments(demo=demo, rng=random.Random(seed + 15))
                # Attendance and appraisals were written in bulk: the kept points follow.
                points_refresh_all(years=[TODAY.year - 1, TODAY.year])
        except ValidationError as exc:
            raise CommandError("演示数据生成失败：" + "；".join(exc.messages)) from exc
        # The seed's audit rows are one large transaction, which production leaves to the
        # worker; seed-demo also runs without one (tests, a database prepared ahead), so
        # they are sealed into the chain here and the worker finds nothing left.
        audit_seal()
        self.stdout.write(
            f"示范县：新建组织 {demo.created} 个，更新 {demo.updated} 个；新建党员 {members} 名；"
            f"组织生活记录 {meetings} 条；发展党员 {candidates} 人；考评竞赛 {contests} 项；星级评定 {stars} 颗星；"
            f"新建干部 {cadres} 名，领导班子 {teams} 个，职级记录 {ranks} 条，学时记录 {trained} 条；村级后备力量 {reserves} 人；联系户 {households} 户，联户诉求 {tickets} 件；人才 {talents} 人。"
        )
        self.stdout.write("\n演示账号（地址 http://127.0.0.1:8000 ）：")
        for username, full_name, where in accounts:
            self.stdout.write(f"  {username:<14} {password}    {full_name}（{where}）")
