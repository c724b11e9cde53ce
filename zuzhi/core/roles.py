"""Roles a user can hold on an organization node (角色)."""

from django.db import models


class Role(models.TextChoices):
    COUNTY_STAFF = "county_staff", "县委组织部工作人员"
    TOWNSHIP_STAFF = "township_staff", "乡镇党委组织委员"
    CADRE_STAFF = "cadre_staff", "县委组织部干部科"
    BRANCH_SECRETARY = "branch_secretary", "支部书记"
    JUDGE = "judge", "评委"
    JOINT_REVIEWER = "joint_reviewer", "联审部门审核人"
    TALENT_STAFF = "talent_staff", "县委组织部人才办"
    SYSTEM_ADMIN = "sysadmin", "系统管理员"
    AUDIT_ADMIN = "auditor", "审计管理员"


# Roles whose scope is the organization subtree of their node: they read and write
# business data there. Cadre staff (干部科) see the cadre records of their subtree and
# nothing else (zuzhi.cadres.models.scoping). System and audit administrators are kept apart from business data
# (等保 separation of duties); judges see only the contests they are seated on.
DATA_ROLES = frozenset({Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.BRANCH_SECRETARY})
