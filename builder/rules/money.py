"""Money kept and paid: cash banked (R9), loans and guarantees (R16), cadres' pay (R18),
hospitality (R21), cadres' personal receivables (R28) and bank accounts (R31).

Each rule makes one pass over the village's ledger (grouping by a key as it goes), never a scan
of the whole ledger per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from builder import model
from builder.format import schema
from builder.format.problems import Location
from builder.format.values import month_bounds, yuan
from builder.rules.base import Scope, rule, same_party, short

ZERO = Decimal(0)


def assembly_passed(decision: model.Decision | None, names: tuple[str, ...]) -> bool:
    """Tell whether a decision has a passed assembly step of one of these names."""
    if decision is None or not decision.passed:
        return False
    return any(step.name in names for step in decision.steps)


ASSEMBLY = ("村民代表会议决议", "村民会议决议")


def books_end(scope: Scope) -> dt.date | None:
    """The last day the village's books reach (the end of its newest period)."""
    latest = scope.village.latest
    return month_bounds(latest.period)[1] if latest else None


def officials(village: model.Village) -> dict[str, str]:
    """The village's cadres by compared name, with their roles."""
    roles = schema.TWO_COMMITTEE_ROLES | schema.SUPERVISOR_ROLES
    return {
        same_party(p.name): "、".join(r for r in p.roles if r in roles)
        for p in village.people
        if roles & set(p.roles)
    }


# --- R9 -------------------------------------------------------------------------------------
@rule(
    "R9",
    "warning",
    ("deposit_days",),
    "坐收坐支",
    "Cash received and spent without the bank",
    "现金收入应当及时存入银行，支出从银行走；收了现金不存、直接拿来花（坐收坐支），钱就绕开了账户，"
    "最容易被挪用或截留。",
    "Cash received should be banked promptly and spending should go through the bank; cash "
    "spent straight from takings bypasses the account and is where money goes missing.",
    "辛关镇；南浔；苏州高新区村级财务管理规定",
)
def check_cash_flow(scope: Scope) -> Iterator[model.Flag]:
    """Flag cash spent on the day cash came in, and cash receipts not banked in time (R9)."""
    received: dict[dt.date, model.LedgerRow] = {}
    receipts: list[tuple[model.Period, model.LedgerRow]] = []
    deposits: list[tuple[dt.date, Decimal]] = []
    judged = False
    for period in scope.village.periods:
        if period.deposits is not None:
            judged = True
            deposits += [(d.date, d.amount) for d in period.deposits]
        for row in period.ledger:
            if row.method == "现金" and row.income is not None:
                received.setdefault(row.date, row)
                if judged:
                    receipts.append((period, row))
    for period, row in scope.rows():
        if row.method != "现金" or row.expense is None or row.date not in received:
            continue
        first = received[row.date]
        yield scope.flag(
            scope.row_at(period, row),
            f"{row.voucher_no}“{short(row.summary)}”{row.date} 以现金支出 {yuan(row.expense)} 元，"
            f"同一天收到现金（{first.voucher_no}“{short(first.summary)}”{yuan(first.income)} 元）。"
            "现金收入应先存入银行，不能直接支用。",
            f"{row.voucher_no} paid {yuan(row.expense)} in cash on {row.date}, the day cash came "
            f"in ({first.voucher_no}, {yuan(first.income)}).",
            period=period.period,
        )
    end = books_end(scope)
    days = scope.params.deposit_days
    deposits.sort()
    dates = [d for d, _ in deposits]
    left = [a for _, a in deposits]
    at = 0
    for period, row in sorted(receipts, key=lambda x: (x[1].date, x[0].period, x[1].line)):
        deadline = row.date + dt.timedelta(days=days)
        need = row.income or ZERO
        # NOTE: a deposit made before this cash came in, or used up, banked other cash
        while at < len(dates) and (dates[at] < row.date or left[at] == 0):
            at += 1
        k = at
        while need > 0 and k < len(dates) and dates[k] <= deadline:
            used = min(need, left[k])
            need, left[k] = need - used, left[k] - used
            k += 1
        if need > 0 and end is not None and deadline <= end:
            yield scope.flag(
                scope.row_at(period, row),
                f"{row.voucher_no}“{short(row.summary)}”{row.date} 收到现金 {yuan(row.income)} 元，"
                f"到 {deadline}（{days} 天内）送存银行的记录还差 {yuan(need)} 元。",
                f"{row.voucher_no} took {yuan(row.income)} in cash on {row.date}; by {deadline} "
                f"deposits cover all but {yuan(need)}.",
                period=period.period,
            )


