from django.apps import AppConfig


class JointReviewsConfig(AppConfig):
    name = "zuzhi.joint_reviews"
    label = "joint_reviews"
    verbose_name = "县级联审"
