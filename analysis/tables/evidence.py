"""Evidence (*underlag*): which kind of evidence the boards' follow-ups rest on,
quantitative, qualitative or both, per KF goal. Boards choose their own methods; the mix
is shown, not judged."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.tables.movement import assessments
from analysis.occasion import Occasion
from analysis.tables.tally import as_list, catalogue_maps, distribution, lookup, stamp

EVIDENCE_MIX_COLUMNS = [
    "occasion", "mandate_period", "goal_area_code", "goal_code", "evidence_type", "evidence_label", "count", "share",
    "follow_ups", "unanswered",
]


def evidence_mix(
    catalogue: Catalogue, submissions: pd.DataFrame, follow_ups: pd.DataFrame, occasions: Occasion | Sequence[Occasion]
) -> pd.DataFrame:
    """Per follow-up occasion, KF goal and evidence type: count and share of the goal's
    follow-ups that named their type of evidence (shares sum to one per goal; empty when
    none did); `follow_ups` in all and those that left the type blank (`unanswered`)."""
    occs = [o for o in as_list(occasions) if o.is_follow_up]
    rows = assessments(catalogue, submissions, follow_ups, occs)
    area_of, _, _ = catalogue_maps(catalogue)
    universe = [(o.code, g) for o in occs for g in catalogue.goals["goal_code"]]
    scale = catalogue.scales["evidence_type"]
    out = distribution(rows, ["occasion", "goal_code"], "evidence_type", scale.codes, scale.labels, universe)
    out = out.rename(columns={"level": "evidence_type", "level_label": "evidence_label"})
    out["follow_ups"] = out["answers"] + out["unanswered"]
    out["goal_area_code"] = lookup(out["goal_code"], area_of)
    return stamp(out, catalogue)[EVIDENCE_MIX_COLUMNS]
