"""The supervision parameters a county sets in county.yml (a town may override them), with defaults.

Defaults come from DOMAIN.md §8-§9; FORMAT.md lists every key.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Parameters:
    """Rule thresholds; a town may override the county's."""

    finance_cadence: str = "monthly"
    grace_days: int = 15
    tender_bands: tuple[tuple[Decimal, Decimal | None, str], ...] = (
        (Decimal(0), Decimal(20000), "村级简易招标"),
        (Decimal(20000), Decimal(200000), "镇农村产权交易中心"),
        (Decimal(200000), None, "县农村产权交易中心"),
    )
    major_matter_threshold: Decimal = Decimal(50000)
    cash_payment_limit: Decimal = Decimal(1000)
    notice_days: int = 7
    reply_days: int = 10
    village_affairs_months: int = 3  # R33: at least once a quarter
    party_affairs_months: int = 3  # R34
    decision_publish_days: int = 5  # R36
    meeting_days: tuple[tuple[str, int], ...] = ()  # R35: meeting kind -> the longest gap, days
    # supervision rules (builder/rules/; defaults from DOMAIN.md §8-§9)
    late_income_days: int = 30  # R10
    open_methods: tuple[str, ...] = ("公开招标", "竞价拍卖", "邀请招标")  # R11
    split_window_days: int = 90  # R12
    split_min_pct: int = 20  # R12: smaller items are supplies, not pieces of a split
    near_limit_pct: int = 5  # R13
    payroll_accounts: tuple[str, ...] = ("212", "213")  # R17
    duplicate_days: int = 3  # R19
    expiry_days: int = 90  # R26
    max_lease_years: int = 20  # R26
    deposit_days: int = 7  # R9: cash received is banked within this many days
    change_order_abs: Decimal = Decimal(50000)  # R15
    change_order_pct: int = 20  # R15: % of the contract amount
    loan_accounts: tuple[str, ...] = ("201", "221")  # R16: 短期借款, 长期借款及应付款
    cadre_pay_accounts: tuple[str, ...] = ("212", "213", "513")  # R18
    hospitality_allowed: bool = True  # R21
    hospitality_cap: Decimal = Decimal(1000)  # R21: a month's hospitality, in yuan
    hospitality_words: tuple[str, ...] = ("招待", "接待", "宴请", "餐费")  # R21
    relief_months: int = 12  # R25: the same cause twice within this many months
    relief_standard: Decimal = Decimal(700)  # R25: the county's monthly 低保 standard
    relief_cap_times: int = 6  # R25: one 临时救助 above this many months' standard
    receivable_days: int = 30  # R28: a cadre's 应收款 left open longer
    receivable_accounts: tuple[str, ...] = ("112",)  # R28: 应收款
    relatives_on_site: bool = False  # R24: show its flags (neutrally worded) on the site
    severity: tuple[tuple[str, str], ...] = ()  # rule id -> error / warning / info / off

    def level_of(self, rule: str) -> str | None:
        """The county's or town's severity for a rule, or None for the rule's own."""
        return dict(self.severity).get(rule)

    @property
    def limits(self) -> tuple[Decimal, ...]:
        """Amounts a split or near-limit amount may dodge: band ceilings, the major threshold."""
        highs = {high for _, high, _ in self.tender_bands if high is not None}
        return tuple(sorted(highs | {self.major_matter_threshold}))

    def band_of(self, amount: Decimal) -> int:
        """Index of the tender band an amount falls in (a band holds low <= amount < high)."""
        for i, (low, high, _) in enumerate(self.tender_bands):
            if amount >= low and (high is None or amount < high):
                return i
        return 0
