"""The stage templates from the source articles, offered when a pipeline is created.

Names are as in SPEC C2. Seed 002 gives its probabilities; for the others the
probabilities are ours, rising with each stage and 100 % at the last.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class StageTemplate:
    name: str
    probability: int
    rotting_days: int | None = None


@dataclass(frozen=True)
class PipelineTemplate:
    key: str
    name: str
    seed: str
    stages: tuple[StageTemplate, ...]


TEMPLATES: dict[str, PipelineTemplate] = {
    t.key: t
    for t in (
        PipelineTemplate(
            key="outbound_b2b",
            name="Outbound B2B",
            seed="000",
            stages=(
                StageTemplate("Cold prospect", 5, 14),
                StageTemplate("Conversation started", 20, 14),
                StageTemplate("Demo/intro meeting booked", 40, 10),
                StageTemplate("Proposal or contract considered", 70, 21),
                StageTemplate("Closed", 100),
            ),
        ),
        PipelineTemplate(
            key="seven_stage",
            name="Seven-stage",
            seed="001",
            stages=(
                StageTemplate("Prospecting", 10, 14),
                StageTemplate("Qualification", 20, 14),
                StageTemplate("Meeting", 35, 10),
                StageTemplate("Proposal", 50, 14),
                StageTemplate("Negotiation", 70, 21),
                StageTemplate("Closing", 90, 14),
                StageTemplate("Fulfilment", 100),
            ),
        ),
        PipelineTemplate(
            key="probability_weighted",
            name="Probability-weighted",
            seed="002",
            stages=(
                StageTemplate("Discovery call", 10, 14),
                StageTemplate("Qualified", 20, 14),
                StageTemplate("Product demo", 40, 14),
                StageTemplate("Product trial", 60, 30),
                StageTemplate("Final call", 80, 14),
                StageTemplate("Won", 100),
            ),
        ),
        PipelineTemplate(
            key="sales_cycle",
            name="Sales cycle",
            seed="004",
            stages=(
                StageTemplate("Lead generation", 5, 14),
                StageTemplate("First contact", 10, 10),
                StageTemplate("Qualification", 20, 14),
                StageTemplate("Sales presentation", 40, 14),
                StageTemplate("Objection handling", 60, 14),
                StageTemplate("Closing", 80, 14),
                StageTemplate("Post-sale follow-up", 100),
            ),
        ),
    )
}
