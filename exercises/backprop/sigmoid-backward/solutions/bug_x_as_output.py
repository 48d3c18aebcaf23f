def sigmoid_backward(x, dout):
    return dout * x * (1 - x)
