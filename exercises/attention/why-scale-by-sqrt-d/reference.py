"""Multiple answers: the variance argument and the saturation argument."""


def params(rng):
    d = int(rng.choice([16, 64, 256, 1024]))
    return {"d": d, "sqrt_d": int(round(d**0.5))}


def answer(d, sqrt_d):
    return ["variance", "saturation"]