# --- R16 ------------------------------------------------------------------------------------
@rule(
    "R16",
    "error",
    ("loan_accounts",),
    "举债、担保未经决议和备案",
    "Loan or guarantee without a decision and filing",
    "村集体借钱或替别人担保，风险最终由全体村民承担：必须经村民（代表）会议决议，并报乡镇审核备案。",
    "Borrowing or guaranteeing puts every villager's money at risk: it needs an assembly "
    "decision and filing with the town.",
    "郯城“小微权力”清单；浙江省村级组织“不得出借、担保”规定",
)
def check_debts(scope: Scope) -> Iterator[model.Flag]:
    """Flag loans and guarantees without an assembly decision or town filing (R16)."""
    village = scope.village
    registered: dict[str, Decimal] = {}
    for debt in village.debts:
        if debt.kind == "借款":
            key = same_party(debt.party)
            registered[key] = registered.get(key, ZERO) + debt.amount
        decision = village.decision(debt.decision_id) if debt.decision_id else None
        lacks, lacks_en = [], []
        if not assembly_passed(decision, ASSEMBLY):
            lacks.append("村民（代表）会议通过的决议")
            lacks_en.append("an assembly decision")
        elif decision is not None:
            voted = next(s for s in decision.steps if s.name in ASSEMBLY)
            if voted.date > debt.date:
                lacks.append(
                    f"事前的决议（决议 {decision.id} 表决于 {voted.date}，晚于 {debt.date}）"
                )
                lacks_en.append(f"a decision beforehand ({decision.id} was voted on {voted.date})")
        if debt.filed_at is None:
            lacks.append("乡镇备案日期（filed_at）")
            lacks_en.append("filing with the town (filed_at)")
        if lacks:
            yield scope.flag(
                Location(scope.path("debts.csv"), debt.line),
                f"{debt.kind} {debt.id}（{short(debt.party)}，{yuan(debt.amount)} 元，{debt.date}）"
                f"缺少{'、'.join(lacks)}。",
                f"{'Loan' if debt.kind == '借款' else 'Guarantee'} {debt.id} "
                f"({yuan(debt.amount)}, {debt.date}) lacks {' and '.join(lacks_en)}.",
                ref=debt.id,
            )
    accounts = scope.params.loan_accounts
    borrowed: dict[str, Decimal] = {}
    for period, row in scope.rows():
        if row.income is None or not accounts or not row.account_code.startswith(accounts):
            continue
        key = same_party(row.counterparty)
        borrowed[key] = borrowed.get(key, ZERO) + row.income
        if borrowed[key] > registered.get(key, ZERO):
            yield scope.flag(
                scope.row_at(period, row),
                f"{row.voucher_no}“{short(row.summary)}”借入 {yuan(row.income)} 元"
                f"{'（' + row.counterparty + '）' if row.counterparty else ''}，借款余额增加，"
                "但 debts.csv 中没有登记相应的借款（决议和乡镇备案）。",
                f"{row.voucher_no} borrowed {yuan(row.income)}"
                f"{' from ' + row.counterparty if row.counterparty else ''}; no loan with its "
                "decision and filing is registered in debts.csv.",
                period=period.period,
            )


