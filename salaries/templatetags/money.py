"""Show amounts exactly as published: the source's currency, never converted."""

from django import template

register = template.Library()

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


@register.filter
def money(amount, currency):
    """`53000|money:"EUR"` → '€53,000'; currencies without a common symbol keep
    their ISO code: 'PLN 7,500'."""
    if amount in (None, ""):
        return ""
    number = f"{int(amount):,}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{currency}\u00a0{number}"


@register.filter
def in_sentence(label):
    """A choice's label inside a sentence: 'Total compensation' → 'total compensation',
    'B2B contract rate' → 'B2B contract rate' (acronyms keep their capitals)."""
    return " ".join(word if word.isupper() else word.lower() for word in str(label).split())
