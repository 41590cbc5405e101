"""Typed PII placeholders: what redaction writes, and what the tokenizer keeps as one token each.

This module is the single source of the placeholder strings; the PII redactor
writes them and the tokenizer registers them as special tokens.
"""

#: PII type -> placeholder written in place of the value.
PLACEHOLDERS: dict[str, str] = {
    "rrn": "<|rrn|>",  # resident registration number (주민등록번호)
    "frn": "<|frn|>",  # foreigner registration number (외국인등록번호)
    "phone": "<|tel|>",
    "email": "<|email|>",
    "card": "<|card|>",
    "account": "<|acc|>",
    "passport": "<|passport|>",
    "driver_license": "<|dl|>",
    "brn": "<|brn|>",  # business registration number (사업자등록번호)
    "ip": "<|ip|>",
    "address": "<|addr|>",  # street address: building number and below (the region stays)
    "name": "<|name|>",  # a personal name next to contact details
}

#: Control tokens of the tokenizer, in id order (ids 0, 1, 2).
CONTROL_TOKENS: list[str] = ["<|pad|>", "<|bos|>", "<|eos|>"]

#: Every special token the tokenizer must keep atomic, in id order.
SPECIAL_TOKENS: list[str] = CONTROL_TOKENS + list(PLACEHOLDERS.values())
