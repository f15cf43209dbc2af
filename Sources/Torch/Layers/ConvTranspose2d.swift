/// Transposed 2-D convolution, `torch.nn.ConvTranspose2d` (weights [in, out/groups, kh, kw]).
public final class ConvTranspose2d: Layer {
    @Parameter public var weight: Tensor
    @OptionalParameter public var bias: Tensor?
    public let stride: Int
    public let padding: Int
    public let outputPadding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, bias: Bool = true) throws {
        let w = try Tensor.empty([inChannels, outChannels, kernel, kernel])
        try w.kaimingUniform_(a: 5.0.squareRoot(), relu: false)
        weight = w
        if bias {
            let fanIn = Double(outChannels * kernel * kernel)
            let b = try Tensor.empty([outChannels])
            try b.uniform_(-1 / fanIn.squareRoot(), 1 / fanIn.squareRoot())
            self.bias = b
        } else {
            self.bias = nil
        }
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try F.convTranspose2d(x, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
                              outputPadding: (outputPadding, outputPadding))
    }
}
