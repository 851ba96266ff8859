"""Background tasks: thin entry points that take ids and are safe to run twice."""

from django.tasks import task

from lejek.scoring import rescore, thresholds


@task
def rescore_leads(rule_ids: list[int] | None = None) -> dict[str, int]:
    """Score every lead again after rules changed (only `rule_ids`' points, when given)."""
    return rescore.rescore(rule_ids=rule_ids)


@task
def run_threshold_actions(crossing_ids: list[int]) -> dict[str, int]:
    """The actions of thresholds leads crossed; a crossing already handled is skipped."""
    return thresholds.run_actions(crossing_ids)


@task
def decay_scores() -> dict[str, int]:
    """Take away decayed points (run daily, e.g. `lejek manage scoring_decay`)."""
    return rescore.decay_due()
