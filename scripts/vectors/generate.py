#!/usr/bin/env python3
"""Generates test/vectors/arith.json: arithmetic vectors computed by tools that share no code with mathstream.

Small cases (up to a few thousand digits) are computed with CPython's int (Karatsuba multiplication, its own
division, math.isqrt); their operands and results are stored in full. Large cases (10^5 to 10^6 digits) are
computed with the decimal module (libmpdec: number-theoretic-transform multiplication, exact integer division at
full precision); their operands come from a 32-bit linear congruential generator that test/vectors.test.ts
reimplements, and only the result's length, edges and SHA-256 are stored.

Division and modulo follow Python's floor semantics (the quotient rounds toward -infinity, the remainder takes
the divisor's sign), which is mathstream's reference for signs.

Run: python3 scripts/vectors/generate.py  (deterministic: same file on every run)
"""
import decimal
import hashlib
import json
import math
import random
import sys

sys.set_int_max_str_digits(0)
rng = random.Random(20261127)


def lcg_digits(seed: int, digits: int) -> str:
    """`digits` decimal digits, first one non-zero: s <- (1664525 s + 1013904223) mod 2^32, digit = (s >> 24) mod 10."""
    s = seed & 0xFFFFFFFF
    out = []
    for _ in range(digits):
        s = (1664525 * s + 1013904223) & 0xFFFFFFFF
        out.append(chr(48 + (s >> 24) % 10))
    if out[0] == '0':
        out[0] = '7'
    return ''.join(out)


def random_int(digits: int) -> int:
    return rng.randrange(10 ** (digits - 1), 10 ** digits) if digits > 1 else rng.randrange(0, 10)


def shaped(kind: str, digits: int) -> int:
    """Operands at the edges: runs of nines, powers of ten and their neighbours carry and borrow across every limb."""
    return {
        'nines': 10 ** digits - 1,
        'pow10': 10 ** (digits - 1),
        'pow10+1': 10 ** (digits - 1) + 1,
        'random': random_int(digits),
    }[kind]


def floor_divmod(a: int, b: int):
    return divmod(a, b)  # Python's own: floor division


small = []
sizes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 100, 127, 129, 255, 257, 400, 447, 449, 500, 1000, 2000, 3000]
kinds = ['nines', 'pow10', 'pow10+1', 'random']
for da in sizes:
    for kind in kinds:
        db = rng.choice(sizes)
        a = shaped(kind, da)
        b = shaped(rng.choice(kinds), db)
        sa, sb = rng.choice([1, -1]), rng.choice([1, -1])
        small.append({'op': 'mul', 'a': str(sa * a), 'b': str(sb * b), 'result': str(sa * a * sb * b)})
for _ in range(60):
    dn = rng.choice(sizes) + rng.choice([0, 1, 7, 500])
    dd = max(1, dn // rng.choice([1, 2, 3, 10]))
    n = random_int(dn) * rng.choice([1, -1])
    d = (random_int(dd) or 7) * rng.choice([1, -1])
    q, r = floor_divmod(n, d)
    small.append({'op': 'divmod', 'a': str(n), 'b': str(d), 'result': [str(q), str(r)]})
for digits in [1, 2, 3, 8, 9, 16, 17, 100, 101, 1000, 2001, 4000]:
    for x in [random_int(digits), 10 ** digits - 1, 10 ** (digits - 1)]:
        small.append({'op': 'isqrt', 'a': str(x), 'result': str(math.isqrt(x))})
for base, exp in [(2, 1000), (3, 2000), (-7, 333), (10, 99), (99, 77), (-2, 64), (12345678901234567890, 50), (9, 9 ** 3)]:
    small.append({'op': 'pow', 'a': str(base), 'b': str(exp), 'result': str(base ** exp)})

ctx = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
decimal.setcontext(ctx)


def digest(text: str) -> dict:
    return {'digits': len(text.lstrip('-')), 'head': text[:30], 'tail': text[-30:], 'sha256': hashlib.sha256(text.encode()).hexdigest()}


large = []
for i, (da, db) in enumerate([(100_000, 100_000), (300_000, 250_000), (1_000_000, 1_000_000), (1_000_000, 37)]):
    a_spec, b_spec = {'seed': 1000 + i, 'digits': da}, {'seed': 2000 + i, 'digits': db}
    a, b = decimal.Decimal(lcg_digits(**a_spec)), decimal.Decimal(lcg_digits(**b_spec))
    large.append({'op': 'mul', 'a': a_spec, 'b': b_spec, 'result': digest(str(a * b))})
for i, (dn, dd) in enumerate([(200_000, 100_000), (1_000_000, 400_000)]):
    n_spec, d_spec = {'seed': 3000 + i, 'digits': dn}, {'seed': 4000 + i, 'digits': dd}
    n, d = decimal.Decimal(lcg_digits(**n_spec)), decimal.Decimal(lcg_digits(**d_spec))
    q, r = divmod(n, d)  # both positive: truncation equals floor here
    large.append({'op': 'divmod', 'a': n_spec, 'b': d_spec, 'result': [digest(str(q)), digest(str(r))]})

json.dump({
    'provenance': 'scripts/vectors/generate.py; small: CPython %s int and math.isqrt; large: decimal (libmpdec %s), operands from the LCG described there'
    % (sys.version.split()[0], decimal.__libmpdec_version__),
    'small': small,
    'large': large,
}, open('test/vectors/arith.json', 'w'), indent=0)
print('wrote test/vectors/arith.json: %d small, %d large cases' % (len(small), len(large)))
