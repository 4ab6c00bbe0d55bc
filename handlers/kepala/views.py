"""What the Kepala Dinas reads of a reported period: the one-screen recap of `handlers.recap_views` with the
disposition buttons, and, on request, one line per unit (`handlers.recap_views.unit_blocks`)."""

from __future__ import annotations

from handlers.callbacks import Button, pack
from handlers.recap_views import detail_buttons
from handlers.screens import Buttons
from i18n import t


def recap_buttons(period_id: int, evidence: Buttons, language: str) -> Buttons:
    """Setuju / Beri arahan, the per-unit detail, and the units' 📎 buttons while there are few of them."""
    return [[(t("notify.agree_button", language), pack(Button.KEPALA_AGREE, period_id)),
             (t("notify.arahan_button", language), pack(Button.KEPALA_ARAHAN, period_id))],
            *detail_buttons(period_id, evidence, language)]
