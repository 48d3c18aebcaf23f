"""u = x*y, v = u + x, L = u*v. Reverse mode: dL/dv = u, dL/du = v + dL/dv, then x and y."""


def _forward(x, y):
    u = x * y
    v = u + x
    return u, v


def answer(x, y, target):
    u, v = _forward(x, y)
    g_v = u  # L = u*v
    g_u = v + g_v * 1  # u feeds L directly and through v
    if target == "x":
        return g_u * y + g_v * 1  # x feeds u and v
    return g_u * x


def missing_direct_path(x, y, target):
    if target != "x":
        return None
    u, v = _forward(x, y)
    return (v + u) * y


def missing_u_twice(x, y, target):
    u, v = _forward(x, y)
    return v * y + u if target == "x" else v * x


def missing_both(x, y, target):
    if target != "x":
        return None
    u, v = _forward(x, y)
    return v * y