# --- R18 ------------------------------------------------------------------------------------
@rule(
    "R18",
    "warning",
    ("cadre_pay_accounts",),
    "干部报酬超过批准标准",
    "Cadre pay above the approved standard",
    "享受误工补贴的人员和补贴标准须经村民会议讨论决定；多发、自定报酬，是侵占集体资金。",
    "Who is paid and how much must be decided by the village assembly; paying more, or a rate "
    "cadres set themselves, takes collective money.",
    "村民委员会组织法第二十四条第一款",
)
def check_cadre_pay(scope: Scope) -> Iterator[model.Flag]:
    """Flag pay above a cadre's approved yearly standard, and standards without approval (R18)."""
    village = scope.village
    if not village.cadre_pay:
        return  # the village keeps no pay standards (v1.2, optional)
    where = scope.path("village.yml")
    standards: dict[tuple[str, int | None], model.CadrePay] = {}
    for pay in village.cadre_pay:
        standards.setdefault((same_party(pay.name), pay.year), pay)
        decision = village.decision(pay.decision_id) if pay.decision_id else None
        if not assembly_passed(decision, ("村民会议决议",)):
            yield scope.flag(
                Location(where, pay.line),
                f"{pay.name}的报酬标准（每年 {yuan(pay.annual)} 元{f'，{pay.year} 年' if pay.year else ''}）"
                "没有关联村民会议通过的决议（decision_id 指向含“村民会议决议”的记录）。",
                f"{pay.name}'s pay standard ({yuan(pay.annual)} a year) names no decision "
                "passed by the village assembly.",
            )
    cadres = officials(village)
    accounts = scope.params.cadre_pay_accounts
    paid: dict[tuple[str, int], Decimal] = {}
    done: set[tuple[str, int]] = set()
    for period, row in scope.rows():
        if row.expense is None or not accounts or not row.account_code.startswith(accounts):
            continue
        name = same_party(row.counterparty)
        if name not in cadres:
            continue
        key = (name, row.date.year)
        paid[key] = paid.get(key, ZERO) + row.expense
        standard = standards.get(key) or standards.get((name, None))
        limit = standard.annual if standard else ZERO
        if paid[key] <= limit or key in done:
            continue
        done.add(key)
        if standard is None:
            zh = f"本村登记了干部报酬标准（cadre_pay），但没有{row.counterparty}的标准"
            en = f"no approved pay standard for {row.counterparty}"
        else:
            zh = f"超过批准的年标准 {yuan(limit)} 元 {yuan(paid[key] - limit)} 元"
            en = f"{yuan(paid[key] - limit)} above the approved {yuan(limit)}"
        yield scope.flag(
            scope.row_at(period, row),
            f"{row.date.year} 年到 {row.voucher_no}“{short(row.summary)}”为止，付给{cadres[name]}"
            f"“{row.counterparty}”的工资、补贴合计 {yuan(paid[key])} 元，{zh}。",
            f"By {row.voucher_no}, {row.date.year} pay to {row.counterparty} adds up to "
            f"{yuan(paid[key])}: {en}.",
            period=period.period,
        )


# --- R21 ------------------------------------------------------------------------------------
@rule(
    "R21",
    "warning",
    ("hospitality_allowed", "hospitality_cap", "hospitality_words"),
    "招待费超标",
    "Hospitality over the cap",
    "公款吃喝是群众最反感的问题之一：村级招待费有月度上限，有的乡镇一律禁止。",
    "Eating and drinking on public money is what villagers resent most; hospitality has a "
    "monthly cap, and some towns forbid it.",
    "曲江乡村级招待费管理规定；幸和村案例",
)
def check_hospitality(scope: Scope) -> Iterator[model.Flag]:
    """Flag hospitality in a month above the cap, or any where the town forbids it (R21)."""
    params = scope.params
    words = params.hospitality_words
    month_total: dict[tuple[int, int], Decimal] = {}
    for period, row in scope.rows():
        if row.expense is None or not row.account_code.startswith("513"):
            continue
        if not any(word in row.summary for word in words):
            continue
        head = f"{row.voucher_no}“{short(row.summary)}”{yuan(row.expense)} 元"
        if not params.hospitality_allowed:
            yield scope.flag(
                scope.row_at(period, row),
                f"{head}是招待费，本县（镇）规定村级不得列支招待费。",
                f"{row.voucher_no} ({yuan(row.expense)}) is hospitality, which is not allowed here.",
                period=period.period,
            )
            continue
        key = (row.date.year, row.date.month)
        before = month_total.get(key, ZERO)
        month_total[key] = before + row.expense
        if before <= params.hospitality_cap < month_total[key]:
            yield scope.flag(
                scope.row_at(period, row),
                f"{head}之后，{key[0]} 年 {key[1]} 月招待费合计 {yuan(month_total[key])} 元，"
                f"超过每月上限 {yuan(params.hospitality_cap)} 元。",
                f"With {row.voucher_no}, hospitality in {key[0]}-{key[1]:02d} adds up to "
                f"{yuan(month_total[key])}, above the monthly cap of {yuan(params.hospitality_cap)}.",
                period=period.period,
            )


