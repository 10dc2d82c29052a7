"""The currencies a practice may keep its money in: ISO 4217 (rule 28 of docs/rules.md).

``CODES`` lists the active alphabetic codes of ISO 4217 (its list one) whose
minor unit is 0, 2 or 3 digits: every national currency, and the funds
codes with such a unit. Left out: precious metals, SDRs and other units
without a minor unit (XAU, XDR, XXX...), the testing code XTS, and the
units of account with four digits (CLF, UYW). How many digits each code
has is ``money.minor_digits``.
"""

from __future__ import annotations

from ..errors import InputError

CODES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV
BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLP CNY COP COU CRC CUP CVE CZK DJF
DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG
HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK
LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN
NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
TRY TTD TWD TZS UAH UGX USD USN UYI UYU UZS VED VES VND VUV WST XAF XCD XCG XOF
XPF YER ZAR ZMW ZWG ZWL
""".split())


# ISO 4217 codes left out of CODES, with why (said when one is given).
REFUSED = {
    **dict.fromkeys(("XAU", "XAG", "XPD", "XPT"), "a precious metal, not money a practice is paid in"),
    **dict.fromkeys(("XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD"), "a unit of account, not money a practice is paid in"),
    "XTS": "the code ISO 4217 keeps for testing",
    "XXX": "the code ISO 4217 keeps for no currency at all",
    **dict.fromkeys(("CLF", "UYW"), "a unit of account with four decimal places; amounts here have at most three"),
}


def check_code(value: object) -> str:
    """An ISO 4217 code (any case in, upper case out), or InputError; a
    code of ISO 4217 that is refused is named as one, with why."""
    text = value.strip().upper() if isinstance(value, str) else ""
    if text in CODES:
        return text
    from .text import toml_shown

    fix = "use one such as EUR, USD, GBP, BRL or JPY"
    if text in REFUSED:
        raise InputError(f"currency {toml_shown(value)} is in ISO 4217, but as {REFUSED[text]}; {fix}")
    raise InputError(f"currency {toml_shown(value)} is not an ISO 4217 code; {fix}")
