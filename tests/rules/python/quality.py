# Samples for config/rules/quality/python.yaml (codomyrmex rules test).
import contextlib
import pdb


def bare_except():
    try:
        risky()
    # ruleid: python.bare-except
    except:
        handle()
    try:
        risky()
    # ok: python.bare-except
    except Exception:
        handle()
    try:
        risky()
    # ok: python.bare-except
    except (OSError, ValueError) as err:
        handle(err)


# ruleid: python.mutable-default-argument
def append_to(item, bucket=[]):
    bucket.append(item)
    return bucket


# ruleid: python.mutable-default-argument
def register(name, registry: dict = {}):
    registry[name] = True


# ruleid: python.mutable-default-argument
def collect(x, seen=set()):
    return seen


# ruleid: python.mutable-default-argument
def squares(n, cache=[i * i for i in range(3)]):
    return cache


# ok: python.mutable-default-argument
def safe(item, bucket=None, sizes=(), name="x", frozen=frozenset()):
    if bucket is None:
        bucket = []
    return bucket


def none_comparisons(x):
    # ruleid: python.eq-none
    if x == None:
        pass
    # ruleid: python.eq-none
    if None == x:
        pass
    # ruleid: python.ne-none
    if x != None:
        pass
    # ruleid: python.ne-none
    while None != x:
        break
    # ok: python.eq-none, python.ne-none
    if x is None or x is not None:
        pass
    # ok: python.eq-none
    if x == "None":
        pass


def types(x):
    # ruleid: python.type-comparison
    if type(x) == int:
        pass
    # ruleid: python.type-comparison
    if int != type(x):
        pass
    # ok: python.type-comparison
    if isinstance(x, int) or type(x) is int:
        pass
    # ok: python.type-comparison
    if type == x:
        pass


def asserts(x):
    # ruleid: python.assert-tuple
    assert (x > 0, "x must be positive")
    # ok: python.assert-tuple
    assert x > 0, "x must be positive"
    # ok: python.assert-tuple
    assert ()
    # ok: python.assert-tuple
    assert (x > 0), "wrapped condition"


def fstrings(name):
    # ruleid: python.f-string-missing-placeholders
    a = f"hello name"
    # ruleid: python.f-string-missing-placeholders
    b = F'escaped {{braces}} only\n'
    # ruleid: python.f-string-missing-placeholders
    c = rf""
    # ok: python.f-string-missing-placeholders
    d = f"hello {name}"
    # ok: python.f-string-missing-placeholders
    e = "plain {name}"
    # ok: python.f-string-missing-placeholders
    g = f"{name!r:>10}"
    return a, b, c, d, e, g


def swallow():
    try:
        risky()
    # ruleid: python.except-pass
    except Exception:
        pass
    try:
        risky()
    # ruleid: python.bare-except, python.except-pass
    except:
        pass
    try:
        risky()
    # ok: python.except-pass
    except KeyError:
        pass
    try:
        risky()
    # ok: python.except-pass
    except Exception:
        log()
        pass
    with contextlib.suppress(KeyError):
        risky()


def debugging():
    # ruleid: python.debugger
    breakpoint()
    # ruleid: python.debugger
    pdb.set_trace()
    # ok: python.debugger
    tracer.set_trace()


def membership(a, b):
    # ruleid: python.not-in
    if not a in b:
        pass
    # ok: python.not-in
    if a not in b:
        pass
    # ok: python.not-in
    if not a:
        pass


class Shape:
    def area(self):
        # ruleid: python.raise-not-implemented
        raise NotImplemented

    def perimeter(self):
        # ruleid: python.raise-not-implemented
        raise NotImplemented("todo")

    def volume(self):
        # ok: python.raise-not-implemented
        raise NotImplementedError

    def __eq__(self, other):
        # ok: python.raise-not-implemented
        return NotImplemented


def identity(x):
    # ruleid: python.is-literal
    if x is "text":
        pass
    # ruleid: python.is-literal
    if x is not 1:
        pass
    # ruleid: python.is-literal
    if [] is x:
        pass
    # ok: python.is-literal
    if x is None or x is True or x is ...:
        pass
    # ok: python.is-literal
    if x == "text":
        pass


def chained(x, y):
    # ruleid: python.type-comparison
    if type(x) == type(y):
        pass


def concatenated(name):
    # ok: python.f-string-missing-placeholders
    msg = (f"a long message about "
           f"{name} that is wrapped")
    # ruleid: python.f-string-missing-placeholders
    print(f"done", name)
    # ruleid: python.f-string-missing-placeholders
    return {"key": f"value"}