# --- R28 ------------------------------------------------------------------------------------
@rule(
    "R28",
    "warning",
    ("receivable_days", "receivable_accounts"),
    "干部借用公款未还",
    "Cadre's personal receivable left open",
    "干部个人借用集体资金应当当月归还；长期挂在应收款上，实际就是公款私用。",
    "Collective money lent to a cadre must come back within the month; left open as a "
    "receivable, it is public money in private use.",
    "曾都“八不准”；跨月不还即为违规",
)
def check_receivables(scope: Scope) -> Iterator[model.Flag]:
    """Flag money lent to a cadre and not repaid within the allowed days (R28)."""
    cadres = officials(scope.village)
    accounts = scope.params.receivable_accounts
    lent: dict[str, list[tuple[model.Period, model.LedgerRow]]] = {}
    repaid: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for period, row in scope.rows():
        if not accounts or not row.account_code.startswith(accounts):
            continue
        name = same_party(row.counterparty)
        if name not in cadres:
            continue
        if row.expense is not None:
            lent.setdefault(name, []).append((period, row))
        elif row.income is not None:
            repaid.setdefault(name, []).append((row.date, row.income))
    end = scope.as_of  # NOTE: "still open" is judged as of the day, like lateness (R1)
    days = scope.params.receivable_days
    for name, loans in lent.items():
        back = sorted(repaid.get(name, []))
        at, left = 0, back[0][1] if back else ZERO
        for period, row in loans:
            need, deadline = row.expense or ZERO, row.date + dt.timedelta(days=days)
            while need > 0 and at < len(back) and back[at][0] <= deadline:
                used = min(need, left)
                need, left = need - used, left - used
                if left == 0:
                    at += 1
                    left = back[at][1] if at < len(back) else ZERO
            if need > 0 and deadline < end:
                yield scope.flag(
                    scope.row_at(period, row),
                    f"{row.voucher_no}“{short(row.summary)}”{row.date} 借给{cadres[name]}"
                    f"“{row.counterparty}” {yuan(row.expense)} 元（应收款），到 {deadline}"
                    f"（{days} 天后）仍有 {yuan(need)} 元未归还。",
                    f"{row.voucher_no} lent {yuan(row.expense)} to {row.counterparty} on {row.date}; "
                    f"{yuan(need)} was still open {days} days later.",
                    period=period.period,
                )


# --- R31 ------------------------------------------------------------------------------------
@rule(
    "R31",
    "warning",
    (),
    "多头开户、收入进非指定账户",
    "Several basic accounts, or receipts into another account",
    "一个村只能有一个基本存款账户，收入只能进指定账户；多头开户、收入进别的账户，就可能形成账外账、小金库。",
    "A village may hold one basic account and receive money only into designated ones; more "
    "accounts, or receipts elsewhere, are how off-book funds begin.",
    "曾都（不得多头开户）；丹凤（账外账）",
)
def check_bank_accounts(scope: Scope) -> Iterator[model.Flag]:
    """Flag a second open basic account, and receipts into an undesignated account (R31)."""
    village = scope.village
    where = scope.path("village.yml")
    basic = sorted(
        (b for b in village.bank_accounts if b.kind == "基本存款账户"),
        key=lambda b: (b.opened or dt.date.min, b.line),
    )
    for i, later in enumerate(basic):
        for earlier in basic[:i]:
            start = later.opened or dt.date.min
            if earlier.closed is None or earlier.closed > start:
                yield scope.flag(
                    Location(where, later.line),
                    f"基本存款账户 {later.id}（{later.bank}）开立时，基本存款账户 {earlier.id}"
                    f"（{earlier.bank}）还没有销户：同时有两个基本存款账户。",
                    f"Basic account {later.id} was opened while basic account {earlier.id} was "
                    "still open: two basic accounts at once.",
                )
                break
    accounts = {b.id: b for b in village.bank_accounts}
    for period, row in scope.rows():
        if row.income is None or not row.bank_account:
            continue
        account = accounts.get(row.bank_account)
        if account is None:
            continue  # an unknown id is a record error (check/finance.py)
        if account.designated and account.open_on(row.date):
            continue
        why = "不是指定收款账户" if not account.designated else "当天不在开户期内"
        yield scope.flag(
            scope.row_at(period, row),
            f"{row.voucher_no}“{short(row.summary)}”收入 {yuan(row.income)} 元进入账户 "
            f"{account.id}（{account.bank}，{account.kind}），该账户{why}。",
            f"{row.voucher_no} received {yuan(row.income)} into account {account.id}, which "
            f"{'is not designated for receipts' if not account.designated else 'was not open then'}.",
            period=period.period,
        )
