"""Amounts written out in capital Chinese numerals (人民币大写), as on paper vouchers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUP_UNITS = ("", "万", "亿", "万亿")


def _group(n: int) -> str:
    """0 < n < 10000 without leading zeros; inner zeros read once as 零."""
    out, pending_zero = "", False
    for power, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = n // power % 10
        if digit == 0:
            pending_zero = pending_zero or bool(out)
            continue
        if pending_zero:
            out += "零"
            pending_zero = False
        out += DIGITS[digit] + unit
    return out


def amount_in_words(amount: Decimal) -> str:
    """Decimal("10010.50") -> "壹万零壹拾元伍角整"."""
    fen = int((abs(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if fen == 0:
        return "零元整"
    yuan, rest = divmod(fen, 100)
    jiao, fen = divmod(rest, 10)
    groups = []
    while yuan:
        yuan, group = divmod(yuan, 10000)
        groups.append(group)
    words, gap = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = gap or bool(words)
            continue
        if words and (gap or group < 1000):
            words += "零"
        words += _group(group) + GROUP_UNITS[index]
        gap = False
    if words:
        words += "元"
    if jiao == 0 and fen == 0:
        return words + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif words:
        words += "零"
    return words + (DIGITS[fen] + "分" if fen else "整")
